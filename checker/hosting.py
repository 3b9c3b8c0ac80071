"""Shared-venue hosting (阵地共享 · 轮流主办), re-derived for the checker.

The checker's own view of slots, hosts, groups, shares and themes is in
checker/slots.py. Here the rules: hard ``hosting_slot``, ``hosting_eligible``,
``hosting_contact_available``, ``hosting_gap``, ``hosting_turns`` and ``pinned_hosting``;
the soft amounts ``hosting_share`` .. ``empty_slot``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from fractions import Fraction
from itertools import combinations
from math import ceil, floor

from ..models.instance import VenueKind
from .context import Ctx
from .slots import (  # noqa: F401 (the checker's hosting view, re-exported)
    FairShare,
    Group,
    OfferedSlot,
    PlacedTheme,
    contact,
    fair_shares,
    hosting_groups,
    may_host,
    obstacles,
    offered_slots,
    place_themes,
    previous_turns,
)


def check_hosting_slot(ctx: Ctx) -> Iterator[str]:
    slots = ctx.hosting_slots
    if slots is None:
        yield (
            "cannot tell statutory holidays and make-up working days, so no hosting slot "
            f"is checked: {ctx.calendar_error}"
        )
        return
    by_id = ctx.slot_by_id
    by_place: dict[tuple[str, dt.date, dt.time], OfferedSlot] = {
        (s.venue, s.date, s.start): s for s in slots
    }
    for h in ctx.plan.hosting:
        label = ctx.hosting_label(h)
        s, e = ctx.local(h.start), ctx.local(h.end)
        slot = by_id.get(h.id)
        if slot is None:
            if h.venue not in ctx.venues:
                yield f"hosting turn {label}: no such venue, so no offered slot"
                continue
            there = by_place.get((h.venue, s.date(), s.time()))
            if there is not None:
                yield f"hosting turn {label} has id {h.id!r}; the slot's id is {there.id!r}"
                slot = there
            else:
                day = [x for x in slots if (x.venue, x.date) == (h.venue, s.date())]
                offered = (
                    ", ".join(f"{x.start:%H:%M}-{x.end:%H:%M}" for x in day)
                    if day
                    else "no slot"
                )
                yield (
                    f"hosting turn {label} is not at an offered slot: "
                    f"{ctx.venue_name(h.venue)} offers {offered} on {ctx.day_label(s.date())}"
                )
                continue
        if h.venue != slot.venue:
            yield (
                f"hosting turn {label} names {ctx.venue_name(h.venue)}, but slot {slot.id} "
                f"is at {ctx.venue_name(slot.venue)}"
            )
        want_s = dt.datetime.combine(slot.date, slot.start, ctx.tz)
        want_e = dt.datetime.combine(slot.date, slot.end, ctx.tz)
        if (s, e) != (want_s, want_e):
            yield (
                f"hosting turn {label} does not match its slot {ctx.slot_label(slot)}"
            )
        if not slot.usable:
            yield f"hosting turn {label} is at an unusable slot: {'; '.join(slot.obstacles)}"
        if h.theme is not None:
            placed = ctx.themes_placed.get(slot.id)
            if placed is None:
                yield (
                    f"hosting turn {label} carries theme {h.theme!r}, but no theme is "
                    f"placed on slot {slot.id}"
                )
            elif h.theme not in (placed.theme.id, placed.theme.name):
                # docs/rules.md does not say whether the label is the theme's id or its
                # name; either names the placed theme.
                yield (
                    f"hosting turn {label} carries theme {h.theme!r}, but the theme placed "
                    f"on slot {slot.id} is {placed.theme.id!r} ({placed.theme.name})"
                )
    hosts: dict[str, list[str]] = defaultdict(list)
    for h in ctx.plan.hosting:
        hosts[h.id].append(h.federation)
    for sid, feds in sorted(hosts.items()):
        if len(feds) > 1:
            names = ", ".join(ctx.fed_name(f) for f in feds)
            where = ctx.slot_label(by_id[sid]) if sid in by_id else sid
            yield f"slot {where} has {len(feds)} hosts ({names}); one allowed"
    if not ctx.instance.hosting.allow_empty:
        for slot in slots:
            if slot.usable and slot.id not in hosts:
                yield (
                    f"usable slot {ctx.slot_label(slot)} has no host (hosting.allow_empty "
                    "is false)"
                )


def check_hosting_eligible(ctx: Ctx) -> Iterator[str]:
    for h in ctx.plan.hosting:
        fed = ctx.feds.get(h.federation)
        venue = ctx.venues.get(h.venue)
        if fed is None:
            yield f"hosting turn {ctx.hosting_label(h)}: no such federation"
            continue
        if venue is None:
            continue  # reported by hosting_slot
        if fed.hosting is None:
            yield (
                f"hosting turn {ctx.hosting_label(h)}: {fed.name} has no `hosting` parameters, "
                "so it takes no turns"
            )
        elif not may_host(venue, fed):
            if venue.hosts is not None:
                rule = "its `hosts` name neither the federation, its base nor its town"
            elif venue.kind == VenueKind.ENTERPRISE_OPEN and venue.owner is not None:
                rule = f"only its owner {ctx.fed_name(venue.owner)} hosts there"
            else:
                rule = (
                    f"it is in {ctx.instance.town_name(venue.town)}, the federation in "
                    f"{ctx.instance.town_name(fed.town) or 'no town'}"
                )
            yield (
                f"hosting turn {ctx.hosting_label(h)}: {fed.name} may not host at "
                f"{venue.name} ({rule})"
            )


def check_hosting_contact_available(ctx: Ctx) -> Iterator[str]:
    for h in ctx.plan.hosting:
        fed = ctx.feds.get(h.federation)
        person = contact(fed) if fed is not None else None
        if person is None:
            continue  # unknown federation: hosting_eligible
        day = ctx.local(h.start).date()
        reason = ctx.unavailable_on(person, day)
        if reason is not None:
            why = f" ({reason})" if reason else ""
            yield (
                f"hosting turn {ctx.hosting_label(h)} is run by its contact person "
                f"{ctx.who(person)}, unavailable on {day}{why}"
            )


def check_hosting_gap(ctx: Ctx) -> Iterator[str]:
    gap = ctx.instance.hosting.min_gap_days
    for fid, turns in sorted(ctx.turns.items()):
        for a, b in combinations(turns, 2):
            days = abs((ctx.local(b.start).date() - ctx.local(a.start).date()).days)
            if days < gap:
                yield (
                    f"{ctx.fed_name(fid)} hosts {a.id} and {b.id} {days} days apart; at "
                    f"least {gap} days allowed (hosting.min_gap_days)"
                )


def check_hosting_turns(ctx: Ctx) -> Iterator[str]:
    for fed in ctx.instance.federations:
        if fed.hosting is None:
            continue
        n = len(ctx.turns.get(fed.id, []))
        lo, hi = fed.hosting.min_turns, fed.hosting.max_turns
        if n < lo:
            yield f"{ctx.fed_name(fed.id)} hosts {n} turns; at least {lo} (min_turns)"
        if hi is not None and n > hi:
            yield f"{ctx.fed_name(fed.id)} hosts {n} turns; at most {hi} (max_turns)"


def check_pinned_hosting(ctx: Ctx) -> Iterator[str]:
    for pin in ctx.instance.pins.hosting:
        at = f" at {pin.start}" if pin.start else ""
        where = f"{ctx.venue_name(pin.venue)} on {ctx.day_label(pin.date)}{at}"
        found = [
            h
            for h in ctx.plan.hosting
            if h.venue == pin.venue
            and ctx.local(h.start).date() == pin.date
            and (pin.start is None or f"{ctx.local(h.start):%H:%M}" == pin.start)
        ]
        if not found:
            yield (
                f"{ctx.fed_name(pin.federation)} is pinned to host {where}, but the plan has "
                "no hosting turn there"
            )
        elif all(h.federation != pin.federation for h in found):
            others = ", ".join(f"{ctx.fed_name(h.federation)} ({h.id})" for h in found)
            yield f"{ctx.fed_name(pin.federation)} is pinned to host {where}, but {others} does"


# =====================================================================================
# Soft amounts
# =====================================================================================


def _shares(ctx: Ctx) -> dict[str, FairShare]:
    return fair_shares(ctx.instance, ctx.hosting_slots or [])


def _off_band(turns: int, share: Fraction) -> int:
    return max(0, floor(share) - turns) + max(0, turns - ceil(share))


def _n_turns(ctx: Ctx, fid: str) -> int:
    return len(ctx.turns.get(fid, []))


def amount_hosting_share(ctx: Ctx) -> int:
    return sum(_off_band(_n_turns(ctx, f), s.this_year) for f, s in _shares(ctx).items())


def amount_hosting_carry_over(ctx: Ctx) -> int:
    return sum(_off_band(_n_turns(ctx, f), s.with_carry_over) for f, s in _shares(ctx).items())


def amount_hosting_spread(ctx: Ctx) -> int:
    n = 0
    for fed in ctx.instance.federations:
        if fed.hosting is None:
            continue
        turns = ctx.turns.get(fed.id, [])
        per_q = Counter(ctx.quarter_of(ctx.local(h.start).date()) for h in turns)
        counts = [per_q[q] for q in ctx.quarters]
        n += max(counts) - min(counts)
    return n


def amount_hosting_outside_town(ctx: Ctx) -> int:
    return sum(
        1
        for fid, turns in ctx.turns.items()
        for h in turns
        if fid in ctx.feds
        and ctx.feds[fid].town is not None
        and h.venue in ctx.venues
        and ctx.venues[h.venue].town != ctx.feds[fid].town
    )


def amount_theme_off_date(ctx: Ctx) -> int:
    return sum(p.days_off for p in ctx.themes_placed.values())


def amount_empty_slot(ctx: Ctx) -> int:
    hosted = {h.id for h in ctx.plan.hosting}
    return sum(1 for s in ctx.hosting_slots or [] if s.usable and s.id not in hosted)
