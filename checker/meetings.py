"""Quarterly joint meetings (联席会), re-derived for the checker from docs/rules.md.

Hard rules ``meeting_per_quarter``, ``meeting_on_workday``, ``meeting_venue``,
``meeting_host``, ``meeting_attendees`` and ``pinned_meeting``; the soft amounts
``missed_attendance``, ``meeting_outside_town`` and ``late_meeting``. The expected
attendees, windows and working days are the checker's own (``Ctx``). Clashes of a
meeting with other duties are ``checker/duties.py``'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from .context import Ctx

# =====================================================================================
# Hard rules
# =====================================================================================


def check_meeting_per_quarter(ctx: Ctx) -> Iterator[str]:
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


def check_meeting_on_workday(ctx: Ctx) -> Iterator[str]:
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


def check_meeting_venue(ctx: Ctx) -> Iterator[str]:
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


def check_meeting_host(ctx: Ctx) -> Iterator[str]:
    for m in ctx.plan.meetings:
        if m.base not in ctx.bases:
            continue  # reported by meeting_per_quarter
        label = ctx.meeting_label(m)
        day = ctx.day(m)
        t = ctx.period_of(day)
        if t is None:
            yield f"meeting {label} is on {day}, outside {ctx.year}: no rotating chair to host it"
            continue
        if ctx.held(m.end):
            # Held before the re-plan: hosted by whoever chaired then, as published.
            if m.host not in ctx.presidium(m.base):
                yield (f"meeting {label}, held on {day}, is hosted by {ctx.who(m.host)}, "
                       f"not a member of {ctx.base_name(m.base)}'s presidium")
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


def check_meeting_attendees(ctx: Ctx) -> Iterator[str]:
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


def check_pinned_meeting(ctx: Ctx) -> Iterator[str]:
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


# =====================================================================================
# Soft amounts
# =====================================================================================


def amount_missed_attendance(ctx: Ctx) -> int:
    # The expected attendees unavailable on the meeting's date: what the plan's `absent`
    # must be (checked by meeting_attendees), computed from the date, the plan's decision.
    return sum(
        sum(1 for p in ctx.expected[m.base] if ctx.is_unavailable(p, ctx.day(m)))
        for m in ctx.plan.meetings
        if m.base in ctx.expected
    )


def amount_meeting_outside_town(ctx: Ctx) -> int:
    return sum(
        1
        for m in ctx.plan.meetings
        if m.base in ctx.bases
        and ctx.bases[m.base].town is not None
        and m.venue in ctx.venues
        and ctx.venues[m.venue].town != ctx.bases[m.base].town
    )


def amount_late_meeting(ctx: Ctx) -> int:
    n = 0
    for m in ctx.plan.meetings:
        day = ctx.day(m)
        q = m.quarter if m.quarter in ctx.quarters else ctx.quarter_of(day)
        if q is None:
            continue
        window_start, _ = ctx.window(q)
        n += (day - window_start).days // 7
    return n
