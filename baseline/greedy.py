"""The greedy baseline: a complete plan made by list-order rules, without a solver.

The rules are what a careful clerk does by hand; they look at little and never go back:

- **Rotation.** Per base, the presidium (chair first, then the vice-chairs) takes turns
  in list order, continuing after last year's last chair (``history.rotation``). A
  pinned term (``pins.rotation``) is kept and the turn continues after the pinned
  person. Availability is not looked at.
- **Meetings.** Per base and quarter: the first working day of the quarter's meeting
  window, the first meeting slot, the first venue in list order that takes meetings,
  seats the expected attendees and is in reach (``Instance.meeting_venues``); no look at
  other bookings. The host is that period's chair; attendees and absent by
  availability. ``pins.meetings`` are kept.
- **Hosting.** Per venue, its usable slots in date order go round-robin to the eligible
  federations in list order (a pinned turn is kept, the turn continues after it).
  Unusable slots are listed in ``hosting_skipped``; themes are named as the solver names
  them.
- **Volunteering.** Activities in date order; per role, the first volunteers in
  ``people`` order who are eligible (skill, language, available that day, weekly pattern,
  travel), not already in this activity and under their monthly caps so far, up to the
  role's ``min``. Shortfalls go to ``unfilled`` with a reason. ``pins.volunteering`` are
  placed first.
- **Caring mothers.** Last year's mother when she is still a caring mother (and has
  room), else the first caring mother of the child's town with room, else the first
  with room anywhere. Visits: each meet / talk on the first day of the quarter that is a
  visit day on which the mother is available, festival visits at the first festivals
  (list order) on the available day nearest the festival, at the first allowed time.

Volunteers are indexed by town and by (town, skill, language)
(``models.volunteering.VolunteersNearby``, shared with the solver), so the work grows with the
number of activities times the local pool, not with all people (K = 100 counties:
30,000 volunteers, 35,000 activities).

The plan's ``solve`` has status ``BASELINE``, the checker's score as objective and no
bound; ``penalties`` are the checker's amounts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from typing import Protocol
from zoneinfo import ZoneInfo

from ..checker import score
from ..models.hosting import HostIndex, Slot, expand_slots, place_themes
from ..models.instance import Instance
from ..models.plan import (
    Care,
    CarePair,
    CareVisit,
    Hosting,
    Meeting,
    Penalty,
    Plan,
    RotationTerm,
    SkippedSlot,
    SolveInfo,
    Unfilled,
    Volunteering,
)
from ..models.timeline import Timeline, WorkCalendar
from ..models.volunteering import WEEKDAYS, VolunteersNearby, shortfall_reason

STATUS = "BASELINE"


def greedy_plan(instance: Instance, calendar: WorkCalendar | None = None) -> Plan:
    """A complete plan by the clerk's list-order rules (module docstring).

    The plan may break hard rules (``checker.check`` lists them); it is always a valid
    :class:`~xinglian.models.plan.Plan` the checker can read. Deterministic: two calls
    differ only in ``generated_at`` and ``solve.wall_seconds``.

    Raises
    ------
    CalendarError
        When no working-day calendar can be decided for the plan year.
    """
    started = time.perf_counter()
    tl = Timeline(instance, calendar)
    terms, chair_of = _rotation(instance, tl)
    meetings = _meetings(instance, tl, chair_of)
    turns, skipped, host_unfilled = _hosting(instance, tl)
    assigned, vol_unfilled = _volunteering(instance)
    pairs, visits = _care(instance, tl)
    plan = assemble(instance, tl, STATUS, terms, meetings, turns, skipped, assigned, pairs,
                    visits, host_unfilled + vol_unfilled)
    return scored(instance, plan, tl.calendar, STATUS, started)


def assemble(instance: Instance, tl: Timeline, status: str, terms: list[RotationTerm],
             meetings: list[Meeting], turns: list[Hosting], skipped: list[SkippedSlot],
             assigned: list[Volunteering], pairs: list[CarePair], visits: list[CareVisit],
             unfilled: list[Unfilled], **more: tuple) -> Plan:
    """The plan of these decisions, each section in the order the solver writes it
    (``more``: further sections as they are, e.g. the term duties)."""
    return Plan(
        instance=instance.id,
        year=instance.year,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        solve=SolveInfo(status=status, calendar_source=tl.calendar.source),
        rotation=tuple(terms),
        meetings=tuple(sorted(meetings, key=lambda m: (m.start, m.base))),
        hosting=tuple(sorted(turns, key=lambda h: (h.start, h.venue))),
        hosting_skipped=tuple(skipped),
        volunteering=tuple(sorted(assigned, key=lambda v: (v.activity, v.role, v.person))),
        care=Care(pairs=tuple(pairs), visits=tuple(sorted(visits, key=lambda v: (v.start, v.id)))),
        unfilled=tuple(sorted(unfilled, key=lambda u: u.what)),
        **more,
    )


def scored(instance: Instance, plan: Plan, calendar: WorkCalendar, status: str,
           started: float) -> Plan:
    """``plan`` with the checker's score as objective (no bound) and its penalties: how
    a plan made without a solver (this baseline, ``solver/construct.py``) is finished."""
    s = score(instance, plan, calendar)
    penalties = tuple(
        Penalty(rule=rule, weight=s.weights[rule], amount=s.amounts[rule],
                cost=s.weights[rule] * s.amounts[rule])
        for rule in s.amounts
    )
    info = SolveInfo(status=status, objective=s.total, bound=None, gap=None,
                     wall_seconds=round(time.perf_counter() - started, 3), seed=0, workers=1,
                     time_limit=None, calendar_source=calendar.source)
    return plan.model_copy(update={"solve": info, "penalties": penalties})


# -- places ----------------------------------------------------------------------------


# -- rotation and meetings ------------------------------------------------------------


def _rotation(inst: Instance, tl: Timeline) -> tuple[list[RotationTerm], dict]:
    pins = {(p.base, p.period): p.chair for p in inst.pins.rotation}
    terms: list[RotationTerm] = []
    chair_of: dict[tuple[str, int], str] = {}
    for base in inst.bases:
        members = list(base.presidium)
        turn = first_turn(inst, base)
        for t in range(1, inst.periods + 1):
            chair = pins.get((base.id, t)) or members[turn % len(members)]
            turn = members.index(chair) + 1 if chair in members else turn + 1
            chair_of[base.id, t] = chair
            start, end = tl.periods[t - 1]
            terms.append(RotationTerm(base=base.id, period=t, start=start, end=end, chair=chair))
    return terms, chair_of


def first_turn(inst: Instance, base) -> int:
    """Index in the base's presidium of whose turn the year starts with: the one after
    last year's last chair (``history.rotation``), else the chair."""
    members = list(base.presidium)
    past = [h for h in inst.history.rotation
            if h.base == base.id and h.year < inst.year and h.chair in members]
    if not past:
        return 0
    last = max(past, key=lambda h: (h.year, h.period))
    return members.index(last.chair) + 1


