"""The solve, as a recipe: pre-checks → pairing → parts → keep → run → assemble.

``solve(instance)`` returns a :class:`Result` holding a plain-data
:class:`~xinglian.models.plan.Plan`; nothing outside this package sees an OR-Tools type.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..checker import check
from ..models.hosting import expand_slots
from ..models.instance import Instance
from ..models.plan import PartInfo, Plan, SolveInfo
from ..models.rules import rule
from ..models.timeline import Timeline, WorkCalendar
from . import care, keep
from .budget import Budget
from .build import build
from .care import Pairing
from .construct import construct
from .constructed import run_part
from .context import SECTIONS, Hint, Part
from .decompose import decompose
from .extract import PartPlan, PenaltyAmount, assemble
from .precheck import precheck
from .run import PartResult
from .runner import PartRunner, Progress

if TYPE_CHECKING:
    from .cluster import ClusterRunner

log = logging.getLogger(__name__)



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
    wall_stopped: bool = False
    """The wall-clock safety net cut a search short (another run may differ)."""

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, (self.objective - self.bound) / max(1, abs(self.objective)))


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 2,
    calendar: WorkCalendar | None = None,
    progress: Progress | None = None,
    on_part: Callable[[int, int], None] | None = None,
    run_prechecks: bool = True,
    decompose_parts: bool = True,
    previous: Plan | None = None,
    today: dt.date | None = None,
    previous_instance: Instance | None = None,
    work: float | None = None,
    cluster: str | None = None,
    started: float | None = None,
) -> Result:
    """Solve the yearly plan.

    Parameters
    ----------
    instance
        A validated instance.
    time_limit
        Seconds for the whole solve on the reference machine. It becomes a fixed amount
        of work (solver/budget.py) that stops every search, so the same instance, seed
        and workers give the same plan on any machine and under any load; the clock
        stops a search only when the work would overrun the limit (then
        ``Result.wall_stopped`` and ``plan.solve.wall_stopped`` are true).
    seed, workers
        CP-SAT's random seed and number of threads. Independent parts are searched
        ``workers`` at a time, one thread each (a plan that is one part gets all threads,
        interleaved deterministically).
    calendar
        The work calendar; computed from the instance when omitted.
    progress
        Called with (objective, bound, seconds) as parts finish (or, for one part, at
        each improving solution), summed over the parts done so far.
    on_part
        Called with (parts done, parts in all) as parts finish.
    run_prechecks
        Run the plain-Python pre-checks first (tests switch them off to exercise the
        CP-SAT model's own rules).
    decompose_parts
        Solve independent parts (solver/decompose.py) apart; False builds one model.
    previous, today
        Re-plan against ``previous``: freeze what ended before ``today``, then minimise
        the weighted number of changed decisions (proven minimal when the result's
        ``change_status`` is OPTIMAL), then the original objective.
    previous_instance
        The instance ``previous`` was made from: parts whose inputs did not change are
        kept as published without being solved (solver/keep.py).
    work
        The work budget itself (CP-SAT deterministic seconds, all threads), instead of
        the one ``time_limit`` gives; ``time_limit`` is then only the safety net.
    cluster
        Solve the parts as tasks on a Dask cluster: ``local:N`` or a scheduler address
        (solver/cluster.py). The same budgets, so the same plan as in this process.
    started
        The ``time.perf_counter()`` from which ``time_limit`` counts (default: now). The
        CLI passes its own start, so that reading the instance is within the limit (a
        generated K = 10 province: about 5 s). Only the safety net reads it.

    Raises
    ------
    ClusterError
        When the cluster cannot be started or reached (before any work starts).

    CalendarError
        When the plan year has no holiday data.
    """
    if cluster is not None:
        from .cluster import Cluster

        with Cluster(cluster) as connected:
            return _solve(instance, time_limit, seed, workers, calendar, progress, on_part,
                          run_prechecks, decompose_parts, previous, today, previous_instance,
                          work, connected, started)
    return _solve(instance, time_limit, seed, workers, calendar, progress, on_part,
                  run_prechecks, decompose_parts, previous, today, previous_instance, work,
                  None, started)


def _solve(instance, time_limit, seed, workers, calendar, progress, on_part, run_prechecks,
           decompose_parts, previous, today, previous_instance, work, cluster,
           started) -> Result:
    started = time.perf_counter() if started is None else started
    timeline = Timeline(instance, calendar)
    problems = precheck(instance, timeline) if run_prechecks else []
    if problems:
        return Result("INFEASIBLE", None, problems=problems,
                      wall_seconds=time.perf_counter() - started)
    keep.carry_pools(instance, previous_instance)
    pairing = _pair(instance, previous, time_limit, seed)
    if pairing.status not in ("OPTIMAL", "FEASIBLE"):
        return Result(pairing.status, None, wall_seconds=time.perf_counter() - started,
                      problems=["the children cannot all be paired with a caring mother "
                                "(capacity or distance)"])
    parts: list[Part | None] = (list(decompose(instance, timeline, pairing.pairs, previous))
                                if decompose_parts else [None])
    kept = _kept(instance, timeline, parts, previous, previous_instance, pairing)
    reach = keep.reached_months(instance, previous_instance, previous)
    # Every part starts from the construction (a re-plan from the published plan), and
    # a part whose search finds nothing within its work returns it.
    hint = _construction(instance, timeline, pairing.pairs) if previous is None else None
    to_solve = [p for p in parts if id(p) not in kept]
    # Parts run `workers` at a time with one thread each; a lone part gets every thread.
    threads = workers if len(to_solve) == 1 else min(workers, max(1, len(to_solve)))
    budget = Budget.plan(instance, to_solve, time_limit, threads, started, work,
                         hint.sections if hint is not None else frozenset())
    runner: _Runner | ClusterRunner
    if cluster is not None:
        from .cluster import ClusterRunner

        runner = ClusterRunner(cluster, instance, timeline.calendar, previous, today,
                               pairing.pairs, hint, reach, budget, seed, progress, on_part,
                               len(to_solve), started)
    else:
        def build_part(part: Part | None, light: bool, only: frozenset | None,
                       pinned: bool):
            return build(instance, timeline, part, previous, today, care_pairs=pairing.pairs,
                         hint=hint, reach=reach, light=light, only=only, pinned=pinned)

        runner = _Runner(build_part, budget, seed, workers if len(to_solve) == 1 else 1,
                         progress, on_part, len(to_solve), started, (previous, hint))
    done = list(kept.values()) + runner.run(instance, to_solve)
    rank = {id(p): k for k, p in enumerate(parts)}
    done.sort(key=lambda r: rank[id(r.source)])  # a fixed order, whatever finished first
    info = dict(seed=seed, workers=workers, time_limit=time_limit,
                calendar_source=timeline.calendar.source, work_budget=round(budget.work, 3),
                cluster=cluster.address if cluster is not None else None,
                retried=tuple(cluster.retried) if cluster is not None else ())
    return _result(instance, done, pairing, info, runner.build_seconds, len(kept), started,
                   previous is not None, expand_slots(instance, timeline.calendar))


def _construction(instance: Instance, timeline: Timeline, pairs: dict[str, str]) -> Hint:
    """The construction (solver/construct.py), with the sections the checker finds
    within every hard rule: only those are hinted."""
    plan = construct(instance, timeline.calendar, pairs, objective=False)
    broken = {rule(v.rule).sub_problem for v in check(instance, plan, timeline.calendar)}
    sections = set(SECTIONS)
    if broken & {"rotation", "meetings", "term"}:
        sections.discard("bases")
    for name in ("hosting", "volunteering", "care"):
        if name in broken:
            sections.discard(name)
    if "duties" in broken:  # a double booking: of whom or what, the rule does not say
        sections.clear()
    if broken:
        log.warning("the construction breaks %s; hinted only: %s", sorted(broken),
                    sorted(sections))
    return Hint(plan, frozenset(sections))


def _pair(instance: Instance, previous: Plan | None, time_limit: float, seed: int) -> Pairing:
    """Caring mothers, stage 1: the pairs (small models; the visits come in the parts)."""
    published = ({p.child: p.mother for p in previous.care.pairs}
                 if previous is not None else None)
    return care.pair_children(instance, work=max(1.0, time_limit / 10), seed=seed,
                              previous=published, time_limit=max(1.0, time_limit / 5))


def _kept(instance: Instance, timeline: Timeline, parts: list[Part | None],
          previous: Plan | None, previous_instance: Instance | None, pairing: Pairing
          ) -> dict[int, PartResult]:
    """Re-planning: the parts the change does not reach, with their published decisions."""
    real = [p for p in parts if p is not None]
    infos = keep.kept_parts(real, instance, previous_instance, previous, pairing.pairs)
    if not infos:
        return {}
    assert previous is not None
    published = keep.Published(previous)
    out: dict[int, PartResult] = {}
    for part in real:
        info = infos.get(id(part))
        if info is not None:
            out[id(part)] = PartResult(
                part, part, info.status, info.objective, info.bound,
                keep.kept_pieces(part, published, info, instance),
                {"booleans": 0, "constraints": 0}, "OPTIMAL", 0, [], kept=True)
    return out


class _Runner(PartRunner):
    """Builds and searches parts, ``threads`` at a time, each with its fixed work."""

    def __init__(self, build_part, budget: Budget, seed: int, threads_per_part: int,
                 progress: Progress | None, on_part: Callable[[int, int], None] | None,
                 total: int, started: float, start_from: tuple[Plan | None, Hint | None]
                 ) -> None:
        super().__init__(budget, seed, progress, on_part, total, started)
        self.build_part = build_part
        self.threads_per_part = threads_per_part
        self.previous, self.hint = start_from
        """The published plan of a re-plan, the construction of a first plan."""

    def _phase(self, instance: Instance, parts: list[Part | None],
               work: dict[int, float], resume: dict[int, tuple[int, ...]] | None = None
               ) -> None:
        if not parts:
            return
        resume = resume or {}
        with ThreadPoolExecutor(max_workers=max(1, min(self.budget.threads, len(parts)))) \
                as pool:
            for result in pool.map(lambda p: self._one(instance, p, work[id(p)],
                                                       resume.get(id(p), ())), parts):
                self.done.append(result)
                self._finished(self.done)

    def _one(self, instance: Instance, part: Part | None, work: float,
             resume: tuple[int, ...]) -> PartResult:
        report = None
        if self.progress and self.total == 1:
            def report(obj: int, bound: float, secs: float) -> None:
                self.progress(obj, bound, time.perf_counter() - self.started)
        result = run_part(functools.partial(self.build_part, part), part,
                          lambda: self.budget.limits(work), self.seed,
                          self.threads_per_part, self.budget.start(instance, part, work),
                          self.previous, self.hint, report, resume)
        self.build_seconds += result.build_seconds
        log.debug("part %s: %s %s/%s in %.2f s (work %.2f of %.2f, build %.2f s)",
                  result.part.name, result.status, result.objective, result.bound,
                  result.seconds, result.work, work, result.build_seconds)
        return result


def _result(instance: Instance, done: list[PartResult], pairing: Pairing, info: dict,
            build_seconds: float, kept: int, started: float, replanning: bool,
            all_slots: list) -> Result:
    """The plan assembled from the parts' plans, with the solve's figures."""
    wall = time.perf_counter() - started
    stats = {k: sum(r.stats.get(k, 0) for r in done) for k in ("booleans", "constraints")}
    stats["parts"] = len(done)
    stats["kept"] = kept
    wall_stopped = any(r.wall_stopped for r in done)
    if any(r.plan is None for r in done):
        statuses = [r.status for r in done]
        status = next((s for s in statuses if s == "INFEASIBLE"),
                      next(r.status for r in done if r.plan is None))
        return Result(status, None, wall_seconds=wall, build_seconds=build_seconds,
                      stats=stats, problems=[r.problem for r in done if r.problem],
                      wall_stopped=wall_stopped)
    statuses = [r.status for r in done] + [pairing.status]
    status = "OPTIMAL" if all(s == "OPTIMAL" for s in statuses) else "FEASIBLE"
    objective = sum(r.objective for r in done) + pairing.objective
    bound = float(sum(r.bound for r in done)) + pairing.bound
    part_info = tuple(
        PartInfo(name=r.part.name, status=r.status, objective=r.objective,
                 bound=round(r.bound, 3), seconds=round(r.seconds, 3),
                 variables=r.stats.get("booleans", 0), key=r.part.key, kept=r.kept,
                 penalties={p.rule: p.amount for p in r.plan.penalties if p.amount},
                 work=round(r.work, 3), wall_stopped=r.wall_stopped,
                 constructed=r.constructed)
        for r in done if r.plan is not None)
    pieces: list[PartPlan] = [r.plan for r in done if r.plan is not None]
    plan = assemble(
        instance, pieces, pairing,
        SolveInfo(status=status, objective=objective, bound=bound,
                  gap=max(0.0, (objective - bound) / max(1, abs(objective))),
                  wall_seconds=round(wall, 3), parts=part_info,
                  work=round(sum(r.work for r in done), 3), wall_stopped=wall_stopped,
                  **info),
        all_slots,
    )
    result = Result(status, plan, objective, bound, wall, build_seconds, stats=stats,
                    wall_stopped=wall_stopped)
    if replanning:
        result.change_status = ("OPTIMAL" if all(r.change_status == "OPTIMAL" for r in done)
                                else "FEASIBLE")
        result.change_cost = sum(r.change_cost for r in done)
        result.changed = [c for r in done for c in r.changed]
    return result


__all__ = ["PenaltyAmount", "Result", "solve"]
