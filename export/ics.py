"""iCalendar (RFC 5545) export of a plan: ``calendars/*.ics`` of the plan directory.

The exporter is three pure steps, so that each can be tested and reused on its own:

1. :func:`build_events` turns an instance and a plan into plain :class:`CalEvent` values
   (Chinese text, ids of the people, venues and federations whose calendars carry them);
2. :func:`to_calendar` turns any events into one ``icalendar.Calendar``;
3. :func:`write_calendars` writes ``all.ics`` and one file per person, venue and
   federation with at least one event.

Why it looks the way it does (see docs/plan-format.md, "Calendars"):

- Each ``UID`` is derived from what the event *is* (rotation term of base X in period 3,
  the Q2 joint meeting of base Y, the 09:00 hosting slot of venue Z on a day), never from
  a counter or the clock, so a re-solved plan updates the events already on a phone
  instead of duplicating them. A hosting turn's UID names the slot, not its host: when a
  re-plan hands the slot to another federation, the same event changes hands.
- Timed events carry ``TZID=Asia/Shanghai`` and the calendar always contains the matching
  ``VTIMEZONE``: no floating times, no starts converted to UTC.
- The output is a pure function of the plan: ``DTSTAMP``/``LAST-MODIFIED`` come from
  ``plan.generated_at``, events are sorted, so writing the same plan twice gives
  byte-identical files.
- The files pass libical's RFC 5545 restriction check (``scripts/check_ics.py``): no
  ``METHOD`` (they are publications, not iTIP messages that would need an ``ORGANIZER``)
  and no ``COMMENT`` directly inside ``VTIMEZONE``.
- Children in difficulty never appear by name or address in a calendar: a care visit
  names the child by code (``儿童 c-007``) and is located by the child's town name only;
  the child's name, address, age and needs are never read here. Hosting turns carry no
  personal data beyond the name and phone of the federation's contact, which the
  instance already holds.
- A volunteering assignment is one event per (activity, volunteer), UID
  ``volunteer-<activity>-<person>``: a re-plan that moves the activity's time updates
  it, one that swaps the volunteer cancels hers and publishes the new volunteer's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from icalendar import vDuration

from ..models.hosting import contact_of
from ..models.instance import VENUE_KIND_ZH, Federation, FederationKind, Instance, Venue
from ..models.plan import CareVisit, Hosting, Meeting, Plan, RotationTerm
from ..models.volunteering import ACTIVITY_KIND_ZH, Activity, Child, Festival
from .labels import VISIT_KIND_ZH

PRODID = "-//xinglian//星链排班//ZH"
UID_DOMAIN = "xinglian"
DEFAULT_STAMP = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""``DTSTAMP`` of plans without ``generated_at``, so that the output stays deterministic."""

ROTATION_DUTY = "配合区域主席策划特色活动、走访联系企业、帮助困难妇女儿童"
ROTATION_CATEGORY = "轮值主席"
MEETING_CATEGORY = "联席会"
HOSTING_CATEGORY = "轮值主办"
VOLUNTEER_CATEGORY = "巾帼志愿者"
CARE_CATEGORY = "爱心妈妈"

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class CalEvent:
    """One calendar event, independent of the iCalendar library.

    ``start``/``end`` are ``date`` for all-day events (``end`` exclusive, i.e. the last
    day + 1, per RFC 5545) and aware datetimes otherwise. ``people``, ``venues`` and
    ``federations`` are the ids whose own calendars carry the event.
    """

    uid: str
    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    location: str = ""
    description: str = ""
    alarm_minutes: int | None = None
    people: tuple[str, ...] = ()
    venues: tuple[str, ...] = ()
    federations: tuple[str, ...] = ()
    sequence: int = 0
    status: str = "CONFIRMED"
    categories: tuple[str, ...] = ()
    stamp: dt.datetime | None = None
    """DTSTAMP/LAST-MODIFIED of this event when it differs from the calendar's (an event
    a re-plan leaves unchanged keeps the stamp it was first published with)."""

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)


# -- building events from a plan ---------------------------------------------------------


def _uid(kind: str, *parts: object) -> str:
    return f"{kind}-{'-'.join(str(p) for p in parts)}@{UID_DOMAIN}"


def _lookup(instance: Instance, kind: str, key: str) -> Any:
    """``instance.<kind>(key)`` with a message that says what went wrong."""
    try:
        return getattr(instance, kind)(key)
    except KeyError:
        raise ValueError(
            f"the plan refers to {kind} {key!r}, which is not in instance {instance.id!r}; "
            "was the plan made from another instance?"
        ) from None


def _person_name(instance: Instance, pid: str) -> str:
    return _lookup(instance, "person", pid).name


def _federation(instance: Instance, fid: str) -> Federation:
    return _lookup(instance, "federation", fid)


