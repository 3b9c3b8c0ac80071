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

from ..models.hosting import activities_at_venues, contact_of
from .context import MeetingVars, ModelContext


def _overlap(a: tuple[dt.time, dt.time], b: tuple[dt.time, dt.time]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def add_no_double_booking_person(ctx: ModelContext) -> None:
    """No person has two duties at overlapping times: meetings she is expected at,
    hosting turns of the federations she is the contact of, and -- travel included --
    her assignments and visits."""
    _meetings_per_person(ctx)
    _turns_against_meetings_per_person(ctx)
    _turns_per_contact(ctx)
    _personal_duties(ctx)


def add_no_double_booking_venue(ctx: ModelContext) -> None:
    """No venue holds two events at overlapping times: meetings, hosting turns and the
    activities held there. (A hosting slot that overlaps an activity at its venue is
    unusable and has no variable: models.hosting.expand_slots.)"""
    _meetings_per_venue(ctx)
    _meetings_against_activities(ctx)
    _turns_against_meetings_per_venue(ctx)
    _turns_per_venue(ctx)


def _meetings_against_activities(ctx: ModelContext) -> None:
    """An activity held at a venue occupies it: no meeting there at the same time."""
    busy = ctx.shared("activities_at_venues", lambda: activities_at_venues(ctx.instance))
    if not busy:
        return
    spans = [tuple(t.hour * 60 + t.minute for t in s.times())
             for s in ctx.instance.meetings.slots]
    for mv in ctx.meetings.values():
        for vid, vlit in mv.venue.items():
            for (d, s), lit in mv.day_slot.items():
                held = busy.get((vid, d))
                if not held:
                    continue
                span = spans[s]
                if any(span[0] < a.minutes[1] and a.minutes[0] < span[1] for a in held):
                    ctx.model.add(lit + vlit <= 1)


def _meetings_per_venue(ctx: ModelContext) -> None:
    """Two meetings at one venue are at different (day, slot)s."""
    model = ctx.model
    by_venue: dict[str, list] = defaultdict(list)
    for (b, q), mv in ctx.meetings.items():
        for vid, vlit in mv.venue.items():
            by_venue[vid].append(
                model.new_optional_fixed_size_interval_var(mv.time, 1, vlit, f"at[{b},q{q},{vid}]")
            )
    for intervals in by_venue.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)


def _meetings_per_person(ctx: ModelContext) -> None:
    """A person expected at two bases' meetings attends them at different (day, slot)s."""
    inst, model = ctx.instance, ctx.model
    by_person: dict[str, list[MeetingVars]] = defaultdict(list)
    for (b, _q), mv in ctx.meetings.items():
        for p in inst.meeting_attendees(b):
            by_person[p].append(mv)
    for p, mvs in by_person.items():
        if len({mv.base for mv in mvs}) < 2:
            continue  # one base meets once a quarter: its meetings cannot collide
        intervals = [
            model.new_optional_fixed_size_interval_var(
                mv.time, 1, ctx.attends(mv, p), f"p[{mv.base},q{mv.quarter},{p}]")
            for mv in mvs
        ]
        model.add_no_overlap(intervals)


def _turn_meeting_clashes(ctx: ModelContext):
    """(slot id, hosts, meeting, day-slot literals of the meeting overlapping the turn)."""
    slots = ctx.instance.meetings.slots
    for sid, hosts in ctx.hosting.items():
        turn = ctx.slots[sid]
        span = (turn.start, turn.end)
        for mv in ctx.meetings.values():
            clashes = [lit for (d, s), lit in mv.day_slot.items()
                       if d == turn.date and _overlap(span, slots[s].times())]
            if clashes:
                yield sid, hosts, mv, clashes


def _turns_against_meetings_per_person(ctx: ModelContext) -> None:
    """The contact runs the turn; if she attends a meeting at that time they clash.
    (She is available that day, or the federation would have no literal here.)"""
    inst, model = ctx.instance, ctx.model
    attendees = {mv.base: set(inst.meeting_attendees(mv.base)) for mv in ctx.meetings.values()}
    for _sid, hosts, mv, clashes in _turn_meeting_clashes(ctx):
        for fid, host in hosts.items():
            if contact_of(inst.federation(fid)) in attendees[mv.base]:
                for lit in clashes:
                    model.add(host + lit <= 1)


def _turns_against_meetings_per_venue(ctx: ModelContext) -> None:
    """A hosted turn and a meeting at the same venue and time clash."""
    model = ctx.model
    for sid, hosts, mv, clashes in _turn_meeting_clashes(ctx):
        venue = ctx.slots[sid].venue
        if venue in mv.venue and hosts:
            filled = sum(hosts.values())
            for lit in clashes:
                model.add(lit + mv.venue[venue] + filled <= 2)


def _overlapping_turns(ctx: ModelContext):
    """Pairs of slot ids on one day whose times overlap."""
    by_day: dict[dt.date, list[str]] = defaultdict(list)
    for sid in ctx.hosting:
        by_day[ctx.slots[sid].date].append(sid)
    for sids in by_day.values():
        for a, b in combinations(sids, 2):
            sa, sb = ctx.slots[a], ctx.slots[b]
            if _overlap((sa.start, sa.end), (sb.start, sb.end)):
                yield a, b


