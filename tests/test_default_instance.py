"""The bundled instances: shape and sanity.

The checks run on instances/nanan-2027-full.yaml (the default instance plus volunteers,
activities, children and caring mothers); `test_default_is_the_full_instance_without_*`
shows that the default instance, instances/nanan-2027.yaml, is exactly its rotation,
meeting and hosting part, so every check of that part holds for the default too.

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

PATH = Path(xinglian.__file__).parent / "instances" / "nanan-2027-full.yaml"
DEFAULT = Path(xinglian.__file__).parent / "instances" / "nanan-2027.yaml"
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


def test_default_is_the_full_instance_without_volunteers_and_children(inst: Instance) -> None:
    default = load_instance(DEFAULT)
    assert default.activities == () and default.children == ()
    assert not any(p.volunteer or p.caring_mother for p in default.people)
    for field in ("year", "calendar", "rotation", "meetings", "hosting", "towns",
                  "federations", "venues", "themes"):
        assert getattr(default, field) == getattr(inst, field), field
    assert default.history.rotation == inst.history.rotation
    assert default.history.hosting == inst.history.hosting
    assert default.pins.model_copy(update={"volunteering": ()}) == inst.pins.model_copy(
        update={"volunteering": ()})
    full_people = {p.id: p for p in inst.people}
    for p in default.people:
        q = full_people[p.id]
        assert (p.name, p.town, p.unavailable, p.preferred_periods, p.undesired_periods) == (
            q.name, q.town, q.unavailable, q.preferred_periods, q.undesired_periods), p.id


def test_identity(inst: Instance) -> None:
    assert inst.id == "nanan-2027-full"
    assert inst.year == 2027
    assert inst.timezone == "Asia/Shanghai"
    assert inst.language == "zh"
    assert inst.periods == 6


def test_sizes(inst: Instance) -> None:
    assert len(inst.bases) >= 6
    industry = [f for f in inst.federations if f.kind in INDUSTRY_KINDS]
    assert 30 <= len(industry) <= 40
    # the organisers (volunteers are counted in test_volunteering_sizes)
    assert 90 <= sum(1 for p in inst.people if p.volunteer is None) <= 130
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


# -- volunteers, activities, children and caring mothers (志愿服务 · 爱心妈妈) ----------------

SKILLS = {"first_aid", "tutoring", "legal", "counselling", "photography", "driving", "cooking",
          "tea_art", "publicity", "elderly_care", "psychology"}
# The demands that cannot be met on purpose (documented in the YAML comment above
# `activities:` and in instances/README.md), so that `unfilled` is exercised.
DELIBERATELY_UNFILLABLE = {
    ("act-066", "英语翻译"),   # no volunteer speaks English
    ("act-093", "法律咨询"),   # 金淘, a working-day morning: the lawyers are free only
                              # at weekends and in the evening
    ("act-309", "茶艺展示"),   # 金淘, the weekend of the tea expo: every tea-art
                              # volunteer performs there
}


def _volunteer_eligible(inst: Instance, activity, role, person) -> bool:
    """`volunteer_eligible` of docs/rules.md, independently of solver/ and checker/."""
    v = person.volunteer
    if v is None:
        return False
    if role.skill is not None and role.skill not in v.skills:
        return False
    if role.language is not None and role.language not in v.languages:
        return False
    if person.is_unavailable(activity.date):
        return False
    start, end = activity.minutes
    if not v.free(activity.date, start, end):
        return False
    travel = inst.travel_minutes(person.town, inst.activity_town(activity))
    return travel <= inst.volunteering.max_travel_minutes


@pytest.fixture(scope="module")
def volunteers(inst: Instance) -> list:
    return [p for p in inst.people if p.volunteer is not None]


@pytest.fixture(scope="module")
def free_for(inst: Instance, volunteers: list) -> dict[str, list]:
    """Per activity, the volunteers within reach, not unavailable that day and whose weekly
    pattern covers its time: `volunteer_eligible` but for skill and language (the same
    as :func:`_volunteer_eligible`, with the weekly spans parsed once)."""
    limit = inst.volunteering.max_travel_minutes
    towns = [t.id for t in inst.towns]
    reach = {(a, b) for a in towns for b in towns if inst.travel_minutes(a, b) <= limit}
    spans = {p.id: [(set(w.days), *map(_hhmm, (w.start, w.end))) for w in p.volunteer.weekly]
             for p in volunteers}
    weekdays = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    out: dict[str, list] = {}
    for a in inst.activities:
        town, (start, end) = inst.activity_town(a), a.minutes
        wd = weekdays[a.date.weekday()]
        out[a.id] = [
            p for p in volunteers
            if (p.town, town) in reach
            and (not spans[p.id] or any(wd in days and s <= start and end <= e
                                        for days, s, e in spans[p.id]))
            and not p.is_unavailable(a.date)
        ]
    return out


def _hhmm(value: str) -> int:
    h, m = value.split(":")
    return int(h) * 60 + int(m)


@pytest.fixture(scope="module")
def eligible_by_role(inst: Instance, free_for: dict[str, list]) -> dict[tuple[str, str], list[str]]:
    return {
        (a.id, r.role): [p.id for p in free_for[a.id]
                         if (r.skill is None or r.skill in p.volunteer.skills)
                         and (r.language is None or r.language in p.volunteer.languages)]
        for a in inst.activities for r in a.roles
    }


def test_the_fast_eligibility_is_volunteer_eligible(
    inst: Instance, volunteers: list, eligible_by_role: dict[tuple[str, str], list[str]]
) -> None:
    for a in inst.activities[::25]:
        for r in a.roles:
            slow = [p.id for p in volunteers if _volunteer_eligible(inst, a, r, p)]
            assert slow == eligible_by_role[a.id, r.role], (a.id, r.role)


def _max_flow(edges: list[tuple[object, object, int]], source: object, sink: object) -> int:
    """Dinic's max flow on (u, v, capacity) edges; small and pure Python."""
    graph: dict[object, list[list]] = defaultdict(list)
    for u, v, cap in edges:
        graph[u].append([v, cap, len(graph[v])])
        graph[v].append([u, 0, len(graph[u]) - 1])
    flow = 0
    while True:
        level = {source: 0}
        queue = [source]
        for u in queue:
            for v, cap, _ in graph[u]:
                if cap > 0 and v not in level:
                    level[v] = level[u] + 1
                    queue.append(v)
        if sink not in level:
            return flow
        nxt = dict.fromkeys(graph, 0)
        while f := _augment(graph, level, nxt, source, sink, 10**9):
            flow += f


