"""Nobody and nothing is in two places at once, across every part of the plan.

This is ``no_double_booking_person`` and ``no_double_booking_venue`` of docs/rules.md.
Meetings use slots that never overlap each other, so among meetings "at the same time"
means "at the same (day, slot)": one no-overlap of unit intervals on that small axis per
venue and per person expected at two bases' meetings. Hosting turns sit at fixed times,
so every conflict that involves a turn is a clause between the literals of the two
duties whose times overlap -- few, because meetings are on working days and most turns
on weekends.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import combinations

from ..models.hosting import contact_of
from .context import MeetingVars, ModelContext


def _overlap(a: tuple[dt.time, dt.time], b: tuple[dt.time, dt.time]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def add_no_double_booking(ctx: ModelContext) -> None:
    _meetings_among_themselves(ctx)
    _turns_against_meetings(ctx)
    _turns_among_themselves(ctx)


def _meetings_among_themselves(ctx: ModelContext) -> None:
    inst, model = ctx.instance, ctx.model
    by_venue: dict[str, list] = defaultdict(list)
    by_person: dict[str, list[MeetingVars]] = defaultdict(list)
    for (b, q), mv in ctx.meetings.items():
        for vid, vlit in mv.venue.items():
            by_venue[vid].append(
                model.new_optional_fixed_size_interval_var(mv.time, 1, vlit, f"at[{b},q{q},{vid}]")
            )
        for p in inst.meeting_attendees(b):
            by_person[p].append(mv)
    for intervals in by_venue.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    for p, mvs in by_person.items():
        if len({mv.base for mv in mvs}) < 2:
            continue  # one base meets once a quarter: its meetings cannot collide
        intervals = [
            model.new_optional_fixed_size_interval_var(
                mv.time, 1, ctx.attends(mv, p), f"p[{mv.base},q{mv.quarter},{p}]")
            for mv in mvs
        ]
        model.add_no_overlap(intervals)


def _turns_against_meetings(ctx: ModelContext) -> None:
    inst, model = ctx.instance, ctx.model
    slots = inst.meetings.slots
    attendees = {mv.base: set(inst.meeting_attendees(mv.base)) for mv in ctx.meetings.values()}
    for sid, hosts in ctx.hosting.items():
        turn = ctx.slots[sid]
        span = (turn.start, turn.end)
        for mv in ctx.meetings.values():
            clashes = [lit for (d, s), lit in mv.day_slot.items()
                       if d == turn.date and _overlap(span, slots[s].times())]
            if not clashes:
                continue
            for fid, host in hosts.items():
                # The contact runs the turn; if she attends this meeting they clash. (She is
                # available that day, or the federation would have no literal here.)
                if contact_of(inst.federation(fid)) in attendees[mv.base]:
                    for lit in clashes:
                        model.add(host + lit <= 1)
            if turn.venue in mv.venue and hosts:
                filled = sum(hosts.values())
                for lit in clashes:
                    model.add(lit + mv.venue[turn.venue] + filled <= 2)


def _turns_among_themselves(ctx: ModelContext) -> None:
    """Two turns at overlapping times: not at one venue, not with one contact person.
    (One federation's own turns are kept apart by ``hosting_gap``.)"""
    inst, model = ctx.instance, ctx.model
    by_day: dict[dt.date, list[str]] = defaultdict(list)
    for sid in ctx.hosting:
        by_day[ctx.slots[sid].date].append(sid)
    for sids in by_day.values():
        for a, b in combinations(sids, 2):
            sa, sb = ctx.slots[a], ctx.slots[b]
            if not _overlap((sa.start, sa.end), (sb.start, sb.end)):
                continue
            ha, hb = ctx.hosting[a], ctx.hosting[b]
            if sa.venue == sb.venue and ha and hb:
                model.add(sum(ha.values()) + sum(hb.values()) <= 1)
            for fa, la in ha.items():
                for fb, lb in hb.items():
                    if fa != fb and contact_of(inst.federation(fa)) == contact_of(
                            inst.federation(fb)):
                        model.add(la + lb <= 1)
