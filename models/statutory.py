"""Statutory holidays an instance's own holiday table forgot.

When the work calendar comes from the instance's table (years `chinesecalendar` does
not cover yet), a table that misses a statutory holiday silently makes it a working day:
a joint meeting could land on National Day. The `holidays` package knows the statutory
days of any year (法定节假日, without the 调休 that only the State Council's notice
fixes), so each such day the table leaves a working day is named in a warning.
"""

from __future__ import annotations

import datetime as dt

from .timeline import WorkCalendar


def statutory_days(year: int) -> dict[dt.date, str]:
    """The statutory holidays of ``year`` by date, Chinese names (observed/补假 days,
    which only the State Council's notice fixes, left out). Empty without `holidays`."""
    try:
        import holidays
    except ImportError:  # pragma: no cover - a dependency; a missing one only warns less
        return {}
    en = holidays.China(years=year, language="en_US")
    zh = holidays.China(years=year, language="zh_CN")
    return {d: str(zh.get(d, name)) for d, name in sorted(en.items())
            if "observed" not in name.lower()}


def missing_statutory_holidays(calendar: WorkCalendar) -> list[tuple[dt.date, str]]:
    """Statutory holidays that ``calendar`` (from an instance's table) treats as working
    days; empty for a calendar from `chinesecalendar`, which has them all."""
    if not calendar.source.startswith("instance table"):
        return []
    return [(d, name) for d, name in statutory_days(calendar.year).items()
            if calendar.is_workday(d)]


def holiday_warnings(calendar: WorkCalendar) -> list[str]:
    """One warning line (Chinese / English) naming the missing statutory holidays."""
    missing = missing_statutory_holidays(calendar)
    if not missing:
        return []
    days = "、".join(f"{name} {d}" for d, name in missing)
    return [f"节假日表缺少法定节假日（会被当作工作日安排会议和活动）：{days}；请按国务院办公厅"
            f"{calendar.year}年放假通知补全 calendar.holidays（「节假日」表） / the holiday table "
            f"misses statutory holidays, which would be planned as working days: {days}; add "
            f"them to calendar.holidays (the 节假日 sheet) from the State Council's notice"]
