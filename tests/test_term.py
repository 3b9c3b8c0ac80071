"""The rotating chair's term of work (docs/rules.md: term_visits, term_visit_attendance,
signature_activity, term_no_double_booking; visit_spread, regional_chair_load,
late_signature_activity): one small instance per rule, with the expectation derived by
hand. Plan year 2026 (covered by chinesecalendar); every solved plan goes through the
independent checker and its recomputed score must equal the solver's objective.
"""

from __future__ import annotations

import datetime as dt

from xinglian.checker import check, score
from xinglian.models import Instance
from xinglian.solver import solve

SOFT_OFF = {
    "back_to_back": 0, "short_gap": 0, "uneven_terms": 0, "undesired_period": 0,
    "not_preferred_period": 0, "missed_attendance": 0, "meeting_outside_town": 0,
    "late_meeting": 0, "visit_spread": 0, "regional_chair_load": 0,
    "late_signature_activity": 0,
}


def make(*, bases=None, enterprises=None, terms=None, people=None, weights=None,
         **extra) -> Instance:
    """Base ``A`` (presidium a1, a2, a3) in 霞美 with enterprises e1, e2 (chairs x1, x2);
    regional chair r. Visits once a year on Tuesdays 09:30 (90 min); the signature
    activity at the Women's Home on weekdays 14:30 (120 min)."""
    bases = bases or {"A": ("a1", "a2", "a3")}
    enterprises = enterprises or {"e1": "A", "e2": "A"}
    ids = sorted({p for ms in bases.values() for p in ms} | {"r"}
                 | {f"x{e[1:]}" for e in enterprises} | set(people or {}))
    if terms is None:
        terms = [{"base": b, "regional_chair": "r", "visits_per_year": 1,
                  "visit_weekdays": [2], "visit_times": ["09:30"],
                  "activity": {"kind": "亲子阅读会", "venues": [f"wh-{b}"]}} for b in bases]
    data = {
        "id": "term", "year": 2026, "calendar": {"source": "chinesecalendar"},
        "rotation": {"max_terms_per_person": 6},
        "towns": [{"id": "town", "name": "霞美镇"}, {"id": "far", "name": "金淘镇"}],
        "people": [{"id": p, "name": f"成员{p}", "town": "town", **(people or {}).get(p, {})}
                   for p in ids],
        "federations": [
            {"id": b, "name": f"{b}基地妇联", "kind": "base", "town": "town",
             "chair": ms[0], "vice_chairs": list(ms[1:])} for b, ms in bases.items()
        ] + [{"id": e, "name": f"{e}企业妇联", "kind": "enterprise", "town": "town",
              "parent": b, "chair": f"x{e[1:]}"} for e, b in enterprises.items()],
        "venues": [{"id": "hall", "name": "会议室", "town": "town", "capacity": 30}]
        + [{"id": f"wh-{b}", "name": f"{b}妇女之家", "town": "town", "capacity": 30,
            "kind": "womens_home", "meetings": False} for b in bases],
        "terms": terms,
        "weights": {**SOFT_OFF, **(weights or {})},
    }
    data.update(extra)
    return Instance.model_validate(data)


def solved(inst: Instance, **kw):
    res = solve(inst, time_limit=60, work=2, **kw)
    assert res.status == "OPTIMAL", (res.status, res.problems)
    assert check(inst, res.plan) == []
    assert score(inst, res.plan).total == res.objective
    return res


def visit_days(plan, enterprise: str) -> list[dt.date]:
    return sorted(v.start.date() for v in plan.term_visits if v.enterprise == enterprise)


def days_off(*ranges: tuple[str, str]) -> dict:
    return {"unavailable": [{"start": a, "end": b, "reason": "外出"} for a, b in ranges]}


def every_tuesday_2026() -> list[tuple[str, str]]:
    d = dt.date(2026, 1, 6)  # the first Tuesday of 2026
    out = []
    while d.year == 2026:
        out.append((d.isoformat(), d.isoformat()))
        d += dt.timedelta(days=7)
    return out


def with_visits(n: int, **over) -> list[dict]:
    return [{"base": "A", "regional_chair": "r", "visits_per_year": n, "visit_weekdays": [2],
             "visit_times": ["09:30"], "activity": None, **over}]


