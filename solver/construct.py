"""A fast construction that keeps the hard rules: the hint every part starts from.

Issue 14: "Every part starts from a complete, feasible hint built in milliseconds". The
construction is the clerk's baseline (``baseline/greedy.py``) made careful: the same
list orders, but every choice is checked against what is already booked, and a choice
that would break a hard rule is passed over for the next one. Plain Python, but for
two small OR-Tools models: the chairs alone (step 1) and the volunteers' min-cost flow
(step 6, solver/staffing.py). Decisions are made in this order, each seeing the
bookings of the ones before:

1. **Rotation.** Per base the presidium in a queue that starts after last year's last
   chair; each period the first in the queue who may chair takes it and goes last: not
   unavailable more than ``max_unavailable_days`` days of the period nor on a pinned
   meeting day of the base, under ``max_terms_per_person``, not chairing another base
   then. A member passed over keeps her place. When nobody may, an earlier period's
   chair moves to this one and a member who may takes hers. Pins are kept (and counted
   first). The chairs are then polished (single changes and swaps) and, per group of
   bases sharing a member, replaced by the optimum of a CP-SAT model of the chairs
   alone when it costs less (chairs.solve_chairs; default instance 385 -> 235 by the
   rotation's soft rules, the part's whole rotation 528 -> 378 against its optimum 375).
2. **Meetings.** Per base and quarter the first (working day, slot, venue) of the
   window at which the host (the period's chair) is available, the venue is open and
   free (no other meeting, no usable hosting slot, no activity held there) and no
   attendee is busy elsewhere (travel included). Pins fix what they name.
3. **Hosting.** All usable slots in date order. Of the venue's eligible federations
   that may take a slot (contact person available and free, no turn fewer than
   ``min_gap_days`` away, under ``max_turns``), the one that has used the least of its
   ``max_turns`` (its weight without one), then whose last turn is longest ago, then the
   venue's turn. When none may, one federation's turn too close to the slot is handed
   to another that may take it; failing that, ``unfilled`` when
   ``hosting.allow_empty``, else the federation that breaks the least. Pins are kept
   (and counted first).
4. **Care.** ``care_pairs`` when given; else last year's mother (in reach, with room),
   then the children with the fewest mothers in reach first: the first with room in
   the child's town, else in reach (``candidate_mothers``). Visits on the first visit
   days the mother is available and free (travel to the child's town included);
   festival visits on the festivals' own days first, then a day off, and so on.
5. **Term of work** (instances with ``terms``). Each enterprise visit in its round, on
   the first allowed day and time when the chair, the regional chair and the contact
   are available and free; the rounds' periods are tried in a turn per enterprise (to
   spread the visits). Each period's signature activity on its first allowed day, time
   and venue that is open and free.
6. **Volunteering.** Teams priced by the soft rules and improved move by move
   (solver/staffing.py), passing over a volunteer busy elsewhere at the time (travel
   included); shortfalls go to ``unfilled``.

"Busy" is one diary of everybody's duties: two duties of a person on one day must be
apart by the travel between their towns, whatever they are. That is a little stricter
than ``no_double_booking_person`` (which adds travel only next to an assignment or a
visit) and exactly ``term_no_double_booking``. Where no choice keeps a rule the
construction still returns a complete plan; ``checker.check`` then names what is left.
"""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections import Counter, defaultdict
from fractions import Fraction

from ..baseline.greedy import (
    assemble,
    first_turn,
    quarter_visit_days,
    scored,
    skipped_slots,
)
from ..models.common import hhmm_minutes
from ..models.hosting import HostIndex, Slot, contact_of, expand_slots, place_themes
from ..models.instance import Instance
from ..models.plan import (
    CarePair,
    CareVisit,
    Hosting,
    Meeting,
    Plan,
    RotationTerm,
    SkippedSlot,
    Unfilled,
)
from ..models.term import (
    SignatureEvent,
    TermVisit,
    activity_venues,
    allowed_day,
    contact,
    round_periods,
    signature_id,
    term_of,
    visit_id,
    visited,
)
from ..models.timeline import Timeline, WorkCalendar
from ..models.volunteering import candidate_mothers
from .chairs import best_chairs, polish_chairs
from .diary import Diary, Rooms
from .staffing import staff

STATUS = "CONSTRUCTION"
_BUSY = "另有任务 / busy with another duty then (construction)"


