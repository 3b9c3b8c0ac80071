"""Benchmark: re-plan the default instance after one change.

    python bench/bench_replan.py [--repeat 5]

Solves the default instance once (version 1), then for each single change re-plans it
from 2027-02-15 with `solve(..., previous=..., today=...)` and prints, per change, the
changed decisions, whether their number is proven minimal, the objective, the checker's
verdict and the wall seconds (median over --repeat runs), plus peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import resource
import statistics
import time

from xinglian.checker import check
from xinglian.cli import default_instance
from xinglian.models import Timeline, load_instance
from xinglian.models.changes import ChangeSet, apply_changes
from xinglian.solver import solve

TODAY = dt.date(2027, 2, 15)
CHANGES = {
    "none": [],
    "chair on leave one period": [{"kind": "unavailable", "person": "p-003",
                                   "start": "2027-03-01", "end": "2027-04-30"}],
    "person leaves": [{"kind": "leaves", "person": "p-014", "date": "2027-06-01"}],
    "venue closed a month": [{"kind": "venue_closed", "venue": "v-luncang-women",
                              "start": "2027-05-01", "end": "2027-05-31"}],
    "pin a chair": [{"kind": "pin_chair", "base": "fed-guanqiao", "period": 5,
                     "chair": "p-043"}],
    "pin a meeting": [{"kind": "pin_meeting", "base": "fed-jintao", "quarter": 3,
                       "date": "2027-08-18"}],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    inst = load_instance(default_instance())
    t0 = time.perf_counter()
    base = solve(inst, time_limit=60, workers=args.workers)
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, workers "
          f"{args.workers}; version 1: {base.status} objective {base.objective} in "
          f"{time.perf_counter() - t0:.2f} s\n")
    print("| change | status | changed decisions | weighted | proven minimal | objective | "
          "violations | median wall s | max wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, changes in CHANGES.items():
        new = apply_changes(inst, ChangeSet.model_validate({"changes": changes}), TODAY)
        timeline = Timeline(new)
        walls = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            res = solve(new, time_limit=60, workers=args.workers, calendar=timeline.calendar,
                        previous=base.plan, today=TODAY)
            walls.append(time.perf_counter() - t)
        bad = len(check(new, res.plan, timeline.calendar)) if res.plan else None
        print(f"| {name} | {res.status} | {len(res.changed)} | {res.change_cost} | "
              f"{res.change_status == 'OPTIMAL'} | {res.objective} | {bad} | "
              f"{statistics.median(walls):.2f} | {max(walls):.2f} |")
    print(f"\npeak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
