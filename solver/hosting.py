"""Shared-venue hosting (阵地共享 · 轮流主办): which federation hosts each offered slot.

Variables exist only for usable slots (holidays, 调休 and closures removed beforehand,
and listed in the plan) and for eligible federations whose contact person is available
that day -- that *is* ``hosting_slot``'s usability part, ``hosting_eligible`` and
``hosting_contact_available``. Definitions in docs/rules.md.
"""

from __future__ import annotations

from collections import defaultdict

from ..models.hosting import (
    HostIndex,
    contact_of,
    expand_slots,
    fair_shares,
    place_themes,
)
from . import requirements
from .context import ModelContext


def add_variables(ctx: ModelContext) -> None:
    inst = ctx.instance
    mine_feds = {f.id for f in ctx.hosting_federations()}
    index = HostIndex.of(inst)
    ctx.all_slots = ctx.shared("slots", lambda: expand_slots(inst, ctx.timeline.calendar))
    published = {h.id for h in ctx.previous.hosting} if ctx.previous else set()
    by_venue = ctx.shared("slots_by_venue", lambda: _by_venue(ctx.all_slots))
    mine = (ctx.all_slots if ctx.part is None else
            sorted(s for v in ctx.part.venues for s in by_venue.get(v, ())))
    for slot in mine:
        # Explaining: a slot lost only to a closure is kept, the closure a requirement.
        closed_only = ctx.explain and not slot.usable and not _calendar_obstacle(ctx, slot)
        if not slot.usable and not closed_only:
            continue
        if ctx.today is not None and slot.date < ctx.today and slot.id not in published:
            continue  # re-planning: a past slot nobody hosted stays unhosted
        venue = inst.venue(slot.venue)
        ctx.slots[slot.id] = slot
        hosts = {}
        for f in index.at(venue):
            if f.id not in mine_feds:
                continue
            contact = contact_of(f)
            if (not ctx.explain and contact is not None
                    and inst.person(contact).is_unavailable(slot.date)):
                continue
            hosts[f.id] = ctx.new_bool(f"host[{slot.id},{f.id}]")
        ctx.hosting[slot.id] = hosts


def theme_of(ctx: ModelContext) -> dict:
    """slot id -> the theme placed on it (models.hosting.place_themes), once per solve."""
    return ctx.shared("theme_of", lambda: {t.slot: t for t in ctx.shared(
        "themes", lambda: place_themes(ctx.instance, ctx.all_slots))[0]})


def _by_venue(slots) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for s in slots:
        out[s.venue].append(s)
    return out


def _calendar_obstacle(ctx: ModelContext, slot) -> bool:
    cal = ctx.timeline.calendar
    return cal.holiday_name(slot.date) is not None or slot.date in cal.makeup_workdays


def _turns_by_federation(ctx: ModelContext) -> dict[str, list[tuple[str, object]]]:
    """federation id -> (slot id, literal) of its possible turns (once per model; the
    variables are all made before any rule reads them)."""
    if "turns_by_federation" not in ctx.cache:
        out: dict[str, list[tuple[str, object]]] = defaultdict(list)
        for sid, hosts in ctx.hosting.items():
            for fid, lit in hosts.items():
                out[fid].append((sid, lit))
        ctx.cache["turns_by_federation"] = out
    return ctx.cache["turns_by_federation"]


def add_hosting_slot(ctx: ModelContext) -> None:
    """At most one host per slot; exactly one unless the instance allows empty slots."""
    if ctx.explain:
        _hosting_slot_switchable(ctx)
        return
    allow_empty = ctx.instance.hosting.allow_empty
    for hosts in ctx.hosting.values():
        lits = list(hosts.values())
        if allow_empty:
            if len(lits) > 1:
                ctx.model.add_at_most_one(lits)
        else:
            ctx.model.add_exactly_one(lits)  # no candidate at all: infeasible, pre-checked


def _hosting_slot_switchable(ctx: ModelContext) -> None:
    """Explaining: closures and "every slot needs a host" become requirements."""
    inst, model = ctx.instance, ctx.model
    for sid, hosts in ctx.hosting.items():
        slot = ctx.slots[sid]
        venue = inst.venue(slot.venue)
        total = sum(hosts.values(), start=0)
        model.add(total <= 1)
        closures = [
            ctx.require(f"closure:{venue.id}:{i}",
                        lambda v=venue.id, i=i: requirements.closure(inst, v, i, "hosting_slot"))
            for i, r in enumerate(venue.closures) if r.contains(slot.date)
        ]
        for lit in closures:
            ctx.enforce(model.add(total == 0), lit)
        if not inst.hosting.allow_empty:
            fill = ctx.require(f"fill:{venue.id}",
                               lambda v=venue.id: requirements.fill_slots(inst, v))
            model.add(total >= 1).only_enforce_if([fill] + [c.Not() for c in closures])


