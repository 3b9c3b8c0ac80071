"""Nobody and nothing in two places at once, re-derived for the checker from docs/rules.md.

``no_double_booking_person``: a person's duties are the meetings she attends, the
hosting turns she runs as contact person, her volunteering assignments and her visits;
travel counts when one of two duties on a day is an assignment or a visit.
``no_double_booking_venue``: meetings, hosting turns and the activities held at a venue.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from .context import Ctx
from .slots import contact
from .volunteering import person_assignments


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


def check_no_double_booking_person(ctx: Ctx) -> Iterator[str]:
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


def check_no_double_booking_venue(ctx: Ctx) -> Iterator[str]:
    for a, b in _overlapping(ctx):
        if a.venue == b.venue:
            yield f"{ctx.venue_name(a.venue)} holds both {a.what} and {b.what}, which overlap"
