"""Search one part's model: the CP-SAT parameters, the two stages of a re-plan, the
fallbacks when the search found nothing, and the reading of the solution.

Every search is stopped by **work**, not by the clock: CP-SAT's deterministic time
(``max_deterministic_time``) is a count of the work done, the same on any machine and
under any load, so the same model, seed and budget give the same plan. The wall clock
is only a safety net (``Limits.wall``): a search it stops is reported, because another
run of it may differ.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from . import bounds, replan, staffing, staffing_lp
from .context import ModelContext, Part
from .extract import PartPlan, extract_part

log = logging.getLogger(__name__)

STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.UNKNOWN: "UNKNOWN",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
}

#: CP-SAT's linearization level for every part. The fuller LP relaxation gives the
#: volunteering parts their bound, and guides the search of every kind of part to good
#: plans sooner (measured on generated counties, one thread: hosting groups proved
#: optimal in 0.2-0.7 s instead of 0.8-6.7 s, the rotation in 1.2 s instead of 1.3 s).
LINEARIZATION = 2
#: Below this much work (deterministic seconds) a volunteering part searches without LP
#: cuts: its first plan comes sooner, at the price of a weaker bound (default instance,
#: 10 s limit, 4.2 of work: 645 against 596 either way; 30 s limit, 10.8 of work: 643
#: against 633 with cuts, 641 against 627 without).
CUTS_WORK = 8.0
#: A part that found nothing within its work gets this much work for each fallback.
FALLBACK_WORK = 10.0
#: ... and this long by the clock: a fallback is the last chance of a plan, so the
#: safety net waits for it well past the time limit (a late plan beats none).
FALLBACK_WALL = 120.0
#: The least wall time a search gets, even past the time limit, unless the part has the
#: construction to return instead.
MIN_SEARCH_SECONDS = 1.0
#: At most this much work completes the construction (its decisions fixed, the search
#: only works out the penalty amounts: a few hundredths on the default instance).
CONSTRUCTION_WORK = 2.0
#: The fallback searches, in order: (linearization level, LP cuts on).
FALLBACKS = ((LINEARIZATION, False), (0, True))


@dataclass(frozen=True)
class Limits:
    """How long one search may go on: ``work`` in CP-SAT's deterministic seconds (what
    stops it), ``wall`` in seconds of the clock (the safety net)."""

    work: float
    wall: float

    def scaled(self, fraction: float) -> Limits:
        return Limits(self.work * fraction, self.wall * fraction)


@dataclass
class PartResult:
    """What one part's search gave: its plan (None when none was found) and figures."""

    part: Part
    source: Part | None
    """The part as decompose() made it (None: the whole plan as one model)."""
    status: str
    objective: int = 0
    bound: float = 0.0
    plan: PartPlan | None = None
    stats: dict[str, int] = field(default_factory=dict)
    change_status: str = ""
    change_cost: int = 0
    changed: list[tuple[str, str]] = field(default_factory=list)
    problem: str = ""
    seconds: float = 0.0
    build_seconds: float = 0.0
    work: float = 0.0
    """Deterministic seconds the searches used (the same on every machine)."""
    wall_stopped: bool = False
    """True when the wall-clock safety net, not the work budget, ended a search."""
    kept: bool = False
    constructed: bool = False
    """The search found nothing within its work: the plan is the construction's."""
    solution: tuple[int, ...] = ()
    """A small part's plan left unproven, as the value of every model variable: where
    its second search starts (budget.Budget.top_ups, ``solve_part(resume=...)``)."""


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[int, float, float], None]) -> None:
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(int(self.objective_value), self.best_objective_bound, self.wall_time)


def new_solver(limits: Limits, seed: int, workers: int,
               linearization: int | None = None) -> cp_model.CpSolver:
    """A CP-SAT solver stopped by ``limits.work`` deterministic seconds (and by the wall
    clock only as a safety net)."""
    solver = cp_model.CpSolver()
    params = solver.parameters
    if linearization is not None:
        params.linearization_level = linearization
    params.max_deterministic_time = max(0.05, float(limits.work))
    params.max_time_in_seconds = max(0.1, float(limits.wall))
    params.random_seed = int(seed)
    params.num_workers = int(workers)
    if workers > 1:
        # Deterministic parallel search: same seed and workers -> same plan.
        params.interleave_search = True
    return solver


