"""Can the holders of two duties exchange them? (``xinglian swap``; solver/cover.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..checker import Violation, check
from ..models.changes import ChangeSet, PinChair, PinHosting
from ..models.instance import Instance, VolunteeringPin
from ..models.plan import Plan
from ..models.timeline import Timeline
from .cover import cover, replan_for, warm
from .duty import (
    CoverReport,
    Duty,
    _as_term,
    _holds,
    _instance_for,
    _notify,
    _Option,
    cost_diff,
    parse_duty,
)
from .solve import Result


@dataclass
class SwapReport:
    a: Duty
    b: Duty
    ok: bool
    direct: bool
    """The two exchange and nothing else moves."""
    violations: list[Violation]
    """The rules the plain exchange breaks (empty when it holds)."""
    plan: Plan | None = None
    instance: Instance | None = None
    cost_diff: dict[str, int] = field(default_factory=dict)
    changes: list = field(default_factory=list)
    notify: list[str] = field(default_factory=list)
    change_cost: int = 0
    alternative: CoverReport | None = None
    problem: str = ""


def swapped_plan(plan: Plan, a: Duty, b: Duty) -> Plan:
    """``plan`` with the holders of ``a`` and ``b`` exchanged, nothing else moved (a
    chair's meetings follow her term)."""
    if a.kind == "meeting" or b.kind == "meeting":
        a, b = _as_term(a), _as_term(b)
    if a.kind != b.kind:
        raise ValueError(f"{a.id} is a {a.kind} duty and {b.id} a {b.kind} one: only duties "
                         "of one kind can be exchanged")
    if a.kind == "rotation":
        new_chair = {(a.base, a.period): b.holder, (b.base, b.period): a.holder}
        rotation = tuple(t.model_copy(update={"chair": new_chair[(t.base, t.period)]})
                         if (t.base, t.period) in new_chair else t for t in plan.rotation)
        terms = {(t.base, t.period): t for t in rotation}
        meetings = []
        for m in plan.meetings:
            for d in (a, b):
                t = terms[(d.base, d.period)]
                if m.base == d.base and t.start <= m.start.date() <= t.end:
                    m = m.model_copy(update={"host": t.chair})
            meetings.append(m)
        return plan.model_copy(update={"rotation": rotation, "meetings": tuple(meetings)})
    if a.kind == "hosting":
        fed = {a.id: b.holder, b.id: a.holder}
        return plan.model_copy(update={"hosting": tuple(
            h.model_copy(update={"federation": fed[h.id]}) if h.id in fed else h
            for h in plan.hosting)})
    if a.kind == "volunteering":
        who = {(a.activity, a.role, a.holder): b.holder,
               (b.activity, b.role, b.holder): a.holder}
        return plan.model_copy(update={"volunteering": tuple(
            v.model_copy(update={"person": who[(v.activity, v.role, v.person)]})
            if (v.activity, v.role, v.person) in who else v for v in plan.volunteering)})
    raise ValueError("care visits cannot be exchanged (a child keeps her caring mother); "
                     "use cover to move one")


def swap(plan: Plan, inst: Instance, id_a: str, id_b: str, today: dt.date, *,
         work: float = 1.0, seed: int = 0, workers: int = 1, top: int = 3,
         timeline: Timeline | None = None) -> SwapReport:
    """Can the holders of duties ``id_a`` and ``id_b`` exchange them?

    First the plain exchange, judged by the checker (its violations name the rules in
    words); if it breaks none, it is re-solved as a re-plan with both pinned, which
    gives the exchanged plan with the objective recomputed. When the plain exchange
    breaks a rule, a re-plan with both pinned may still find one with further moves;
    otherwise the nearest alternative is the best cover of ``id_a``.
    """
    from ..export.changes import diff_plans

    timeline = timeline or Timeline(inst)
    warm(inst)
    a, b = parse_duty(plan, inst, id_a, today), parse_duty(plan, inst, id_b, today)
    for d in (a, b):
        if d.end < today:
            raise ValueError(f"{d.id} ended on {d.end}, before --today {today}")
    if a.holder == b.holder:
        raise ValueError(f"{id_a} and {id_b} have the same holder ({a.holder}): nothing to "
                         "exchange")
    plain = swapped_plan(plan, a, b)
    violations = check(inst, plain, timeline.calendar)
    ta, tb = _as_term(a), _as_term(b)
    opts = [_pin(ta, b.holder), _pin(tb, a.holder)]
    changes = ChangeSet(changes=tuple(c for o in opts for c in o.changes.changes))
    option = _Option(b.holder, changes,
                     pins_volunteering=tuple(p for o in opts for p in o.pins_volunteering),
                     barred=frozenset().union(*(o.barred for o in opts)))
    report = SwapReport(a, b, False, False, violations)
    try:
        new_inst = _instance_for(option, inst, today)
    except ValueError as e:  # e.g. not on that presidium: no re-plan can hold it
        new_inst, res = inst, Result("INFEASIBLE", None, problems=str(e).splitlines())
    else:
        res = replan_for(plan, inst, timeline, today, new_inst, work=work, seed=seed,
                         workers=workers)
    if res.plan is not None and not check(new_inst, res.plan, timeline.calendar) \
            and _holds(ta, res.plan, b.holder) and _holds(tb, res.plan, a.holder):
        report.ok = True
        report.plan, report.instance = res.plan, new_inst
        report.changes = diff_plans(plan, res.plan, new_inst, inst)
        report.notify = _notify(report.changes, new_inst)
        report.cost_diff = cost_diff(plan, res.plan)
        report.change_cost = res.change_cost
        report.direct = not violations and len(res.changed) <= 2 * (
            2 if a.kind == "volunteering" else 1)
    else:
        report.problem = "\n".join(res.problems) if res.plan is None and res.problems else ""
        report.alternative = cover(plan, inst, id_a, today, top=top, work=work, seed=seed,
                                   workers=workers, timeline=timeline)
    return report


def _pin(d: Duty, who: str) -> _Option:
    if d.kind == "rotation":
        return _Option(who, ChangeSet(changes=(PinChair(
            kind="pin_chair", base=d.base, period=d.period, chair=who, reason="互换"),)))
    if d.kind == "hosting":
        return _Option(who, ChangeSet(changes=(PinHosting(
            kind="pin_hosting", venue=d.venue, date=d.day, federation=who,
            start=d.start_hhmm, reason="互换"),)))
    if d.kind == "volunteering":
        return _Option(who, pins_volunteering=(VolunteeringPin(
            activity=d.activity, person=who, role=d.role, reason="互换"),),
            barred=frozenset({(d.activity, d.role, d.holder)}))
    raise ValueError("care visits cannot be exchanged (a child keeps her caring mother)")


