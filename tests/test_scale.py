"""Scale: the decomposition into independent parts, meetings kept within reach, and the
per-part report. Small instances only (K = 2 counties at most)."""

from __future__ import annotations

from pathlib import Path

from xinglian.checker import check, score
from xinglian.instances.generate import generate
from xinglian.models import Timeline, load_instance
from xinglian.solver import solve
from xinglian.solver.decompose import decompose

TINY = Path(__file__).parent / "data" / "tiny.yaml"


def _county(ident: str) -> str:
    return ident.split("-")[0]


def test_two_counties_split_into_parts_that_each_stay_in_one_county():
    two = generate(2, seed=0)
    parts = decompose(two, Timeline(two))
    rotation = [p for p in parts if p.rotation]
    assert len(rotation) == 2  # one per county: no person or meeting venue is shared
    assert sorted(len(p.bases) for p in rotation) == [7, 7]
    assert len([p for p in parts if p.volunteering]) == 2
    for p in parts:
        ids = set(p.bases or ()) | p.venues | p.federations | set(p.activities or ())
        assert len({_county(i) for i in ids}) <= 1, p.name
    # Every base, activity and hosting venue is decided by exactly one part.
    assert sorted(b for p in parts for b in p.bases) == sorted(b.id for b in two.bases)
    assert sorted(a for p in parts for a in p.activities) == sorted(a.id for a in two.activities)
    venues = [v for p in parts for v in p.venues]
    assert len(venues) == len(set(venues))


def test_a_meeting_venue_out_of_reach_is_never_used_and_the_checker_says_so():
    inst = load_instance(TINY)
    plan = solve(inst, time_limit=20, workers=1).plan
    assert plan is not None
    # Move one meeting to the other base's town (45 minutes away in tiny.yaml).
    m = plan.meetings[0]
    other = next(v.id for v in inst.venues
                 if v.meetings and v.town != inst.federation(m.base).town)
    moved = plan.model_copy(update={"meetings": (m.model_copy(update={"venue": other}),
                                                 *plan.meetings[1:])})
    assert [v for v in check(inst, moved) if v.rule == "meeting_venue"] == []  # 45 <= 120
    near = inst.model_copy(update={"meetings": inst.meetings.model_copy(
        update={"max_travel_minutes": 30})})
    found = [str(v) for v in check(near, moved) if v.rule == "meeting_venue"]
    assert len(found) == 1 and "max_travel_minutes is 30" in found[0]
    res = solve(near, time_limit=20, workers=1)
    if res.plan is None:  # no venue in some base's town: the pre-check names the base
        assert res.status == "INFEASIBLE" and any("max_travel_minutes" in p
                                                   for p in res.problems)
    else:
        assert check(near, res.plan) == []
        assert all(near.venue(m.venue).town == near.federation(m.base).town
                   for m in res.plan.meetings)


def test_the_plan_reports_every_part_and_their_sums_are_the_plan_figures():
    inst = load_instance(TINY)
    res = solve(inst, time_limit=20, workers=2)
    assert res.plan is not None and check(inst, res.plan) == []
    parts = res.plan.solve.parts
    assert len(parts) == res.stats["parts"] >= 1
    assert all(p.status in ("OPTIMAL", "FEASIBLE") and p.seconds >= 0 for p in parts)
    assert sum(p.objective for p in parts) == res.objective == score(inst, res.plan).total
    assert abs(sum(p.bound for p in parts) - res.bound) < 1e-6
    from xinglian.export.summary import render_summary

    text = render_summary(inst, res.plan)
    assert f"分块求解 parts solved apart: {len(parts)}（" in text


def test_the_indexed_volunteer_pools_agree_with_the_eligibility_rule():
    from xinglian.solver import volunteering

    inst = load_instance(Path(__file__).parent.parent / "instances" / "nanan-2027-full.yaml")
    volunteers = [p for p in inst.people if p.volunteer is not None]
    for a in inst.activities[::7]:
        town = inst.activity_town(a)
        for r in a.roles:
            slow = sorted((m, p.id) for p in volunteers
                          if (m := volunteering.eligible(inst, a, r, p, town)) is not None)
            assert volunteering.eligible_pool(inst, a, r) == slow, (a.id, r.role)


def _two_counties_without_volunteering():
    two = generate(2, seed=0)
    history = two.history.model_copy(update={"care": ()})
    pins = two.pins.model_copy(update={"volunteering": ()})
    return two.model_copy(update={"activities": (), "children": (), "history": history,
                                  "pins": pins})


