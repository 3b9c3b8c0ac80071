"""A changes file: what happened since a plan was published.

Validated like the instance (frozen, unknown keys rejected, every problem at once with
its key path). :func:`apply_changes` turns it into a new instance. Changes never reach
into the past: a range that starts before ``today`` is clipped to start on ``today``,
so that what already happened stays as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from .instance import (
    DateRange,
    Frozen,
    HostingPin,
    Id,
    Instance,
    MeetingPin,
    RotationPin,
)
from .io import _validated, describe_validation_error
from .timeline import period_bounds
from .volunteering import Activity, RoleDemand


class Unavailable(Frozen):
    """A person cannot serve from ``start`` to ``end`` (maternity leave, a trade fair…)."""

    kind: Literal["unavailable"]
    person: Id
    start: dt.date
    end: dt.date
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Unavailable:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}; swap them")
        return self


class Leaves(Frozen):
    """A person leaves (moves away, steps down) on ``date``: unavailable from then on."""

    kind: Literal["leaves"]
    person: Id
    date: dt.date
    reason: str = ""


class VenueClosed(Frozen):
    kind: Literal["venue_closed"]
    venue: Id
    start: dt.date
    end: dt.date
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> VenueClosed:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}; swap them")
        return self


class PinChair(Frozen):
    """This person chairs this base in this period."""

    kind: Literal["pin_chair"]
    base: Id
    period: int = Field(ge=1)
    chair: Id
    reason: str = ""


class PinMeeting(Frozen):
    kind: Literal["pin_meeting"]
    base: Id
    quarter: int = Field(ge=1, le=4)
    date: dt.date | None = None
    venue: Id | None = None
    slot: int | None = Field(default=None, ge=1)
    reason: str = ""


class PinHosting(Frozen):
    kind: Literal["pin_hosting"]
    venue: Id
    date: dt.date
    federation: Id
    start: str | None = None
    reason: str = ""


class ActivityAdded(Frozen):
    kind: Literal["activity_added"]
    activity: Activity


class ActivityCancelled(Frozen):
    kind: Literal["activity_cancelled"]
    activity: Id
    reason: str = ""


class ActivityMoved(Frozen):
    kind: Literal["activity_moved"]
    activity: Id
    date: dt.date
    start: str | None = None
    end: str | None = None
    reason: str = ""


class HeadcountChanged(Frozen):
    kind: Literal["headcount"]
    activity: Id
    role: str
    min: int = Field(ge=0)
    max: int | None = Field(default=None, ge=1)
    reason: str = ""


Change = Annotated[
    Unavailable | Leaves | VenueClosed | PinChair | PinMeeting | PinHosting
    | ActivityAdded | ActivityCancelled | ActivityMoved | HeadcountChanged,
    Field(discriminator="kind"),
]


class ChangeSet(Frozen):
    """The whole changes file."""

    note: str = ""
    changes: tuple[Change, ...] = ()


CHANGE_ADAPTER = TypeAdapter(ChangeSet)


def describe(change: Change, instance: Instance) -> str:
    """One line in Chinese, with names from the instance."""
    def person(pid: str) -> str:
        try:
            return instance.person(pid).name
        except KeyError:
            return pid

    why = f"（{change.reason}）" if change.reason else ""
    match change:
        case Unavailable():
            return f"{person(change.person)} {change.start} 至 {change.end} 不能参加{why}"
        case Leaves():
            return f"{person(change.person)} 自 {change.date} 起离开{why}"
        case VenueClosed():
            return (f"{instance.venue(change.venue).name} {change.start} 至 {change.end} "
                    f"闭馆{why}")
        case PinChair():
            return (f"固定 {person(change.chair)} 任 {instance.federation(change.base).name} "
                    f"第{change.period}期轮值主席{why}")
        case PinMeeting():
            what = "、".join(str(x) for x in (change.date, change.venue, change.slot) if x)
            return (f"固定 {instance.federation(change.base).name} 第{change.quarter}季度"
                    f"联席会：{what}{why}")
        case PinHosting():
            return (f"固定 {instance.federation(change.federation).name} 于 {change.date} "
                    f"在 {instance.venue(change.venue).name} 主办{why}")
        case ActivityAdded():
            a = change.activity
            return f"新增活动 {a.title}（{a.date} {a.start}-{a.end}）"
        case ActivityCancelled():
            return f"取消活动 {_title(instance, change.activity)}{why}"
        case ActivityMoved():
            return (f"活动 {_title(instance, change.activity)} 改到 {change.date}"
                    + (f" {change.start}-{change.end}" if change.start else "") + why)
        case HeadcountChanged():
            return (f"活动 {_title(instance, change.activity)} 的 {change.role} 人数改为 "
                    f"{change.min}" + (f"–{change.max}" if change.max else "") + why)
    raise TypeError(change)  # pragma: no cover


def _title(instance: Instance, aid: str) -> str:
    return next((a.title for a in instance.activities if a.id == aid), aid)


def apply_changes(instance: Instance, changes: ChangeSet, today: dt.date) -> Instance:
    """A new instance with the changes applied from ``today`` on.

    Raises
    ------
    ValueError
        With one line per problem, each naming ``changes[i]`` and the fix: unknown ids,
        dates outside the plan year, pins on periods or days already past.
    """
    data = {name: getattr(instance, name) for name in type(instance).model_fields}
    people = {p.id: p for p in instance.people}
    venues = {v.id: v for v in instance.venues}
    feds = {f.id: f for f in instance.federations}
    pins_rot = list(instance.pins.rotation)
    pins_meet = list(instance.pins.meetings)
    pins_host = list(instance.pins.hosting)
    activities = {a.id: a for a in instance.activities}
    errors: list[str] = []
    last = dt.date(instance.year, 12, 31)
    first = dt.date(instance.year, 1, 1)

    def in_year(i: int, key: str, day: dt.date) -> bool:
        if not first <= day <= last:
            errors.append(f"changes[{i}].{key}: {day} is outside the plan year {instance.year}")
            return False
        return True

    def known(i: int, key: str, value: str, table: dict, what: str) -> bool:
        if value not in table:
            ids = sorted(table)
            shown = ", ".join(ids[:8]) + (", …" if len(ids) > 8 else "")
            errors.append(f"changes[{i}].{key}: unknown {what} {value!r}; use an id of the "
                          f"plan's instance (known: {shown})")
            return False
        return True

    def clipped(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
        start = max(start, today)
        return (start, end) if start <= end else None

    for i, ch in enumerate(changes.changes):
        match ch:
            case Unavailable() | Leaves():
                if not known(i, "person", ch.person, people, "person"):
                    continue
                if isinstance(ch, Unavailable):
                    start, end = ch.start, ch.end
                    ok = in_year(i, "start", start) & in_year(i, "end", end)
                else:
                    start, end = ch.date, last
                    ok = in_year(i, "date", start)
                if not ok:
                    continue
                span = clipped(start, end)
                if span is None:
                    continue  # entirely in the past: the past is not rewritten
                reason = ch.reason or ("离开" if isinstance(ch, Leaves) else "")
                p = people[ch.person]
                people[ch.person] = p.model_copy(update={"unavailable": (
                    *p.unavailable, DateRange(start=span[0], end=span[1], reason=reason))})
            case VenueClosed():
                if not known(i, "venue", ch.venue, venues, "venue"):
                    continue
                if not (in_year(i, "start", ch.start) and in_year(i, "end", ch.end)):
                    continue
                span = clipped(ch.start, ch.end)
                if span is None:
                    continue
                v = venues[ch.venue]
                venues[ch.venue] = v.model_copy(update={"closures": (
                    *v.closures, DateRange(start=span[0], end=span[1], reason=ch.reason))})
            case PinChair():
                ok = known(i, "base", ch.base, feds, "base federation")
                ok &= known(i, "chair", ch.chair, people, "person")
                if not ok:
                    continue
                if ch.chair not in feds[ch.base].presidium:
                    errors.append(
                        f"changes[{i}].chair: {ch.chair!r} is not on the presidium of "
                        f"{ch.base!r} ({', '.join(feds[ch.base].presidium)})")
                    continue
                if ch.period > instance.periods:
                    errors.append(f"changes[{i}].period: period {ch.period} does not exist")
                    continue
                ended = period_bounds(instance.year, instance.rotation.period_months)[
                    ch.period - 1][1]
                if ended < today:
                    errors.append(f"changes[{i}].period: period {ch.period} ended on {ended}, "
                                  f"before --today {today}; the past cannot be pinned")
                    continue
                pins_rot = [p for p in pins_rot if (p.base, p.period) != (ch.base, ch.period)]
                pins_rot.append(RotationPin(base=ch.base, period=ch.period, chair=ch.chair,
                                            reason=ch.reason))
            case PinMeeting():
                if not known(i, "base", ch.base, feds, "base federation"):
                    continue
                if ch.date is not None and (not in_year(i, "date", ch.date) or ch.date < today):
                    if ch.date < today:
                        errors.append(f"changes[{i}].date: {ch.date} is before --today "
                                      f"{today}; the past cannot be pinned")
                    continue
                pins_meet = [p for p in pins_meet if (p.base, p.quarter) != (ch.base, ch.quarter)]
                pins_meet.append(MeetingPin(base=ch.base, quarter=ch.quarter, date=ch.date,
                                            venue=ch.venue, slot=ch.slot, reason=ch.reason))
            case PinHosting():
                ok = known(i, "venue", ch.venue, venues, "venue")
                ok &= known(i, "federation", ch.federation, feds, "federation")
                if not ok or not in_year(i, "date", ch.date):
                    continue
                if ch.date < today:
                    errors.append(f"changes[{i}].date: {ch.date} is before --today {today}; "
                                  "the past cannot be pinned")
                    continue
                pins_host.append(HostingPin(venue=ch.venue, date=ch.date,
                                            federation=ch.federation, start=ch.start,
                                            reason=ch.reason))
    for i, ch in enumerate(changes.changes):
        match ch:
            case ActivityAdded():
                if ch.activity.id in activities:
                    errors.append(f"changes[{i}].activity.id: {ch.activity.id!r} exists already")
                elif ch.activity.date < today:
                    errors.append(f"changes[{i}].activity.date: {ch.activity.date} is before "
                                  f"--today {today}; the past cannot change")
                else:
                    activities[ch.activity.id] = ch.activity
            case ActivityCancelled() | ActivityMoved() | HeadcountChanged():
                a = activities.get(ch.activity)
                if a is None:
                    errors.append(f"changes[{i}].activity: unknown activity {ch.activity!r}")
                    continue
                if a.date < today:
                    errors.append(f"changes[{i}].activity: {a.title} was on {a.date}, before "
                                  f"--today {today}; the past cannot change")
                    continue
                if isinstance(ch, ActivityCancelled):
                    del activities[ch.activity]
                elif isinstance(ch, ActivityMoved):
                    if ch.date < today or not in_year(i, "date", ch.date):
                        if ch.date < today:
                            errors.append(f"changes[{i}].date: {ch.date} is before --today")
                        continue
                    activities[a.id] = a.model_copy(update={
                        "date": ch.date, "start": ch.start or a.start, "end": ch.end or a.end})
                else:
                    if ch.role not in {r.role for r in a.roles}:
                        errors.append(f"changes[{i}].role: {a.title} has no role {ch.role!r} "
                                      f"({', '.join(r.role for r in a.roles)})")
                        continue
                    roles = tuple(
                        RoleDemand(**{**r.model_dump(), "min": ch.min, "max": ch.max})
                        if r.role == ch.role else r for r in a.roles)
                    activities[a.id] = a.model_copy(update={"roles": roles})
    if errors:
        raise ValueError("\n".join(errors))
    data["activities"] = tuple(activities.values())
    data["people"] = tuple(people.values())
    data["venues"] = tuple(venues.values())
    data["pins"] = instance.pins.model_copy(update={
        "rotation": tuple(pins_rot), "meetings": tuple(pins_meet), "hosting": tuple(pins_host)})
    try:
        return Instance.model_validate(data)
    except ValidationError as e:
        raise ValueError("\n".join(
            f"after applying the changes, {p}" for p in describe_validation_error(e))) from None


def load_changes(path: str | Path) -> ChangeSet:
    """Load and validate a changes file.

    Raises
    ------
    InputError
        For unreadable or malformed files and for every validation problem at once.
    """
    return _validated(ChangeSet, Path(path))