def _meetings(inst: Instance, tl: Timeline, chair_of: dict) -> list[Meeting]:
    pins = {(p.base, p.quarter): p for p in inst.pins.meetings}
    slots = inst.meetings.slots
    out: list[Meeting] = []
    for base in inst.bases:
        expected = inst.meeting_attendees(base.id)
        # The first venue in list order that takes meetings, seats A_b and lies within
        # meetings.max_travel_minutes of the base's town (Instance.meeting_venues);
        # failing that, the first that takes meetings (the checker reports it).
        fits = inst.meeting_venues(base.id)
        room = (inst.venue(fits[0]) if fits else
                next((v for v in inst.venues if v.meetings), None) or next(iter(inst.venues), None))
        for q in range(1, 5):
            ws, we = tl.meeting_window(inst.meetings, q)
            day = next((d for d in tl.days(ws, we) if tl.calendar.is_workday(d)), ws)
            slot, venue = slots[0], room.id if room is not None else ""
            pin = pins.get((base.id, q))
            if pin is not None:
                day = pin.date or day
                slot = slots[pin.slot - 1] if pin.slot else slot
                venue = pin.venue or venue
            absent = tuple(p for p in expected if inst.person(p).is_unavailable(day))
            out.append(Meeting(
                id=f"mtg-{base.id}-q{q}", base=base.id, quarter=q,
                start=tl.at(day, slot.start), end=tl.at(day, slot.end), venue=venue,
                host=chair_of[base.id, tl.period_of(day)],
                attendees=tuple(p for p in expected if p not in absent), absent=absent))
    return out


# -- hosting ----------------------------------------------------------------------------


def _hosting(inst: Instance, tl: Timeline
             ) -> tuple[list[Hosting], list[SkippedSlot], list[Unfilled]]:
    all_slots = expand_slots(inst, tl.calendar)
    themes = {t.slot: t.name for t in place_themes(inst, all_slots)[0]}
    host_index = HostIndex.of(inst)
    by_venue: dict[str, list[Slot]] = defaultdict(list)
    for s in all_slots:
        if s.usable:
            by_venue[s.venue].append(s)
    pins_at: dict[str, list] = defaultdict(list)
    for pin in inst.pins.hosting:
        pins_at[pin.venue].append(pin)
    turns: list[Hosting] = []
    unfilled: list[Unfilled] = []
    for venue in inst.venues:
        if not by_venue.get(venue.id):
            continue
        hosts = [f.id for f in host_index.at(venue)]
        pending = list(pins_at.get(venue.id, []))
        turn = 0
        for s in by_venue[venue.id]:  # sorted by date, then start
            pin = next((p for p in pending if p.date == s.date
                        and (p.start is None or p.start == f"{s.start:%H:%M}")), None)
            if pin is not None:
                pending.remove(pin)
                host = pin.federation
                turn = hosts.index(host) + 1 if host in hosts else turn
            elif hosts:
                host = hosts[turn % len(hosts)]
                turn += 1
            else:
                unfilled.append(Unfilled.hosting_slot(
                    s.id, s.venue, venue.name, s.date,
                    "没有符合条件的主办单位 no eligible federation"))
                continue
            turns.append(Hosting(id=s.id, venue=s.venue, federation=host,
                                 start=tl.at(s.date, f"{s.start:%H:%M}"),
                                 end=tl.at(s.date, f"{s.end:%H:%M}"), theme=themes.get(s.id)))
    return turns, skipped_slots(inst, all_slots), unfilled


