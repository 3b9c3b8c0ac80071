"""Benchmark: the scale report (issue 8) — generated instances of K counties.

    python bench/bench_scale.py                                  # K = 1 10 100 (30/120/900 s)
    python bench/bench_scale.py --scales 1 --time-limits 10      # a quick smoke
    python bench/bench_scale.py --scales 1 10 --out docs/scale-report.md

For each K one spawned process generates the instance (``instances.generate``), solves
it, runs the independent checker, the greedy baseline on the same instance and one
re-plan (a presidium member of the first base unavailable for the whole of period 4,
re-planned from 1 July). Peak memory ("peak MiB") is the process's max RSS measured right
after the solve, before the baseline and the re-plan; "peak MiB (all)" is the final one.
Prints markdown tables; ``--out FILE`` writes the same text to FILE. The exit code is 1
when a plan breaks a hard rule or its score differs from the solver's objective.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import multiprocessing as mp
import os
import platform
import queue as queue_mod
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

DEFAULT_LIMITS = {1: 30.0, 10: 120.0, 100: 900.0}
PERIOD = 4  # the re-plan change: unavailable for the whole of this rotation period


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _absent_member(inst, plan) -> str:
    """The presidium member of the first base made unavailable: the one chairing period
    ``PERIOD`` in the plan (so the change forces a re-plan) unless pinned, else the first
    member no pin names as chair."""
    base = inst.bases[0]
    pinned = {p.chair for p in inst.pins.rotation if p.base == base.id}
    chair = next((t.chair for t in plan.rotation
                  if t.base == base.id and t.period == PERIOD), None) if plan else None
    if chair in base.presidium and chair not in pinned:
        return chair
    return next((m for m in base.presidium if m not in pinned), base.presidium[0])


def _parts(plan) -> dict:
    parts = list(plan.solve.parts) if plan and plan.solve else []
    by_status: dict[str, int] = {}
    for p in parts:
        by_status[p.status] = by_status.get(p.status, 0) + 1
    worst = sorted((p for p in parts if p.objective - p.bound > 1e-6),
                   key=lambda p: p.objective - p.bound, reverse=True)[:3]
    return {
        "part_statuses": ", ".join(f"{s} {n}" for s, n in sorted(by_status.items())) or "-",
        "worst_parts": "; ".join(
            f"{p.name} {p.objective}/{p.bound:g} "
            f"({(p.objective - p.bound) / max(1, abs(p.objective)):.1%}, "
            f"{p.variables} vars, {p.seconds:.1f} s)" for p in worst) or "none (all closed)",
    }


def _one(k: int, time_limit: float, seed: int, workers: int, queue) -> None:
    row: dict = {"K": k, "time_limit": time_limit}
    try:
        _measure(k, time_limit, seed, workers, row)
    except Exception:  # report what was measured so far, and the error
        row["error"] = traceback.format_exc(limit=3).strip().splitlines()[-1]
    row["peak_all_mib"] = _peak_mib()
    queue.put(row)


def _measure(k: int, time_limit: float, seed: int, workers: int, row: dict) -> None:
    from xinglian.baseline import greedy_plan
    from xinglian.checker import check, score
    from xinglian.instances.generate import generate
    from xinglian.models import Timeline
    from xinglian.models.changes import ChangeSet, apply_changes
    from xinglian.solver import solve

    t0 = time.perf_counter()
    inst = generate(k, seed)
    row["generate_s"] = time.perf_counter() - t0
    row.update(people=len(inst.people), federations=len(inst.federations),
               venues=len(inst.venues), activities=len(inst.activities),
               children=len(inst.children))

    # 1. the solve (peak memory measured right after it)
    res = solve(inst, time_limit=time_limit, workers=workers, seed=seed)
    row["peak_mib"] = _peak_mib()
    row.update(parts=res.stats.get("parts", 1), variables=res.stats.get("booleans", 0),
               build_s=res.build_seconds, solve_s=res.wall_seconds - res.build_seconds,
               wall_s=res.wall_seconds, status=res.status, objective=res.objective,
               bound=res.bound, gap=res.gap)
    row.update(_parts(res.plan))
    calendar = Timeline(inst).calendar
    if res.plan is not None:
        row["violations"] = len(check(inst, res.plan, calendar))
        row["score_matches"] = score(inst, res.plan).total == res.objective

    # 2. the greedy baseline on the same instance
    t = time.perf_counter()
    plan = greedy_plan(inst, calendar)
    row["baseline_s"] = time.perf_counter() - t
    row["baseline_objective"] = plan.solve.objective
    row["baseline_violations"] = len(check(inst, plan, calendar))
    if res.objective and plan.solve.objective is not None:
        row["ratio"] = plan.solve.objective / res.objective
    if res.plan is None:
        return

    # 3. one change, re-planned from 1 July
    today = dt.date(inst.year, 7, 1)
    start, end = Timeline(inst).periods[PERIOD - 1]
    person = _absent_member(inst, res.plan)
    changes = ChangeSet.model_validate({"changes": [{
        "kind": "unavailable", "person": person, "start": start.isoformat(),
        "end": end.isoformat(), "reason": "bench_scale: unavailable for a whole period"}]})
    new = apply_changes(inst, changes, today)
    extra = {}
    if "previous_instance" in inspect.signature(solve).parameters:
        extra["previous_instance"] = inst
    row["replan_reuse"] = "yes" if extra else "no (solve lacks it)"
    t = time.perf_counter()
    again = solve(new, time_limit=time_limit, workers=workers, seed=seed,
                  previous=res.plan, today=today, **extra)
    row["replan_s"] = time.perf_counter() - t
    row.update(replan_person=person, replan_status=again.status,
               change_status=again.change_status, replan_changes=len(again.changed))
    if again.plan is not None:
        row["replan_violations"] = len(check(new, again.plan, Timeline(new).calendar))


def _machine(args) -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = ", " + line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"machine: {platform.machine()}{cpu}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, workers {args.workers}, seed {args.seed}, "
            f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")


def _fmt(c: str, v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    if isinstance(v, float):
        if c == "gap":
            return f"{v:.2%}"
        if c == "ratio":
            return f"{v:.2f}×"
        if c.endswith("mib"):
            return f"{v:.0f}"
        return f"{v:.2f}" if c.endswith("_s") else f"{v:g}"
    return str(v)


def _table(rows: list[dict], cols: list[tuple[str, str]]) -> list[str]:
    out = ["| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(_fmt(c, r.get(c)) for c, _ in cols) + " |" for r in rows]
    return out


MAIN = [("K", "K"), ("people", "people"), ("activities", "activities"),
        ("children", "children"), ("parts", "parts"), ("variables", "variables"),
        ("build_s", "build s"), ("solve_s", "solve s"), ("status", "status"),
        ("objective", "objective"), ("bound", "bound"), ("gap", "gap"),
        ("peak_mib", "peak MiB"), ("violations", "violations"),
        ("baseline_objective", "baseline objective"),
        ("baseline_violations", "baseline violations"), ("ratio", "ratio"),
        ("replan_s", "replan s"), ("replan_changes", "replan changes")]
PARTS = [("K", "K"), ("part_statuses", "parts by status"),
         ("worst_parts", "worst parts: objective/bound (gap, variables, seconds)")]
DETAILS = [("K", "K"), ("time_limit", "time limit s"), ("federations", "federations"),
           ("venues", "venues"), ("generate_s", "generate s"), ("wall_s", "wall s"),
           ("peak_all_mib", "peak MiB (all)"), ("score_matches", "score = objective"),
           ("baseline_s", "baseline s"), ("replan_person", "replan: absent"),
           ("replan_status", "replan status"), ("change_status", "change status"),
           ("replan_violations", "replan violations"),
           ("replan_reuse", "previous_instance passed")]


def _run(k: int, limit: float, args, ctx) -> dict:
    q = ctx.Queue()
    p = ctx.Process(target=_one, args=(k, limit, args.seed, args.workers, q))
    p.start()
    while True:  # a child killed (out of memory…) must not hang the report
        try:
            row = q.get(timeout=5)
            break
        except queue_mod.Empty:
            if not p.is_alive():
                row = {"K": k, "time_limit": limit,
                       "error": f"child process died (exit code {p.exitcode})"}
                break
    p.join()
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--time-limits", type=float, nargs="+", default=None,
                    help="seconds per scale, same length as --scales "
                         "(default K=1: 30, K=10: 120, K=100: 900)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="also write the markdown here")
    args = ap.parse_args()
    if args.time_limits is None:
        missing = [k for k in args.scales if k not in DEFAULT_LIMITS]
        if missing:
            ap.error(f"no default time limit for K={missing}; give --time-limits")
        limits = [DEFAULT_LIMITS[k] for k in args.scales]
    elif len(args.time_limits) != len(args.scales):
        ap.error(f"--time-limits has {len(args.time_limits)} values for "
                 f"{len(args.scales)} scales")
    else:
        limits = args.time_limits

    ctx = mp.get_context("spawn")
    rows = []
    for k, limit in zip(args.scales, limits, strict=True):
        print(f"K={k}: time limit {limit:g} s …", file=sys.stderr, flush=True)
        rows.append(_run(k, limit, args, ctx))

    lines = [_machine(args), "", *_table(rows, MAIN), "", *_table(rows, PARTS), "",
             *_table(rows, DETAILS)]
    errors = [f"K={r['K']}: {r['error']}" for r in rows if r.get("error")]
    if errors:
        lines += ["", *(f"error: {e}" for e in errors)]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=args.out.parent, prefix=f".{args.out.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.out)
    bad = [r for r in rows if r.get("error") or r.get("violations")
           or r.get("replan_violations") or r.get("score_matches") is False]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
