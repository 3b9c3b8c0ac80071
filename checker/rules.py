"""The independent checker: every rule of docs/rules.md, re-verified in plain Python.

``check(instance, plan)`` lists the violated hard rules; ``score(instance, plan)``
recomputes the objective ``sum(weight * amount)``. Neither trusts the solver (this module
must not import ortools nor ``xinglian.solver``): like PyVRP's ``Solution.is_feasible()``,
a plan is read as plain data and judged against the text of the rules.

One small function per rule, listed in :data:`_HARD` and :data:`_SOFT` in the order of
docs/rules.md; the volunteering and caring-mother rules live in ``checker/volunteering.py``
and ``checker/care.py``. A bad plan (unknown ids, missing or duplicate entries) is reported as
violations, never as an exception.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from math import ceil, floor

from ..models.instance import Instance, VenueKind
from ..models.plan import Plan
from ..models.timeline import CalendarError, WorkCalendar
from . import care as _care
from . import term as _term
from . import volunteering as _vol
from .context import Ctx
from .hosting import FairShare, OfferedSlot, contact, fair_shares, may_host
from .volunteering import person_assignments


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, in plain words (names, dates)."""

    rule: str
    """The hard rule's name from docs/rules.md, e.g. ``"chair_available"``."""
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class Score:
    """The objective recomputed from a plan: ``total = sum(weight * amount)``."""

    total: int
    amounts: dict[str, int]
    """Soft rule name -> amount, for every soft rule of docs/rules.md."""
    weights: dict[str, int]

    def cost(self, rule: str) -> int:
        """``weight * amount`` of one soft rule (0 when its weight is 0)."""
        return self.weights[rule] * self.amounts[rule]


# =====================================================================================
# Hard rules
# =====================================================================================


def _check_one_chair_per_period(ctx: Ctx) -> Iterator[str]:
    for term in ctx.plan.rotation:
        if term.base not in ctx.bases:
            yield (
                f"rotation term of {ctx.base_name(term.base)} period {term.period}: no such base"
            )
        if term.period not in ctx.periods:
            yield (
                f"rotation term of {ctx.base_name(term.base)} has period {term.period}; "
                f"the year has periods 1..{ctx.n_periods}"
            )
    for bid, base in ctx.bases.items():
        for t, (start, end) in ctx.periods.items():
            terms = ctx.terms_by.get((bid, t), [])
            where = f"{base.name} {ctx.period_label(t)}"
            if not terms:
                yield f"{where} has no rotation term (no chair)"
                continue
            if len(terms) > 1:
                chairs = ", ".join(ctx.who(x.chair) for x in terms)
                yield f"{where} has {len(terms)} rotation terms (chairs {chairs}); one allowed"
            for term in terms:
                if term.chair not in base.presidium:
                    members = ", ".join(ctx.who(p) for p in base.presidium)
                    yield (
                        f"{ctx.who(term.chair)} chairs {where} but is not on its presidium "
                        f"({members})"
                    )
                if (term.start, term.end) != (start, end):
                    yield (
                        f"the term of {ctx.who(term.chair)} for {where} runs "
                        f"{term.start}..{term.end}; it must run {start}..{end}"
                    )


def _check_chair_available(ctx: Ctx) -> Iterator[str]:
    limit = ctx.instance.rotation.max_unavailable_days
    for term in ctx.plan.rotation:
        if term.base not in ctx.bases or term.period not in ctx.periods:
            continue
        start, end = ctx.periods[term.period]
        n, reasons = ctx.unavailable_days(term.chair, start, end)
        if n > limit:
            why = f" ({', '.join(reasons)})" if reasons else ""
            yield (
                f"{ctx.who(term.chair)} chairs {ctx.base_name(term.base)} in "
                f"{ctx.period_label(term.period)} but is unavailable {n} days of it{why}; "
                f"at most {limit} allowed"
            )


def _check_one_presidium_at_a_time(ctx: Ctx) -> Iterator[str]:
    bases_of: dict[tuple[str, int], list[str]] = defaultdict(list)
    for term in ctx.plan.rotation:
        if term.base not in bases_of[(term.chair, term.period)]:
            bases_of[(term.chair, term.period)].append(term.base)
    for (pid, t), bases in sorted(bases_of.items()):
        if len(bases) > 1:
            names = " and ".join(ctx.base_name(b) for b in bases)
            yield f"{ctx.who(pid)} chairs {names} in the same {ctx.period_label(t)}"