def _venue(instance: Instance, vid: str) -> Venue:
    return _lookup(instance, "venue", vid)


def cn_date(day: dt.date, *, year: bool = True) -> str:
    """``2027年1月1日`` (or ``1月1日`` without the year)."""
    text = f"{day.month}月{day.day}日"
    return f"{day.year}年{text}" if year else text


def cn_date_range(start: dt.date, end: dt.date) -> str:
    """An inclusive range in Chinese: ``2027年1月1日至2月28日``."""
    if start == end:
        return cn_date(start)
    return f"{cn_date(start)}至{cn_date(end, year=end.year != start.year)}"


def _local(value: dt.datetime, tz: ZoneInfo, what: str) -> dt.datetime:
    """The same instant in ``tz``; a naive datetime is refused rather than guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what}: {value.isoformat()} has no time zone; plan datetimes carry their "
            "offset (e.g. 2027-03-10T14:30:00+08:00)"
        )
    return value.astimezone(tz)


def rotation_events(instance: Instance, plan: Plan) -> list[CalEvent]:
    """One all-day event per rotation term (轮值主席), on the chair's and the base's calendars."""
    return [_rotation_event(instance, plan, term) for term in plan.rotation]


def _rotation_event(instance: Instance, plan: Plan, term: RotationTerm) -> CalEvent:
    base = _federation(instance, term.base)
    chair = _person_name(instance, term.chair)
    lines = [f"轮值期：{cn_date_range(term.start, term.end)}"]
    if base.industry:
        lines.append(f"基地产业：{base.industry}")
    lines.append(f"职责：{ROTATION_DUTY}")
    return CalEvent(
        uid=_uid("rotation", term.base, plan.year, f"p{term.period}"),
        summary=f"轮值主席：{chair}（{base.name} 第{term.period}期）",
        start=term.start,
        end=term.end + dt.timedelta(days=1),
        description="\n".join(lines),
        people=(term.chair,),
        federations=(term.base,),
        categories=(ROTATION_CATEGORY,),
    )


def meeting_events(instance: Instance, plan: Plan) -> list[CalEvent]:
    """One timed event per joint meeting (联席会), with the reminder of the instance."""
    return [_meeting_event(instance, plan, m) for m in plan.meetings]


def _venue_location(instance: Instance, venue_id: str) -> str:
    """``<venue name>，<address or town>`` (the town said once), for ``LOCATION``."""
    venue = _venue(instance, venue_id)
    town = instance.town_name(venue.town)
    parts = [venue.name]
    if venue.address:
        # An address usually names its town already; say it once.
        parts.append(venue.address if town in venue.address else f"{town}{venue.address}")
    elif town:
        parts.append(town)
    return "，".join(parts)


def _meeting_event(instance: Instance, plan: Plan, meeting: Meeting) -> CalEvent:
    tz = ZoneInfo(instance.timezone)
    base = _federation(instance, meeting.base)
    what = f"meeting {meeting.id}"
    lines = [f"主持：{_person_name(instance, meeting.host)}"]
    if meeting.attendees:
        lines.append("参会：" + "、".join(_person_name(instance, p) for p in meeting.attendees))
    if meeting.absent:
        lines.append("请假：" + "、".join(_person_name(instance, p) for p in meeting.absent))
    # The base, its chain, and the town federation of the base's town (its chair is
    # invited to the joint meeting, so the meeting belongs in its calendar too).
    chain = tuple(
        f.id for f in instance.federations
        if f.parent == meeting.base
        or (f.kind is FederationKind.TOWN and base.town is not None and f.town == base.town)
    )
    reminder = instance.meetings.reminder_minutes
    return CalEvent(
        uid=_uid("meeting", meeting.base, plan.year, f"q{meeting.quarter}"),
        summary=f"{base.name} 第{meeting.quarter}季度联席会",
        start=_local(meeting.start, tz, what),
        end=_local(meeting.end, tz, what),
        location=_venue_location(instance, meeting.venue),
        description="\n".join(lines),
        alarm_minutes=reminder or None,
        people=tuple(dict.fromkeys((meeting.host, *meeting.attendees))),
        venues=(meeting.venue,),
        federations=(meeting.base, *chain),
        categories=(MEETING_CATEGORY,),
    )


def hosting_events(instance: Instance, plan: Plan) -> list[CalEvent]:
    """One timed event per hosting turn (阵地共享 · 轮流主办).

    It is on the calendars of the host federation, of the venue and of the person who
    runs the federation's turns (``hosting.contact``, else its chair; nobody when it
    has neither).
    """
    return [_hosting_event(instance, h) for h in plan.hosting]


def hosting_uid(venue: str, start: dt.datetime) -> str:
    """``hosting-<venue>-<YYYY-MM-DD>-<HHMM>@xinglian``, ``start`` in local time.

    The slot (venue, day, start time), never the host: a re-plan that gives the slot to
    another federation updates the event already on the phones.
    """
    return _uid("hosting", venue, start.date().isoformat(), f"{start:%H%M}")


def _hosting_event(instance: Instance, hosting: Hosting) -> CalEvent:
    tz = ZoneInfo(instance.timezone)
    what = f"hosting {hosting.id}"
    start = _local(hosting.start, tz, what)
    end = _local(hosting.end, tz, what)
    venue = _venue(instance, hosting.venue)
    fed = _federation(instance, hosting.federation)
    kind = VENUE_KIND_ZH.get(venue.kind, str(venue.kind))
    contact = contact_of(fed)

    lines = [f"主办：{fed.name}"]
    if contact is not None:
        person = _lookup(instance, "person", contact)
        phone = f"（电话：{person.phone}）" if person.phone else ""
        lines.append(f"联系人：{person.name}{phone}")
    lines.append(f"场地：{venue.name}（{kind}，容纳{venue.capacity}人）")
    if hosting.theme:
        lines.append(f"主题：{hosting.theme}")
    theme = f"{hosting.theme} · " if hosting.theme else ""
    reminder = instance.hosting.reminder_minutes
    return CalEvent(
        uid=hosting_uid(hosting.venue, start),
        summary=f"【{kind}】{theme}{fed.name} 轮值主办",
        start=start,
        end=end,
        location=_venue_location(instance, hosting.venue),
        description="\n".join(lines),
        alarm_minutes=reminder or None,
        people=(contact,) if contact is not None else (),
        venues=(hosting.venue,),
        federations=(hosting.federation,),
        categories=(HOSTING_CATEGORY,),
    )


# -- volunteering (巾帼志愿者服务队) ------------------------------------------------------


def volunteer_uid(activity: str, person: str) -> str:
    """``volunteer-<activity>-<person>@xinglian``: what the event is (her part in that
    activity), so a re-plan that moves the activity updates the same event."""
    return _uid("volunteer", activity, person)


def _activities(instance: Instance) -> dict[str, Activity]:
    return {a.id: a for a in instance.activities}


def _activity(index: dict[str, Activity], instance: Instance, aid: str) -> Activity:
    try:
        return index[aid]
    except KeyError:
        raise ValueError(
            f"the plan refers to activity {aid!r}, which is not in instance {instance.id!r}; "
            "was the plan made from another instance?"
        ) from None


def activity_times(instance: Instance, activity: Activity) -> tuple[dt.datetime, dt.datetime]:
    """The activity's start and end as aware datetimes in the instance's time zone."""
    tz = ZoneInfo(instance.timezone)
    day = activity.date
    return (dt.datetime.combine(day, dt.time.fromisoformat(activity.start), tzinfo=tz),
            dt.datetime.combine(day, dt.time.fromisoformat(activity.end), tzinfo=tz))


def activity_location(instance: Instance, activity: Activity) -> str:
    """The venue (name, address or town) when the activity has one, else its town name."""
    if activity.venue is not None:
        return _venue_location(instance, activity.venue)
    return instance.town_name(instance.activity_town(activity))


def team_order(activity: Activity, members: dict[str, list[str]]) -> list[str]:
    """The people of an activity's team by the order of its roles, then by id."""
    order = {r.role: i for i, r in enumerate(activity.roles)}
    return sorted(members, key=lambda pid: (
        min((order.get(r, len(order)) for r in members[pid]), default=len(order)), pid))