def construct(instance: Instance, calendar: WorkCalendar | None = None,
              care_pairs: dict[str, str] | None = None, *, objective: bool = True) -> Plan:
    """A complete plan that keeps the hard rules wherever a list-order choice can (module
    docstring), with status ``CONSTRUCTION``, the checker's score as objective and no
    bound. ``care_pairs`` (child code -> mother id) are used as they are.
    Deterministic: two calls differ only in ``generated_at`` and ``solve.wall_seconds``.

    ``objective=False`` leaves the score out (objective None, no penalties): a hint
    does not need it, and at K = 100 counties scoring takes as long as constructing.

    Raises
    ------
    CalendarError
        When no working-day calendar can be decided for the plan year.
    """
    started = time.perf_counter()
    inst = instance
    tl = Timeline(inst, calendar)
    diary, rooms = Diary(inst), Rooms()
    all_slots = expand_slots(inst, tl.calendar)
    for s in all_slots:
        if s.usable:  # hosting fills them: nothing else goes there
            rooms.book(s.venue, s.date, _min(s.start), _min(s.end))
    for a in inst.activities:
        if a.venue is not None:
            rooms.book(a.venue, a.date, *a.minutes)
    for pin in inst.pins.volunteering:  # fixed in time: everything else works around it
        if inst.has_activity(pin.activity):
            a = inst.activity(pin.activity)
            diary.book(pin.person, a.date, *a.minutes, inst.activity_town(a))
    terms, chair_of = _rotation(inst, tl)
    meetings = _meetings(inst, tl, chair_of, diary, rooms)
    turns, skipped, host_unfilled = _hosting(inst, tl, all_slots, diary)
    pairs, visits = _care(inst, tl, diary, care_pairs)
    term_visits, signatures = _term(inst, tl, chair_of, diary, rooms)
    assigned, vol_unfilled = staff(inst, diary, _BUSY)
    plan = assemble(inst, tl, STATUS, terms, meetings, turns, skipped, assigned, pairs, visits,
                    host_unfilled + vol_unfilled,
                    term_visits=tuple(sorted(term_visits, key=lambda v: (v.start, v.id))),
                    signature_activities=tuple(sorted(signatures,
                                                      key=lambda s: (s.start, s.id))))
    if not objective:
        return plan.model_copy(update={"solve": plan.solve.model_copy(update={
            "wall_seconds": round(time.perf_counter() - started, 3)})})
    return scored(inst, plan, tl.calendar, STATUS, started)


