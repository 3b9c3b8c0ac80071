"""What a solve shows while it runs: on a terminal a live line drawn by ``rich``
(elapsed against the time limit, parts done / total, objective and bound); elsewhere
(a log file, CI, a pipe) plain lines, one per finished part, at most one a second."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


class SolveProgress:
    """Receives the solver's callbacks (``progress`` and ``on_part`` of
    :func:`xinglian.solver.solve`) and shows them.

    Use as a context manager around the solve."""

    def __init__(self, time_limit: float, *, stream: TextIO | None = None,
                 enabled: bool = True, live: bool | None = None) -> None:
        self.time_limit = time_limit
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.live = (self.stream.isatty() if live is None else live) and enabled
        self.done = 0
        self.total = 0
        self.objective: int | None = None
        self.bound: float | None = None
        self.started = time.perf_counter()
        self._last_line = 0.0
        self._rich = None
        self._task = None

    # -- the solver's callbacks ---------------------------------------------------------

    def progress(self, objective: int, bound: float, seconds: float) -> None:
        self.objective, self.bound = objective, bound
        self._show()

    def on_part(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self._show()

    @property
    def callbacks(self) -> dict[str, Callable]:
        return {"progress": self.progress, "on_part": self.on_part}

    # -- showing ------------------------------------------------------------------------

    def _text(self) -> str:
        elapsed = time.perf_counter() - self.started
        parts = f"parts {self.done}/{self.total}" if self.total else "parts …"
        obj = "—" if self.objective is None else str(self.objective)
        bound = "—" if self.bound is None else f"{self.bound:.0f}"
        return (f"{elapsed:6.1f}s of {self.time_limit:g}s  {parts}  "
                f"objective {obj}  bound {bound}")

    def _show(self) -> None:
        if not self.enabled:
            return
        if self._rich is not None:
            self._rich.update(self._task, description=self._text(),
                              completed=self.done, total=self.total or None)
            return
        now = time.perf_counter()
        if now - self._last_line >= 1.0 or (self.total and self.done == self.total):
            self._last_line = now
            print("  " + self._text(), file=self.stream, flush=True)

    def __enter__(self) -> SolveProgress:
        self.started = time.perf_counter()
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn

            self._rich = Progress(TextColumn("{task.description}"), BarColumn(),
                                  console=Console(file=self.stream), transient=True)
            self._rich.__enter__()
            self._task = self._rich.add_task(self._text(), total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.__exit__(None, None, None)
            self._rich = None
