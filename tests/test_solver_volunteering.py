"""Volunteers on activities and caring mothers: one small instance per rule.

Plan year 2026 (chinesecalendar). Every plan goes through the independent checker and
its score must equal the solver's objective.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinglian.checker import check, score
from xinglian.checker.hosting import offered_slots
from xinglian.models import Instance, Timeline, load_instance
from xinglian.models.hosting import expand_slots
from xinglian.solver import solve

D = dt.date
OFF = {k: 0 for k in (
    "back_to_back", "short_gap", "uneven_terms", "undesired_period", "not_preferred_period",
    "missed_attendance", "meeting_outside_town", "late_meeting", "hosting_share",
    "hosting_carry_over", "hosting_spread", "hosting_outside_town", "theme_off_date",
    "empty_slot", "unfilled_role", "volunteer_overload", "disliked_kind", "travel_time",
    "series_change", "no_lead", "care_new_mother", "care_outside_town", "festival_off_date")}
SAT = "2026-03-07"  # a Saturday, an ordinary day
FULL = Path(__file__).parent.parent / "instances" / "nanan-2027-full.yaml"
FESTIVALS = [{"name": "六一儿童节", "date": "2026-06-01", "window_days": 3},
             {"name": "中秋节", "date": "2026-09-25", "window_days": 3},
             {"name": "重阳节", "date": "2026-10-18", "window_days": 3}]


def vol(pid: str, town: str = "t", **profile) -> dict:
    extra = {k: profile.pop(k) for k in ("unavailable",) if k in profile}
    return {"id": pid, "name": f"志愿者{pid}", "town": town, "volunteer": profile, **extra}


def act(aid: str, date: str = SAT, start: str = "09:00", end: str = "11:00", town: str = "t",
        roles=({"role": "服务", "min": 1, "max": 1},), **kw) -> dict:
    return {"id": aid, "kind": kw.pop("kind", "volunteer_service"), "title": f"活动{aid}",
            "date": date, "start": start, "end": end, "town": town, "roles": list(roles), **kw}


def make(people: list[dict], activities: list[dict] = (), weights: dict | None = None,
         children: list[dict] = (), travel: int = 40, **top) -> Instance:
    data = {
        "id": "v", "year": 2026, "calendar": {"source": "chinesecalendar"},
        "rotation": {"max_terms_per_person": 6},
        "towns": [{"id": "t", "name": "霞美镇"}, {"id": "u", "name": "官桥镇"},
                  {"id": "far", "name": "金淘镇"}],
        "travel": [{"a": "t", "b": "u", "minutes": travel}, {"a": "t", "b": "far", "minutes": 70},
                   {"a": "u", "b": "far", "minutes": 70}],
        "people": [{"id": "a", "name": "主席甲", "town": "t"},
                   {"id": "b", "name": "主席乙", "town": "t"}, *people],
        "federations": [{"id": "base", "name": "基地妇联", "kind": "base", "town": "t",
                         "chair": "a", "vice_chairs": ["b"]}],
        "venues": [{"id": "hall", "name": "会议室", "town": "t", "capacity": 30}],
        "activities": list(activities),
        "children": list(children),
        "care": {"festivals": FESTIVALS, **top.pop("care", {})},
        "weights": {**OFF, **(weights or {})},
        **top,
    }
    return Instance.model_validate(data)


def run(inst: Instance, **kw):
    res = solve(inst, time_limit=30, seed=0, workers=1, **kw)
    if res.plan is not None:
        assert check(inst, res.plan) == []
        assert score(inst, res.plan).total == res.objective
    return res


def who(res, activity: str) -> set[str]:
    return {v.person for v in res.plan.volunteering if v.activity == activity}


# -- volunteer_eligible -------------------------------------------------------------------


def test_a_role_needing_a_skill_goes_to_the_skilled_volunteer():
    inst = make([vol("v1"), vol("v2", skills=["first_aid"])],
                [act("a1", roles=[{"role": "急救", "skill": "first_aid", "min": 1}])],
                weights={"unfilled_role": 100})
    assert who(run(inst), "a1") == {"v2"}


def test_nobody_with_the_skill_is_reported_in_unfilled_with_the_reason():
    inst = make([vol("v1")], [act("a1", roles=[{"role": "法律咨询", "skill": "legal", "min": 2}])],
                weights={"unfilled_role": 100})
    res = run(inst)
    assert res.objective == 200 and who(res, "a1") == set()
    (u,) = res.plan.unfilled
    assert "act" in u.what and u.missing == "2 x 法律咨询 (legal)" and "only 0 eligible" in u.why


def test_weekly_pattern_keeps_a_weekend_volunteer_off_a_weekday():
    weekend = [{"days": ["sat", "sun"], "start": "08:00", "end": "18:00"}]
    inst = make([vol("v1", weekly=weekend), vol("v2")],
                [act("a1", date="2026-03-11")], weights={"unfilled_role": 100})  # Wednesday
    assert who(run(inst), "a1") == {"v2"}


def test_unavailable_day_and_distance_keep_a_volunteer_away():
    away = [{"start": SAT, "end": SAT, "reason": "考试"}]
    inst = make([vol("v1", unavailable=away), vol("v2", town="far"), vol("v3", town="u")],
                [act("a1")], weights={"unfilled_role": 100})
    assert who(run(inst), "a1") == {"v3"}  # v1 away that day, v2 70 min > 60 away


# -- role_headcount, volunteer_monthly_load -----------------------------------------------------


def test_headcount_never_exceeds_the_maximum_and_the_shortfall_is_costed():
    inst = make([vol(f"v{i}") for i in range(5)],
                [act("a1", roles=[{"role": "服务", "min": 2, "max": 3}])],
                weights={"unfilled_role": 100, "volunteer_overload": 0})
    res = run(inst)
    assert 2 <= len(who(res, "a1")) <= 3 and res.objective == 0


def test_monthly_limit_spreads_two_activities_over_two_people():
    inst = make([vol("v1", max_activities_per_month=1), vol("v2", max_activities_per_month=1)],
                [act("a1"), act("a2", date="2026-03-14")], weights={"unfilled_role": 100})
    res = run(inst)
    assert len(who(res, "a1") | who(res, "a2")) == 2 and res.objective == 0


def test_monthly_hours_limit():
    inst = make([vol("v1", max_hours_per_month=3)],
                [act("a1"), act("a2", date="2026-03-14")], weights={"unfilled_role": 100})
    res = run(inst)
    assert res.objective == 100  # 2 h + 2 h > 3 h: one of them stays unfilled


# -- no_double_booking_person with travel ---------------------------------------------------


def test_travel_time_between_towns_separates_two_activities_of_one_day():
    two = [act("a1", start="09:00", end="11:00", town="t"),
           act("a2", start="11:30", end="13:00", town="u")]
    lone = make([vol("v1")], two, weights={"unfilled_role": 100}, travel=40)
    assert run(lone).objective == 100  # 11:00 + 40 min > 11:30: only one of them
    near = make([vol("v1")], two, weights={"unfilled_role": 100}, travel=20)
    res = run(near)
    assert res.objective == 0 and who(res, "a1") == who(res, "a2") == {"v1"}


# -- soft rules -------------------------------------------------------------------------------


def test_series_keeps_the_same_people():
    series = [act(f"s{i}", date=d, series="class") for i, d in
              enumerate(["2026-03-07", "2026-03-14", "2026-03-21"])]
    inst = make([vol("v1"), vol("v2"), vol("v3")], series,
                weights={"unfilled_role": 100, "series_change": 3})
    res = run(inst)
    assert len({v.person for v in res.plan.volunteering}) == 1 and res.objective == 0


def test_a_series_whose_sessions_no_one_can_share_is_still_one_term():
    # Nobody can reach both sessions, so no volunteer links them; series_change still
    # counts the two crews as one series (amount 1) and the plan must say so.
    series = [act("s1", series="class"), act("s2", date="2026-03-14", town="far",
                                             series="class")]
    inst = make([vol("v1"), vol("v2", town="far")], series,
                weights={"unfilled_role": 100, "series_change": 3},
                volunteering={"max_travel_minutes": 60})
    res = run(inst)  # checker clean, score == objective
    assert res.objective == 3
    assert len([p for p in res.plan.solve.parts if p.name.startswith("volunteering")]) == 1


def test_lead_required_gets_an_experienced_volunteer():
    inst = make([vol("v1"), vol("v2", experienced=True)], [act("a1", lead_required=True)],
                weights={"unfilled_role": 100, "no_lead": 30})
    assert who(run(inst), "a1") == {"v2"}


def test_disliked_kinds_and_travel_are_avoided():
    inst = make([vol("v1", dislikes=["civilised_city"]), vol("v2", town="u"), vol("v3")],
                [act("a1", kind="civilised_city")],
                weights={"unfilled_role": 100, "disliked_kind": 10, "travel_time": 1})
    res = run(inst)
    assert who(res, "a1") == {"v3"} and res.objective == 0


def test_overload_spreads_the_work():
    acts = [act(f"a{i}", date=d) for i, d in enumerate(["2026-03-07", "2026-04-11",
                                                        "2026-05-09", "2026-06-13"])]
    inst = make([vol("v1"), vol("v2")], acts,
                weights={"unfilled_role": 100, "volunteer_overload": 5})
    res = run(inst)
    loads = sorted(sum(1 for v in res.plan.volunteering if v.person == p) for p in ("v1", "v2"))
    assert loads == [2, 2] and res.objective == 0


# -- caring mothers -----------------------------------------------------------------------------


def mother(pid: str, town: str = "t", **kw) -> dict:
    return {"id": pid, "name": f"爱心妈妈{pid}", "town": town, "caring_mother": True, **kw}


def child(code: str, town: str = "t") -> dict:
    return {"code": code, "name": f"儿童姓名{code}", "address": f"某村{code}号", "town": town,
            "age": 9}


def test_each_child_is_paired_and_visited_on_the_rhythm():
    inst = make([mother("m1"), mother("m2")], children=[child("c1"), child("c2"), child("c3")],
                care={"max_children_per_mother": 2})
    res = run(inst)
    pairs = {p.child: p.mother for p in res.plan.care.pairs}
    assert set(pairs) == {"c1", "c2", "c3"}
    assert max(list(pairs.values()).count(m) for m in ("m1", "m2")) <= 2
    for code in pairs:
        mine = [v for v in res.plan.care.visits if v.child == code]
        assert sorted(v.kind for v in mine) == ["festival"] * 2 + ["meet"] * 4 + ["talk"] * 4
        assert all(v.start.weekday() >= 5 for v in mine if v.kind != "festival")


def test_last_years_mother_is_kept_unless_impossible():
    hist = [{"mother": "m2", "child": "c1", "year": 2025}]
    inst = make([mother("m1"), mother("m2")], children=[child("c1")],
                history={"care": hist}, weights={"care_new_mother": 50})
    res = run(inst)
    assert res.plan.care.pairs[0].mother == "m2" and res.objective == 0


def test_a_mother_too_far_away_is_never_paired():
    # far is 70 min from the child's town (> 30); u is 20 min away.
    inst = make([mother("m1", town="far"), mother("m2", town="u")], children=[child("c1")],
                travel=20)
    assert run(inst).plan.care.pairs[0].mother == "m2"
    # With u 40 min away too, nobody may take the child: a reason, not a crash.
    res = run(make([mother("m1", town="far"), mother("m2", town="u")],
                   children=[child("c1")], travel=40))
    assert res.status == "INFEASIBLE" and any("c1" in p for p in res.problems)


def test_festival_visits_fall_in_their_windows_and_near_the_date():
    inst = make([mother("m1")], children=[child("c1")], weights={"festival_off_date": 2})
    res = run(inst)
    fest = sorted(v.start.date() for v in res.plan.care.visits if v.kind == "festival")
    assert len(fest) == 2 and res.objective == 0
    assert set(fest) <= {D(2026, 6, 1), D(2026, 9, 25), D(2026, 10, 18)}


def test_a_mothers_visits_avoid_her_absences():
    away = [{"start": "2026-01-01", "end": "2026-02-28", "reason": "外出"}]
    inst = make([mother("m1", unavailable=away)], children=[child("c1")])
    res = run(inst)
    q1 = [v for v in res.plan.care.visits if v.start.month <= 3 and v.kind != "festival"]
    assert q1 and all(v.start.month == 3 for v in q1)


def test_parts_solved_apart_match_one_model():
    inst = make([vol("v1"), vol("v2", town="u"), mother("m1")],
                [act("a1"), act("a2", town="u", date="2026-05-16")],
                children=[child("c1")],
                weights={"unfilled_role": 100, "travel_time": 1, "back_to_back": 100,
                         "festival_off_date": 2})
    apart = run(inst)
    together = solve(inst, time_limit=30, workers=1, decompose_parts=False)
    assert apart.objective == together.objective and apart.status == together.status


# -- property: any small instance gives a checked plan or a reported infeasibility -------


@st.composite
def small_instances(draw):
    n_vol = draw(st.integers(0, 4))
    n_act = draw(st.integers(0, 4))
    skills = ["first_aid", "tutoring"]
    people = [vol(f"v{i}", town=draw(st.sampled_from(["t", "u", "far"])),
                  skills=draw(st.lists(st.sampled_from(skills), max_size=2, unique=True)),
                  max_activities_per_month=draw(st.integers(0, 3)))
              for i in range(n_vol)]
    acts = []
    for i in range(n_act):
        day = D(2026, 3, 7) + dt.timedelta(days=7 * draw(st.integers(0, 3)))
        start = draw(st.sampled_from(["09:00", "10:00", "14:00"]))
        acts.append(act(f"a{i}", date=day.isoformat(), start=start,
                        end=f"{int(start[:2]) + 2:02d}:00",
                        town=draw(st.sampled_from(["t", "u"])),
                        roles=[{"role": "r", "skill": draw(st.sampled_from([None, *skills])),
                                "min": draw(st.integers(0, 2)), "max": 2}]))
    n_mothers = draw(st.integers(0, 2))
    people += [mother(f"m{i}") for i in range(n_mothers)]
    children = [child(f"c{i}") for i in range(draw(st.integers(0, 3)) if n_mothers else 0)]
    return make(people, acts, children=children,
                weights={"unfilled_role": 100, "travel_time": 1, "volunteer_overload": 5})


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(small_instances())
def test_random_small_instances_give_a_checked_plan_or_a_reason(inst):
    res = solve(inst, time_limit=20, seed=0, workers=1)
    if res.plan is not None:
        assert check(inst, res.plan) == []
        assert score(inst, res.plan).total == res.objective
    else:
        assert res.status == "INFEASIBLE" and res.problems


def test_replan_after_activity_changes_keeps_the_past_and_changes_little():
    from xinglian.models.changes import ChangeSet, apply_changes

    inst = make([vol("v1"), vol("v2"), vol("v3"), mother("m1")],
                [act("a1", date="2026-03-07"), act("a2", date="2026-05-16"),
                 act("a3", date="2026-06-13")], children=[child("c1")],
                weights={"unfilled_role": 100, "volunteer_overload": 5})
    first = run(inst)
    today = D(2026, 4, 1)
    changes = ChangeSet.model_validate({"changes": [
        {"kind": "activity_cancelled", "activity": "a3"},
        {"kind": "headcount", "activity": "a2", "role": "服务", "min": 2, "max": 2},
    ]})
    new = apply_changes(inst, changes, today)
    res = solve(new, time_limit=30, workers=1, previous=first.plan, today=today)
    assert res.change_status == "OPTIMAL"
    before = {(v.activity, v.person) for v in first.plan.volunteering if v.activity == "a1"}
    assert {(v.activity, v.person) for v in res.plan.volunteering if v.activity == "a1"} == before
    assert len(who(res, "a2")) == 2 and who(res, "a3") == set()
    # One more person on a2 (a3 is gone from the instance, so its assignment is gone too).
    assert res.change_cost == 2
    past = [v for v in first.plan.care.visits if v.start.date() < today]
    assert [v for v in res.plan.care.visits if v.start.date() < today] == past


# -- an activity held at a venue occupies it (no_double_booking_venue, hosting_slot) ------


def _q1_days(inst) -> list[dt.date]:
    tl = Timeline(inst)
    lo, hi = tl.meeting_window(inst.meetings, 1)
    return [d for d in tl.days(lo, hi) if tl.calendar.is_workday(d)]


def test_a_meeting_avoids_the_times_its_only_venue_holds_an_activity():
    rules = {"slots": [{"start": "09:00", "end": "11:00"}], "earliest_day": 1, "latest_day": 20}
    probe = make([], meetings=rules)
    days = _q1_days(probe)
    free = days[-1]  # the one working day of the window the hall is not taken
    held = [act(f"x{i}", date=str(d), start="08:30", end="10:00", town=None, venue="hall")
            for i, d in enumerate(days[:-1])]
    inst = make([], held, meetings=rules, weights={"late_meeting": 1})  # early is better
    res = run(inst)  # run() asserts the checker finds nothing
    (q1,) = [m for m in res.plan.meetings if m.quarter == 1]
    assert q1.start.date() == free
    # The checker sees the clash on its own: move the meeting onto a taken day.
    taken = days[0]
    moved = q1.model_copy(update={"start": q1.start.replace(day=taken.day, month=taken.month),
                                  "end": q1.end.replace(day=taken.day, month=taken.month)})
    plan = res.plan.model_copy(update={"meetings": tuple(
        moved if m.id == q1.id else m for m in res.plan.meetings)})
    found = [str(v) for v in check(inst, plan) if v.rule == "no_double_booking_venue"]
    assert len(found) == 1 and "activity x0" in found[0]


def test_a_hosting_slot_under_an_activity_is_skipped_with_the_reason_by_both_sides():
    inst = load_instance(FULL)
    cal = Timeline(inst).calendar
    slot = next(s for s in expand_slots(inst, cal) if s.usable)
    extra = act("held", date=str(slot.date), start=f"{slot.start:%H:%M}",
                end=f"{slot.end:%H:%M}", town=None, venue=slot.venue)
    busy = inst.model_copy(update={"activities": (*inst.activities, extra)})
    after = {s.id: s for s in expand_slots(busy, cal)}
    assert not after[slot.id].usable and "held" in after[slot.id].obstacle
    theirs = {s.id: s for s in offered_slots(busy, cal)}
    assert not theirs[slot.id].usable and "activity held" in theirs[slot.id].obstacles[-1]
    # Every other slot is as it was.
    before = {s.id: s.usable for s in expand_slots(inst, cal)}
    assert {k: s.usable for k, s in after.items() if k != slot.id} == {
        k: u for k, u in before.items() if k != slot.id}


# -- soft rules, one each -----------------------------------------------------------------


def test_unfilled_role_costs_each_missing_person_below_the_minimum():
    # Three people wanted, two volunteers: both serve, one is missing -> amount 1, cost
    # 100, and the role is listed in `unfilled`.
    inst = make([vol("v1"), vol("v2")], [act("a1", roles=[{"role": "服务", "min": 3}])],
                weights={"unfilled_role": 100})
    res = run(inst)
    assert who(res, "a1") == {"v1", "v2"} and res.objective == 100
    assert score(inst, res.plan).amounts["unfilled_role"] == 1 and len(res.plan.unfilled) == 1


def test_no_lead_costs_an_activity_without_an_experienced_volunteer():
    # Two activities at the same time both need a lead; the one experienced volunteer
    # serves at one of them, v1 (filling the role is worth more) at the other, which has
    # no lead -> amount 1, cost 30.
    inst = make([vol("v1"), vol("v2", experienced=True)],
                [act("a1", lead_required=True), act("a2", lead_required=True)],
                weights={"unfilled_role": 100, "no_lead": 30})
    res = run(inst)
    assert who(res, "a1") | who(res, "a2") == {"v1", "v2"} and res.objective == 30
    assert score(inst, res.plan).amounts["no_lead"] == 1


def test_care_outside_town_costs_a_mother_from_another_town():
    # The child lives in u; the only caring mother lives in t, 20 minutes away (within
    # care.max_travel_minutes = 30): paired across towns -> amount 1, cost 5. A mother in
    # u takes the child at no cost.
    inst = make([mother("m1")], children=[child("c1", town="u")], travel=20,
                weights={"care_outside_town": 5})
    res = run(inst)
    assert res.plan.care.pairs[0].mother == "m1" and res.objective == 5
    assert score(inst, res.plan).amounts["care_outside_town"] == 1
    res = run(make([mother("m1"), mother("m2", town="u")], children=[child("c1", town="u")],
                   travel=20, weights={"care_outside_town": 5}))
    assert res.plan.care.pairs[0].mother == "m2" and res.objective == 0
