"""How the work budget is shared (solver/budget.py): a part whose search is wasted below
its floor gets enough or nothing -- volunteering's LP searches first, then rotations,
then first plans."""

from __future__ import annotations

import time

import pytest

from xinglian.instances.generate import generate
from xinglian.models.timeline import Timeline
from xinglian.solver import care
from xinglian.solver.budget import (
    FIRST_PLAN_WORK,
    LP_PLAN_WORK,
    MIN_PART_WORK,
    TOP_UP_FACTOR,
    Budget,
    below_floor,
    floor_work,
    is_rotation,
    is_volunteering,
    lp_work,
    need_work,
)
from xinglian.solver.decompose import decompose
from xinglian.solver.run import PartResult


@pytest.fixture(scope="module")
def county3():
    inst = generate(3, seed=0)
    timeline = Timeline(inst)
    pairs = care.pair_children(inst, work=3, seed=0).pairs
    return inst, decompose(inst, timeline, pairs, None)


@pytest.mark.parametrize("limit", [21.0, 28.0, 31.0, 35.0])
def test_a_starved_part_gets_enough_or_nothing_lp_searches_first(county3, limit):
    inst, parts = county3
    budget = Budget.plan(inst, parts, limit, 2, time.perf_counter())
    shares = budget.shares(inst, parts)
    rotations = [p for p in parts if is_rotation(p)]
    volunteering = [p for p in parts if is_volunteering(p)]
    assert len(rotations) == 3 and len(volunteering) == 3
    assert sum(shares.values()) == pytest.approx(budget.work)
    for p in rotations:
        work = shares[id(p)]
        # Never a share its search would waste: nothing, or at least its floor.
        assert work == 0 or work >= floor_work(inst, p) - 1e-9
        assert budget.start(inst, p, work) == ("construction" if work == 0 else "")
    starts = {}
    for p in volunteering:
        lp = lp_work(inst, p)
        kinds = {0.0: "construction", round(LP_PLAN_WORK + lp, 9): "lp plan",
                 round(FIRST_PLAN_WORK + lp, 9): "first plan"}
        work = round(shares[id(p)], 9)
        assert work in kinds or not below_floor(inst, p, work)
        starts[id(p)] = budget.start(inst, p, work)
        assert starts[id(p)] == kinds.get(work, "")
    # The order of what the pool pays: every LP search (the most gained for the work),
    # then rotations, then first plans.
    if any(shares[id(p)] > 0 for p in rotations):
        assert all(starts[id(p)] in ("lp plan", "first plan", "") for p in volunteering)
    if any(starts[id(p)] == "first plan" for p in volunteering):
        assert all(shares[id(p)] > 0 for p in rotations)
    funded = sum(shares[id(p)] > 0 for p in rotations)
    searched = sum(starts[id(p)] != "construction" for p in volunteering)
    assert (searched, funded) == {21.0: (1, 0), 28.0: (3, 1), 31.0: (3, 2),
                                  35.0: (3, 3)}[limit]


def test_the_small_parts_get_their_need_before_the_rotations(county3):
    """Hosting groups and visit bundles each search at least MIN_PART_WORK whatever their
    share: the budget counts what they use (their need) before it pays for rotations."""
    inst, parts = county3
    budget = Budget.plan(inst, parts, 20.0, 2, time.perf_counter())
    shares = budget.shares(inst, parts)
    small = [p for p in parts if not (is_rotation(p) or is_volunteering(p))]
    assert small
    for p in small:
        assert shares[id(p)] >= need_work(inst, p) - 1e-9


@pytest.mark.parametrize(("limit", "more"), [(18.0, True), (21.0, True), (28.0, False)])
def test_parts_left_to_a_light_build_pay_for_the_others(county3, limit, more):
    """A part the budget leaves to its construction is built without its hard rules
    (solver/constructed.py): the seconds it saves are work for the others. Every part
    the budget counted light is indeed left to its construction, and never is a part
    worse off than with every part counted in full."""
    inst, parts = county3
    every = frozenset({"bases", "hosting", "volunteering", "care"})
    full = Budget.plan(inst, parts, limit, 2, time.perf_counter())
    light = Budget.plan(inst, parts, limit, 2, time.perf_counter(), light=every)
    assert light.work >= full.work
    shares, before = light.shares(inst, parts), full.shares(inst, parts)
    assert sum(shares.values()) == pytest.approx(light.work)
    big = [p for p in parts if is_rotation(p) or is_volunteering(p)]

    def left(budget, s):
        return {id(p) for p in big if budget.start(inst, p, s[id(p)]) == "construction"}

    assert left(light, shares) <= left(full, before)
    if light.work > full.work:  # some part counted light: it is left to its construction
        assert left(light, shares)
    # 18 s: one LP search instead of none; 21 s: two instead of one; 28 s: the same.
    assert (left(light, shares) < left(full, before)) == more
    # Without the construction's sections nothing is counted light.
    assert Budget.plan(inst, parts, limit, 2, time.perf_counter(),
                       light=frozenset({"hosting", "care"})).work == pytest.approx(full.work)


def _results(parts, work, used, unproven=(), cut=()):
    """What the runner holds after the first searches: each part used ``used`` of its
    share; ``unproven`` parts ended with a plan to go on from."""
    return [PartResult(p, p, "FEASIBLE" if p in unproven else "OPTIMAL",
                       work=used * work[id(p)], wall_stopped=p in cut,
                       solution=(1, 0, 1) if p in unproven else ())
            for p in parts]


def test_small_parts_left_unproven_search_on_with_the_work_left(county3):
    inst, parts = county3
    budget = Budget.plan(inst, parts, 60.0, 2, time.perf_counter())
    work = budget.shares(inst, parts)
    hosting = [p for p in parts if p.venues and not p.rotation]
    unproven = hosting[:2]
    regular = [p for p in parts if budget.start(inst, p, work[id(p)]) == ""]
    left = 0.5 * sum(work[id(p)] for p in regular)
    again = budget.top_ups(inst, parts, work, _results(parts, work, 0.5, unproven))
    # Only the unproven small parts, each within its cap, all within what was left.
    assert set(again) == {id(p) for p in unproven}
    for p in unproven:
        assert MIN_PART_WORK <= again[id(p)] <= TOP_UP_FACTOR * max(
            MIN_PART_WORK, work[id(p)]) + 1e-9
    assert sum(again.values()) <= left + 1e-9
    # A rotation or volunteering part left unproven is not searched again.
    big = [p for p in parts if is_rotation(p) or is_volunteering(p)]
    assert budget.top_ups(inst, parts, work, _results(parts, work, 0.5, big)) == {}
    # Nothing left (every part used its share), or a search cut by the clock: nothing
    # is searched again.
    assert budget.top_ups(inst, parts, work, _results(parts, work, 1.0, unproven)) == {}
    assert budget.top_ups(inst, parts, work,
                          _results(parts, work, 0.5, unproven, cut=big[:1])) == {}
