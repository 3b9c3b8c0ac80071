"""Benchmark: "who can cover?" on the default instance, one duty of each kind.

    python bench/bench_cover.py [--plan DIR] [--repeat 3] [--top 5] [--work 1.0]

Uses the plan in --plan (made with `xinglian plan --out DIR`; default: solves the default
instance with a 30 s limit first). For one duty of each kind (the middle one of the
duties still ahead on --today) it runs `cover(..., top=--top)` --repeat times and prints
the kind, the duty, candidates found, the reasons the others fell out, the median and
max seconds, and for the first candidate the change count (weighted) and the objective
difference; every listed candidate's plan is re-checked by the checker, and the first is
re-planned as `--apply 1` would (outside the timing) to confirm its changes are the listed ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from pathlib import Path

from xinglian.checker import check
from xinglian.cli import default_instance
from xinglian.models import Timeline, load_instance, load_plan
from xinglian.solver import solve
from xinglian.solver.cover import cover, duty_ids, materialize


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan", type=Path, default=None)
    ap.add_argument("--today", default="2027-06-01")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--tries", type=int, default=None)
    ap.add_argument("--work", type=float, default=1.0)
    ap.add_argument("--kinds", default="rotation,meeting,hosting,volunteering,visit")
    args = ap.parse_args()
    today = dt.date.fromisoformat(args.today)
    if args.plan is not None:
        plan, inst = load_plan(args.plan), load_instance(args.plan / "instance.json")
    else:
        inst = load_instance(default_instance())
        plan = solve(inst, time_limit=30, workers=2).plan
    timeline = Timeline(inst)
    load = os.getloadavg()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}; plan objective {plan.solve.objective}; today {today}; top "
          f"{args.top}, work {args.work} per re-plan, median of {args.repeat}\n")
    print("| kind | duty | candidates | others | median s | max s | first: changes "
          "(weighted) | first: objective diff | first: cost by rule | checker | apply first = "
          "listed |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    ids = duty_ids(plan, today, inst)
    for kind in args.kinds.split(","):
        duty = ids[kind][len(ids[kind]) // 2]
        walls, report = [], None
        for _ in range(args.repeat):
            t = time.perf_counter()
            report = cover(plan, inst, duty, today, top=args.top, tries=args.tries,
                           work=args.work, timeline=timeline)
            walls.append(time.perf_counter() - t)
        bad = sum(len(check(c.instance, c.plan, timeline.calendar)) for c in report.candidates)
        first = report.candidates[0] if report.candidates else None
        print(f"| {kind} | {duty} | {len(report.candidates)} | {report.why_short or '—'} | "
              f"{statistics.median(walls):.2f} | {max(walls):.2f} | "
              + (f"{len(first.changed)} ({first.change_cost}) | "
                 f"{first.objective - (plan.solve.objective or 0):+d} | "
                 f"{', '.join(f'{r} {d:+d}' for r, d in first.cost_diff.items()) or '—'} | "
                 if first else "— | — | — | ")
              + f"{bad} violations | {_applies(first, report, plan, inst, today, args)} |")
    load = os.getloadavg()
    print(f"\nload average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def _applies(first, report, plan, inst, today, args) -> str:
    """Re-plan the first candidate as --apply does (outside the timing): its changes
    must be the listed ones (materialize raises otherwise)."""
    if first is None:
        return "—"
    try:
        done = materialize(first, report, plan, inst, today, work=args.work)
    except ValueError as e:
        return f"NO: {e}"
    return f"yes ({len(done.changed)} changed, objective {done.objective})"


if __name__ == "__main__":
    main()
