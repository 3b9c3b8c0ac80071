"""The bundled default instance (instances/nanan-2027.yaml): shape and sanity.

Fast and solver-free: these tests check that the instance keeps the shape promised in
instances/README.md and that no (base, period) is infeasible on its face.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

import xinglian
from xinglian.models import FederationKind, Instance, Timeline, load_instance, work_calendar

PATH = Path(xinglian.__file__).parent / "instances" / "nanan-2027.yaml"
INDUSTRY_KINDS = {FederationKind.BASE, FederationKind.ENTERPRISE, FederationKind.MICRO_HOME}


@pytest.fixture(scope="module")
def inst() -> Instance:
    return load_instance(PATH)


@pytest.fixture(scope="module")
def timeline(inst: Instance) -> Timeline:
    return Timeline(inst)


def _chinesecalendar_covers(year: int) -> bool:
    try:
        import chinese_calendar as cc

        cc.is_workday(dt.date(year, 1, 1))
    except (ImportError, NotImplementedError):
        return False
    return True


def test_identity(inst: Instance) -> None:
    assert inst.id == "nanan-2027"
    assert inst.year == 2027
    assert inst.timezone == "Asia/Shanghai"
    assert inst.language == "zh"
    assert inst.periods == 6


def test_sizes(inst: Instance) -> None:
    assert len(inst.bases) >= 6
    industry = [f for f in inst.federations if f.kind in INDUSTRY_KINDS]
    assert 30 <= len(industry) <= 40
    assert 90 <= len(inst.people) <= 130
    kinds = Counter(f.kind for f in inst.federations)
    assert kinds[FederationKind.MICRO_HOME] >= 1
    assert kinds[FederationKind.VILLAGE] >= 3


def test_presidiums(inst: Instance) -> None:
    sizes = [len(b.presidium) for b in inst.bases]
    assert all(3 <= n <= 6 for n in sizes), sizes
    assert 3 in sizes and 6 in sizes
    for b in inst.bases:
        assert b.town is not None, b.id
        assert len(b.invited) == 1, b.id
        assert b.invited[0] not in b.presidium, b.id


def test_people_on_two_presidiums(inst: Instance) -> None:
    seats = Counter(p for b in inst.bases for p in b.presidium)
    assert sum(1 for n in seats.values() if n == 2) >= 3
    assert max(seats.values()) <= 2


def test_children_and_town_federations(inst: Instance) -> None:
    base_ids = {b.id for b in inst.bases}
    for f in inst.federations:
        if f.kind in (FederationKind.ENTERPRISE, FederationKind.MICRO_HOME):
            assert f.parent in base_ids, f.id
            assert f.chair is not None, f.id
    town_feds = {f.town for f in inst.federations if f.kind is FederationKind.TOWN and f.chair}
    assert {b.town for b in inst.bases} <= town_feds


def test_maternity_leave_present(inst: Instance) -> None:
    leaves = [r for p in inst.people for r in p.unavailable if "产假" in r.reason]
    assert leaves
    for p in inst.people:
        for r in p.unavailable:
            assert r.start.year == r.end.year == 2027, (p.id, r)
            assert r.reason, p.id


def test_every_base_has_a_fitting_venue_in_town(inst: Instance) -> None:
    for b in inst.bases:
        need = len(inst.meeting_attendees(b.id))
        in_town = [v for v in inst.venues if v.town == b.town and v.meetings]
        assert any(v.capacity >= need for v in in_town), (b.id, need)
        # and no meeting venue of the base's town is too small for its joint meeting
        assert all(v.capacity >= need for v in in_town), (b.id, need)


def test_one_venue_closure_with_reason(inst: Instance) -> None:
    closures = [r for v in inst.venues for r in v.closures]
    assert closures
    assert all(r.reason for r in closures)


def test_history_covers_2026(inst: Instance) -> None:
    for b in inst.bases:
        terms = [h for h in inst.history.rotation if h.base == b.id and h.year == 2026]
        assert sorted(h.period for h in terms) == list(range(1, 7)), b.id
    # one_presidium_at_a_time and max_terms held last year too
    seen = Counter((h.chair, h.period) for h in inst.history.rotation if h.year == 2026)
    assert max(seen.values()) == 1
    per_person = Counter(h.chair for h in inst.history.rotation if h.year == 2026)
    assert max(per_person.values()) <= inst.rotation.max_terms_per_person


def test_calendar_table_is_used(inst: Instance) -> None:
    # The bundled table itself (read as source: instance, so that the assertions hold
    # whether or not a future chinesecalendar release covers 2027).
    cal = work_calendar(inst.model_copy(
        update={"calendar": inst.calendar.model_copy(update={"source": "instance"})}))
    assert cal.source.startswith("instance table")
    assert not cal.is_workday(dt.date(2027, 2, 8))  # 春节
    assert cal.is_workday(dt.date(2027, 2, 20))  # 调休上班（周六）
    assert cal.holiday_name(dt.date(2027, 10, 1)) == "国庆节"
    # With source: auto, the table is what the plan uses while chinesecalendar stops at
    # 2026; once it covers 2027 the library wins and the summary says so.
    auto = work_calendar(inst)
    expected = "chinesecalendar" if _chinesecalendar_covers(2027) else "instance table"
    assert auto.source.startswith(expected)


def test_rotation_rules(inst: Instance) -> None:
    r = inst.rotation
    assert (r.period_months, r.max_unavailable_days, r.max_terms_per_person) == (2, 14, 2)


def test_every_base_and_period_has_an_available_member(
    inst: Instance, timeline: Timeline
) -> None:
    limit = inst.rotation.max_unavailable_days
    for b in inst.bases:
        for t, (start, end) in enumerate(timeline.periods, start=1):
            free = [
                p for p in b.presidium
                if timeline.unavailable_days(inst.person(p), start, end) <= limit
            ]
            assert free, f"{b.id} period {t}: every presidium member is away > {limit} days"


def test_presidium_capacity_covers_the_year(inst: Instance, timeline: Timeline) -> None:
    """Each base can fill its six periods with members who are free, within the cap."""
    limit = inst.rotation.max_unavailable_days
    cap = inst.rotation.max_terms_per_person
    for b in inst.bases:
        slots = 0
        for p in b.presidium:
            free = sum(
                1 for start, end in timeline.periods
                if timeline.unavailable_days(inst.person(p), start, end) <= limit
            )
            slots += min(cap, free)
        assert slots >= inst.periods, b.id


def test_pins_are_consistent(inst: Instance, timeline: Timeline) -> None:
    limit = inst.rotation.max_unavailable_days
    for pin in inst.pins.rotation:
        start, end = timeline.periods[pin.period - 1]
        assert timeline.unavailable_days(inst.person(pin.chair), start, end) <= limit
    assert len(inst.pins.meetings) <= 1
    for mp in inst.pins.meetings:
        if mp.date is not None:
            assert timeline.calendar.is_workday(mp.date)
            absent = [p for p in inst.meeting_attendees(mp.base)
                      if inst.person(p).is_unavailable(mp.date)]
            base = inst.federation(mp.base)
            assert any(p not in absent for p in base.presidium)
        if mp.venue is not None:
            venue = inst.venue(mp.venue)
            assert venue.meetings
            assert venue.capacity >= len(inst.meeting_attendees(mp.base))
            if mp.date is not None:
                assert not venue.is_closed(mp.date)
