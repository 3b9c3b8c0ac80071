"""A part the budget leaves to its construction, priced without building its hard rules.

At K = 10 and 60 s the budget leaves every county's rotation and volunteering (20
parts) to the construction (solver/budget.py). Each of them still built its whole
CP-SAT model only to fix the construction's decisions in it and read what its soft
rules cost: 1.2-1.4 s of one thread a part, more than half of it the hard rules
(a county's rotation: 0.94 s of building, 0.36 without the hard rules; its volunteering
0.6-1.0 s against 0.45-0.56), and the two threads share one interpreter while they
build.

Such a part is built ``light`` (solver/build.py: the variables and the soft rules, no
hard rule) when the construction keeps every hard rule of the part's sections -- the
checker says so before any part is built (solve._construction, ``Hint.sections``).
The construction's decisions are fixed in that model and one short search works out
the penalty amounts (the same soft-rule terms, so the same cost as in the full model);
the decisions read back are compared with the construction's. Should they differ (a
choice outside the model's domains, which the full model would call infeasible), the
part is built in full and searched as before (``run_part``).

The bounds such a part reports are the ones it reported before: the rotation's from
its chairs' and term models (solver/bounds.py), the volunteering's min-cost flow
(solver/staffing.py): they read only the model's domains.

A volunteering part the budget gives only a search of its LP relaxation's support
(solver/staffing_lp.py) starts the same way: its light model gives the construction
and the LP (which reads only the candidates), and then only the candidates the LP uses
and the construction's teams are built, with every hard rule (``search_support``; a
county: 0.2 s instead of 0.6-0.7 for the whole model, and no copy of it to fix the
others at 0). Generated K = 10 at 60 s: an LP search 3.0-3.9 s of its thread instead
of 4.1-5.5, and four of them fit instead of three.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from ..models.plan import Plan
from . import bounds, staffing, staffing_lp, volunteering
from .context import Hint, ModelContext, Part
from .extract import PartPlan, extract_part
from .replan import FrozenConflict
from .run import (
    CONSTRUCTION_WORK,
    FALLBACK_WALL,
    MIN_SEARCH_SECONDS,
    Limits,
    PartResult,
    _Search,
    solve_part,
)

log = logging.getLogger(__name__)

Build = Callable[[bool, "frozenset[tuple[str, str, str]] | None", bool], ModelContext]
"""Builds a part's model: ``(light, only, pinned)`` (solver/build.py)."""


def light(part: Part | None, start: str, sections: frozenset[str]) -> bool:
    """Whether ``part`` takes its construction without a search, or searches only its LP
    relaxation's support (``start``, from budget.Budget.start), and the construction
    keeps every hard rule of its sections (``sections``: ``Hint.sections``), so that its
    model needs no hard rule (module docstring). Asked by ``run_part`` (of a first plan)
    and by budget.Budget.plan (which counts such a part's building at LIGHT_BUILD)."""
    return (start in ("construction", "lp plan") and part is not None
            and part.sections <= sections)


def take(ctx: ModelContext, seed: int, flow: bool = True) -> PartResult | None:
    """The construction of a ``light`` part with what it costs and its bounds (a
    volunteering part's min-cost flow only with ``flow``: ``search_support`` reports
    its LP's instead); None when the decisions read back are not the construction's (the
    part is then built in full)."""
    model = ctx.model
    stats = {"booleans": len(model.proto.variables),
             "constraints": len(model.proto.constraints)}
    variables = model.proto.variables
    for lit, value in ctx.construction:
        # The decision's domain narrowed to its value: no constraint per decision.
        domain = variables[lit.index].domain
        domain[0] = domain[1] = value  # a boolean's domain is [0, 1]
    search = _Search(seed, 1)
    code, solver = search.run(model, Limits(CONSTRUCTION_WORK, FALLBACK_WALL), light=True)
    part = ctx.part or Part("whole", True)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        log.info("part %s: the construction has no plan in its light model (%s): "
                 "built in full", part.name, solver.status_name(code))
        return None
    try:
        plan = extract_part(ctx, solver)
    except StopIteration:  # a meeting or period the construction left without a choice
        plan = None
    if plan is None or not same_decisions(plan, ctx.hint.plan if ctx.hint else None,
                                          part.activities):
        log.info("part %s: its light model reads back other decisions than the "
                 "construction's: built in full", part.name)
        return None
    bound = 0.0
    if ctx.assign and flow:
        keys = volunteering.candidate_keys(ctx) if ctx.pinned else None
        bound = float(staffing.lower_bound(ctx, keys))
    if ctx.chair or ctx.meetings:
        bound = max(bound, float(bounds.rotation_bound(ctx)))
    return PartResult(part, ctx.part, "FEASIBLE", plan.cost, min(bound, float(plan.cost)),
                      plan, stats, work=search.work, wall_stopped=False, constructed=True)


