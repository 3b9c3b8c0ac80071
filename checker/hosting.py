"""Shared-venue hosting (阵地共享 · 轮流主办), re-derived for the checker.

Which slots a venue *offers* is instance semantics (the slot-pattern parser), taken from
:func:`xinglian.models.hosting.expand_slots`. Everything else is recomputed here from the
text of docs/rules.md, without ``slot_obstacle``, ``eligible``, ``contact_of``,
``fair_shares`` nor ``place_themes``: slot ids, whether a slot is usable (closures, the
statutory holidays and make-up working days of the :class:`WorkCalendar`), who may host
where, the contact person, the hosting groups and their fair shares, and the placement of
themes. A disagreement with the shared helpers then shows up in the tests.

Then the rules: hard ``hosting_slot``, ``hosting_eligible``,
``hosting_contact_available``, ``hosting_gap``, ``hosting_turns`` and ``pinned_hosting``;
the soft amounts ``hosting_share`` .. ``empty_slot``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import ceil, floor
from typing import TYPE_CHECKING

from ..models.hosting import expand_slots
from ..models.instance import Federation, Instance, Theme, Venue, VenueKind
from ..models.timeline import WorkCalendar

if TYPE_CHECKING:
    # Annotations only: checker/context.py builds its hosting data with the functions
    # below, so a run-time import back would be a circle.
    from .context import Ctx


@dataclass(frozen=True)
class OfferedSlot:
    """One slot a venue offers in the plan year, with what (if anything) blocks it."""

    id: str
    venue: str
    date: dt.date
    start: dt.time
    end: dt.time
    obstacles: tuple[str, ...]
    """Plain-words reasons the slot cannot be used; empty when usable."""

    @property
    def usable(self) -> bool:
        return not self.obstacles


def obstacles(venue: Venue, calendar: WorkCalendar, day: dt.date) -> tuple[str, ...]:
    """Why nobody can host at ``venue`` on ``day`` (docs: ``hosting_slot``)."""
    out: list[str] = []
    for r in venue.closures:
        if r.start <= day <= r.end:
            why = f", {r.reason}" if r.reason else ""
            out.append(f"{venue.name} is closed {r.start}..{r.end}{why}")
    holiday = calendar.holidays.get(day)
    if holiday:
        out.append(f"{day} is a statutory holiday ({holiday})")
    if day in calendar.makeup_workdays:
        out.append(f"{day} is a make-up working day (调休)")
    return tuple(out)


def offered_slots(instance: Instance, calendar: WorkCalendar) -> list[OfferedSlot]:
    """Every offered slot, usable or not, sorted by date, start, venue.

    The (venue, date, start, end) come from ``expand_slots``; the id is rebuilt from the
    docs (``host-<venue>-<date>``, ``-<HHMM>`` added when the venue offers several slots
    that day) and usability is re-decided from the closures and the calendar.
    """
    spans: dict[tuple[str, dt.date], set[tuple[dt.time, dt.time]]] = defaultdict(set)
    for s in expand_slots(instance, calendar):
        spans[(s.venue, s.date)].add((s.start, s.end))
    venues = {v.id: v for v in instance.venues}
    held: dict[tuple[str, dt.date], list] = defaultdict(list)
    for a in instance.activities:
        if a.venue is not None:
            held[(a.venue, a.date)].append(a)
    out: list[OfferedSlot] = []
    for (vid, day), times in spans.items():
        blocked = obstacles(venues[vid], calendar, day)
        for start, end in sorted(times):
            sid = f"host-{vid}-{day.isoformat()}"
            if len(times) > 1:
                sid += f"-{start:%H%M}"
            # docs: an activity held at the venue at an overlapping time occupies it
            taken = tuple(f"{venues[vid].name} holds activity {a.id} ({a.title}) then"
                          for a in held.get((vid, day), ())
                          if f"{start:%H:%M}" < a.end and a.start < f"{end:%H:%M}")
            out.append(OfferedSlot(sid, vid, day, start, end, blocked + taken))
    return sorted(out, key=lambda s: (s.date, s.start, s.venue, s.end))


def contact(fed: Federation) -> str | None:
    """``hosting.contact``, else the federation's chair (docs: hosting_contact_available)."""
    if fed.hosting is not None and fed.hosting.contact is not None:
        return fed.hosting.contact
    return fed.chair


def may_host(venue: Venue, fed: Federation) -> bool:
    """docs ``hosting_eligible``: hosting parameters, and either ``hosts`` names the
    federation's base (``parent``), its town or its id; or, without ``hosts``, it owns an
    enterprise-opened venue with an owner; or otherwise its town is the venue's town."""
    if fed.hosting is None:
        return False
    hosts = venue.hosts
    if hosts is not None:
        return (
            (fed.parent is not None and fed.parent in hosts.bases)
            or (fed.town is not None and fed.town in hosts.towns)
            or fed.id in hosts.federations
        )
    if venue.kind == VenueKind.ENTERPRISE_OPEN and venue.owner is not None:
        return fed.id == venue.owner
    return fed.town is not None and fed.town == venue.town


