"""Re-planning the default instance: frozen past, fewest changes, calendars in place.

One published plan (version 1, conftest's ``full_plan_dir``) is made once per session;
each test re-plans it with `xinglian replan` as a user would and reads the new directory
back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import icalendar
import pytest
import yaml
from click.testing import CliRunner

from xinglian.checker import check, score
from xinglian.cli import main
from xinglian.models import load_instance, load_plan

TODAY = "2027-02-15"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def tree_hash(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        h.update(str(p.relative_to(path)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def v1(full_plan_dir) -> Path:
    return full_plan_dir


def replan(v1: Path, tmp_path: Path, changes: list[dict], today: str = TODAY, name="v2"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"changes": changes}, allow_unicode=True), encoding="utf-8")
    out = tmp_path / name
    res = invoke("replan", v1, "--changes", path, "--today", today, "--out", out, "-q",
                 "--time-limit", "60")
    return res, out


def events(path: Path) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def ended_before(plan, day: dt.date) -> dict:
    """Every decision whose event ended before `day`."""
    return {
        "rotation": sorted((t.base, t.period, t.chair) for t in plan.rotation if t.end < day),
        "meetings": sorted((m.id, m.start, m.venue, m.host) for m in plan.meetings
                           if m.end.date() < day),
        "hosting": sorted((h.id, h.federation) for h in plan.hosting if h.end.date() < day),
    }


def assert_good_replan(v1: Path, out: Path, today: str = TODAY):
    new, inst = load_plan(out), load_instance(out / "instance.json")
    old = load_plan(v1)
    assert check(inst, new) == []
    assert score(inst, new).total == new.solve.objective
    day = dt.date.fromisoformat(today)
    assert ended_before(new, day) == ended_before(old, day)
    assert new.version == old.version + 1 and new.derived_from.previous_version == 1
    return new


def test_empty_changes_change_nothing_and_keep_every_calendar_event(v1, tmp_path):
    before = tree_hash(v1)
    res, out = replan(v1, tmp_path, [])
    assert res.exit_code == 0, res.output
    new = assert_good_replan(v1, out)
    assert new.derived_from.changed_decisions == 0
    assert new.derived_from.change_status == "OPTIMAL"
    assert json.loads((out / "changes.json").read_text(encoding="utf-8"))["count"] == 0
    for f in (v1 / "calendars").iterdir():
        a, b = events(f), events(out / "calendars" / f.name)
        assert a.keys() == b.keys()
        for uid, ev in a.items():
            for prop in ("SEQUENCE", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION",
                         "LOCATION", "STATUS", "DTSTAMP"):
                assert ev.get(prop) == b[uid].get(prop) or (
                    ev.decoded(prop) == b[uid].decoded(prop)), (f.name, uid, prop)
    assert not (out / "updates").exists()
    assert tree_hash(v1) == before  # the published plan is read-only input


def test_one_chair_away_for_one_period_costs_exactly_one_change(v1, tmp_path):
    # 黄秀梅 (p-003) chairs 霞美 in period 2 (March-April) and becomes unavailable for all
    # of it; other members are free, so the minimum is one changed decision: that term.
    old = load_plan(v1)
    term = next(t for t in old.rotation if t.base == "fed-ximei" and t.period == 2)
    assert term.chair == "p-003"
    res, out = replan(v1, tmp_path, [{"kind": "unavailable", "person": "p-003",
                                      "start": "2027-03-01", "end": "2027-04-30",
                                      "reason": "产假"}])
    assert res.exit_code == 0, res.output
    new = assert_good_replan(v1, out)
    d = new.derived_from
    assert (d.changed_decisions, d.change_cost, d.change_status) == (1, 10, "OPTIMAL")
    assert next(t for t in new.rotation
                if t.base == "fed-ximei" and t.period == 2).chair != "p-003"
    # Calendars: same UID, SEQUENCE + 1 for the moved term; cancelled in her file.
    uid = "rotation-fed-ximei-2027-p2@xinglian"
    before = events(v1 / "calendars" / "all.ics")[uid]
    after = events(out / "calendars" / "all.ics")[uid]
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")
    mine = events(out / "calendars" / "person-p-003.ics")[uid]
    assert str(mine["STATUS"]) == "CANCELLED" and int(mine["SEQUENCE"]) == 1
    # Events that did not change keep SEQUENCE and stamp.
    untouched = events(v1 / "calendars" / "all.ics")
    new_all = events(out / "calendars" / "all.ics")
    # (the period's meeting, enterprise visits and signature activity name the new chair)
    same = [u for u in untouched if u != uid and not u.startswith((
        "meeting-fed-ximei-2027-q2", "term-visit-fed-ximei-2027-p2-",
        "signature-fed-ximei-2027-p2@"))]
    assert all(int(new_all[u]["SEQUENCE"]) == int(untouched[u]["SEQUENCE"]) for u in same)
    assert all(new_all[u].decoded("DTSTAMP") == untouched[u].decoded("DTSTAMP") for u in same)
    # Her update file holds only what changed for her.
    upd = events(out / "updates" / "person-p-003.ics")
    assert uid in upd and all(u in (uid, "meeting-fed-ximei-2027-q2@xinglian") or u.startswith(
        ("term-visit-fed-ximei-2027-p2-", "signature-fed-ximei-2027-p2@")) for u in upd)
    text = (out / "changes.md").read_text(encoding="utf-8")
    assert "黄秀梅" in text and "第2期轮值主席" in text and "已证明为最少调整" in text


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"kind": "leaves", "person": "p-014", "date": "2027-06-01", "reason": "调往厦门"},
         "rotation"),
        ({"kind": "venue_closed", "venue": "v-luncang-women", "start": "2027-05-01",
          "end": "2027-05-31", "reason": "维修"}, "hosting"),
        ({"kind": "pin_chair", "base": "fed-guanqiao", "period": 5, "chair": "p-043"},
         "rotation"),
        ({"kind": "pin_meeting", "base": "fed-jintao", "quarter": 3, "date": "2027-08-18"},
         "meeting"),
    ],
    ids=["leaves", "venue-closed", "pin-chair", "pin-meeting"],
)
def test_each_kind_of_change_replans_minimally_and_keeps_the_past(v1, tmp_path, change, kind):
    res, out = replan(v1, tmp_path, [change])
    assert res.exit_code == 0, res.output
    new = assert_good_replan(v1, out)
    d = new.derived_from
    assert d.change_status == "OPTIMAL" and d.changed_decisions >= 1
    diff = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    assert any(c["kind"] == kind for c in diff["changes"])


def test_pinned_hosting_moves_one_turn(v1, tmp_path):
    old = load_plan(v1)
    turn = next(h for h in old.hosting if h.start.date() > dt.date(2027, 6, 1)
                and h.venue == "v-guanqiao-women")
    inst = load_instance(v1 / "instance.json")
    other = next(f.id for f in inst.federations
                 if f.hosting and f.town == "guanqiao" and f.id != turn.federation)
    res, out = replan(v1, tmp_path, [{"kind": "pin_hosting", "venue": turn.venue,
                                      "date": turn.start.date().isoformat(),
                                      "federation": other}])
    assert res.exit_code == 0, res.output
    new = assert_good_replan(v1, out)
    assert next(h for h in new.hosting if h.id == turn.id).federation == other
    assert new.derived_from.changed_decisions >= 1


def test_a_change_in_the_past_does_not_rewrite_it(v1, tmp_path):
    # Unavailable in January, reported on 2027-02-15: January stays as it was.
    res, out = replan(v1, tmp_path, [{"kind": "unavailable", "person": "p-005",
                                      "start": "2027-01-01", "end": "2027-01-31"}])
    assert res.exit_code == 0, res.output
    new = assert_good_replan(v1, out)
    assert new.derived_from.changed_decisions == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "unavailable", "person": "p-nobody", "start": "2027-05-01",
          "end": "2027-05-02"}, "changes[0].person: unknown person 'p-nobody'"),
        ({"kind": "unavailable", "person": "p-003", "start": "2028-01-01",
          "end": "2028-01-02"}, "changes[0].start: 2028-01-01 is outside the plan year 2027"),
        ({"kind": "holiday", "date": "2027-05-01"}, "changes[0]"),
        ({"kind": "pin_chair", "base": "fed-ximei", "period": 1, "chair": "p-001"},
         "period 1 ended on 2027-02-28, before --today 2027-03-15; the past cannot be pinned"),
        ([{"kind": "unavailable", "person": p, "start": "2027-09-01", "end": "2027-10-31"}
          for p in ("p-042", "p-028", "p-043", "p-044")],
         "no plan exists after the changes (INFEASIBLE)"),
    ],
    ids=["unknown-person", "outside-year", "unknown-kind", "pin-the-past", "infeasible"],
)
def test_bad_changes_give_a_clear_message_and_leave_the_plan_alone(v1, tmp_path, change,
                                                                     message):
    before = tree_hash(v1)
    res, out = replan(v1, tmp_path, change if isinstance(change, list) else [change],
                      today="2027-03-15")
    assert res.exit_code in (1, 3)
    assert message in res.output and "Traceback" not in res.output
    assert not out.exists()
    assert tree_hash(v1) == before


def test_replan_refuses_to_overwrite_the_published_plan(v1, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("changes: []\n", encoding="utf-8")
    before = tree_hash(v1)
    res = invoke("replan", v1, "--changes", path, "--today", TODAY, "--out", v1, "-q")
    assert res.exit_code == 1 and "kept as it was" in res.output
    assert tree_hash(v1) == before


def test_diff_prints_the_same_report(v1, tmp_path):
    res, out = replan(v1, tmp_path, [{"kind": "unavailable", "person": "p-003",
                                      "start": "2027-03-01", "end": "2027-04-30"}])
    assert res.exit_code == 0
    shown = invoke("diff", v1, out)
    assert shown.exit_code == 0 and "第2期轮值主席" in shown.output
    as_json = json.loads(invoke("diff", v1, out, "--json").output)
    assert as_json["count"] == json.loads((out / "changes.json").read_text())["count"]


def test_version_chain_is_recorded(v1, tmp_path):
    res, v2 = replan(v1, tmp_path, [], name="v2")
    assert res.exit_code == 0
    res, v3 = replan(v2, tmp_path, [], today="2027-04-01", name="v3")
    assert res.exit_code == 0
    p3 = load_plan(v3)
    assert p3.version == 3 and p3.derived_from.previous_version == 2
    assert p3.derived_from.previous_dir == str(v2)


def test_an_edited_instance_can_replace_the_changes_file(v1, tmp_path):
    data = json.loads((v1 / "instance.json").read_text(encoding="utf-8"))
    person = next(p for p in data["people"] if p["id"] == "p-003")
    person.setdefault("unavailable", []).append(
        {"start": "2027-03-01", "end": "2027-04-30", "reason": "产假"})
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "v2"
    res = invoke("replan", v1, "--instance", edited, "--today", TODAY, "--out", out, "-q")
    assert res.exit_code == 0, res.output
    new = assert_good_replan(v1, out)
    assert new.derived_from.changed_decisions == 1
    both = invoke("replan", v1, "--instance", edited, "--changes", edited, "--today", TODAY,
                  "--out", tmp_path / "v3", "-q")
    assert both.exit_code == 2 and "exactly one of" in both.output


def test_a_meeting_held_keeps_its_host_when_the_period_gets_another_chair(v1, tmp_path):
    """The chair of a running period is away for the rest of it, after she hosted its
    meeting: the period gets another chair, and the meeting -- held already -- keeps the
    host it had (history is not rewritten), as do her enterprise visits before today."""
    old, inst = load_plan(v1), load_instance(v1 / "instance.json")
    limit = inst.rotation.max_unavailable_days
    terms = {(t.base, t.period): t for t in old.rotation}
    # A meeting with more than the limit's days of its period after it (from v1's plan).
    m, term = next((m, t) for m in sorted(old.meetings, key=lambda m: m.start)
                   for t in [next(t for (b, _), t in terms.items() if b == m.base
                                  and t.start <= m.start.date() <= t.end)]
                   if (t.end - m.start.date()).days > limit + 3 and m.host == t.chair)
    today = m.start.date() + dt.timedelta(days=2)
    res, out = replan(v1, tmp_path, [{"kind": "unavailable", "person": term.chair,
                                      "start": str(today), "end": str(term.end)}],
                      today=str(today))
    assert res.exit_code == 0, res.output
    new = assert_good_replan(v1, out, str(today))  # checker-clean, the past as published
    now = next(t for t in new.rotation if (t.base, t.period) == (term.base, term.period))
    assert now.chair != term.chair  # the case this test is about
    assert next(x for x in new.meetings if x.id == m.id).host == term.chair
    held = {v.id: v.chair for v in old.term_visits if v.end.date() < today}
    assert {v.id: v.chair for v in new.term_visits if v.id in held} == held
    later = [v for v in new.term_visits if v.base == term.base and v.period == term.period
             and v.start.date() >= today]
    assert all(v.chair == now.chair for v in later)
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    assert not any(c["key"] == m.id for c in changes["changes"])
    # The checker still asks that a held meeting's host chaired the base's presidium.
    outsider = next(p.id for p in inst.people if p.id not in
                    next(b for b in inst.bases if b.id == m.base).presidium)
    bad = new.model_copy(update={"meetings": tuple(
        x.model_copy(update={"host": outsider}) if x.id == m.id else x
        for x in new.meetings)})
    assert "meeting_host" in {v.rule for v in check(inst, bad)}