def skipped_slots(inst: Instance, all_slots: list[Slot]) -> list[SkippedSlot]:
    """The offered slots that cannot be used, with why (``hosting_skipped``)."""
    tz = ZoneInfo(inst.timezone)
    return [SkippedSlot(id=s.id, venue=s.venue, start=dt.datetime.combine(s.date, s.start, tz),
                        end=dt.datetime.combine(s.date, s.end, tz), why=s.obstacle or "")
            for s in all_slots if not s.usable]


# -- volunteering -------------------------------------------------------------------------


class Diary(Protocol):
    """Who is busy when (``solver/construct.py``): the baseline passes none."""

    def free(self, pid: str, day: dt.date, start: int, end: int, town: str | None) -> bool: ...

    def book(self, pid: str, day: dt.date, start: int, end: int, town: str | None) -> None: ...


def _volunteering(inst: Instance, diary: Diary | None = None,
                  busy: str = "已在本活动 / already on this activity (greedy, no look-ahead)",
                  pool_of=None, load: Counter[str] | None = None
                  ) -> tuple[list[Volunteering], list[Unfilled]]:
    """The list-order fill; with a ``diary``, a volunteer busy elsewhere at the time
    (travel included) is passed over and each assignment is booked in it (the pinned
    ones are taken as booked already: the caller plans around them). ``pool_of(activity,
    role, chosen)``, when given, lists the people a role is filled from (ids, in order)
    instead of everyone nearby in list order (``chosen``: the ids already on the
    activity); ``load``, when given, counts each person's
    assignments as they are made (for ``pool_of`` to read)."""
    if not inst.activities:
        return [], []
    pools = VolunteersNearby.of(inst)
    vols = pools.people
    index = {p.id: i for i, p in enumerate(vols)}
    n_acts: Counter[tuple[int, int]] = Counter()  # (volunteer, month) -> activities
    minutes: Counter[tuple[int, int]] = Counter()  # (volunteer, month) -> minutes
    skip_to: dict[tuple, int] = {}  # (pool key, month) -> first not yet full volunteer
    pins: dict[str, list] = defaultdict(list)
    for pin in inst.pins.volunteering:
        pins[pin.activity].append(pin)
    out: list[Volunteering] = []
    unfilled: list[Unfilled] = []

    def full(i: int, month: int) -> bool:
        v = vols[i].volunteer
        return (n_acts[i, month] >= v.max_activities_per_month  # type: ignore[union-attr]
                or minutes[i, month] >= 60 * v.max_hours_per_month)  # type: ignore[union-attr]

    for a in sorted(inst.activities, key=lambda a: (a.date, a.start, a.end, a.id)):
        month = a.date.month
        start, end = a.minutes
        length = end - start
        town = inst.activity_town(a)
        used: set[int] = set()
        have: Counter[str] = Counter()
        for pin in pins.get(a.id, []):
            out.append(Volunteering(activity=a.id, person=pin.person, role=pin.role))
            if load is not None:
                load[pin.person] += 1
            have[pin.role] += 1
            i = index.get(pin.person)
            if i is not None and i not in used:
                used.add(i)
                n_acts[i, month] += 1
                minutes[i, month] += length
        for r in a.roles:
            need = r.min - have[r.role]
            if need <= 0:
                continue
            if pool_of is not None:
                chosen = [vols[i].id for i in sorted(used)]
                pool = [index[pid] for pid in pool_of(a, r, chosen) if pid in index]
                first = 0
            else:
                pool = pools.pool(town, r.skill, r.language)
                key = (town, r.skill, r.language, month)
                first = skip_to.get(key, 0)
                while first < len(pool) and full(pool[first], month):
                    first += 1
                skip_to[key] = first
            got = 0
            for i in pool[first:]:
                if i in used or full(i, month):
                    continue
                v = vols[i].volunteer
                if minutes[i, month] + length > 60 * v.max_hours_per_month:  # type: ignore[union-attr]
                    continue
                if vols[i].is_unavailable(a.date) or not v.free(a.date, start, end):  # type: ignore[union-attr]
                    continue
                if diary is not None and not diary.free(vols[i].id, a.date, start, end, town):
                    continue
                if diary is not None:
                    diary.book(vols[i].id, a.date, start, end, town)
                out.append(Volunteering(activity=a.id, person=vols[i].id, role=r.role))
                if load is not None:
                    load[vols[i].id] += 1
                used.add(i)
                n_acts[i, month] += 1
                minutes[i, month] += length
                got += 1
                if got == need:
                    break
            if got < need:
                n_ok = sum(1 for i in pool if not vols[i].is_unavailable(a.date)
                           and vols[i].volunteer.free(a.date, start, end))  # type: ignore[union-attr]
                unfilled.append(Unfilled.role_short(
                    a, r.role, r.skill, need - got,
                    shortfall_reason(r, n_ok, inst.volunteering.max_travel_minutes,
                                     have[r.role] + got, busy=busy)))
    return out, unfilled