def volunteering_events(instance: Instance, plan: Plan) -> list[CalEvent]:
    """One timed event per (activity, volunteer) of ``plan.volunteering``.

    On the volunteer's calendar, her federation's (``volunteer.federation``) and the
    venue's. The description names her role, the rest of the team (by name, with their
    roles) and who leads (the experienced volunteers on the team).
    """
    index = _activities(instance)
    teams: dict[str, dict[str, list[str]]] = {}
    for v in plan.volunteering:
        _activity(index, instance, v.activity)
        _lookup(instance, "person", v.person)
        roles = teams.setdefault(v.activity, {}).setdefault(v.person, [])
        if v.role not in roles:
            roles.append(v.role)
    out: list[CalEvent] = []
    for aid, members in teams.items():
        activity = index[aid]
        team = team_order(activity, members)
        for pid in team:
            out.append(_volunteer_event(instance, activity, pid, members, team))
    return out


def _volunteer_event(instance: Instance, activity: Activity, pid: str,
                     members: dict[str, list[str]], team: list[str]) -> CalEvent:
    person = instance.person(pid)
    kind = ACTIVITY_KIND_ZH.get(activity.kind, activity.kind)
    roles = "、".join(members[pid])
    lines = [f"活动：{activity.title}（{kind}）", f"岗位：{roles}"]
    others = [p for p in team if p != pid]
    if others:
        lines.append("同队：" + "、".join(
            f"{instance.person(p).name}（{'、'.join(members[p])}）" for p in others))
    leads = [p for p in team
             if (prof := instance.person(p).volunteer) is not None and prof.experienced]
    if leads:
        lines.append("带队：" + "、".join(instance.person(p).name for p in leads))
    elif activity.lead_required:
        lines.append("带队：暂缺（本活动需有经验的志愿者带队）")
    start, end = activity_times(instance, activity)
    fed = person.volunteer.federation if person.volunteer is not None else None
    reminder = instance.volunteering.reminder_minutes
    return CalEvent(
        uid=volunteer_uid(activity.id, pid),
        summary=f"【{kind}】{activity.title} · {roles}",
        start=start,
        end=end,
        location=activity_location(instance, activity),
        description="\n".join(lines),
        alarm_minutes=reminder or None,
        people=(pid,),
        venues=(activity.venue,) if activity.venue else (),
        federations=(fed,) if fed else (),
        categories=(VOLUNTEER_CATEGORY,),
    )