def _augment(graph: dict, level: dict, nxt: dict, u: object, sink: object, f: int) -> int:
    """One augmenting path of Dinic's blocking flow (depth-first along the levels)."""
    if u == sink:
        return f
    while nxt[u] < len(graph[u]):
        e = graph[u][nxt[u]]
        v, cap, rev = e
        if cap > 0 and level.get(v) == level[u] + 1:
            d = _augment(graph, level, nxt, v, sink, min(f, cap))
            if d:
                e[1] -= d
                graph[v][rev][1] += d
                return d
        nxt[u] += 1
    return 0


def test_volunteering_rules_and_travel_table(inst: Instance) -> None:
    vr = inst.volunteering
    assert (vr.max_travel_minutes, vr.default_travel_minutes, vr.reminder_minutes) == (
        60, 45, 1440)
    towns = [t.id for t in inst.towns]
    pairs = [frozenset((t.a, t.b)) for t in inst.travel]
    # every pair of towns exactly once (so the default is never used), none to itself
    assert len(pairs) == len(set(pairs)) == len(towns) * (len(towns) - 1) // 2
    assert all(len(p) == 2 for p in pairs)
    assert all(15 <= t.minutes <= 70 for t in inst.travel)
    # neighbours are close, the far corners of the city far
    assert inst.travel_minutes("ximei-st", "liucheng") <= 20
    assert inst.travel_minutes("shuitou", "luncang") <= 25
    assert inst.travel_minutes("jintao", "shishan") <= 25
    assert inst.travel_minutes("jintao", "shuitou") > 60
    assert inst.travel_minutes("honglai", "shuitou") > 60


