"""The year's timeline: periods, quarters and the Chinese work calendar (调休 included)."""

from __future__ import annotations

import datetime as dt

import pytest

from xinglian.models import CalendarError, Instance, Timeline, work_calendar
from xinglian.models.timeline import period_bounds

D = dt.date


def instance(year: int, calendar: dict | None = None, period_months: int = 2) -> Instance:
    return Instance.model_validate({
        "id": "t", "year": year, "calendar": calendar or {},
        "rotation": {"period_months": period_months},
    })


TABLE_2027 = {
    "holidays": [
        {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"},
        {"name": "春节", "start": "2027-02-05", "end": "2027-02-13"},
    ],
    "makeup_workdays": ["2027-02-20"],
    "note": "test table",
}


def test_periods_are_two_months_and_cover_the_year():
    bounds = period_bounds(2027, 2)
    assert len(bounds) == 6
    assert bounds[0] == (D(2027, 1, 1), D(2027, 2, 28))
    assert bounds[-1] == (D(2027, 11, 1), D(2027, 12, 31))
    # Contiguous, no gaps, no overlaps.
    for (_, e1), (s2, _) in zip(bounds, bounds[1:], strict=False):
        assert s2 == e1 + dt.timedelta(days=1)


def test_leap_year_february_ends_on_the_29th():
    assert period_bounds(2028, 2)[0] == (D(2028, 1, 1), D(2028, 2, 29))


def test_chinesecalendar_is_used_for_a_year_it_covers():
    cal = work_calendar(instance(2026))
    assert cal.source.startswith("chinesecalendar")
    assert not cal.is_workday(D(2026, 10, 1))          # National Day
    assert cal.holiday_name(D(2026, 2, 17)) == "Spring Festival"
    assert cal.is_workday(D(2026, 2, 14))              # Saturday, make-up working day
    assert not cal.is_workday(D(2026, 2, 15))          # Sunday inside the holiday
    assert cal.is_workday(D(2026, 3, 10))              # an ordinary Tuesday
    assert not cal.is_workday(D(2026, 3, 14))          # an ordinary Saturday


def test_instance_table_is_used_when_chinesecalendar_stops():
    cal = work_calendar(instance(2027, {"source": "auto", **TABLE_2027}))
    assert cal.source == "instance table: test table"
    assert not cal.is_workday(D(2027, 2, 8))           # Monday in the Spring Festival table
    assert cal.is_workday(D(2027, 2, 20))              # Saturday, make-up working day
    assert cal.holiday_name(D(2027, 1, 2)) == "元旦"


def test_source_instance_wins_even_for_a_covered_year():
    table = {"source": "instance", "holidays": [{"name": "自定", "start": "2026-03-10",
                                                 "end": "2026-03-10"}]}
    cal = work_calendar(instance(2026, table))
    assert cal.source.startswith("instance table")
    assert not cal.is_workday(D(2026, 3, 10))
    assert cal.is_workday(D(2026, 10, 1))  # only the instance's own table counts


def test_a_year_with_no_holiday_data_is_an_error_with_a_fix():
    with pytest.raises(CalendarError, match="no holiday data for 2031.*calendar.holidays"):
        work_calendar(instance(2031))


def test_asking_chinesecalendar_for_an_uncovered_year_is_an_error():
    with pytest.raises(CalendarError, match="chinesecalendar has no data for 2027"):
        work_calendar(instance(2027, {"source": "chinesecalendar", **TABLE_2027}))


def test_source_instance_without_a_table_is_an_error():
    with pytest.raises(CalendarError, match="calendar.holidays is empty"):
        work_calendar(instance(2026, {"source": "instance"}))


def test_day_index_is_the_one_date_to_index_mapping():
    tl = Timeline(instance(2026))
    assert tl.day_index(D(2026, 1, 1)) == 0
    assert tl.day_index(D(2026, 12, 31)) == 364
    assert tl.date(tl.day_index(D(2026, 7, 15))) == D(2026, 7, 15)
    assert tl.period_of(D(2026, 2, 28)) == 1 and tl.period_of(D(2026, 3, 1)) == 2
    assert tl.quarter_of(D(2026, 3, 31)) == 1 and tl.quarter_of(D(2026, 4, 1)) == 2
    assert tl.at(D(2026, 3, 6), "09:00").isoformat() == "2026-03-06T09:00:00+08:00"


def test_period_months_must_divide_the_year():
    with pytest.raises(ValueError, match="must divide 12"):
        instance(2026, period_months=5)


def test_model_copy_with_update_is_validated_and_reindexed():
    inst = Instance.model_validate({
        "id": "t", "year": 2026, "people": [{"id": "a", "name": "甲"}]})
    renamed = inst.model_copy(update={"people": [{"id": "b", "name": "乙"}]})
    assert renamed.person("b").name == "乙"
    with pytest.raises(ValueError, match="duplicate id"):
        inst.model_copy(update={"people": [{"id": "a", "name": "甲"}, {"id": "a", "name": "丙"}]})