def _min(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


# -- rotation and meetings ------------------------------------------------------------


def _rotation(inst: Instance, tl: Timeline) -> tuple[list[RotationTerm], dict]:
    limit = inst.rotation.max_unavailable_days
    cap = inst.rotation.max_terms_per_person
    pins = {(p.base, p.period): p.chair for p in inst.pins.rotation}
    held: Counter[str] = Counter(pins.values())
    chairing = {(chair, t) for (_, t), chair in pins.items()}
    hosts: dict[tuple[str, int], list[dt.date]] = defaultdict(list)  # pinned meeting days
    for p in inst.pins.meetings:
        if p.date is not None and p.date.year == inst.year:
            hosts[p.base, tl.period_of(p.date)].append(p.date)

    def able(m: str, base: str, t: int) -> bool:
        """Whether ``m`` may chair ``base`` in period ``t`` as far as she herself goes:
        available enough, and on the days of the base's pinned meetings then."""
        person = inst.person(m)
        return (tl.unavailable_days(person, *tl.periods[t - 1]) <= limit
                and not any(person.is_unavailable(d) for d in hosts[base, t]))

    def may(m: str, base: str, t: int) -> bool:
        return held[m] < cap and (m, t) not in chairing and able(m, base, t)

    chair_of: dict[tuple[str, int], str] = {}
    for base in inst.bases:
        members = list(base.presidium)
        turn = first_turn(inst, base)
        # Who has waited longest comes first; a member passed over keeps her place.
        queue = members[turn % len(members):] + members[:turn % len(members)]
        for t in range(1, inst.periods + 1):
            chair = pins.get((base.id, t))
            if chair is None:
                chair = next((m for m in queue if may(m, base.id, t)), None)
                if chair is None:
                    chair = _swap_chair(base.id, t, members, chair_of, pins, may, able,
                                        held, chairing) or queue[0]
                held[chair] += 1
                chairing.add((chair, t))
            if chair in queue:
                queue.remove(chair)
                queue.append(chair)
            chair_of[base.id, t] = chair
    polish_chairs(inst, chair_of, pins, held, chairing, able)
    best_chairs(inst, chair_of, pins, able)
    terms = [RotationTerm(base=b.id, period=t, start=tl.periods[t - 1][0],
                          end=tl.periods[t - 1][1], chair=chair_of[b.id, t])
             for b in inst.bases for t in range(1, inst.periods + 1)]
    return terms, chair_of


def _swap_chair(base: str, t: int, members: list[str], chair_of: dict, pins: dict, may,
                able, held: Counter, chairing: set) -> str | None:
    """Nobody of the presidium may chair period ``t``: move an earlier period's chair of
    the same base to ``t`` and give her period to a member who may take it (one step
    of repair; pinned terms stay). Returns the chair of ``t``, or None."""
    for u in range(1, t):
        moved = chair_of[base, u]
        if (base, u) in pins or (moved, t) in chairing or not able(moved, base, t):
            continue
        chairing.discard((moved, u))
        held[moved] -= 1
        other = next((m for m in members if m != moved and may(m, base, u)), None)
        if other is not None:
            chair_of[base, u] = other
            held[other] += 1
            chairing.add((other, u))
            return moved
        held[moved] += 1
        chairing.add((moved, u))
    return None


def _meetings(inst: Instance, tl: Timeline, chair_of: dict, diary: Diary,
              rooms: Rooms) -> list[Meeting]:
    pins = {(p.base, p.quarter): p for p in inst.pins.meetings}
    slots = list(enumerate(inst.meetings.slots))
    out: list[Meeting] = []
    for base in inst.bases:
        expected = inst.meeting_attendees(base.id)
        fits = list(inst.meeting_venues(base.id)) or [
            v.id for v in inst.venues if v.meetings][:1] or [v.id for v in inst.venues][:1]
        for q in range(1, 5):
            ws, we = tl.meeting_window(inst.meetings, q)
            days = [d for d in tl.days(ws, we) if tl.calendar.is_workday(d)] or [ws]
            pin = pins.get((base.id, q))
            times, venues = slots, fits
            if pin is not None:
                days = [pin.date] if pin.date else days
                times = [slots[pin.slot - 1]] if pin.slot else slots
                venues = [pin.venue] if pin.venue else fits

            def fine(day, slot, vid, base=base, expected=expected) -> bool:
                s, e = hhmm_minutes(slot.start), hhmm_minutes(slot.end)
                venue = inst.venue(vid)
                if venue.is_closed(day) or not rooms.free(vid, day, s, e):
                    return False
                if diary.away(chair_of[base.id, tl.period_of(day)], day):
                    return False
                return all(diary.free(p, day, s, e, venue.town) for p in expected
                           if not diary.away(p, day))

            # The cheapest time and place first, by the meeting's own soft rules (the
            # expected attendees away that day, a venue outside the base's town, weeks
            # after the window opens); the first that keeps every hard rule is taken.
            # (The first free one, as before, cost a generated county's rotation about
            # 250 in absences and venues out of town.)
            w = inst.weights
            day_cost = {d: w.missed_attendance * sum(1 for p in expected if diary.away(p, d))
                        + w.late_meeting * ((d - ws).days // 7) for d in days}
            out_cost = {v: w.meeting_outside_town * (
                bool(base.town) and inst.venue(v).town != base.town) for v in venues}
            order = sorted(((d, ks, v) for d in days for ks in times for v in venues),
                           key=lambda c: day_cost[c[0]] + out_cost[c[2]])
            day, (_, slot), vid = next(
                ((d, ks, v) for d, ks, v in order if fine(d, ks[1], v)),
                (days[0], times[0], venues[0] if venues else ""))
            absent = tuple(p for p in expected if diary.away(p, day))
            attendees = tuple(p for p in expected if p not in absent)
            s, e = hhmm_minutes(slot.start), hhmm_minutes(slot.end)
            if vid:
                rooms.book(vid, day, s, e)
            town = inst.venue(vid).town if vid else None
            for p in attendees:
                diary.book(p, day, s, e, town)
            out.append(Meeting(
                id=f"mtg-{base.id}-q{q}", base=base.id, quarter=q,
                start=tl.at(day, slot.start), end=tl.at(day, slot.end), venue=vid,
                host=chair_of[base.id, tl.period_of(day)], attendees=attendees, absent=absent))
    return out


# -- hosting ----------------------------------------------------------------------------


def _hosting(inst: Instance, tl: Timeline, all_slots: list[Slot], diary: Diary
             ) -> tuple[list[Hosting], list[SkippedSlot], list[Unfilled]]:
    themes = {t.slot: t.name for t in place_themes(inst, all_slots)[0]}
    host_index = HostIndex.of(inst)
    hosts_at = {v.id: [f.id for f in host_index.at(v)] for v in inst.venues}
    usable = sorted((s for s in all_slots if s.usable),
                    key=lambda s: (s.date, s.start, s.venue, s.id))
    gap = inst.hosting.min_gap_days
    held: dict[str, list[Slot]] = defaultdict(list)  # federation -> its turns
    days: dict[str, list[int]] = defaultdict(list)  # federation -> its turns' days, sorted
    host_of: dict[str, str] = {}  # slot id -> federation
    feds = {f.id: f for f in inst.federations if f.hosting is not None}
    cap = {fid: f.hosting.max_turns for fid, f in feds.items()}  # type: ignore[union-attr]
    who = {fid: contact_of(f) for fid, f in feds.items()}
    town = {v.id: v.town for v in inst.venues}

    def duty(fid: str, s: Slot) -> tuple | None:
        return None if who.get(fid) is None else (
            who[fid], s.date, _min(s.start), _min(s.end), town[s.venue])

    def book(fid: str, s: Slot) -> None:
        held[fid].append(s)
        bisect.insort(days[fid], s.date.toordinal())
        host_of[s.id] = fid
        if (d := duty(fid, s)) is not None:
            diary.book(*d)

    def unbook(fid: str, s: Slot) -> None:
        held[fid].remove(s)
        days[fid].remove(s.date.toordinal())
        del host_of[s.id]
        if (d := duty(fid, s)) is not None:
            diary.unbook(*d)

    pinned: set[str] = set()
    pending = list(inst.pins.hosting)
    for s in usable:
        pin = next((p for p in pending if p.venue == s.venue and p.date == s.date
                    and (p.start is None or p.start == f"{s.start:%H:%M}")), None)
        if pin is not None:
            pending.remove(pin)
            pinned.add(s.id)
            book(pin.federation, s)

    def fits(fid: str, s: Slot) -> bool:
        if cap.get(fid) is not None and len(held[fid]) >= cap[fid]:
            return False
        day, near = s.date.toordinal(), days[fid]
        k = bisect.bisect_right(near, day - gap)  # the first turn less than gap before
        if k < len(near) and near[k] < day + gap:
            return False
        d = duty(fid, s)
        return d is None or (not diary.away(d[0], s.date) and diary.free(*d))

    def swap(fid: str, s: Slot) -> bool:
        """Give ``s`` to ``fid`` by handing her one turn too close to ``s`` to another
        federation that may take it (one step of repair; pins stay)."""
        close = [x for x in held[fid] if abs((s.date - x.date).days) < gap]
        if len(close) != 1 or close[0].id in pinned:
            return False
        x = close[0]
        unbook(fid, x)
        if fits(fid, s):
            book(fid, s)
            other = next((g for g in hosts_at.get(x.venue, []) if g != fid and fits(g, x)),
                         None)
            if other is not None:
                book(other, x)
                return True
            unbook(fid, s)
        book(fid, x)
        return False

    room = {f.id: (f.hosting.max_turns or f.hosting.weight) or 1
            for f in inst.federations if f.hosting is not None}
    turn: Counter[str] = Counter()  # venue -> next in its turn
    unfilled: list[Unfilled] = []
    for s in usable:
        hosts = hosts_at.get(s.venue, [])
        if s.id in host_of:  # pinned
            if host_of[s.id] in hosts:
                turn[s.venue] = hosts.index(host_of[s.id]) + 1
            continue
        k = turn[s.venue]
        order = [hosts[(k + j) % len(hosts)] for j in range(len(hosts))]
        # Of those that may take it, the one that has used the least of its max_turns
        # (its weight, without one), then whose last turn is longest ago (most room for
        # the gaps to come), then the venue's turn.
        ok = [f for f in order if fits(f, s)]
        host = min(ok, key=lambda f: (Fraction(len(held[f]), room[f]),
                                      days[f][-1] if days[f] else 0,
                                      order.index(f))) if ok else None
        if host is None and any(swap(f, s) for f in order):
            host = host_of[s.id]
        elif host is None and (inst.hosting.allow_empty or not hosts):
            unfilled.append(Unfilled.hosting_slot(
                s.id, s.venue, inst.venue(s.venue).name, s.date,
                "没有符合条件的主办单位 no eligible federation"))
            continue
        elif host is None:  # some rule breaks: the fewest, the gap kept largest
            host = min(order, key=lambda f: _misfit(inst, f, s, held[f], diary)
                       + (order.index(f),))
            book(host, s)
        else:
            book(host, s)
        turn[s.venue] = hosts.index(host) + 1
    turns = [Hosting(id=s.id, venue=s.venue, federation=host_of[s.id],
                     start=tl.at(s.date, f"{s.start:%H:%M}"), end=tl.at(s.date, f"{s.end:%H:%M}"),
                     theme=themes.get(s.id)) for s in usable if s.id in host_of]
    return turns, skipped_slots(inst, all_slots), unfilled


def _misfit(inst: Instance, fid: str, s: Slot, turns: list[Slot], diary: Diary) -> tuple:
    """How badly ``fid`` would host ``s``: at ``max_turns`` already, contact away or
    busy, then the fewest days to one of its turns (negated: larger is better)."""
    fed = inst.federation(fid)
    cap = fed.hosting.max_turns if fed.hosting is not None else None
    who = contact_of(fed)
    away = who is not None and (diary.away(who, s.date) or not diary.free(
        who, s.date, _min(s.start), _min(s.end), inst.venue(s.venue).town))
    near = min((abs((s.date - x.date).days) for x in turns), default=366)
    return (cap is not None and len(turns) >= cap, away, -near)


# -- caring mothers -------------------------------------------------------------------------


def _pairs(inst: Instance) -> dict[str, str]:
    """child code -> mother: last year's, else the first in reach of the child's town,
    else the first in reach, with room (``care.max_children_per_mother``)."""
    cap = inst.care.max_children_per_mother
    caring = [p.id for p in inst.people if p.caring_mother]
    load: Counter[str] = Counter()
    last = {h.child: h.mother for h in inst.history.care if h.year == inst.year - 1}
    mother_of: dict[str, str] = {}
    for c in inst.children:
        m = last.get(c.code)
        if m is not None and load[m] < cap and m in candidate_mothers(inst, c.code):
            mother_of[c.code] = m
            load[m] += 1
    # The children with the fewest mothers in reach first.
    for _, _, c in sorted((len(candidate_mothers(inst, c.code)), k, c)
                          for k, c in enumerate(inst.children)):
        if c.code in mother_of or not caring:
            continue
        near = candidate_mothers(inst, c.code)
        home = [m for m in near if inst.person(m).town == c.town]
        m = next((m for m in home + near if load[m] < cap), None) or (near or caring)[0]
        mother_of[c.code] = m
        load[m] += 1
    return mother_of


def _care(inst: Instance, tl: Timeline, diary: Diary, care_pairs: dict[str, str] | None
          ) -> tuple[list[CarePair], list[CareVisit]]:
    if not inst.children:
        return [], []
    rules = inst.care
    mother_of = dict(care_pairs) if care_pairs is not None else _pairs(inst)
    visit_days = quarter_visit_days(rules, tl)
    # (days off, festival, day): every festival's own day first, then a day off, ...
    festive = sorted((abs((d - f.date).days), i, d)
                     for i, f in enumerate(rules.festivals, start=1)
                     for d in tl.days(f.date - dt.timedelta(days=f.window_days),
                                      f.date + dt.timedelta(days=f.window_days)))
    kinds = (("meet", rules.meet_per_quarter, rules.meet_times, rules.meet_minutes),
             ("talk", rules.talk_per_quarter, rules.talk_times, rules.talk_minutes))
    visits: list[CareVisit] = []
    for c in inst.children:
        m = mother_of.get(c.code)
        if m is None:
            continue
        person = inst.person(m)

        def place(day: dt.date, times: tuple[str, ...], length: int,
                  mother: str = m, town: str | None = c.town, person=person
                  ) -> dt.datetime | None:
            """The first allowed start at which the mother is free; booked."""
            if person.is_unavailable(day):
                return None
            for at in times:
                s = hhmm_minutes(at)
                if diary.free(mother, day, s, s + length, town):
                    diary.book(mother, day, s, s + length, town)
                    return tl.at(day, at)
            return None

        def visit(vid: str, kind: str, start: dt.datetime, length: int, mother: str = m,
                  code: str = c.code) -> CareVisit:
            return CareVisit(id=vid, mother=mother, child=code, kind=kind, start=start,
                             end=start + dt.timedelta(minutes=length))

        for q, candidates in enumerate(visit_days, start=1):
            for kind, n, times, length in kinds:
                k = 0
                for day in candidates:
                    if k == n:
                        break
                    start = place(day, times, length)
                    if start is not None:
                        k += 1
                        visits.append(visit(f"visit-{c.code}-{inst.year}-q{q}-{kind}{k}",
                                            kind, start, length))
        done: set[int] = set()
        for _, i, d in festive:
            if len(done) == rules.festivals_per_year:
                break
            if i in done:
                continue
            start = place(d, rules.festival_times, rules.festival_minutes)
            if start is not None:
                done.add(i)
                visits.append(visit(f"visit-{c.code}-{inst.year}-f{i}", "festival", start,
                                    rules.festival_minutes))
    pairs = [CarePair(mother=m, child=code) for code, m in sorted(mother_of.items())]
    return pairs, visits


# -- the term of work -----------------------------------------------------------------------


def _term(inst: Instance, tl: Timeline, chair_of: dict, diary: Diary, rooms: Rooms
          ) -> tuple[list[TermVisit], list[SignatureEvent]]:
    visits: list[TermVisit] = []
    sigs: list[SignatureEvent] = []
    if not inst.terms:
        return visits, sigs
    cal, T = tl.calendar, inst.periods

    def free(people: list[str], day: dt.date, s: int, e: int, town: str | None) -> bool:
        return all(not diary.away(p, day) and diary.free(p, day, s, e, town)
                   for p in people)

    def book(people: list[str], day: dt.date, s: int, e: int, town: str | None) -> None:
        for p in people:
            diary.book(p, day, s, e, town)

    for base in inst.bases:
        term = term_of(inst, base.id)
        if term is None:
            continue
        rc, N = term.regional_chair, term.visits_per_year
        act = term.activity
        if act is not None:  # one a period, early in it
            places = [inst.venue(v) for v in activity_venues(inst, term)]
            for t in range(1, T + 1):
                people = list(dict.fromkeys([chair_of[base.id, t], rc]))
                found = next(
                    ((d, s, v) for d in tl.days(*tl.periods[t - 1])
                     if allowed_day(d, act.weekdays, cal, act.working_days_only)
                     for s in map(hhmm_minutes, act.times) for v in places
                     if not v.is_closed(d) and rooms.free(v.id, d, s, s + act.minutes)
                     and free(people, d, s, s + act.minutes, v.town)), None)
                if found is None:
                    continue  # signature_activity names it
                d, s, v = found
                rooms.book(v.id, d, s, s + act.minutes)
                book(people, d, s, s + act.minutes, v.town)
                sigs.append(SignatureEvent(
                    id=signature_id(base.id, inst.year, t), base=base.id, period=t,
                    kind=act.kind, start=tl.at(d, _hhmm(s)),
                    end=tl.at(d, _hhmm(s + act.minutes)), venue=v.id,
                    chair=chair_of[base.id, t], regional_chair=rc))
        for n, e in enumerate(visited(inst, term)):
            who = contact(inst, e)
            town = inst.federation(e).town
            for k in range(1, N + 1):
                periods = round_periods(k, T, N)
                periods = periods[n % len(periods):] + periods[:n % len(periods)]
                found = next(
                    ((t, d, s) for t in periods for d in tl.days(*tl.periods[t - 1])
                     if allowed_day(d, term.visit_weekdays, cal)
                     for s in map(hhmm_minutes, term.visit_times)
                     if free(_present(chair_of[base.id, t], rc, who), d, s,
                             s + term.visit_minutes, town)), None)
                if found is None:
                    continue  # term_visits names it
                t, d, s = found
                end = s + term.visit_minutes
                book(_present(chair_of[base.id, t], rc, who), d, s, end, town)
                visits.append(TermVisit(
                    id=visit_id(base.id, inst.year, t, e), base=base.id, period=t,
                    enterprise=e, start=tl.at(d, _hhmm(s)), end=tl.at(d, _hhmm(end)),
                    town=town, chair=chair_of[base.id, t], regional_chair=rc, contact=who))
    return visits, sigs


def _present(chair: str, rc: str, who: str | None) -> list[str]:
    return list(dict.fromkeys(p for p in (chair, rc, who) if p))