# -- term_visits ----------------------------------------------------------------------


def test_term_visits_each_enterprise_once_per_round():
    # Two visits a year: round 1 is periods 1-3, round 2 periods 4-6 (six periods cut
    # into two runs), so each enterprise's first visit is before July, its second after.
    res = solved(make(terms=with_visits(2)))
    for e in ("e1", "e2"):
        days = visit_days(res.plan, e)
        assert len(days) == 2
        assert days[0] < dt.date(2026, 7, 1) <= days[1]
        assert all(d.isoweekday() == 2 for d in days)  # Tuesdays only
    ids = {v.id for v in res.plan.term_visits}
    assert all(i.startswith("visit-A-2026-p") for i in ids) and len(ids) == 4


def test_term_visits_checker_flags_a_visit_on_a_wrong_weekday():
    inst = make(terms=with_visits(1))
    plan = solved(inst).plan
    v = plan.term_visits[0]
    moved = v.model_copy(update={"start": v.start + dt.timedelta(days=1),
                                 "end": v.end + dt.timedelta(days=1)})  # a Wednesday
    bad = plan.model_copy(update={"term_visits": (moved, *plan.term_visits[1:])})
    # (it may also land on a meeting that Wednesday: term_no_double_booking then too)
    assert any(x.rule == "term_visits" and "Wednesday" in x.message for x in check(inst, bad))
    missing = plan.model_copy(update={"term_visits": plan.term_visits[1:]})
    assert [x.rule for x in check(inst, missing)] == ["term_visits"]


# -- term_visit_attendance --------------------------------------------------------------


def test_term_visit_attendance_regional_chair_away_for_a_whole_period():
    # One visit per period, and the regional chair is away all of period 3 (May-June):
    # no day of period 3 is left for the visits.
    inst = make(terms=with_visits(6), people={"r": days_off(("2026-05-01", "2026-06-30"))})
    res = solve(inst, time_limit=60, work=2)
    assert res.status == "INFEASIBLE"
    assert any("regional chair" in p and "period 3" in p for p in res.problems), res.problems
    assert solve(inst, time_limit=60, work=2, run_prechecks=False).status == "INFEASIBLE"


def test_term_visit_attendance_regional_chair_back_mid_period():
    # Away 05-01..06-15: period 3's visits fall on Tuesdays from 06-16 on.
    inst = make(terms=with_visits(6), people={"r": days_off(("2026-05-01", "2026-06-15"))})
    res = solved(inst)
    p3 = [v.start.date() for v in res.plan.term_visits if v.period == 3]
    assert len(p3) == 2 and min(p3) >= dt.date(2026, 6, 16)


def test_term_visit_attendance_contact_away_on_every_allowed_day():
    # e1's contact (its chair x1) is away every Tuesday of the year, the only visit day.
    away = {"x1": days_off(*every_tuesday_2026())}
    res = solve(make(terms=with_visits(1), people=away), time_limit=60, work=2)
    assert res.status == "INFEASIBLE"
    assert any("x1" in p or "成员x1" in p for p in res.problems), res.problems
    # Allow Thursdays too: e1 is then visited on a Thursday, e2 on any allowed day.
    res = solved(make(terms=with_visits(1, visit_weekdays=[2, 4]), people=away))
    assert [d.isoweekday() for d in visit_days(res.plan, "e1")] == [4]


def test_term_visit_attendance_follows_the_period_chair():
    # a1 is pinned chair of period 1 and away on every Tuesday of January-February but
    # 01-06 (7 days, within max_unavailable_days = 14). Period 1's only visit (of e1)
    # needs the chair, so it is on 2026-01-06. a1 is away those days only as chair.
    tuesdays = ["01-13", "01-20", "01-27", "02-03", "02-10", "02-17", "02-24"]
    inst = make(enterprises={"e1": "A"}, terms=with_visits(6),
                people={"a1": days_off(*[(f"2026-{d}", f"2026-{d}") for d in tuesdays])},
                pins={"rotation": [{"base": "A", "period": 1, "chair": "a1"}]})
    res = solved(inst)
    assert visit_days(res.plan, "e1")[0] == dt.date(2026, 1, 6)
    v = next(v for v in res.plan.term_visits if v.period == 1)
    assert (v.chair, v.regional_chair, v.contact) == ("a1", "r", "x1")
    # The checker flags a visit whose named chair is not the period's chair.
    bad = res.plan.model_copy(update={"term_visits": tuple(
        x.model_copy(update={"chair": "a2"}) if x.id == v.id else x
        for x in res.plan.term_visits)})
    assert {x.rule for x in check(inst, bad)} == {"term_visit_attendance"}


