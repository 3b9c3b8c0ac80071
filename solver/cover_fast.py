"""The cover's fast path: a stand-in who can simply step in (solver/cover.py).

The plain substitution -- she takes the duty, nothing else moves -- is scored by the
checker's ``score`` and judged by its ``check``. With every change weight positive it is
exactly the minimal-change re-plan (``_fast_path_exact``); a care visit's other allowed
times likewise."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from ..checker import check, score
from ..models.changes import describe
from ..models.instance import Instance
from ..models.plan import Plan
from ..models.timeline import Timeline
from .duty import (
    Candidate,
    Duty,
    _Busy,
    _instance_for,
    _Names,
    _notify,
    _Option,
    _past_meeting_pins,
    direct_plan,
    rewrites_past,
)


def _direct_weight(duty: Duty, inst: Instance) -> int:
    w = inst.change_weights
    return {"rotation": w.rotation_term, "meeting": w.rotation_term,
            "hosting": w.hosting_turn, "volunteering": 2 * w.volunteer}[duty.kind]


def _fast_path_exact(inst: Instance) -> bool:
    """With every change weight positive, a stand-in who can simply step in (the plain
    substitution passes the checker) is exactly the minimal re-plan: it changes only
    what every re-plan of this cover must change, so no re-plan has fewer weighted
    changes, and with that number held nothing else may move."""
    return all(v > 0 for v in inst.change_weights.model_dump().values())


def _scored(inst: Instance, plan: Plan, calendar) -> tuple[Plan, int]:
    """``plan`` with its penalties and objective recomputed by the checker's score."""
    from ..models.plan import Penalty

    sc = score(inst, plan, calendar)
    penalties = tuple(Penalty(rule=r, weight=sc.weights[r], amount=a, cost=sc.cost(r))
                      for r, a in sc.amounts.items() if a and sc.weights[r])
    return plan.model_copy(update={
        "penalties": penalties,
        "solve": plan.solve.model_copy(update={"objective": sc.total})}), sc.total


DIRECT_KINDS = ("rotation", "meeting", "hosting", "volunteering")


def _fast_pass(duty: Duty, options: list[_Option], plan: Plan, inst: Instance,
               timeline: Timeline, today: dt.date, top: int, reasons: Counter
               ) -> tuple[list[Candidate], list[_Option]]:
    """Stand-ins who can simply step in, best first: every option's plain substitution
    is scored (cheap), then checked in order of its objective until ``top`` pass. Returns
    those candidates and the options left to re-plan (in their original order)."""
    from ..export.changes import diff_plans

    keep = (_past_meeting_pins(plan, duty.base, today, duty.period)
            if duty.kind in ("rotation", "meeting") else ())
    published = {p.rule: p.cost for p in _scored(inst, plan, timeline.calendar)[0].penalties}
    names = _Names(inst)
    scored, failed = [], set()
    for o in options:
        new, changed = direct_plan(duty, plan, o.who)
        if rewrites_past(plan, new, today):
            failed.add(o.who)
            continue
        new, total = _scored(inst, new, timeline.calendar)
        scored.append((total, o.travel or 0, o.who, o, new, changed))
    scored.sort(key=lambda e: e[:3])
    found: list[Candidate] = []
    for k, (total, _, who, o, new, changed) in enumerate(scored):
        if top > 0 and len(found) >= top:
            # Simple steps-in too, but not better than the ones listed: not checked.
            reasons["not tried"] += len(scored) - k
            break
        try:
            new_inst = _instance_for(o, inst, today, keep)
        except ValueError:
            failed.add(who)
            continue
        if check(new_inst, new, timeline.calendar):
            failed.add(who)
            continue
        after = {p.rule: p.cost for p in new.penalties}
        diff = {r: after.get(r, 0) - published.get(r, 0)
                for r in sorted(after.keys() | published.keys())
                if after.get(r, 0) != published.get(r, 0)}
        name = names.federation(who) if duty.kind == "hosting" else names.person(who)
        changes = diff_plans(plan, new, new_inst, inst)
        found.append(Candidate(
            who=who, name=name, plan=new, instance=new_inst,
            change_cost=_direct_weight(duty, inst), changed=changed, objective=total,
            cost_diff=diff, changes=changes, notify=_notify(changes, new_inst),
            applied=[f"谁能替班：{name} 接替 {duty.label}"]
            + [describe(c, inst) for c in (*o.changes.changes, *keep)],
            result=None, travel=o.travel))
    return found, [o for o in options if o.who in failed]


