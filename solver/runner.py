"""What the in-process runner (solve._Runner) and the Dask one (cluster.ClusterRunner)
share: each part's fixed share of the work, the biggest searches first and the parts
left to their construction last, and the progress report after each part."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from ..models.instance import Instance
from .budget import Budget, need_work
from .context import Part
from .run import PartResult

Progress = Callable[[int, float, float], None]
"""Called with (objective, bound, seconds since the start)."""


class PartRunner:
    """Runs parts with the budgets of ``budget``; subclasses say how (``_phase``)."""

    #: Report the sums after a part also when it is the only one (a runner that cannot
    #: report a lone part's own progress solution by solution).
    report_lone_part = False

    def __init__(self, budget: Budget, seed: int, progress: Progress | None,
                 on_part: Callable[[int, int], None] | None, total: int,
                 started: float) -> None:
        self.budget, self.seed = budget, seed
        self.progress, self.on_part = progress, on_part
        self.total, self.started = total, started
        self.done: list[PartResult] = []
        self.build_seconds = 0.0

    def run(self, instance: Instance, parts: list[Part | None]) -> list[PartResult]:
        work = self.budget.shares(instance, parts)
        # The searches first, the biggest of them first, so that the long searches start
        # at once and the small parts fill the other threads around them; the parts the
        # budget leaves to their construction last: should the clock run out (a slow or
        # busy machine), it runs out on parts that lose nothing by it -- they take the
        # same construction, priced the same, late or not (constructed.run_part).
        # Generated K = 10: 20 such parts, 8-10 s of the minute.
        order = sorted(parts, key=lambda p: (
            self.budget.start(instance, p, work[id(p)]) == "construction",
            -need_work(instance, p)))
        self._phase(instance, order, work)
        # The small parts left unproven, again with what the others left (a fixed
        # function of the work each search used: budget.Budget.top_ups).
        again = self.budget.top_ups(instance, parts, work, self.done)
        if again:
            first, self.done = self.done, []
            self._again = True
            self._phase(instance, [p for p in order if id(p) in again], again,
                        {id(r.source): r.solution for r in first if id(r.source) in again})
            self._again = False
            second = {id(r.source): r for r in self.done}
            self.done = [_better(r, second[id(r.source)]) if id(r.source) in second else r
                         for r in first]
            self._finished(self.done)
        return self.done

    def _phase(self, instance: Instance, parts: list[Part | None],
               work: dict[int, float], resume: dict[int, tuple[int, ...]] | None = None
               ) -> None:
        """Run ``parts`` with their ``work``, appending their results to ``done``;
        ``resume``: where a part's search starts (run.solve_part)."""
        raise NotImplementedError

    _again = False
    """Searching small parts again (``run``): the progress was reported already."""

    def _finished(self, results: list[PartResult]) -> None:
        """After each part: ``results`` are all the parts finished so far."""
        if self._again:
            return
        if self.on_part:
            self.on_part(len(results), self.total)
        if self.progress and (self.total > 1 or self.report_lone_part):
            self.progress(sum(r.objective for r in results), sum(r.bound for r in results),
                          time.perf_counter() - self.started)


def _better(first: PartResult, second: PartResult) -> PartResult:
    """The better plan of two searches of one part (the first on a tie), with the
    higher of their bounds -- both hold -- and the work and time of both."""
    best = first
    if second.plan is not None and second.status in ("OPTIMAL", "FEASIBLE") and (
            first.plan is None or second.objective < first.objective):
        best = second
    bound = max(first.bound, second.bound)
    return dataclasses.replace(
        best, bound=bound,
        status="OPTIMAL" if best.plan is not None and best.objective <= bound else best.status,
        work=first.work + second.work, seconds=first.seconds + second.seconds,
        build_seconds=first.build_seconds + second.build_seconds,
        wall_stopped=first.wall_stopped or second.wall_stopped)
