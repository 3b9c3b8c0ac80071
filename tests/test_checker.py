"""The independent checker on tests/data/tiny.yaml: one valid hand-made plan, then one
hand-made bad plan per hard rule, each flagged by exactly that rule; the objective
recomputed by hand.

tiny.yaml, 2026 (periods of two months, max 3 terms, at most 10 unavailable days):

- 霞美片区产业基地妇联 (fed-ximei, town ximei): presidium p-a1 陈丽华, p-a2 林秀英
  (产假 2026-03-01..04-30, i.e. all of period 2), p-shared 黄美玲 (prefers periods 2, 5).
  Expected attendees A = p-a1, p-a2, p-shared, p-e1 (chair of fed-e1, parent fed-ximei),
  p-t1 (chair of the ximei town federation): 5 people.
- 中国水暖城妇联 (fed-shuinuan, town luncang): presidium p-b1 王雅琴, p-b2 李淑芬
  (would rather not chair period 1), p-shared. A = p-b1, p-b2, p-shared: 3 people
  (no federation has it as parent; luncang has no town federation).
- History: period 6 of 2025 was chaired by p-a1 (ximei) and p-b2 (shuinuan).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from xinglian.checker import HARD_RULES, SOFT_RULES, Score, Violation, check, score
from xinglian.models import Instance, Meeting, Plan, RotationTerm, SolveInfo, WorkCalendar
from xinglian.models.instance import Weights

DATA = Path(__file__).parent / "data" / "tiny.yaml"
DOCS = Path(__file__).parent.parent / "docs" / "rules.md"
CST = dt.timezone(dt.timedelta(hours=8))

XIMEI, SHUINUAN = "fed-ximei", "fed-shuinuan"
A_XIMEI = ("p-a1", "p-a2", "p-shared", "p-e1", "p-t1")
A_SHUINUAN = ("p-b1", "p-b2", "p-shared")

# Period bounds written out by hand (not computed), so the checker is compared with a
# human reading of "period t runs from month 2t-1 to the end of month 2t".
BOUNDS = {
    1: ("2026-01-01", "2026-02-28"),
    2: ("2026-03-01", "2026-04-30"),
    3: ("2026-05-01", "2026-06-30"),
    4: ("2026-07-01", "2026-08-31"),
    5: ("2026-09-01", "2026-10-31"),
    6: ("2026-11-01", "2026-12-31"),
}
SLOTS = {1: ("09:00", "11:00"), 2: ("14:30", "16:30")}

ROTATION = {
    # period:    1        2           3       4           5           6
    XIMEI: ("p-a1", "p-shared", "p-a2", "p-a1", "p-shared", "p-a2"),
    SHUINUAN: ("p-b2", "p-b1", "p-b1", "p-shared", "p-b2", "p-b1"),
}
# Terms: p-a1 2, p-a2 2 (periods 3 and 6, never her leave), p-shared 3 (ximei 2, 5 and
# shuinuan 4: never both bases in one period), p-b1 3, p-b2 2; max 3 holds.


def _tiny_data() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def _instance(data: dict | None = None) -> Instance:
    return Instance.model_validate(data if data is not None else _tiny_data())


@pytest.fixture(scope="module")
def tiny() -> Instance:
    return _instance()


def _at(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(hhmm), CST)


def _term(base: str, period: int, chair: str) -> RotationTerm:
    start, end = BOUNDS[period]
    return RotationTerm(
        base=base,
        period=period,
        start=dt.date.fromisoformat(start),
        end=dt.date.fromisoformat(end),
        chair=chair,
    )


def _meeting(
    base: str,
    quarter: int,
    day: str,
    slot: int,
    venue: str,
    host: str,
    attendees: tuple[str, ...],
    absent: tuple[str, ...] = (),
) -> Meeting:
    start, end = SLOTS[slot]
    return Meeting(
        id=f"mtg-{base}-q{quarter}",
        base=base,
        quarter=quarter,
        start=_at(day, start),
        end=_at(day, end),
        venue=venue,
        host=host,
        attendees=attendees,
        absent=absent,
    )


def _meetings() -> tuple[Meeting, ...]:
    """All on working days, hosted by the chair of the period containing the date."""
    no_a2 = tuple(p for p in A_XIMEI if p != "p-a2")
    return (
        # 2026-01-04 is a Sunday, but a make-up working day (调休) for New Year; period 1.
        _meeting(XIMEI, 1, "2026-01-04", 1, "v-ximei-hall", "p-a1", A_XIMEI),
        # Period 2, chair p-shared; p-a2 is on maternity leave: absent.
        _meeting(XIMEI, 2, "2026-04-15", 2, "v-ximei-hall", "p-shared", no_a2, ("p-a2",)),
        _meeting(XIMEI, 3, "2026-07-01", 1, "v-ximei-hall", "p-a1", A_XIMEI),  # period 4
        _meeting(XIMEI, 4, "2026-10-09", 1, "v-ximei-hall", "p-shared", A_XIMEI),  # period 5
        _meeting(SHUINUAN, 1, "2026-02-10", 2, "v-lc-hall", "p-b2", A_SHUINUAN),  # period 1
        # Same day and venue as ximei's Q2 meeting, but the morning slot; held in ximei.
        _meeting(SHUINUAN, 2, "2026-04-15", 1, "v-ximei-hall", "p-b1", A_SHUINUAN),
        _meeting(SHUINUAN, 3, "2026-08-03", 1, "v-lc-hall", "p-shared", A_SHUINUAN),  # p. 4
        _meeting(SHUINUAN, 4, "2026-12-31", 2, "v-lc-hall", "p-b1", A_SHUINUAN),  # p. 6
    )


@pytest.fixture(scope="module")
def valid() -> Plan:
    return Plan(
        instance="tiny-2026",
        year=2026,
        solve=SolveInfo(status="FEASIBLE"),
        rotation=tuple(
            _term(base, t, chair)
            for base, chairs in ROTATION.items()
            for t, chair in enumerate(chairs, start=1)
        ),
        meetings=_meetings(),
    )


# -- helpers deriving bad plans from the valid one ----------------------------------------


def _with_chair(plan: Plan, base: str, period: int, chair: str) -> Plan:
    rotation = tuple(
        t.model_copy(update={"chair": chair}) if (t.base, t.period) == (base, period) else t
        for t in plan.rotation
    )
    return plan.model_copy(update={"rotation": rotation})


def _with_meeting(plan: Plan, mid: str, **update) -> Plan:
    meetings = tuple(m.model_copy(update=update) if m.id == mid else m for m in plan.meetings)
    return plan.model_copy(update={"meetings": meetings})


def _moved(plan: Plan, mid: str, day: str, slot: int, **update) -> Plan:
    start, end = SLOTS[slot]
    return _with_meeting(plan, mid, start=_at(day, start), end=_at(day, end), **update)


def _only(violations: list[Violation], rule: str) -> list[str]:
    """Assert that every violation is of ``rule`` (and there is one); return messages."""
    assert violations, f"expected a {rule} violation, got none"
    assert {v.rule for v in violations} == {rule}, "\n".join(map(str, violations))
    return [v.message for v in violations]


# == the valid plan and the registries =====================================================


def test_valid_plan_has_no_violations(tiny: Instance, valid: Plan) -> None:
    assert check(tiny, valid) == []


def test_valid_plan_in_utc_has_no_violations(tiny: Instance, valid: Plan) -> None:
    # 09:00+08:00 is 01:00Z: the checker reads times in the instance's time zone.
    utc = dt.UTC
    meetings = tuple(
        m.model_copy(update={"start": m.start.astimezone(utc), "end": m.end.astimezone(utc)})
        for m in valid.meetings
    )
    assert check(tiny, valid.model_copy(update={"meetings": meetings})) == []


def _doc_rule_names(section: str) -> list[str]:
    text = DOCS.read_text(encoding="utf-8").split(f"## {section}")[1].split("\n## ")[0]
    return re.findall(r"^\| `(\w+)` \|", text, flags=re.M)


def test_rule_registries_follow_docs_order() -> None:
    assert list(HARD_RULES) == _doc_rule_names("Hard rules")
    assert list(SOFT_RULES) == _doc_rule_names("Soft rules")
    assert set(SOFT_RULES) == set(Weights.model_fields)


def test_expected_attendees_agree_with_the_model(tiny: Instance) -> None:
    # The checker recomputes A_b itself; the hand-derived lists and the model must agree.
    assert tiny.meeting_attendees(XIMEI) == A_XIMEI
    assert tiny.meeting_attendees(SHUINUAN) == A_SHUINUAN


def test_checker_does_not_import_ortools() -> None:
    code = (
        "import sys, xinglian.checker\n"
        "assert 'ortools' not in sys.modules, 'ortools imported'\n"
        "assert not any(m.startswith('xinglian.solver') for m in sys.modules), 'solver imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# == one bad plan per hard rule ============================================================


def test_one_chair_per_period_forbids_a_chair_off_the_presidium(tiny, valid) -> None:
    # p-e1 chairs an enterprise federation, not on fed-ximei's presidium (no meeting of
    # fed-ximei falls in period 3, so no host rule is touched).
    (msg,) = _only(check(tiny, _with_chair(valid, XIMEI, 3, "p-e1")), "one_chair_per_period")
    assert "张晓燕 (p-e1)" in msg and "霞美片区产业基地妇联" in msg and "presidium" in msg


def test_one_chair_per_period_forbids_a_missing_period(tiny, valid) -> None:
    rotation = tuple(t for t in valid.rotation if (t.base, t.period) != (XIMEI, 6))
    (msg,) = _only(
        check(tiny, valid.model_copy(update={"rotation": rotation})), "one_chair_per_period"
    )
    assert "霞美片区产业基地妇联 period 6 (2026-11-01..2026-12-31)" in msg


def test_one_chair_per_period_forbids_duplicate_terms_and_wrong_bounds(tiny, valid) -> None:
    twice = valid.model_copy(update={"rotation": (*valid.rotation, _term(XIMEI, 3, "p-a2"))})
    (msg,) = _only(check(tiny, twice), "one_chair_per_period")
    assert "2 rotation terms" in msg
    shifted = tuple(
        t.model_copy(update={"end": dt.date(2026, 6, 29)})
        if (t.base, t.period) == (XIMEI, 3)
        else t
        for t in valid.rotation
    )
    (msg,) = _only(
        check(tiny, valid.model_copy(update={"rotation": shifted})), "one_chair_per_period"
    )
    assert "2026-05-01..2026-06-29" in msg and "2026-05-01..2026-06-30" in msg


def test_chair_available_forbids_the_maternity_leave_chair(tiny, valid) -> None:
    # p-a2 takes period 2 (all of her leave), p-shared period 3; fed-ximei's Q2 meeting
    # moves into period 3 so that its host is still the period's chair.
    bad = _with_chair(_with_chair(valid, XIMEI, 2, "p-a2"), XIMEI, 3, "p-shared")
    bad = _moved(
        bad, f"mtg-{XIMEI}-q2", "2026-05-20", 2, host="p-shared", attendees=A_XIMEI, absent=()
    )
    assert _only(check(tiny, bad), "chair_available") == [
        "林秀英 (p-a2) chairs 霞美片区产业基地妇联 in period 2 (2026-03-01..2026-04-30) "
        "but is unavailable 61 days of it (产假); at most 10 allowed"
    ]


def test_one_presidium_at_a_time_forbids_both_bases_in_one_period(tiny, valid) -> None:
    # Swap fed-ximei's periods 4 and 5: p-shared then chairs both bases in period 4.
    bad = _with_chair(_with_chair(valid, XIMEI, 4, "p-shared"), XIMEI, 5, "p-a1")
    bad = _with_meeting(bad, f"mtg-{XIMEI}-q3", host="p-shared")  # 2026-07-01, period 4
    bad = _with_meeting(bad, f"mtg-{XIMEI}-q4", host="p-a1")  # 2026-10-09, period 5
    (msg,) = _only(check(tiny, bad), "one_presidium_at_a_time")
    assert "黄美玲 (p-shared)" in msg and "period 4 (2026-07-01..2026-08-31)" in msg
    assert "霞美片区产业基地妇联" in msg and "中国水暖城妇联" in msg


def test_max_terms_forbids_a_fourth_term(tiny, valid) -> None:
    # p-b1 already chairs shuinuan in periods 2, 3, 6; give her period 5 too.
    (msg,) = _only(check(tiny, _with_chair(valid, SHUINUAN, 5, "p-b1")), "max_terms")
    assert "王雅琴 (p-b1) holds 4 terms" in msg and "at most 3" in msg


def test_pinned_term_forbids_ignoring_a_pin_and_permits_keeping_it(valid) -> None:
    data = _tiny_data()
    data["pins"] = {"rotation": [{"base": XIMEI, "period": 3, "chair": "p-a1"}]}
    (msg,) = _only(check(_instance(data), valid), "pinned_term")
    assert "陈丽华 (p-a1) is pinned" in msg and "林秀英 (p-a2)" in msg
    data["pins"] = {"rotation": [{"base": XIMEI, "period": 3, "chair": "p-a2"}]}
    assert check(_instance(data), valid) == []


def test_meeting_per_quarter_forbids_a_missing_meeting(tiny, valid) -> None:
    meetings = tuple(m for m in valid.meetings if m.id != f"mtg-{SHUINUAN}-q3")
    (msg,) = _only(
        check(tiny, valid.model_copy(update={"meetings": meetings})), "meeting_per_quarter"
    )
    assert "中国水暖城妇联 has no joint meeting in quarter 3 (2026-07-01..2026-09-30)" in msg


def test_meeting_per_quarter_forbids_a_second_meeting(tiny, valid) -> None:
    first = valid.meetings[0]  # fed-ximei, 2026-01-04; a copy on Monday 2026-01-05
    extra = first.model_copy(
        update={"start": _at("2026-01-05", "09:00"), "end": _at("2026-01-05", "11:00")}
    )
    bad = valid.model_copy(update={"meetings": (*valid.meetings, extra)})
    (msg,) = _only(check(tiny, bad), "meeting_per_quarter")
    assert "2 joint meetings in quarter 1" in msg


def test_meeting_per_quarter_forbids_wrong_id_slot_and_window(tiny, valid) -> None:
    bad = _with_meeting(valid, f"mtg-{XIMEI}-q3", id="ximei-summer")
    (msg,) = _only(check(tiny, bad), "meeting_per_quarter")
    assert "'mtg-fed-ximei-q3'" in msg
    bad = _with_meeting(
        valid, f"mtg-{XIMEI}-q3", start=_at("2026-07-01", "09:30"), end=_at("2026-07-01", "11:30")
    )
    (msg,) = _only(check(tiny, bad), "meeting_per_quarter")
    assert "09:00-11:00, 14:30-16:30" in msg
    data = _tiny_data()
    data["meetings"]["earliest_day"] = 10  # windows start on day 10 of each quarter
    msgs = _only(check(_instance(data), valid), "meeting_per_quarter")
    # fed-ximei meets on 01-04 (day 4), 07-01 (day 1) and 10-09 (day 9): too early.
    assert len(msgs) == 3
    assert any(
        "2026-01-04, day 4 of quarter 1" in m and "2026-01-10..2026-03-31" in m for m in msgs
    )


def test_meeting_on_workday_forbids_national_day(tiny, valid) -> None:
    bad = _moved(valid, f"mtg-{XIMEI}-q4", "2026-10-01", 1)  # period 5, host p-shared
    (msg,) = _only(check(tiny, bad), "meeting_on_workday")
    assert "2026-10-01 (Thursday)" in msg and "National Day" in msg


def test_meeting_on_workday_forbids_a_plain_saturday(tiny, valid) -> None:
    bad = _moved(valid, f"mtg-{XIMEI}-q1", "2026-01-10", 1)
    (msg,) = _only(check(tiny, bad), "meeting_on_workday")
    assert "2026-01-10 (Saturday)" in msg


def test_meeting_on_workday_permits_make_up_weekend_days(tiny, valid) -> None:
    # The valid plan already meets on Sunday 2026-01-04; Saturday 2026-02-14 is the
    # Spring Festival make-up working day (period 1, shuinuan's chair p-b2).
    bad = _moved(valid, f"mtg-{SHUINUAN}-q1", "2026-02-14", 2)
    assert check(tiny, bad) == []


def test_meeting_on_workday_uses_the_calendar_it_is_given(tiny, valid) -> None:
    cal = WorkCalendar(
        2026, "test", {dt.date(2026, 7, 1): "建党节(test)"}, frozenset({dt.date(2026, 1, 4)})
    )
    (msg,) = _only(check(tiny, valid, cal), "meeting_on_workday")
    assert "2026-07-01" in msg and "建党节(test)" in msg
    # Without the make-up day, Sunday 2026-01-04 is no working day.
    assert len(_only(check(tiny, valid, WorkCalendar(2026, "bare")), "meeting_on_workday")) == 1


def test_meeting_on_workday_reports_a_missing_calendar_instead_of_raising(valid) -> None:
    data = _tiny_data()
    data["calendar"] = {"source": "instance"}  # no table: work_calendar raises
    (msg,) = _only(check(_instance(data), valid), "meeting_on_workday")
    assert "cannot tell working days" in msg


def test_meeting_venue_forbids_a_too_small_venue(valid) -> None:
    data = _tiny_data()
    data["venues"][0]["capacity"] = 4  # v-ximei-hall; fed-ximei expects 5, shuinuan 3
    msgs = _only(check(_instance(data), valid), "meeting_venue")
    assert len(msgs) == 4
    assert all("霞美镇妇女之家会议室 (capacity 4)" in m and "5 expected" in m for m in msgs)


def test_meeting_venue_forbids_a_closed_venue(valid) -> None:
    data = _tiny_data()
    data["venues"][1]["closures"] = [{"start": "2026-08-03", "end": "2026-08-03", "reason": "装修"}]
    (msg,) = _only(check(_instance(data), valid), "meeting_venue")
    assert "mtg-fed-shuinuan-q3" in msg and "仑苍镇政府三楼会议室" in msg and "装修" in msg


def test_meeting_venue_forbids_a_venue_without_meetings(valid) -> None:
    data = _tiny_data()
    data["venues"][1]["meetings"] = False
    msgs = _only(check(_instance(data), valid), "meeting_venue")
    assert len(msgs) == 3  # shuinuan Q1, Q3, Q4 are held there
    assert all("does not allow joint meetings" in m for m in msgs)


def test_meeting_host_forbids_a_host_who_is_not_the_chair(tiny, valid) -> None:
    bad = _with_meeting(valid, f"mtg-{XIMEI}-q3", host="p-a2")  # 2026-07-01: p-a1 chairs
    (msg,) = _only(check(tiny, bad), "meeting_host")
    assert "林秀英 (p-a2)" in msg and "陈丽华 (p-a1)" in msg
    assert "period 4 (2026-07-01..2026-08-31)" in msg


def test_meeting_host_forbids_an_unavailable_chair(valid) -> None:
    data = _tiny_data()
    data["people"][0]["unavailable"] = [
        {"start": "2026-07-01", "end": "2026-07-01", "reason": "病假"}
    ]  # p-a1; 1 day <= 10
    bad = _with_meeting(
        valid,
        f"mtg-{XIMEI}-q3",
        attendees=tuple(p for p in A_XIMEI if p != "p-a1"),
        absent=("p-a1",),
    )
    (msg,) = _only(check(_instance(data), bad), "meeting_host")
    assert "陈丽华 (p-a1), unavailable on 2026-07-01 (病假)" in msg


def test_meeting_attendees_forbids_listing_an_unavailable_person(tiny, valid) -> None:
    bad = _with_meeting(valid, f"mtg-{XIMEI}-q2", attendees=A_XIMEI, absent=())
    msgs = _only(check(tiny, bad), "meeting_attendees")
    assert len(msgs) == 2  # attendees lists her; absent misses her
    assert any("林秀英 (p-a2) is listed but unavailable on 2026-04-15 (产假)" in m for m in msgs)


def test_meeting_attendees_forbids_another_order_and_strangers(tiny, valid) -> None:
    bad = _with_meeting(valid, f"mtg-{SHUINUAN}-q1", attendees=("p-b2", "p-b1", "p-shared"))
    (msg,) = _only(check(tiny, bad), "meeting_attendees")
    assert "order" in msg
    bad = _with_meeting(valid, f"mtg-{SHUINUAN}-q1", attendees=(*A_SHUINUAN, "p-e1"))
    (msg,) = _only(check(tiny, bad), "meeting_attendees")
    assert "张晓燕 (p-e1) is not an expected attendee" in msg


def test_no_double_booking_person_forbids_p_shared_in_two_overlapping_meetings(tiny, valid):
    # shuinuan's Q2 meeting moves to the afternoon at its own venue: same time as
    # fed-ximei's Q2 meeting, and p-shared is expected at both.
    bad = _moved(valid, f"mtg-{SHUINUAN}-q2", "2026-04-15", 2, venue="v-lc-hall")
    (msg,) = _only(check(tiny, bad), "no_double_booking_person")
    assert "黄美玲 (p-shared) attends both" in msg and "2026-04-15 14:30-16:30" in msg


def test_no_double_booking_venue_forbids_two_meetings_in_one_room(valid) -> None:
    # p-shared is away on 2026-12-31, so the two bases share no attendee that day; both
    # meet in the afternoon at 仑苍镇政府三楼会议室.
    data = _tiny_data()
    data["people"][2]["unavailable"] = [
        {"start": "2026-12-31", "end": "2026-12-31", "reason": "出差"}
    ]
    bad = _with_meeting(
        valid, f"mtg-{SHUINUAN}-q4", attendees=("p-b1", "p-b2"), absent=("p-shared",)
    )
    bad = _moved(
        bad,
        f"mtg-{XIMEI}-q4",
        "2026-12-31",
        2,
        venue="v-lc-hall",
        host="p-a2",
        attendees=("p-a1", "p-a2", "p-e1", "p-t1"),
        absent=("p-shared",),
    )
    (msg,) = _only(check(_instance(data), bad), "no_double_booking_venue")
    assert "仑苍镇政府三楼会议室 holds both" in msg


def test_pinned_meeting_forbids_ignoring_a_pin_and_permits_keeping_it(valid) -> None:
    data = _tiny_data()
    data["pins"] = {
        "meetings": [
            {"base": XIMEI, "quarter": 3, "date": "2026-07-02"},
            {"base": SHUINUAN, "quarter": 4, "venue": "v-lc-hall", "slot": 1},
        ]
    }
    msgs = _only(check(_instance(data), valid), "pinned_meeting")
    assert len(msgs) == 2
    assert any("pinned to 2026-07-02 but is on 2026-07-01" in m for m in msgs)
    assert any("pinned to slot 1 (09:00-11:00)" in m for m in msgs)
    data["pins"] = {
        "meetings": [
            {"base": XIMEI, "quarter": 1, "date": "2026-01-04", "venue": "v-ximei-hall", "slot": 1},
        ]
    }
    assert check(_instance(data), valid) == []


def test_unknown_ids_are_violations_not_exceptions(tiny, valid) -> None:
    bad = _with_chair(valid, XIMEI, 1, "p-ghost")
    bad = _with_meeting(
        bad, f"mtg-{XIMEI}-q1", host="p-ghost", venue="v-nowhere", attendees=(*A_XIMEI, "p-ghost")
    )
    ghost_meeting = valid.meetings[4].model_copy(
        update={
            "id": "mtg-fed-ghost-q5",
            "base": "fed-ghost",
            "quarter": 5,
            "start": _at("2026-03-03", "09:00"),
            "end": _at("2026-03-03", "11:00"),
            "venue": "v-nowhere",
        }
    )
    bad = bad.model_copy(
        update={
            "rotation": (
                *bad.rotation,
                _term(XIMEI, 1, "p-a1").model_copy(update={"base": "fed-ghost"}),
                _term(XIMEI, 1, "p-a1").model_copy(update={"period": 7}),
            ),
            "meetings": (*bad.meetings, ghost_meeting),
        }
    )
    found = check(tiny, bad)
    rules = {v.rule for v in found}
    assert {
        "one_chair_per_period",
        "meeting_per_quarter",
        "meeting_venue",
        "meeting_host",
        "meeting_attendees",
    } <= rules
    text = "\n".join(v.message for v in found)
    assert "'p-ghost' (not a person of the instance)" in text
    assert "'v-nowhere' (not a venue of the instance)" in text
    assert "'fed-ghost' (not a base federation of the instance)" in text
    assert "period 7" in text
    assert found == sorted(found, key=lambda v: (HARD_RULES.index(v.rule), v.message))
    assert isinstance(score(tiny, bad), Score)  # no exception either


# == score ==================================================================================


def test_score_of_the_valid_plan(tiny: Instance, valid: Plan) -> None:
    s = score(tiny, valid)
    # back_to_back: ximei period 1 p-a1 = history 2025 period 6 p-a1 (1); shuinuan period 1
    #   p-b2 = history p-b2 (1) and periods 2, 3 both p-b1 (1); nothing else repeats. -> 3
    # short_gap, n_b = 3, G = (year - 2026) * 6 + period, so history 2025/6 is G = 0.
    #   Two terms g apart share n_b - g of the 3-period windows, so per pair:
    #   ximei p-a1 {0, 1, 4}: 3-1 = 2, 3-4 < 0, 3-3 = 0 -> 2; p-a2 {3, 6}: 0; p-shared
    #   {2, 5}: 0. shuinuan p-b2 {0, 1, 5}: 2 + 0 + 0 -> 2; p-b1 {2, 3, 6}: 2 + 0 + 0
    #   -> 2; p-shared {4}: no pair. -> 6
    # uneven_terms: ximei 2/2/2 -> 0; shuinuan p-b1 3, p-b2 2, p-shared 1 -> 2. -> 2
    # undesired_period: p-b2 would rather not chair period 1 and does (shuinuan). -> 1
    # not_preferred_period: p-shared prefers 2, 5: ximei 2 and 5 fine, shuinuan 4 not. -> 1
    # missed_attendance: p-a2 absent from ximei's Q2 meeting. -> 1
    # meeting_outside_town: shuinuan (luncang) meets at v-ximei-hall (ximei) in Q2. -> 1
    # late_meeting (earliest_day 1, so the window starts on the quarter's first day):
    #   ximei 01-04: 3//7 = 0, 04-15: 14//7 = 2, 07-01: 0, 10-09: 8//7 = 1;
    #   shuinuan 02-10: 40//7 = 5, 04-15: 2, 08-03: 33//7 = 4, 12-31: 91//7 = 13. -> 27
    assert s.amounts == {
        "back_to_back": 3,
        "short_gap": 6,
        "uneven_terms": 2,
        "undesired_period": 1,
        "not_preferred_period": 1,
        "missed_attendance": 1,
        "meeting_outside_town": 1,
        "late_meeting": 27,
        # tiny.yaml has no hosting: no venue offers slots, no federation hosts, no theme.
        "hosting_share": 0,
        "hosting_carry_over": 0,
        "hosting_spread": 0,
        "hosting_outside_town": 0,
        "theme_off_date": 0,
        "empty_slot": 0,
        # tiny.yaml has no volunteers, activities, children nor caring mothers.
        "unfilled_role": 0,
        "volunteer_overload": 0,
        "disliked_kind": 0,
        "travel_time": 0,
        "series_change": 0,
        "no_lead": 0,
        "care_new_mother": 0,
        "care_outside_town": 0,
        "festival_off_date": 0,
        # no terms in tiny.yaml: the term of work costs nothing
        "visit_spread": 0,
        "regional_chair_load": 0,
        "late_signature_activity": 0,
    }
    # 100*3 + 10*6 + 20*2 + 30*1 + 5*1 + 20*1 + 5*1 + 1*27 = 487
    assert s.total == 487
    assert s.cost("back_to_back") == 300
    assert s.total == sum(s.cost(r) for r in SOFT_RULES)


def test_score_short_gap_counts_windows_not_pairs_for_three_close_terms(tiny, valid) -> None:
    # shuinuan becomes p-b2, p-b1, p-b1, p-b1, p-b2, p-shared (n_b = 3; windows start at
    # s = -1..5). p-b1 {2, 3, 4}: windows [1,3] -> 2 terms (1), [2,4] -> 3 terms (2),
    # [3,5] -> 2 terms (1): 4 -- where summing over pairs would give 2 + 1 + 2 = 5.
    # p-b2 {0 (history), 1, 5}: [-1,1] and [0,2] hold 0 and 1 -> 2. p-shared {6}: 0.
    # ximei is unchanged: p-a1 {0, 1, 4} -> 2. Total 4 + 2 + 2 = 8.
    plan = valid
    for t, chair in enumerate(("p-b2", "p-b1", "p-b1", "p-b1", "p-b2", "p-shared"), start=1):
        plan = _with_chair(plan, SHUINUAN, t, chair)
    assert score(tiny, plan).amounts["short_gap"] == 8


def test_score_late_meeting_counts_from_the_window_start(valid) -> None:
    data = _tiny_data()
    data["meetings"]["earliest_day"] = 2  # windows start on the 2nd day of each quarter
    # fed-ximei's Q3 meeting moves from 07-01 (day 1, now too early) to 07-09.
    s = score(_instance(data), _moved(valid, f"mtg-{XIMEI}-q3", "2026-07-09", 1))
    # ximei 01-04: 2//7=0, 04-15: 13//7=1, 07-09: 7//7=1, 10-09: 7//7=1;
    # shuinuan 02-10: 39//7=5, 04-15: 1, 08-03: 32//7=4, 12-31: 90//7=12. -> 25
    assert s.amounts["late_meeting"] == 25


def test_weight_zero_switches_a_rule_off(valid) -> None:
    data = _tiny_data()
    data["weights"] = {"back_to_back": 0}
    s = score(_instance(data), valid)
    assert s.amounts["back_to_back"] == 3  # still measured
    assert s.cost("back_to_back") == 0
    assert s.total == 487 - 300


def test_score_takes_missed_attendance_from_the_date(tiny, valid) -> None:
    # Moving fed-ximei's Q2 meeting to 2026-05-20, after p-a2's leave, removes the
    # absence even though the plan still lists her as absent (which `check` flags).
    moved = _moved(valid, f"mtg-{XIMEI}-q2", "2026-05-20", 2)
    assert score(tiny, moved).amounts["missed_attendance"] == 0


def test_violation_reads_as_rule_and_message() -> None:
    v = Violation("max_terms", "x holds 4 terms")
    assert str(v) == "max_terms: x holds 4 terms"