def add_hosting_contact_available(ctx: ModelContext) -> None:
    """The contact person of a host is available that day. Outside explanations this
    holds by construction (no variable for a federation whose contact is away); when
    explaining, every federation gets its variable and each absence is a requirement."""
    if not ctx.explain:
        return
    inst, model = ctx.instance, ctx.model
    for sid, hosts in ctx.hosting.items():
        slot = ctx.slots[sid]
        for fid, lit in hosts.items():
            contact = contact_of(inst.federation(fid))
            if contact is None:
                continue
            for i, r in enumerate(inst.person(contact).unavailable):
                if r.contains(slot.date):
                    ctx.enforce(model.add(lit == 0), ctx.require(
                        f"unavailable:{contact}:{i}",
                        lambda c=contact, i=i: requirements.unavailability(
                            inst, c, i, "hosting_contact_available")))


def add_hosting_gap(ctx: ModelContext) -> None:
    """Two turns of a federation are at least ``min_gap_days`` apart: each turn blocks
    ``[day, day + gap)`` and the blocks of one federation may not overlap."""
    gap = ctx.instance.hosting.min_gap_days
    for fid, turns in _turns_by_federation(ctx).items():
        if len(turns) < 2:
            continue
        if ctx.explain:  # pairwise, so that the gap can be a requirement
            req = ctx.require(f"gap:{fid}",
                              lambda fid=fid: requirements.hosting_gap(ctx.instance, fid))
            # Sort by date only: two turns on one day (a morning and an afternoon slot)
            # would otherwise compare the solver literals, which CP-SAT refuses.
            days = sorted(((ctx.slots[sid].date, lit) for sid, lit in turns),
                          key=lambda pair: pair[0])
            for i, (d1, l1) in enumerate(days):
                for d2, l2 in days[i + 1:]:
                    if (d2 - d1).days >= gap:
                        break
                    if d1 == d2:  # never two turns on one day: min_gap_days >= 1 always
                        ctx.model.add(l1 + l2 <= 1)
                    else:
                        ctx.enforce(ctx.model.add(l1 + l2 <= 1), req)
            continue
        intervals = [
            ctx.model.new_optional_fixed_size_interval_var(
                ctx.timeline.day_index(ctx.slots[sid].date), gap, lit, f"gap[{sid},{fid}]")
            for sid, lit in turns
        ]
        ctx.model.add_no_overlap(intervals)


def add_hosting_turns(ctx: ModelContext) -> None:
    turns = _turns_by_federation(ctx)
    for f in ctx.hosting_federations():
        lits = [lit for _, lit in turns.get(f.id, [])]
        total = sum(lits, start=0)
        if f.hosting.min_turns:
            ctx.enforce(ctx.model.add(total >= f.hosting.min_turns), ctx.require(
                f"min_turns:{f.id}", lambda f=f: requirements.min_turns(ctx.instance, f.id)))
        if f.hosting.max_turns is not None and len(lits) > f.hosting.max_turns:
            ctx.enforce(ctx.model.add(total <= f.hosting.max_turns), ctx.require(
                f"max_turns:{f.id}", lambda f=f: requirements.max_turns(ctx.instance, f.id)))


def add_pinned_hosting(ctx: ModelContext) -> None:
    for index, pin in enumerate(ctx.instance.pins.hosting):
        if not ctx.hosts_at(pin.venue):
            continue
        req = ctx.require(f"pin_hosting:{index}",
                          lambda i=index: requirements.pin_hosting(ctx.instance, i))
        matches = [
            s for s in ctx.slots.values()
            if s.venue == pin.venue and s.date == pin.date
            and (pin.start is None or f"{s.start:%H:%M}" == pin.start)
        ]
        lits = [ctx.hosting[s.id][pin.federation] for s in matches
                if pin.federation in ctx.hosting[s.id]]
        # No such usable slot or the federation cannot host it: infeasible (pre-checked).
        ctx.enforce(ctx.model.add_bool_or(lits), req)


# -- soft rules ----------------------------------------------------------------------


def _totals(ctx: ModelContext) -> dict[str, object]:
    """federation id -> int var: its number of turns (``hosting_share`` and
    ``hosting_carry_over`` read it), made once per model."""
    if "hosting_totals" not in ctx.cache:
        turns, model = _turns_by_federation(ctx), ctx.model
        out = {}
        for f in ctx.hosting_federations():
            lits = [lit for _, lit in turns.get(f.id, [])]
            total = model.new_int_var(0, len(lits), f"turns[{f.id}]")
            model.add(total == sum(lits, start=0))
            out[f.id] = total
        ctx.cache["hosting_totals"] = out
    return ctx.cache["hosting_totals"]