# -- caring mothers (爱心妈妈 · 结对帮扶) -------------------------------------------------

_FESTIVAL_ID = re.compile(r"-f(\d+)$")


def visit_festival(instance: Instance, visit: CareVisit) -> Festival | None:
    """The festival a ``festival`` visit is for: by the ``-f<i>`` of its id (docs/rules.md,
    ``care_rhythm``), else the nearest festival whose window holds the visit's day."""
    if visit.kind != "festival":
        return None
    festivals = instance.care.festivals
    m = _FESTIVAL_ID.search(visit.id)
    if m and 1 <= int(m[1]) <= len(festivals):
        return festivals[int(m[1]) - 1]
    day = visit.start.astimezone(ZoneInfo(instance.timezone)).date()
    near = [f for f in festivals if abs((f.date - day).days) <= f.window_days]
    return min(near, key=lambda f: (abs((f.date - day).days), f.date), default=None)


def _children(instance: Instance) -> dict[str, Child]:
    return {c.code: c for c in instance.children}


def care_events(instance: Instance, plan: Plan) -> list[CalEvent]:
    """One timed event per caring-mother visit, on the mother's calendar only.

    The child is named by code and located by town name: never the child's name,
    address, age or needs (the calendar is synced to phones and shared).
    """
    children = _children(instance)
    return [_care_event(instance, children, v) for v in plan.care.visits]


def _care_event(instance: Instance, children: dict[str, Child], visit: CareVisit) -> CalEvent:
    tz = ZoneInfo(instance.timezone)
    what = f"care visit {visit.id}"
    mother = _person_name(instance, visit.mother)
    child = children.get(visit.child)
    if child is None:
        raise ValueError(
            f"the plan refers to child {visit.child!r}, which is not in instance "
            f"{instance.id!r}; was the plan made from another instance?")
    kind = VISIT_KIND_ZH.get(visit.kind, visit.kind)
    town = instance.town_name(child.town)
    lines = [f"爱心妈妈：{mother}", f"结对儿童：{child.code}", f"内容：{kind}"]
    festival = visit_festival(instance, visit)
    if festival is not None:
        lines.append(f"节日：{festival.name}（{cn_date(festival.date, year=False)}）")
    lines.append("儿童以代码标识，请勿在共享日历中记录儿童姓名与住址")
    reminder = instance.care.reminder_minutes
    return CalEvent(
        uid=f"{visit.id}@{UID_DOMAIN}",
        summary=f"爱心妈妈 · {kind} · 儿童 {child.code}",
        start=_local(visit.start, tz, what),
        end=_local(visit.end, tz, what),
        location=town,
        description="\n".join(lines),
        alarm_minutes=reminder or None,
        people=(visit.mother,),
        categories=(CARE_CATEGORY,),
    )


EventSource = Callable[[Instance, Plan], Iterable[CalEvent]]

EVENT_SOURCES: tuple[EventSource, ...] = (
    rotation_events,
    meeting_events,
    hosting_events,
    volunteering_events,
    care_events,
    lambda instance, plan: _term_events(instance, plan),
)
"""Every kind of event the calendars carry, in one place."""


def _term_events(instance: Instance, plan: Plan) -> list[CalEvent]:
    """Enterprise visits and signature activities (export/term.py)."""
    from .term import term_events
    return term_events(instance, plan, CalEvent, _venue_location)


def _sort_key(event: CalEvent, tz: dt.tzinfo) -> tuple[dt.datetime, str]:
    start = event.start
    if not isinstance(start, dt.datetime):
        start = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    elif start.tzinfo is None:
        start = start.replace(tzinfo=tz)  # refused later by to_calendar; only for sorting
    return start, event.uid