def _check_max_terms(ctx: Ctx) -> Iterator[str]:
    limit = ctx.instance.rotation.max_terms_per_person
    terms: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for term in ctx.plan.rotation:
        key = (term.base, term.period)
        if key not in terms[term.chair]:  # a duplicated entry is one term (reported above)
            terms[term.chair].append(key)
    for pid, held in sorted(terms.items()):
        if len(held) > limit:
            listed = ", ".join(f"{ctx.base_name(b)} period {t}" for b, t in sorted(held))
            yield f"{ctx.who(pid)} holds {len(held)} terms ({listed}); at most {limit} allowed"


def _check_pinned_term(ctx: Ctx) -> Iterator[str]:
    for pin in ctx.instance.pins.rotation:
        where = f"{ctx.base_name(pin.base)} {ctx.period_label(pin.period)}"
        terms = ctx.terms_by.get((pin.base, pin.period), [])
        if not terms:
            yield f"{ctx.who(pin.chair)} is pinned to chair {where}, but the plan has no term there"
        for term in terms:
            if term.chair != pin.chair:
                yield (
                    f"{ctx.who(pin.chair)} is pinned to chair {where}, but the plan has "
                    f"{ctx.who(term.chair)}"
                )


def _check_meeting_per_quarter(ctx: Ctx) -> Iterator[str]:
    slots = ctx.slots()
    slot_text = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in slots)
    for m in ctx.plan.meetings:
        label = ctx.meeting_label(m)
        if m.base not in ctx.bases:
            yield f"meeting {label} is for {ctx.base_name(m.base)}"
        if m.quarter not in ctx.quarters:
            yield f"meeting {label} has quarter {m.quarter}; quarters are 1..4"
            continue
        want = f"mtg-{m.base}-q{m.quarter}"
        if m.id != want:
            yield f"meeting {label} of quarter {m.quarter} has id {m.id!r}; it must be {want!r}"
        day = ctx.day(m)
        qs, qe = ctx.quarters[m.quarter]
        if not qs <= day <= qe:
            yield f"meeting {label} is on {day}, outside {ctx.quarter_label(m.quarter)}"
        else:
            ws, we = ctx.window(m.quarter)
            if not ws <= day <= we:
                rules = ctx.instance.meetings
                yield (
                    f"meeting {label} is on {day}, day {(day - qs).days + 1} of quarter "
                    f"{m.quarter}; allowed are days {rules.earliest_day}..{rules.latest_day} "
                    f"({ws}..{we})"
                )
        s, e = ctx.local(m.start), ctx.local(m.end)
        if e.date() != s.date() or (s.time(), e.time()) not in slots:
            yield f"meeting {label} does not match a meeting slot ({slot_text})"
    count: Counter[tuple[str, int]] = Counter((m.base, m.quarter) for m in ctx.plan.meetings)
    for bid, base in ctx.bases.items():
        for q in ctx.quarters:
            n = count[(bid, q)]
            if n == 0:
                yield f"{base.name} has no joint meeting in {ctx.quarter_label(q)}"
            elif n > 1:
                ids = ", ".join(m.id for m in ctx.plan.meetings if (m.base, m.quarter) == (bid, q))
                yield (
                    f"{base.name} has {n} joint meetings in {ctx.quarter_label(q)} ({ids}); "
                    "exactly one allowed"
                )


def _check_meeting_on_workday(ctx: Ctx) -> Iterator[str]:
    cal = ctx.calendar
    if cal is None:
        if ctx.plan.meetings:
            yield f"cannot tell working days, so no meeting date is checked: {ctx.calendar_error}"
        return
    for m in ctx.plan.meetings:
        day = ctx.day(m)
        if cal.is_workday(day):
            continue
        holiday = cal.holiday_name(day)
        why = f"{holiday} holiday" if holiday else "weekend, not a make-up working day"
        label = ctx.meeting_label(m)
        yield f"meeting {label} is on {ctx.day_label(day)}: not a working day ({why})"


