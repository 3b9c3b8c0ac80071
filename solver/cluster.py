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
import logging
import time
from collections.abc import Callable
from concurrent.futures import CancelledError
from dataclasses import dataclass, field

from ..models.instance import Instance
from ..models.plan import Plan
from ..models.timeline import Timeline, WorkCalendar
from .budget import MIN_PART_WORK, Budget
from .context import Hint, Part
from .run import Limits, PartResult
from .runner import PartRunner, Progress

log = logging.getLogger(__name__)

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
                    start: str = "", resume: tuple[int, ...] = ()) -> PartResult:
    """Build and search one part on a worker (a task: everything it needs is an argument)."""
    from .build import build
    from .constructed import run_part

    timeline = Timeline(instance, calendar)

    def limits() -> Limits:
        wall = max(0.0, deadline_epoch - time.time())  # run.solve_part: MIN_SEARCH_SECONDS
        return Limits(max(MIN_PART_WORK, work), wall)

    return run_part(lambda light, only, pinned: build(
                        instance, timeline, part, previous, today, care_pairs=care_pairs,
                        hint=hint, reach=reach, light=light, only=only, pinned=pinned),
                    part, limits, seed, threads, start, previous, hint, resume=resume)


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


class ClusterRunner(PartRunner):
    """Runs the parts as Dask tasks, with the budgets of the in-process runner."""

    report_lone_part = True

    def __init__(self, cluster: Cluster, instance: Instance, calendar: WorkCalendar,
                 previous: Plan | None, today: dt.date | None, care_pairs: dict[str, str],
                 hint: Hint | None, reach: frozenset | None, budget: Budget, seed: int,
                 progress: Progress | None,
                 on_part: Callable[[int, int], None] | None, total: int,
                 started: float) -> None:
        super().__init__(budget, seed, progress, on_part, total, started)
        self.cluster = cluster
        self.calendar, self.today, self.care_pairs = calendar, today, care_pairs
        self.reach = reach
        self._shared = (instance, previous, hint)
        self._scatter()

    def _scatter(self) -> None:
        """Send the instance, the previous plan and the hint to every worker once (not
        once per task); again after the scheduler lost them with a worker."""
        client = self.cluster.client
        self.instance, self.previous, self.hint = (
            None if value is None else client.scatter(value, broadcast=True, hash=False)
            for value in self._shared)

    def _phase(self, instance: Instance, parts: list[Part | None], work: dict[int, float],
               resume: dict[int, tuple[int, ...]] | None = None) -> None:
        from distributed import as_completed

        if not parts:
            return
        resume = resume or {}
        client = self.cluster.client
        deadline_epoch = time.time() + (self.budget.deadline - time.perf_counter())

        def submit(part: Part | None, key: str):
            return client.submit(solve_part_task, self.instance, self.calendar, part,
                                 self.previous, self.today, self.care_pairs, self.hint,
                                 self.reach, work[id(part)], deadline_epoch, self.seed, 1,
                                 self.budget.start(instance, part, work[id(part)]),
                                 resume.get(id(part), ()), pure=False, retries=RETRIES,
                                 key=key)

        futures = {}  # first key -> (its latest future, part)
        for part in parts:
            # A second search of a part (budget.top_ups) under a key of its own: under
            # the first's, the scheduler hands back the first's result while it holds it.
            key = f"part-{_name(part)}-{id(part)}" + ("-on" if id(part) in resume else "")
            futures[key] = (submit(part, key), part)
        first_key = {fut.key: key for key, (fut, _) in futures.items()}
        again: dict[str, int] = {}
        results: dict[str, PartResult] = {}
        pending = as_completed([f for f, _ in futures.values()])
        for fut in pending:
            key = first_key[fut.key]
            part = futures[key][1]
            try:
                result = fut.result()
            except CancelledError:
                # Seen in 1 of 4 runs of the killed-worker test: the scheduler
                # forgot a task whose worker died ("already forgotten"). The part is
                # submitted again (under a new key, with the shared data sent again),
                # at most RETRIES times, like a task Dask re-runs itself.
                again[key] = again.get(key, 0) + 1
                if again[key] > RETRIES:
                    raise
                log.warning("part %s: its task was cancelled by the scheduler; submitted "
                            "again", _name(part))
                self._scatter()
                new = submit(part, f"{key}-again{again[key]}")
                futures[key] = (new, part)
                first_key[new.key] = key
                pending.add(new)
                continue
            result.source = part  # the client's own Part, for ordering the plan
            results[key] = result
            self.build_seconds += result.build_seconds
            if key in again or _attempts(client, fut.key) > 1:
                self.cluster.retried.append(result.part.name)
            self._finished(self.done + list(results.values()))
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
