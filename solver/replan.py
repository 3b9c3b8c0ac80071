"""Re-planning against a published plan: a frozen past and the fewest changes.

``add_frozen_past`` fixes every decision whose event ended before ``today`` and keeps
the rest from moving into the past. ``change_terms`` expresses, for every published
decision, whether the new plan changes it (a rotation term's chair; a meeting's day,
slot or venue; a slot's host), weighted by the instance's ``change_weights``. The solve
is lexicographic: first the fewest weighted changes, proven minimal when CP-SAT says
OPTIMAL, then the original objective with that number of changes held.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .context import ModelContext, planned_visit_key
from .volunteering import shortfalls


class FrozenConflict(ValueError):
    """The frozen past cannot be kept under the new instance (said in words)."""


@dataclass(frozen=True)
class ChangeTerm:
    kind: str  # rotation | meeting | hosting
    key: str
    weight: int
    changed: object  # linear expression, 0/1


def _slot_index(ctx: ModelContext, start: dt.datetime) -> int | None:
    hhmm = f"{start:%H:%M}"
    return next((i for i, s in enumerate(ctx.instance.meetings.slots) if s.start == hhmm), None)


def add_frozen_past(ctx: ModelContext) -> None:
    prev, today = ctx.previous, ctx.today
    if prev is None or today is None:
        return
    model = ctx.model
    mine = {b.id for b in ctx.bases}
    for term in prev.rotation:
        if term.end >= today or term.base not in mine:
            continue
        var = ctx.chair.get((term.base, term.period, term.chair))
        if var is None:
            raise FrozenConflict(
                f"rotation term {term.base} period {term.period} ended before {today} with "
                f"chair {term.chair}, who is no longer on that presidium; the past cannot change"
            )
        model.add(var == 1)
    prev_meetings = {(m.base, m.quarter): m for m in prev.meetings}
    for (b, q), mv in ctx.meetings.items():
        m = prev_meetings.get((b, q))
        if m is not None and m.end.date() < today:
            s = _slot_index(ctx, m.start)
            lit = mv.day_slot.get((m.start.date(), s)) if s is not None else None
            if lit is None or m.venue not in mv.venue:
                raise FrozenConflict(
                    f"joint meeting {m.id} on {m.start:%Y-%m-%d %H:%M} at {m.venue} is in the "
                    f"past but no longer fits the instance (working day, slot or venue); the "
                    f"past cannot change"
                )
            model.add(lit == 1)
            model.add(mv.venue[m.venue] == 1)
        else:
            for (d, _), lit in mv.day_slot.items():
                if d < today:
                    model.add(lit == 0)
    for h in prev.hosting:
        if h.start.date() >= today or not ctx.hosts_at(h.venue):
            continue
        lit = ctx.hosting.get(h.id, {}).get(h.federation)
        if lit is None:
            raise FrozenConflict(
                f"hosting turn {h.id} by {h.federation} is in the past but no longer fits the "
                f"instance; the past cannot change"
            )
        model.add(lit == 1)


def change_terms(ctx: ModelContext) -> None:
    """Register one 0/1 expression per published decision that the new plan may change."""
    prev = ctx.previous
    if prev is None:
        return
    w = ctx.instance.change_weights
    out = ctx.change_terms
    mine = {b.id for b in ctx.bases}
    if mine:
        for term in (t for t in prev.rotation if t.base in mine):
            var = ctx.chair.get((term.base, term.period, term.chair))
            out.append(ChangeTerm("rotation", f"{term.base}/p{term.period}", w.rotation_term,
                                  1 - var if var is not None else 1))
        for m in prev.meetings:
            mv = ctx.meetings.get((m.base, m.quarter))
            if mv is None:
                continue
            s = _slot_index(ctx, m.start)
            lit = mv.day_slot.get((m.start.date(), s)) if s is not None else None
            vlit = mv.venue.get(m.venue)
            if lit is None or vlit is None:
                changed: object = 1
            else:
                changed = 1 - ctx.and_of(lit, vlit, f"same[{m.id}]")
            out.append(ChangeTerm("meeting", m.id, w.meeting, changed))
    prev_turns = {h.id: h.federation for h in prev.hosting if ctx.hosts_at(h.venue)}
    for sid in sorted(set(prev_turns) | set(ctx.hosting)):
        hosts = ctx.hosting.get(sid, {})
        before = prev_turns.get(sid)
        if before is None:
            changed = sum(hosts.values(), start=0)  # a turn where there was none
        elif before in hosts:
            changed = 1 - hosts[before]
        else:
            changed = 1  # the slot is gone or the federation can no longer host it
        out.append(ChangeTerm("hosting", sid, w.hosting_turn, changed))


def add_hints(ctx: ModelContext) -> None:
    """The published plan (else the construction) as a solution hint."""
    prev = ctx.hinted("bases")
    if prev is not None:
        chair = {(t.base, t.period): t.chair for t in prev.rotation}
        for (b, t, p), var in ctx.chair.items():
            ctx.suggest("bases", var, chair.get((b, t)) == p)
        prev_meetings = {(m.base, m.quarter): m for m in prev.meetings}
        for (b, q), mv in ctx.meetings.items():
            m = prev_meetings.get((b, q))
            key = (m.start.date(), _slot_index(ctx, m.start)) if m else None
            for k, lit in mv.day_slot.items():
                ctx.suggest("bases", lit, k == key)
            for vid, lit in mv.venue.items():
                ctx.suggest("bases", lit, m is not None and vid == m.venue)
    prev = ctx.hinted("hosting")
    if prev is not None:
        turns = {h.id: h.federation for h in prev.hosting}
        for sid, hosts in ctx.hosting.items():
            for fid, lit in hosts.items():
                ctx.suggest("hosting", lit, turns.get(sid) == fid)


def _published_assignments(ctx: ModelContext, plan=None) -> set[tuple[str, str, str]]:
    """The published assignments (or ``plan``'s) of this model's activities."""
    part, plan = ctx.part, plan or ctx.previous
    if part is None or part.activities is None:
        return {(v.activity, v.role, v.person) for v in plan.volunteering}
    return {(v.activity, v.role, v.person) for v in plan.volunteering
            if v.activity in part.activities}


def _visit_key(v) -> tuple:
    return (v.child, v.kind, v.date, v.start)


def _published_visits(ctx: ModelContext, plan=None) -> dict[tuple, object]:
    out = {}
    for v in (plan or ctx.previous).care.visits:
        part = ctx.part
        if part is not None and part.children is not None and v.child not in part.children:
            continue  # another part's child
        out[planned_visit_key(v)] = v
    return out


def add_frozen_volunteering(ctx: ModelContext) -> None:
    """What happened before ``today`` in volunteering and care stays as published."""
    prev, today = ctx.previous, ctx.today
    if prev is None or today is None or not (ctx.has_volunteering or ctx.has_care):
        return
    model = ctx.model
    acts = {a.id: a for a in ctx.activities}
    published = _published_assignments(ctx)
    for key, lit in ctx.assign.items():
        if acts[key[0]].date < today:
            model.add(lit == (1 if key in published else 0))
    for key in published if ctx.has_volunteering else ():
        if key[0] in acts and acts[key[0]].date < today and key not in ctx.assign:
            raise FrozenConflict(
                f"volunteer {key[2]} served as {key[1]} in {key[0]} before {today}, which no "
                f"longer fits the instance; the past cannot change")
    visits = _published_visits(ctx)
    for cands in ctx.visits.values():
        for v in cands:
            if v.date < today:
                model.add(v.lit == (1 if _visit_key(v) in visits else 0))


def volunteering_change_terms(ctx: ModelContext) -> None:
    prev = ctx.previous
    if prev is None or not (ctx.has_volunteering or ctx.has_care):
        return
    w = ctx.instance.change_weights
    published = _published_assignments(ctx) if ctx.has_volunteering else set()
    for key, lit in sorted(ctx.assign.items()):
        changed = (1 - lit) if key in published else lit
        ctx.change_terms.append(ChangeTerm("volunteering", "/".join(key), w.volunteer, changed))
    for key in sorted(published - set(ctx.assign)):
        ctx.change_terms.append(ChangeTerm("volunteering", "/".join(key), w.volunteer, 1))
    if not ctx.has_care:
        return
    by_key = {_visit_key(v): v.lit for cands in ctx.visits.values() for v in cands}
    for key, v in sorted(_published_visits(ctx).items(), key=lambda kv: kv[1].id):
        lit = by_key.get(key)
        ctx.change_terms.append(ChangeTerm("visit", v.id, w.care_visit,
                                           1 - lit if lit is not None else 1))


def add_volunteering_hints(ctx: ModelContext) -> None:
    prev = ctx.hinted("volunteering")
    if prev is not None and ctx.has_volunteering:
        published = _published_assignments(ctx, prev)
        for key, lit in ctx.assign.items():
            ctx.suggest("volunteering", lit, key in published)
    prev = ctx.hinted("care")
    if prev is not None and ctx.has_care:
        visits = _published_visits(ctx, prev)
        for cands in ctx.visits.values():
            for v in cands:
                ctx.suggest("care", v.lit, _visit_key(v) in visits)


@dataclass
class StageOne:
    """What stage 1 of a re-plan searches: the fewest weighted changes plus the shortfall
    it must not leave unstaffed to save a change, over the decisions it may change."""

    fixes: list[tuple[object, int]]
    """(literal, published value): volunteering stage 1 keeps as published, outside the
    months the change reaches."""
    shortfall: object
    """The weighted staffing shortfall stage 1 counts (of the reached months only when
    there are ``fixes``)."""
    closed: bool
    """A best repair with ``fixes`` is a best repair of the whole model (nothing free
    spans months: no caring-mother visits, rotation, meetings or hosting in the part)."""
    forced: int
    """Weighted changes no plan can avoid (published decisions that are no longer
    possible): a lower bound on stage 1's changes."""


def stage_one(ctx: ModelContext) -> StageOne:
    """Stage 1 of a re-plan, restricted to the months the change reaches (``ctx.reach``).

    With the reached-month shortfall as its staffing term, a fewest-changes repair of the
    whole model never changes an unreached month: its assignments there can be put back
    as published (their activities, people and pins did not change, and no hard rule ties
    two months together), which removes changes and costs nothing. So the search fixes
    them, and an optimum it proves is the whole model's (``closed``). Searching the
    month or two the change touches instead of the year is what makes a re-plan of a
    county's volunteering take a fraction of a second instead of several."""
    weight = ctx.instance.weights.unfilled_role
    forced = sum(t.weight for t in ctx.change_terms if isinstance(t.changed, int)
                 and t.changed == 1)
    months = ctx.reach
    if months is None or not ctx.assign or ctx.previous is None:
        full = sum((t.weight * t.amount for t in ctx.penalties
                    if t.rule == "unfilled_role" and t.weight), start=0)
        return StageOne([], full, True, forced)
    acts = {a.id: a for a in ctx.activities}
    today = ctx.today
    published = _published_assignments(ctx)
    fixes = [(lit, int(key in published)) for key, lit in sorted(ctx.assign.items())
             if (acts[key[0]].date.year, acts[key[0]].date.month) not in months
             and (today is None or acts[key[0]].date >= today)]
    short = sum((s for (aid, _), s in sorted(shortfalls(ctx).items())
                 if (acts[aid].date.year, acts[aid].date.month) in months), start=0)
    closed = not (ctx.visits or ctx.chair or ctx.meetings or ctx.hosting)
    return StageOne(fixes, weight * short if weight else 0, closed, forced)