# -- term_no_double_booking ---------------------------------------------------------------


def _shared(days: list[str]) -> Instance:
    """Bases A and B share the regional chair r, one enterprise each, a visit every
    period on Tuesdays 09:30; in period 1 r is free only on ``days``."""
    free = sorted(dt.date.fromisoformat(d) for d in days)
    away, start = [], dt.date(2026, 1, 1)
    for d in free + [dt.date(2026, 3, 1)]:
        if start < d:
            away.append((start.isoformat(), (d - dt.timedelta(days=1)).isoformat()))
        start = d + dt.timedelta(days=1)
    return make(bases={"A": ("a1", "a2"), "B": ("b1", "b2")},
                enterprises={"e1": "A", "e2": "B"},
                terms=with_visits(6) + with_visits(6, base="B"),
                people={"r": days_off(*away)})


def test_term_no_double_booking_two_bases_share_a_regional_chair():
    # r can be at one enterprise at 09:30: with 01-06 and 01-13 free, the two bases'
    # period-1 visits take one day each.
    res = solved(_shared(["2026-01-06", "2026-01-13"]))
    p1 = sorted(v.start.date() for v in res.plan.term_visits if v.period == 1)
    assert p1 == [dt.date(2026, 1, 6), dt.date(2026, 1, 13)]


def test_term_no_double_booking_two_bases_one_free_day_is_infeasible():
    inst = _shared(["2026-01-06"])
    assert solve(inst, time_limit=60, work=2, run_prechecks=False).status == "INFEASIBLE"
    # The checker flags the two visits put on one day.
    ok = solved(_shared(["2026-01-06", "2026-01-13"]))
    a, b = [v for v in ok.plan.term_visits if v.period == 1]
    same = b.model_copy(update={"start": a.start, "end": a.end})
    bad = ok.plan.model_copy(update={"term_visits": tuple(
        same if v.id == b.id else v for v in ok.plan.term_visits)})
    assert "term_no_double_booking" in {x.rule for x in check(_shared(["2026-01-06",
                                                                        "2026-01-13"]), bad)}


def test_term_no_double_booking_chair_hosts_a_meeting_that_morning():
    # The chair of period 1 (pinned a1) hosts the Q1 joint meeting 2026-01-06 09:00-11:00;
    # r is free only on 01-06; so the visit takes the other allowed time, 14:30.
    away = [("2026-01-01", "2026-01-05"), ("2026-01-07", "2026-02-28")]
    inst = make(enterprises={"e1": "A"},
                terms=with_visits(6, visit_times=["09:30", "14:30"]),
                people={"r": days_off(*away)},
                pins={"rotation": [{"base": "A", "period": 1, "chair": "a1"}],
                      "meetings": [{"base": "A", "quarter": 1, "date": "2026-01-06",
                                    "slot": 1, "venue": "hall"}]})
    res = solved(inst)
    v = next(v for v in res.plan.term_visits if v.period == 1)
    assert (v.start.date(), f"{v.start:%H:%M}") == (dt.date(2026, 1, 6), "14:30")


# -- signature_activity ---------------------------------------------------------------------


def activity_terms(**act) -> list[dict]:
    return with_visits(1, activity={"kind": "亲子阅读会", "venues": ["wh-A"], **act})


def test_signature_activity_one_per_period_at_its_venue():
    res = solved(make(terms=activity_terms()))
    sigs = res.plan.signature_activities
    assert [s.period for s in sigs] == [1, 2, 3, 4, 5, 6]
    assert {s.venue for s in sigs} == {"wh-A"}
    assert all(f"{s.start:%H:%M}-{s.end:%H:%M}" == "14:30-16:30" for s in sigs)
    bad = res.plan.model_copy(update={"signature_activities": sigs[1:]})
    assert {x.rule for x in check(make(terms=activity_terms()), bad)} == {"signature_activity"}


