"""A part the budget leaves to its construction is built without its hard rules
(solver/constructed.py): it must cost, bound and decide exactly what the full model
said, and a construction the light model cannot read back is built in full."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinglian.checker import check
from xinglian.instances.generate import generate
from xinglian.models import load_instance
from xinglian.models.plan import RotationTerm
from xinglian.models.timeline import Timeline
from xinglian.solver import care, constructed, solve
from xinglian.solver.build import build
from xinglian.solver.context import Hint
from xinglian.solver.decompose import decompose
from xinglian.solver.run import Limits, solve_part
from xinglian.solver.solve import _construction

FULL = Path(__file__).parent.parent / "instances" / "nanan-2027-full.yaml"


def _setting(inst):
    tl = Timeline(inst)
    pairs = care.pair_children(inst, work=2, seed=0).pairs
    parts = [p for p in decompose(inst, tl, pairs, None) if p.rotation or p.volunteering]
    return tl, pairs, parts, _construction(inst, tl, pairs)


def _entries(plan):
    return ({(t.base, t.period, t.chair) for t in plan.rotation},
            {(m.id, m.start, m.venue, m.host) for m in plan.meetings},
            {(v.activity, v.role, v.person) for v in plan.volunteering},
            {(u.what, u.missing, u.why) for u in plan.unfilled},
            {(v.id, v.start, v.chair) for v in plan.term_visits},
            {(x.id, x.start, x.venue) for x in plan.signatures})


@pytest.mark.parametrize("which", ["default", "generated"])
def test_a_light_part_costs_bounds_and_decides_what_its_full_model_does(which):
    inst = load_instance(FULL) if which == "default" else generate(1, seed=2)
    tl, pairs, parts, hint = _setting(inst)
    assert {"bases", "volunteering"} <= hint.sections
    for part in parts:
        assert constructed.light(part, "construction", hint.sections)
        full = solve_part(build(inst, tl, part, None, None, care_pairs=pairs, hint=hint),
                          Limits(0.5, 30.0), 0, 1, start="construction")
        ctx = build(inst, tl, part, None, None, care_pairs=pairs, hint=hint, light=True)
        assert len(ctx.model.proto.constraints) < full.stats["constraints"]
        light = constructed.take(ctx, 0)
        assert light is not None and light.constructed and full.constructed
        print(f"\n{part.name}: {light.objective}/{light.bound}, "
              f"{light.stats['constraints']} of {full.stats['constraints']} constraints")
        assert (light.objective, light.bound) == (full.objective, full.bound)
        assert light.objective > 0 and light.bound > 0
        assert {p.rule: p.amount for p in light.plan.penalties} == {
            p.rule: p.amount for p in full.plan.penalties}
        assert _entries(light.plan) == _entries(full.plan)


@pytest.mark.parametrize("which", ["default", "generated"])
def test_a_pinned_part_prices_the_construction_as_its_light_model_does(which):
    """A part that only takes its construction builds just the construction's visits and
    assignments (``pinned``): the same cost, bound and decisions as its light model
    with every candidate, from a small fraction of the variables."""
    inst = load_instance(FULL) if which == "default" else generate(1, seed=2)
    tl = Timeline(inst)
    pairs = care.pair_children(inst, work=2, seed=0).pairs
    hint = _construction(inst, tl, pairs)
    parts = [p for p in decompose(inst, tl, pairs, None) if p.volunteering or p.care]
    assert any(p.care for p in parts) and any(p.volunteering for p in parts)
    for part in parts:
        def take(pinned: bool, part=part):
            ctx = build(inst, tl, part, None, None, care_pairs=pairs, hint=hint, light=True,
                        pinned=pinned)
            return len(ctx.model.proto.variables), constructed.take(ctx, 0)

        (every, light), (some, pinned) = take(False), take(True)
        print(f"\n{part.name}: {pinned.objective}/{pinned.bound}, {some} of {every} variables")
        assert light is not None and pinned is not None
        assert (pinned.objective, pinned.bound) == (light.objective, light.bound)
        assert pinned.plan.penalties == light.plan.penalties
        assert _entries(pinned.plan) == _entries(light.plan)
        assert ({(v.id, v.start) for v in pinned.plan.visits}
                == {(v.id, v.start) for v in light.plan.visits})
        assert some < every / 3


def test_a_light_solve_is_the_full_solves_plan_and_the_checker_accepts_it(monkeypatch):
    """A whole solve that leaves every big part to the construction, with and without
    the light path: the same plan, figure for figure."""
    inst = generate(1, seed=0)
    tl = Timeline(inst)
    def solved():
        res = solve(inst, time_limit=60, work=0.5, seed=0, workers=2,
                                 calendar=tl.calendar)
        assert res.plan is not None and not res.wall_stopped
        return res

    light = solved()
    assert any(p.constructed for p in light.plan.solve.parts)
    monkeypatch.setattr(constructed, "light", lambda *a: False)
    full = solved()
    assert light.plan.decisions() == full.plan.decisions()
    assert (light.objective, light.bound) == (full.objective, full.bound)
    assert check(inst, light.plan, tl.calendar) == []


def test_a_construction_outside_the_models_domains_is_built_in_full():
    """A construction whose chair the model does not offer (here: one who is not on the
    presidium) cannot be read back from the light model: the part is built in full, the
    bad choice is not in its plan, and its rotation keeps every hard rule."""
    inst = generate(1, seed=0)
    tl, pairs, parts, hint = _setting(inst)
    part = next(p for p in parts if p.rotation)
    base = inst.federation(sorted(part.bases)[0])
    stranger = next(p.id for p in inst.people if p.id not in base.presidium)
    bad = [t if (t.base, t.period) != (base.id, 1)
           else RotationTerm(base=t.base, period=1, start=t.start, end=t.end, chair=stranger)
           for t in hint.plan.rotation]
    spoiled = Hint(hint.plan.model_copy(update={"rotation": tuple(bad)}), hint.sections)
    ctx = build(inst, tl, part, None, None, care_pairs=pairs, hint=spoiled, light=True)
    assert constructed.take(ctx, 0) is None
    built = []

    def build_part(light: bool, only, pinned: bool):
        built.append(light)
        return build(inst, tl, part, None, None, care_pairs=pairs, hint=spoiled, light=light,
                     only=only, pinned=pinned)

    result = constructed.run_part(build_part, part, lambda: Limits(2.0, 30.0), 0, 1,
                                  "construction", None, spoiled)
    assert built == [True, False]
    assert result.plan is not None and result.status in ("OPTIMAL", "FEASIBLE")
    assert (base.id, 1, stranger) not in {(t.base, t.period, t.chair)
                                          for t in result.plan.rotation}
    assert all(t.chair in inst.federation(t.base).presidium for t in result.plan.rotation)


def test_a_search_of_the_lp_support_builds_only_the_candidates_it_keeps():
    """A volunteering part the budget gives only a search of its LP's support: its light
    model gives the construction and the LP; only the LP's candidates and the
    construction's teams are built, with every hard rule; the plan is no worse than the
    construction's, reports the LP's bound, and its unfilled roles still count every
    candidate of the role in their reason."""
    from xinglian.solver.staffing_lp import lp_bound

    inst = load_instance(FULL)
    tl, pairs, parts, hint = _setting(inst)
    part = next(p for p in parts if p.volunteering)
    sizes = []

    def build_part(light: bool, only, pinned: bool):
        assert not pinned  # an LP search reads every candidate of the light model
        ctx = build(inst, tl, part, None, None, care_pairs=pairs, hint=hint, light=light,
                    only=only)
        sizes.append((light, only is not None, len(ctx.assign)))
        return ctx

    result = constructed.run_part(build_part, part, lambda: Limits(2.0, 30.0), 0, 1,
                                  "lp plan", None, hint)
    (light, _, every), (full, kept, some) = sizes
    assert light and not full and kept and some < every / 5
    floor = constructed.take(build(inst, tl, part, None, None, care_pairs=pairs, hint=hint,
                                   light=True), 0)
    whole = build(inst, tl, part, None, None, care_pairs=pairs, hint=hint)
    print(f"\n{some} of {every} candidates: {result.objective}/{result.bound}, "
          f"construction {floor.objective}")
    assert not result.constructed and result.status == "FEASIBLE"
    assert result.objective < floor.objective
    assert result.bound == lp_bound(whole) < result.objective
    # The plan keeps every hard rule of the whole model: fixed in it, it is feasible.
    chosen = {(v.activity, v.role, v.person) for v in result.plan.volunteering}
    for key, lit in whole.assign.items():
        whole.model.add(lit == int(key in chosen))
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = 5.0
    assert solver.solve(whole.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert round(solver.objective_value) == result.objective
    # A role left short names all of its candidates, not only the ones kept.
    short = [u for u in result.plan.unfilled if u.kind == "role"]
    assert short  # the default instance leaves some roles short
    full_plan = constructed.extract_part(whole, solver)
    assert sorted((u.what, u.why) for u in short) == sorted(
        (u.what, u.why) for u in full_plan.unfilled if u.kind == "role")
