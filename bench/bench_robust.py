"""Benchmark: same input, same plan -- quality across seeds, reproducibility across runs
and under load, and re-plans of every change kind.

    python bench/bench_robust.py                       # everything (about an hour on 2 cores)
    python bench/bench_robust.py --only default k1     # a subset: default, k1, k10, replan
    python bench/bench_robust.py --seeds 0 1 --k10-limit 60 --load

Every solve runs in its own process (spawn: a fresh interpreter, its own hash seed), as
two users running the same command would. For each instance and seed it solves twice
and counts the decisions that differ between the two runs (target 0); with ``--load`` a
third run shares the machine with a companion process that keeps one core busy (a
bounded busy loop the bench starts and stops itself) and is compared with the quiet
run. Every plan goes through the independent checker. Prints markdown tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import platform
import queue
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def decisions(plan) -> set[tuple]:
    """Every decision of a plan, one tuple each (what two runs are compared by)."""
    return plan.decisions()


def _solve(path: str, time_limit: float, seed: int, workers: int, queue) -> None:
    from xinglian.checker import check, score
    from xinglian.models import Timeline, load_instance
    from xinglian.solver import solve

    t0 = time.perf_counter()
    inst = load_instance(path)
    timeline = Timeline(inst)
    res = solve(inst, time_limit=time_limit, seed=seed, workers=workers,
                calendar=timeline.calendar, started=t0)  # as `xinglian plan` counts it
    wall = time.perf_counter() - t0
    plan = res.plan
    queue.put({
        "status": res.status, "objective": res.objective, "bound": res.bound,
        "gap": res.gap, "wall": wall,
        "work": plan.solve.work if plan else None,
        "budget": plan.solve.work_budget if plan else None,
        "wall_stopped": res.wall_stopped,
        "violations": len(check(inst, plan, timeline.calendar)) if plan else None,
        "score_ok": (score(inst, plan).total == res.objective) if plan else None,
        "decisions": decisions(plan) if plan else set(),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })


def in_fresh_process(target, *args) -> dict:
    """``target(*args, queue)`` in a new interpreter (its own peak memory, nothing
    cached): the row it puts on the queue. A child that dies without one is an error
    here, not a bench that waits for ever."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    while True:
        try:
            row = q.get(timeout=5)
            break
        except queue.Empty:
            if not p.is_alive():
                raise RuntimeError(f"the solve process died (exit code {p.exitcode}); "
                                   "its error is above") from None
    p.join()
    return row


def run(path: str, time_limit: float, seed: int, workers: int) -> dict:
    return in_fresh_process(_solve, path, time_limit, seed, workers)


