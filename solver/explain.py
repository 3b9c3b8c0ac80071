"""Why is there no plan, and what is the smallest thing to change?

1. Plain-Python pre-checks (solver/precheck.py) name the common conflicts at once.
2. For each independent part without a plan, the model is rebuilt with every
   *requirement* (solver/requirements.py: one person's unavailability, one closure, one
   pin, a minimum of turns…) behind an assumption literal. CP-SAT returns a sufficient
   set of assumptions for infeasibility; a deletion filter shrinks it to a minimal one:
   together infeasible, and dropping any one of them leaves the rest satisfiable.
3. Repairs: requirements of the minimal conflict whose relaxation alone (everything else
   kept) gives a plan, then pairs when no single one does; each is checked by solving
   the instance with the requirement relaxed the way a person would (the unavailability
   removed, the pin dropped…).

A re-plan is explained in its own setting: with the published plan and ``today`` every
model (the conflict search and each repair's verifying solve) also keeps the frozen past,
so a repair is only offered when it gives a plan that leaves the past as it was.

A solve that stops on its time limit proves nothing: such a part is reported as "ran out
of time" (never as impossible), a deletion filter cut short says its conflict is not shown
to be minimal, and a repair is only listed when its solve found a plan.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from ..models.instance import Instance
from ..models.plan import Plan
from ..models.timeline import Timeline, WorkCalendar
from . import replan
from .build import build
from .context import ModelContext, Part
from .decompose import decompose
from .precheck import Message, precheck
from .requirements import Requirement

_DECIDED = (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)


@dataclass
class Conflict:
    part: str
    requirements: list[Requirement]
    repairs: list[list[Requirement]] = field(default_factory=list)
    minimal: bool = True
    """False when the time ran out before the deletion filter finished."""


@dataclass
class Explanation:
    feasible: bool
    prechecks: list[Message] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    structural: list[str] = field(default_factory=list)
    """Parts that have no plan even with every requirement relaxed."""
    timed_out: list[str] = field(default_factory=list)
    """Parts whose question the time limit left open (no plan found, none ruled out)."""
    frozen: list[str] = field(default_factory=list)
    """Re-planning: parts whose published past no longer fits the instance (in words)."""
    time_limit: float = 0.0
    seconds: float = 0.0

    @property
    def undecided(self) -> bool:
        """True when the only findings are parts the time limit left open."""
        return (not self.feasible and bool(self.timed_out) and not self.prechecks
                and not self.conflicts and not self.structural and not self.frozen)

    def render(self, lang: str) -> str:
        zh = lang == "zh"
        if self.feasible:
            return ("存在可行方案：所有硬约束可以同时满足。\n" if zh else
                    "A plan exists: every hard rule can be met.\n")
        out = ["没有可行方案。" if zh else "No plan exists."]
        if self.prechecks:
            out.append("")
            out.append("直接发现的问题：" if zh else "Found directly:")
            out += [f"  - {m.text(lang)}" for m in self.prechecks]
        for c in self.conflicts:
            out.append("")
            if zh:
                head = "以下条件不能同时满足" + ("（去掉任何一条，其余即可满足）" if c.minimal
                                            else "（时间不足，未必最小）")
            else:
                head = ("These requirements cannot all hold"
                        + (" (drop any one and the rest can)" if c.minimal
                           else " (time ran out: not shown to be minimal)"))
            out.append(f"{head}：" if zh else f"{head}:")
            out += [f"  {i}. {r.sentence(lang)}" for i, r in enumerate(c.requirements, 1)]
            if not c.repairs:
                out.append("没有找到经求解验证的单项或两项修改（或时间不足）。" if zh else
                           "No single or paired repair was verified by a solve (or time ran "
                           "out).")
            if c.repairs:
                out.append("最小的修改（任选其一，均已用求解验证）：" if zh else
                           "Smallest repairs (any one; each checked by a solve):")
                for rep in c.repairs:
                    text = "，并且".join(r.repair(lang) for r in rep) if zh else \
                        ", and ".join(r.repair(lang) for r in rep)
                    out.append(f"  - {text}，就有可行方案。" if zh else
                               f"  - {text}, a plan exists.")
        for text in self.frozen:
            out.append("")
            out.append(f"已过去的安排（--today 之前）与修改后的实例不再相符：{text}" if zh else
                       f"The frozen past (before --today) no longer fits the instance: {text}")
        if self.timed_out:
            shown = "、".join(self.timed_out[:3]) if zh else ", ".join(self.timed_out[:3])
            more = len(self.timed_out) - 3
            if more > 0:
                shown += f" 等 {len(self.timed_out)} 个部分" if zh else f" and {more} more parts"
            out.append("")
            out.append(f"{shown}：在 {self.time_limit:g} 秒内既没有找到方案，也没能证明无解"
                       f"（时间不足）；请用更长的 --time-limit 再运行 xinglian explain。" if zh else
                       f"{shown}: ran out of time ({self.time_limit:g} s) before finding a plan "
                       f"or proving there is none; run xinglian explain with a longer "
                       f"--time-limit.")
        for part in self.structural:
            out.append("")
            out.append(f"{part}：即使放宽所有可调整的条件也无解，冲突在固定规则之间（如同一时间"
                       f"不能开两个会）。" if zh else
                       f"{part}: no plan even with every adjustable requirement relaxed; the "
                       f"conflict is among fixed rules (e.g. nobody in two meetings at once).")
        return "\n".join(out) + "\n"


def _solver(seconds: float) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.2, seconds)
    s.parameters.num_workers = 1  # assumption cores need a single worker
    return s


def _status(ctx: ModelContext, keys: list[str], seconds: float) -> tuple[int, list[str]]:
    """Solve with the requirements ``keys`` assumed on (all others free); return the
    status and, when infeasible, a sufficient subset of ``keys``."""
    model = ctx.model
    model.clear_assumptions()
    lits = [ctx.groups[k][0] for k in keys]
    model.add_assumptions(lits)
    solver = _solver(seconds)
    code = solver.solve(model)
    core: list[str] = []
    if code == cp_model.INFEASIBLE:
        by_index = {ctx.groups[k][0].index: k for k in keys}
        core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()
                if i in by_index]
    return code, core


@dataclass(frozen=True)
class _Setting:
    """Where the explanation lives: a plain plan, or a re-plan against ``previous`` from
    ``today`` (the frozen past is then part of every model)."""

    previous: Plan | None = None
    today: dt.date | None = None


def _build(instance: Instance, timeline: Timeline, part: Part, setting: _Setting,
           explain: bool) -> ModelContext:
    """The part's model, with the frozen past of a re-plan (raises FrozenConflict)."""
    ctx = build(instance, timeline, part, setting.previous, setting.today, explain=explain)
    if explain:  # build() adds the frozen past only to the optimising model
        replan.add_frozen_past(ctx)
        replan.add_frozen_volunteering(ctx)
    return ctx


