"""Benchmark: solve instances and print a table of the figures issues ask for.

    python bench/bench_plan.py                      # the bundled default instance
    python bench/bench_plan.py tests/data/tiny.yaml instances/nanan-2027.yaml --repeat 3

Each solve runs in its own process so that peak memory (max RSS) is that solve's alone.
Every plan is run through the independent checker; a plan with violations is reported.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import sys
import time
from pathlib import Path


def _one(path: str, time_limit: float, seed: int, workers: int, queue) -> None:
    from xinglian.checker import check, score
    from xinglian.models import Timeline, load_instance
    from xinglian.solver import solve

    t0 = time.perf_counter()
    inst = load_instance(path)
    timeline = Timeline(inst)
    res = solve(inst, time_limit=time_limit, seed=seed, workers=workers, calendar=timeline.calendar)
    wall = time.perf_counter() - t0
    violations = len(check(inst, res.plan, timeline.calendar)) if res.plan else None
    scored = score(inst, res.plan).total if res.plan else None
    queue.put(
        {
            "instance": inst.id,
            "people": len(inst.people),
            "bases": len(inst.bases),
            "federations": len(inst.federations),
            "parts": res.stats.get("parts", 1),
        "turns": len(res.plan.hosting) if res.plan else 0,
        "variables": res.stats.get("booleans", 0),
            "constraints": res.stats.get("constraints", 0),
            "status": res.status,
            "objective": res.objective,
            "bound": res.bound,
            "gap": res.gap,
            "build_s": res.build_seconds,
            "solve_s": res.wall_seconds - res.build_seconds,
            "wall_s": wall,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "violations": violations,
            "score_matches": scored == res.objective if scored is not None else None,
        }
    )


def main() -> int:
    default = str(Path(__file__).resolve().parent.parent / "instances" / "nanan-2027-full.yaml")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="*", default=[default])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()

    ctx = mp.get_context("spawn")
    rows = []
    for path in args.instances:
        for _ in range(args.repeat):
            q = ctx.Queue()
            p = ctx.Process(target=_one, args=(path, args.time_limit, args.seed, args.workers, q))
            p.start()
            rows.append(q.get())
            p.join()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, workers {args.workers}, time limit {args.time_limit:g} s\n"
    )
    cols = [
        "instance",
        "people",
        "bases",
        "turns",
        "parts",
        "variables",
        "constraints",
        "status",
        "objective",
        "bound",
        "gap",
        "build_s",
        "solve_s",
        "wall_s",
        "peak_mib",
        "violations",
        "score_matches",
    ]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        cells = []
        for c in cols:
            v = r[c]
            if isinstance(v, float):
                v = f"{v:.2%}" if c == "gap" else f"{v:.2f}"
            cells.append(str(v))
        print("| " + " | ".join(cells) + " |")
    bad = [r for r in rows if r["violations"] or r["score_matches"] is False]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
