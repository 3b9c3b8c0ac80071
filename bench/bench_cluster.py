"""Benchmark: generated instances solved in process and on a Dask cluster.

    python bench/bench_cluster.py --scales 10            # in-process vs local:2
    python bench/bench_cluster.py --scales 10 100 --separate   # also a scheduler + 2 workers
                                                              # started as separate processes
    python bench/bench_cluster.py --scales 100 --work 400 --limit 3600
        # a fixed work budget, the clock only a far safety net: runs that the clock does
        # not cut give the same plan (on 2 cores K = 100 at 900 s is cut by the clock)

Each configuration solves the same generated instance (seed 0) with the same time
limit and work budget, in a fresh process; prints build and solve seconds, wall, gap,
peak memory of the client and of the worker processes, the checker's verdict, and the
number of decisions that differ from the in-process plan (target 0).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_robust import decisions, in_fresh_process  # noqa: E402


def _solve(path: str, time_limit: float, cluster: str | None, work: float | None,
           queue) -> None:
    from xinglian.checker import check
    from xinglian.models import Timeline, load_instance
    from xinglian.solver import solve

    inst = load_instance(path)
    timeline = Timeline(inst)
    t0 = time.perf_counter()
    res = solve(inst, time_limit=time_limit, workers=2, calendar=timeline.calendar,
                cluster=cluster, work=work)
    wall = time.perf_counter() - t0
    worker_mib = None
    if cluster is not None and not cluster.startswith("local:"):
        from distributed import Client

        with Client(cluster) as c:
            worker_mib = max(c.run(lambda: resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss / 1024).values())
    queue.put({
        "status": res.status, "objective": res.objective, "bound": res.bound, "gap": res.gap,
        "build": res.build_seconds, "wall": wall, "wall_stopped": res.wall_stopped,
        # Seconds the parts spent searching, summed over parts (their seconds less their
        # model building).
        "search": (sum(p.seconds for p in res.plan.solve.parts) - res.build_seconds
                   if res.plan else None),
        "violations": len(check(inst, res.plan, timeline.calendar)) if res.plan else None,
        "decisions": decisions(res.plan) if res.plan else set(),
        "client_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "worker_mib": worker_mib,
        "retried": list(res.plan.solve.retried) if res.plan else [],
    })


def run(path: str, time_limit: float, cluster: str | None, work: float | None) -> dict:
    return in_fresh_process(_solve, path, time_limit, cluster, work)


def _row(k: int, where: str, r: dict, base: dict) -> None:
    """One table row, printed as soon as its run is done (a later run may die)."""
    gap = f"{r['gap']:.2%}" if r["gap"] is not None else "—"
    workers = r["worker_mib"] or (r["children_mib"] if where != "in-process" else None)
    search = "—" if r["search"] is None else f"{r['search']:.1f}"
    print(f"| {k} | {where} | {r['status']} | {r['objective']} | "
          f"{r['bound'] if r['bound'] is None else round(r['bound'])} | {gap} | "
          f"{r['build']:.1f} | {search} | {r['wall']:.1f} | "
          f"{'yes' if r['wall_stopped'] else 'no'} | {r['client_mib']:.0f} | "
          f"{'—' if workers is None else f'{workers:.0f}'} | {r['violations']} | "
          f"{len(r['decisions'] ^ base['decisions'])} | "
          f"{', '.join(r['retried']) or '—'} |", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Separate:
    """A `dask scheduler` and two `dask worker` processes on loopback, started apart as
    separate hosts would be."""

    def __enter__(self) -> str:
        port = _free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
        self.procs = [subprocess.Popen(
            [*dask, "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        time.sleep(3)
        for _ in range(2):
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", self.address,
                 "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(self.address, timeout="30s") as c:
            c.wait_for_workers(2, timeout=60)
        return self.address

    def __exit__(self, *exc: object) -> None:
        for p in reversed(self.procs):
            p.terminate()
        for p in self.procs:
            p.wait(timeout=30)


def main() -> int:
    from xinglian.instances.generate import generate, write

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", nargs="*", type=int, default=[10])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--separate", action="store_true",
                    help="also a scheduler and two workers started as separate processes")
    ap.add_argument("--limit", type=float, default=None,
                    help="time limit for every scale (default: 30 s at K=1, 120 at 10, "
                    "900 at 100)")
    ap.add_argument("--work", type=float, default=None,
                    help="the whole work budget (CP-SAT deterministic seconds) instead of "
                    "the one the time limit gives; the limit is then only the safety net")
    args = ap.parse_args()
    # K = 100 counties are a 25 MB file, past the 20 MB an instance file may be by
    # default (a guard against a wrong or hostile file); the bench wrote this one itself.
    os.environ.setdefault("XINGLIAN_MAX_INPUT_MB", "200")
    limits = {1: 30, 10: 120, 100: 900}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}\n")
    print("| K | where | status | objective | bound | gap | build s (sum) | search s (sum) | "
          "wall s | "
          "cut by clock | client MiB | workers MiB | violations | differ from in-process | "
          "retried |")
    print("|" + "---|" * 15)
    with tempfile.TemporaryDirectory() as tmp:
        for k in args.scales:
            path = Path(tmp) / f"k{k}.yaml"
            write(generate(k, args.seed), path)
            limit = args.limit or limits.get(k, 60 * k ** 0.5)
            base = run(str(path), limit, None, args.work)
            _row(k, "in-process", base, base)
            _row(k, "local:2", run(str(path), limit, "local:2", args.work), base)
            if args.separate:
                with Separate() as address:
                    _row(k, "scheduler + 2 workers", run(str(path), limit, address, args.work),
                         base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