# -- caring mothers -------------------------------------------------------------------------


def quarter_visit_days(rules, tl: Timeline) -> list[list[dt.date]]:
    """Per quarter, its days that are ``care.visit_days`` weekdays, in date order."""
    days_ok = {WEEKDAYS.index(d) for d in rules.visit_days}
    return [[d for d in tl.days(qs, qe) if d.weekday() in days_ok] for qs, qe in tl.quarters]


def _care(inst: Instance, tl: Timeline) -> tuple[list[CarePair], list[CareVisit]]:
    if not inst.children:
        return [], []
    rules = inst.care
    mothers = [p for p in inst.people if p.caring_mother]
    caring = {p.id for p in mothers}
    cap = rules.max_children_per_mother
    load: Counter[str] = Counter()
    last = {h.child: h.mother for h in inst.history.care if h.year == inst.year - 1}
    mother_of: dict[str, str] = {}
    for c in inst.children:  # last year's pairs first
        m = last.get(c.code)
        if m in caring and load[m] < cap:
            mother_of[c.code] = m
            load[m] += 1
    in_town: dict[str | None, list[str]] = defaultdict(list)
    for p in mothers:
        in_town[p.town].append(p.id)
    skip: dict[str | None, int] = defaultdict(int)  # first mother with room, per list

    def first_with_room(key: str | None, ids: list[str]) -> str | None:
        k = skip[key]
        while k < len(ids) and load[ids[k]] >= cap:
            k += 1
        skip[key] = k
        return ids[k] if k < len(ids) else None

    everyone = [p.id for p in mothers]
    for c in inst.children:
        if c.code in mother_of or not everyone:
            continue
        m = (first_with_room("town:" + c.town, in_town.get(c.town, []))
             or first_with_room(None, everyone) or everyone[0])
        mother_of[c.code] = m
        load[m] += 1

    visit_days = quarter_visit_days(rules, tl)
    windows = [sorted(tl.days(f.date - dt.timedelta(days=f.window_days),
                              f.date + dt.timedelta(days=f.window_days)),
                      key=lambda d, f=f: (abs((d - f.date).days), d))
               for f in rules.festivals]  # nearest the festival first
    visits: list[CareVisit] = []
    for c in inst.children:
        m = mother_of.get(c.code)
        if m is None:
            continue
        person = inst.person(m)

        def visit(vid: str, kind: str, day: dt.date, at: str, length: int,
                  code: str = c.code, mother: str = m) -> CareVisit:
            start = tl.at(day, at)
            return CareVisit(id=vid, mother=mother, child=code, kind=kind, start=start,
                             end=start + dt.timedelta(minutes=length))

        for q, candidates in enumerate(visit_days, start=1):
            free = (d for d in candidates if not person.is_unavailable(d))
            days = [d for _, d in zip(range(max(rules.meet_per_quarter,
                                                rules.talk_per_quarter)), free, strict=False)]
            for kind, n, times, length in (
                    ("meet", rules.meet_per_quarter, rules.meet_times, rules.meet_minutes),
                    ("talk", rules.talk_per_quarter, rules.talk_times, rules.talk_minutes)):
                for k, day in enumerate(days[:n], start=1):
                    visits.append(visit(f"visit-{c.code}-{inst.year}-q{q}-{kind}{k}", kind,
                                        day, times[0], length))
        made = 0
        for i, window in enumerate(windows, start=1):
            if made == rules.festivals_per_year:
                break
            day = next((d for d in window if not person.is_unavailable(d)), None)
            if day is None:
                continue
            visits.append(visit(f"visit-{c.code}-{inst.year}-f{i}", "festival", day,
                                rules.festival_times[0], rules.festival_minutes))
            made += 1
    pairs = [CarePair(mother=m, child=code) for code, m in sorted(mother_of.items())]
    return pairs, visits
