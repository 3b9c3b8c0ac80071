"""Time in the plan year: days, rotation periods, quarters, working days.

This is the one place where dates become indices (:meth:`Timeline.day_index`) and where
the Chinese working-day calendar (statutory holidays and make-up working days, 调休) is
decided. It does not import the solver, so the checker may use it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .instance import CalendarSource, Instance


class CalendarError(ValueError):
    """No trustworthy holiday data for the plan year."""


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_bounds(year: int, period_months: int) -> list[tuple[dt.date, dt.date]]:
    """Inclusive (start, end) of each rotation period; period 1 starts on 1 January."""
    out = []
    for first in range(1, 13, period_months):
        last = first + period_months - 1
        out.append((dt.date(year, first, 1), month_end(year, last)))
    return out


def quarter_bounds(year: int) -> list[tuple[dt.date, dt.date]]:
    return period_bounds(year, 3)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days of the year are working days, and where that knowledge came from."""

    year: int
    source: str
    holidays: dict[dt.date, str] = field(default_factory=dict)
    makeup_workdays: frozenset[dt.date] = frozenset()

    def is_workday(self, day: dt.date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def holiday_name(self, day: dt.date) -> str | None:
        return self.holidays.get(day)


def _from_chinesecalendar(year: int) -> WorkCalendar | None:
    try:
        import chinese_calendar as cc
    except ImportError:  # pragma: no cover - a dependency; kept for a clear message
        return None
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    try:
        cc.is_workday(start)
        cc.is_workday(end)
    except NotImplementedError:
        return None
    holidays: dict[dt.date, str] = {}
    makeup: set[dt.date] = set()
    for i in range((end - start).days + 1):
        d = start + dt.timedelta(days=i)
        is_holiday, name = cc.get_holiday_detail(d)
        if is_holiday and name:  # statutory holiday (weekends come back with name None)
            holidays[d] = str(name)
        if d.weekday() >= 5 and cc.is_workday(d):
            makeup.add(d)
    version = getattr(cc, "__version__", "?")
    return WorkCalendar(year, f"chinesecalendar {version}", holidays, frozenset(makeup))


def _from_instance(instance: Instance) -> WorkCalendar:
    cal = instance.calendar
    holidays: dict[dt.date, str] = {}
    for h in cal.holidays:
        d = h.start
        while d <= h.end:
            if d.year == instance.year:
                holidays[d] = h.name
            d += dt.timedelta(days=1)
    note = f": {cal.note}" if cal.note else ""
    return WorkCalendar(
        instance.year,
        f"instance table{note}",
        holidays,
        frozenset(d for d in cal.makeup_workdays if d.year == instance.year),
    )


def work_calendar(instance: Instance) -> WorkCalendar:
    """Decide the working-day calendar of the plan year.

    ``auto`` uses ``chinesecalendar`` when it covers the year, else the instance's own
    table. A year with neither is an error with a fix, never a silent guess.

    Raises
    ------
    CalendarError
        When the chosen source has no data for the year.
    """
    cal = instance.calendar
    year = instance.year
    if cal.source is CalendarSource.INSTANCE:
        if not cal.has_table:
            raise CalendarError(
                f"calendar.source is 'instance' but calendar.holidays is empty; add the "
                f"{year} statutory holidays and make-up working days (调休) from the State "
                f"Council notice to calendar.holidays / calendar.makeup_workdays"
            )
        return _from_instance(instance)
    lib = _from_chinesecalendar(year)
    if lib is not None:
        return lib
    if cal.source is CalendarSource.CHINESECALENDAR:
        raise CalendarError(
            f"chinesecalendar has no data for {year}; upgrade it (pip install -U "
            f"chinesecalendar) or set calendar.source: instance and list the {year} holidays "
            f"in calendar.holidays"
        )
    if cal.has_table:
        return _from_instance(instance)
    raise CalendarError(
        f"no holiday data for {year}: chinesecalendar does not cover it and the instance has "
        f"no calendar.holidays table. Add the {year} statutory holidays and make-up working "
        f"days (调休) under `calendar:` (see instances/nanan-2027.yaml for the shape), or "
        f"upgrade chinesecalendar if a newer release covers {year}"
    )


class Timeline:
    """Days, periods and quarters of one plan year, with the working-day calendar."""

    def __init__(self, instance: Instance, calendar: WorkCalendar | None = None) -> None:
        self.year = instance.year
        self.tz = ZoneInfo(instance.timezone)
        self.calendar = calendar if calendar is not None else work_calendar(instance)
        self.first = dt.date(self.year, 1, 1)
        self.last = dt.date(self.year, 12, 31)
        self.n_days = (self.last - self.first).days + 1
        self.periods = period_bounds(self.year, instance.rotation.period_months)
        self.quarters = quarter_bounds(self.year)

    def meeting_window(self, rules, q: int) -> tuple[dt.date, dt.date]:
        """The dates of quarter ``q`` a joint meeting may use: day-of-quarter
        ``rules.earliest_day..rules.latest_day`` (``MeetingRules``), cut at the quarter's end."""
        start, end = self.quarters[q - 1]
        return (start + dt.timedelta(days=rules.earliest_day - 1),
                min(end, start + dt.timedelta(days=rules.latest_day - 1)))

    def day_index(self, day: dt.date) -> int:
        """The solver's time index of a date (0 = 1 January)."""
        return (day - self.first).days

    def date(self, index: int) -> dt.date:
        return self.first + dt.timedelta(days=index)

    def days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        start, end = max(start, self.first), min(end, self.last)
        return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]

    def period_of(self, day: dt.date) -> int:
        """1-based rotation period containing ``day``."""
        for i, (s, e) in enumerate(self.periods, start=1):
            if s <= day <= e:
                return i
        raise ValueError(f"{day} is outside {self.year}")

    def quarter_of(self, day: dt.date) -> int:
        return (day.month - 1) // 3 + 1

    def at(self, day: dt.date, hhmm: str) -> dt.datetime:
        """An aware datetime in the plan's time zone."""
        return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=self.tz)

    def unavailable_days(self, person, start: dt.date, end: dt.date) -> int:
        """How many days of ``start..end`` the person is unavailable."""
        days = set()
        for r in person.unavailable:
            lo, hi = max(r.start, start), min(r.end, end)
            d = lo
            while d <= hi:
                days.add(d)
                d += dt.timedelta(days=1)
        return len(days)
