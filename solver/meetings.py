"""Quarterly joint meetings (联席会): one per base and quarter.

Each meeting picks one (working day, time slot) and one venue. Its host is the base's
rotating chair of the period containing the day, so meetings and rotation are solved
together. Definitions in docs/rules.md.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from . import requirements
from .context import MeetingVars, ModelContext


def quarter_window(ctx: ModelContext, q: int) -> tuple[dt.date, dt.date]:
    """The dates of quarter ``q`` a meeting may use (``earliest_day..latest_day``)."""
    return ctx.timeline.meeting_window(ctx.instance.meetings, q)


def eligible_venues(ctx: ModelContext, base_id: str) -> list[str]:
    """Venues that allow meetings, seat every expected attendee of the base and lie
    within ``meetings.max_travel_minutes`` of its town (when explaining: every venue in
    reach, the rest made switchable by ``add_meeting_venue``)."""
    return list(ctx.instance.meeting_venues(base_id, any_size=ctx.explain))


def candidate_days(ctx: ModelContext, q: int) -> list[dt.date]:
    if ctx.explain:
        lo, hi = ctx.timeline.quarters[q - 1]
    else:
        lo, hi = quarter_window(ctx, q)
    return [d for d in ctx.timeline.days(lo, hi) if ctx.timeline.calendar.is_workday(d)]


def add_variables(ctx: ModelContext) -> None:
    """Creating variables only for working days and fitting venues *is* the
    ``meeting_on_workday`` rule and the capacity part of ``meeting_venue``."""
    n_slots = len(ctx.instance.meetings.slots)
    for base in ctx.bases:
        venues = eligible_venues(ctx, base.id)
        for q in range(1, 5):
            day_slot = {
                (d, s): ctx.new_bool(f"meet[{base.id},q{q},{d},{s}]")
                for d in candidate_days(ctx, q)
                for s in range(n_slots)
            }
            day: dict[dt.date, object] = defaultdict(int)
            for (d, _), lit in day_slot.items():
                day[d] = day[d] + lit
            # Meeting slots never overlap each other (validated), so between meetings
            # "same time" is "same (day, slot)": a small integer axis.
            time = ctx.model.new_int_var(0, ctx.timeline.n_days * n_slots, f"time[{base.id},q{q}]")
            ctx.model.add(time == sum(
                ((ctx.timeline.day_index(d) * n_slots + s) * lit
                 for (d, s), lit in day_slot.items()),
                start=0,
            ))
            ctx.meetings[base.id, q] = MeetingVars(
                base=base.id,
                time=time,
                quarter=q,
                window=quarter_window(ctx, q),
                day_slot=day_slot,
                day=dict(day),
                venue={v: ctx.new_bool(f"venue[{base.id},q{q},{v}]") for v in venues},
            )


def add_meeting_per_quarter(ctx: ModelContext) -> None:
    """Exactly one (day, slot) and one venue per base and quarter. The quarter's window
    holds by construction (only its days get variables), except when explaining, where
    every day of the quarter is a candidate and the window is a requirement."""
    for mv in ctx.meetings.values():
        ctx.model.add_exactly_one(mv.day_slot.values())
        ctx.model.add_exactly_one(mv.venue.values())
    if not ctx.explain:
        return
    window = ctx.require("meeting_window", lambda: requirements.meeting_window(ctx.instance))
    for mv in ctx.meetings.values():
        lo, hi = mv.window
        for (d, _), lit in mv.day_slot.items():
            if not lo <= d <= hi:
                ctx.enforce(ctx.model.add(lit == 0), window)


def add_meeting_venue(ctx: ModelContext) -> None:
    """A venue closed on a day holds no meeting that day. Capacity, meetings allowed and
    travel hold by construction (only fitting venues get variables), except when
    explaining, where a venue too small or not taking meetings is a requirement."""
    inst = ctx.instance
    if ctx.explain:
        for (b, _q), mv in ctx.meetings.items():
            need = len(inst.meeting_attendees(b))
            for vid, vlit in mv.venue.items():
                v = inst.venue(vid)
                if not (v.meetings and v.capacity >= need):
                    ctx.enforce(ctx.model.add(vlit == 0), ctx.require(
                        f"capacity:{vid}:{b}",
                        lambda vid=vid, need=need, b=b: requirements.capacity(inst, vid, need, b)))
    for mv in ctx.meetings.values():
        for vid, vlit in mv.venue.items():
            venue = inst.venue(vid)
            for i, r in enumerate(venue.closures):
                lit = ctx.require(f"closure:{vid}:{i}", lambda vid=vid, i=i: requirements.closure(
                    inst, vid, i, "meeting_venue"))
                for d, dsum in mv.day.items():
                    if r.contains(d):
                        ctx.enforce(ctx.model.add(dsum + vlit <= 1), lit)


def add_meeting_host(ctx: ModelContext) -> None:
    """The host is the rotating chair of the period containing the day (by construction
    of the plan) and must be available that day."""
    inst, tl = ctx.instance, ctx.timeline
    for mv in ctx.meetings.values():
        base = inst.federation(mv.base)
        for d, dsum in mv.day.items():
            t = tl.period_of(d)
            for p in base.presidium:
                for i, r in enumerate(inst.person(p).unavailable):
                    if r.contains(d):
                        ctx.enforce(ctx.model.add(dsum + ctx.chair[base.id, t, p] <= 1),
                                    ctx.require(f"unavailable:{p}:{i}", lambda p=p, i=i:
                                                requirements.unavailability(
                                                    inst, p, i, "meeting_host")))


def add_pinned_meeting(ctx: ModelContext) -> None:
    """Every ``pins.meetings`` entry holds (date, venue and slot, where given)."""
    if not ctx.bases:
        return
    for i, pin in enumerate(ctx.instance.pins.meetings):
        if (pin.base, pin.quarter) not in ctx.meetings:
            continue  # another part's base
        req = ctx.require(f"pin_meeting:{i}",
                          lambda i=i: requirements.pin_meeting(ctx.instance, i))
        mv = ctx.meetings[pin.base, pin.quarter]
        for (d, s), lit in mv.day_slot.items():
            if (pin.date is not None and d != pin.date) or (
                pin.slot is not None and s != pin.slot - 1
            ):
                ctx.enforce(ctx.model.add(lit == 0), req)
        if pin.date is not None and not any(d == pin.date for d, _ in mv.day_slot):
            # The pinned day is not a working day (or outside the window): no literal can
            # be true, which makes the model infeasible -- as it should, and the
            # pre-checks say why in words.
            ctx.enforce(ctx.model.add_bool_or([]), req)
        if pin.venue is not None:
            if pin.venue in mv.venue:
                ctx.enforce(ctx.model.add(mv.venue[pin.venue] == 1), req)
            else:
                ctx.enforce(ctx.model.add_bool_or([]), req)


# -- soft rules ----------------------------------------------------------------------


def expected_absent(ctx: ModelContext, base_id: str, d: dt.date) -> list[str]:
    inst = ctx.instance
    return [p for p in inst.meeting_attendees(base_id) if inst.person(p).is_unavailable(d)]


def missed_attendance_penalties(ctx: ModelContext) -> None:
    """Expected attendees unavailable on the meeting's day."""
    inst = ctx.instance
    parts = []
    for (b, q), mv in ctx.meetings.items():
        base = inst.federation(b)
        for d, dsum in mv.day.items():
            absent = expected_absent(ctx, b, d)
            if absent:
                names = "、".join(inst.person(p).name for p in absent)
                parts.append((dsum, len(absent), f"{base.name} 第{q}季度联席会({d}) {names} 请假"))
    ctx.penalise("missed_attendance", inst.weights.missed_attendance, parts)


def meeting_outside_town_penalties(ctx: ModelContext) -> None:
    """A meeting of a base with a town at a venue in another town."""
    inst = ctx.instance
    parts = []
    for (b, q), mv in ctx.meetings.items():
        base = inst.federation(b)
        if base.town:
            for vid, vlit in mv.venue.items():
                venue = inst.venue(vid)
                if venue.town != base.town:
                    parts.append(
                        (vlit, 1, f"{base.name} 第{q}季度联席会在镇外场地 {venue.name}")
                    )
    ctx.penalise("meeting_outside_town", inst.weights.meeting_outside_town, parts)


def late_meeting_penalties(ctx: ModelContext) -> None:
    """Whole weeks between the start of the quarter's window and the meeting."""
    inst = ctx.instance
    parts = []
    for (b, q), mv in ctx.meetings.items():
        base = inst.federation(b)
        for d, dsum in mv.day.items():
            weeks = (d - mv.window[0]).days // 7
            if weeks:
                parts.append((dsum, weeks, f"{base.name} 第{q}季度联席会晚于季度初{weeks}周"))
    ctx.penalise("late_meeting", inst.weights.late_meeting, parts)