def _check_meeting_venue(ctx: Ctx) -> Iterator[str]:
    for m in ctx.plan.meetings:
        label = ctx.meeting_label(m)
        venue = ctx.venues.get(m.venue)
        if venue is None:
            yield f"meeting {label} is at {ctx.venue_name(m.venue)}"
            continue
        if not venue.meetings:
            yield f"meeting {label} is at {venue.name}, which does not allow joint meetings"
        day = ctx.day(m)
        for r in venue.closures:
            if r.start <= day <= r.end:
                why = f" ({r.reason})" if r.reason else ""
                yield f"meeting {label} is at {venue.name}, closed {r.start}..{r.end}{why}"
        reach = ctx.instance.meetings.max_travel_minutes
        base = ctx.bases.get(m.base)
        if base is not None and reach is not None:
            minutes = ctx.travel(base.town, venue.town)
            if minutes > reach:
                yield (f"meeting {label} is at {venue.name}, {minutes} minutes from the "
                       f"base's town (meetings.max_travel_minutes is {reach})")
        if m.base in ctx.expected:
            need = len(ctx.expected[m.base])
            if venue.capacity < need:
                yield (
                    f"meeting {label} is at {venue.name} (capacity {venue.capacity}), too small "
                    f"for its {need} expected attendees"
                )


def _check_meeting_host(ctx: Ctx) -> Iterator[str]:
    for m in ctx.plan.meetings:
        if m.base not in ctx.bases:
            continue  # reported by meeting_per_quarter
        label = ctx.meeting_label(m)
        day = ctx.day(m)
        t = ctx.period_of(day)
        if t is None:
            yield f"meeting {label} is on {day}, outside {ctx.year}: no rotating chair to host it"
            continue
        chairs = list(dict.fromkeys(x.chair for x in ctx.terms_by.get((m.base, t), [])))
        if not chairs:
            yield (
                f"meeting {label} is hosted by {ctx.who(m.host)}, but {ctx.base_name(m.base)} "
                f"has no rotating chair in {ctx.period_label(t)}"
            )
        elif m.host not in chairs:
            chair = " / ".join(ctx.who(c) for c in chairs)
            yield (
                f"meeting {label} is hosted by {ctx.who(m.host)}, but the rotating chair of "
                f"{ctx.base_name(m.base)} in {ctx.period_label(t)} is {chair}"
            )
        if m.host not in ctx.people and m.host in chairs:
            yield f"meeting {label} is hosted by {ctx.who(m.host)}: no availability to check"
        reason = ctx.unavailable_on(m.host, day)
        if reason is not None:
            why = f" ({reason})" if reason else ""
            yield f"meeting {label} is hosted by {ctx.who(m.host)}, unavailable on {day}{why}"


def _check_meeting_attendees(ctx: Ctx) -> Iterator[str]:
    for m in ctx.plan.meetings:
        if m.base not in ctx.expected:
            continue  # reported by meeting_per_quarter
        label = ctx.meeting_label(m)
        day = ctx.day(m)
        expected = ctx.expected[m.base]
        present = [p for p in expected if not ctx.is_unavailable(p, day)]
        away = [p for p in expected if ctx.is_unavailable(p, day)]
        if tuple(m.attendees) != tuple(present):
            problems = []
            for p in dict.fromkeys(m.attendees):
                if p not in expected:
                    problems.append(f"{ctx.who(p)} is not an expected attendee")
                elif p in away:
                    why = ctx.unavailable_on(p, day)
                    problems.append(
                        f"{ctx.who(p)} is listed but unavailable on {day}"
                        + (f" ({why})" if why else "")
                    )
            problems += [f"{ctx.who(p)} is missing" for p in present if p not in m.attendees]
            problems += [
                f"{ctx.who(p)} is listed {n} times"
                for p, n in Counter(m.attendees).items()
                if n > 1
            ]
            if not problems:
                problems.append("the order differs from the expected attendees' order")
            want = ", ".join(ctx.who(p) for p in present) or "nobody"
            yield f"attendees of meeting {label}: {'; '.join(problems)}; expected {want}"
        if Counter(m.absent) != Counter(away):
            problems = []
            for p in dict.fromkeys(m.absent):
                if p not in expected:
                    problems.append(f"{ctx.who(p)} is not an expected attendee")
                elif p in present:
                    problems.append(f"{ctx.who(p)} is listed but available on {day}")
            problems += [f"{ctx.who(p)} is missing" for p in away if p not in m.absent]
            problems += [
                f"{ctx.who(p)} is listed {n} times" for p, n in Counter(m.absent).items() if n > 1
            ]
            want = ", ".join(ctx.who(p) for p in away) or "nobody"
            yield f"absent of meeting {label}: {'; '.join(problems)}; expected {want}"