def _burn(seconds: float) -> None:
    """A companion that keeps one core busy for at most ``seconds``."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        x = (x * 31 + 7) % 1_000_003


class Companion:
    def __init__(self, seconds: float) -> None:
        self.proc = mp.get_context("spawn").Process(target=_burn, args=(seconds,))

    def __enter__(self) -> Companion:
        self.proc.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.join()


def instances(only: list[str], seeds: list[int], tmp: Path) -> list[tuple[str, str, int, float]]:
    """(label, path, solver seed, which time limit) of every solve to make."""
    from xinglian.cli import default_instance
    from xinglian.instances.generate import generate, write

    out = []
    if "default" in only:
        out += [("default", str(default_instance()), s, "default") for s in seeds]
    for k, key in ((1, "k1"), (10, "k10")):
        if key in only:
            for s in seeds:
                path = tmp / f"k{k}-s{s}.yaml"
                write(generate(k, s), path)
                out.append((f"K={k} seed {s}", str(path), 0, key))
    return out


def replans(workers: int, repeat: int, time_limit: float) -> None:
    from xinglian.checker import check
    from xinglian.cli import default_instance
    from xinglian.models import Timeline, load_instance
    from xinglian.models.changes import ChangeSet, apply_changes
    from xinglian.solver import solve

    today = dt.date(2027, 2, 15)
    inst = load_instance(default_instance())
    base = solve(inst, time_limit=30, workers=workers)
    plan = base.plan
    vol = plan.volunteering[len(plan.volunteering) // 2]
    act = inst.activity(vol.activity)
    later = [a for a in inst.activities if a.date > dt.date(2027, 3, 1)]
    moved = later[len(later) // 3]
    mother = plan.care.pairs[0].mother
    turn = next(h for h in plan.hosting if h.start.date() > dt.date(2027, 6, 1))
    # Another federation that hosts at the same venue (so the pin is possible).
    other = next((h.federation for h in plan.hosting if h.venue == turn.venue
                  and h.federation != turn.federation), turn.federation)
    role = act.roles[0]
    changes = {
        "chair away one period": [{"kind": "unavailable", "person": "p-003",
                                   "start": "2027-03-01", "end": "2027-04-30"}],
        "person leaves": [{"kind": "leaves", "person": "p-014", "date": "2027-06-01"}],
        "venue closed a month": [{"kind": "venue_closed", "venue": "v-luncang-women",
                                  "start": "2027-05-01", "end": "2027-05-31"}],
        "volunteer away in June": [{"kind": "unavailable", "person": vol.person,
                                    "start": "2027-06-01", "end": "2027-06-30"}],
        "activity added": [{"kind": "activity_added", "activity": {
            "id": "act-900", "kind": act.kind, "title": "八一走访慰问", "date": "2027-08-02",
            "start": "09:00", "end": "11:30", "town": act.town or inst.towns[0].id,
            "roles": [{"role": role.role, "min": 2}]}}],
        "activity cancelled": [{"kind": "activity_cancelled", "activity": moved.id}],
        "activity moved": [{"kind": "activity_moved", "activity": moved.id,
                            "date": str(moved.date + dt.timedelta(days=7))}],
        "headcount raised": [{"kind": "headcount", "activity": act.id, "role": role.role,
                              "min": role.min + 1, "max": max(role.max or role.min, role.min) + 1}],
        "caring mother away a day": [{"kind": "unavailable", "person": mother,
                                      "start": "2027-05-12", "end": "2027-05-12"}],
        "pin a chair": [{"kind": "pin_chair", "base": "fed-guanqiao", "period": 5,
                         "chair": "p-043"}],
        "pin a meeting": [{"kind": "pin_meeting", "base": "fed-jintao", "quarter": 3,
                           "date": "2027-08-18"}],
        "pin a hosting turn": [{"kind": "pin_hosting", "venue": turn.venue,
                                "date": str(turn.start.date()), "federation": other}],
    }
    print(f"\n### Re-plans of the default instance (version 1: {base.status} "
          f"{base.objective}; today {today}; time limit {time_limit:g} s, "
          f"median of {repeat})\n")
    print("| change | status | changed decisions | weighted | proven minimal | objective | "
          "violations | median wall s | max wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, change in changes.items():
        try:
            new = apply_changes(inst, ChangeSet.model_validate({"changes": change}), today)
        except ValueError as e:
            print(f"| {name} | change not applicable: {str(e).splitlines()[0]} |")
            continue
        timeline = Timeline(new)
        walls, res = [], None
        for _ in range(repeat):
            t = time.perf_counter()
            res = solve(new, time_limit=time_limit, workers=workers,
                        calendar=timeline.calendar, previous=plan, today=today,
                        previous_instance=inst)
            walls.append(time.perf_counter() - t)
        bad = len(check(new, res.plan, timeline.calendar)) if res.plan else "no plan"
        print(f"| {name} | {res.status} | {len(res.changed)} | {res.change_cost} | "
              f"{'yes' if res.change_status == 'OPTIMAL' else 'no'} | {res.objective} | "
              f"{bad} | {statistics.median(walls):.2f} | {max(walls):.2f} |", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", default=["default", "k1", "k10", "replan"])
    ap.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--limit", type=float, default=10.0, help="default instance and K=1")
    ap.add_argument("--k10-limit", type=float, default=60.0)
    ap.add_argument("--replan-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="re-plans per change")
    ap.add_argument("--load", action="store_true", help="also a run beside a busy core")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, workers {args.workers}, "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n")
    limits = {"default": args.limit, "k1": args.limit, "k10": args.k10_limit}
    with tempfile.TemporaryDirectory() as tmp:
        todo = instances(args.only, args.seeds, Path(tmp))
        if todo:
            print("| instance | solver seed | limit s | status | objective | bound | gap | "
                  "wall s | work / budget | cut by clock | violations | score = objective | "
                  "differ run 2 | under load: differ | gap | wall s | objective vs quiet | "
                  "peak MiB |")
            print("|" + "---|" * 18)
        worst: dict[str, float] = {}
        for label, path, seed, key in todo:
            limit = limits[key]
            a = run(path, limit, seed, args.workers)
            b = run(path, limit, seed, args.workers)
            differ = len(a["decisions"] ^ b["decisions"])
            load = ["—"] * 4
            if args.load:
                with Companion(limit * 3 + 60):
                    c = run(path, limit, seed, args.workers)
                rel = (c["objective"] - a["objective"]) / max(1, abs(a["objective"])) \
                    if c["objective"] is not None and a["objective"] is not None else None
                load = [str(len(a["decisions"] ^ c["decisions"])),
                        f"{c['gap']:.2%}" if c["gap"] is not None else "—",
                        f"{c['wall']:.1f}", f"{rel:+.2%}" if rel is not None else "—"]
            if a["gap"] is not None:
                group = label.split(" seed")[0]
                worst[group] = max(worst.get(group, 0.0), a["gap"])
            gap = f"{a['gap']:.2%}" if a["gap"] is not None else "—"
            bound = f"{a['bound']:.0f}" if a["bound"] is not None else "—"
            print(f"| {label} | {seed} | {limit:g} | {a['status']} | {a['objective']} | "
                  f"{bound} | {gap} | {a['wall']:.1f} | {a['work']:.1f} / {a['budget']:.1f} | "
                  f"{'yes' if a['wall_stopped'] else 'no'} | {a['violations']} | "
                  f"{'yes' if a['score_ok'] else 'no'} | {differ} | {' | '.join(load)} | "
                  f"{max(a['peak_mib'], b['peak_mib']):.0f} |", flush=True)
        if worst:
            print("\nworst gap: " + ", ".join(f"{k} {v:.2%}" for k, v in worst.items()))
    if "replan" in args.only:
        replans(args.workers, args.repeat, args.replan_limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