class _Search:
    """The searches of one part, with the work they used and whether the clock cut one."""

    def __init__(self, seed: int, workers: int) -> None:
        self.seed, self.workers = seed, workers
        self.work = 0.0
        self.wall_stopped = False

    def run(self, model: cp_model.CpModel, limits: Limits, linearization: int = LINEARIZATION,
            cuts: bool = True, first_only: bool = False,
            report: Callable[[int, float, float], None] | None = None, light: bool = False
            ) -> tuple[int, cp_model.CpSolver]:
        solver = new_solver(limits, self.seed, self.workers, linearization)
        if not cuts:
            solver.parameters.cut_level = 0
        if light:
            # No symmetry detection and no probing in presolve: on a re-plan's stage 1
            # (a repair near a complete hint) they cost seconds of the clock that the
            # work count does not see (rotation and care of the default instance: 3.5 s
            # before the search starts, 0.3 s without) and find nothing it needs.
            solver.parameters.symmetry_level = 0
            solver.parameters.cp_model_probing_level = 0
        if first_only:
            solver.parameters.stop_after_first_solution = True
        code = solver.solve(model, _Progress(report) if report else None)
        if code == cp_model.MODEL_INVALID and len(model.proto.solution_hint.vars):
            # Seen once in the full test suite on a re-plan (not reproduced alone): say
            # what CP-SAT objected to, and search again without the hint, the only part
            # of the model a search adds.
            log.error("CP-SAT found the model invalid (%s); searching again without the "
                      "hint", solver.solution_info)
            model.clear_hints()
            code = solver.solve(model, _Progress(report) if report else None)
        used = solver.deterministic_time
        self.work += used
        # A search that ended below its work budget without a final answer was stopped
        # by the clock (its figures depend on the machine's speed and load).
        if code in (cp_model.FEASIBLE, cp_model.UNKNOWN) and not first_only \
                and used < 0.98 * limits.work and solver.wall_time >= 0.98 * limits.wall:
            self.wall_stopped = True
        return code, solver


def light_presolve(part: Part | None) -> bool:
    """Whether a part's search presolves without probing and symmetry detection: the
    rotation and the caring mothers' visits, whose probing costs more work than the
    search it saves (one thread to proven optimal, default instance and generated
    counties: rotation 1.2 work instead of 2.5, care 0.03 instead of 0.5); not hosting
    (as often slower as faster) nor volunteering (its first plan no sooner), which keep
    CP-SAT's full presolve."""
    return part is not None and (part.rotation or part.care) and not part.volunteering


def _construction(search: _Search, model: cp_model.CpModel,
                  decisions: list[tuple[cp_model.IntVar, int]], limits: Limits
                  ) -> tuple[int, cp_model.CpSolver]:
    """The model with the construction's ``decisions`` fixed: a plan at once when the
    construction keeps the part's hard rules (the search only works out the penalty
    amounts), INFEASIBLE when it does not."""
    fixed = model.clone()
    for lit, value in decisions:
        fixed.add(lit == value)
    return search.run(fixed, Limits(min(CONSTRUCTION_WORK, limits.work), FALLBACK_WALL),
                      light=True)


def _hint_all(model: cp_model.CpModel, solution: Sequence[int]) -> None:
    """Every variable of ``model`` hinted with its value in ``solution`` (a response's
    solution, or ``PartResult.solution``: indexed like the model's variables)."""
    model.clear_hints()
    n = len(model.proto.variables)
    # One bulk copy instead of ~27,000 add_hint calls on a re-plan of the default instance.
    values = list(solution)[:n]
    if len(values) < n:  # a model grown since the solve: its new variables unhinted
        n = len(values)
    model.proto.solution_hint.vars.extend(range(n))
    model.proto.solution_hint.values.extend(values)


