"""Activity slot patterns of shared venues, in the words a federation office uses.

A pattern is one line, in English or Chinese, or an explicit date::

    2nd and 4th Saturday 09:00-11:30        每月第2、4个周六 09:00-11:30
    every Saturday 15:00-17:00              每周六 15:00-17:00
    last Friday 19:00-20:30                 每月最后一个周五 19:00-20:30
    1st Sunday 09:30-11:00                  每月第1个周日 09:30-11:00
    2027-03-06 09:00-11:30                  2027年3月6日 09:00-11:30

:func:`parse_pattern` turns it into a :class:`Pattern`; :meth:`Pattern.dates` lists its
dates in a year. Errors say what was expected.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS_EN = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
ORDINALS_EN = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3,
               "4th": 4, "fourth": 4, "5th": 5, "fifth": 5, "last": -1}

EXAMPLES = ("'2nd and 4th Saturday 09:00-11:30', '每月第2、4个周六 09:00-11:30', "
            "'every Saturday 15:00-17:00' or '2027-03-06 09:00-11:30'")

_TIME = r"(?P<start>\d{1,2}:\d{2})\s*[-–~至到]\s*(?P<end>\d{1,2}:\d{2})"


@dataclass(frozen=True)
class Pattern:
    """``weekday`` with ``nths`` (1..5, -1 = last; empty = every week), or one ``date``."""

    start: dt.time
    end: dt.time
    weekday: int | None = None
    nths: tuple[int, ...] = ()
    date: dt.date | None = None

    def dates(self, year: int, months: tuple[int, ...] = ()) -> list[dt.date]:
        """Dates of the pattern in ``year`` (restricted to ``months`` when given)."""
        if self.date is not None:
            ok = self.date.year == year and (not months or self.date.month in months)
            return [self.date] if ok else []
        out: list[dt.date] = []
        assert self.weekday is not None
        for month in months or range(1, 13):
            days = [
                dt.date(year, month, d)
                for d in range(1, calendar.monthrange(year, month)[1] + 1)
                if dt.date(year, month, d).weekday() == self.weekday
            ]
            if not self.nths:
                out.extend(days)
                continue
            for n in self.nths:
                if n == -1:
                    out.append(days[-1])
                elif n <= len(days):
                    out.append(days[n - 1])
        return sorted(set(out))


def _hhmm(text: str, pattern: str) -> dt.time:
    h, m = (int(x) for x in text.split(":"))
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(f"time {text!r} in slot pattern {pattern!r} is not a time of day")
    return dt.time(h, m)


def _times(match: re.Match, pattern: str) -> tuple[dt.time, dt.time]:
    start, end = _hhmm(match["start"], pattern), _hhmm(match["end"], pattern)
    if end <= start:
        raise ValueError(f"slot pattern {pattern!r} ends at {end:%H:%M}, not after its start")
    return start, end


def parse_pattern(text: str) -> Pattern:
    """Parse one slot pattern.

    Raises
    ------
    ValueError
        With the pattern and examples of what is understood.
    """
    raw = text
    s = " ".join(text.strip().split())
    m = re.fullmatch(r"(?P<date>\d{4}-\d{1,2}-\d{1,2})\s+" + _TIME, s) or re.fullmatch(
        r"(?P<y>\d{4})年(?P<mo>\d{1,2})月(?P<d>\d{1,2})日\s*" + _TIME, s)
    if m:
        try:
            if m.groupdict().get("date"):
                y, mo, d = (int(x) for x in m["date"].split("-"))
            else:
                y, mo, d = int(m["y"]), int(m["mo"]), int(m["d"])
            date = dt.date(y, mo, d)
        except ValueError:
            raise ValueError(f"slot pattern {raw!r} names a date that does not exist") from None
        start, end = _times(m, raw)
        return Pattern(start, end, date=date)

    # Chinese: 每周六 / 每月第2、4个周六 / 每月最后一个周五 (星期 accepted for 周).
    m = re.fullmatch(
        r"每(?:(?P<week>周|星期)|月(?:第(?P<nths>[\d、,，和及]+)个|(?P<last>最后一?个))"
        r"(?:周|星期))(?P<wd>[一二三四五六日天])\s*" + _TIME, s)
    if m:
        weekday = WEEKDAYS_ZH[m["wd"]]
        if m["week"]:
            nths: tuple[int, ...] = ()
        elif m["last"]:
            nths = (-1,)
        else:
            nths = tuple(int(x) for x in re.split(r"[、,，和及]", m["nths"]) if x)
        start, end = _times(m, raw)
        return _checked(Pattern(start, end, weekday=weekday, nths=nths), raw)

    # English: every Saturday / 2nd and 4th Saturday / last Friday.
    m = re.fullmatch(r"(?P<which>.+?)\s+(?P<wd>[A-Za-z]+)\s+" + _TIME, s)
    wd = m["wd"].lower() if m else ""
    weekday = WEEKDAYS_EN.get(wd, WEEKDAYS_EN.get(wd[:-1]) if wd.endswith("s") else None)
    if m and weekday is not None:
        words = [w for w in re.split(r"[\s,]+|\band\b", m["which"].lower()) if w and w != "and"]
        if words == ["every"]:
            nths = ()
        elif words and all(w in ORDINALS_EN for w in words):
            nths = tuple(ORDINALS_EN[w] for w in words)
        else:
            raise ValueError(f"cannot read {m['which']!r} in slot pattern {raw!r}; "
                             f"write e.g. {EXAMPLES}")
        start, end = _times(m, raw)
        return _checked(Pattern(start, end, weekday=weekday, nths=nths), raw)
    raise ValueError(f"cannot parse slot pattern {raw!r}; write e.g. {EXAMPLES}")


def _checked(p: Pattern, raw: str) -> Pattern:
    bad = [n for n in p.nths if n != -1 and not 1 <= n <= 5]
    if bad:
        raise ValueError(f"slot pattern {raw!r}: a month has no week {bad[0]} (use 1-5 or last)")
    return Pattern(p.start, p.end, p.weekday, tuple(sorted(set(p.nths))), p.date)