def test_volunteering_sizes(inst: Instance, volunteers: list) -> None:
    assert len(volunteers) >= 280
    assert 320 <= len(inst.activities) <= 380
    assert 55 <= len(inst.children) <= 65
    kinds = Counter(a.kind for a in inst.activities)
    assert 130 <= kinds["volunteer_service"] <= 170, kinds
    assert 15 <= kinds["epidemic_support"] <= 25, kinds
    assert 50 <= kinds["civilised_city"] <= 70, kinds
    assert 25 <= kinds["entrepreneurship"] <= 35, kinds
    assert 20 <= kinds["military_family"] <= 26, kinds     # 20+ 拥军优属
    assert 21 <= kinds["observation"] <= 25, kinds         # 23 观摩交流
    assert 20 <= kinds["skill_competition"] <= 26, kinds   # 20+ 技能竞赛
    assert kinds["salon"] >= 8 and kinds["training"] >= 8, kinds
    total_min = sum(r.min for a in inst.activities for r in a.roles)
    assert 700 <= total_min <= 900, total_min
    lead = sum(a.lead_required for a in inst.activities)
    assert 0.2 <= lead / len(inst.activities) <= 0.4, lead


def test_volunteers_are_new_people(inst: Instance, volunteers: list) -> None:
    """The volunteering part stays independent of the rotation, meetings and hosting."""
    presidium = {p for b in inst.bases for p in b.presidium}
    attendees = {p for b in inst.bases for p in inst.meeting_attendees(b.id)}
    contacts = {contact_of(f) for f in hosting_federations(inst)}
    chairs = {f.chair for f in inst.federations if f.chair}
    for p in volunteers:
        assert p.id.startswith("v-"), p.id
        assert p.id not in presidium | attendees | contacts | chairs, p.id
        assert not p.caring_mother, p.id
        assert p.town is not None, p.id


def test_volunteer_profiles(inst: Instance, volunteers: list) -> None:
    for p in volunteers:
        v = p.volunteer
        assert set(v.skills) <= SKILLS, (p.id, v.skills)
        assert len(v.skills) <= 2, p.id
        assert "普通话" in v.languages, p.id
        assert v.weekly, p.id
        assert 2 <= v.max_activities_per_month <= 6, p.id
        assert 8 <= v.max_hours_per_month <= 24, p.id
        assert not set(v.likes) & set(v.dislikes), p.id
        if v.federation is not None:
            fed = inst.federation(v.federation)
            assert fed.kind in INDUSTRY_KINDS and fed.town == p.town, p.id
        for r in p.unavailable:
            assert r.start.year == r.end.year == 2027 and r.reason, p.id
    n = len(volunteers)
    minnan = sum("闽南语" in p.volunteer.languages for p in volunteers)
    assert minnan > n / 2
    assert 0.10 <= sum(p.volunteer.experienced for p in volunteers) / n <= 0.20
    assert 0.08 <= sum(bool(p.unavailable) for p in volunteers) / n <= 0.20
    skills = Counter(s for p in volunteers for s in p.volunteer.skills)
    assert set(skills) == SKILLS
    assert sum(not p.volunteer.skills for p in volunteers) < n / 3
    # usual free times: mostly weekends, some evenings, some any day
    evenings = sum(any(w.start >= "18:00" for w in p.volunteer.weekly) for p in volunteers)
    weekdays = sum(any("wed" in w.days and w.start < "12:00" for w in p.volunteer.weekly)
                   for p in volunteers)
    weekends = sum(any("sat" in w.days or "sun" in w.days for w in p.volunteer.weekly)
                   for p in volunteers)
    assert weekends > n / 2 and evenings >= 30 and weekdays >= 40