@dataclass(frozen=True)
class _Event:
    """A timed duty: a joint meeting or a hosting turn (docs: no_double_booking_*)."""

    what: str
    """``meeting ...`` / ``hosting turn ...``, in words."""
    is_meeting: bool
    key: str
    """The meeting id, or the hosting slot id (two hosts of one slot are reported by
    ``hosting_slot``, not as double bookings)."""
    start: dt.datetime
    end: dt.datetime
    venue: str
    people: tuple[str, ...]
    """Attendees of a meeting; the contact person of a turn's federation."""

    def duty(self) -> str:
        if self.is_meeting:
            return f"attends {self.what}"
        return f"runs {self.what} as its contact person"


def _events(ctx: Ctx) -> list[_Event]:
    out = [
        _Event(
            f"meeting {ctx.meeting_label(m)}",
            True,
            m.id,
            ctx.local(m.start),
            ctx.local(m.end),
            m.venue,
            tuple(dict.fromkeys(m.attendees)),
        )
        for m in ctx.plan.meetings
    ]
    seen: set[tuple[str, str]] = set()
    for h in ctx.plan.hosting:
        if (h.id, h.federation) in seen:
            continue  # the same turn listed twice (reported by hosting_slot)
        seen.add((h.id, h.federation))
        fed = ctx.feds.get(h.federation)
        person = contact(fed) if fed is not None else None
        out.append(
            _Event(
                f"hosting turn {ctx.hosting_label(h)}",
                False,
                h.id,
                ctx.local(h.start),
                ctx.local(h.end),
                h.venue,
                (person,) if person else (),
            )
        )
    return out


def _held_activities(ctx: Ctx) -> list[_Event]:
    """Activities held at a venue: fixed by the instance, they occupy it (docs:
    no_double_booking_venue). Their people are checked as duties, not here."""
    out = []
    for a in ctx.instance.activities:
        if a.venue is None:
            continue
        h1, m1 = (int(x) for x in a.start.split(":"))
        h2, m2 = (int(x) for x in a.end.split(":"))
        out.append(_Event(f"activity {a.id} ({a.title})", False, "activity:" + a.id,
                          dt.datetime.combine(a.date, dt.time(h1, m1), ctx.tz),
                          dt.datetime.combine(a.date, dt.time(h2, m2), ctx.tz), a.venue, ()))
    return out


def _overlapping(ctx: Ctx) -> Iterator[tuple[_Event, _Event]]:
    """Pairs of events at one venue (meetings, turns, activities held there) whose times
    overlap (touching end-to-start is no overlap), by a sweep per venue over them sorted
    by start; two turns of one slot, and two activities (both fixed by the instance), are
    left out. People go through :func:`_duties` (travel counts there)."""
    by_venue: dict[str, list[_Event]] = defaultdict(list)
    for e in _events(ctx) + _held_activities(ctx):
        by_venue[e.venue].append(e)
    for vid in sorted(by_venue):
        events = sorted(enumerate(by_venue[vid]), key=lambda ie: (ie[1].start, ie[0]))
        for i, (_, a) in enumerate(events):
            for _, b in events[i + 1 :]:
                if b.start >= a.end:
                    break
                same_slot = not a.is_meeting and not b.is_meeting and a.key == b.key
                both_fixed = a.key.startswith("activity:") and b.key.startswith("activity:")
                if a.start < b.end and not same_slot and not both_fixed:
                    yield a, b


@dataclass(frozen=True)
class _Duty:
    """One duty of one person (docs: no_double_booking_person): a meeting she attends, a
    hosting turn she runs, an activity she serves at, or a visit she makes."""

    kind: str
    """``meeting``, ``turn``, ``assignment`` or ``visit``."""
    what: str
    """The duty in words, without the verb (``meeting mtg-...``)."""
    text: str
    """The duty in words, with the verb (``attends meeting mtg-...``)."""
    key: str
    start: dt.datetime
    end: dt.datetime
    town: str | None
    """Where it is: the venue's town, the activity's town, the visited child's town."""

    @property
    def travels(self) -> bool:
        """Whether travel counts against this duty (docs: an assignment or a visit)."""
        return self.kind in ("assignment", "visit")