def sort_events(events: Iterable[CalEvent], tz: str = "Asia/Shanghai") -> list[CalEvent]:
    """Events by start (all-day events start at local midnight), then by UID."""
    zone = ZoneInfo(tz)
    return sorted(events, key=lambda e: _sort_key(e, zone))


def build_events(instance: Instance, plan: Plan) -> list[CalEvent]:
    """All calendar events of a plan, sorted by start then UID.

    Parameters
    ----------
    instance
        The instance the plan was made from; names, venues and reminders come from it.
    plan
        The plan; every section with events is exported (see :data:`EVENT_SOURCES`).

    Returns
    -------
    list[CalEvent]
        Deterministic: the same plan gives equal events, whatever its ``generated_at``.

    Raises
    ------
    ValueError
        When the plan refers to an id the instance does not know, or carries a datetime
        without a time zone.
    """
    events = [e for source in EVENT_SOURCES for e in source(instance, plan)]
    return sort_events(events, instance.timezone)


# -- iCalendar ----------------------------------------------------------------------------


class _MinutesBefore(vDuration):
    """A negative duration written as ``-PT{n}M`` (icalendar would write ``-P1D``)."""

    def to_ical(self) -> bytes:
        return f"-PT{-self.td // dt.timedelta(minutes=1)}M".encode()


@lru_cache(maxsize=32)
def _vtimezone_ical(tz: str, first: dt.date, last: dt.date) -> bytes:
    # Generating a VTIMEZONE walks the zone's transitions; cache the bytes and parse a
    # fresh component per calendar (components are mutable).
    zone = icalendar.Timezone.from_tzid(tz, first_date=first, last_date=last)
    # icalendar notes the bounds in a COMMENT, which RFC 5545 does not allow directly in
    # VTIMEZONE (only in its STANDARD/DAYLIGHT parts); libical's check flags it.
    zone.pop("COMMENT", None)
    return zone.to_ical()


def _vtimezone(tz: str, events: list[CalEvent], stamp: dt.datetime) -> icalendar.Timezone:
    """The VTIMEZONE of ``tz``, valid over the years the events touch.

    Bounded to those years so that Asia/Shanghai's 1986-1991 summer times do not fill
    every file; outside them the last offset carries on, which is right for China.
    """
    days = [d.date() if isinstance(d, dt.datetime) else d for e in events for d in (e.start, e.end)]
    lo = min(d.year for d in days) if days else stamp.year
    hi = max(d.year for d in days) if days else stamp.year
    first, last = dt.date(lo, 1, 1), dt.date(hi + 1, 1, 1)
    return icalendar.Timezone.from_ical(_vtimezone_ical(tz, first, last))


def _utc(value: dt.datetime) -> dt.datetime:
    # A naive stamp is taken as UTC: it is only bookkeeping, never a time anyone attends.
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _check_times(event: CalEvent, zone: ZoneInfo) -> tuple[dt.date, dt.date]:
    """The event's bounds, timed ones in ``zone``; mixed or reversed bounds are refused."""
    start, end = event.start, event.end
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        raise ValueError(
            f"{event.uid}: start {start.isoformat()} and end {end.isoformat()} must both be "
            "dates (all-day) or both datetimes"
        )
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        start, end = _local(start, zone, event.uid), _local(end, zone, event.uid)
    if end <= start:
        raise ValueError(f"{event.uid}: end {end.isoformat()} is not after start "
                         f"{start.isoformat()}")
    return start, end


def _vevent(event: CalEvent, zone: ZoneInfo, stamp: dt.datetime) -> icalendar.Event:
    start, end = _check_times(event, zone)
    if event.stamp is not None:
        stamp = _utc(event.stamp)
    ev = icalendar.Event()
    ev.add("UID", event.uid)
    ev.add("DTSTAMP", stamp)
    ev.add("LAST-MODIFIED", stamp)
    ev.add("SEQUENCE", event.sequence)
    ev.add("STATUS", event.status)
    ev.add("SUMMARY", event.summary)
    ev.add("DTSTART", start)  # date -> VALUE=DATE; aware datetime -> TZID=<zone key>
    ev.add("DTEND", end)
    if event.location:
        ev.add("LOCATION", event.location)
    if event.description:
        ev.add("DESCRIPTION", event.description)
    if event.categories:
        ev.add("CATEGORIES", list(event.categories))
    # A chair's two-month term must not show her as busy; a meeting or a hosting turn does.
    ev.add("TRANSP", "TRANSPARENT" if event.all_day else "OPAQUE")
    if event.alarm_minutes is not None and event.alarm_minutes > 0:
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", f"提醒：{event.summary}")
        alarm.add("TRIGGER", _MinutesBefore(dt.timedelta(minutes=-event.alarm_minutes)))
        ev.add_component(alarm)
    return ev


