"""One small instance per rule: what it forbids and what it permits.

Instances are built from dicts in plan year 2026 (covered by chinesecalendar). Every
solved plan goes through the independent checker, and the checker's recomputed score
must equal the solver's objective.
"""

from __future__ import annotations

import datetime as dt

import pytest

from xinglian.checker import check, score
from xinglian.models import Instance
from xinglian.solver import solve

ALL_SOFT_OFF = {
    "back_to_back": 0, "short_gap": 0, "uneven_terms": 0, "undesired_period": 0,
    "not_preferred_period": 0, "missed_attendance": 0, "meeting_outside_town": 0,
    "late_meeting": 0,
}


def make(
    *,
    members: tuple[str, ...] = ("a", "b", "c"),
    bases: dict[str, tuple[str, ...]] | None = None,
    people: dict[str, dict] | None = None,
    weights: dict[str, int] | None = None,
    venues: list[dict] | None = None,
    **extra,
) -> Instance:
    """A small instance: bases -> presidium members; everything else by keyword."""
    bases = bases or {"base": members}
    ids = sorted({p for ms in bases.values() for p in ms} | set(people or {}))
    data = {
        "id": "t",
        "year": 2026,
        "calendar": {"source": "chinesecalendar"},
        "rotation": {"max_terms_per_person": 6},
        "towns": [{"id": "town", "name": "霞美镇"}, {"id": "far", "name": "金淘镇"}],
        "people": [{"id": p, "name": f"成员{p}", "town": "town", **(people or {}).get(p, {})}
                   for p in ids],
        "federations": [
            {"id": b, "name": f"{b}基地妇联", "kind": "base", "town": "town",
             "chair": ms[0], "vice_chairs": list(ms[1:])}
            for b, ms in bases.items()
        ],
        "venues": venues or [{"id": "hall", "name": "妇女之家", "town": "town", "capacity": 30}],
        "weights": {**ALL_SOFT_OFF, **(weights or {})},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Instance.model_validate(data)


def run(inst: Instance, *, prechecks: bool = False):
    """Solve (pre-checks off by default so the CP-SAT rules themselves are exercised),
    then hold the plan to the checker."""
    res = solve(inst, time_limit=20, seed=0, workers=1, run_prechecks=prechecks)
    if res.plan is not None:
        assert check(inst, res.plan) == []
        assert score(inst, res.plan).total == res.objective
    return res


def chairs(res, base: str = "base") -> list[str]:
    return [t.chair for t in sorted(res.plan.rotation, key=lambda t: t.period) if t.base == base]


def away(start: str, end: str, reason: str = "产假") -> dict:
    return {"unavailable": [{"start": start, "end": end, "reason": reason}]}


# -- hard rules: rotation --------------------------------------------------------------


def test_one_chair_per_period_gives_every_period_a_presidium_member():
    res = run(make())
    assert res.status == "OPTIMAL"
    assert len(chairs(res)) == 6 and set(chairs(res)) <= {"a", "b", "c"}


def test_chair_available_forbids_a_period_she_is_away_longer_than_allowed():
    # a is away 15 days of period 1 (Jan-Feb), one more than the default limit of 14.
    inst = make(people={"a": away("2026-01-01", "2026-01-15")},
                pins={"rotation": [{"base": "base", "period": 1, "chair": "a"}]})
    assert run(inst).status == "INFEASIBLE"


def test_chair_available_permits_an_absence_within_the_limit():
    # 14 days away is exactly the limit: she may still chair, so the pin is satisfiable.
    inst = make(people={"a": away("2026-01-01", "2026-01-14")},
                pins={"rotation": [{"base": "base", "period": 1, "chair": "a"}]})
    res = run(inst)
    assert res.status == "OPTIMAL" and chairs(res)[0] == "a"


def test_one_presidium_at_a_time_forbids_chairing_two_bases_in_one_period():
    inst = make(bases={"b1": ("s", "x"), "b2": ("s", "y")},
                pins={"rotation": [{"base": "b1", "period": 1, "chair": "s"},
                                   {"base": "b2", "period": 1, "chair": "s"}]})
    assert run(inst).status == "INFEASIBLE"


def test_one_presidium_at_a_time_permits_both_bases_in_different_periods():
    inst = make(bases={"b1": ("s", "x"), "b2": ("s", "y")},
                pins={"rotation": [{"base": "b1", "period": 1, "chair": "s"},
                                   {"base": "b2", "period": 2, "chair": "s"}]})
    res = run(inst)
    assert res.status == "OPTIMAL"
    assert chairs(res, "b1")[0] == "s" and chairs(res, "b2")[1] == "s"


def test_max_terms_forbids_a_third_term():
    # Three members, six periods, at most two terms each: every member chairs exactly twice,
    # so pinning three terms on `a` is impossible.
    pins = [{"base": "base", "period": t, "chair": "a"} for t in (1, 3, 5)]
    inst = make(rotation={"max_terms_per_person": 2}, pins={"rotation": pins})
    assert run(inst).status == "INFEASIBLE"


def test_max_terms_permits_exactly_the_cap():
    res = run(make(rotation={"max_terms_per_person": 2}))
    assert res.status == "OPTIMAL"
    assert sorted(chairs(res).count(p) for p in "abc") == [2, 2, 2]


def test_pinned_term_holds():
    inst = make(pins={"rotation": [{"base": "base", "period": 4, "chair": "c"}]})
    assert chairs(run(inst))[3] == "c"


# -- soft rules: rotation -------------------------------------------------------------


def test_back_to_back_is_avoided_when_possible():
    res = run(make(members=("a", "b"), weights={"back_to_back": 100}))
    ch = chairs(res)
    assert res.objective == 0
    assert all(x != y for x, y in zip(ch, ch[1:], strict=False))


def test_back_to_back_is_counted_when_forced():
    # a is away for all of periods 2 and 3 (March-June), so b chairs both: exactly one
    # back-to-back pair (periods 2-3); everything else alternates. Objective = 100 * 1.
    inst = make(members=("a", "b"), weights={"back_to_back": 100},
                people={"a": away("2026-03-01", "2026-06-30")})
    res = run(inst)
    assert res.objective == 100
    assert chairs(res)[1:3] == ["b", "b"]
    # The summary's worst case says why: the other member is away (产假).
    worst = next(p.worst for p in res.plan.penalties if p.rule == "back_to_back")
    assert worst == ("成员b 连任 base基地妇联 第2、3期，因为 成员a（产假） 第3期不在",)


def test_back_to_back_counts_last_years_final_period():
    # b chaired the last period of 2025, so b chairing period 1 of 2026 would cost 100.
    inst = make(members=("a", "b"), weights={"back_to_back": 100},
                history={"rotation": [{"base": "base", "year": 2025, "period": 6, "chair": "b"}]})
    res = run(inst)
    assert res.objective == 0 and chairs(res)[0] == "a"


def test_short_gap_carries_the_order_over_from_history():
    # n = 3. History 2025: a (p4), b (p5), c (p6). Continuing round-robin gives
    # a, b, c, a, b, c with every gap exactly 3 -> amount 0; any other order costs more.
    hist = [{"base": "base", "year": 2025, "period": t, "chair": p}
            for t, p in ((4, "a"), (5, "b"), (6, "c"))]
    res = run(make(weights={"short_gap": 10}, history={"rotation": hist}))
    assert res.objective == 0
    assert chairs(res) == ["a", "b", "c", "a", "b", "c"]


def test_uneven_terms_spreads_six_periods_over_four_members():
    # 6 periods over 4 members: the best split is 2, 2, 1, 1 -> spread 1 -> objective 20.
    res = run(make(members=("a", "b", "c", "d"), weights={"uneven_terms": 20}))
    assert res.objective == 20
    assert sorted(chairs(res).count(p) for p in "abcd") == [1, 1, 2, 2]


def test_undesired_period_is_respected():
    inst = make(weights={"undesired_period": 30}, people={"a": {"undesired_periods": [1, 2, 3]}},
                rotation={"max_terms_per_person": 2})
    res = run(inst)
    assert res.objective == 0 and "a" not in chairs(res)[:3]


def test_preferred_period_is_honoured():
    inst = make(weights={"not_preferred_period": 5}, people={"c": {"preferred_periods": [6]}},
                rotation={"max_terms_per_person": 2})
    res = run(inst)
    # c must chair twice (3 members x 2 terms = 6 periods) but prefers only period 6:
    # one term is outside her preference -> objective 5.
    assert res.objective == 5 and chairs(res)[5] == "c"


# -- meetings -------------------------------------------------------------------------


def test_meeting_on_workday_permits_a_make_up_saturday_and_forbids_the_holiday():
    # Q1 window = days 45..47 of the quarter = 2026-02-14 (Saturday, make-up working day),
    # 02-15 and 02-16 (Spring Festival holidays): only the Saturday is possible. (Other
    # quarters' windows, e.g. Q4 = 2026-11-14..16, contain an ordinary working day.)
    res = run(make(meetings={"earliest_day": 45, "latest_day": 47}))
    q1 = next(m for m in res.plan.meetings if m.quarter == 1)
    assert q1.start.date() == dt.date(2026, 2, 14)


def test_meeting_on_workday_forbids_a_window_of_holidays_only():
    # Q4 days 1..7 = 2026-10-01..07, all National Day holidays -> the first quarter's
    # window (same days of quarter) may be fine, but Q4 has no working day.
    inst = make(meetings={"earliest_day": 1, "latest_day": 7})
    assert run(inst).status == "INFEASIBLE"
    assert any("quarter 4" in p for p in run(inst, prechecks=True).problems)


def test_meeting_venue_avoids_a_closed_venue():
    venues = [
        {"id": "hall", "name": "妇女之家", "town": "town", "capacity": 30,
         "closures": [{"start": "2026-01-01", "end": "2026-03-31", "reason": "装修"}]},
        {"id": "room", "name": "镇政府会议室", "town": "far", "capacity": 30},
    ]
    res = run(make(venues=venues, weights={"meeting_outside_town": 5}))
    by_q = {m.quarter: m.venue for m in res.plan.meetings}
    # Closed in Q1 -> the out-of-town room, cost 5; the home venue afterwards.
    assert by_q == {1: "room", 2: "hall", 3: "hall", 4: "hall"}
    assert res.objective == 5


def test_meeting_venue_never_uses_a_room_too_small():
    venues = [{"id": "tiny", "name": "小会议室", "town": "town", "capacity": 2},
              {"id": "hall", "name": "大会议室", "town": "far", "capacity": 10}]
    res = run(make(venues=venues))
    assert {m.venue for m in res.plan.meetings} == {"hall"}


def test_meeting_host_is_the_rotating_chair_and_available():
    # a chairs period 1 (pinned) but is away 2026-01-01..01-10 (10 days, allowed as chair);
    # a Q1 meeting in January must therefore fall after 01-10, or in period 2 (March).
    inst = make(people={"a": away("2026-01-01", "2026-01-10", "出国参展")},
                pins={"rotation": [{"base": "base", "period": 1, "chair": "a"}]},
                meetings={"latest_day": 14})
    res = run(inst)
    q1 = next(m for m in res.plan.meetings if m.quarter == 1)
    assert q1.host == "a" and q1.start.date() > dt.date(2026, 1, 10)


def test_missed_attendance_moves_the_meeting_to_a_day_everyone_can_come():
    inst = make(people={"c": away("2026-01-01", "2026-01-31", "培训")},
                weights={"missed_attendance": 20, "late_meeting": 1})
    res = run(inst)
    q1 = next(m for m in res.plan.meetings if m.quarter == 1)
    # Waiting until February costs 4 weeks (4) < one absence (20).
    assert q1.start.date() >= dt.date(2026, 2, 1) and q1.absent == ()
    assert "c" in q1.attendees


def test_no_double_booking_person_forbids_the_shared_member_in_two_meetings_at_once():
    # One working day per quarter (day 8: 2026-01-08, 04-08, 07-08, 10-08 are all working
    # days) and one slot: bases sharing `s` cannot both meet. The same window with two
    # slots is feasible (next test), so only this rule makes it infeasible.
    one_day = {"earliest_day": 8, "latest_day": 8,
               "slots": [{"start": "09:00", "end": "11:00"}]}
    inst = make(bases={"b1": ("s", "x"), "b2": ("s", "y")}, meetings=one_day)
    assert run(inst).status == "INFEASIBLE"


def test_no_double_booking_person_permits_two_slots_on_one_day():
    one_day = {"earliest_day": 8, "latest_day": 8}  # default two slots
    inst = make(bases={"b1": ("s", "x"), "b2": ("s", "y")}, meetings=one_day)
    res = run(inst)
    q1 = sorted((m for m in res.plan.meetings if m.quarter == 1), key=lambda m: m.start)
    assert q1[0].start.date() == q1[1].start.date() and q1[0].end <= q1[1].start


def test_no_double_booking_venue_forbids_one_room_twice_at_once():
    one_day = {"earliest_day": 8, "latest_day": 8,
               "slots": [{"start": "09:00", "end": "11:00"}]}
    inst = make(bases={"b1": ("p", "x"), "b2": ("q", "y")}, meetings=one_day)
    assert run(inst).status == "INFEASIBLE"
    # Two rooms, or two slots, make it possible again.
    two_rooms = [{"id": "hall", "name": "妇女之家", "town": "town", "capacity": 30},
                 {"id": "room", "name": "会议室", "town": "town", "capacity": 30}]
    inst = make(bases={"b1": ("p", "x"), "b2": ("q", "y")}, meetings=one_day, venues=two_rooms)
    assert run(inst).status == "OPTIMAL"


def test_pinned_meeting_holds():
    inst = make(venues=[{"id": "hall", "name": "妇女之家", "town": "town", "capacity": 30},
                        {"id": "room", "name": "会议室", "town": "town", "capacity": 30}],
                pins={"meetings": [{"base": "base", "quarter": 3, "date": "2026-08-18",
                                    "venue": "room", "slot": 2}]})
    res = run(inst)
    q3 = next(m for m in res.plan.meetings if m.quarter == 3)
    assert (q3.start.isoformat(), q3.venue) == ("2026-08-18T14:30:00+08:00", "room")


@pytest.mark.parametrize("workers", [1, 2])
def test_same_seed_and_workers_give_the_same_plan(workers):
    inst = make(bases={"b1": ("s", "x", "z"), "b2": ("s", "y")},
                weights={"back_to_back": 100, "short_gap": 10, "late_meeting": 1})
    plans = [solve(inst, time_limit=10, seed=3, workers=workers).plan for _ in range(2)]
    dumps = [p.model_dump(exclude={"generated_at", "solve"}) for p in plans]
    assert dumps[0] == dumps[1]


# -- soft rules, one each -----------------------------------------------------------------


def test_not_preferred_period_counts_each_term_outside_her_preference():
    # Three members, two terms each (at most 2, six periods). a prefers only period 1 and
    # b only period 2: each holds one term outside her preference at best, c has none ->
    # amount 2, cost 2 x 5.
    inst = make(weights={"not_preferred_period": 5},
                people={"a": {"preferred_periods": [1]}, "b": {"preferred_periods": [2]}},
                rotation={"max_terms_per_person": 2})
    res = run(inst)
    assert res.objective == 10 and chairs(res)[:2] == ["a", "b"]
    assert score(inst, res.plan).amounts["not_preferred_period"] == 2


def test_meeting_outside_town_costs_each_meeting_at_a_venue_in_another_town():
    # The base is in `town`; its only venue is in `far`: all four meetings are outside,
    # amount 4, cost 4 x 5. A hall in its own town brings the cost to 0.
    room = {"id": "room", "name": "镇政府会议室", "town": "far", "capacity": 30}
    inst = make(venues=[room], weights={"meeting_outside_town": 5})
    res = run(inst)
    assert res.objective == 20 and score(inst, res.plan).amounts["meeting_outside_town"] == 4
    hall = {"id": "hall", "name": "妇女之家", "town": "town", "capacity": 30}
    res = run(make(venues=[room, hall], weights={"meeting_outside_town": 5}))
    assert res.objective == 0 and {m.venue for m in res.plan.meetings} == {"hall"}