def _duties(ctx: Ctx) -> dict[str, list[_Duty]]:
    """person id -> her duties."""
    out: dict[str, list[_Duty]] = defaultdict(list)
    for e in _events(ctx):
        venue = ctx.venues.get(e.venue)
        town = venue.town if venue is not None else None
        kind = "meeting" if e.is_meeting else "turn"
        for p in e.people:
            out[p].append(_Duty(kind, e.what, e.duty(), e.key, e.start, e.end, town))
    for a in person_assignments(ctx):
        start, end = ctx.activity_span(a.activity)
        what = f"activity {ctx.activity_label(a.activity.id)}"
        out[a.person].append(
            _Duty(
                "assignment",
                what,
                f"serves as {' and '.join(a.roles)} at {what}",
                a.activity.id,
                start,
                end,
                ctx.activity_town(a.activity),
            )
        )
    seen: set[tuple] = set()
    for v in ctx.plan.care.visits:
        key = (v.id, v.mother, v.child, v.start, v.end)
        if key in seen:
            continue  # the same visit listed twice (reported by care_rhythm)
        seen.add(key)
        child = ctx.children.get(v.child)
        what = f"visit {ctx.visit_label(v)}"
        out[v.mother].append(
            _Duty(
                "visit",
                what,
                f"makes {what}",
                v.id,
                ctx.local(v.start),
                ctx.local(v.end),
                child.town if child is not None else None,
            )
        )
    return out