def _part_feasible(instance: Instance, timeline: Timeline, part: Part, seconds: float,
                   setting: _Setting = _Setting()) -> bool:
    try:
        ctx = _build(instance, timeline, part, setting, explain=False)
    except replan.FrozenConflict:
        return False
    solver = _solver(seconds)
    ctx.model.clear_objective()
    ctx.model.clear_hints()
    return solver.solve(ctx.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def explain(instance: Instance, *, calendar: WorkCalendar | None = None,
            time_limit: float = 60.0, max_repairs: int = 3,
            previous: Plan | None = None, today: dt.date | None = None) -> Explanation:
    """Explain why ``instance`` has no plan (or say that it has one).

    Parameters
    ----------
    previous, today
        Re-planning: explain in the re-plan's own setting, the past of ``previous``
        (what ended before ``today``) frozen in every model, repairs included.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    timeline = Timeline(instance, calendar)
    setting = _Setting(previous, today)
    result = Explanation(feasible=True, prechecks=precheck(instance, timeline),
                         time_limit=time_limit)

    def left() -> float:
        return max(0.5, deadline - time.perf_counter())

    for part in decompose(instance, timeline, None, previous):
        if time.perf_counter() > deadline:  # honour the limit: the rest is left open
            result.feasible = False
            result.timed_out.append(part.name)
            continue
        try:
            ctx = _build(instance, timeline, part, setting, explain=True)
        except replan.FrozenConflict as e:
            result.feasible = False
            result.frozen.append(str(e))
            continue
        keys = sorted(ctx.groups)
        code, core = _status(ctx, keys, left())
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        result.feasible = False
        if code != cp_model.INFEASIBLE:
            result.timed_out.append(part.name)
            continue
        code, _ = _status(ctx, [], left())
        if code == cp_model.INFEASIBLE:
            result.structural.append(part.name)
            continue
        # Deletion filter: drop each requirement whose removal keeps it infeasible. A
        # trial the time limit leaves open keeps its requirement but the conflict is
        # then not shown to be minimal.
        minimal = code in _DECIDED
        core = sorted(core)
        i = 0
        while i < len(core):
            if time.perf_counter() > deadline:
                minimal = False
                break
            trial = core[:i] + core[i + 1:]
            code, sub = _status(ctx, trial, left())
            if code == cp_model.INFEASIBLE:
                core = sorted(sub) if sub and set(sub) <= set(trial) else trial
                i = 0 if sub and len(sub) < len(trial) else i
            else:
                minimal = minimal and code in _DECIDED
                i += 1
        conflict = Conflict(part.name, [ctx.groups[k][1] for k in core], minimal=minimal)
        conflict.repairs = _repairs(instance, timeline, part, ctx, keys, core, deadline,
                                    max_repairs, setting)
        result.conflicts.append(conflict)
    if result.prechecks:
        result.feasible = False
    result.seconds = time.perf_counter() - started
    return result


def _repairs(instance: Instance, timeline: Timeline, part: Part, ctx: ModelContext,
             keys: list[str], core: list[str], deadline: float,
             max_repairs: int, setting: _Setting = _Setting()) -> list[list[Requirement]]:
    """Single requirements (then pairs) whose relaxation gives a plan, each verified by
    solving the instance relaxed as a person would relax it."""
    found: list[list[Requirement]] = []

    def verified(group: list[str]) -> bool:
        relaxed = instance
        for k in group:
            relaxed = ctx.groups[k][1].relax(relaxed)
        tl = Timeline(relaxed, timeline.calendar)
        return _part_feasible(relaxed, tl, part, max(0.5, deadline - time.perf_counter()),
                              setting)

    def try_group(group: list[str]) -> bool:
        if time.perf_counter() > deadline or len(found) >= max_repairs:
            return False
        rest = [k for k in keys if k not in group]
        code, _ = _status(ctx, rest, max(0.5, deadline - time.perf_counter()))
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE) and verified(group):
            found.append([ctx.groups[k][1] for k in group])
            return True
        return False

    for k in core:
        try_group([k])
    if not found:
        for k in core:
            if time.perf_counter() > deadline or len(found) >= max_repairs:
                break
            rest = [x for x in keys if x != k]
            code, second = _status(ctx, rest, max(0.5, deadline - time.perf_counter()))
            for h in sorted(second)[:4]:
                if try_group([k, h]):
                    break
    return found