def test_a_replan_keeps_the_parts_a_change_does_not_reach_without_solving_them():
    import datetime as dt

    from xinglian.models.changes import ChangeSet, apply_changes

    inst = _two_counties_without_volunteering()
    first = solve(inst, time_limit=60, work=2.0, workers=2)
    assert first.plan is not None
    base = inst.bases[0]
    p4 = next(t for t in first.plan.rotation if t.base == base.id and t.period == 4)
    changes = ChangeSet.model_validate({"changes": [{
        "kind": "unavailable", "person": p4.chair, "start": p4.start, "end": p4.end,
        "reason": "test"}]})
    today = dt.date(inst.year, 6, 1)
    new = apply_changes(inst, changes, today)
    fast = solve(new, time_limit=20, workers=2, previous=first.plan, today=today,
                 previous_instance=inst)
    full = solve(new, time_limit=20, workers=2, previous=first.plan, today=today)
    assert fast.plan is not None and check(new, fast.plan) == []
    assert score(new, fast.plan).total == fast.objective
    # Every part of the other county is kept; the changed base's part is re-solved.
    kept = [p for p in fast.plan.solve.parts if p.kept]
    assert fast.stats["kept"] == len(kept) > 0
    assert all(not p.kept for p in fast.plan.solve.parts if "（1县）" in p.name
               and p.name.startswith("rotation"))
    k2 = [t for t in first.plan.rotation if t.base.startswith("k002-")]
    assert [t for t in fast.plan.rotation if t.base.startswith("k002-")] == k2
    # Keeping is exact: the same fewest changes and objective as re-solving every part.
    assert fast.change_status == full.change_status == "OPTIMAL"
    assert fast.change_cost == full.change_cost >= 1
    assert fast.objective == full.objective


def test_children_are_paired_group_by_group_with_the_optimum_of_one_model():
    from xinglian.solver import care

    two = generate(2, seed=0)
    groups = care.pairing_groups(two)
    assert sorted(c for g in groups for c in g) == sorted(c.code for c in two.children)
    for g in groups:  # a group never spans two counties: no mother is in reach of both
        assert len({_county(c) for c in g}) == 1
    assert len(groups) >= 2
    apart = care.pair_children(two, time_limit=10)
    facts = (care.last_year_mother(two), {p.id for p in two.people if p.caring_mother},
             {c.code: c.town for c in two.children})
    together = care._pair_group(two, [c.code for c in two.children], 10, 10, 0, None, facts)
    assert apart.status == together.status == "OPTIMAL"
    assert apart.objective == together.objective
    assert set(apart.pairs) == {c.code for c in two.children}
    # the rule amounts are summed over the groups
    assert sum(w * n for _, w, n, _ in apart.penalties) == apart.objective


def test_visits_of_children_alone_are_bundled_per_pairing_group():
    from xinglian.solver import care

    two = generate(2, seed=0)
    pairs = care.pair_children(two, time_limit=10).pairs
    parts = decompose(two, Timeline(two), pairs)
    alone = [p for p in parts if p.care and not (p.rotation or p.volunteering or p.venues)]
    group_of = {c: k for k, g in enumerate(care.pairing_groups(two)) for c in g}
    assert 0 < len(alone) <= len(care.pairing_groups(two))
    for p in alone:
        assert len({group_of[c] for c in p.children}) == 1, p.name
    # every child's visits are still scheduled by exactly one part
    kids = [c for p in parts for c in p.children]
    assert sorted(kids) == sorted(c.code for c in two.children)


