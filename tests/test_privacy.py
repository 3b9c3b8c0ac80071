"""Children in difficulty leave the instance by code only (隐私保护).

Fixture: tiny.yaml (2026) plus two children whose name, address and needs are strings
that cannot occur by chance (``王小明测试``, ``某某村123号测试``, ...), two caring
mothers (p-e1 paired with both children, p-a2 c-007's mother last year), three
volunteers and two activities. The hand-made plan pairs and visits both children and
staffs the activities. Every file a plan run writes -- the plan directory (plan.json,
summary.md, summary.html, calendars/*.ics, changes.md/json of a re-plan) and the Excel
workbook, unzipped to its XML parts -- must hold each child's code and never her name,
address or needs. The diff of two plans (a volunteer swapped, a visit moved, a child
re-paired) is checked here as well: its notices go to WeChat groups.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import yaml

from xinglian.export.changes import ChangeReport, changes_json, diff_plans, render_changes_md
from xinglian.export.plan_dir import write_plan_dir
from xinglian.export.workbook import write_plan_workbook
from xinglian.models.instance import Instance
from xinglian.models.plan import (
    Care,
    CarePair,
    CareVisit,
    Plan,
    SolveInfo,
    Unfilled,
    Volunteering,
)

DATA = Path(__file__).parent / "data"
TZ = ZoneInfo("Asia/Shanghai")

CHILDREN = {
    "c-007": {"name": "王小明测试", "address": "某某村123号测试", "needs": ["特殊需要甲测试"]},
    "c-008": {"name": "李小红测试", "address": "另一村456号测试", "needs": ["特殊需要乙测试"]},
}
SECRETS = [s for c in CHILDREN.values() for s in (c["name"], c["address"], *c["needs"])]


def instance_data() -> dict:
    data = yaml.safe_load((DATA / "tiny.yaml").read_text(encoding="utf-8"))
    profiles = {
        "p-b2": {"federation": "fed-shuinuan", "skills": ["first_aid"], "experienced": True},
        "p-t1": {"federation": "fed-town-ximei", "languages": ["普通话", "闽南语"]},
        "p-a1": {},
    }
    for p in data["people"]:
        if p["id"] in profiles:
            p["volunteer"] = profiles[p["id"]]
        if p["id"] in ("p-e1", "p-a2"):
            p["caring_mother"] = True
    data["activities"] = [
        {"id": "act-1", "kind": "volunteer_service", "title": "防溺水宣传", "date": "2026-07-04",
         "start": "09:00", "end": "11:30", "venue": "v-ximei-hall",
         "roles": [{"role": "急救", "skill": "first_aid"}, {"role": "宣讲", "max": 2}]},
        {"id": "act-2", "kind": "military_family", "title": "拥军优属慰问", "date": "2026-08-01",
         "start": "14:00", "end": "16:00", "town": "luncang", "lead_required": True,
         "roles": [{"role": "慰问", "min": 2}]},
    ]
    data["children"] = [
        {"code": code, "town": town, "age": age, **info}
        for (code, info), town, age in zip(CHILDREN.items(), ("ximei", "luncang"), (9, 12),
                                           strict=True)
    ]
    data["care"] = {"festivals": [{"name": "六一儿童节", "date": "2026-06-01"},
                                  {"name": "中秋节", "date": "2026-09-25"}]}
    data["history"]["care"] = [{"mother": "p-a2", "child": "c-007", "year": 2025}]
    return data


@pytest.fixture(scope="module")
def instance() -> Instance:
    return Instance.model_validate(instance_data())


def at(month: int, day: int, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, h, m, tzinfo=TZ)


def visit(vid: str, child: str, kind: str, start: dt.datetime, minutes: int,
          mother: str = "p-e1") -> CareVisit:
    return CareVisit(id=vid, mother=mother, child=child, kind=kind, start=start,
                     end=start + dt.timedelta(minutes=minutes))


VISITS = (
    visit("visit-c-007-2026-q1-meet1", "c-007", "meet", at(2, 21, 10), 90),
    visit("visit-c-007-2026-f1", "c-007", "festival", at(6, 1, 10), 120),
    visit("visit-c-008-2026-q2-talk1", "c-008", "talk", at(4, 18, 19, 30), 45),
)


def make_plan(**changes) -> Plan:
    base = Plan(
        instance="tiny-2026", year=2026, generated_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        solve=SolveInfo(status="OPTIMAL"),
        volunteering=(Volunteering(activity="act-1", person="p-b2", role="急救"),
                      Volunteering(activity="act-1", person="p-t1", role="宣讲"),
                      Volunteering(activity="act-2", person="p-a1", role="慰问")),
        care=Care(pairs=(CarePair(mother="p-e1", child="c-007"),
                         CarePair(mother="p-e1", child="c-008")),
                  visits=VISITS),
        unfilled=(Unfilled(what="activity act-2", missing="1 x 慰问", why="无空闲志愿者"),),
        warnings=("儿童 c-008 的结对妈妈在外镇",),
    )
    return base.model_copy(update=changes)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan()


@pytest.fixture(scope="module")
def replanned() -> Plan:
    """Version 2: c-008 re-paired to p-a2 (her visit goes with her), c-007's meet moved
    a week later, and p-t1 swapped for p-a1 on act-1."""
    talk = VISITS[2].model_copy(update={"mother": "p-a2"})
    meet = VISITS[0].model_copy(update={"start": at(2, 28, 10), "end": at(2, 28, 11, 30)})
    return make_plan(
        version=2,
        volunteering=(Volunteering(activity="act-1", person="p-b2", role="急救"),
                      Volunteering(activity="act-1", person="p-a1", role="宣讲"),
                      Volunteering(activity="act-2", person="p-a1", role="慰问")),
        care=Care(pairs=(CarePair(mother="p-e1", child="c-007"),
                         CarePair(mother="p-a2", child="c-008")),
                  visits=(meet, VISITS[1], talk)))


@pytest.fixture(scope="module")
def outputs(instance, plan, replanned, tmp_path_factory) -> dict[str, bytes]:
    """Every file written, by relative path; the workbook as its unzipped parts."""
    root = tmp_path_factory.mktemp("out")
    first = write_plan_dir(instance, plan, root / "v1")
    report = ChangeReport(changes=diff_plans(plan, replanned, instance, instance),
                          title="第2版调整通知")
    second = write_plan_dir(instance, replanned, root / "v2", previous_dir=first,
                            changes=report, previous_instance=instance)
    xlsx = write_plan_workbook(instance, replanned, root / "plan.xlsx")
    files = {f"{d.name}/{p.relative_to(d)}": p.read_bytes()
             for d in (first, second) for p in d.rglob("*") if p.is_file()}
    with zipfile.ZipFile(xlsx) as z:
        files |= {f"plan.xlsx/{name}": z.read(name) for name in z.namelist()}
    return files


def published(outputs: dict[str, bytes]) -> dict[str, str]:
    """What leaves the office: every file written, instance.json included."""
    return {name: data.decode("utf-8") for name, data in outputs.items()}


def test_every_kind_of_output_is_searched(outputs):
    names = set(outputs)
    for expected in ("v1/plan.json", "v1/summary.md", "v1/summary.html", "v1/calendars/all.ics",
                     "v1/calendars/person-p-e1.ics", "v2/changes.md", "v2/changes.json",
                     "v2/updates/person-p-a2.ics", "plan.xlsx/xl/workbook.xml"):
        assert expected in names, expected
    assert any(n.startswith("plan.xlsx/xl/worksheets/") for n in names)


@pytest.mark.parametrize("secret", SECRETS)
def test_no_child_name_address_or_needs_in_any_published_file(outputs, secret):
    leaks = [name for name, text in published(outputs).items() if secret in text]
    assert leaks == [], f"{secret!r} leaked into {leaks}"


def test_the_codes_do_appear_where_children_are_shown(outputs):
    text = published(outputs)
    for name in ("v1/plan.json", "v1/summary.md", "v1/summary.html", "v1/calendars/all.ics",
                 "v1/calendars/person-p-e1.ics", "v2/changes.md"):
        assert "c-007" in text[name] and "c-008" in text[name], name
    sheets = "".join(t for n, t in text.items() if n.startswith("plan.xlsx/xl/"))
    assert "c-007" in sheets and "c-008" in sheets


def test_instance_json_keeps_children_private(outputs):
    leaks = [name for name, data in outputs.items()
             if name.endswith("instance.json") and any(
                 s in data.decode("utf-8") for s in SECRETS)]
    assert leaks == []


def test_care_events_carry_code_and_town_only(outputs):
    cal = icalendar.Calendar.from_ical(outputs["v1/calendars/person-p-e1.ics"])
    visits = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(visits) == {f"{v.id}@xinglian" for v in VISITS}
    meet = visits["visit-c-007-2026-q1-meet1@xinglian"]
    assert str(meet["SUMMARY"]) == "爱心妈妈 · 见一次面 · 儿童 c-007"
    assert str(meet["LOCATION"]) == "霞美镇"  # the child's town, no address
    assert str(visits["visit-c-008-2026-q2-talk1@xinglian"]["LOCATION"]) == "仑苍镇"


def test_plan_json_names_children_by_code(outputs):
    data = json.loads(outputs["v1/plan.json"])
    assert {p["child"] for p in data["care"]["pairs"]} == {"c-007", "c-008"}
    assert all(set(p) == {"mother", "child"} for p in data["care"]["pairs"])


# -- diff of two plans: volunteering and care ---------------------------------------------


def test_diff_names_swapped_volunteers_moved_visits_and_re_paired_children(
        instance, plan, replanned):
    changes = {(c.kind, c.key): c for c in diff_plans(plan, replanned, instance, instance)}
    assert set(changes) == {
        ("volunteering", "act-1/宣讲"),
        ("care_pair", "c-008"),
        ("care_visit", "visit-c-007-2026-q1-meet1"),
        ("care_visit", "visit-c-008-2026-q2-talk1"),
    }
    swap = changes[("volunteering", "act-1/宣讲")]
    # Only the volunteer who leaves and the one who comes are told, not the whole team.
    assert swap.people == ("p-t1", "p-a1")
    assert (swap.old, swap.new) == ("吴春梅", "陈丽华")
    assert swap.venues == ("v-ximei-hall",) and swap.federations == ("fed-town-ximei",)
    assert swap.text == ("志愿服务 防溺水宣传（07-04（周六）09:00） 岗位 宣讲：吴春梅 → 陈丽华"
                         "（吴春梅 不再参加，改由 陈丽华 参加）")
    pair = changes[("care_pair", "c-008")]
    assert pair.people == ("p-e1", "p-a2")
    assert pair.text == "儿童 c-008 的爱心妈妈：张晓燕 → 林秀英"
    moved = changes[("care_visit", "visit-c-007-2026-q1-meet1")]
    assert moved.people == ("p-e1",)
    assert "02-21" in moved.text and "02-28" in moved.text and "c-007" in moved.text
    handed = changes[("care_visit", "visit-c-008-2026-q2-talk1")]
    assert handed.people == ("p-e1", "p-a2")


def test_diff_of_equal_plans_is_empty_and_order_does_not_matter(instance, plan):
    shuffled = plan.model_copy(update={
        "volunteering": tuple(reversed(plan.volunteering)),
        "care": Care(pairs=tuple(reversed(plan.care.pairs)),
                     visits=tuple(reversed(plan.care.visits)))})
    assert diff_plans(plan, shuffled, instance) == []


def test_added_and_dropped_volunteers_and_visits(instance, plan):
    fewer = plan.model_copy(update={
        "volunteering": plan.volunteering[:2],
        "care": Care(pairs=plan.care.pairs, visits=plan.care.visits[:2])})
    changes = diff_plans(plan, fewer, instance)
    dropped = {c.key: c for c in changes}
    assert dropped["act-2/慰问"].text.endswith("陈丽华 → 无（陈丽华 不再参加）")
    assert dropped["visit-c-008-2026-q2-talk1"].new == ""
    assert dropped["visit-c-008-2026-q2-talk1"].text.endswith("→ 取消")
    back = {c.key: c for c in diff_plans(fewer, plan, instance)}
    assert back["act-2/慰问"].text.endswith("无 → 陈丽华（新增 陈丽华）")
    assert "新增" in back["visit-c-008-2026-q2-talk1"].text


def test_change_notices_group_by_mother_and_volunteer(instance, plan, replanned):
    report = ChangeReport(changes=diff_plans(plan, replanned, instance, instance), title="通知")
    md = render_changes_md(report, instance, instance)
    assert "**林秀英**" in md and "**张晓燕**" in md and "**吴春梅**" in md
    data = json.loads(changes_json(report))
    assert {c["kind"] for c in data["changes"]} == {"volunteering", "care_pair", "care_visit"}


def test_replanned_calendars_cancel_the_swapped_volunteers_event(outputs):
    # p-t1 left act-1: her calendar publishes the event as cancelled; p-a1 gets it new.
    cal = icalendar.Calendar.from_ical(outputs["v2/calendars/person-p-t1.ics"])
    (ev,) = [e for e in cal.walk("VEVENT") if str(e["UID"]) == "volunteer-act-1-p-t1@xinglian"]
    assert str(ev["STATUS"]) == "CANCELLED" and ev.decoded("SEQUENCE") == 1
    new = icalendar.Calendar.from_ical(outputs["v2/updates/person-p-a1.ics"])
    assert "volunteer-act-1-p-a1@xinglian" in {str(e["UID"]) for e in new.walk("VEVENT")}
    # The moved visit keeps its UID with a higher SEQUENCE.
    mine = icalendar.Calendar.from_ical(outputs["v2/calendars/person-p-e1.ics"])
    (meet,) = [e for e in mine.walk("VEVENT")
               if str(e["UID"]) == "visit-c-007-2026-q1-meet1@xinglian"]
    assert meet.decoded("SEQUENCE") == 1
    assert meet.decoded("DTSTART") == at(2, 28, 10)