def test_activity_dates_times_and_places(inst: Instance, slots: list[Slot]) -> None:
    holidays = {d for h in inst.calendar.holidays
                for d in (h.start + dt.timedelta(days=i)
                          for i in range((h.end - h.start).days + 1))}
    makeup = set(inst.calendar.makeup_workdays)
    offered: dict[tuple[str, dt.date], list[Slot]] = defaultdict(list)
    for s in slots:
        offered[s.venue, s.date].append(s)
    for a in inst.activities:
        assert a.date.year == 2027, a.id
        assert a.date not in holidays, (a.id, a.date)
        assert a.date not in makeup, (a.id, a.date)
        start, end = a.minutes
        assert 90 <= end - start <= 240, a.id
        assert 1 <= len(a.roles) <= 3, a.id
        for r in a.roles:
            assert 1 <= r.min <= 4 and r.max is not None and r.max >= r.min, (a.id, r.role)
            assert r.skill is None or r.skill in SKILLS, (a.id, r.role)
        if a.venue is not None:
            venue = inst.venue(a.venue)
            assert not venue.is_closed(a.date), a.id
            for s in offered[a.venue, a.date]:   # not on top of a hosting slot
                assert not (s.start.hour * 60 + s.start.minute < end
                            and start < s.end.hour * 60 + s.end.minute), (a.id, s.id)
    # mostly at weekends
    weekend = sum(a.date.weekday() >= 5 for a in inst.activities)
    assert weekend / len(inst.activities) >= 0.7
    # no activity twice: same town, day and title
    keys = Counter((inst.activity_town(a), a.date, a.title) for a in inst.activities)
    assert max(keys.values()) == 1


def test_series_are_weekly_classes(inst: Instance) -> None:
    series: dict[str, list] = defaultdict(list)
    for a in inst.activities:
        if a.series:
            series[a.series].append(a)
    assert len(series) >= 3
    for sid, acts in series.items():
        assert 8 <= len(acts) <= 10, sid
        assert len({(inst.activity_town(a), a.start, a.end, a.kind) for a in acts}) == 1, sid
        assert len({a.date.weekday() for a in acts}) == 1, sid
        days = sorted(a.date for a in acts)
        assert all((b - a).days % 7 == 0 and (b - a).days <= 21
                   for a, b in zip(days, days[1:], strict=False)), sid


def test_only_the_deliberate_demands_lack_volunteers(
    inst: Instance, eligible_by_role: dict[tuple[str, str], list[str]]
) -> None:
    """Per activity role, the volunteers eligible under `volunteer_eligible`; fewer than
    `min` only for the demands that are impossible on purpose, and those are the ones
    named in the YAML."""
    short = {key for a in inst.activities for r in a.roles
             if len(eligible_by_role[key := (a.id, r.role)]) < r.min}
    assert short == DELIBERATELY_UNFILLABLE
    text = PATH.read_text(encoding="utf-8")
    documented = text[text.index("# 故意无法满足的需求"):text.index("\nactivities:")]
    for aid, role in DELIBERATELY_UNFILLABLE:
        assert aid in documented and role in documented, aid
    # the other demands are comfortable: at least twice the minimum, and three or more
    for a in inst.activities:
        for r in a.roles:
            if (a.id, r.role) not in DELIBERATELY_UNFILLABLE:
                n = len(eligible_by_role[a.id, r.role])
                assert n >= max(3, 2 * r.min), (a.id, r.role, n)


def test_every_skill_asked_for_exists_within_reach(
    inst: Instance, volunteers: list
) -> None:
    """Apart from the deliberate demands, a requested skill always has holders within
    `max_travel_minutes` of the activity (whatever the day)."""
    limit = inst.volunteering.max_travel_minutes
    for a in inst.activities:
        town = inst.activity_town(a)
        for r in a.roles:
            if r.skill is None or (a.id, r.role) in DELIBERATELY_UNFILLABLE:
                continue
            holders = [p for p in volunteers if r.skill in p.volunteer.skills
                       and inst.travel_minutes(p.town, town) <= limit]
            assert len(holders) >= 2 * r.min, (a.id, r.role)