def test_pools_carried_into_a_replan_equal_pools_worked_out_afresh():
    from xinglian.models import Instance
    from xinglian.models.common import DateRange
    from xinglian.solver import keep
    from xinglian.solver.volunteering import eligible_pool

    inst = load_instance(Path(__file__).parent.parent / "instances" / "nanan-2027-full.yaml")
    roles = [(a, r) for a in inst.activities for r in a.roles]
    for a, r in roles:
        eligible_pool(inst, a, r)
    # One volunteer away on the day of an activity she is eligible for; another gains
    # the skill of a role she could not take.
    a, r = next((a, r) for a, r in roles if len(eligible_pool(inst, a, r)) > 1)
    away = eligible_pool(inst, a, r)[0][1]
    skilled = next((a2, r2) for a2, r2 in roles if r2.skill is not None)
    volunteers = [p for p in inst.people if p.volunteer is not None]
    gains = next(p for p in volunteers if skilled[1].skill not in p.volunteer.skills
                 and p.id != away and p.town == inst.activity_town(skilled[0]))
    people = []
    for p in inst.people:
        if p.id == away:
            p = p.model_copy(update={"unavailable": (*p.unavailable, DateRange(
                start=a.date, end=a.date, reason="test"))})
        elif p.id == gains.id:
            p = p.model_copy(update={"volunteer": p.volunteer.model_copy(update={
                "skills": (*p.volunteer.skills, skilled[1].skill)})})
        people.append(p)
    data = inst.model_dump()
    data["people"] = [p.model_dump() for p in people]
    new = Instance.model_validate(data)
    keep.carry_pools(new, inst)
    carried = dict(new._by_id["_volunteer_pools"])
    assert len(carried) == len(roles)
    fresh = Instance.model_validate(data)
    assert carried == {(a.id, r.role): eligible_pool(fresh, a, r) for a, r in roles}
    assert away not in [pid for _, pid in carried[a.id, r.role]]
    assert carried != inst._by_id["_volunteer_pools"]


def test_time_is_shared_by_need_when_it_covers_every_need_else_floors_come_first():
    from xinglian.solver import share

    # Enough for every need: proportional to need.
    assert share(100, 10, 5, 50, 20) == 20
    # Not enough for the needs, enough for the floors: floor + a share of the rest by
    # need above the floor (here 30 over floors of 20, needs 50: 10 of 30 extra).
    assert share(30, 10, 5, 50, 20) == 5 + 10 * 5 / 30
    # Not even the floors: by floor.
    assert share(10, 10, 5, 50, 20) == 2.5
    # The shares of all parts add up to what there is, in every regime.
    needs, floors = [9.0, 2.0, 1.0, 0.5], [7.0, 2.0, 0.3, 0.5]
    for free in (5.0, 11.0, 20.0):
        got = [share(free, n, f, sum(needs), sum(floors))
               for n, f in zip(needs, floors, strict=True)]
        assert abs(sum(got) - free) < 1e-9


def test_a_part_that_finds_nothing_in_its_time_still_gives_a_checked_plan(monkeypatch):
    import xinglian.solver.run as solver_module

    real = solver_module.new_solver
    used: list = []

    def starved(limits, seed, workers, linearization=None):
        s = real(limits, seed, workers, linearization)
        used.append(linearization)
        if linearization == solver_module.LINEARIZATION:
            s.parameters.stop_after_presolve = True  # the part's search finds nothing
        return s

    monkeypatch.setattr(solver_module, "new_solver", starved)
    inst = load_instance(TINY)
    res = solve(inst, time_limit=20, workers=2)
    # each part: its search, the LP-guided fallback (starved too), the plain one
    assert used.count(solver_module.LINEARIZATION) >= 2 * len(used) // 3
    assert used.count(0) == len(used) // 3 > 0
    assert res.plan is not None and check(inst, res.plan) == []
    assert score(inst, res.plan).total == res.objective


def _without_volunteering(inst):
    history = inst.history.model_copy(update={"care": ()})
    pins = inst.pins.model_copy(update={"volunteering": ()})
    return inst.model_copy(update={"activities": (), "children": (), "history": history,
                                  "pins": pins, "terms": ()})


def test_a_parts_result_does_not_grow_with_the_instance(monkeypatch):
    # On a cluster every part's result travels to the client and stays in a worker until
    # the plan is assembled: each must carry its own decisions only. (It carried every
    # offered slot of the instance: at K = 100 the client reached 11 GB and was killed.)
    import importlib
    import pickle

    solve_module = importlib.import_module("xinglian.solver.constructed")
    sizes: dict[str, int] = {}

    def measured(ctx, *args, **kwargs):
        result = run_part(ctx, *args, **kwargs)
        if result.part.name.startswith("hosting"):
            sizes[result.part.name] = len(pickle.dumps(result.plan))
        return result

    run_part = solve_module.solve_part
    monkeypatch.setattr(solve_module, "solve_part", measured)
    for k in (1, 3):
        sizes.clear()
        res = solve(_without_volunteering(generate(k, seed=0)), time_limit=60, work=0.5 * k,
                    workers=2)
        assert res.plan is not None and res.plan.hosting_skipped
        biggest = max(sizes.values())
        if k == 1:
            alone = biggest
    assert biggest < 1.2 * alone, (alone, biggest)
