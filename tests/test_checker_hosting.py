"""The independent checker on shared-venue hosting (阵地共享 · 轮流主办): one valid
hand-made plan, one bad plan per hosting hard rule (and the widened double-booking
rules), and the hosting soft amounts derived by hand. No solver.

The instance (2026, holidays from chinesecalendar), all in 霞美镇 (ximei) unless said:

- 霞美镇妇女之家 v-wh (womens_home): 2nd and 4th Saturday 09:00-11:30. Offered 24 days;
  unusable: 02-14 and 02-28 (Spring Festival make-up Saturdays), 05-09 (Labour Day
  make-up), 09-26 (Mid-autumn Festival), 10-10 (National Day make-up). 19 usable.
- 霞美镇儿童之家 v-ch (childrens_home): 每月第1个周日 15:00-17:00, closed 2026-05 (装修),
  `hosts: {towns: [ximei, luncang]}`. Offered 12 days; unusable: 01-04 (New Year
  make-up Sunday), 04-05 (Tomb-sweeping Day), 05-03 (closed, and Labour Day), 10-04
  (National Day). 8 usable. So N = 27 usable slots.
- 霞美镇政府会议室 v-hall: the joint meetings' room (no slots).
- Hosting federations: fed-e1 weight 3 (contact: its chair p-e1), fed-e2 weight 2,
  min 2 / max 30 turns, contact p-c2 (away 2026-04, 出差), fed-e3 weight 1 (p-e3);
  these three belong to the base fed-base (so their chairs attend its meetings).
  fed-e4 weight 1 is in 仑苍镇 (luncang): it may host only at v-ch (by `hosts.towns`).
- fed-base: presidium p-chair, p-vice; A = p-chair, p-vice, p-e1, p-e2, p-e3.
- History: 2025 turns fed-e1 14, fed-e4 2 (and fed-e2 9 in 2024, not the year before).
- Themes: 三八妇女节 03-08 and 母亲节 05-10 (womens_home), 六一儿童节 06-01
  (childrens_home), window 14 days.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from xinglian.checker import SOFT_RULES, Score, Violation, check, score
from xinglian.checker.hosting import fair_shares, hosting_groups, offered_slots, place_themes
from xinglian.models import (
    CalendarError,
    Instance,
    Meeting,
    Plan,
    RotationTerm,
    SolveInfo,
    WorkCalendar,
    work_calendar,
)
from xinglian.models import hosting as model_hosting
from xinglian.models.plan import Hosting

CST = dt.timezone(dt.timedelta(hours=8))
WH, CH, HALL = "v-wh", "v-ch", "v-hall"
BASE, E1, E2, E3, E4 = "fed-base", "fed-e1", "fed-e2", "fed-e3", "fed-e4"
A_BASE = ("p-chair", "p-vice", "p-e1", "p-e2", "p-e3")
TIMES = {WH: ("09:00", "11:30"), CH: ("15:00", "17:00")}
HOSTING_RULES = (
    "hosting_slot",
    "hosting_eligible",
    "hosting_contact_available",
    "hosting_gap",
    "hosting_turns",
    "pinned_hosting",
)


def _data() -> dict:
    ximei_fed = {"kind": "enterprise", "town": "ximei", "parent": BASE}
    return {
        "id": "hosting-2026",
        "name": "阵地共享测试",
        "year": 2026,
        "calendar": {"source": "chinesecalendar"},
        "rotation": {"period_months": 2, "max_terms_per_person": 3},
        "towns": [{"id": "ximei", "name": "霞美镇"}, {"id": "luncang", "name": "仑苍镇"}],
        "people": [
            {"id": "p-chair", "name": "陈丽华", "town": "ximei"},
            {"id": "p-vice", "name": "林秀英", "town": "ximei"},
            {"id": "p-e1", "name": "张晓燕", "town": "ximei"},
            {"id": "p-e2", "name": "王雅琴", "town": "ximei"},
            {
                "id": "p-c2",
                "name": "李淑芬",
                "town": "ximei",
                "unavailable": [{"start": "2026-04-01", "end": "2026-04-30", "reason": "出差"}],
            },
            {"id": "p-e3", "name": "吴春梅", "town": "ximei"},
            {"id": "p-e4", "name": "黄美玲", "town": "luncang"},
        ],
        "federations": [
            {
                "id": BASE,
                "name": "霞美片区产业基地妇联",
                "kind": "base",
                "town": "ximei",
                "chair": "p-chair",
                "vice_chairs": ["p-vice"],
            },
            {"id": E1, "name": "光伏企业妇联", **ximei_fed, "chair": "p-e1",
             "hosting": {"weight": 3}},
            {"id": E2, "name": "机械企业妇联", **ximei_fed, "chair": "p-e2",
             "hosting": {"weight": 2, "min_turns": 2, "max_turns": 30, "contact": "p-c2"}},
            {"id": E3, "name": "电子企业妇联", **ximei_fed, "chair": "p-e3",
             "hosting": {"weight": 1}},
            {"id": E4, "name": "水暖企业妇联", "kind": "enterprise", "town": "luncang",
             "chair": "p-e4", "hosting": {"weight": 1}},
        ],
        "venues": [
            {"id": HALL, "name": "霞美镇政府会议室", "town": "ximei", "capacity": 20},
            {
                "id": WH,
                "name": "霞美镇妇女之家",
                "town": "ximei",
                "capacity": 30,
                "kind": "womens_home",
                "slots": ["2nd and 4th Saturday 09:00-11:30"],
            },
            {
                "id": CH,
                "name": "霞美镇儿童之家",
                "town": "ximei",
                "capacity": 30,
                "kind": "childrens_home",
                "slots": ["每月第1个周日 15:00-17:00"],
                "closures": [{"start": "2026-05-01", "end": "2026-05-31", "reason": "装修"}],
                "hosts": {"towns": ["ximei", "luncang"]},
            },
        ],
        "themes": [
            {"id": "womens-day", "name": "三八妇女节", "venue_kind": "womens_home",
             "date": "2026-03-08"},
            {"id": "mothers-day", "name": "母亲节", "venue_kind": "womens_home",
             "date": "2026-05-10"},
            {"id": "childrens-day", "name": "六一儿童节", "venue_kind": "childrens_home",
             "date": "2026-06-01"},
        ],
        "history": {
            "hosting": [
                {"federation": E1, "year": 2025, "turns": 14},
                {"federation": E4, "year": 2025, "turns": 2},
                {"federation": E2, "year": 2024, "turns": 9},
            ]
        },
    }


def _instance(data: dict | None = None) -> Instance:
    return Instance.model_validate(data if data is not None else _data())


@pytest.fixture(scope="module")
def inst() -> Instance:
    return _instance()


def _at(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(hhmm), CST)


# The valid assignment, by hand, in date order: every usable slot once. fed-e1 takes
# fourteen-day-apart Saturdays, fed-e4 only v-ch; every federation's turns are >= 14
# days apart. Turns: fed-e1 13, fed-e2 7, fed-e3 4, fed-e4 3 (= 27).
TURNS = (
    ("2026-01-10", WH, E1), ("2026-01-24", WH, E1), ("2026-02-01", CH, E4),
    ("2026-03-01", CH, E2), ("2026-03-14", WH, E1), ("2026-03-28", WH, E1),
    ("2026-04-11", WH, E1), ("2026-04-25", WH, E1), ("2026-05-23", WH, E2),
    ("2026-06-07", CH, E3), ("2026-06-13", WH, E1), ("2026-06-27", WH, E1),
    ("2026-07-05", CH, E4), ("2026-07-11", WH, E1), ("2026-07-25", WH, E2),
    ("2026-08-02", CH, E3), ("2026-08-08", WH, E1), ("2026-08-22", WH, E2),
    ("2026-09-06", CH, E3), ("2026-09-12", WH, E1), ("2026-10-24", WH, E2),
    ("2026-11-01", CH, E4), ("2026-11-14", WH, E1), ("2026-11-28", WH, E2),
    ("2026-12-06", CH, E3), ("2026-12-12", WH, E1), ("2026-12-26", WH, E2),
)
# Theme labels the entries carry (the 六一 turn on 06-07 carries none: that is allowed).
THEMES = {"2026-03-14": "womens-day", "2026-05-23": "mothers-day"}


def _turn(
    day: str,
    venue: str,
    fed: str,
    theme: str | None = None,
    times: tuple[str, str] | None = None,
    sid: str | None = None,
) -> Hosting:
    start, end = times or TIMES[venue]
    return Hosting(
        id=sid or f"host-{venue}-{day}",
        venue=venue,
        federation=fed,
        start=_at(day, start),
        end=_at(day, end),
        theme=theme,
    )


def _meeting(q: int, day: str, start: str, end: str, host: str, venue: str = HALL) -> Meeting:
    return Meeting(
        id=f"mtg-{BASE}-q{q}",
        base=BASE,
        quarter=q,
        start=_at(day, start),
        end=_at(day, end),
        venue=venue,
        host=host,
        attendees=A_BASE,
    )


PERIODS = (
    ("2026-01-01", "2026-02-28"), ("2026-03-01", "2026-04-30"), ("2026-05-01", "2026-06-30"),
    ("2026-07-01", "2026-08-31"), ("2026-09-01", "2026-10-31"), ("2026-11-01", "2026-12-31"),
)


@pytest.fixture(scope="module")
def valid() -> Plan:
    chairs = ("p-chair", "p-vice") * 3
    return Plan(
        instance="hosting-2026",
        year=2026,
        solve=SolveInfo(status="FEASIBLE"),
        rotation=tuple(
            RotationTerm(
                base=BASE,
                period=t,
                start=dt.date.fromisoformat(s),
                end=dt.date.fromisoformat(e),
                chair=chairs[t - 1],
            )
            for t, (s, e) in enumerate(PERIODS, start=1)
        ),
        meetings=(
            _meeting(1, "2026-03-10", "09:00", "11:00", "p-vice"),  # Tuesday, period 2
            _meeting(2, "2026-05-12", "09:00", "11:00", "p-chair"),  # Tuesday, period 3
            _meeting(3, "2026-07-15", "14:30", "16:30", "p-vice"),  # Wednesday, period 4
            _meeting(4, "2026-10-14", "09:00", "11:00", "p-chair"),  # Wednesday, period 5
        ),
        hosting=tuple(_turn(d, v, f, THEMES.get(d)) for d, v, f in TURNS),
    )


# -- helpers -------------------------------------------------------------------------------


def _hosting(plan: Plan, turns) -> Plan:
    return plan.model_copy(update={"hosting": tuple(turns)})


def _host(plan: Plan, sid: str, fed: str) -> Plan:
    """The same plan with another federation on slot ``sid``."""
    return _hosting(
        plan,
        (h.model_copy(update={"federation": fed}) if h.id == sid else h for h in plan.hosting),
    )


def _add(plan: Plan, *turns: Hosting) -> Plan:
    return _hosting(plan, (*plan.hosting, *turns))


def _drop(plan: Plan, sid: str) -> Plan:
    return _hosting(plan, (h for h in plan.hosting if h.id != sid))


def _rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def _only(violations: list[Violation], rule: str) -> list[str]:
    """Assert that every violation is of ``rule`` (and there is one); return messages."""
    assert violations, f"expected a {rule} violation, got none"
    assert _rules(violations) == {rule}, "\n".join(map(str, violations))
    return [v.message for v in violations]


# == the valid plan =========================================================================


def test_the_hand_listed_turns_are_the_usable_slots(inst) -> None:
    cal = work_calendar(inst)
    offered = model_hosting.expand_slots(inst, cal)
    usable = [(s.date.isoformat(), s.venue) for s in offered if s.usable]
    assert sorted(usable) == sorted((d, v) for d, v, _ in TURNS)
    assert len(offered) == 24 + 12
    # The checker re-decides usability and ids itself; both readings agree here.
    mine = offered_slots(inst, cal)
    assert [(s.id, s.usable) for s in mine] == [(s.id, s.usable) for s in offered]


def test_valid_plan_has_no_violations(inst, valid) -> None:
    assert check(inst, valid) == []


def test_valid_plan_in_utc_has_no_violations(inst, valid) -> None:
    utc = _hosting(
        valid,
        (
            h.model_copy(update={"start": h.start.astimezone(dt.UTC),
                                 "end": h.end.astimezone(dt.UTC)})
            for h in valid.hosting
        ),
    )
    assert check(inst, utc) == []


def test_score_of_the_valid_plan(inst, valid) -> None:
    s = score(inst, valid)
    # One hosting group: fed-e1..e4 with v-wh and v-ch (fed-e4 reaches v-ch, which the
    # others reach too). N = 19 + 8 = 27, S = 3 + 2 + 1 + 1 = 7.
    # hosting_share, phi = 27 w / 7:  e1 81/7 = 11.57 [11, 12], 13 turns -> 1;
    #   e2 54/7 = 7.71 [7, 8], 7 -> 0; e3 and e4 27/7 = 3.86 [3, 4], 4 and 3 -> 0.    -> 1
    # hosting_carry_over: prev e1 14, e4 2 (2025; the 2024 entry of e2 does not count),
    #   P = 16, N + P = 43; psi = max(0, 43 w / 7 - prev):
    #   e1 129/7 - 14 = 31/7 = 4.43 [4, 5], 13 turns -> 8; e2 86/7 = 12.29 [12, 13],
    #   7 -> 5; e3 43/7 = 6.14 [6, 7], 4 -> 2; e4 43/7 - 2 = 29/7 = 4.14 [4, 5], 3 -> 1. -> 16
    # hosting_spread, turns per quarter (Q1..Q4): e1 4 4 3 2 -> 2; e2 1 1 2 3 -> 2;
    #   e3 0 1 2 1 -> 2; e4 1 0 1 1 -> 1.                                              -> 7
    # hosting_outside_town: e4 (luncang) hosts its 3 turns at v-ch (ximei).           -> 3
    # theme_off_date: 三八 03-08 -> v-wh 03-14 (02-28 is a make-up day): 6;
    #   母亲节 05-10 -> v-wh 05-23 (05-09 is a make-up day, 04-25 is 15 days off): 13;
    #   六一 06-01 -> v-ch 06-07 (05-03 is closed): 6.                                -> 25
    # empty_slot: every usable slot has a host.                                       -> 0
    hosting = {r: s.amounts[r] for r in SOFT_RULES if r.startswith(("hosting", "theme", "empty"))}
    assert hosting == {
        "hosting_share": 1,
        "hosting_carry_over": 16,
        "hosting_spread": 7,
        "hosting_outside_town": 3,
        "theme_off_date": 25,
        "empty_slot": 0,
    }
    # The rotation and meetings: alternating chairs (no back_to_back, no short_gap with
    # n_b = 2, even terms), everyone present; late_meeting 03-10: 68 // 7 = 9,
    # 05-12: 41 // 7 = 5, 07-15: 14 // 7 = 2, 10-14: 13 // 7 = 1 -> 17.
    assert {r: a for r, a in s.amounts.items() if a and r not in hosting} == {"late_meeting": 17}
    # 10*1 + 5*16 + 3*7 + 5*3 + 1*25 + 50*0 + 1*17 = 168
    assert s.total == 168 == sum(s.cost(r) for r in SOFT_RULES)


def test_shares_are_the_hand_derived_fractions_and_agree_with_the_model(inst) -> None:
    cal = work_calendar(inst)
    mine = fair_shares(inst, offered_slots(inst, cal))
    assert {f: s.this_year for f, s in mine.items()} == {
        E1: Fraction(81, 7), E2: Fraction(54, 7), E3: Fraction(27, 7), E4: Fraction(27, 7)
    }
    assert {f: s.with_carry_over for f, s in mine.items()} == {
        E1: Fraction(31, 7), E2: Fraction(86, 7), E3: Fraction(43, 7), E4: Fraction(29, 7)
    }
    theirs = model_hosting.fair_shares(inst, model_hosting.expand_slots(inst, cal))
    assert set(theirs) == set(mine)
    for f, share in theirs.items():
        assert (share.this_year, share.with_carry_over) == (
            mine[f].this_year,
            mine[f].with_carry_over,
        )


def test_hosting_groups_are_connected_components() -> None:
    # fed-e5 (官桥镇) owns an enterprise-opened venue there: a group of its own, with its
    # 2 usable slots (05-02 is Labour Day). fed-e6 (no town) may host nowhere: a group
    # with N = 0. (In luncang, fed-e5 could also host at v-ch by its `hosts.towns`.)
    data = _data()
    data["towns"].append({"id": "guanqiao", "name": "官桥镇"})
    data["people"] += [
        {"id": "p-e5", "name": "郑美华", "town": "guanqiao"},
        {"id": "p-e6", "name": "苏雅玲", "town": "luncang"},
    ]
    data["federations"] += [
        {"id": "fed-e5", "name": "卫浴企业妇联", "kind": "enterprise", "town": "guanqiao",
         "chair": "p-e5", "hosting": {"weight": 5}},
        {"id": "fed-e6", "name": "五金企业妇联", "kind": "enterprise", "chair": "p-e6",
         "hosting": {"weight": 2}},
    ]
    data["venues"].append(
        {"id": "v-open", "name": "卫浴企业开放阵地", "town": "guanqiao", "capacity": 20,
         "kind": "enterprise_open", "owner": "fed-e5", "meetings": False,
         "slots": ["2026-03-21 09:00-11:00", "2026-05-02 09:00-11:00",
                   "2026-09-19 09:00-11:00"]}
    )
    inst = _instance(data)
    cal = work_calendar(inst)
    slots = offered_slots(inst, cal)
    groups = {g.federations: (g.venues, g.slots, g.weight) for g in hosting_groups(inst, slots)}
    assert groups == {
        (E1, E2, E3, E4): ((CH, WH), 27, 7),
        ("fed-e5",): (("v-open",), 2, 5),
        ("fed-e6",): ((), 0, 2),
    }
    mine = fair_shares(inst, slots)
    assert mine["fed-e5"].this_year == 2 and mine["fed-e6"].this_year == 0
    theirs = model_hosting.fair_shares(inst, model_hosting.expand_slots(inst, cal))
    # The model leaves a federation that may host nowhere out; the checker gives it 0.
    assert set(mine) - set(theirs) == {"fed-e6"}
    for f, share in theirs.items():
        assert (share.this_year, share.with_carry_over) == (
            mine[f].this_year,
            mine[f].with_carry_over,
        )


def test_theme_placement_agrees_with_the_model(inst) -> None:
    cal = work_calendar(inst)
    mine = place_themes(inst, offered_slots(inst, cal))
    assert {sid: (p.theme.id, p.days_off) for sid, p in mine.items()} == {
        "host-v-wh-2026-03-14": ("womens-day", 6),
        "host-v-wh-2026-05-23": ("mothers-day", 13),
        "host-v-ch-2026-06-07": ("childrens-day", 6),
    }
    theirs, missing = model_hosting.place_themes(inst, model_hosting.expand_slots(inst, cal))
    assert {t.slot: (t.theme, t.days_off) for t in theirs} == {
        sid: (p.theme.id, p.days_off) for sid, p in mine.items()
    }
    assert missing == []


def test_theme_takes_one_slot_and_a_theme_on_its_own_date_is_zero_days_off(valid) -> None:
    # 国际家庭日 05-15 would take v-wh 05-23 (8 days) but 母亲节 (earlier) has it; the
    # next usable slots (04-25, 20 days; 06-13, 29 days) are outside its window: unplaced.
    # A theme on 03-14 itself is 0 days off, and takes 03-14 first (earlier date), so
    # 三八 moves to 03-28 (20 days) -- outside its window: unplaced.
    data = _data()
    data["themes"] += [
        {"id": "family-day", "name": "国际家庭日", "venue_kind": "womens_home",
         "date": "2026-05-15"},
    ]
    assert score(_instance(data), valid).amounts["theme_off_date"] == 25
    data["themes"] = [
        {"id": "womens-day", "name": "三八妇女节", "venue_kind": "womens_home",
         "date": "2026-03-08"},
        {"id": "reading", "name": "亲子阅读日", "venue_kind": "womens_home",
         "date": "2026-03-14", "window_days": 0},
    ]
    # 三八 is placed first (03-08 < 03-14) on 03-14: 6; 亲子阅读日 has window 0 and its
    # own date taken: unplaced.
    assert score(_instance(data), valid).amounts["theme_off_date"] == 6


# == hosting_slot ===========================================================================


def test_hosting_slot_forbids_national_day(valid) -> None:
    # v-ch's first Sunday of October is 10-04, a National Day holiday.
    bad = _add(valid, _turn("2026-10-04", CH, E4))  # fed-e4: 07-05, 10-04, 11-01
    (msg,) = _only(check(_instance(), bad), "hosting_slot")
    assert "host-v-ch-2026-10-04" in msg and "statutory holiday (National Day)" in msg
    # 10-03 is v-wh's 1st Saturday: not offered at all ...
    bad = _add(valid, _turn("2026-10-03", WH, E3))  # fed-e3: 09-06, 10-03, 12-06
    (msg,) = _only(check(_instance(), bad), "hosting_slot")
    assert "not at an offered slot" in msg and "offers no slot on 2026-10-03 (Saturday)" in msg
    # ... unless a pattern offers it; then it is offered but unusable.
    data = _data()
    data["venues"][1]["slots"].append("2026-10-03 09:00-11:30")
    (msg,) = _only(check(_instance(data), bad), "hosting_slot")
    assert "2026-10-03 is a statutory holiday (National Day)" in msg


def test_hosting_slot_forbids_a_make_up_saturday(inst, valid) -> None:
    bad = _add(valid, _turn("2026-02-14", WH, E3))  # 2nd Saturday of February
    (msg,) = _only(check(inst, bad), "hosting_slot")
    assert "host-v-wh-2026-02-14" in msg and "make-up working day (调休)" in msg


def test_hosting_slot_forbids_a_closed_day(valid) -> None:
    # 05-03 is v-ch's first Sunday of May: closed for 装修 and Labour Day; both are said.
    bad = _add(valid, _turn("2026-05-03", CH, E3))
    (msg,) = _only(check(_instance(), bad), "hosting_slot")
    assert "霞美镇儿童之家 is closed 2026-05-01..2026-05-31, 装修" in msg
    assert "statutory holiday (Labour Day)" in msg
    # A closure over a turn of the valid plan (which then no longer needs a host).
    data = _data()
    data["venues"][1]["closures"] = [
        {"start": "2026-07-11", "end": "2026-07-11", "reason": "停电检修"}
    ]
    (msg,) = _only(check(_instance(data), valid), "hosting_slot")
    assert "host-v-wh-2026-07-11" in msg and "停电检修" in msg


def test_hosting_slot_forbids_two_hosts_on_one_slot(inst, valid) -> None:
    bad = _add(valid, _turn("2026-01-10", WH, E3))
    (msg,) = _only(check(inst, bad), "hosting_slot")
    assert "host-v-wh-2026-01-10" in msg and "has 2 hosts" in msg
    assert "光伏企业妇联 (fed-e1)" in msg and "电子企业妇联 (fed-e3)" in msg


def test_hosting_slot_forbids_a_slot_without_host_unless_allow_empty(valid) -> None:
    bad = _drop(valid, "host-v-wh-2026-12-26")  # fed-e2 keeps 6 turns (min 2)
    (msg,) = _only(check(_instance(), bad), "hosting_slot")
    assert "host-v-wh-2026-12-26" in msg and "2026-12-26 (Saturday) 09:00-11:30" in msg
    assert "has no host" in msg
    data = _data()
    data["hosting"] = {"allow_empty": True}
    inst = _instance(data)
    assert check(inst, bad) == []
    s = score(inst, bad)
    assert s.amounts["empty_slot"] == 1 and s.cost("empty_slot") == 50
    # fed-e2 now 6 turns: phi 54/7 in [7, 8] -> 1 short; psi 86/7 in [12, 13] -> 6 short.
    assert s.amounts["hosting_share"] == 1 + 1 and s.amounts["hosting_carry_over"] == 16 + 1


def test_hosting_slot_forbids_a_wrong_id_or_wrong_times(inst, valid) -> None:
    sid = "host-v-wh-2026-03-28"
    bad = _hosting(
        valid, (h.model_copy(update={"id": sid + "-0900"}) if h.id == sid else h
                for h in valid.hosting)
    )
    msgs = _only(check(inst, bad), "hosting_slot")
    assert any("the slot's id is 'host-v-wh-2026-03-28'" in m for m in msgs)
    assert any("host-v-wh-2026-03-28 (霞美镇妇女之家" in m and "no host" in m for m in msgs)
    bad = _hosting(
        valid,
        (h.model_copy(update={"end": _at("2026-03-28", "11:00")}) if h.id == sid else h
         for h in valid.hosting),
    )
    (msg,) = _only(check(inst, bad), "hosting_slot")
    assert "does not match its slot" in msg and "09:00-11:30" in msg


def test_hosting_slot_ids_carry_the_time_when_a_venue_offers_two_slots_a_day(valid) -> None:
    data = _data()
    data["venues"][1]["slots"].append("2026-03-14 14:00-16:00")
    inst = _instance(data)
    msgs = _only(check(inst, valid), "hosting_slot")
    assert any("the slot's id is 'host-v-wh-2026-03-14-0900'" in m for m in msgs)
    assert any("host-v-wh-2026-03-14-1400" in m and "no host" in m for m in msgs)
    fixed = _add(
        _drop(valid, "host-v-wh-2026-03-14"),
        _turn("2026-03-14", WH, E1, "womens-day", sid="host-v-wh-2026-03-14-0900"),
        _turn("2026-03-14", WH, E3, times=("14:00", "16:00"), sid="host-v-wh-2026-03-14-1400"),
    )
    assert check(inst, fixed) == []


def test_hosting_slot_forbids_a_theme_not_placed_there(inst, valid) -> None:
    bad = _hosting(
        valid,
        (
            h.model_copy(update={"theme": {"host-v-wh-2026-03-28": "womens-day",
                                           "host-v-ch-2026-06-07": "mothers-day"}.get(h.id,
                                                                                      h.theme)})
            for h in valid.hosting
        ),
    )
    msgs = _only(check(inst, bad), "hosting_slot")
    assert len(msgs) == 2
    assert any("host-v-wh-2026-03-28" in m and "no theme is placed" in m for m in msgs)
    assert any("'mothers-day', but the theme placed" in m and "六一儿童节" in m for m in msgs)
    # The label may be the theme's id or its name (the docs do not say which).
    named = _hosting(
        valid,
        (h.model_copy(update={"theme": "六一儿童节"}) if h.id == "host-v-ch-2026-06-07" else h
         for h in valid.hosting),
    )
    assert check(inst, named) == []


def test_hosting_slot_reports_a_missing_calendar_instead_of_raising(valid) -> None:
    data = _data()
    data["calendar"] = {"source": "instance"}  # no table: work_calendar raises
    found = check(_instance(data), valid)
    assert any(
        v.rule == "hosting_slot" and "cannot tell statutory holidays" in v.message for v in found
    )
    with pytest.raises(CalendarError):
        score(_instance(data), valid)


def test_hosting_slot_uses_the_calendar_it_is_given(inst, valid) -> None:
    # Without holidays and make-up days, the 8 blocked-by-calendar slots become usable
    # and need hosts: v-wh 02-14, 02-28, 05-09, 09-26, 10-10; v-ch 01-04, 04-05, 10-04.
    # And 母亲节 (05-10) now goes to v-wh 05-09 (1 day off), not 05-23.
    msgs = _only(check(inst, valid, WorkCalendar(2026, "bare")), "hosting_slot")
    assert len(msgs) == 9 and sum("has no host" in m for m in msgs) == 8
    assert any(
        "host-v-wh-2026-05-23" in m and "carries theme 'mothers-day', but no theme" in m
        for m in msgs
    )


# == hosting_eligible ======================================================================


def test_hosting_eligible_forbids_a_federation_of_another_town(inst, valid) -> None:
    # fed-e4 (luncang) on v-wh 08-22 instead of fed-e2: v-wh has no `hosts`, so only
    # ximei's federations host there. (fed-e4's turns 07-05, 08-22, 11-01: gaps fine.)
    (msg,) = _only(check(inst, _host(valid, "host-v-wh-2026-08-22", E4)), "hosting_eligible")
    assert "水暖企业妇联 may not host at 霞美镇妇女之家" in msg
    assert "in 霞美镇, the federation in 仑苍镇" in msg


def test_hosting_eligible_forbids_unknown_and_non_hosting_federations(inst, valid) -> None:
    (msg,) = _only(
        check(inst, _host(valid, "host-v-wh-2026-08-22", "fed-ghost")), "hosting_eligible"
    )
    assert "'fed-ghost' (not a federation of the instance)" in msg and "no such" in msg
    (msg,) = _only(check(inst, _host(valid, "host-v-wh-2026-08-22", BASE)), "hosting_eligible")
    assert "霞美片区产业基地妇联 has no `hosting` parameters" in msg


def test_hosting_eligible_reads_owner_and_hosts_bases(valid) -> None:
    # v-open: enterprise-opened by fed-e3, no `hosts`: only the owner hosts there.
    # v-ps: a Parents' School in luncang with `hosts: {bases: [fed-base]}`: fed-e1..e3
    # (parent fed-base) host there, fed-e4 does not, though it is in luncang.
    data = _data()
    data["venues"] += [
        {"id": "v-open", "name": "电子企业开放阵地", "town": "ximei", "capacity": 20,
         "kind": "enterprise_open", "owner": E3, "slots": ["2026-10-17 09:00-11:00"]},
        {"id": "v-ps", "name": "仑苍镇家长学校", "town": "luncang", "capacity": 20,
         "kind": "parents_school", "hosts": {"bases": [BASE]},
         "slots": ["2026-09-19 09:00-11:00"]},
    ]
    inst = _instance(data)
    two = ("09:00", "11:00")
    good = _add(valid, _turn("2026-10-17", "v-open", E3, times=two),
                _turn("2026-09-19", "v-ps", E2, times=two))
    assert check(inst, good) == []
    bad = _add(valid, _turn("2026-10-17", "v-open", E4, times=two),
               _turn("2026-09-19", "v-ps", E4, times=two))
    msgs = _only(check(inst, bad), "hosting_eligible")
    assert len(msgs) == 2
    assert any("电子企业开放阵地 (only its owner 电子企业妇联 (fed-e3)" in m for m in msgs)
    assert any("仑苍镇家长学校 (its `hosts` name neither" in m for m in msgs)


# == hosting_contact_available =============================================================


def test_hosting_contact_available_forbids_a_turn_while_the_contact_is_away(inst, valid):
    # fed-e2's contact 李淑芬 is away in April; give fed-e2 fed-e1's 04-11 turn.
    bad = _host(valid, "host-v-wh-2026-04-11", E2)
    (msg,) = _only(check(inst, bad), "hosting_contact_available")
    assert "李淑芬 (p-c2), unavailable on 2026-04-11 (出差)" in msg
    # The chair 王雅琴 (p-e2) is no contact: her being away changes nothing.
    data = _data()
    data["people"][3]["unavailable"] = [{"start": "2026-03-01", "end": "2026-03-01"}]
    assert check(_instance(data), valid) == []


# == hosting_gap ===========================================================================


def test_hosting_gap_forbids_turns_closer_than_min_gap_days(inst, valid) -> None:
    # fed-e3 takes 06-13 (Saturday) besides 06-07 (Sunday): 6 days apart. (These
    # patterns offer no two slots exactly 7 days apart.)
    (msg,) = _only(check(inst, _host(valid, "host-v-wh-2026-06-13", E3)), "hosting_gap")
    assert "电子企业妇联 (fed-e3) hosts host-v-ch-2026-06-07 and host-v-wh-2026-06-13" in msg
    assert "6 days apart; at least 14" in msg


def test_hosting_gap_allows_exactly_min_gap_days(valid) -> None:
    # fed-e1's turns 14 days apart are fine at 14 (the valid plan) and not at 15:
    # 01-10/01-24, 03-14/03-28, 03-28/04-11, 04-11/04-25, 06-13/06-27, 06-27/07-11.
    data = _data()
    data["hosting"] = {"min_gap_days": 15}
    msgs = _only(check(_instance(data), valid), "hosting_gap")
    assert len(msgs) == 6 and all("光伏企业妇联 (fed-e1)" in m and "14 days" in m for m in msgs)


# == hosting_turns =========================================================================


def test_hosting_turns_forbids_too_few_and_too_many(valid) -> None:
    data = _data()
    data["federations"][2]["hosting"]["min_turns"] = 8  # fed-e2 has 7
    (msg,) = _only(check(_instance(data), valid), "hosting_turns")
    assert "机械企业妇联 (fed-e2) hosts 7 turns; at least 8" in msg
    data = _data()
    data["federations"][2]["hosting"]["max_turns"] = 6
    (msg,) = _only(check(_instance(data), valid), "hosting_turns")
    assert "hosts 7 turns; at most 6" in msg
    data = _data()
    data["federations"][4]["hosting"]["min_turns"] = 4  # fed-e4 has 3; no maximum set
    (msg,) = _only(check(_instance(data), valid), "hosting_turns")
    assert "水暖企业妇联 (fed-e4) hosts 3 turns; at least 4" in msg


# == pinned_hosting ========================================================================


def test_pinned_hosting_forbids_ignoring_a_pin_and_permits_keeping_it(valid) -> None:
    data = _data()
    data["pins"] = {"hosting": [
        {"venue": WH, "date": "2026-03-14", "federation": E2, "reason": "三八 by fed-e2"},
        {"venue": WH, "date": "2026-03-28", "federation": E1, "start": "14:00"},
    ]}
    msgs = _only(check(_instance(data), valid), "pinned_hosting")
    assert len(msgs) == 2
    assert any("fed-e2) is pinned" in m and "but 光伏企业妇联 (fed-e1) (host-v-wh-2026-03-14)"
               in m for m in msgs)
    assert any("2026-03-28 (Saturday) at 14:00, but the plan has no hosting turn" in m
               for m in msgs)
    data["pins"] = {"hosting": [
        {"venue": WH, "date": "2026-03-14", "federation": E1, "start": "09:00"},
        {"venue": CH, "date": "2026-06-07", "federation": E3},
    ]}
    assert check(_instance(data), valid) == []


# == the widened double-booking rules ======================================================


def _with_weekday_slot(times: str = "09:00-11:00") -> dict:
    # v-ch also offers Wednesday 10-14 (a working day: usable for hosting), when fed-base
    # holds its Q4 meeting 09:00-11:00 in v-hall.
    data = _data()
    data["venues"][2]["slots"].append(f"2026-10-14 {times}")
    return data


def test_no_double_booking_person_forbids_a_turn_during_her_meeting(valid) -> None:
    # fed-e3's contact is its chair 吴春梅, an expected attendee of fed-base's meetings.
    bad = _add(valid, _turn("2026-10-14", CH, E3, times=("09:00", "11:00")))
    (msg,) = _only(check(_instance(_with_weekday_slot()), bad), "no_double_booking_person")
    assert "吴春梅 (p-e3) attends meeting mtg-fed-base-q4" in msg
    assert "runs hosting turn host-v-ch-2026-10-14 of 电子企业妇联 (fed-e3)" in msg
    # A turn starting when the meeting ends does not overlap.
    later = _add(valid, _turn("2026-10-14", CH, E3, times=("11:00", "12:30")))
    assert check(_instance(_with_weekday_slot("11:00-12:30")), later) == []


def test_no_double_booking_person_forbids_one_contact_in_two_places(valid) -> None:
    # p-e4 also becomes fed-e1's contact: fed-e1 (v-wh 01-10 09:00-11:30) and a v-ch
    # turn of fed-e4 on 01-10 09:00-11:00 overlap.
    data = _data()
    data["federations"][1]["hosting"]["contact"] = "p-e4"
    data["venues"][2]["slots"].append("2026-01-10 09:00-11:00")
    bad = _add(valid, _turn("2026-01-10", CH, E4, times=("09:00", "11:00")))
    (msg,) = _only(check(_instance(data), bad), "no_double_booking_person")
    assert "黄美玲 (p-e4) runs hosting turn" in msg and "and runs hosting turn" in msg


def test_no_double_booking_venue_forbids_a_meeting_during_a_turn(valid) -> None:
    # fed-e4's contact 黄美玲 attends no meeting; fed-base meets at v-ch meanwhile.
    bad = _add(valid, _turn("2026-10-14", CH, E4, times=("09:00", "11:00")))
    bad = bad.model_copy(
        update={"meetings": tuple(
            m.model_copy(update={"venue": CH}) if m.quarter == 4 else m for m in bad.meetings
        )}
    )
    (msg,) = _only(check(_instance(_with_weekday_slot()), bad), "no_double_booking_venue")
    assert "霞美镇儿童之家 holds both" in msg and "mtg-fed-base-q4" in msg
    assert "hosting turn host-v-ch-2026-10-14" in msg


# == robustness ============================================================================


def test_unknown_ids_are_violations_not_exceptions(inst, valid) -> None:
    bad = _add(
        _host(valid, "host-v-wh-2026-08-22", "fed-ghost"),
        _turn("2026-08-29", "v-nowhere", E3, times=("09:00", "11:00")),
        _turn("2026-09-05", WH, "fed-ghost"),
    )
    found = check(inst, bad)
    assert {"hosting_slot", "hosting_eligible"} <= _rules(found)
    text = "\n".join(v.message for v in found)
    assert "'v-nowhere' (not a venue of the instance)" in text
    assert "'fed-ghost' (not a federation of the instance)" in text
    assert isinstance(score(inst, bad), Score)


def test_an_instance_without_slots_only_keeps_min_turns(valid) -> None:
    # Venues offering no slots: no slot to host, nothing to share; but fed-e2 still asks
    # for at least 2 turns.
    data = _data()
    for v in data["venues"]:
        v.pop("slots", None)
        v.pop("hosts", None)
    data["themes"] = []
    inst = _instance(data)
    plan = _hosting(valid, ())
    assert _only(check(inst, plan), "hosting_turns") == [
        "机械企业妇联 (fed-e2) hosts 0 turns; at least 2 (min_turns)"
    ]
    s = score(inst, plan)
    assert s.amounts["empty_slot"] == s.amounts["hosting_share"] == 0
    # psi of fed-e1 (a group of its own, N = 0, P = 14): max(0, 14 * 3 / 3 - 14) = 0;
    # everything else is 0 too.
    assert s.amounts["hosting_carry_over"] == 0