def test_lead_required_activities_have_experienced_volunteers(
    inst: Instance, eligible_by_role: dict[tuple[str, str], list[str]]
) -> None:
    deliberate = {aid for aid, _ in DELIBERATELY_UNFILLABLE}
    for a in inst.activities:
        if a.lead_required and a.id not in deliberate:
            leads = {pid for r in a.roles for pid in eligible_by_role[a.id, r.role]
                     if inst.person(pid).volunteer.experienced}
            assert len(leads) >= 2, a.id


def test_staffing_is_comfortable_per_town_and_day(
    inst: Instance, free_for: dict[str, list]
) -> None:
    """Per town and day, the sum of `min` stays well below the volunteers within reach
    who are free then (for at least one of that town's activities that day)."""
    acts: dict[tuple[str, dt.date], list] = defaultdict(list)
    for a in inst.activities:
        acts[inst.activity_town(a), a.date].append(a)
    for (town, day), here in acts.items():
        need = sum(r.min for a in here for r in a.roles)
        free = len({p.id for a in here for p in free_for[a.id]})
        assert need <= free / 3, (town, day, need, free)


def test_all_minimums_can_be_met_at_once(
    inst: Instance, volunteers: list, eligible_by_role: dict[tuple[str, str], list[str]]
) -> None:
    """A conservative flow: each role's `min` from its eligible volunteers, a volunteer on
    at most one activity a day (so no overlap and no travel clash) and, per month, on at
    most min(max_activities_per_month, max_hours_per_month // 4) activities (none lasts
    more than 4 hours). If the flow saturates, every `min` except the deliberate ones can
    be met together, whatever the solver does with the soft rules."""
    by_id = {a.id: a for a in inst.activities}
    edges: list[tuple[object, object, int]] = []
    want = 0
    days: set[tuple[str, dt.date]] = set()
    for (aid, role), people in eligible_by_role.items():
        r = next(r for r in by_id[aid].roles if r.role == role)
        k = min(r.min, len(people))
        want += k
        if k:
            edges.append(("S", ("role", aid, role), k))
            for pid in people:
                edges.append((("role", aid, role), ("day", pid, by_id[aid].date), 1))
                days.add((pid, by_id[aid].date))
    months = set()
    for pid, day in days:
        edges.append((("day", pid, day), ("month", pid, day.month), 1))
        months.add((pid, day.month))
    for pid, month in months:
        v = inst.person(pid).volunteer
        edges.append((("month", pid, month), "T",
                      min(v.max_activities_per_month, v.max_hours_per_month // 4)))
    short = sum(r.min for a in inst.activities for r in a.roles) - want
    assert short == 3   # the three deliberate demands, one person each
    assert _max_flow(edges, "S", "T") == want


def test_volunteering_pin_is_valid(inst: Instance) -> None:
    assert len(inst.pins.volunteering) == 1
    by_id = {a.id: a for a in inst.activities}
    for pin in inst.pins.volunteering:
        a = by_id[pin.activity]
        role = next(r for r in a.roles if r.role == pin.role)
        assert _volunteer_eligible(inst, a, role, inst.person(pin.person))
        assert pin.reason


# -- children and caring mothers ---------------------------------------------------------

def _mothers(inst: Instance) -> list:
    return [p for p in inst.people if p.caring_mother]


def _near_mothers(inst: Instance, child) -> list[str]:
    limit = inst.care.max_travel_minutes
    return [m.id for m in _mothers(inst) if inst.travel_minutes(m.town, child.town) <= limit]


def test_care_rules(inst: Instance) -> None:
    c = inst.care
    assert (c.max_children_per_mother, c.max_travel_minutes, c.meet_per_quarter,
            c.talk_per_quarter, c.festivals_per_year) == (2, 30, 1, 1, 2)
    assert [(f.name, f.date, f.window_days) for f in c.festivals] == [
        ("春节", dt.date(2027, 2, 6), 5), ("元宵节", dt.date(2027, 2, 20), 3),
        ("六一儿童节", dt.date(2027, 6, 1), 3), ("中秋节", dt.date(2027, 9, 15), 3),
        ("重阳节", dt.date(2027, 10, 8), 3)]
    defaults = type(c)()
    assert (c.meet_times, c.talk_times, c.festival_times, c.visit_days) == (
        defaults.meet_times, defaults.talk_times, defaults.festival_times, defaults.visit_days)


def test_children(inst: Instance) -> None:
    base_towns = {b.town for b in inst.bases}
    for i, c in enumerate(inst.children, start=1):
        assert c.code == f"c-{i:03d}"
        assert c.name and c.address, c.code   # fictional, for the office; never exported
        assert c.town in base_towns, c.code
        assert 4 <= c.age <= 16, c.code
        assert c.needs and set(c.needs) <= {"学业辅导", "心理疏导", "生活照料", "亲情陪伴",
                                             "安全教育"}, c.code
    assert {c.town for c in inst.children} == base_towns
    assert len({c.name for c in inst.children}) == len(inst.children)


def test_caring_mothers_are_apart_from_hosting_and_volunteering(inst: Instance) -> None:
    mothers = _mothers(inst)
    assert 30 <= len(mothers) <= 40
    contacts = {contact_of(f) for f in hosting_federations(inst)}
    for m in mothers:
        assert m.id not in contacts, m.id
        assert m.volunteer is None, m.id
        assert m.town is not None, m.id


def test_every_child_can_be_paired(inst: Instance) -> None:
    cap = inst.care.max_children_per_mother
    per_town = Counter(c.town for c in inst.children)
    for c in inst.children:
        assert _near_mothers(inst, c), c.code
    for town, n in per_town.items():
        near = [m for m in _mothers(inst)
                if inst.travel_minutes(m.town, town) <= inst.care.max_travel_minutes]
        assert cap * len(near) >= 1.5 * n, town   # with slack
    # and all together (mothers near two towns are counted once): a bipartite matching
    edges = [("S", c.code, 1) for c in inst.children]
    edges += [(c.code, m, 1) for c in inst.children for m in _near_mothers(inst, c)]
    edges += [(m.id, "T", cap) for m in _mothers(inst)]
    assert _max_flow(edges, "S", "T") == len(inst.children)


def test_care_history(inst: Instance) -> None:
    hist = inst.history.care
    assert all(h.year == 2026 for h in hist)
    assert 40 <= len(hist) <= 50
    assert len({h.child for h in hist}) == len(hist)
    assert max(Counter(h.mother for h in hist).values()) <= inst.care.max_children_per_mother
    caring = {m.id for m in _mothers(inst)}
    gone = [h for h in hist if h.mother not in caring]
    # a few children must be paired anew: their 2026 mother stepped down
    assert 2 <= len(gone) <= 5
    for h in gone:
        assert inst.person(h.mother).volunteer is None
    # keeping every pair whose mother is still a caring mother leaves room for the
    # others (so care_new_mother can be 0)
    cap = inst.care.max_children_per_mother
    kept = {h.child: h.mother for h in hist if h.mother in caring}
    by_code = {c.code: c for c in inst.children}
    for child, mother in kept.items():
        assert mother in _near_mothers(inst, by_code[child]), child
    room = Counter({m: cap for m in caring})
    room.subtract(Counter(kept.values()))
    rest = [c for c in inst.children if c.code not in kept]
    edges = [("S", c.code, 1) for c in rest]
    edges += [(c.code, m, 1) for c in rest for m in _near_mothers(inst, c)]
    edges += [(m, "T", n) for m, n in room.items() if n > 0]
    assert _max_flow(edges, "S", "T") == len(rest)