def same_decisions(plan: PartPlan, construction: Plan | None,
                   activities: frozenset[str] | None) -> bool:
    """Whether every decision of ``plan`` is the construction's, and its assignments are
    all of the construction's assignments of ``activities`` (None: of every activity)."""
    if construction is None:
        return False
    c = construction
    if not {(t.base, t.period, t.chair) for t in plan.rotation} <= {
            (t.base, t.period, t.chair) for t in c.rotation}:
        return False
    if not {(m.id, m.start, m.venue) for m in plan.meetings} <= {
            (m.id, m.start, m.venue) for m in c.meetings}:
        return False
    if not {(h.id, h.federation) for h in plan.hosting} <= {
            (h.id, h.federation) for h in c.hosting}:
        return False
    if not {(v.id, v.start) for v in plan.visits} <= {(v.id, v.start) for v in c.care.visits}:
        return False
    if not {(v.id, v.start, v.chair) for v in plan.term_visits} <= {
            (v.id, v.start, v.chair) for v in c.term_visits}:
        return False
    if not {(x.id, x.start, x.venue, x.chair) for x in plan.signatures} <= {
            (x.id, x.start, x.venue, x.chair) for x in c.signature_activities}:
        return False
    return {(v.activity, v.role, v.person) for v in plan.volunteering} == {
        (v.activity, v.role, v.person) for v in c.volunteering
        if activities is None or v.activity in activities}


def search_support(ctx: ModelContext, floor: PartResult, build_part: Build,
                   limits: Limits, seed: int) -> PartResult:
    """A volunteering part the budget gives only a search of its LP relaxation's support
    (solver/staffing_lp.py), from its light model ``ctx`` and its construction
    ``floor`` (``take``): the LP is solved on the light model's candidates, and only
    the candidates it uses plus the construction's teams are built, with every hard
    rule (``ModelContext.only``: about 1,480 of the default instance's 15,571). The
    search starts from the construction; the better of the two is returned, with the
    LP's bound -- the search's own bounds only its candidates."""
    late = limits.wall < MIN_SEARCH_SECONDS  # the clock had run out: the construction
    relaxation = None if late else staffing_lp.relax(ctx)
    if relaxation is None:  # late, or the LP not solved: the flow's bound after all
        floor.wall_stopped = late
        floor.bound = min(float(staffing.lower_bound(ctx)), float(floor.objective))
        return floor
    bound = float(relaxation.bound)
    floor.bound = min(max(floor.bound, bound), float(floor.objective))
    chosen = {lit.index for lit, value in ctx.construction if value}
    teams = {key for key, lit in ctx.assign.items() if lit.index in chosen}
    kept = build_part(False, frozenset(relaxation.support | teams), False)
    model = kept.model
    model.clear_hints()
    for lit, value in kept.construction:
        model.add_hint(lit, value)
    search = _Search(seed, 1)
    code, solver = search.run(model, Limits(staffing_lp.PLAN_WORK, limits.wall), cuts=False)
    floor.work += search.work
    if code == cp_model.UNKNOWN and solver.wall_time >= 0.98 * limits.wall:
        floor.wall_stopped = True  # another machine may have found one in time
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return floor
    plan = extract_part(kept, solver)
    if plan.cost > floor.objective:
        return floor
    if kept.chair or kept.meetings:
        bound = max(bound, float(bounds.rotation_bound(kept)))
    return PartResult(floor.part, floor.source, "FEASIBLE", plan.cost,
                      min(bound, float(plan.cost)), plan, floor.stats, work=floor.work,
                      wall_stopped=floor.wall_stopped)


def run_part(build_part: Build, part: Part | None,
             limits: Callable[[], Limits], seed: int, threads: int, start: str,
             previous: Plan | None, hint: Hint | None,
             report: Callable[[int, float, float], None] | None = None,
             resume: tuple[int, ...] = ()) -> PartResult:
    """Build and search one part (both runners: solve._Runner, cluster.solve_part_task):
    a part left to a construction that keeps its hard rules is built light and takes
    it (``take``); any other, or one whose light model disagrees, is built in full and
    searched (run.solve_part). ``build_part(light, only, pinned)`` builds the part's
    model (``only``: the candidate assignments it keeps, None for all; ``pinned``: only
    the construction's decisions, to price it). ``resume``: a small
    part's second search starts from its first's plan (run.solve_part)."""
    t0 = time.perf_counter()
    # The clock ran out before this part started (a machine slower or busier than the
    # budget planned for): it takes its construction, so it is built light whatever it
    # is -- a county's 51-child visit bundle took 1-2 s to build in full just to price
    # it, and generated K = 10 with 40 s ran 13 s past its deadline on 20 of them.
    late = limits().wall < MIN_SEARCH_SECONDS
    taken = "construction" if late else start
    try:
        if previous is None and hint is not None and not resume \
                and light(part, taken, hint.sections):
            # Only priced: volunteering and care build just the construction's choices
            # (a county's 51-child visit bundle: 17,843 variables, 0.6 s, otherwise).
            ctx = build_part(True, None, taken == "construction")
            built = time.perf_counter()
            result = take(ctx, seed, flow=taken != "lp plan")
            if result is not None and taken == "lp plan":
                result = search_support(ctx, result, build_part, limits(), seed)
            if result is not None:
                # Late, a part the budget left to its construction loses nothing: the
                # clock cut nothing of it (the same result as on time).
                result.wall_stopped = result.wall_stopped or (late and start != taken)
                result.build_seconds = built - t0
                result.seconds = time.perf_counter() - t0
                return result
        ctx = build_part(False, None, False)
    except FrozenConflict as e:
        return PartResult(part or Part("whole", True), part, "INFEASIBLE", problem=str(e))
    built = time.perf_counter()
    result = solve_part(ctx, limits(), seed, threads, report, start, resume)
    result.build_seconds = built - t0
    result.seconds = time.perf_counter() - t0
    return result