def to_calendar(
    events: Iterable[CalEvent],
    name: str,
    *,
    stamp: dt.datetime,
    tz: str = "Asia/Shanghai",
) -> icalendar.Calendar:
    """One calendar holding ``events``, sorted by start then UID.

    Parameters
    ----------
    events
        The events; timed ones are written in ``tz`` (the instant is kept).
    name
        The calendar's display name (``X-WR-CALNAME`` and RFC 7986 ``NAME``).
    stamp
        ``DTSTAMP`` and ``LAST-MODIFIED`` of every event, written in UTC. Pass the
        plan's time, not the clock, to keep the output deterministic.
    tz
        The time zone of timed events; its VTIMEZONE is always included, also in
        calendars with all-day events only.

    Raises
    ------
    ValueError
        For a timed event without a time zone, an end not after its start, mixed
        all-day/timed bounds, or two events with the same UID.
    """
    zone = ZoneInfo(tz)
    ordered = _ordered(events, name, tz)
    utc_stamp = _utc(stamp)
    cal = _calendar_head(ordered, name, utc_stamp, tz)
    for e in ordered:
        cal.add_component(_vevent(e, zone, utc_stamp))
    return cal


def _ordered(events: Iterable[CalEvent], name: str, tz: str) -> list[CalEvent]:
    """``events`` sorted by start then UID; two with one UID are refused."""
    ordered = sort_events(events, tz)
    seen: set[str] = set()
    for e in ordered:
        if e.uid in seen:
            raise ValueError(f"two events have the UID {e.uid!r} in calendar {name!r}")
        seen.add(e.uid)
    return ordered


def _calendar_head(ordered: list[CalEvent], name: str, utc_stamp: dt.datetime,
                   tz: str) -> icalendar.Calendar:
    """The calendar of :func:`to_calendar` with its VTIMEZONE and no events yet."""
    cal = icalendar.Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    # No METHOD: these are published calendars, not iTIP (RFC 5546) messages. METHOD:PUBLISH
    # would require an ORGANIZER on every event, which the federation has no mailbox for
    # and which makes phones show each event as an invitation. Updates work by UID and
    # SEQUENCE (RFC 5545 3.8.4.7, 3.8.7.4) with or without METHOD.
    cal.add("NAME", name)  # RFC 7986
    cal.add("X-WR-CALNAME", name)  # what most clients still read
    cal.add("X-WR-TIMEZONE", tz)
    cal.add_component(_vtimezone(tz, ordered, utc_stamp))
    return cal


_END = b"END:VCALENDAR\r\n"


class _Rendered:
    """The VEVENT bytes of each (event, stamp), rendered once however many calendar
    files carry the event (a plan's event sits in ``all.ics`` and in the file of every
    person, venue and federation it names: ~9,000 renderings of ~2,000 events)."""

    def __init__(self, tz: str) -> None:
        self.tz, self.zone = tz, ZoneInfo(tz)
        self._bytes: dict[tuple[CalEvent, dt.datetime | None], bytes] = {}

    def vevent(self, event: CalEvent, utc_stamp: dt.datetime) -> bytes:
        # An event with its own stamp renders the same under any calendar stamp.
        key = (event, None if event.stamp is not None else utc_stamp)
        out = self._bytes.get(key)
        if out is None:
            out = self._bytes[key] = _vevent(event, self.zone, utc_stamp).to_ical()
        return out

    def calendar(self, events: Iterable[CalEvent], name: str, stamp: dt.datetime) -> bytes:
        """``to_calendar(events, name, stamp=stamp, tz=tz).to_ical()``, byte for byte."""
        ordered = _ordered(events, name, self.tz)
        utc_stamp = _utc(stamp)
        head = _calendar_head(ordered, name, utc_stamp, self.tz).to_ical()
        if not head.endswith(_END):
            raise AssertionError("icalendar no longer ends a calendar with END:VCALENDAR")
        return b"".join([head[:-len(_END)], *(self.vevent(e, utc_stamp) for e in ordered),
                         _END])


# -- files --------------------------------------------------------------------------------


def _file_name(kind: str, ident: str) -> str:
    if not _SAFE_ID.match(ident):
        raise ValueError(f"{kind} id {ident!r} cannot be used in a file name (ASCII ids only)")
    return f"{kind}-{ident}.ics"


def _group(events: list[CalEvent], attr: str) -> dict[str, list[CalEvent]]:
    out: dict[str, list[CalEvent]] = {}
    for e in events:
        for ident in getattr(e, attr):
            out.setdefault(ident, []).append(e)
    return out


