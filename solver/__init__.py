"""The CP-SAT model of a yearly plan: rotation and joint meetings, solved together.

``solve(instance)`` builds one model from the rule registry below, solves it and returns
a :class:`Result` holding a plain-data :class:`~xinglian.models.plan.Plan`. Nothing
outside this package sees an OR-Tools type.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from ..models.hosting import place_themes
from ..models.instance import Instance
from ..models.plan import (
    Hosting,
    Meeting,
    Penalty,
    Plan,
    RotationTerm,
    SkippedSlot,
    SolveInfo,
    Unfilled,
)
from ..models.timeline import Timeline, WorkCalendar
from . import duties, hosting, meetings, rotation
from .context import ModelContext
from .precheck import precheck

Rule = Callable[[ModelContext], None]

#: Hard rules in the order of docs/rules.md. Names are what users read.
HARD_RULES: tuple[tuple[str, Rule], ...] = (
    ("one_chair_per_period", rotation.add_one_chair_per_period),
    ("chair_available", rotation.add_chair_available),
    ("one_presidium_at_a_time", rotation.add_one_presidium_at_a_time),
    ("max_terms", rotation.add_max_terms),
    ("pinned_term", rotation.add_pinned_terms),
    ("meeting_per_quarter", meetings.add_meeting_per_quarter),
    ("meeting_venue", meetings.add_meeting_venue_open),
    ("meeting_host", meetings.add_meeting_host),
    ("pinned_meeting", meetings.add_pinned_meetings),
    ("hosting_slot", hosting.add_hosting_slot),
    ("hosting_gap", hosting.add_hosting_gap),
    ("hosting_turns", hosting.add_hosting_turns),
    ("pinned_hosting", hosting.add_pinned_hosting),
    ("no_double_booking", duties.add_no_double_booking),
)

#: Soft rules; each registers one or more named penalty terms.
SOFT_RULES: tuple[Rule, ...] = (
    rotation.back_to_back_penalties,
    rotation.short_gap_penalties,
    rotation.uneven_terms_penalties,
    rotation.period_preference_penalties,
    meetings.meeting_penalties,
    hosting.hosting_penalties,
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


def build(instance: Instance, timeline: Timeline) -> ModelContext:
    """Build the CP-SAT model: variables, every hard rule, every soft rule, objective."""
    ctx = ModelContext(instance, timeline)
    rotation.add_variables(ctx)
    meetings.add_variables(ctx)
    hosting.add_variables(ctx)
    for _, add in HARD_RULES:
        add(ctx)
    for penalties in SOFT_RULES:
        penalties(ctx)
    ctx.model.minimize(
        sum((t.weight * t.amount for t in ctx.penalties if t.weight), start=0)
    )
    return ctx


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 2,
    calendar: WorkCalendar | None = None,
    progress: Callable[[int, float, float], None] | None = None,
    run_prechecks: bool = True,
) -> Result:
    """Solve the yearly plan.

    Parameters
    ----------
    instance
        A validated instance.
    time_limit
        Wall-clock limit in seconds for the search.
    seed, workers
        CP-SAT's random seed and number of workers. The same seed and workers give the
        same plan (search is interleaved deterministically when ``workers > 1``).
    calendar
        The work calendar; computed from the instance when omitted.
    progress
        Called with (objective, bound, seconds) at each improving solution.
    run_prechecks
        Run the plain-Python pre-checks first (tests switch them off to exercise the
        CP-SAT model's own rules).

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
    ctx = build(instance, timeline)
    built = time.perf_counter()
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = float(time_limit)
    params.random_seed = int(seed)
    params.num_workers = int(workers)
    if workers > 1:
        # Deterministic parallel search: same seed and workers -> same plan.
        params.interleave_search = True
    callback = _Progress(progress) if progress else None
    code = solver.solve(ctx.model, callback)
    status = STATUS_NAMES.get(code, str(code))
    wall = time.perf_counter() - started
    stats = {
        "booleans": len(ctx.model.proto.variables),
        "constraints": len(ctx.model.proto.constraints),
    }
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Result(status, None, wall_seconds=wall, build_seconds=built - started,
                      stats=stats)
    objective = int(round(solver.objective_value))
    bound = float(solver.best_objective_bound)
    plan = extract_plan(
        ctx, solver,
        SolveInfo(status=status, objective=objective, bound=bound,
                  gap=max(0.0, (objective - bound) / max(1, abs(objective))),
                  wall_seconds=round(wall, 3), **info),
    )
    return Result(status, plan, objective, bound, wall, built - started, stats=stats)


def extract_plan(ctx: ModelContext, solver: cp_model.CpSolver, info: SolveInfo) -> Plan:
    """Read a solution into plain data."""
    inst, tl = ctx.instance, ctx.timeline
    terms: list[RotationTerm] = []
    chair_of: dict[tuple[str, int], str] = {}
    for base in inst.bases:
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
    meets.sort(key=lambda m: (m.start, m.base))
    themes = {t.slot: t.name for t in place_themes(inst, ctx.all_slots)[0]}
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
                             theme=themes.get(sid)))
    turns.sort(key=lambda h: (h.start, h.venue))
    skipped = tuple(
        SkippedSlot(id=s.id, venue=s.venue, start=tl.at(s.date, f"{s.start:%H:%M}"),
                    end=tl.at(s.date, f"{s.end:%H:%M}"), why=s.obstacle or "")
        for s in ctx.all_slots if not s.usable
    )
    penalties = []
    for term in ctx.penalties:
        amount = int(solver.value(term.amount))
        hits = []
        for expr, coef, text in term.parts:
            v = solver.value(expr) * coef
            if v:
                hits.append((-v, text))
        hits.sort()
        penalties.append(Penalty(rule=term.rule, weight=term.weight, amount=amount,
                                 cost=term.weight * amount,
                                 worst=tuple(text for _, text in hits[:5])))
    return Plan(
        instance=inst.id,
        year=inst.year,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        solve=info,
        rotation=tuple(terms),
        meetings=tuple(meets),
        hosting=tuple(turns),
        hosting_skipped=skipped,
        unfilled=tuple(unfilled),
        penalties=tuple(penalties),
    )