def _clash(ctx: Ctx, pid: str, a: _Duty, b: _Duty) -> str | None:
    """Why two duties of one person clash, ``a`` starting no later than ``b``; None when
    they do not."""
    who = ctx.who(pid)
    if not (a.travels or b.travels):
        # Meetings and turns: plain overlap; two turns of one slot are hosting_slot's.
        if a.kind == b.kind == "turn" and a.key == b.key:
            return None
        if not (a.start < b.end and b.start < a.end):
            return None
        if a.kind == b.kind == "meeting":
            return f"{who} attends both {a.what} and {b.what}, which overlap"
        return f"{who} {a.text} and {b.text}, which overlap"
    same_day = a.start.date() == b.start.date()
    travel = ctx.travel(a.town, b.town) if same_day else 0
    if b.start >= a.end + dt.timedelta(minutes=travel):
        return None
    if b.start < a.end:
        return f"{who} {a.text} and {b.text}, which overlap"
    gap = int((b.start - a.end).total_seconds() // 60)
    return (
        f"{who} {a.text} and {b.text}: {gap} minutes from the end of the first to the "
        f"start of the second, but travel between them takes {travel} minutes"
    )


def _check_no_double_booking_person(ctx: Ctx) -> Iterator[str]:
    inst = ctx.instance
    slack = dt.timedelta(
        minutes=max([t.minutes for t in inst.travel] + [inst.volunteering.default_travel_minutes])
    )
    for pid, duties in _duties(ctx).items():
        ordered = [d for _, d in sorted(enumerate(duties), key=lambda x: (x[1].start, x[0]))]
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if b.start >= a.end + slack:
                    break
                why = _clash(ctx, pid, a, b)
                if why is not None:
                    yield why


def _check_no_double_booking_venue(ctx: Ctx) -> Iterator[str]:
    for a, b in _overlapping(ctx):
        if a.venue == b.venue:
            yield f"{ctx.venue_name(a.venue)} holds both {a.what} and {b.what}, which overlap"


def _check_pinned_meeting(ctx: Ctx) -> Iterator[str]:
    slots = ctx.slots()
    for pin in ctx.instance.pins.meetings:
        found = [m for m in ctx.plan.meetings if (m.base, m.quarter) == (pin.base, pin.quarter)]
        if not found:
            yield (
                f"the meeting of {ctx.base_name(pin.base)} in quarter {pin.quarter} is pinned, "
                "but the plan has no such meeting"
            )
        for m in found:
            label = ctx.meeting_label(m)
            day = ctx.day(m)
            if pin.date is not None and day != pin.date:
                yield f"meeting {label} is pinned to {pin.date} but is on {day}"
            if pin.venue is not None and m.venue != pin.venue:
                yield (
                    f"meeting {label} is pinned to {ctx.venue_name(pin.venue)} but is at "
                    f"{ctx.venue_name(m.venue)}"
                )
            if pin.slot is not None:
                s, e = ctx.local(m.start), ctx.local(m.end)
                ps, pe = slots[pin.slot - 1]
                if (s.time(), e.time()) != (ps, pe) or s.date() != e.date():
                    yield f"meeting {label} is pinned to slot {pin.slot} ({ps:%H:%M}-{pe:%H:%M})"


def _check_hosting_slot(ctx: Ctx) -> Iterator[str]:
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


def _check_hosting_eligible(ctx: Ctx) -> Iterator[str]:
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


def _check_hosting_contact_available(ctx: Ctx) -> Iterator[str]:
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


def _check_hosting_gap(ctx: Ctx) -> Iterator[str]:
    gap = ctx.instance.hosting.min_gap_days
    for fid, turns in sorted(ctx.turns.items()):
        for a, b in combinations(turns, 2):
            days = abs((ctx.local(b.start).date() - ctx.local(a.start).date()).days)
            if days < gap:
                yield (
                    f"{ctx.fed_name(fid)} hosts {a.id} and {b.id} {days} days apart; at "
                    f"least {gap} days allowed (hosting.min_gap_days)"
                )


def _check_hosting_turns(ctx: Ctx) -> Iterator[str]:
    for fed in ctx.instance.federations:
        if fed.hosting is None:
            continue
        n = len(ctx.turns.get(fed.id, []))
        lo, hi = fed.hosting.min_turns, fed.hosting.max_turns
        if n < lo:
            yield f"{ctx.fed_name(fed.id)} hosts {n} turns; at least {lo} (min_turns)"
        if hi is not None and n > hi:
            yield f"{ctx.fed_name(fed.id)} hosts {n} turns; at most {hi} (max_turns)"


def _check_pinned_hosting(ctx: Ctx) -> Iterator[str]:
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
# Soft rules: amounts
# =====================================================================================


def _amount_back_to_back(ctx: Ctx) -> int:
    n = 0
    last = ctx.n_periods
    for bid in ctx.bases:
        chair = ctx.chair_of.get
        n += sum(
            1
            for t in range(2, ctx.n_periods + 1)
            if chair((bid, t)) is not None and chair((bid, t)) == chair((bid, t - 1))
        )
        first = chair((bid, 1))
        if first is not None and any(
            (h.base, h.year, h.period, h.chair) == (bid, ctx.year - 1, last, first)
            for h in ctx.instance.history.rotation
        ):
            n += 1
    return n


def _amount_short_gap(ctx: Ctx) -> int:
    n = 0
    T = ctx.n_periods
    for bid, base in ctx.bases.items():
        n_b = len(base.presidium)
        indices: dict[str, set[int]] = defaultdict(set)
        for (b, t), pid in ctx.chair_of.items():
            if b == bid:
                indices[pid].add(t)
        latest: dict[str, tuple[int, int]] = {}
        for h in ctx.instance.history.rotation:
            if h.base == bid and h.year < ctx.year:
                latest[h.chair] = max(latest.get(h.chair, (h.year, h.period)), (h.year, h.period))
        for pid, (year, period) in latest.items():
            indices[pid].add((year - ctx.year) * T + period)
        for gs in indices.values():
            for s in range(2 - n_b, T):
                k = sum(1 for g in gs if s <= g <= s + n_b - 1)
                n += max(0, k - 1)
    return n


def _amount_uneven_terms(ctx: Ctx) -> int:
    n = 0
    for bid, base in ctx.bases.items():
        held = Counter(pid for (b, _), pid in ctx.chair_of.items() if b == bid)
        counts = [held[p] for p in base.presidium]
        n += max(counts) - min(counts)
    return n


def _amount_undesired_period(ctx: Ctx) -> int:
    return sum(
        1
        for (_, t), pid in ctx.chair_of.items()
        if pid in ctx.people and t in ctx.people[pid].undesired_periods
    )


def _amount_not_preferred_period(ctx: Ctx) -> int:
    return sum(
        1
        for (_, t), pid in ctx.chair_of.items()
        if pid in ctx.people
        and ctx.people[pid].preferred_periods
        and t not in ctx.people[pid].preferred_periods
    )


def _amount_missed_attendance(ctx: Ctx) -> int:
    # The expected attendees unavailable on the meeting's date: what the plan's `absent`
    # must be (checked by meeting_attendees), computed from the date, the plan's decision.
    return sum(
        sum(1 for p in ctx.expected[m.base] if ctx.is_unavailable(p, ctx.day(m)))
        for m in ctx.plan.meetings
        if m.base in ctx.expected
    )


def _amount_meeting_outside_town(ctx: Ctx) -> int:
    return sum(
        1
        for m in ctx.plan.meetings
        if m.base in ctx.bases
        and ctx.bases[m.base].town is not None
        and m.venue in ctx.venues
        and ctx.venues[m.venue].town != ctx.bases[m.base].town
    )


def _amount_late_meeting(ctx: Ctx) -> int:
    n = 0
    for m in ctx.plan.meetings:
        day = ctx.day(m)
        q = m.quarter if m.quarter in ctx.quarters else ctx.quarter_of(day)
        if q is None:
            continue
        window_start, _ = ctx.window(q)
        n += (day - window_start).days // 7
    return n


def _shares(ctx: Ctx) -> dict[str, FairShare]:
    return fair_shares(ctx.instance, ctx.hosting_slots or [])


def _off_band(turns: int, share: Fraction) -> int:
    return max(0, floor(share) - turns) + max(0, turns - ceil(share))


def _n_turns(ctx: Ctx, fid: str) -> int:
    return len(ctx.turns.get(fid, []))


def _amount_hosting_share(ctx: Ctx) -> int:
    return sum(_off_band(_n_turns(ctx, f), s.this_year) for f, s in _shares(ctx).items())


def _amount_hosting_carry_over(ctx: Ctx) -> int:
    return sum(_off_band(_n_turns(ctx, f), s.with_carry_over) for f, s in _shares(ctx).items())


def _amount_hosting_spread(ctx: Ctx) -> int:
    n = 0
    for fed in ctx.instance.federations:
        if fed.hosting is None:
            continue
        turns = ctx.turns.get(fed.id, [])
        per_q = Counter(ctx.quarter_of(ctx.local(h.start).date()) for h in turns)
        counts = [per_q[q] for q in ctx.quarters]
        n += max(counts) - min(counts)
    return n


def _amount_hosting_outside_town(ctx: Ctx) -> int:
    return sum(
        1
        for fid, turns in ctx.turns.items()
        for h in turns
        if fid in ctx.feds
        and ctx.feds[fid].town is not None
        and h.venue in ctx.venues
        and ctx.venues[h.venue].town != ctx.feds[fid].town
    )


def _amount_theme_off_date(ctx: Ctx) -> int:
    return sum(p.days_off for p in ctx.themes_placed.values())


def _amount_empty_slot(ctx: Ctx) -> int:
    hosted = {h.id for h in ctx.plan.hosting}
    return sum(1 for s in ctx.hosting_slots or [] if s.usable and s.id not in hosted)


# =====================================================================================
# Registries, in the order of docs/rules.md
# =====================================================================================

_HARD: tuple[tuple[str, Callable[[Ctx], Iterable[str]]], ...] = (
    ("one_chair_per_period", _check_one_chair_per_period),
    ("chair_available", _check_chair_available),
    ("one_presidium_at_a_time", _check_one_presidium_at_a_time),
    ("max_terms", _check_max_terms),
    ("pinned_term", _check_pinned_term),
    ("meeting_per_quarter", _check_meeting_per_quarter),
    ("meeting_on_workday", _check_meeting_on_workday),
    ("meeting_venue", _check_meeting_venue),
    ("meeting_host", _check_meeting_host),
    ("meeting_attendees", _check_meeting_attendees),
    ("no_double_booking_person", _check_no_double_booking_person),
    ("no_double_booking_venue", _check_no_double_booking_venue),
    ("pinned_meeting", _check_pinned_meeting),
    ("hosting_slot", _check_hosting_slot),
    ("hosting_eligible", _check_hosting_eligible),
    ("hosting_contact_available", _check_hosting_contact_available),
    ("hosting_gap", _check_hosting_gap),
    ("hosting_turns", _check_hosting_turns),
    ("pinned_hosting", _check_pinned_hosting),
    ("volunteer_eligible", _vol.check_volunteer_eligible),
    ("role_headcount", _vol.check_role_headcount),
    ("volunteer_monthly_load", _vol.check_volunteer_monthly_load),
    ("pinned_volunteering", _vol.check_pinned_volunteering),
    ("care_pairing", _care.check_care_pairing),
    ("care_rhythm", _care.check_care_rhythm),
    ("care_visit_time", _care.check_care_visit_time),
    ("term_visits", _term.check_term_visits),
    ("term_visit_attendance", _term.check_term_visit_attendance),
    ("signature_activity", _term.check_signature_activity),
    ("term_no_double_booking", _term.check_term_no_double_booking),
)

_SOFT: tuple[tuple[str, Callable[[Ctx], int]], ...] = (
    ("back_to_back", _amount_back_to_back),
    ("short_gap", _amount_short_gap),
    ("uneven_terms", _amount_uneven_terms),
    ("undesired_period", _amount_undesired_period),
    ("not_preferred_period", _amount_not_preferred_period),
    ("missed_attendance", _amount_missed_attendance),
    ("meeting_outside_town", _amount_meeting_outside_town),
    ("late_meeting", _amount_late_meeting),
    ("hosting_share", _amount_hosting_share),
    ("hosting_carry_over", _amount_hosting_carry_over),
    ("hosting_spread", _amount_hosting_spread),
    ("hosting_outside_town", _amount_hosting_outside_town),
    ("theme_off_date", _amount_theme_off_date),
    ("empty_slot", _amount_empty_slot),
    ("unfilled_role", _vol.amount_unfilled_role),
    ("volunteer_overload", _vol.amount_volunteer_overload),
    ("disliked_kind", _vol.amount_disliked_kind),
    ("travel_time", _vol.amount_travel_time),
    ("series_change", _vol.amount_series_change),
    ("no_lead", _vol.amount_no_lead),
    ("care_new_mother", _care.amount_care_new_mother),
    ("care_outside_town", _care.amount_care_outside_town),
    ("festival_off_date", _care.amount_festival_off_date),
    ("visit_spread", _term.amount_visit_spread),
    ("regional_chair_load", _term.amount_regional_chair_load),
    ("late_signature_activity", _term.amount_late_signature_activity),
)

HARD_RULES: tuple[str, ...] = tuple(name for name, _ in _HARD)
SOFT_RULES: tuple[str, ...] = tuple(name for name, _ in _SOFT)


def check(instance: Instance, plan: Plan, calendar: WorkCalendar | None = None) -> list[Violation]:
    """Re-verify every hard rule of docs/rules.md on a plan.

    Parameters
    ----------
    instance
        The instance the plan was made for.
    plan
        The plan; it may be arbitrarily wrong (unknown ids, missing or duplicate terms).
    calendar
        The working-day calendar; by default :func:`~xinglian.models.work_calendar` of
        the instance. When none can be decided, every meeting date is reported under
        ``meeting_on_workday`` and the hosting slots under ``hosting_slot`` (the plan
        cannot be shown feasible).

    Returns
    -------
    list[Violation]
        Empty when the plan is feasible; else sorted by rule (docs order), then message.
    """
    ctx = Ctx.for_check(instance, plan, calendar)
    out: list[Violation] = []
    for rule, fn in _HARD:
        out += sorted({Violation(rule, msg) for msg in fn(ctx)}, key=lambda v: v.message)
    return out


def score(instance: Instance, plan: Plan, calendar: WorkCalendar | None = None) -> Score:
    """Recompute the objective ``sum(weight * amount)`` from the plan alone.

    Every soft rule of docs/rules.md is listed in ``amounts`` (also when its weight is 0,
    in which case it contributes nothing to ``total``).

    Parameters
    ----------
    calendar
        The working-day calendar deciding which hosting slots are usable; by default
        :func:`~xinglian.models.work_calendar` of the instance.

    Raises
    ------
    CalendarError
        Only when some venue offers hosting slots and no calendar can be decided (the
        fair shares, empty slots and theme placement depend on it).
    """
    ctx = Ctx.for_check(instance, plan, calendar)
    if ctx.hosting_slots is None:
        raise CalendarError(ctx.calendar_error or "no working-day calendar")
    amounts = {rule: int(fn(ctx)) for rule, fn in _SOFT}
    weights = {rule: int(getattr(instance.weights, rule)) for rule in SOFT_RULES}
    total = sum(weights[r] * amounts[r] for r in SOFT_RULES if weights[r])
    return Score(total=total, amounts=amounts, weights=weights)
