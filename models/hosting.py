"""Shared-venue hosting (阵地共享 · 轮流主办): what the instance offers, before any solve.

Slots come from each venue's patterns; a slot is *usable* unless its day is a statutory
holiday, a make-up working day (调休: people are at work), or the venue is closed.
Unusable slots are not dropped silently: :func:`expand_slots` returns them with the
reason, and the summary lists them. Eligibility, fair shares (with carry-over) and theme
placement are pure functions of the instance, so the solver, the summary and the
checker all read the same definitions (docs/rules.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from math import ceil, floor

from .instance import Federation, Instance, Venue, VenueKind
from .timeline import WorkCalendar


@dataclass(frozen=True, order=True)
class Slot:
    """One offered activity slot of a venue."""

    date: dt.date
    start: dt.time
    end: dt.time
    venue: str
    id: str
    obstacle: str | None = None
    """Why the slot cannot be used (None when usable)."""

    @property
    def usable(self) -> bool:
        return self.obstacle is None


def slot_obstacle(venue: Venue, calendar: WorkCalendar, day: dt.date) -> str | None:
    closed = next((r for r in venue.closures if r.contains(day)), None)
    if closed is not None:
        return f"闭馆 closed ({closed.reason or f'{closed.start}..{closed.end}'})"
    holiday = calendar.holiday_name(day)
    if holiday:
        return f"法定节假日 holiday ({holiday})"
    if day in calendar.makeup_workdays:
        return "调休上班日 make-up working day"
    return None


def expand_slots(instance: Instance, calendar: WorkCalendar) -> list[Slot]:
    """Every slot every venue offers in the plan year, usable or not, sorted.

    Ids are ``host-<venue>-<date>``, with ``-<HHMM>`` added when the venue offers more
    than one slot that day.
    """
    out: list[Slot] = []
    busy = activities_at_venues(instance)
    for venue in instance.venues:
        times: dict[dt.date, set[tuple[dt.time, dt.time]]] = defaultdict(set)
        for spec in venue.slots:
            pat = spec.parsed
            for day in pat.dates(instance.year, spec.months):
                times[day].add((pat.start, pat.end))
        for day, spans in times.items():
            obstacle = slot_obstacle(venue, calendar, day)
            for start, end in sorted(spans):
                sid = f"host-{venue.id}-{day.isoformat()}"
                if len(spans) > 1:
                    sid += f"-{start:%H%M}"
                taken = obstacle or next(
                    (f"场地有活动 taken by activity {a.id}（{a.title}）"
                     for a in busy.get((venue.id, day), ())
                     if _minutes(start) < a.minutes[1] and a.minutes[0] < _minutes(end)),
                    None)
                out.append(Slot(day, start, end, venue.id, sid, taken))
    return sorted(out)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def activities_at_venues(instance: Instance) -> dict[tuple[str, dt.date], list]:
    """(venue, date) -> the activities held at that venue that day (they occupy it)."""
    out: dict[tuple[str, dt.date], list] = defaultdict(list)
    for a in instance.activities:
        if a.venue is not None:
            out[a.venue, a.date].append(a)
    return out


def hosting_federations(instance: Instance) -> list[Federation]:
    return [f for f in instance.federations if f.hosting is not None]


def contact_of(fed: Federation) -> str | None:
    """The person who runs a federation's turns."""
    if fed.hosting is not None and fed.hosting.contact:
        return fed.hosting.contact
    return fed.chair


def eligible(instance: Instance, venue: Venue, fed: Federation) -> bool:
    """Whether ``fed`` may host at ``venue`` (docs/rules.md, ``hosting_eligible``)."""
    if fed.hosting is None or not venue.slots:
        return False
    rule = venue.hosts
    if rule is not None:
        return (
            (fed.parent is not None and fed.parent in rule.bases)
            or (fed.town is not None and fed.town in rule.towns)
            or fed.id in rule.federations
        )
    if venue.kind is VenueKind.ENTERPRISE_OPEN and venue.owner:
        return fed.id == venue.owner
    return fed.town is not None and fed.town == venue.town