def _visit_moves(duty: Duty, plan: Plan, inst: Instance, timeline: Timeline,
                 today: dt.date) -> list[tuple[Plan, str]]:
    """Every plain move of a care visit to another allowed time of its quarter (or its
    festival's window) on or after ``today``, as a plan (the visits of that child, kind
    and quarter renumbered by date, as the solver and the checker number them) and the
    new time in words."""
    from ..models.volunteering import WEEKDAYS

    v = next(x for x in plan.care.visits if x.id == duty.id)
    care, mother = inst.care, inst.person(v.mother)
    day = v.start.date()
    times, minutes = {"meet": (care.meet_times, care.meet_minutes),
                      "talk": (care.talk_times, care.talk_minutes),
                      "festival": (care.festival_times, care.festival_minutes)}[v.kind]
    if v.kind == "festival":
        # Any festival she does not visit yet (festival visits are at different ones).
        stem = v.id.rsplit("-f", 1)[0]
        used = {x.id for x in plan.care.visits if x.child == v.child and x.id != v.id}
        out = []
        for j, f in enumerate(care.festivals, start=1):
            fid = f"{stem}-f{j}"
            if fid in used:
                continue
            lo = max(timeline.first, f.date - dt.timedelta(days=f.window_days))
            hi = min(timeline.last, f.date + dt.timedelta(days=f.window_days))
            for d in timeline.days(lo, hi):
                if d == day or d < today or mother.is_unavailable(d):
                    continue
                for t in times:
                    start = timeline.at(d, t)
                    moved = v.model_copy(update={
                        "id": fid, "start": start,
                        "end": start + dt.timedelta(minutes=minutes)})
                    visits = tuple(moved if x.id == v.id else x for x in plan.care.visits)
                    out.append((plan.model_copy(update={"care": plan.care.model_copy(
                        update={"visits": visits})}), f"{d} {t}"))
        return out
    else:
        q = int(re.search(r"-q(\d+)-", v.id)[1])
        qs, qe = timeline.quarters[q - 1]
        days = [d for d in timeline.days(qs, qe) if WEEKDAYS[d.weekday()] in care.visit_days]
        group = [x for x in plan.care.visits if x.child == v.child and x.kind == v.kind
                 and x.id != v.id and re.search(rf"-q{q}-", x.id)]
    taken = {x.start for x in group}
    out = []
    for d in days:
        if d == day or d < today or mother.is_unavailable(d):
            continue
        for t in times:
            start = timeline.at(d, t)
            if start in taken:
                continue
            moved = v.model_copy(update={"start": start,
                                         "end": start + dt.timedelta(minutes=minutes)})
            renamed = {}
            if v.kind != "festival":
                stem = v.id.rsplit("-", 1)[0]  # visit-<code>-<year>-q<q>
                mine = sorted([*group, moved], key=lambda x: x.start)
                renamed = {x.start: f"{stem}-{v.kind}{k}" for k, x in enumerate(mine, start=1)}
            members = {x.id for x in group} | {v.id}
            visits = tuple(
                (moved if x.id == v.id else x).model_copy(update={
                    "id": renamed[(moved if x.id == v.id else x).start]})
                if renamed and x.id in members else (moved if x.id == v.id else x)
                for x in plan.care.visits)
            out.append((plan.model_copy(update={"care": plan.care.model_copy(
                update={"visits": visits})}), f"{d} {t}"))
    return out


def _visit_pass(duty: Duty, options: list[_Option], plan: Plan, inst: Instance,
                timeline: Timeline, today: dt.date, top: int, reasons: Counter
                ) -> list[Candidate]:
    """A care visit's fast path: every other allowed time, scored, then checked best
    first (objective, then date) until ``top`` pass. The best is what the minimal
    re-plan gives (one visit must move; with one change held, it moves to the best
    time)."""
    from ..export.changes import diff_plans

    (o,) = options
    day = duty.day
    spans = _Busy(plan, inst).spans.get(duty.holder, [])
    v = next(x for x in plan.care.visits if x.id == duty.id)
    if any(a.date() == day and (a, b) != (v.start, v.end) for a, b in spans):
        # Her other duties that day move too (she is away that day): a re-plan decides.
        return []
    new_inst = _instance_for(o, inst, today)
    published = {p.rule: p.cost for p in _scored(inst, plan, timeline.calendar)[0].penalties}
    scored = []
    for new, when in _visit_moves(duty, plan, inst, timeline, today):
        new, total = _scored(inst, new, timeline.calendar)
        scored.append((total, when, new))
    scored.sort(key=lambda e: e[:2])
    found: list[Candidate] = []
    name = _Names(inst).person(duty.holder)
    for k, (total, when, new) in enumerate(scored):
        if top > 0 and len(found) >= top:
            reasons["not tried"] += len(scored) - k
            break
        if check(new_inst, new, timeline.calendar):
            reasons["busy"] += 1
            continue
        after = {p.rule: p.cost for p in new.penalties}
        diff = {r: after.get(r, 0) - published.get(r, 0)
                for r in sorted(after.keys() | published.keys())
                if after.get(r, 0) != published.get(r, 0)}
        changes = diff_plans(plan, new, new_inst, inst)
        found.append(Candidate(
            who=duty.holder, name=f"{name} {when}", plan=new, instance=new_inst,
            change_cost=inst.change_weights.care_visit, changed=[("visit", duty.id)],
            objective=total, cost_diff=diff, changes=changes,
            notify=_notify(changes, new_inst),
            applied=[f"{duty.label} 另约时间：{when}"]
            + [describe(c, inst) for c in o.changes.changes], result=None))
    return found


