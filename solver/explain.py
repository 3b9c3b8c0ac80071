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
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from ..models.instance import Instance
from ..models.timeline import Timeline, WorkCalendar
from .build import build
from .context import ModelContext, Part
from .decompose import decompose
from .precheck import Message, precheck
from .requirements import Requirement


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
    seconds: float = 0.0

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
            if c.repairs:
                out.append("最小的修改（任选其一，均已用求解验证）：" if zh else
                           "Smallest repairs (any one; each checked by a solve):")
                for rep in c.repairs:
                    text = "，并且".join(r.repair(lang) for r in rep) if zh else \
                        ", and ".join(r.repair(lang) for r in rep)
                    out.append(f"  - {text}，就有可行方案。" if zh else
                               f"  - {text}, a plan exists.")
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


def _part_feasible(instance: Instance, timeline: Timeline, part: Part, seconds: float) -> bool:
    ctx = build(instance, timeline, part, explain=False)
    solver = _solver(seconds)
    ctx.model.clear_objective()
    return solver.solve(ctx.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def explain(instance: Instance, *, calendar: WorkCalendar | None = None,
            time_limit: float = 60.0, max_repairs: int = 3) -> Explanation:
    """Explain why ``instance`` has no plan (or say that it has one)."""
    started = time.perf_counter()
    deadline = started + time_limit
    timeline = Timeline(instance, calendar)
    result = Explanation(feasible=True, prechecks=precheck(instance, timeline))

    def left() -> float:
        return max(0.5, deadline - time.perf_counter())

    for part in decompose(instance, timeline):
        ctx = build(instance, timeline, part, explain=True)
        keys = sorted(ctx.groups)
        code, core = _status(ctx, keys, left())
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        result.feasible = False
        if code != cp_model.INFEASIBLE:
            result.structural.append(f"{part.name} (time ran out: {code})")
            continue
        code, _ = _status(ctx, [], left())
        if code == cp_model.INFEASIBLE:
            result.structural.append(part.name)
            continue
        # Deletion filter: drop each requirement whose removal keeps it infeasible.
        minimal = True
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
                i += 1
        conflict = Conflict(part.name, [ctx.groups[k][1] for k in core], minimal=minimal)
        conflict.repairs = _repairs(instance, timeline, part, ctx, keys, core, deadline,
                                    max_repairs)
        result.conflicts.append(conflict)
    if result.prechecks:
        result.feasible = False
    result.seconds = time.perf_counter() - started
    return result


def _repairs(instance: Instance, timeline: Timeline, part: Part, ctx: ModelContext,
             keys: list[str], core: list[str], deadline: float,
             max_repairs: int) -> list[list[Requirement]]:
    """Single requirements (then pairs) whose relaxation gives a plan, each verified by
    solving the instance relaxed as a person would relax it."""
    found: list[list[Requirement]] = []

    def verified(group: list[str]) -> bool:
        relaxed = instance
        for k in group:
            relaxed = ctx.groups[k][1].relax(relaxed)
        tl = Timeline(relaxed, timeline.calendar)
        return _part_feasible(relaxed, tl, part, max(0.5, deadline - time.perf_counter()))

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