class HostIndex:
    """The hosting federations that may host at each venue (``eligible``), in list
    order, and the venues open to each federation; built once per instance.

    Candidates are looked up by base, town and id (a superset of ``eligible``, then
    filtered by it) rather than by trying every federation at every venue: a province
    has thousands of both. Shared by the solver, the pre-checks, the decomposition, the
    summary and the greedy baseline."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        feds = hosting_federations(instance)
        self.rank = {f.id: k for k, f in enumerate(feds)}
        self.by_id = {f.id: f for f in feds}
        self.by_base: dict[str | None, list[Federation]] = defaultdict(list)
        self.by_town: dict[str | None, list[Federation]] = defaultdict(list)
        for f in feds:
            self.by_base[f.parent].append(f)
            self.by_town[f.town].append(f)
        self._at: dict[str, list[Federation]] = {}
        self._venues_of: dict[str, list[str]] | None = None

    @classmethod
    def of(cls, instance: Instance) -> HostIndex:
        """The index of an instance, built once (instances are immutable)."""
        return instance.memo("_host_index", cls)

    def _candidates(self, venue: Venue) -> list[Federation]:
        rule = venue.hosts
        if rule is None:
            found = [*self.by_town.get(venue.town, ())]
            if venue.owner in self.by_id:
                found.append(self.by_id[venue.owner])
        else:
            found = [f for b in rule.bases for f in self.by_base.get(b, ())]
            found += [f for t in rule.towns for f in self.by_town.get(t, ())]
            found += [self.by_id[x] for x in rule.federations if x in self.by_id]
        unique = {f.id: f for f in found}
        return sorted(unique.values(), key=lambda f: self.rank[f.id])

    def at(self, venue: Venue) -> list[Federation]:
        """The federations that may host at ``venue``, in list order."""
        if venue.id not in self._at:
            self._at[venue.id] = [f for f in self._candidates(venue)
                                  if eligible(self.instance, venue, f)]
        return self._at[venue.id]

    def venues_of(self, fid: str) -> list[str]:
        """The venues where federation ``fid`` may host, in list order."""
        if self._venues_of is None:
            out: dict[str, list[str]] = defaultdict(list)
            for v in self.instance.venues:
                for f in self.at(v):
                    out[f.id].append(v.id)
            self._venues_of = out
        return self._venues_of.get(fid, [])


def eligible_hosts(instance: Instance) -> dict[str, list[str]]:
    """venue id -> ids of the federations that may host there."""
    index = HostIndex.of(instance)
    return {v.id: [f.id for f in index.at(v)] for v in instance.venues}


def max_turns_possible(instance: Instance, calendar: WorkCalendar, fed: Federation,
                       slots: list[Slot] | None = None) -> int:
    """The most turns ``fed`` could host on its own: usable slots it may take, its
    contact free that day, ``min_gap_days`` apart. Taking the earliest possible slot
    each time is optimal for this (interval scheduling with a fixed gap)."""
    slots = slots if slots is not None else expand_slots(instance, calendar)
    contact = contact_of(fed)
    person = instance.person(contact) if contact else None
    gap = instance.hosting.min_gap_days
    open_to = set(HostIndex.of(instance).venues_of(fed.id))
    n, last = 0, None
    for s in sorted(slots):
        if not s.usable or s.venue not in open_to:
            continue
        if person is not None and person.is_unavailable(s.date):
            continue
        if last is None or (s.date - last).days >= gap:
            n, last = n + 1, s.date
    return n


@dataclass(frozen=True)
class Share:
    """A federation's fair number of turns this year, within its hosting group."""

    federation: str
    group: int
    slots_in_group: int
    this_year: Fraction
    """``N_c * w_f / S_c``."""
    with_carry_over: Fraction
    """``max(0, (N_c + P_c) * w_f / S_c - prev_f)``."""
    previous: int

    @staticmethod
    def band(x: Fraction) -> tuple[int, int]:
        return floor(x), ceil(x)


def previous_turns(instance: Instance) -> dict[str, int]:
    """Last year's hosting turns per federation."""
    prev: dict[str, int] = defaultdict(int)
    for h in instance.history.hosting:
        if h.year == instance.year - 1:
            prev[h.federation] += h.turns
    return prev


def fair_shares(instance: Instance, slots: list[Slot]) -> dict[str, Share]:
    """Fair shares by size weight, per hosting group.

    A hosting group is a connected component of the graph linking each hosting
    federation to the venues where it may host (venues with at least one usable slot).
    Federations only compete for the slots they can reach, so shares are computed within
    each group: ``N_c`` usable slots, ``S_c`` the sum of weights, ``P_c`` the sum of
    last year's turns.
    """
    hosts = eligible_hosts(instance)
    usable_by_venue: dict[str, int] = defaultdict(int)
    for s in slots:
        if s.usable:
            usable_by_venue[s.venue] += 1
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for vid, feds in hosts.items():
        if not usable_by_venue.get(vid) or not feds:
            continue
        for fid in feds:
            parent[find("f:" + fid)] = find("v:" + vid)
    groups: dict[str, list[str]] = defaultdict(list)
    for key in list(parent):
        groups[find(key)].append(key)
    prev = previous_turns(instance)
    out: dict[str, Share] = {}
    for number, root in enumerate(sorted(groups, key=lambda r: sorted(groups[r])[0])):
        members = groups[root]
        feds = sorted(k[2:] for k in members if k.startswith("f:"))
        n = sum(usable_by_venue[k[2:]] for k in members if k.startswith("v:"))
        weights = {f: instance.federation(f).hosting.weight for f in feds}  # type: ignore[union-attr]
        total = sum(weights.values())
        p_total = sum(prev.get(f, 0) for f in feds)
        for f in feds:
            this_year = Fraction(n * weights[f], total)
            carry = max(Fraction(0), Fraction((n + p_total) * weights[f], total) - prev.get(f, 0))
            out[f] = Share(f, number + 1, n, this_year, carry, prev.get(f, 0))
    return out


@dataclass(frozen=True)
class ThemeSlot:
    theme: str
    name: str
    slot: str
    days_off: int


def place_themes(instance: Instance, slots: list[Slot]) -> tuple[list[ThemeSlot], list[str]]:
    """Put each theme on the usable slot nearest its date at every venue of its kind.

    Returns the placements and, in words, the venues where no usable slot lies within
    the theme's window.
    """
    placed: list[ThemeSlot] = []
    missing: list[str] = []
    by_venue: dict[str, list[Slot]] = defaultdict(list)
    for s in slots:
        if s.usable:
            by_venue[s.venue].append(s)
    taken: set[str] = set()
    for theme in sorted(instance.themes, key=lambda t: (t.date, t.id)):
        for venue in instance.venues:
            if venue.kind is not theme.venue_kind or not venue.slots:
                continue
            options = [
                s for s in by_venue[venue.id]
                if abs((s.date - theme.date).days) <= theme.window_days and s.id not in taken
            ]
            if not options:
                missing.append(
                    f"{theme.name}: {venue.name} 在 {theme.date} 前后 {theme.window_days} 天内"
                    f"没有可用场次 (no usable slot within {theme.window_days} days)"
                )
                continue
            best = min(options, key=lambda s: (abs((s.date - theme.date).days), s.date, s.start))
            taken.add(best.id)
            placed.append(ThemeSlot(theme.id, theme.name, best.id,
                                    abs((best.date - theme.date).days)))
    return placed, missing
