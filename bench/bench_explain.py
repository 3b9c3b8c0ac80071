"""Benchmark: explain the default instance with one injected conflict.

    python bench/bench_explain.py

Each row injects one conflict into instances/nanan-2027.yaml, runs the explainer
(pre-checks, minimal conflict by assumptions + deletion filter, verified repairs) and
prints the wall seconds, the conflict found and the number of verified repairs.
"""

from __future__ import annotations

import datetime as dt
import platform
import resource
import time

from xinglian.cli import default_instance
from xinglian.models import load_instance
from xinglian.models.changes import ChangeSet, apply_changes
from xinglian.solver.explain import explain

INJECT = {
    "presidium away one period": [
        {"kind": "unavailable", "person": p, "start": "2027-09-01", "end": "2027-10-31",
         "reason": "出国"} for p in ("p-042", "p-028", "p-043", "p-044")],
    "pin during leave": [
        {"kind": "unavailable", "person": "p-003", "start": "2027-03-01",
         "end": "2027-04-30", "reason": "产假"},
        {"kind": "pin_chair", "base": "fed-ximei", "period": 2, "chair": "p-003"}],
    "both hosts' contacts away": [
        {"kind": "unavailable", "person": p, "start": "2027-06-01", "end": "2027-06-30",
         "reason": "培训"} for p in ("p-047", "p-048", "p-049", "p-106")],
}


def main() -> None:
    base = load_instance(default_instance())
    print(f"machine: {platform.machine()}, Python {platform.python_version()}\n")
    print("| injected conflict | wall s | minimal | conflict (requirement keys) | repairs |")
    print("|---|---|---|---|---|")
    for name, changes in INJECT.items():
        inst = apply_changes(base, ChangeSet.model_validate({"changes": changes}),
                             dt.date(2027, 1, 1))
        t = time.perf_counter()
        exp = explain(inst, time_limit=60)
        wall = time.perf_counter() - t
        keys = "; ".join(" + ".join(r.key for r in c.requirements) for c in exp.conflicts)
        minimal = all(c.minimal for c in exp.conflicts)
        repairs = sum(len(c.repairs) for c in exp.conflicts)
        print(f"| {name} | {wall:.1f} | {minimal} | {keys or '(pre-checks only)'} | {repairs} |")
    print(f"\npeak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
