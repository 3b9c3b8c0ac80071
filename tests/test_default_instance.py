"""The bundled default instance (instances/nanan-2027.yaml): shape and sanity.

Fast and solver-free: these tests check that the instance keeps the shape promised in
instances/README.md and that no (base, period) is infeasible on its face.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from math import ceil, floor
from pathlib import Path

import pytest

import xinglian
from xinglian.models import FederationKind, Instance, Timeline, load_instance, work_calendar
from xinglian.models.hosting import (
    Slot,
    contact_of,
    eligible,
    eligible_hosts,
    expand_slots,
    fair_shares,
    hosting_federations,
    place_themes,
)
from xinglian.models.instance import VenueKind

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


# -- shared venues and the hosting rota (阵地共享 · 轮流主办) ------------------------------

SHARED_KINDS = (VenueKind.WOMENS_HOME, VenueKind.CHILDRENS_HOME, VenueKind.PARENTS_SCHOOL)


@pytest.fixture(scope="module")
def slots(inst: Instance) -> list[Slot]:
    return expand_slots(inst, work_calendar(inst))


@pytest.fixture(scope="module")
def hosts(inst: Instance) -> dict[str, list[str]]:
    return eligible_hosts(inst)


def _usable_by_venue(slots: list[Slot]) -> dict[str, list[Slot]]:
    out: dict[str, list[Slot]] = defaultdict(list)
    for s in slots:
        if s.usable:
            out[s.venue].append(s)
    return out


def test_hosting_rules(inst: Instance) -> None:
    h = inst.hosting
    assert (h.min_gap_days, h.allow_empty, h.reminder_minutes) == (14, False, 1440)


def test_each_base_town_has_the_three_shared_venues(inst: Instance, slots: list[Slot]) -> None:
    usable = _usable_by_venue(slots)
    for b in inst.bases:
        for kind in SHARED_KINDS:
            found = [v for v in inst.venues if v.town == b.town and v.kind is kind and v.slots]
            assert found, (b.town, kind)
            # about two activity slots a month (the Parents' School in term time only)
            assert all(len(usable[v.id]) >= 12 for v in found), (b.town, kind)
    # the Parents' Schools keep to the school terms
    for v in inst.venues:
        if v.kind is VenueKind.PARENTS_SCHOOL and v.slots:
            assert all(set(s.months) <= {3, 4, 5, 6, 9, 10, 11, 12} and s.months
                       for s in v.slots), v.id


def test_enterprise_opened_venues(inst: Instance, hosts: dict[str, list[str]]) -> None:
    opened = [v for v in inst.venues if v.kind is VenueKind.ENTERPRISE_OPEN]
    assert len(opened) >= 3
    for v in opened:
        assert v.owner is not None and v.slots, v.id
        owner = inst.federation(v.owner)
        assert owner.kind is FederationKind.ENTERPRISE and owner.town == v.town, v.id
        assert owner.hosting is not None and v.owner in hosts[v.id], v.id
        assert not v.meetings, v.id
    # at least one venue is shared by a whole production chain, not just by its town
    assert any(v.hosts is not None and v.hosts.bases for v in inst.venues)


def test_every_enterprise_federation_of_a_base_hosts(inst: Instance) -> None:
    base_ids = {b.id for b in inst.bases}
    contacts: list[str] = []
    for f in inst.federations:
        if f.kind is FederationKind.ENTERPRISE and f.parent in base_ids:
            assert f.hosting is not None, f.id
        if f.hosting is None:
            continue
        h = f.hosting
        assert f.kind in (FederationKind.ENTERPRISE, FederationKind.MICRO_HOME), f.id
        assert 50 <= h.weight <= 600, f.id
        assert h.min_turns >= 1 and h.max_turns is not None, f.id
        assert h.contact is not None and inst.person(h.contact).town == f.town, f.id
        contacts.append(h.contact)
    # one contact runs the turns of one federation only
    assert len(contacts) == len(set(contacts))


def test_a_closure_falls_on_a_hosting_venue(inst: Instance, slots: list[Slot]) -> None:
    closed = [v for v in inst.venues if v.closures and v.kind in SHARED_KINDS and v.slots]
    assert closed
    assert any(s.obstacle and s.obstacle.startswith("闭馆") for s in slots)


def test_themes(inst: Instance, slots: list[Slot]) -> None:
    themes = {t.name: t for t in inst.themes}
    expected = {
        "三八国际妇女节": (VenueKind.WOMENS_HOME, dt.date(2027, 3, 8)),
        "六一国际儿童节": (VenueKind.CHILDRENS_HOME, dt.date(2027, 6, 1)),
        "开学第一课·家长课堂": (VenueKind.PARENTS_SCHOOL, dt.date(2027, 9, 1)),
    }
    for name, (kind, date) in expected.items():
        assert name in themes, name
        assert (themes[name].venue_kind, themes[name].date) == (kind, date), name
    placed, missing = place_themes(inst, slots)
    assert missing == []
    per_theme = Counter(p.theme for p in placed)
    for t in inst.themes:
        n_venues = sum(1 for v in inst.venues if v.kind is t.venue_kind and v.slots)
        assert per_theme[t.id] == n_venues, t.id


def test_hosting_history_covers_every_hosting_federation(inst: Instance) -> None:
    feds = {f.id for f in hosting_federations(inst)}
    last_year = Counter(h.federation for h in inst.history.hosting if h.year == 2026)
    assert set(last_year) == feds
    assert max(last_year.values()) == 1  # one record per federation
    # some hosted more than their share of 2026's turns, some fewer
    shares = fair_shares(inst, expand_slots(inst, work_calendar(inst)))
    ahead = [f for f, s in shares.items() if s.with_carry_over < s.this_year]
    behind = [f for f, s in shares.items() if s.with_carry_over > s.this_year]
    assert ahead and behind


def test_hosting_pin_is_on_a_usable_slot_and_eligible(inst: Instance, slots: list[Slot]) -> None:
    assert inst.pins.hosting
    for pin in inst.pins.hosting:
        venue, fed = inst.venue(pin.venue), inst.federation(pin.federation)
        here = [s for s in slots if s.venue == pin.venue and s.date == pin.date
                and (pin.start is None or f"{s.start:%H:%M}" == pin.start)]
        assert len(here) == 1 and here[0].usable, pin
        assert eligible(inst, venue, fed), pin
        contact = contact_of(fed)
        assert contact is not None and not inst.person(contact).is_unavailable(pin.date)
        assert pin.reason


def _greedy_max_turns(dates: list[dt.date], gap: int) -> int:
    """Most turns one federation can take among ``dates`` with turns >= gap days apart
    (earliest-first is optimal for this)."""
    n, last = 0, None
    for d in sorted(set(dates)):
        if last is None or (d - last).days >= gap:
            n, last = n + 1, d
    return n


def test_hosting_capacity_per_group(
    inst: Instance, slots: list[Slot], hosts: dict[str, list[str]]
) -> None:
    """allow_empty is false, so every usable slot needs a host: a pure-Python necessary
    check per hosting group (the connected components of `fair_shares`)."""
    gap = inst.hosting.min_gap_days
    usable = _usable_by_venue(slots)
    shares = fair_shares(inst, slots)
    # every hosting federation can reach a usable slot, every venue with slots a host
    assert set(shares) == {f.id for f in hosting_federations(inst)}
    for v in inst.venues:
        if v.slots:
            assert usable[v.id] and hosts[v.id], v.id
    groups: dict[int, list[str]] = defaultdict(list)
    for fid, share in shares.items():
        groups[share.group].append(fid)
    for number, feds in groups.items():
        venues = {vid for vid, hs in hosts.items() if set(hs) & set(feds)}
        group_slots = [s for vid in venues for s in usable[vid]]
        n = len(group_slots)
        assert all(shares[f].slots_in_group == n for f in feds)
        # (1) turns: each federation takes at most max_turns, and at most what the gap
        # allows among the slots it may host; together they must cover the group
        # comfortably (>= 15 % spare)
        capacity = 0
        for f in feds:
            mine = [s.date for vid in venues if f in hosts[vid] for s in usable[vid]]
            h = inst.federation(f).hosting
            assert h is not None
            capacity += min(h.max_turns if h.max_turns is not None else n,
                            _greedy_max_turns(mine, gap))
        assert capacity >= 1.15 * n, (number, feds, capacity, n)
        # (2) the gap: one federation hosts at most once in any `gap` consecutive days
        # (so never two venues on one day); slots whose days fall within one such window
        # need distinct hosts, with at least one federation to spare
        days = sorted({s.date for s in group_slots})
        per_day = max(Counter(s.date for s in group_slots).values())
        window = max(
            sum(1 for s in group_slots if d <= s.date < d + dt.timedelta(days=gap))
            for d in days
        )
        assert len(feds) >= 2 * per_day, (number, feds, per_day)
        assert len(feds) >= window + 1, (number, feds, window)
        # (3) fair shares (with carry-over) fit between min_turns and max_turns
        for f in feds:
            h = inst.federation(f).hosting
            assert h is not None and h.max_turns is not None
            for x in (shares[f].this_year, shares[f].with_carry_over):
                assert h.min_turns <= floor(x) and ceil(x) <= h.max_turns, (f, float(x))
    # (4) contacts: every usable slot has at least two eligible hosts whose contact is
    # available that day
    for vid, ss in usable.items():
        for s in ss:
            free = [f for f in hosts[vid]
                    if not inst.person(contact_of(inst.federation(f))).is_unavailable(s.date)]
            assert len(free) >= 2, s.id