@dataclass(frozen=True)
class Group:
    """A hosting group: a connected component of "may host at" (docs: hosting_share)."""

    federations: tuple[str, ...]
    venues: tuple[str, ...]
    slots: int
    """``N_c``: usable slots of the group's venues."""
    weight: int
    """``S_c``: the sum of the federations' weights."""
    previous: int
    """``P_c``: the federations' turns in the year before the plan year."""


def previous_turns(instance: Instance) -> dict[str, int]:
    """``prev_f``: turns per federation in the year before the plan year (history)."""
    prev: dict[str, int] = defaultdict(int)
    for h in instance.history.hosting:
        if h.year == instance.year - 1:
            prev[h.federation] += h.turns
    return dict(prev)


def hosting_groups(instance: Instance, slots: list[OfferedSlot]) -> list[Group]:
    """Connected components, by breadth-first search, of the bipartite graph of hosting
    federations and venues with at least one usable slot. A hosting federation that may
    host nowhere is a group of its own with ``N_c = 0``."""
    usable: dict[str, int] = defaultdict(int)
    for s in slots:
        if s.usable:
            usable[s.venue] += 1
    feds = [f for f in instance.federations if f.hosting is not None]
    venues = [v for v in instance.venues if usable[v.id]]
    edges: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for v in venues:
        for f in feds:
            if may_host(v, f):
                edges[("v", v.id)].append(("f", f.id))
                edges[("f", f.id)].append(("v", v.id))
    weight = {f.id: f.hosting.weight for f in feds if f.hosting is not None}
    prev = previous_turns(instance)
    seen: set[tuple[str, str]] = set()
    groups: list[Group] = []
    for node in [("f", f.id) for f in feds] + [("v", v.id) for v in venues]:
        if node in seen:
            continue
        seen.add(node)
        todo, members = [node], [node]
        while todo:
            for nxt in edges[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
                    members.append(nxt)
        g_feds = tuple(sorted(x for k, x in members if k == "f"))
        g_venues = tuple(sorted(x for k, x in members if k == "v"))
        groups.append(
            Group(
                g_feds,
                g_venues,
                sum(usable[v] for v in g_venues),
                sum(weight[f] for f in g_feds),
                sum(prev.get(f, 0) for f in g_feds),
            )
        )
    return groups


@dataclass(frozen=True)
class FairShare:
    federation: str
    this_year: Fraction
    """``φ_f = N_c * w_f / S_c``."""
    with_carry_over: Fraction
    """``ψ_f = max(0, (N_c + P_c) * w_f / S_c - prev_f)``."""


def fair_shares(instance: Instance, slots: list[OfferedSlot]) -> dict[str, FairShare]:
    """Every hosting federation's fair shares (docs: hosting_share, hosting_carry_over)."""
    prev = previous_turns(instance)
    out: dict[str, FairShare] = {}
    for g in hosting_groups(instance, slots):
        for fid in g.federations:
            fed = next(f for f in instance.federations if f.id == fid)
            assert fed.hosting is not None
            w = fed.hosting.weight
            phi = Fraction(g.slots * w, g.weight)
            two_years = Fraction((g.slots + g.previous) * w, g.weight)
            psi = max(Fraction(0), two_years - prev.get(fid, 0))
            out[fid] = FairShare(fid, phi, psi)
    return out


@dataclass(frozen=True)
class PlacedTheme:
    theme: Theme
    slot: OfferedSlot
    days_off: int


def place_themes(instance: Instance, slots: list[OfferedSlot]) -> dict[str, PlacedTheme]:
    """slot id -> the theme placed there (docs: theme_off_date).

    Themes in date order (same date: by id), at every venue of the theme's kind with
    slots, on the not yet themed usable slot nearest the theme's date within
    ``window_days``; ties go to the earlier date, then the earlier start. A theme with no
    such slot at a venue is not placed there (it adds nothing to the amount).
    """
    by_venue: dict[str, list[OfferedSlot]] = defaultdict(list)
    for s in slots:
        if s.usable:
            by_venue[s.venue].append(s)
    placed: dict[str, PlacedTheme] = {}
    for theme in sorted(instance.themes, key=lambda t: (t.date, t.id)):
        for venue in instance.venues:
            if venue.kind != theme.venue_kind or not venue.slots:
                continue
            best: tuple[tuple[int, dt.date, dt.time], OfferedSlot] | None = None
            for s in by_venue[venue.id]:
                off = abs((s.date - theme.date).days)
                if off > theme.window_days or s.id in placed:
                    continue
                key = (off, s.date, s.start)
                if best is None or key < best[0]:
                    best = (key, s)
            if best is not None:
                placed[best[1].id] = PlacedTheme(theme, best[1], best[0][0])
    return placed


# =====================================================================================
# Hard rules
# =====================================================================================


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