def test_signature_activity_not_at_a_meeting_in_its_venue():
    # The activity may only use the meeting hall, where the Q1 meeting is pinned on
    # 2026-01-05 14:30-16:30: period 1's activity is not then.
    inst = make(terms=activity_terms(venues=["hall"]),
                pins={"meetings": [{"base": "A", "quarter": 1, "date": "2026-01-05",
                                    "slot": 2, "venue": "hall"}]})
    res = solved(inst)
    s1 = res.plan.signature_activities[0]
    assert s1.start.date() != dt.date(2026, 1, 5)


def test_late_signature_activity_counts_weeks_after_a_closure():
    # wh-A is closed 03-01..03-21, so period 2's activity is at the earliest on Monday
    # 03-23: (03-23 - 03-01) // 7 = 3 weeks, as for any day up to 03-28. Every other
    # period has a free weekday in its first week (01-05, 05-06 after the May holiday,
    # 07-01, 09-01, 11-02): 0 weeks.
    inst = make(terms=activity_terms(), weights={"late_signature_activity": 1})
    data = inst.model_dump()
    data["venues"][1]["closures"] = [{"start": "2026-03-01", "end": "2026-03-21"}]
    inst = Instance.model_validate(data)
    res = solved(inst)
    assert res.objective == 3
    assert score(inst, res.plan).amounts["late_signature_activity"] == 3
    assert dt.date(2026, 3, 23) <= res.plan.signature_activities[1].start.date() \
        <= dt.date(2026, 3, 28)


# -- visit_spread and regional_chair_load -------------------------------------------------------


def test_visit_spread_three_visits_over_six_periods():
    # Three enterprises visited once: three periods get one visit, three none, so the
    # busiest minus the quietest period is 1 at best.
    inst = make(enterprises={"e1": "A", "e2": "A", "e3": "A"}, terms=with_visits(1),
                weights={"visit_spread": 3})
    res = solved(inst)
    assert res.objective == 3
    assert score(inst, res.plan).amounts["visit_spread"] == 1


def test_regional_chair_load_two_bases_fill_each_others_gaps():
    # r serves A (e1-e3) and B (e4-e6), each visited once: each base's spread is 1 at
    # best (2 in all, weight 1); r's six visits can take one period each (load 0), so
    # the optimum is 2 -- and it needs the two bases' visits in disjoint periods.
    ents = {"e1": "A", "e2": "A", "e3": "A", "e4": "B", "e5": "B", "e6": "B"}
    inst = make(bases={"A": ("a1", "a2"), "B": ("b1", "b2")}, enterprises=ents,
                terms=with_visits(1) + with_visits(1, base="B"),
                weights={"visit_spread": 1, "regional_chair_load": 3})
    res = solved(inst)
    assert res.objective == 2
    amounts = score(inst, res.plan).amounts
    assert (amounts["visit_spread"], amounts["regional_chair_load"]) == (2, 0)
    assert sorted(v.period for v in res.plan.term_visits) == [1, 2, 3, 4, 5, 6]


# -- without terms, and re-planning ---------------------------------------------------------


def test_term_visits_absent_plans_as_before():
    # tests/data/tiny.yaml has no `terms`: its objective is the one main had (72).
    from xinglian.models import load_instance
    inst = load_instance("tests/data/tiny.yaml")
    res = solve(inst, time_limit=60, work=2)
    assert (res.status, res.objective) == ("OPTIMAL", 72)
    assert res.plan.term_visits == () and res.plan.signature_activities == ()
    assert all(p.amount == 0 for p in res.plan.penalties
               if p.rule in ("visit_spread", "regional_chair_load", "late_signature_activity"))