def _stage_one(search: _Search, model: cp_model.CpModel, one, changes, limits: Limits
               ) -> tuple[int, cp_model.CpSolver, cp_model.CpModel]:
    """Stage 1 of a re-plan: the status, the solver holding its repair, the model it
    searched."""
    stage = model
    if one.fixes:
        stage = model.clone()
        for lit, value in one.fixes:
            stage.add(lit == value)
    stage.minimize(changes + one.shortfall)
    code, solver = search.run(stage, limits, light=True)
    if code == cp_model.INFEASIBLE and stage is not model:
        # The kept months leave no repair (a free decision needs one of them): search all.
        model.minimize(changes + one.shortfall)
        code, solver = search.run(model, limits, light=True)
        stage = model
    for lin, cuts in FALLBACKS:
        if code != cp_model.UNKNOWN:
            break
        # No repair found within the work: the first one a quicker search finds
        # (from the published plan as the hint), marked "not proven minimal".
        code, solver = search.run(stage, Limits(FALLBACK_WORK, FALLBACK_WALL),
                                  lin, cuts, first_only=True, light=True)
    return code, solver, stage


def solve_part(ctx: ModelContext, limits: Limits, seed: int, workers: int,
               report: Callable[[int, float, float], None] | None = None,
               start: str = "", resume: tuple[int, ...] = ()) -> PartResult:
    """Search one part's model within ``limits``; a re-plan first minimises the weighted
    number of changed decisions (stage 1, half the budget at most), then the objective
    with that number held (stage 2). ``start`` (budget.Budget.start): ``"first plan"``
    when the work is too little for the part's search to find a plan, so it starts with
    the LP-guided first-plan search; ``"lp plan"`` when only a search of the LP
    relaxation's support fits (solver/staffing_lp.py); ``"construction"`` when not even
    that fits, so it takes the construction. ``resume``: a small part's second search
    (budget.Budget.top_ups) starts from its first's plan (``PartResult.solution``) and
    returns UNKNOWN should it find nothing (the first's plan stands)."""
    model = ctx.model
    stats = {"booleans": len(model.proto.variables),
             "constraints": len(model.proto.constraints)}
    part = ctx.part or Part("whole", True)
    search = _Search(seed, workers)
    started = time.perf_counter()
    # The clock had (nearly) run out before this part started: a part with the
    # construction returns it at once, any other is searched briefly all the same.
    late = limits.wall < MIN_SEARCH_SECONDS
    limits = Limits(limits.work, max(MIN_SEARCH_SECONDS, limits.wall))
    change_status, change_cost, repair = "", 0, None
    if ctx.previous is not None:
        # Stage 1: the fewest weighted changes. Staffing shortfalls (unfilled_role) count
        # here too: a demand the office raised is not left unstaffed to save a change.
        # The search keeps the months the change does not reach as published
        # (replan.stage_one); should that leave no repair, the whole model is searched.
        one = replan.stage_one(ctx)
        changes = sum((t.weight * t.changed for t in ctx.change_terms if t.weight), start=0)
        original = sum((t.weight * t.amount for t in ctx.penalties if t.weight), start=0)
        code, solver, stage = _stage_one(search, model, one, changes, limits.scaled(0.5))
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return PartResult(part, ctx.part, STATUS_NAMES.get(code, str(code)), stats=stats,
                              work=search.work, wall_stopped=search.wall_stopped)
        change_cost = int(round(solver.value(changes)))
        short_cost = int(round(solver.value(one.shortfall)))
        # Proven minimal: an optimum of a search that cannot miss a better repair
        # elsewhere, or as few changes as no plan can avoid.
        proven = code == cp_model.OPTIMAL and (
            one.closed or change_cost + short_cost <= one.forced)
        change_status = "OPTIMAL" if proven else "FEASIBLE"
        if proven and one.closed:
            # Every plan with no more changes and shortfall than this proven-minimal
            # repair keeps the unreached months as published (replan.stage_one): stage 2
            # loses nothing by searching the same neighbourhood.
            model = stage
        # Stage 2: the original objective with no more changes or shortfall, starting
        # from the stage-1 solution.
        model.add(changes <= change_cost)
        model.add(one.shortfall <= short_cost)
        _hint_all(model, solver.response_proto.solution)
        model.minimize(original)
        limits = Limits(max(0.05, limits.work - search.work),
                        max(0.1, limits.wall - solver.wall_time))
        repair = solver
    floor = None
    if resume:
        _hint_all(model, resume)
    elif ctx.previous is None and ctx.construction:
        # The construction, completed: the plan a starved search returns
        # (``constructed``). Its hinted sections (context.HINTED) are the search's start.
        code, solver = _construction(search, model, ctx.construction, limits)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            floor = solver
        else:
            log.info("part %s: the construction breaks a hard rule of the model (%s)",
                     part.name, STATUS_NAMES.get(code, str(code)))
        limits = Limits(max(0.05, limits.work - search.work),
                        max(0.1, limits.wall - solver.wall_time))
    # A volunteering part with less work than its first plan takes would spend it all
    # and find nothing: it goes straight to the LP-guided first plan below.
    doomed = bool(start) and ctx.previous is None
    if (late or (doomed and start == "construction")) and floor is not None:
        code, solver = cp_model.UNKNOWN, floor
        # Late, a part left to its construction loses nothing: only a search is cut.
        search.wall_stopped = late and start != "construction"
        late = True  # no first-plan search either
    elif doomed:
        code, solver = cp_model.UNKNOWN, None
    else:
        code, solver = search.run(model, limits,
                                  cuts=not (ctx.assign and limits.work < CUTS_WORK),
                                  report=report, light=light_presolve(ctx.part))
    if resume and code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PartResult(part, ctx.part, STATUS_NAMES.get(code, str(code)), stats=stats,
                          work=search.work, wall_stopped=search.wall_stopped)
    if code == cp_model.UNKNOWN and ctx.previous is not None:
        # Stage 2 found nothing (cut by the clock): stage 1's repair is a whole plan.
        # (No first-solution search from stage 2's complete hint: OR-Tools 9.15 aborts
        # the process when a search stops at a solution found while loading one.)
        code, solver = cp_model.FEASIBLE, repair
    constructed, starved_bound, restricted = False, 0.0, False
    if code == cp_model.FEASIBLE and floor is not None and ctx.previous is None \
            and solver.objective_value > floor.objective_value:
        # Cut at its work with a plan worse than the construction it was hinted with
        # (a hosting group whose hint CP-SAT's presolve left behind): the construction,
        # with the search's bound, which holds for every plan of the part.
        log.info("part %s: its search ended at %s, above the construction's %s: the "
                 "construction", part.name, solver.objective_value, floor.objective_value)
        starved_bound = max(0.0, float(solver.best_objective_bound))
        code, solver, constructed = cp_model.FEASIBLE, floor, True
    if code == cp_model.UNKNOWN and floor is not None:
        # Starved (too little work, or cut by the clock): the construction -- unless the
        # budget planned the LP-guided first plan for this part (``start``: a
        # volunteering part below its floor, default instance 645 against the
        # construction's 735), which is tried with the part's own work within the time
        # it has left, the better of the two kept. No search past the part's work: at
        # K = 10 and 60 s the rotation parts' unbudgeted first plans (up to
        # FALLBACK_WORK each) took the solve 4.6 units past its budget and past the
        # limit, for plans no better than the construction's.
        starved_bound = (0.0 if late or solver is None
                         else max(0.0, float(solver.best_objective_bound)))
        left = limits.wall - (time.perf_counter() - started)
        if start == "first plan" and not late and left > 0.1:
            model.clear_hints()
            code, solver = search.run(model, Limits(limits.work, left), LINEARIZATION,
                                      False, first_only=True)
            if code == cp_model.UNKNOWN and solver.wall_time >= 0.98 * left:
                search.wall_stopped = True  # another machine may have found one in time
        elif start == "first plan" and not late:
            search.wall_stopped = True
        elif start == "lp plan" and not late and left > 0.1:
            # Too little work for a first plan: a search of the candidate assignments
            # the LP relaxation uses (staffing_lp.restricted). Its own bound bounds only
            # that neighbourhood, so the part's is the LP's (below).
            relaxation = staffing_lp.relax(ctx)
            if relaxation is not None:
                code, solver = search.run(staffing_lp.restricted(ctx, relaxation),
                                          Limits(staffing_lp.PLAN_WORK, left), cuts=False)
                restricted = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                if code == cp_model.UNKNOWN and solver.wall_time >= 0.98 * left:
                    search.wall_stopped = True
        elif start == "lp plan" and not late:
            search.wall_stopped = True
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) \
                or solver.objective_value > floor.objective_value:
            if start == "construction":
                log.info("part %s: its share of the work is below its floor: the "
                         "construction", part.name)
            else:
                log.info("part %s found nothing within %.1f work: the construction",
                         part.name, limits.work)
            code, solver, constructed = cp_model.FEASIBLE, floor, True
    for lin, cuts in FALLBACKS:
        if code != cp_model.UNKNOWN:
            break
        # Nothing found within the part's work: take the first plan a quicker search finds
        # -- the LP-guided one without cuts (a good plan, within ~1.5 s for a rotation
        # and ~4 s for a county's volunteering), else the plain one (within a second or
        # two, but poor). A plan with its gap in the report beats no plan.
        code, solver = search.run(model, Limits(FALLBACK_WORK, FALLBACK_WALL), lin, cuts,
                                  first_only=True)
        log.info("part %s found nothing within %.1f work; first solution at "
                 "linearization %d: %s", part.name, limits.work, lin,
                 STATUS_NAMES.get(code, str(code)))
    status = "FEASIBLE" if constructed else STATUS_NAMES.get(code, str(code))
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PartResult(part, ctx.part, status, stats=stats, change_status=change_status,
                          work=search.work, wall_stopped=search.wall_stopped)
    changed = [(t.kind, t.key) for t in ctx.change_terms if solver.value(t.changed)]
    plan = extract_part(ctx, solver)
    # The objective of the plan returned is what its penalty amounts cost -- the figure
    # the checker recomputes. CP-SAT's own objective_value has been seen to differ from
    # it once, on a hosting group stopped by its time limit on a loaded machine (142
    # against 132); the plan, not the counter, is what users get.
    objective = plan.cost
    if objective != int(round(solver.objective_value)) and solver is not repair:
        log.warning("part %s: CP-SAT reported objective %s, its plan costs %s (%s)",
                    part.name, solver.objective_value, objective, status)
    # The construction's search had every decision fixed: the bound is the starved one's.
    # A search of the LP's support bounds only that support.
    bound = (starved_bound if constructed or restricted
             else float(solver.best_objective_bound))
    if restricted and not constructed:
        status = "FEASIBLE"
    if ctx.assign and (code != cp_model.OPTIMAL or restricted) and ctx.previous is None:
        # A volunteering part cut short: the LP relaxation's bound (staffing_lp), or
        # the flow's (staffing.lower_bound) should the LP not be run or solved, when it
        # is the better one (a construction taken without a search has none else).
        # (Not for a part the budget left to the construction: the LP's second or so
        # is paid from the work of a part that searches, budget.lp_work.)
        lp = staffing_lp.lp_bound(ctx) if start != "construction" and not late else None
        bound = max(bound, float(staffing.lower_bound(ctx) if lp is None else lp))
    if (ctx.chair or ctx.meetings) and code != cp_model.OPTIMAL and ctx.previous is None:
        # Likewise a rotation: the least its rotation and meetings can cost.
        bound = max(bound, float(bounds.rotation_bound(ctx)))
    bound = min(bound, float(objective))
    # A small part's unproven plan, for its second search (every model variable has a
    # value in the construction's model too: a clone with the decisions fixed).
    small = part.small and ctx.previous is None
    solution = (tuple(solver.response_proto.solution)
                if small and objective > bound else ())
    return PartResult(part, ctx.part, status, objective, bound, plan,
                      stats, change_status, change_cost, changed,
                      work=search.work, wall_stopped=search.wall_stopped,
                      constructed=constructed, solution=solution)