def _off_share(ctx: ModelContext, rule: str, target_of, label: str) -> None:
    """Turns outside the band ``[floor(target), ceil(target)]`` of a fair share."""
    inst, model = ctx.instance, ctx.model
    shares = ctx.shared("shares", lambda: fair_shares(inst, ctx.all_slots))
    turns, totals = _turns_by_federation(ctx), _totals(ctx)
    parts = []
    for f in ctx.hosting_federations():
        share = shares.get(f.id)
        if share is None:
            continue
        n = len(turns.get(f.id, []))
        target = target_of(share)
        lo, hi = share.band(target)
        total = totals[f.id]
        dev = model.new_int_var(0, max(n, hi), f"dev[{label},{f.id}]")
        model.add_max_equality(dev, [lo - total, total - hi, 0])
        parts.append((dev, 1, f"{f.name} 轮值次数偏离{label} {float(target):.1f}"))
    ctx.penalise(rule, getattr(inst.weights, rule), parts)


def hosting_share_penalties(ctx: ModelContext) -> None:
    """Turns against the fair share of this year's usable slots by size weight."""
    _off_share(ctx, "hosting_share", lambda share: share.this_year, "份额")


def hosting_carry_over_penalties(ctx: ModelContext) -> None:
    """Turns against the two-year share, last year's turns carried over."""
    _off_share(ctx, "hosting_carry_over", lambda share: share.with_carry_over, "含上年结转份额")


def hosting_spread_penalties(ctx: ModelContext) -> None:
    """A federation's turns in its busiest quarter less those in its quietest."""
    model = ctx.model
    turns = _turns_by_federation(ctx)
    parts = []
    for f in ctx.hosting_federations():
        lits = [lit for _, lit in turns.get(f.id, [])]
        if not lits:
            continue
        quarters = []
        for q in range(1, 5):
            c = model.new_int_var(0, len(lits), f"q{q}[{f.id}]")
            model.add(c == sum(
                (lit for sid, lit in turns[f.id]
                 if (ctx.slots[sid].date.month - 1) // 3 + 1 == q),
                start=0,
            ))
            quarters.append(c)
        hi_q = model.new_int_var(0, len(lits), f"qmax[{f.id}]")
        lo_q = model.new_int_var(0, len(lits), f"qmin[{f.id}]")
        model.add_max_equality(hi_q, quarters)
        model.add_min_equality(lo_q, quarters)
        spread = model.new_int_var(0, len(lits), f"qspread[{f.id}]")
        model.add(spread == hi_q - lo_q)
        parts.append((spread, 1, f"{f.name} 各季度轮值次数不均"))
    ctx.penalise("hosting_spread", ctx.instance.weights.hosting_spread, parts)


def hosting_outside_town_penalties(ctx: ModelContext) -> None:
    """A turn at a venue in another town than the host federation's."""
    inst = ctx.instance
    turns = _turns_by_federation(ctx)
    parts = []
    for f in ctx.hosting_federations():
        for sid, lit in turns.get(f.id, []):
            venue = inst.venue(ctx.slots[sid].venue)
            if f.town is not None and venue.town != f.town:
                parts.append(
                    (lit, 1, f"{f.name} 在外镇场地 {venue.name} 主办 {ctx.slots[sid].date}"))
    ctx.penalise("hosting_outside_town", inst.weights.hosting_outside_town, parts)


def theme_off_date_penalties(ctx: ModelContext) -> None:
    """Days between each theme's date and the slot it is placed on (a constant: fixed by
    the instance, reported so that a closure pushing a festival away shows)."""
    inst = ctx.instance
    themes = theme_of(ctx)
    parts = [
        (1, t.days_off, f"{t.name} 在 {inst.venue(ctx.slots[t.slot].venue).name} "
                        f"安排于 {ctx.slots[t.slot].date}，偏离{t.days_off}天")
        for t in (themes[sid] for sid in ctx.slots if sid in themes) if t.days_off
    ]
    ctx.penalise("theme_off_date", inst.weights.theme_off_date, parts)


def empty_slot_penalties(ctx: ModelContext) -> None:
    """A usable slot without a host (only when ``hosting.allow_empty``)."""
    inst = ctx.instance
    parts = []
    if inst.hosting.allow_empty:
        for sid, hosts in ctx.hosting.items():
            slot = ctx.slots[sid]
            parts.append((1 - sum(hosts.values(), start=0), 1,
                          f"{inst.venue(slot.venue).name} {slot.date} 无人主办"))
    ctx.penalise("empty_slot", inst.weights.empty_slot, parts)
