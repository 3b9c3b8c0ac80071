"""What the in-process runner (solve._Runner) and the Dask one (cluster.ClusterRunner)
share: each part's fixed share of the work, the biggest parts first, and the progress
report after each part."""

from __future__ import annotations

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
        # The biggest first, so that the long searches start at once and the small
        # parts fill the other threads around them.
        self._phase(instance, sorted(parts, key=lambda p: -need_work(instance, p)), work)
        return self.done

    def _phase(self, instance: Instance, parts: list[Part | None],
               work: dict[int, float]) -> None:
        raise NotImplementedError

    def _finished(self, results: list[PartResult]) -> None:
        """After each part: ``results`` are all the parts finished so far."""
        if self.on_part:
            self.on_part(len(results), self.total)
        if self.progress and (self.total > 1 or self.report_lone_part):
            self.progress(sum(r.objective for r in results), sum(r.bound for r in results),
                          time.perf_counter() - self.started)
