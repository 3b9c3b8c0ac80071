"""The CP-SAT model of a yearly plan: rotation and joint meetings, solved together.

``solve(instance)`` builds one model from the rule registry below, solves it and returns
a :class:`Result` holding a plain-data :class:`~xinglian.models.plan.Plan`. Nothing
outside this package sees an OR-Tools type.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

from ..models.hosting import expand_slots
from ..models.instance import Instance
from ..models.plan import (
    Care,
    CarePair,
    CareVisit,
    Hosting,
    Meeting,
    PartInfo,
    Penalty,
    Plan,
    RotationTerm,
    SkippedSlot,
    SolveInfo,
    Unfilled,
    Volunteering,
)
from ..models.timeline import Timeline, WorkCalendar
from . import care, duties, hosting, keep, meetings, replan, rotation, volunteering
from .context import ModelContext, Part
from .decompose import decompose
from .precheck import precheck

Rule = Callable[[ModelContext], None]

log = logging.getLogger(__name__)

#: Hard rules in the order of docs/rules.md. Names are what users read.
HARD_RULES: tuple[tuple[str, Rule], ...] = (
    ("one_chair_per_period", rotation.add_one_chair_per_period),
    ("chair_available", rotation.add_chair_available),
    ("one_presidium_at_a_time", rotation.add_one_presidium_at_a_time),
    ("max_terms", rotation.add_max_terms),
    ("pinned_term", rotation.add_pinned_terms),
    ("meeting_per_quarter", meetings.add_meeting_per_quarter),
    ("meeting_window", meetings.add_meeting_window),
    ("meeting_venue", meetings.add_meeting_venue_open),
    ("meeting_host", meetings.add_meeting_host),
    ("pinned_meeting", meetings.add_pinned_meetings),
    ("hosting_slot", hosting.add_hosting_slot),
    ("hosting_gap", hosting.add_hosting_gap),
    ("hosting_turns", hosting.add_hosting_turns),
    ("pinned_hosting", hosting.add_pinned_hosting),
    ("role_headcount", volunteering.add_role_headcount),
    ("volunteer_monthly_load", volunteering.add_monthly_load),
    ("pinned_volunteering", volunteering.add_pinned_volunteering),
    ("care_rhythm", care.add_care_rhythm),
    ("no_double_booking", duties.add_no_double_booking),
    ("no_double_booking_personal", duties.add_personal_duties),
)

#: Soft rules; each registers one or more named penalty terms.
SOFT_RULES: tuple[Rule, ...] = (
    rotation.back_to_back_penalties,
    rotation.short_gap_penalties,
    rotation.uneven_terms_penalties,
    rotation.period_preference_penalties,
    meetings.meeting_penalties,
    hosting.hosting_penalties,
    volunteering.volunteering_penalties,
    care.care_penalties,
)

STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.UNKNOWN: "UNKNOWN",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
}


@dataclass
class Result:
    """The outcome of one solve. ``plan`` is None when no plan was found."""

    status: str
    plan: Plan | None
    objective: int | None = None
    bound: float | None = None
    wall_seconds: float = 0.0
    build_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    """Plain-language reasons when the pre-checks find a certain conflict."""
    stats: dict[str, int] = field(default_factory=dict)
    change_status: str = ""
    """Re-planning: OPTIMAL when the number of changes is proven minimal."""
    change_cost: int = 0
    changed: list[tuple[str, str]] = field(default_factory=list)
    """Re-planning: (kind, key) of every changed published decision."""

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, (self.objective - self.bound) / max(1, abs(self.objective)))


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[int, float, float], None]) -> None:
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(int(self.objective_value), self.best_objective_bound, self.wall_time)


def build(
    instance: Instance,
    timeline: Timeline,
    part: Part | None = None,
    previous: Plan | None = None,
    today: dt.date | None = None,
    explain: bool = False,
    care_pairs: dict[str, str] | None = None,
) -> ModelContext:
    """Build the CP-SAT model of ``part`` (the whole plan when None): variables, every
    hard rule, every soft rule, objective. With ``previous`` and ``today`` (re-planning)
    also the frozen past, the change terms and the previous plan as a hint.

    Raises
    ------
    replan.FrozenConflict
        When the past of ``previous`` no longer fits the instance.
    """
    ctx = ModelContext(instance, timeline, part, previous, today, explain)
    ctx.care_pairs = {c: m for c, m in (care_pairs or {}).items()
                      if part is None or part.children is None or c in part.children}
    rotation.add_variables(ctx)
    meetings.add_variables(ctx)
    hosting.add_variables(ctx)
    volunteering.add_variables(ctx)
    care.add_variables(ctx)
    for _, add in HARD_RULES:
        add(ctx)
    if explain:
        return ctx  # feasibility only: no objective
    replan.add_frozen_past(ctx)
    replan.add_frozen_volunteering(ctx)
    for penalties in SOFT_RULES:
        penalties(ctx)
    replan.change_terms(ctx)
    replan.volunteering_change_terms(ctx)
    replan.add_hints(ctx)
    replan.add_volunteering_hints(ctx)
    ctx.model.minimize(
        sum((t.weight * t.amount for t in ctx.penalties if t.weight), start=0)
    )
    return ctx


@dataclass
class _PartResult:
    part: Part
    source: Part | None
    status: str
    objective: int = 0
    bound: float = 0.0
    pieces: dict | None = None
    stats: dict[str, int] = field(default_factory=dict)
    change_status: str = ""
    change_cost: int = 0
    changed: list[tuple[str, str]] = field(default_factory=list)
    problem: str = ""
    seconds: float = 0.0
    kept: bool = False


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 2,
    calendar: WorkCalendar | None = None,
    progress: Callable[[int, float, float], None] | None = None,
    run_prechecks: bool = True,
    decompose_parts: bool = True,
    previous: Plan | None = None,
    today: dt.date | None = None,
    previous_instance: Instance | None = None,
) -> Result:
    """Solve the yearly plan.

    Parameters
    ----------
    instance
        A validated instance.
    time_limit
        Wall-clock limit in seconds for the whole search (shared among the parts).
    seed, workers
        CP-SAT's random seed and number of workers. The same seed and workers give the
        same plan (search is interleaved deterministically when ``workers > 1``).
    calendar
        The work calendar; computed from the instance when omitted.
    progress
        Called with (objective, bound, seconds) at each improving solution, summed over
        the parts solved so far.
    run_prechecks
        Run the plain-Python pre-checks first (tests switch them off to exercise the
        CP-SAT model's own rules).
    decompose_parts
        Solve independent parts (solver/decompose.py) one by one; False builds one model.
    previous, today
        Re-plan against ``previous``: freeze what ended before ``today``, then minimise
        the weighted number of changed decisions (proven minimal when the result's
        ``change_status`` is OPTIMAL), then the original objective.
    previous_instance
        The instance ``previous`` was made from: parts whose inputs did not change are
        kept as published without being solved (solver/keep.py).

    Raises
    ------
    CalendarError
        When the plan year has no holiday data.
    """
    started = time.perf_counter()
    timeline = Timeline(instance, calendar)
    info = dict(seed=seed, workers=workers, time_limit=time_limit,
                calendar_source=timeline.calendar.source)
    problems = precheck(instance, timeline) if run_prechecks else []
    if problems:
        return Result("INFEASIBLE", None, problems=problems,
                      wall_seconds=time.perf_counter() - started)
    # Leave a moment at the end for reading and assembling the parts' plans.
    deadline = started + time_limit - min(1.0, 0.01 * time_limit)
    keep.carry_pools(instance, previous_instance)
    # Caring mothers, stage 1: the pairs (a small model), then the visits in the parts.
    published_pairs = ({p.child: p.mother for p in previous.care.pairs}
                       if previous is not None else None)
    pairing = care.pair_children(instance, time_limit=max(1.0, time_limit / 10), seed=seed,
                                 previous=published_pairs)
    if pairing.status not in ("OPTIMAL", "FEASIBLE"):
        return Result(pairing.status, None, wall_seconds=time.perf_counter() - started,
                      problems=problems or ["the children cannot all be paired with a caring "
                                            "mother (capacity or distance)"])
    parts: list[Part | None] = (list(decompose(instance, timeline, pairing.pairs, previous))
                                if decompose_parts else [None])
    # Re-planning: parts the change does not reach keep their published decisions.
    all_parts = list(parts)
    kept = keep.kept_parts([p for p in parts if p is not None], instance, previous_instance,
                           previous, pairing.pairs)
    done: list[_PartResult] = []
    if kept:
        assert previous is not None
        slots = expand_slots(instance, timeline.calendar)
        published = keep.Published(previous)
        for part in parts:
            part_info = kept.get(id(part))
            if part is None or part_info is None:
                continue
            done.append(_PartResult(
                part, part, part_info.status, part_info.objective, part_info.bound,
                keep.kept_pieces(part, published, part_info, instance, slots),
                {"booleans": 0, "constraints": 0}, "OPTIMAL", 0, [], kept=True))
        parts = [p for p in parts if id(p) not in kept]
    # Independent parts run side by side, `workers` at a time, one CP-SAT thread each
    # (CP-SAT releases the GIL while it searches). A plan that is one part gets all the
    # workers instead.
    threads = workers if len(parts) == 1 else 1
    build_times: list[float] = []
    # Time: every part has an expected need (seconds, by size) and a floor (what it
    # takes to find a good first plan). The thread-seconds left -- less what the parts
    # running beside this one hold, and what the parts still to come will spend on
    # being built (estimated from the builds so far) -- are shared in proportion to the
    # needs still to come when they cover them; when they do not, every part gets its
    # floor and the rest is shared by need above the floor; when even the floors are
    # not covered, by floor. A part that proves optimal early hands its unused time on.
    sizes = {id(p): _size(instance, p) for p in parts}
    floors = {id(p): min(sizes[id(p)], _floor(instance, p)) for p in parts}
    left = {"need": float(sum(sizes.values())), "floor": float(sum(floors.values())),
            "built": 0.0, "need_built": 0.0}
    running: dict[int, float] = {}  # part -> when its budget ends
    lock = threading.Lock()
    threads_in_all = min(workers, len(parts))

    def run(part: Part | None) -> _PartResult:
        t0 = time.perf_counter()
        try:
            ctx = build(instance, timeline, part, previous, today, care_pairs=pairing.pairs)
        except replan.FrozenConflict as e:
            return _PartResult(part or Part("whole", True), part, "INFEASIBLE", problem=str(e))
        now = time.perf_counter()
        build_times.append(now - t0)
        need = sizes[id(part)]
        remaining = deadline - now
        with lock:
            left["built"] += now - t0
            left["need_built"] += need
            floor, all_need, all_floor = floors[id(part)], left["need"], left["floor"]
            left["need"] -= need
            left["floor"] -= floor
            rate = max(BUILD_PER_NEED, left["built"] / max(left["need_built"], 1e-9))
            # thread-seconds left, less what the parts running beside this one hold and
            # what the parts to come will take to build
            free = max(0.0, remaining * threads_in_all
                       - sum(max(0.0, end - now) for end in running.values())
                       - rate * left["need"])
            budget = share(free, need, floor, all_need, all_floor)
            # A part that starts late still gets a moment: a plan slightly over the
            # time limit beats no plan at all.
            budget = max(min(MIN_PART_SECONDS, time_limit), min(remaining, budget))
            running[id(part)] = now + budget
        report = None
        if progress and len(parts) == 1:
            def report(obj: int, bound: float, secs: float) -> None:
                progress(obj, bound, time.perf_counter() - started)
        result = _solve_part(ctx, budget, seed, threads, report)
        result.seconds = time.perf_counter() - t0
        log.debug("part %s: %s %s/%s in %.2f s (budget %.2f s, build %.2f s)",
                  result.part.name, result.status, result.objective, result.bound,
                  result.seconds, budget, now - t0)
        with lock:
            running.pop(id(part), None)
        return result

    # Small parts first: they prove optimal in moments and hand their unused share to
    # the big ones (volunteering), which then split what is left by size.
    order = sorted(parts, key=lambda p: sizes[id(p)])
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(order)))) as pool:
        futures = [pool.submit(run, part) for part in order]
        for fut in as_completed(futures):
            done.append(fut.result())
            if progress and len(parts) > 1:
                progress(sum(r.objective for r in done), sum(r.bound for r in done),
                         time.perf_counter() - started)
    # Assemble in a fixed order, whatever order the parts finished in.
    rank = {id(p): k for k, p in enumerate(all_parts)}
    done.sort(key=lambda r: rank[id(r.source)])
    build_seconds = sum(build_times)
    wall = time.perf_counter() - started
    stats = {k: sum(r.stats.get(k, 0) for r in done) for k in ("booleans", "constraints")}
    stats["parts"] = len(all_parts)
    stats["kept"] = len(kept)
    statuses = [r.status for r in done]
    if any(r.pieces is None for r in done):
        status = next((s for s in statuses if s == "INFEASIBLE"),
                      next(r.status for r in done if r.pieces is None))
        return Result(status, None, wall_seconds=wall, build_seconds=build_seconds,
                      stats=stats, problems=[r.problem for r in done if r.problem])
    statuses.append(pairing.status)
    status = "OPTIMAL" if all(s == "OPTIMAL" for s in statuses) else "FEASIBLE"
    objective = sum(r.objective for r in done) + pairing.objective
    bound = float(sum(r.bound for r in done)) + pairing.bound
    part_info = tuple(
        PartInfo(name=r.part.name, status=r.status, objective=r.objective,
                 bound=round(r.bound, 3), seconds=round(r.seconds, 3),
                 variables=r.stats.get("booleans", 0), key=r.part.key, kept=r.kept,
                 penalties={rule: amount for rule, _, amount, _ in r.pieces["penalties"]
                            if amount})
        for r in done if r.pieces is not None)
    plan = _assemble(
        instance, done, pairing,
        SolveInfo(status=status, objective=objective, bound=bound,
                  gap=max(0.0, (objective - bound) / max(1, abs(objective))),
                  wall_seconds=round(wall, 3), parts=part_info, **info),
    )
    result = Result(status, plan, objective, bound, wall, build_seconds, stats=stats)
    if previous is not None:
        result.change_status = ("OPTIMAL" if all(r.change_status == "OPTIMAL" for r in done)
                                else "FEASIBLE")
        result.change_cost = sum(r.change_cost for r in done)
        result.changed = [c for r in done for c in r.changed]
    return result


#: The least time a part gets, even when it starts after the deadline.
MIN_PART_SECONDS = 1.0
#: CP-SAT's linearization level for every part. The fuller LP relaxation gives the
#: volunteering parts their bound, and guides the search of every kind of part to good
#: plans sooner (measured on generated counties, one thread: hosting groups proved
#: optimal in 0.2-0.7 s instead of 0.8-6.7 s, the rotation in 1.2 s instead of 1.3 s).
LINEARIZATION = 2
#: The floor of a volunteering part: single-threaded, the fuller LP finds the first,
#: already good, plan of a county after 3.5-6 s (measured on generated counties).
VOLUNTEERING_SECONDS = 7.0
#: Below this budget a volunteering part searches without LP cuts: its first plan comes
#: after ~3.6 s instead of ~5.9 s, at the price of a weaker bound (626 against 633 on
#: the default instance's part, whose plans are 641-647 either way).
CUTS_SECONDS = 12.0
#: Build seconds per second of need assumed before any part is built (measured ~0.05-0.08
#: on the default instance, more when two threads build at once).
BUILD_PER_NEED = 0.1
#: A part that found nothing in its time gets up to this long for each fallback search.
FALLBACK_SECONDS = 10.0
#: The fallback searches, in order: (linearization level, LP cuts on).
FALLBACKS = ((LINEARIZATION, False), (0, True))


def _size(instance: Instance, part: Part | None) -> float:
    """The seconds a part roughly needs (measured on the default instance, one CP-SAT
    thread): ~10 s for a county's volunteering to come near its bound, ~2 s for seven
    bases' rotation and meetings to prove optimal, less for hosting groups and visits."""
    if part is None:
        return 1.0
    roles = (sum(len(a.roles) for a in instance.activities) if part.activities is None
             else sum(len(instance.activity(a).roles) for a in part.activities
                      if instance.has_activity(a)))
    bases, children = _bases_children(instance, part)
    return (0.05 + 0.015 * roles * part.volunteering + 0.3 * bases + 0.05 * children
            + 0.3 * len(part.venues))


def _bases_children(instance: Instance, part: Part) -> tuple[int, int]:
    """The bases whose rotation and the children whose visits a part decides."""
    bases = (len(instance.bases) if part.bases is None else len(part.bases)) * part.rotation
    children = (len(instance.children) if part.children is None
                else len(part.children)) * part.care
    return bases, children


def share(free: float, need: float, floor: float, all_need: float, all_floor: float
          ) -> float:
    """One part's seconds out of ``free`` thread-seconds, given its need and floor and
    the sums of both over it and every part still to come: in proportion to need when
    ``free`` covers all needs; else the floor plus a share, by need above the floor, of
    what the floors leave; else in proportion to floor."""
    if free >= all_need:
        return free * need / max(all_need, 1e-9)
    if free >= all_floor:
        return floor + (free - all_floor) * (need - floor) / max(all_need - all_floor, 1e-9)
    return free * floor / max(all_floor, 1e-9)


def _floor(instance: Instance, part: Part | None) -> float:
    """The seconds a part needs for a good first plan (measured on generated counties,
    one thread): a county's volunteering ~3.5-6 s, seven bases' rotation ~1-1.4 s, a
    hosting group ~0.1 s, 51 children's visits ~1 s."""
    if part is None:
        return 1.0
    if part.volunteering and part.activities:
        return VOLUNTEERING_SECONDS
    bases, children = _bases_children(instance, part)
    return 0.05 + 0.3 * bases + 0.025 * children + 0.1 * len(part.venues)


def _new_solver(time_limit: float, seed: int, workers: int,
                linearization: int | None = None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    if linearization is not None:
        params.linearization_level = linearization
    params.max_time_in_seconds = max(0.1, float(time_limit))
    params.random_seed = int(seed)
    params.num_workers = int(workers)
    if workers > 1:
        # Deterministic parallel search: same seed and workers -> same plan.
        params.interleave_search = True
    return solver


def _solve_part(ctx: ModelContext, time_limit: float, seed: int, workers: int,
                report: Callable[[int, float, float], None] | None) -> _PartResult:
    started = time.perf_counter()
    model = ctx.model
    stats = {"booleans": len(model.proto.variables),
             "constraints": len(model.proto.constraints)}
    part = ctx.part or Part("whole", True)
    change_status, change_cost = "", 0
    if ctx.previous is not None:
        # Stage 1: the fewest weighted changes. Half the budget at most. Staffing
        # shortfalls (unfilled_role) count here too: a demand the office raised is not
        # left unstaffed to save a change.
        changes = sum((t.weight * t.changed for t in ctx.change_terms if t.weight), start=0)
        shortfall = sum((t.weight * t.amount for t in ctx.penalties
                         if t.rule == "unfilled_role" and t.weight), start=0)
        original = sum((t.weight * t.amount for t in ctx.penalties if t.weight), start=0)
        model.minimize(changes + shortfall)
        solver = _new_solver(time_limit / 2, seed, workers, LINEARIZATION)
        code = solver.solve(model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _PartResult(part, ctx.part, STATUS_NAMES.get(code, str(code)), stats=stats)
        change_status = STATUS_NAMES[code]
        change_cost = int(round(solver.value(changes)))
        short_cost = int(round(solver.value(shortfall)))
        # Stage 2: the original objective with no more changes or shortfall, starting
        # from the stage-1 solution.
        model.add(changes <= change_cost)
        model.add(shortfall <= short_cost)
        model.clear_hints()
        for i in range(len(model.proto.variables)):
            model.add_hint(model.get_int_var_from_proto_index(i),
                           solver.value(model.get_int_var_from_proto_index(i)))
        model.minimize(original)
        time_limit = time_limit - (time.perf_counter() - started)
    solver = _new_solver(time_limit, seed, workers, LINEARIZATION)
    if ctx.assign and time_limit < CUTS_SECONDS:
        solver.parameters.cut_level = 0
    code = solver.solve(model, _Progress(report) if report else None)
    for lin, cuts in FALLBACKS:
        if code != cp_model.UNKNOWN:
            break
        # Nothing found in the part's time: take the first plan a quicker search finds
        # -- the LP-guided one without cuts (a good plan, within ~1.5 s for a rotation
        # and ~4 s for a county's volunteering), else the plain one (within a second or
        # two, but poor). A plan with its gap in the report beats no plan.
        solver = _new_solver(max(FALLBACK_SECONDS, time_limit), seed, workers, lin)
        solver.parameters.stop_after_first_solution = True
        if not cuts:
            solver.parameters.cut_level = 0
        code = solver.solve(model)
        log.info("part %s found nothing in %.1f s; first solution at linearization %d: %s",
                 part.name, time_limit, lin, STATUS_NAMES.get(code, str(code)))
    status = STATUS_NAMES.get(code, str(code))
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _PartResult(part, ctx.part, status, stats=stats, change_status=change_status)
    changed = [(t.kind, t.key) for t in ctx.change_terms if solver.value(t.changed)]
    pieces = extract_part(ctx, solver)
    # The objective of the plan returned is what its penalty amounts cost -- the figure
    # the checker recomputes. CP-SAT's own objective_value has been seen to differ from
    # it once, on a hosting group stopped by its time limit on a loaded machine (142
    # against 132); the plan, not the counter, is what users get.
    objective = sum(weight * amount for _, weight, amount, _ in pieces["penalties"] if weight)
    if objective != int(round(solver.objective_value)):
        log.warning("part %s: CP-SAT reported objective %s, its plan costs %s (%s)",
                    part.name, solver.objective_value, objective, status)
    return _PartResult(part, ctx.part, status, objective,
                       min(float(solver.best_objective_bound), float(objective)), pieces,
                       stats, change_status, change_cost, changed)


def extract_part(ctx: ModelContext, solver: cp_model.CpSolver) -> dict:
    """Read one part's solution into plain data (lists of plan entries, penalties)."""
    inst, tl = ctx.instance, ctx.timeline
    terms: list[RotationTerm] = []
    chair_of: dict[tuple[str, int], str] = {}
    for base in ctx.bases:
        for t in range(1, inst.periods + 1):
            p = next(p for p in base.presidium if solver.boolean_value(ctx.chair[base.id, t, p]))
            chair_of[base.id, t] = p
            start, end = tl.periods[t - 1]
            terms.append(RotationTerm(base=base.id, period=t, start=start, end=end, chair=p))
    slots = inst.meetings.slots
    meets: list[Meeting] = []
    for (b, q), mv in ctx.meetings.items():
        d, s = next(k for k, lit in mv.day_slot.items() if solver.boolean_value(lit))
        venue = next(v for v, lit in mv.venue.items() if solver.boolean_value(lit))
        expected = inst.meeting_attendees(b)
        absent = tuple(p for p in expected if inst.person(p).is_unavailable(d))
        meets.append(Meeting(
            id=f"mtg-{b}-q{q}", base=b, quarter=q,
            start=tl.at(d, slots[s].start), end=tl.at(d, slots[s].end),
            venue=venue, host=chair_of[b, tl.period_of(d)],
            attendees=tuple(p for p in expected if p not in absent), absent=absent,
        ))
    themes = hosting.theme_of(ctx)
    turns: list[Hosting] = []
    unfilled: list[Unfilled] = []
    for sid, hosts in ctx.hosting.items():
        slot = ctx.slots[sid]
        start = tl.at(slot.date, f"{slot.start:%H:%M}")
        end = tl.at(slot.date, f"{slot.end:%H:%M}")
        host = next((f for f, lit in hosts.items() if solver.boolean_value(lit)), None)
        if host is None:
            venue = inst.venue(slot.venue)
            why = ("没有符合条件且当天有空的主办单位 no eligible federation is free"
                   if not hosts else "允许空缺，未安排 left empty (allowed by hosting.allow_empty)")
            unfilled.append(Unfilled(what=f"hosting slot {sid} ({venue.name} {slot.date})",
                                     missing="1 x host federation", why=why))
            continue
        turns.append(Hosting(id=sid, venue=slot.venue, federation=host, start=start, end=end,
                             theme=themes[sid].name if sid in themes else None))
    assigned = sorted((aid, pid, role) for (aid, role, pid), lit in ctx.assign.items()
                      if solver.boolean_value(lit))
    volunteering_ = [Volunteering(activity=aid, person=pid, role=role)
                     for aid, pid, role in assigned]
    if ctx.has_volunteering:
        counts: dict[tuple[str, str], int] = {}
        for aid, _pid, role in assigned:
            counts[aid, role] = counts.get((aid, role), 0) + 1
        for a in ctx.activities:
            for r in a.roles:
                got = counts.get((a.id, r.role), 0)
                if got < r.min:
                    need = f"{r.min - got} x {r.role}" + (f" ({r.skill})" if r.skill else "")
                    unfilled.append(Unfilled(
                        what=f"activity {a.id} ({a.title} {a.date} {a.start}-{a.end})",
                        missing=need, why=volunteering.why_unfilled(ctx, a, r, got)))
    visits: list[CareVisit] = []
    for (code, kind, key), cands in sorted(ctx.visits.items()):
        chosen = sorted((v.date, v.start, v.end) for v in cands if solver.boolean_value(v.lit))
        for k, (d, st, en) in enumerate(chosen, start=1):
            vid = (f"visit-{code}-{inst.year}-f{key}" if kind == "festival"
                   else f"visit-{code}-{inst.year}-q{key}-{kind}{k}")
            visits.append(CareVisit(
                id=vid, mother=ctx.care_pairs[code], child=code, kind=kind,
                start=tl.at(d, f"{st // 60:02d}:{st % 60:02d}"),
                end=tl.at(d, f"{en // 60:02d}:{en % 60:02d}")))
    penalties = []
    for term in ctx.penalties:
        hits = []
        for expr, coef, text in term.parts:
            v = solver.value(expr) * coef
            if v:
                hits.append((-v, text))
        penalties.append((term.rule, term.weight, int(solver.value(term.amount)), hits))
    return {"rotation": terms, "meetings": meets, "hosting": turns, "unfilled": unfilled,
            "penalties": penalties, "all_slots": ctx.all_slots,
            "volunteering": volunteering_, "visits": visits}


def _assemble(instance: Instance, done: list[_PartResult], pairing: care.Pairing,
              info: SolveInfo) -> Plan:
    """One plan from the parts' pieces; penalties are summed rule by rule."""
    rotation_terms: list[RotationTerm] = []
    meets: list[Meeting] = []
    turns: list[Hosting] = []
    unfilled: list[Unfilled] = []
    amounts: dict[str, list] = {}
    all_slots = []
    vol: list[Volunteering] = []
    visits: list[CareVisit] = []
    for rule, weight, amount, hits in pairing.penalties:
        amounts[rule] = [weight, amount, list(hits)]
    for r in done:
        pieces = r.pieces or {}
        rotation_terms += pieces["rotation"]
        meets += pieces["meetings"]
        turns += pieces["hosting"]
        unfilled += pieces["unfilled"]
        vol += pieces["volunteering"]
        visits += pieces["visits"]
        all_slots = pieces["all_slots"] or all_slots
        for rule, weight, amount, hits in pieces["penalties"]:
            entry = amounts.setdefault(rule, [weight, 0, []])
            entry[1] += amount
            entry[2] += hits
    order = {b.id: i for i, b in enumerate(instance.bases)}
    rotation_terms.sort(key=lambda t: (order[t.base], t.period))
    meets.sort(key=lambda m: (m.start, m.base))
    turns.sort(key=lambda h: (h.start, h.venue))
    unfilled.sort(key=lambda u: u.what)
    penalties = tuple(
        Penalty(rule=rule, weight=w, amount=a, cost=w * a,
                worst=tuple(text for _, text in sorted(hits)[:5]))
        for rule, (w, a, hits) in amounts.items()
    )
    tz = ZoneInfo(instance.timezone)
    skipped = tuple(
        SkippedSlot(id=s.id, venue=s.venue, start=dt.datetime.combine(s.date, s.start, tz),
                    end=dt.datetime.combine(s.date, s.end, tz), why=s.obstacle or "")
        for s in all_slots if not s.usable
    )
    return Plan(
        instance=instance.id,
        year=instance.year,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        solve=info,
        rotation=tuple(rotation_terms),
        meetings=tuple(meets),
        hosting=tuple(turns),
        hosting_skipped=skipped,
        volunteering=tuple(sorted(vol, key=lambda v: (v.activity, v.role, v.person))),
        care=Care(pairs=tuple(CarePair(mother=m, child=c)
                              for c, m in sorted(pairing.pairs.items())),
                  visits=tuple(sorted(visits, key=lambda v: (v.start, v.id)))),
        unfilled=tuple(unfilled),
        penalties=penalties,
    )