def calendar_files(
    instance: Instance, plan: Plan, events: list[CalEvent] | None = None
) -> dict[str, tuple[str, list[CalEvent]]]:
    """file name -> (calendar name, events): ``all.ics`` and one file per person, venue
    and federation that at least one event names."""
    evs = sort_events(build_events(instance, plan) if events is None else events,
                      instance.timezone)
    label = instance.name or instance.id

    def name_of(kind: str, ident: str) -> str:
        lookup = {"person": instance.person, "venue": instance.venue,
                  "federation": instance.federation}[kind]
        try:
            return lookup(ident).name
        except KeyError:  # e.g. a cancelled event of someone no longer in the instance
            return ident

    files: dict[str, tuple[str, list[CalEvent]]] = {
        "all.ics": (f"星链日程 {plan.year}（{label} 全部）", evs)
    }
    for kind, attr in (("person", "people"), ("venue", "venues"),
                       ("federation", "federations")):
        for ident, group in _group(evs, attr).items():
            files[_file_name(kind, ident)] = (f"{name_of(kind, ident)} 的星链日程", group)
    return files


def write_calendars(
    instance: Instance,
    plan: Plan,
    out_dir: Path,
    *,
    events: list[CalEvent] | None = None,
    previous_dir: Path | None = None,
    updates_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Write ``all.ics`` and ``person-``/``venue-``/``federation-<id>.ics`` into ``out_dir``.

    A person, venue or federation gets a file when at least one event names it. The
    caller owns the directory (the plan directory is renamed into place as a whole).

    Parameters
    ----------
    instance, plan
        What to export. ``DTSTAMP`` is ``plan.generated_at`` (2000-01-01T00:00Z when
        unset), so the bytes written depend on the plan only.
    out_dir
        The ``calendars/`` directory of the plan directory.
    events
        Events to write instead of :func:`build_events`.
    previous_dir
        The ``calendars/`` directory of the plan this one replaces. Events keep their
        UID; an unchanged event keeps its SEQUENCE and stamp, a changed one gets
        SEQUENCE + 1 and the stamp ``now``, and an event that left a file is written
        there as ``STATUS:CANCELLED`` with a higher SEQUENCE (see :func:`versioned`).
    updates_dir
        With ``previous_dir``: where ``person-<id>.ics`` files holding only what changed
        for that person go.
    now
        The stamp of changed events (default: the plan's).

    Returns
    -------
    list[Path]
        The files written, sorted.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = plan.generated_at or DEFAULT_STAMP
    files = calendar_files(instance, plan, events)
    updates: dict[str, tuple[str, list[CalEvent]]] = {}
    rendered = _Rendered(instance.timezone)
    if previous_dir is not None and Path(previous_dir).is_dir():
        files, updates = versioned(files, read_calendars(Path(previous_dir)), now or stamp,
                                   rendered)
    written: list[Path] = []
    for target, group_files in ((out_dir, files), (updates_dir, updates)):
        if target is None or not group_files:
            continue
        Path(target).mkdir(parents=True, exist_ok=True)
        for file_name in sorted(group_files):
            cal_name, group = group_files[file_name]
            path = Path(target) / file_name
            path.write_bytes(rendered.calendar(group, cal_name, stamp))
            written.append(path)
    return sorted(written)


# -- versions: updating the same events on phones ---------------------------------------


@dataclass(frozen=True)
class Published:
    """An event as it stands in a previously written calendar file."""

    event: CalEvent
    signature: tuple
    raw: bytes = b""
    """The VEVENT as written, ``BEGIN:VEVENT`` to ``END:VEVENT`` and its line end."""


def _signature(ev: icalendar.Event) -> tuple:
    """What a person sees of an event; SEQUENCE and stamps are bookkeeping."""
    def text(name: str) -> str:
        return str(ev.get(name, ""))

    alarms = tuple(sorted(a.decoded("TRIGGER") for a in ev.walk("VALARM")))
    cats = ev.get("CATEGORIES")
    categories = tuple(str(c) for c in cats.cats) if cats is not None else ()
    return (text("SUMMARY"), ev.decoded("DTSTART"), ev.decoded("DTEND"), text("LOCATION"),
            text("DESCRIPTION"), text("STATUS"), categories, alarms)


def _published(ev: icalendar.Event, raw: bytes) -> Published:
    cats = ev.get("CATEGORIES")
    trigger = next((a.decoded("TRIGGER") for a in ev.walk("VALARM")), None)
    event = CalEvent(
        uid=str(ev["UID"]), summary=str(ev.get("SUMMARY", "")),
        start=ev.decoded("DTSTART"), end=ev.decoded("DTEND"),
        location=str(ev.get("LOCATION", "")),
        description=str(ev.get("DESCRIPTION", "")),
        alarm_minutes=int(-trigger.total_seconds() // 60) if trigger is not None
        else None,
        sequence=int(ev.get("SEQUENCE", 0)), status=str(ev.get("STATUS", "CONFIRMED")),
        categories=tuple(str(c) for c in cats.cats) if cats is not None else (),
        stamp=ev.decoded("DTSTAMP"),
    )
    return Published(event, _signature(ev), raw)


_VEVENT_BLOCK = re.compile(rb"^BEGIN:VEVENT\r?$.*?^END:VEVENT\r?$\n?", re.M | re.S)
_VTIMEZONE_BLOCK = re.compile(rb"^BEGIN:VTIMEZONE\r?$.*?^END:VTIMEZONE\r?$\n?", re.M | re.S)


def read_calendars(cal_dir: Path) -> dict[str, tuple[str, dict[str, Published]]]:
    """file name -> (calendar name, UID -> the event as published in that file).

    Each distinct VEVENT is parsed once: the same event sits in ``all.ics`` and in the
    file of everyone it names."""
    out: dict[str, tuple[str, dict[str, Published]]] = {}
    parsed: dict[bytes, Published] = {}
    for path in sorted(Path(cal_dir).glob("*.ics")):
        data = path.read_bytes()
        blocks = _VEVENT_BLOCK.findall(data)
        head = _VTIMEZONE_BLOCK.sub(b"", _VEVENT_BLOCK.sub(b"", data))
        cal = icalendar.Calendar.from_ical(head)
        cal_name = str(cal.get("X-WR-CALNAME", path.stem))
        events: dict[str, Published] = {}
        for block in blocks:
            pub = parsed.get(block)
            if pub is None:
                pub = parsed[block] = _published(icalendar.Event.from_ical(block), block)
            events[pub.event.uid] = pub
        out[path.name] = (cal_name, events)
    return out


def versioned(
    files: dict[str, tuple[str, list[CalEvent]]],
    previous: dict[str, tuple[str, dict[str, Published]]],
    now: dt.datetime,
    rendered: _Rendered | None = None,
) -> tuple[dict[str, tuple[str, list[CalEvent]]], dict[str, tuple[str, list[CalEvent]]]]:
    """Give each event of ``files`` its SEQUENCE and stamp against ``previous``, add
    ``STATUS:CANCELLED`` events for what left a file, and collect per person what
    changed for her (the second mapping, ``person-<id>.ics`` names)."""
    published_all: dict[str, Published] = {}
    for _, events in previous.values():
        for uid, pub in events.items():
            best = published_all.get(uid)
            if best is None or pub.event.sequence > best.event.sequence:
                published_all[uid] = pub
    render = rendered or _Rendered("Asia/Shanghai")

    def with_version(e: CalEvent) -> CalEvent:
        pub = published_all.get(e.uid)
        if pub is None:
            return replace(e, sequence=0, stamp=now)
        kept = replace(e, sequence=pub.event.sequence, stamp=pub.event.stamp)
        # Written exactly as published: unchanged (the usual case, no parsing needed).
        if pub.event.stamp is not None and render.vevent(kept, _utc(pub.event.stamp)) == pub.raw:
            return kept
        rendered_ev = icalendar.Event.from_ical(_vevent(e, render.zone, now).to_ical())
        if _signature(rendered_ev) == pub.signature:
            return kept
        return replace(e, sequence=pub.event.sequence + 1, stamp=now)

    versions: dict[str, CalEvent] = {}
    out: dict[str, tuple[str, list[CalEvent]]] = {}
    updates: dict[str, tuple[str, list[CalEvent]]] = {}
    for name in sorted(set(files) | set(previous)):
        old_name, before = previous.get(name, (None, {}))
        cal_name, events = files.get(name, (old_name, []))
        current = []
        for e in events:
            if e.uid not in versions:
                versions[e.uid] = with_version(e)
            current.append(versions[e.uid])
        uids = {e.uid for e in current}
        for uid, pub in before.items():
            if uid in uids:
                continue
            if pub.event.status == "CANCELLED":
                current.append(pub.event)  # stays cancelled, as published
            else:
                seq = max(pub.event.sequence + 1,
                          versions[uid].sequence if uid in versions else 0)
                current.append(replace(pub.event, status="CANCELLED", sequence=seq, stamp=now))
        if not current:
            continue
        out[name] = (cal_name or name, current)
        if name.startswith("person-"):
            changed = [e for e in current
                       if e.uid not in before
                       or (e.sequence, e.status) != (before[e.uid].event.sequence,
                                                     before[e.uid].event.status)]
            if changed:
                updates[name] = (f"{cal_name}（更新）", changed)
    return out, updates


__all__ = [
    "EVENT_SOURCES",
    "CalEvent",
    "build_events",
    "care_events",
    "cn_date_range",
    "hosting_events",
    "hosting_uid",
    "meeting_events",
    "rotation_events",
    "sort_events",
    "to_calendar",
    "visit_festival",
    "volunteer_uid",
    "volunteering_events",
    "write_calendars",
]