def test_term_visit_attendance_replan_chair_on_leave_moves_her_visits_with_her():
    # Period 4's chair goes on leave for all of July-August: only her term changes (one
    # rotation change, weight 10, proven minimal); the visits and the activity of
    # period 4 stay where they were and are now attended by her replacement.
    inst = make(terms=activity_terms(), weights={"late_signature_activity": 1})
    v1 = solved(inst).plan
    old = next(t.chair for t in v1.rotation if t.period == 4)
    data = inst.model_dump()
    for p in data["people"]:
        if p["id"] == old:
            p["unavailable"] = [{"start": "2026-07-01", "end": "2026-08-31", "reason": "产假"}]
    inst2 = Instance.model_validate(data)
    res = solve(inst2, time_limit=60, work=2, previous=v1, today=dt.date(2026, 6, 15),
                previous_instance=inst)
    assert res.status in ("OPTIMAL", "FEASIBLE") and check(inst2, res.plan) == []
    assert res.change_status == "OPTIMAL" and res.change_cost == 10
    assert [k for k, _ in res.changed] == ["rotation"]
    new = next(t.chair for t in res.plan.rotation if t.period == 4)
    assert new != old
    before = {v.id: v for v in v1.term_visits + v1.signature_activities}
    for x in res.plan.term_visits + res.plan.signature_activities:
        assert (x.start, x.end) == (before[x.id].start, before[x.id].end)
        assert x.chair == (new if x.period == 4 else before[x.id].chair)


def test_term_visit_attendance_replan_calendars_update_in_place(tmp_path):
    # The same leave through `xinglian plan` and `xinglian replan`: the old chair's
    # calendar cancels her period-4 visit and activity, the new chair's carries them
    # (same UIDs), the regional chair's keeps them with SEQUENCE + 1 (the chair named
    # in the description changed), and nothing else of the regional chair's changes.
    import icalendar
    import yaml
    from click.testing import CliRunner

    from xinglian.cli import main
    from xinglian.models import load_plan

    def run(*args):
        res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        return res

    def events(path):
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        return {str(e["UID"]): e for e in cal.walk("VEVENT")}

    inst = make(terms=activity_terms(), weights={"late_signature_activity": 1})
    src = tmp_path / "term.yaml"
    src.write_text(yaml.safe_dump(inst.model_dump(mode="json"), allow_unicode=True),
                   encoding="utf-8")
    run("plan", src, "--out", tmp_path / "v1", "-q", "--time-limit", "20")
    v1 = load_plan(tmp_path / "v1")
    old = next(t.chair for t in v1.rotation if t.period == 4)
    changes = tmp_path / "changes.yaml"
    changes.write_text(yaml.safe_dump({"changes": [
        {"kind": "unavailable", "person": old, "start": "2026-07-01", "end": "2026-08-31",
         "reason": "产假"}]}, allow_unicode=True), encoding="utf-8")
    run("replan", tmp_path / "v1", "--changes", changes, "--today", "2026-06-15",
        "--out", tmp_path / "v2", "-q", "--time-limit", "20")
    v2 = load_plan(tmp_path / "v2")
    new = next(t.chair for t in v2.rotation if t.period == 4)
    assert new != old and v2.derived_from.change_status == "OPTIMAL"
    uids = {"term-visit-A-2026-p4-" + v.enterprise + "@xinglian"
            for v in v2.term_visits if v.period == 4} | {"signature-A-2026-p4@xinglian"}
    cal = tmp_path / "v2" / "calendars"
    mine = events(cal / f"person-{old}.ics")
    assert all(str(mine[u]["STATUS"]) == "CANCELLED" for u in uids)
    theirs = events(cal / f"person-{new}.ics")
    assert all(str(theirs[u].get("STATUS", "CONFIRMED")) == "CONFIRMED" for u in uids)
    before = events(tmp_path / "v1" / "calendars" / "person-r.ics")
    after = events(cal / "person-r.ics")
    assert set(before) == set(after)
    for uid, ev in after.items():
        bumped = int(ev["SEQUENCE"]) - int(before[uid]["SEQUENCE"])
        assert bumped == (1 if uid in uids else 0), uid
        assert ev["DTSTART"].dt == before[uid]["DTSTART"].dt
    # changes.md names the activity handed over, at the same time.
    assert "A基地妇联 特色活动（第4期）" in (tmp_path / "v2" / "changes.md").read_text("utf-8")
