"""Plain-Python pre-checks for the common reasons a plan cannot exist.

They run before any solve and name people, periods and venues in words, so that an
infeasible instance gets a reason a federation office can act on. (The full explainer
with minimal conflict sets is a later piece of work.)
"""

from __future__ import annotations

import datetime as dt

from ..models.hosting import contact_of, eligible, expand_slots
from ..models.instance import Instance
from ..models.timeline import Timeline


def _window(timeline: Timeline, instance: Instance, q: int) -> tuple[dt.date, dt.date]:
    start, end = timeline.quarters[q - 1]
    rules = instance.meetings
    return (start + dt.timedelta(days=rules.earliest_day - 1),
            min(end, start + dt.timedelta(days=rules.latest_day - 1)))


def precheck(instance: Instance, timeline: Timeline) -> list[str]:
    """Return one sentence per certain conflict (empty when none is found)."""
    problems: list[str] = []
    limit = instance.rotation.max_unavailable_days
    cap = instance.rotation.max_terms_per_person
    T = instance.periods

    def blocked(pid: str, t: int) -> int:
        s, e = timeline.periods[t - 1]
        return timeline.unavailable_days(instance.person(pid), s, e)

    for base in instance.bases:
        if len(base.presidium) * cap < T:
            problems.append(
                f"{base.name} ({base.id}): its presidium has {len(base.presidium)} members "
                f"and each may chair at most {cap} terms, fewer than the {T} periods; add a "
                f"vice-chair or raise rotation.max_terms_per_person"
            )
        for t in range(1, T + 1):
            s, e = timeline.periods[t - 1]
            if all(blocked(p, t) > limit for p in base.presidium):
                who = ", ".join(
                    f"{instance.person(p).name} ({blocked(p, t)} days)" for p in base.presidium
                )
                problems.append(
                    f"{base.name} ({base.id}): in period {t} ({s}..{e}) every presidium member "
                    f"is unavailable more than {limit} days: {who}; shorten an unavailability, "
                    f"add a vice-chair or raise rotation.max_unavailable_days"
                )
        need = len(instance.meeting_attendees(base.id))
        if not any(v.meetings and v.capacity >= need for v in instance.venues):
            problems.append(
                f"{base.name} ({base.id}): no meeting venue seats its {need} expected "
                f"attendees; add a venue with capacity >= {need}"
            )
    for q in range(1, 5):
        lo, hi = _window(timeline, instance, q)
        if not any(timeline.calendar.is_workday(d) for d in timeline.days(lo, hi)):
            problems.append(
                f"quarter {q}: no working day between {lo} and {hi} for the joint meetings; "
                f"widen meetings.earliest_day / meetings.latest_day"
            )
    for pin in instance.pins.rotation:
        days = blocked(pin.chair, pin.period)
        if days > limit:
            problems.append(
                f"pins.rotation: {instance.person(pin.chair).name} is pinned to chair "
                f"{instance.federation(pin.base).name} in period {pin.period} but is "
                f"unavailable {days} days of it (at most {limit}); remove the pin or the "
                f"unavailability"
            )
    for pin in instance.pins.meetings:
        base = instance.federation(pin.base)
        if pin.date is not None:
            lo, hi = _window(timeline, instance, pin.quarter)
            if not timeline.calendar.is_workday(pin.date):
                why = timeline.calendar.holiday_name(pin.date) or "a weekend"
                problems.append(
                    f"pins.meetings: {base.name} quarter {pin.quarter} is pinned to "
                    f"{pin.date}, which is not a working day ({why}); pick a working day"
                )
            elif not lo <= pin.date <= hi:
                problems.append(
                    f"pins.meetings: {base.name} quarter {pin.quarter} is pinned to "
                    f"{pin.date}, outside the meeting window {lo}..{hi}"
                )
        if pin.venue is not None:
            venue = instance.venue(pin.venue)
            need = len(instance.meeting_attendees(base.id))
            if not venue.meetings or venue.capacity < need:
                problems.append(
                    f"pins.meetings: {base.name} quarter {pin.quarter} is pinned to "
                    f"{venue.name}, which does not take meetings or seats fewer than {need}"
                )
            elif pin.date is not None and venue.is_closed(pin.date):
                problems.append(
                    f"pins.meetings: {base.name} quarter {pin.quarter} is pinned to "
                    f"{venue.name} on {pin.date}, when it is closed"
                )
    problems.extend(_hosting_prechecks(instance, timeline))
    return problems


def _hosting_prechecks(instance: Instance, timeline: Timeline) -> list[str]:
    problems: list[str] = []
    slots = expand_slots(instance, timeline.calendar)
    feds = [f for f in instance.federations if f.hosting is not None]

    def free(fed, day) -> bool:
        c = contact_of(fed)
        return c is None or not instance.person(c).is_unavailable(day)

    candidates: dict[str, list[str]] = {}
    for s in slots:
        if not s.usable:
            continue
        venue = instance.venue(s.venue)
        candidates[s.id] = [f.id for f in feds if eligible(instance, venue, f) and free(f, s.date)]
        if not candidates[s.id] and not instance.hosting.allow_empty:
            elig = [f.name for f in feds if eligible(instance, venue, f)]
            why = (f"its eligible federations ({'、'.join(elig)}) have their contact person "
                   f"away that day" if elig else "no federation may host there")
            problems.append(
                f"{venue.name} ({venue.id}): the slot on {s.date} {s.start:%H:%M} needs a host "
                f"but {why}; widen venues[].hosts, add hosting federations, or set "
                f"hosting.allow_empty: true"
            )
    for f in feds:
        reachable = sum(1 for c in candidates.values() if f.id in c)
        if f.hosting.min_turns > reachable:  # type: ignore[union-attr]
            problems.append(
                f"{f.name} ({f.id}): hosting.min_turns is {f.hosting.min_turns} but only "  # type: ignore[union-attr]
                f"{reachable} usable slots are open to it; lower min_turns or make it "
                f"eligible at more venues"
            )
    for pin in instance.pins.hosting:
        fed = instance.federation(pin.federation)
        venue = instance.venue(pin.venue)
        match = [s for s in slots if s.venue == pin.venue and s.date == pin.date
                 and (pin.start is None or f"{s.start:%H:%M}" == pin.start)]
        where = f"pins.hosting: {fed.name} at {venue.name} on {pin.date}"
        if not match:
            problems.append(f"{where}: the venue offers no slot then (check venues[].slots)")
        elif all(not s.usable for s in match):
            problems.append(f"{where}: the slot cannot be used ({match[0].obstacle})")
        elif not eligible(instance, venue, fed):
            problems.append(f"{where}: {fed.name} may not host at {venue.name}")
        elif not free(fed, pin.date):
            who = instance.person(contact_of(fed)).name  # type: ignore[arg-type]
            problems.append(f"{where}: its contact person {who} is unavailable that day")
    return problems
