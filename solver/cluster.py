"""Solve the parts of a plan on a Dask cluster (``pip install 'xinglian[cluster]'``).

Each part is one task: a worker process builds its model and searches it, with the
same work budget the in-process run would give it, so the plan is the same. The
instance (and, re-planning, the published plan) is sent to every worker once; results
come back as plain data and are assembled by the client. A worker that dies mid-solve
has its tasks re-run elsewhere by the scheduler (and up to ``RETRIES`` more times when a
task itself fails); which parts ran more than once is reported.

``address`` is ``local:N`` (a ``LocalCluster`` of N worker processes with one thread
each, on this machine) or the address of a running scheduler (``tcp://host:8786``; see
docs/cluster.md).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..models.instance import Instance
from ..models.plan import Plan
from ..models.timeline import Timeline, WorkCalendar
from .budget import MIN_PART_WORK, Budget, need_work
from .context import Hint, Part
from .run import Limits, PartResult

#: Extra attempts of a task that raised (a worker that died does not use these: the
#: scheduler re-runs its tasks by itself).
RETRIES = 2
#: Seconds to wait for a scheduler before saying it cannot be reached.
CONNECT_SECONDS = 10.0


class ClusterError(Exception):
    """The cluster cannot be used (the message says why and what to do)."""


def solve_part_task(instance: Instance, calendar: WorkCalendar, part: Part | None,
                    previous: Plan | None, today: dt.date | None,
                    care_pairs: dict[str, str], hint: Hint | None, reach: frozenset | None,
                    work: float, deadline_epoch: float, seed: int, threads: int,
                    start: str = "") -> PartResult:
    """Build and search one part on a worker (a task: everything it needs is an argument)."""
    from .build import build
    from .replan import FrozenConflict
    from .run import solve_part

    t0 = time.perf_counter()
    try:
        ctx = build(instance, Timeline(instance, calendar), part, previous, today,
                    care_pairs=care_pairs, hint=hint, reach=reach)
    except FrozenConflict as e:
        return PartResult(part or Part("whole", True), part, "INFEASIBLE", problem=str(e))
    built = time.perf_counter()
    wall = max(0.0, deadline_epoch - time.time())  # run.solve_part: MIN_SEARCH_SECONDS
    result = solve_part(ctx, Limits(max(MIN_PART_WORK, work), wall), seed, threads,
                        start=start)
    result.build_seconds = built - t0
    result.seconds = time.perf_counter() - t0
    return result


@dataclass
class Cluster:
    """A connection to a Dask cluster (started here for ``local:N``)."""

    address: str
    client: object = None
    _local: object = None
    retried: list[str] = field(default_factory=list)

    def __enter__(self) -> Cluster:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ClusterError("--cluster needs Dask's distributed package: "
                               "pip install 'xinglian[cluster]'") from None
        if self.address.startswith("local:"):
            try:
                n = int(self.address.split(":", 1)[1])
                if n < 1:
                    raise ValueError
            except ValueError:
                raise ClusterError(f"--cluster {self.address}: write local:N with N ≥ 1 "
                                   f"worker processes, e.g. local:2") from None
            self._local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
            self.client = Client(self._local)
            return self
        try:
            self.client = Client(self.address, timeout=f"{CONNECT_SECONDS:g}s")
        except (OSError, TimeoutError, ValueError) as e:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {self.address} ({e}); start one with "
                f"`dask scheduler` and workers with `dask worker {self.address}` "
                f"(docs/cluster.md), or use --cluster local:N") from None
        if not self.client.scheduler_info().get("workers"):
            self.client.close()
            raise ClusterError(f"the Dask scheduler at {self.address} has no workers; start "
                               f"some with `dask worker {self.address}`")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self._local is not None:
            self._local.close()

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))


class ClusterRunner:
    """Runs the parts as Dask tasks, with the budgets of the in-process runner."""

    def __init__(self, cluster: Cluster, instance: Instance, calendar: WorkCalendar,
                 previous: Plan | None, today: dt.date | None, care_pairs: dict[str, str],
                 hint: Hint | None, reach: frozenset | None, budget: Budget, seed: int,
                 progress: Callable | None,
                 on_part: Callable[[int, int], None] | None, total: int,
                 started: float) -> None:
        self.cluster, self.budget, self.seed = cluster, budget, seed
        self.progress, self.on_part, self.total, self.started = progress, on_part, total, \
            started
        self.done: list[PartResult] = []
        self.build_seconds = 0.0
        client = cluster.client
        # Sent once to every worker, not once per task.
        self.instance = client.scatter(instance, broadcast=True, hash=False)
        self.previous = (client.scatter(previous, broadcast=True, hash=False)
                         if previous is not None else None)
        self.calendar, self.today, self.care_pairs = calendar, today, care_pairs
        self.reach = reach
        self.hint = (client.scatter(hint, broadcast=True, hash=False)
                     if hint is not None else None)

    def run(self, instance: Instance, parts: list[Part | None]) -> list[PartResult]:
        work = self.budget.shares(instance, parts)
        self._phase(instance, sorted(parts, key=lambda p: -need_work(instance, p)), work)
        return self.done

    def _phase(self, instance: Instance, parts: list[Part | None], work: dict[int, float]
               ) -> None:
        from distributed import as_completed

        if not parts:
            return
        client = self.cluster.client
        deadline_epoch = time.time() + (self.budget.deadline - time.perf_counter())
        futures = {}
        for part in parts:
            fut = client.submit(solve_part_task, self.instance, self.calendar, part,
                                self.previous, self.today, self.care_pairs, self.hint,
                                self.reach, work[id(part)], deadline_epoch, self.seed, 1,
                                self.budget.start(instance, part, work[id(part)]),
                                pure=False, retries=RETRIES,
                                key=f"part-{_name(part)}-{id(part)}")
            futures[fut.key] = (fut, part)
        results: dict[str, PartResult] = {}
        for fut in as_completed([f for f, _ in futures.values()]):
            result = fut.result()
            _, part = futures[fut.key]
            result.source = part  # the client's own Part, for ordering the plan
            results[fut.key] = result
            self.build_seconds += result.build_seconds
            if _attempts(client, fut.key) > 1:
                self.cluster.retried.append(result.part.name)
            if self.on_part:
                self.on_part(len(self.done) + len(results), self.total)
            if self.progress:
                rs = self.done + list(results.values())
                self.progress(sum(r.objective for r in rs), sum(r.bound for r in rs),
                              time.perf_counter() - self.started)
        # In submission order, whatever order they finished in.
        self.done += [results[key] for key in futures]


def _name(part: Part | None) -> str:
    return "whole" if part is None else "".join(c if c.isascii() and c.isalnum() else "_"
                                                for c in part.name)[:40]


def _attempts(client, key: str) -> int:
    """How many times the scheduler set a task processing (1 unless it was re-run)."""
    try:
        story = client.story(key)
    except Exception:  # an old scheduler without stories: nothing to report
        return 1
    return sum(1 for s in story if s[0] == "scheduler" and len(s) > 3 and s[3] == "processing")
