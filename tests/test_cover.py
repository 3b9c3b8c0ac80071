"""Who can cover? / can they swap? (issue 18) on small instances whose answer is known
by construction. Plan year 2026 (chinesecalendar); every listed plan passes the checker."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from xinglian.checker import check
from xinglian.cli import main
from xinglian.models import Instance, load_plan
from xinglian.solver import solve
from xinglian.solver.cover import UnknownDuty, cover
from xinglian.solver.swap import swap

TODAY = dt.date(2026, 3, 1)
SAT = "2026-03-07"
OFF = {k: 0 for k in (
    "back_to_back", "short_gap", "uneven_terms", "undesired_period", "not_preferred_period",
    "missed_attendance", "meeting_outside_town", "late_meeting", "hosting_share",
    "hosting_carry_over", "hosting_spread", "hosting_outside_town", "theme_off_date",
    "empty_slot", "unfilled_role", "volunteer_overload", "disliked_kind", "travel_time",
    "series_change", "no_lead", "care_new_mother", "care_outside_town", "festival_off_date")}
WORK = 1.0


def base_data(**top) -> dict:
    return {
        "id": "c", "year": 2026, "calendar": {"source": "chinesecalendar"},
        "rotation": {"max_terms_per_person": 6},
        "towns": [{"id": "t", "name": "霞美镇"}, {"id": "u", "name": "官桥镇"},
                  {"id": "far", "name": "金淘镇"}],
        "travel": [{"a": "t", "b": "u", "minutes": 40}, {"a": "t", "b": "far", "minutes": 90},
                   {"a": "u", "b": "far", "minutes": 90}],
        "people": [{"id": "a", "name": "主席甲", "town": "t"},
                   {"id": "b", "name": "主席乙", "town": "t"}],
        "federations": [{"id": "base", "name": "基地妇联", "kind": "base", "town": "t",
                         "chair": "a", "vice_chairs": ["b"]}],
        "venues": [{"id": "hall", "name": "会议室", "town": "t", "capacity": 30}],
        "weights": dict(OFF),
        **top,
    }


def vol(pid: str, town: str = "t", **profile) -> dict:
    extra = {k: profile.pop(k) for k in ("unavailable",) if k in profile}
    return {"id": pid, "name": f"志愿者{pid}", "town": town, "volunteer": profile, **extra}


def act(aid: str, start: str = "09:00", end: str = "11:00", roles=None, **kw) -> dict:
    return {"id": aid, "kind": kw.pop("kind", "volunteer_service"), "title": f"活动{aid}",
            "date": SAT, "start": start, "end": end, "town": "t",
            "roles": roles or [{"role": "服务", "min": 1, "max": 1}], **kw}


def volunteers(people: list[dict], activities: list[dict], weights: dict, **top) -> dict:
    data = base_data(**top)
    data["people"] += people
    data["activities"] = activities
    data["weights"].update(weights)
    return data


def hosting(slots: list[str], hosts: dict[str, dict], **top) -> dict:
    data = base_data(**top)
    data["hosting"] = {"min_gap_days": 14}
    for fid, params in hosts.items():
        data["people"].append({"id": f"c-{fid}", "name": f"联系人{fid}", "town": "t"})
        data["federations"].append({
            "id": fid, "name": f"{fid}企业妇联", "kind": "enterprise", "town": "t",
            "parent": "base", "hosting": {"contact": f"c-{fid}", **params}})
    data["venues"].append({"id": "home", "name": "霞美镇妇女之家", "town": "t", "capacity": 40,
                           "kind": "womens_home", "meetings": False, "slots": slots})
    return data


def planned(data: dict):
    inst = Instance.model_validate(data)
    res = solve(inst, time_limit=10, work=WORK, seed=0, workers=1)
    assert res.plan is not None and check(inst, res.plan) == []
    return inst, res.plan


def verified(report):
    for c in report.candidates:
        assert check(c.instance, c.plan) == []
    return report


# -- a volunteer role with exactly two other eligible people --------------------------


def test_two_stand_ins_the_farther_ranks_lower():
    # v1 and v2 live in town t, v3 40 minutes away, v4 90 minutes (beyond the 60-minute
    # reach): the role goes to v1 or v2; the other one ranks first, v3 second.
    data = volunteers([vol("v1"), vol("v2"), vol("v3", town="u"), vol("v4", town="far")],
                      [act("a1")], {"unfilled_role": 100, "travel_time": 5})
    inst, plan = planned(data)
    (holder,) = [v.person for v in plan.volunteering]
    assert holder in ("v1", "v2")
    report = verified(cover(plan, inst, f"a1/服务/{holder}", TODAY, work=WORK))
    other = ({"v1", "v2"} - {holder}).pop()
    assert [c.who for c in report.candidates] == [other, "v3"]
    first, second = report.candidates
    assert first.change_cost == second.change_cost == 2  # one out, one in
    assert second.objective > first.objective
    assert second.cost_diff == {"travel_time": 5 * (40 // 15)}  # whole quarter-hours
    assert first.cost_diff == {}
    assert sorted(first.notify) == sorted([holder, other])
    assert report.reasons["ineligible"] == 1  # v4, too far
    assert len(first.changes) == 1 and first.changes[0].kind == "volunteering"


def test_nobody_can_cover_and_the_reasons_are_counted():
    # v2 is away that day; v3 is pinned to another activity at the same time (busy);
    # v4 lives too far. v1 holds a1.
    data = volunteers(
        [vol("v1"), vol("v2", unavailable=[{"start": SAT, "end": SAT, "reason": "考试"}]),
         vol("v3"), vol("v4", town="far")],
        [act("a1"), act("a2", start="10:00", end="12:00")], {"unfilled_role": 100},
        pins={"volunteering": [{"activity": "a2", "person": "v3", "role": "服务"}]})
    inst, plan = planned(data)
    assert {(v.activity, v.person) for v in plan.volunteering} == {("a1", "v1"), ("a2", "v3")}
    report = cover(plan, inst, "a1/服务/v1", TODAY, work=WORK)
    assert report.candidates == []
    assert dict(report.reasons) == {"away": 1, "busy": 1, "ineligible": 1}
    from xinglian.export.cover import render_cover
    text = render_cover(report, inst, plan.solve.objective, "en")
    assert "no candidate: every eligible person is away or busy" in text
    assert "away 1" in text and "busy 1" in text and "ineligible 1" in text


# -- a hosting turn whose only stand-in must move one of her own turns ----------------


def test_the_only_stand_in_hands_her_own_turn_over():
    # Two slots a week apart, at least 14 days between a federation's turns: e1 and e2
    # host one each. The only stand-in for the first is the other federation, and then
    # the holder must take her turn: a chain of two moves.
    data = hosting(["2026-03-07 09:00-11:30", "2026-03-14 09:00-11:30"], {"e1": {}, "e2": {}})
    inst, plan = planned(data)
    first = next(h for h in plan.hosting if h.start.date() == dt.date(2026, 3, 7))
    second = next(h for h in plan.hosting if h.start.date() == dt.date(2026, 3, 14))
    assert first.federation != second.federation
    report = verified(cover(plan, inst, first.id, TODAY, work=WORK))
    (c,) = report.candidates
    assert c.who == second.federation
    assert sorted(key for _, key in c.changed) == sorted([first.id, second.id])
    assert c.change_cost == 2 * 2  # two hosting turns
    new = {h.id: h.federation for h in c.plan.hosting}
    assert new == {first.id: second.federation, second.id: first.federation}
    assert [ch.kind for ch in c.changes] == ["hosting", "hosting"]
    assert sorted(c.notify) == ["c-e1", "c-e2"]


def test_a_swap_blocked_by_the_hosting_gap_is_named_in_words():
    # e1 hosts 03-07 (pinned) and one more turn; 03-14 is too close to 03-07 for e1, so
    # e1 has 03-28 and e2 03-14. Exchanging 03-14 and 03-28 would put e1 on 03-07 and
    # 03-14: the hosting gap stops it.
    data = hosting(["2026-03-07 09:00-11:30", "2026-03-14 09:00-11:30",
                    "2026-03-28 09:00-11:30"],
                   {"e1": {"min_turns": 2, "max_turns": 2}, "e2": {}},
                   pins={"hosting": [{"venue": "home", "date": "2026-03-07",
                                      "federation": "e1"}]})
    inst, plan = planned(data)
    turns = {h.start.date().day: h for h in plan.hosting}
    assert (turns[7].federation, turns[14].federation, turns[28].federation) == \
        ("e1", "e2", "e1")
    report = swap(plan, inst, turns[14].id, turns[28].id, TODAY, work=WORK)
    assert not report.ok
    assert [v.rule for v in report.violations] == ["hosting_gap"]
    assert "e1" in report.violations[0].message or "企业妇联" in report.violations[0].message
    from xinglian.export.cover import render_swap
    text = render_swap(report, inst, plan.solve.objective, "en")
    assert "They cannot swap" in text and "hosting_gap" in text
    assert "Nearest feasible alternative" in text
    # e1 cannot take 03-14 in any plan: the alternative says why the list is empty.
    assert report.alternative is not None and report.alternative.candidates == []
    assert report.alternative.reasons["busy"] == 1


def test_a_swap_that_holds_is_reported_with_its_changes():
    data = hosting(["2026-03-07 09:00-11:30", "2026-03-28 09:00-11:30"],
                   {"e1": {"max_turns": 1}, "e2": {"max_turns": 1}})
    inst, plan = planned(data)
    a, b = plan.hosting
    assert a.federation != b.federation
    report = swap(plan, inst, a.id, b.id, TODAY, work=WORK)
    assert report.ok and report.direct and report.violations == []
    assert check(report.instance, report.plan) == []
    assert {h.id: h.federation for h in report.plan.hosting} == {
        a.id: b.federation, b.id: a.federation}


# -- rotation terms and the meeting host ------------------------------------------------


def test_a_rotation_term_and_its_meeting_host_go_to_the_other_presidium_member():
    data = base_data()
    data["people"].append({"id": "c3", "name": "主席丙", "town": "t"})
    data["federations"][0]["vice_chairs"] = ["b", "c3"]
    inst, plan = planned(data)
    term = next(t for t in plan.rotation if t.period == 3)
    report = verified(cover(plan, inst, f"rotation-base-p{term.period}", TODAY, work=WORK))
    assert {c.who for c in report.candidates} == {"a", "b", "c3"} - {term.chair}
    for c in report.candidates:
        new = next(t for t in c.plan.rotation if t.period == 3)
        assert new.chair == c.who
    mtg = next(m for m in plan.meetings if m.quarter == 3)
    report = verified(cover(plan, inst, mtg.id, TODAY, work=WORK))
    assert "chair" in report.duty.note
    assert report.duty.holder == mtg.host and report.candidates
    for c in report.candidates:
        assert next(m for m in c.plan.meetings if m.id == mtg.id).host == c.who
        (t,) = [t for t in c.plan.rotation if t.start <= mtg.start.date() <= t.end]
        assert t.chair == c.who


def test_an_unknown_duty_lists_the_syntax_and_valid_ids():
    inst, plan = planned(hosting(["2026-03-07 09:00-11:30"], {"e1": {}}))
    with pytest.raises(UnknownDuty) as e:
        cover(plan, inst, "rotation-nowhere-p9", TODAY)
    text = str(e.value)
    assert "rotation-<base>-p<period>" in text and "rotation-base-p2" in text
    assert "rotation-base-p1" not in text  # ended (Jan-Feb) before TODAY
    assert plan.hosting[0].id in text


# -- the CLI: list, then apply the first ---------------------------------------------------


@pytest.fixture(scope="module")
def v1(tmp_path_factory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("cover")
    data = volunteers([vol("v1"), vol("v2"), vol("v3", town="u")], [act("a1")],
                      {"unfilled_role": 100, "travel_time": 5})
    path = tmp / "inst.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp / "v1"
    r = CliRunner().invoke(main, ["plan", str(path), "--out", str(out), "--time-limit", "5",
                                  "--workers", "1", "-q"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    holder = next(v.person for v in load_plan(out).volunteering)
    return out, holder


def test_cli_lists_candidates_and_apply_writes_exactly_the_listed_change(v1, tmp_path):
    plan_dir, holder = v1
    duty = f"a1/服务/{holder}"
    run = CliRunner().invoke(main, ["cover", str(plan_dir), "--duty", duty, "--today",
                                    "2026-03-01", "--lang", "en"], catch_exceptions=False)
    assert run.exit_code == 0, run.output
    assert "1. " in run.output and "2. " in run.output and "v3" in run.output
    out = tmp_path / "v2"
    r = CliRunner().invoke(main, ["cover", str(plan_dir), "--duty", duty, "--today",
                                  "2026-03-01", "--apply", "1", "--out", str(out)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    new = load_plan(out)
    assert new.version == 2 and new.derived_from.previous_version == 1
    other = ({"v1", "v2"} - {holder}).pop()
    assert [(v.activity, v.person) for v in new.volunteering] == [("a1", other)]
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    listed = [c for c in changes["changes"]]
    assert len(listed) == 1 and listed[0]["kind"] == "volunteering"
    assert (out / "changes.md").is_file() and (out / "updates").is_dir()
    ics = (out / "calendars" / f"person-{holder}.ics").read_text(encoding="utf-8")
    assert "STATUS:CANCELLED" in ics


def test_cli_unknown_duty_is_a_usage_error(v1):
    plan_dir, _ = v1
    r = CliRunner().invoke(main, ["cover", str(plan_dir), "--duty", "nope", "--today",
                                  "2026-03-01"])
    assert r.exit_code == 2 and "a1/服务/" in r.output


# -- a care visit moves; two volunteers swap ------------------------------------------------


def test_a_care_visit_moves_to_another_time_with_the_same_mother():
    # Festival visits on the festival or within 3 days of it; the mother is away 05-29 to
    # 05-31, so the 六一 visit (on 06-01) can move to 06-02, 06-03 or 06-04, nearest best.
    data = base_data(care={"festivals": [
        {"name": "六一儿童节", "date": "2026-06-01", "window_days": 3},
        {"name": "中秋节", "date": "2026-09-25", "window_days": 3}]})
    data["weights"]["festival_off_date"] = 2
    data["people"].append({"id": "m1", "name": "爱心妈妈甲", "town": "t", "caring_mother": True,
                           "unavailable": [{"start": "2026-05-29", "end": "2026-05-31"}]})
    data["children"] = [{"code": "c1", "name": "儿童", "address": "某村", "town": "t",
                         "age": 9}]
    inst, plan = planned(data)
    visit = next(v for v in plan.care.visits if v.kind == "festival"
                 and v.start.date() == dt.date(2026, 6, 1))
    report = verified(cover(plan, inst, visit.id, TODAY, work=WORK))
    assert "other time" in report.duty.note
    assert [c.plan.care.visits for c in report.candidates] and [
        next(v for v in c.plan.care.visits if v.id == visit.id).start.day
        for c in report.candidates] == [2, 3, 4]
    for c in report.candidates:
        assert c.who == "m1" and c.notify == ["m1"] and c.change_cost == 1
    assert [c.cost_diff for c in report.candidates] == [
        {"festival_off_date": 2 * d} for d in (1, 2, 3)]
    # The first is what the minimal re-plan (the mother away that day) gives.
    (slow,) = cover(plan, inst, visit.id, TODAY, work=WORK, fast=False).candidates
    first = report.candidates[0]
    assert [x.text for x in slow.changes] == [x.text for x in first.changes]
    assert (slow.objective, slow.change_cost) == (first.objective, first.change_cost)
    # A meet shares its day with a talk: away that day, she moves both (a re-plan).
    meet = next(v for v in plan.care.visits if v.kind == "meet" and v.start.month >= 4)
    assert any(x.start.date() == meet.start.date() for x in plan.care.visits
               if x.id != meet.id)
    (c,) = verified(cover(plan, inst, meet.id, TODAY, work=WORK)).candidates
    assert c.result is not None and len(c.changed) == 2


def test_two_volunteers_swap_places():
    # a1 in the morning, a2 in the afternoon; v1 is free only in the mornings and v2
    # only in the afternoons: a plain swap puts both outside their weekly pattern.
    morning = [{"days": ["sat"], "start": "08:00", "end": "12:00"}]
    afternoon = [{"days": ["sat"], "start": "13:00", "end": "17:00"}]
    data = volunteers([vol("v1", weekly=morning), vol("v2", weekly=afternoon)],
                      [act("a1"), act("a2", start="14:00", end="16:00")],
                      {"unfilled_role": 100})
    inst, plan = planned(data)
    team = {v.activity: v.person for v in plan.volunteering}
    assert team == {"a1": "v1", "a2": "v2"}
    report = swap(plan, inst, "a1/服务/v1", "a2/服务/v2", TODAY, work=WORK)
    assert not report.ok and report.violations
    assert {v.rule for v in report.violations} == {"volunteer_eligible"}
    # Without the patterns (one activity a month each) they can.
    data = volunteers([vol("v1", max_activities_per_month=1),
                       vol("v2", max_activities_per_month=1)], [act("a1"), act("a2", start="14:00",
                                                                  end="16:00")],
                      {"unfilled_role": 100})
    inst, plan = planned(data)
    team = {v.activity: v.person for v in plan.volunteering}
    a, b = (f"{act_}/服务/{team[act_]}" for act_ in ("a1", "a2"))
    report = swap(plan, inst, a, b, TODAY, work=WORK)
    assert report.ok and report.direct and report.change_cost == 4
    assert {v.activity: v.person for v in report.plan.volunteering} == {
        "a1": team["a2"], "a2": team["a1"]}


def test_the_fast_path_gives_what_the_re_plans_give():
    # A stand-in who simply steps in is taken from the checker without a re-plan; with
    # every change weight positive that is exactly the minimal re-plan's answer.
    data = volunteers([vol("v1"), vol("v2"), vol("v3", town="u")],
                      [act("a1"), act("a2", start="10:00", end="12:00")],
                      {"unfilled_role": 100, "travel_time": 5, "volunteer_overload": 1})
    inst, plan = planned(data)
    holder = next(v.person for v in plan.volunteering if v.activity == "a1")
    duty = f"a1/服务/{holder}"

    def summary(report):
        return [(c.who, c.change_cost, sorted(c.changed), c.objective, c.cost_diff,
                 [ch.text for ch in c.changes], c.notify) for c in report.candidates]

    fast = cover(plan, inst, duty, TODAY, work=WORK)
    slow = cover(plan, inst, duty, TODAY, work=WORK, fast=False)
    assert summary(fast) == summary(slow) and fast.reasons == slow.reasons
    assert any(c.result is None for c in fast.candidates)
    assert all(c.result is not None for c in slow.candidates)
    data = hosting(["2026-03-07 09:00-11:30", "2026-03-28 09:00-11:30"],
                   {"e1": {}, "e2": {}, "e3": {}})
    inst, plan = planned(data)
    duty = plan.hosting[0].id
    assert summary(cover(plan, inst, duty, TODAY, work=WORK)) == summary(
        cover(plan, inst, duty, TODAY, work=WORK, fast=False))
    data = base_data(weights={**OFF, "back_to_back": 100, "uneven_terms": 10,
                              "short_gap": 10})
    data["people"].append({"id": "c3", "name": "主席丙", "town": "t"})
    data["federations"][0]["vice_chairs"] = ["b", "c3"]
    inst, plan = planned(data)
    for duty in ("rotation-base-p4", next(m.id for m in plan.meetings if m.quarter == 4)):
        fast = cover(plan, inst, duty, TODAY, work=WORK)
        assert summary(fast) == summary(cover(plan, inst, duty, TODAY, work=WORK, fast=False))
        assert fast.candidates


def test_a_festival_visit_may_move_to_another_festival():
    # Two festival visits a year among three festivals: the one at 六一 can go to the
    # festival not visited yet, on its day (no cost), which is what the re-plan does.
    data = base_data(care={"festivals": [
        {"name": "六一儿童节", "date": "2026-06-01", "window_days": 1},
        {"name": "中秋节", "date": "2026-09-25", "window_days": 1},
        {"name": "重阳节", "date": "2026-10-18", "window_days": 1}]})
    data["weights"]["festival_off_date"] = 2
    data["people"].append({"id": "m1", "name": "爱心妈妈甲", "town": "t", "caring_mother": True})
    data["children"] = [{"code": "c1", "name": "儿童", "address": "某村", "town": "t",
                         "age": 9}]
    inst, plan = planned(data)
    fest = sorted((v for v in plan.care.visits if v.kind == "festival"), key=lambda v: v.start)
    assert len(fest) == 2
    visit = fest[0]
    report = verified(cover(plan, inst, visit.id, TODAY, work=WORK))
    first = report.candidates[0]
    assert first.cost_diff == {} and first.objective == plan.solve.objective
    (slow,) = cover(plan, inst, visit.id, TODAY, work=WORK, fast=False).candidates
    assert [x.text for x in slow.changes] == [x.text for x in first.changes]


# -- the workspace: person page -> who can cover -> choose -> preview -> publish ----------


PASSWORD = "correct horse battery"
TINY = Path(__file__).parent / "data" / "tiny.yaml"


def login(client) -> str:
    import re

    r = client.post("/login", data={"password": PASSWORD, "next": "/plan"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/changes").text).group(1)


def wait_job(client, job_id: int, timeout: float = 120) -> dict:
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        j = client.get(f"/api/jobs/{job_id}").json()
        if j["status"] not in ("queued", "running", "cancelling"):
            return j
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {j['status']} after {timeout} s")


def test_the_workspace_covers_a_term_from_the_person_page(tmp_path):
    pytest.importorskip("httpx")
    import re

    from fastapi.testclient import TestClient

    from xinglian.web.app import create_app

    app = create_app(tmp_path, seed_instance=TINY, time_limit=3.0, admin_password=PASSWORD)
    with TestClient(app) as client:
        csrf = login(client)
        assert wait_job(client, 1)["status"] == "done"
        ws = app.state.ws
        plan = load_plan(ws.published_dir())
        term = next(t for t in plan.rotation if t.period == 6)
        person = client.get(f"/plan/person/{term.chair}").text
        link = f"/cover?duty=rotation-{term.base}-p6"
        assert link in person and "谁能替班" in person
        html = client.get(link).text
        assert 'id="c1"' in html and 'id="choose-1"' in html
        who = re.search(r'<li id="c1"><strong>([^<]+)</strong>', html)[1]
        assert client.get("/cover?duty=nope").status_code == 404
        r = client.post("/cover/choose", data={"csrf": csrf, "duty": link.split("=")[1],
                                               "k": "1"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/changes"
        r = client.post("/changes/preview", data={"csrf": csrf}, follow_redirects=False)
        job = int(r.headers["location"].rsplit("/", 1)[1])
        assert wait_job(client, job)["status"] == "done", ws.job(job).error
        assert client.post(f"/jobs/{job}/publish", data={"csrf": csrf},
                           follow_redirects=False).status_code == 303
        new = load_plan(ws.published_dir())
        chair = next(t.chair for t in new.rotation if (t.base, t.period) == (term.base, 6))
        assert chair != term.chair
        assert app.state.ws.published_version() == 2
        assert who.startswith(next(p.name for p in load_instance_people(ws) if p.id == chair))
        versions = client.get("/versions").text
        assert 'id="v2"' in versions and 'id="diff"' in client.get("/versions?a=1&b=2").text


def load_instance_people(ws):
    from xinglian.models import load_instance

    return load_instance(ws.published_dir() / "instance.json").people
