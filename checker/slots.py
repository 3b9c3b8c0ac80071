"""Shared-venue hosting as the checker sees it: offered slots, who may host where, the
contact person, hosting groups with their fair shares, and the placement of themes.

Which slots a venue *offers* is instance semantics (the slot-pattern parser), taken from
:func:`xinglian.models.hosting.expand_slots`. Everything else is recomputed here from the
text of docs/rules.md, without the solver's ``slot_obstacle``, ``eligible``,
``contact_of``, ``fair_shares`` nor ``place_themes``; a disagreement with the shared
helpers then shows up in the tests. The rules themselves are in checker/hosting.py.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from ..models.hosting import expand_slots
from ..models.instance import Federation, Instance, Theme, Venue, VenueKind
from ..models.timeline import WorkCalendar


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
