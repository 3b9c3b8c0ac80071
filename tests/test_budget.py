"""How the work budget is shared (solver/budget.py): a part whose search is wasted below
its floor gets its floor or nothing, the rotations first."""

from __future__ import annotations

import time

import pytest

from xinglian.instances.generate import generate
from xinglian.models.timeline import Timeline
from xinglian.solver import care
from xinglian.solver.budget import (
    FIRST_PLAN_WORK,
    LP_PLAN_WORK,
    Budget,
    below_floor,
    floor_work,
    is_rotation,
    is_volunteering,
    lp_work,
    need_work,
)
from xinglian.solver.decompose import decompose


@pytest.fixture(scope="module")
def county3():
    inst = generate(3, seed=0)
    timeline = Timeline(inst)
    pairs = care.pair_children(inst, work=3, seed=0).pairs
    return inst, decompose(inst, timeline, pairs, None)


@pytest.mark.parametrize("limit", [22.0, 25.0, 30.0])
def test_a_starved_rotation_gets_its_floor_or_nothing_before_any_first_plan(county3, limit):
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
    for p in volunteering:
        lp = lp_work(inst, p)
        starts = {0.0: "construction", round(LP_PLAN_WORK + lp, 9): "lp plan",
                  round(FIRST_PLAN_WORK + lp, 9): "first plan"}
        work = round(shares[id(p)], 9)
        assert work in starts or not below_floor(inst, p, work)
        assert budget.start(inst, p, work) == starts.get(work, "")
    # A rotation left to its construction means no volunteering search beyond the LP's
    # support was paid for: a rotation's search gains more for less work.
    if any(shares[id(p)] == 0 for p in rotations):
        assert all(shares[id(p)] <= LP_PLAN_WORK + lp_work(inst, p) + 1e-9
                   for p in volunteering)
    # Some rotations are searched and others not at 22 and 25 s; all at 30 s.
    funded = sum(shares[id(p)] > 0 for p in rotations)
    assert funded == {22.0: 1, 25.0: 2, 30.0: 3}[limit]


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