def _turns_per_venue(ctx: ModelContext) -> None:
    """Two turns at overlapping times are not at one venue."""
    for a, b in _overlapping_turns(ctx):
        ha, hb = ctx.hosting[a], ctx.hosting[b]
        if ctx.slots[a].venue == ctx.slots[b].venue and ha and hb:
            ctx.model.add(sum(ha.values()) + sum(hb.values()) <= 1)


def _turns_per_contact(ctx: ModelContext) -> None:
    """Two turns at overlapping times do not have one contact person. (One federation's
    own turns are kept apart by ``hosting_gap``.)"""
    inst = ctx.instance
    for a, b in _overlapping_turns(ctx):
        for fa, la in ctx.hosting[a].items():
            for fb, lb in ctx.hosting[b].items():
                if fa != fb and contact_of(inst.federation(fa)) == contact_of(
                        inst.federation(fb)):
                    ctx.model.add(la + lb <= 1)


def clash(a: tuple[int, int, str | None], b: tuple[int, int, str | None], travel) -> bool:
    """Two duties on one day (start, end, town) clash when, travel included, neither
    ends in time to reach the other."""
    (s1, e1, t1), (s2, e2, t2) = a, b
    gap = travel(t1, t2)
    return s2 < e1 + gap and s1 < e2 + gap


def _longest_travel(inst) -> int:
    """The most minutes ``travel_minutes`` gives between two towns."""
    return max([t.minutes for t in inst.travel]
               + [inst.volunteering.default_travel_minutes, 0])


def _clashing_pairs(duties: list, travel, reach: int) -> dict[int, list[int]]:
    """i -> the j > i (in list order) whose duty clashes with duty i (``clash``). A
    sweep by start time: a duty starting ``reach`` (the longest travel) or more after
    another ends cannot clash with it, nor can any starting later (a caring mother has
    hundreds of candidate visits a day; comparing all pairs took most of a care part's
    model building)."""
    order = sorted(range(len(duties)), key=lambda k: duties[k][0])
    out: dict[int, list[int]] = defaultdict(list)
    for n, i in enumerate(order):
        s1, e1, t1 = duties[i][:3]
        for j in order[n + 1:]:
            s2, e2, t2 = duties[j][:3]
            if s2 >= e1 + reach:
                break
            if clash((s1, e1, t1), (s2, e2, t2), travel):
                out[min(i, j)].append(max(i, j))
    for i in out:
        out[i].sort()
    return out


def _personal_duties(ctx: ModelContext) -> None:
    """Volunteer assignments and caring-mother visits against every other duty of the
    same person, travel between towns included (docs/rules.md)."""
    inst, model = ctx.instance, ctx.model
    travel = inst.travel_minutes
    acts = {a.id: a for a in ctx.activities}
    # person -> date -> [(start, end, town, [literals that together make the duty])]
    mine: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for (aid, _role, pid), lit in ctx.assign.items():
        a = acts[aid]
        s, e = a.minutes
        mine[pid][a.date].append((s, e, inst.activity_town(a), [lit]))
    for visits in ctx.visits.values():
        for v in visits:
            mine[v.mother][v.date].append((v.start, v.end, v.town, [v.lit]))
    if not mine:
        return
    # Duties of the same people from the other parts of the plan.
    other: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for sid, hosts in ctx.hosting.items():
        slot = ctx.slots[sid]
        town = inst.venue(slot.venue).town
        span = (slot.start.hour * 60 + slot.start.minute, slot.end.hour * 60 + slot.end.minute)
        for fid, lit in hosts.items():
            p = contact_of(inst.federation(fid))
            if p in mine and slot.date in mine[p]:
                other[p][slot.date].append((*span, town, [lit]))
    slot_times = [s.times() for s in inst.meetings.slots]
    for mv in ctx.meetings.values():
        for p in inst.meeting_attendees(mv.base):
            if p not in mine:
                continue
            for (d, k), lit in mv.day_slot.items():
                if d not in mine[p] or inst.person(p).is_unavailable(d):
                    continue  # no duty of hers that day to clash with, or she is away
                st, en = slot_times[k]
                for vid, vlit in mv.venue.items():
                    other[p][d].append((st.hour * 60 + st.minute, en.hour * 60 + en.minute,
                                        inst.venue(vid).town, [lit, vlit]))
    reach = _longest_travel(inst)
    for p, by_day in mine.items():
        for day, duties in by_day.items():
            clashes = _clashing_pairs(duties, travel, reach)
            for i, (s1, e1, t1, l1) in enumerate(duties):
                for j in clashes.get(i, ()):
                    l2 = duties[j][3]
                    model.add(sum(l1 + l2) <= len(l1 + l2) - 1)
                for s2, e2, t2, l2 in other.get(p, {}).get(day, []):
                    if clash((s1, e1, t1), (s2, e2, t2), travel):
                        model.add(sum(l1 + l2) <= len(l1 + l2) - 1)
