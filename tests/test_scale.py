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
