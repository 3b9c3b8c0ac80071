"""The independent checker on volunteering (巾帼志愿者) and caring mothers (爱心妈妈): one
valid hand-made plan, one bad plan per new hard rule (and the widened
``no_double_booking_person``), each flagged by exactly that rule, and the soft amounts
derived by hand. No solver.

The instance (2026, holidays from chinesecalendar), towns 霞美镇 (ximei) and 仑苍镇
(luncang), 40 minutes apart (`travel`):

- People: p-chair 陈丽华 (ximei), chair of fed-base; m-2 黄美玲 (luncang), its vice-chair
  and a caring mother; m-1 林秀英 (ximei), caring mother and volunteer (tutoring,
  counselling; away 2026-05-16..17, 培训); volunteers v-1 何丽 (ximei; first_aid,
  tutoring; 普通话, 闽南语; Saturdays 08:00-17:00; at most 2 activities a month;
  dislikes training; experienced), v-2 郑敏 (ximei; tutoring; Saturdays 08:00-12:00),
  v-3 蔡晓红 (luncang; tutoring, photography; 闽南语; at most 4 hours a month).
- Activities (all 2026, Saturdays):
  act-1 社区义诊 03-07 09:00-12:00 ximei, lead required: 急救员 (first_aid, 1),
  助手 (1..2), 讲解员 (闽南语, 1);
  act-2 亲子课堂（一） 03-07 14:00-16:00 luncang, series s-class: 辅导员 (tutoring, 2,
  no max, so at most 2);
  act-3 亲子课堂（二） 03-14 14:00-16:00 luncang, series s-class, lead required:
  辅导员 (tutoring, 2..3).
  Pin: v-3 is 辅导员 of act-2.
- Children c-01 and c-02, both in ximei. Care: at most 2 children a mother, 45 minutes
  away; one meet (10:00, 12:00 or 15:00, 90 minutes) and one talk (19:30, 45 minutes)
  per quarter on sat/sun; two festival visits (10:00, 120 minutes) among 春节 02-17,
  端午节 06-19, 中秋节 09-25, window 3 days.
- history.care: c-02 was m-1's in 2025; c-01 was p-chair's in 2025 (no longer a caring
  mother) and m-2's in 2024.
- fed-base (ximei) has the presidium p-chair, m-2 (periods of 6 months) and meets at
  霞美镇政府会议室 09:00-11:00 on 03-10, 06-16, 07-14 and 10-13 (Tuesdays).

The valid plan: act-1 急救员 v-1, 助手 v-2 (讲解员 left empty); act-2 辅导员 v-3, v-1;
act-3 辅导员 v-3, m-1. Pairs m-1 + c-01 and m-2 + c-02, visits as in ``VISITS``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from xinglian.checker import HARD_RULES, SOFT_RULES, Score, Violation, check, score
from xinglian.checker.volunteering import weekly_covers
from xinglian.models import Instance, Meeting, Plan, RotationTerm, SolveInfo
from xinglian.models.plan import Care, CarePair, CareVisit, Volunteering
from xinglian.models.volunteering import WeeklySpan

CST = dt.timezone(dt.timedelta(hours=8))
CHILD_SECRETS = ("小红", "小明", "霞美镇东村12号", "霞美镇西村34号")
NEW_HARD = (
    "volunteer_eligible",
    "role_headcount",
    "volunteer_monthly_load",
    "pinned_volunteering",
    "care_pairing",
    "care_rhythm",
    "care_visit_time",
)
NEW_SOFT = (
    "unfilled_role",
    "volunteer_overload",
    "disliked_kind",
    "travel_time",
    "series_change",
    "no_lead",
    "care_new_mother",
    "care_outside_town",
    "festival_off_date",
)


def _data() -> dict:
    return {
        "id": "volunteering-2026",
        "name": "巾帼志愿与爱心妈妈测试",
        "year": 2026,
        "calendar": {"source": "chinesecalendar"},
        "rotation": {"period_months": 6},
        "towns": [{"id": "ximei", "name": "霞美镇"}, {"id": "luncang", "name": "仑苍镇"}],
        "travel": [{"a": "ximei", "b": "luncang", "minutes": 40}],
        "people": [
            {"id": "p-chair", "name": "陈丽华", "town": "ximei"},
            {"id": "m-2", "name": "黄美玲", "town": "luncang", "caring_mother": True},
            {
                "id": "m-1",
                "name": "林秀英",
                "town": "ximei",
                "caring_mother": True,
                "unavailable": [{"start": "2026-05-16", "end": "2026-05-17", "reason": "培训"}],
                "volunteer": {"skills": ["tutoring", "counselling"]},
            },
            {
                "id": "v-1",
                "name": "何丽",
                "town": "ximei",
                "volunteer": {
                    "skills": ["first_aid", "tutoring"],
                    "languages": ["普通话", "闽南语"],
                    "weekly": [{"days": ["sat"], "start": "08:00", "end": "17:00"}],
                    "max_activities_per_month": 2,
                    "likes": ["volunteer_service"],
                    "dislikes": ["training"],
                    "experienced": True,
                },
            },
            {
                "id": "v-2",
                "name": "郑敏",
                "town": "ximei",
                "volunteer": {
                    "skills": ["tutoring"],
                    "weekly": [{"days": ["sat"], "start": "08:00", "end": "12:00"}],
                },
            },
            {
                "id": "v-3",
                "name": "蔡晓红",
                "town": "luncang",
                "volunteer": {
                    "skills": ["tutoring", "photography"],
                    "languages": ["普通话", "闽南语"],
                    "max_hours_per_month": 4,
                    "likes": ["training"],
                },
            },
        ],
        "federations": [
            {
                "id": "fed-base",
                "name": "霞美片区产业基地妇联",
                "kind": "base",
                "town": "ximei",
                "chair": "p-chair",
                "vice_chairs": ["m-2"],
            }
        ],
        "venues": [{"id": "v-hall", "name": "霞美镇政府会议室", "town": "ximei", "capacity": 20}],
        "activities": [
            {
                "id": "act-1",
                "kind": "volunteer_service",
                "title": "社区义诊",
                "date": "2026-03-07",
                "start": "09:00",
                "end": "12:00",
                "town": "ximei",
                "lead_required": True,
                "roles": [
                    {"role": "急救员", "skill": "first_aid", "min": 1},
                    {"role": "助手", "min": 1, "max": 2},
                    {"role": "讲解员", "language": "闽南语", "min": 1},
                ],
            },
            {
                "id": "act-2",
                "kind": "training",
                "title": "亲子课堂（一）",
                "date": "2026-03-07",
                "start": "14:00",
                "end": "16:00",
                "town": "luncang",
                "series": "s-class",
                "roles": [{"role": "辅导员", "skill": "tutoring", "min": 2}],
            },
            {
                "id": "act-3",
                "kind": "training",
                "title": "亲子课堂（二）",
                "date": "2026-03-14",
                "start": "14:00",
                "end": "16:00",
                "town": "luncang",
                "series": "s-class",
                "lead_required": True,
                "roles": [{"role": "辅导员", "skill": "tutoring", "min": 2, "max": 3}],
            },
        ],
        "children": [
            {"code": "c-01", "name": "小红", "address": "霞美镇东村12号", "town": "ximei",
             "age": 9},
            {"code": "c-02", "name": "小明", "address": "霞美镇西村34号", "town": "ximei",
             "age": 12, "needs": ["tutoring"]},
        ],
        "care": {
            "max_travel_minutes": 45,
            "meet_times": ["10:00", "12:00", "15:00"],
            "festivals": [
                {"name": "春节", "date": "2026-02-17"},
                {"name": "端午节", "date": "2026-06-19"},
                {"name": "中秋节", "date": "2026-09-25"},
            ],
        },
        "history": {
            "care": [
                {"mother": "m-1", "child": "c-02", "year": 2025},
                {"mother": "p-chair", "child": "c-01", "year": 2025},
                {"mother": "m-2", "child": "c-01", "year": 2024},
            ]
        },
        "pins": {
            "volunteering": [
                {"activity": "act-2", "person": "v-3", "role": "辅导员", "reason": "本镇骨干"}
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


MINUTES = {"meet": 90, "talk": 45, "festival": 120}
ASSIGNMENTS = (
    ("act-1", "v-1", "急救员"),
    ("act-1", "v-2", "助手"),
    ("act-2", "v-3", "辅导员"),
    ("act-2", "v-1", "辅导员"),
    ("act-3", "v-3", "辅导员"),
    ("act-3", "m-1", "辅导员"),
)
PAIRS = (("m-1", "c-01"), ("m-2", "c-02"))
# child -> (mother, [(id suffix, day, start)]); meets and talks on Saturdays/Sundays.
VISITS = {
    "c-01": ("m-1", [
        ("q1-meet1", "2026-03-21", "10:00"), ("q1-talk1", "2026-03-22", "19:30"),
        ("q2-meet1", "2026-04-11", "10:00"), ("q2-talk1", "2026-04-12", "19:30"),
        ("q3-meet1", "2026-07-11", "15:00"), ("q3-talk1", "2026-07-12", "19:30"),
        ("q4-meet1", "2026-10-17", "12:00"), ("q4-talk1", "2026-10-18", "19:30"),
        ("f1", "2026-02-17", "10:00"),  # 春节 itself: 0 days off
        ("f3", "2026-09-26", "10:00"),  # 中秋节 + 1
    ]),
    "c-02": ("m-2", [
        ("q1-meet1", "2026-03-28", "10:00"), ("q1-talk1", "2026-03-29", "19:30"),
        ("q2-meet1", "2026-06-06", "10:00"), ("q2-talk1", "2026-06-07", "19:30"),
        ("q3-meet1", "2026-08-08", "15:00"), ("q3-talk1", "2026-08-09", "19:30"),
        ("q4-meet1", "2026-11-14", "10:00"), ("q4-talk1", "2026-11-15", "19:30"),
        ("f2", "2026-06-20", "10:00"),  # 端午节 + 1
        ("f3", "2026-09-27", "10:00"),  # 中秋节 + 2
    ]),
}
MEETING_DAYS = ("2026-03-10", "2026-06-16", "2026-07-14", "2026-10-13")


def _kind(suffix: str) -> str:
    return "meet" if "meet" in suffix else "talk" if "talk" in suffix else "festival"


def _visit(vid: str, mother: str, child: str, kind: str, day: str, start: str,
           minutes: int | None = None) -> CareVisit:
    begin = _at(day, start)
    end = begin + dt.timedelta(minutes=minutes if minutes is not None else MINUTES[kind])
    return CareVisit(id=vid, mother=mother, child=child, kind=kind, start=begin, end=end)


def _visits() -> tuple[CareVisit, ...]:
    return tuple(
        _visit(f"visit-{child}-2026-{suffix}", mother, child, _kind(suffix), day, start)
        for child, (mother, rows) in VISITS.items()
        for suffix, day, start in rows
    )


def _meetings() -> tuple[Meeting, ...]:
    # Quarters 1, 2 in period 1 (p-chair), 3, 4 in period 2 (m-2).
    return tuple(
        Meeting(
            id=f"mtg-fed-base-q{q}",
            base="fed-base",
            quarter=q,
            start=_at(day, "09:00"),
            end=_at(day, "11:00"),
            venue="v-hall",
            host="p-chair" if q <= 2 else "m-2",
            attendees=("p-chair", "m-2"),
        )
        for q, day in enumerate(MEETING_DAYS, start=1)
    )


def _plan(assignments=ASSIGNMENTS, pairs=PAIRS, visits=None) -> Plan:
    return Plan(
        instance="volunteering-2026",
        year=2026,
        solve=SolveInfo(status="FEASIBLE"),
        rotation=(
            RotationTerm(base="fed-base", period=1, start=dt.date(2026, 1, 1),
                         end=dt.date(2026, 6, 30), chair="p-chair"),
            RotationTerm(base="fed-base", period=2, start=dt.date(2026, 7, 1),
                         end=dt.date(2026, 12, 31), chair="m-2"),
        ),
        meetings=_meetings(),
        volunteering=tuple(Volunteering(activity=a, person=p, role=r) for a, p, r in assignments),
        care=Care(
            pairs=tuple(CarePair(mother=m, child=c) for m, c in pairs),
            visits=_visits() if visits is None else visits,
        ),
    )


@pytest.fixture(scope="module")
def valid() -> Plan:
    return _plan()


# -- helpers deriving bad plans from the valid one ----------------------------------------


def _assign(plan: Plan, *rows: tuple[str, str, str]) -> Plan:
    extra = tuple(Volunteering(activity=a, person=p, role=r) for a, p, r in rows)
    return plan.model_copy(update={"volunteering": (*plan.volunteering, *extra)})


def _unassign(plan: Plan, *rows: tuple[str, str, str]) -> Plan:
    kept = tuple(v for v in plan.volunteering if (v.activity, v.person, v.role) not in rows)
    assert len(kept) == len(plan.volunteering) - len(rows)
    return plan.model_copy(update={"volunteering": kept})


def _care(plan: Plan, pairs=None, visits=None) -> Plan:
    care = Care(
        pairs=plan.care.pairs if pairs is None else tuple(
            CarePair(mother=m, child=c) for m, c in pairs),
        visits=plan.care.visits if visits is None else visits,
    )
    return plan.model_copy(update={"care": care})


def _with_visit(plan: Plan, vid: str, **update) -> Plan:
    assert any(v.id == vid for v in plan.care.visits)
    visits = tuple(v.model_copy(update=update) if v.id == vid else v for v in plan.care.visits)
    return _care(plan, visits=visits)


def _moved_visit(plan: Plan, vid: str, day: str, start: str, minutes: int | None = None,
                 **update) -> Plan:
    v = next(v for v in plan.care.visits if v.id == vid)
    begin = _at(day, start)
    length = minutes if minutes is not None else MINUTES[v.kind]
    return _with_visit(plan, vid, start=begin, end=begin + dt.timedelta(minutes=length),
                       **update)


def _without_visits(plan: Plan, pred) -> Plan:
    return _care(plan, visits=tuple(v for v in plan.care.visits if not pred(v)))


def _only(violations: list[Violation], rule: str) -> list[str]:
    """Assert that every violation is of ``rule`` (and there is one); return messages.
    No message ever names a child or gives her address (隐私保护)."""
    assert violations, f"expected a {rule} violation, got none"
    assert {v.rule for v in violations} == {rule}, "\n".join(map(str, violations))
    for v in violations:
        assert not any(secret in v.message for secret in CHILD_SECRETS), v.message
    return [v.message for v in violations]


# == the valid plan ==========================================================================


def test_the_new_rules_are_registered_in_docs_order() -> None:
    # (the term of work's rules come after them: models/term.py)
    h, s = HARD_RULES.index(NEW_HARD[0]), SOFT_RULES.index(NEW_SOFT[0])
    assert HARD_RULES[h:h + len(NEW_HARD)] == NEW_HARD
    assert HARD_RULES.index("no_double_booking_person") < h
    assert SOFT_RULES[s:s + len(NEW_SOFT)] == NEW_SOFT


def test_valid_plan_has_no_violations(inst, valid) -> None:
    assert check(inst, valid) == []


def test_valid_plan_in_utc_has_no_violations(inst, valid) -> None:
    visits = tuple(
        v.model_copy(update={"start": v.start.astimezone(dt.UTC), "end": v.end.astimezone(dt.UTC)})
        for v in valid.care.visits
    )
    assert check(inst, _care(valid, visits=visits)) == []


def test_score_of_the_valid_plan(inst, valid) -> None:
    s = score(inst, valid)
    # unfilled_role: act-1 讲解员 has nobody of its min 1; every other role is full.     -> 1
    # volunteer_overload: sum of min = 1 + 1 + 1 (act-1) + 2 (act-2) + 2 (act-3) = 7 over
    #   4 volunteers (v-1, v-2, v-3, m-1; m-2 has no profile): k = ceil(7/4) = 2;
    #   assignments v-1 2, v-2 1, v-3 2, m-1 1: nobody above 2.                     -> 0
    # disliked_kind: v-1 dislikes training and serves at act-2 (training).            -> 1
    # travel_time (40 // 15 = 2 per crossing): v-1 ximei -> act-2 luncang 2, m-1 ximei ->
    #   act-3 luncang 2; v-3 lives in luncang, v-2 and v-1 at act-1 stay in ximei.    -> 4
    # series_change: s-class has {v-3, v-1} and {v-3, m-1}: 3 distinct - 2 at most.   -> 1
    # no_lead: act-1 has v-1 (experienced); act-3 has v-3 and m-1, neither.           -> 1
    # care_new_mother: c-02 was m-1's in 2025, m-1 is still a caring mother, c-02 is now
    #   m-2's (1); c-01 was p-chair's in 2025, but p-chair is no caring mother any more,
    #   and m-2's 2024 pairing is not last year's (0).                                -> 1
    # care_outside_town: m-2 lives in luncang, c-02 in ximei.                         -> 1
    # festival_off_date: c-01 f1 02-17 (0), f3 09-26 (1); c-02 f2 06-20 (1), f3 09-27 (2). -> 4
    assert {r: s.amounts[r] for r in NEW_SOFT} == {
        "unfilled_role": 1,
        "volunteer_overload": 0,
        "disliked_kind": 1,
        "travel_time": 4,
        "series_change": 1,
        "no_lead": 1,
        "care_new_mother": 1,
        "care_outside_town": 1,
        "festival_off_date": 4,
    }
    # The rest: alternating chairs, everyone present, no hosting; late_meeting
    # 03-10: 68 // 7 = 9, 06-16: 76 // 7 = 10, 07-14: 13 // 7 = 1, 10-13: 12 // 7 = 1 -> 21.
    assert {r: a for r, a in s.amounts.items() if a and r not in NEW_SOFT} == {"late_meeting": 21}
    # 100*1 + 10*1 + 1*4 + 3*1 + 30*1 + 50*1 + 5*1 + 2*4 = 210, + 1*21 = 231
    assert s.total == 231 == sum(s.cost(r) for r in SOFT_RULES)


def test_score_volunteer_overload_and_series_change_follow_the_assignments(inst, valid) -> None:
    # v-1 also at act-3: she has 3 assignments, k = 2 -> overload 1. s-class then has
    # {v-3, v-1} and {v-3, m-1, v-1}: 3 distinct - 3 -> 0. No lead missing any more;
    # v-1 now serves at two trainings (disliked 2) and crosses to luncang twice (travel 6).
    s = score(inst, _assign(valid, ("act-3", "v-1", "辅导员")))
    assert {r: s.amounts[r] for r in NEW_SOFT[:6]} == {
        "unfilled_role": 1,
        "volunteer_overload": 1,
        "disliked_kind": 2,
        "travel_time": 6,
        "series_change": 0,
        "no_lead": 0,
    }
    # Nobody at act-3: 2 roles of min 2 unfilled on top (1 + 2 = 3); series {v-3, v-1} vs
    # {} -> 2 - 2 = 0; act-3 has no lead.
    bare = _unassign(valid, ("act-3", "v-3", "辅导员"), ("act-3", "m-1", "辅导员"))
    s = score(inst, bare)
    assert (s.amounts["unfilled_role"], s.amounts["series_change"], s.amounts["no_lead"]) == (
        3, 0, 1)


def test_score_volunteer_overload_is_zero_without_volunteers(valid) -> None:
    data = _data()
    for p in data["people"]:
        p.pop("volunteer", None)
    data["pins"] = {}
    assert score(_instance(data), valid).amounts["volunteer_overload"] == 0


def test_score_care_new_mother_counts_a_child_kept_from_her_mother(inst, valid) -> None:
    # c-02 back with m-1 (last year's mother): 0; c-01 with m-2 instead, but c-01's only
    # 2025 mother p-chair is no caring mother: 0. Both mothers in ximei/luncang swap:
    # m-2 (luncang) with c-01 (ximei) -> outside town 1.
    swapped = _care(valid, pairs=(("m-2", "c-01"), ("m-1", "c-02")))
    s = score(inst, swapped)
    assert (s.amounts["care_new_mother"], s.amounts["care_outside_town"]) == (0, 1)
    # m-1 no longer a caring mother: c-02's move to m-2 costs nothing.
    data = _data()
    data["people"][2]["caring_mother"] = False
    assert score(_instance(data), valid).amounts["care_new_mother"] == 0


def test_score_festival_off_date_reads_the_festival_from_the_id(inst, valid) -> None:
    # c-01's 09-26 visit renamed f2 (端午节 06-19): 99 days instead of 1 (care_rhythm
    # flags it, the amount still follows the id): 0 + 99 + 1 + 2 = 102.
    bad = _with_visit(valid, "visit-c-01-2026-f3", id="visit-c-01-2026-f2")
    assert score(inst, bad).amounts["festival_off_date"] == 102


# == volunteer_eligible ======================================================================


def test_volunteer_eligible_forbids_a_missing_skill(inst, valid) -> None:
    # v-2 (tutoring only) becomes act-1's 急救员 (first_aid) instead of v-1 and of her 助手.
    bad = _unassign(valid, ("act-1", "v-1", "急救员"), ("act-1", "v-2", "助手"))
    bad = _assign(bad, ("act-1", "v-2", "急救员"))
    (msg,) = _only(check(inst, bad), "volunteer_eligible")
    assert "郑敏 (v-2) as 急救员 at 社区义诊 (act-1, 2026-03-07 09:00-12:00)" in msg
    assert "'first_aid'" in msg


def test_volunteer_eligible_forbids_a_missing_language(inst, valid) -> None:
    bad = _unassign(valid, ("act-1", "v-2", "助手"))
    bad = _assign(bad, ("act-1", "v-2", "讲解员"))
    (msg,) = _only(check(inst, bad), "volunteer_eligible")
    assert "郑敏 (v-2)" in msg and "闽南语" in msg


def test_volunteer_eligible_forbids_a_time_outside_her_weekly_pattern(inst, valid) -> None:
    # v-2 is free on Saturdays 08:00-12:00; act-3 is 14:00-16:00 (it has room for a third).
    (msg,) = _only(check(inst, _assign(valid, ("act-3", "v-2", "辅导员"))), "volunteer_eligible")
    assert "郑敏 (v-2)" in msg and "sat 08:00-12:00" in msg
    assert "2026-03-14 (Saturday) 14:00-16:00" in msg


def test_weekly_pattern_must_cover_the_whole_time_spans_together() -> None:
    sat = dt.date(2026, 3, 7)
    spans = (
        WeeklySpan(days=("sat",), start="08:00", end="10:30"),
        WeeklySpan(days=("sat",), start="10:30", end="12:00"),
        WeeklySpan(days=("sun",), start="12:00", end="18:00"),
    )
    assert weekly_covers(spans, sat, 9 * 60, 12 * 60)  # the two Saturday spans together
    assert not weekly_covers(spans, sat, 9 * 60, 12 * 60 + 1)
    assert not weekly_covers(spans, sat, 7 * 60 + 59, 9 * 60)
    assert not weekly_covers(spans[:1] + spans[2:], sat, 9 * 60, 12 * 60)  # a gap
    assert weekly_covers((), sat, 0, 24 * 60)  # no pattern: any time


def test_volunteer_eligible_forbids_an_unavailable_day(valid) -> None:
    data = _data()
    data["people"][3]["unavailable"] = [
        {"start": "2026-03-07", "end": "2026-03-07", "reason": "病假"}
    ]  # v-1, at act-1 and act-2 that day
    msgs = _only(check(_instance(data), valid), "volunteer_eligible")
    assert len(msgs) == 2
    assert all("何丽 (v-1)" in m and "unavailable on 2026-03-07 (Saturday) (病假)" in m
               for m in msgs)


def test_volunteer_eligible_forbids_a_volunteer_too_far_away(valid) -> None:
    data = _data()
    data["volunteering"] = {"max_travel_minutes": 30}
    msgs = _only(check(_instance(data), valid), "volunteer_eligible")
    # v-1 (ximei) at act-2 and m-1 (ximei) at act-3, both in luncang, 40 minutes away.
    assert len(msgs) == 2
    assert any("何丽 (v-1)" in m and "亲子课堂（一） (act-2" in m for m in msgs)
    assert any("林秀英 (m-1)" in m and "亲子课堂（二） (act-3" in m for m in msgs)
    assert all("she lives in 霞美镇, 40 minutes from 仑苍镇; at most 30" in m for m in msgs)


def test_volunteer_eligible_forbids_a_person_without_a_volunteer_profile(inst, valid) -> None:
    (msg,) = _only(check(inst, _assign(valid, ("act-3", "p-chair", "辅导员"))),
                   "volunteer_eligible")
    assert "陈丽华 (p-chair)" in msg and "not a volunteer" in msg


# == role_headcount ==========================================================================


def test_role_headcount_forbids_more_than_max_or_min(inst, valid) -> None:
    # act-2's 辅导员 has min 2 and no max: at most 2. m-1 (free, 40 minutes) as a third.
    (msg,) = _only(check(inst, _assign(valid, ("act-2", "m-1", "辅导员"))), "role_headcount")
    assert "role 辅导员 of 亲子课堂（一） (act-2, 2026-03-07 14:00-16:00) has 3 people" in msg
    assert "at most 2 (its min; max is unset)" in msg


def test_role_headcount_forbids_two_roles_in_one_activity(inst, valid) -> None:
    # v-1 speaks 闽南语: eligible for 讲解员, but she already is act-1's 急救员.
    (msg,) = _only(check(inst, _assign(valid, ("act-1", "v-1", "讲解员"))), "role_headcount")
    assert "何丽 (v-1) holds 2 roles in 社区义诊 (act-1" in msg
    assert "急救员, 讲解员" in msg


# == volunteer_monthly_load ==================================================================


def test_volunteer_monthly_load_forbids_too_many_activities(inst, valid) -> None:
    # v-1 (at most 2 a month) at act-1 and act-2 already; act-3 has room for a third.
    (msg,) = _only(check(inst, _assign(valid, ("act-3", "v-1", "辅导员"))),
                   "volunteer_monthly_load")
    assert "何丽 (v-1) has 3 activities in 2026-03" in msg and "at most 2" in msg


def test_volunteer_monthly_load_forbids_too_many_hours(inst, valid) -> None:
    # v-3 (at most 4 hours a month) has act-2 and act-3 (2 + 2 hours). As act-1's 助手 too
    # (3 hours in ximei, ending 12:00: time enough to reach act-2 in luncang at 14:00) she
    # has 3 activities (at most 4 by default) but 7 hours.
    (msg,) = _only(check(inst, _assign(valid, ("act-1", "v-3", "助手"))),
                   "volunteer_monthly_load")
    assert "蔡晓红 (v-3) has 7 hours of activities in 2026-03" in msg and "at most 4" in msg


# == pinned_volunteering =====================================================================


def test_pinned_volunteering_forbids_ignoring_a_pin(inst, valid) -> None:
    bad = _unassign(valid, ("act-2", "v-3", "辅导员"))
    bad = _assign(bad, ("act-2", "m-1", "辅导员"))
    (msg,) = _only(check(inst, bad), "pinned_volunteering")
    assert "蔡晓红 (v-3) is pinned to 辅导员 at 亲子课堂（一） (act-2" in msg and "本镇骨干" in msg
    assert "林秀英 (m-1)" in msg


# == care_pairing ============================================================================


def test_care_pairing_forbids_an_unpaired_child(inst, valid) -> None:
    bad = _care(valid, pairs=PAIRS[:1])
    bad = _without_visits(bad, lambda v: v.child == "c-02")
    (msg,) = _only(check(inst, bad), "care_pairing")
    # By code only: never the child's name or address (checked in _only as well).
    assert msg == "child c-02 has no caring mother in care.pairs"
    assert "小明" not in msg and "西村" not in msg


def test_care_pairing_forbids_a_child_paired_twice(inst, valid) -> None:
    bad = _care(valid, pairs=(*PAIRS, ("m-1", "c-02")))
    (msg,) = _only(check(inst, bad), "care_pairing")
    assert "child c-02 has 2 pairs" in msg and "黄美玲 (m-2)" in msg and "林秀英 (m-1)" in msg


def test_care_pairing_forbids_a_mother_over_capacity(inst, valid) -> None:
    # m-1 takes c-02 too (and makes its visits, on other days than c-01's); cap 1.
    data = _data()
    data["care"]["max_children_per_mother"] = 1
    visits = tuple(
        v.model_copy(update={"mother": "m-1"}) if v.child == "c-02" else v
        for v in valid.care.visits
    )
    bad = _care(valid, pairs=(("m-1", "c-01"), ("m-1", "c-02")), visits=visits)
    assert check(inst, bad) == []  # at most 2 by default
    (msg,) = _only(check(_instance(data), bad), "care_pairing")
    assert "林秀英 (m-1) is paired with 2 children (c-01, c-02); at most 1" in msg


def test_care_pairing_forbids_a_mother_too_far_away(valid) -> None:
    data = _data()
    data["care"]["max_travel_minutes"] = 30  # m-2 (luncang) and c-02 (ximei): 40
    (msg,) = _only(check(_instance(data), valid), "care_pairing")
    assert "黄美玲 (m-2) is paired with child c-02" in msg and "40 minutes" in msg
    assert "at most 30" in msg


def test_care_pairing_forbids_a_mother_who_is_not_a_caring_mother(inst, valid) -> None:
    # p-chair (no caring_mother) takes c-02 and its visits.
    visits = tuple(
        v.model_copy(update={"mother": "p-chair"}) if v.child == "c-02" else v
        for v in valid.care.visits
    )
    bad = _care(valid, pairs=(("m-1", "c-01"), ("p-chair", "c-02")), visits=visits)
    (msg,) = _only(check(inst, bad), "care_pairing")
    assert "陈丽华 (p-chair) is paired with child c-02 but is not a caring mother" in msg


# == care_rhythm =============================================================================


def test_care_rhythm_forbids_a_quarter_without_its_meet(inst, valid) -> None:
    bad = _without_visits(valid, lambda v: v.id == "visit-c-01-2026-q2-meet1")
    (msg,) = _only(check(inst, bad), "care_rhythm")
    assert "child c-01 has 0 meet visit(s) in quarter 2 (2026-04-01..2026-06-30)" in msg
    assert "exactly 1 (care.meet_per_quarter)" in msg


def test_care_rhythm_forbids_two_festival_visits_at_one_festival(inst, valid) -> None:
    # c-01's 中秋 visit becomes a second 春节 visit, on 02-18 (in the window).
    bad = _moved_visit(valid, "visit-c-01-2026-f3", "2026-02-18", "10:00",
                       id="visit-c-01-2026-f1")
    (msg,) = _only(check(inst, bad), "care_rhythm")
    assert "child c-01 has 2 festival visits at festival 1 春节 (2026-02-17)" in msg


def test_care_rhythm_forbids_a_festival_visit_outside_its_window(inst, valid) -> None:
    bad = _moved_visit(valid, "visit-c-01-2026-f3", "2026-09-29", "10:00")
    (msg,) = _only(check(inst, bad), "care_rhythm")
    assert "is 4 days from festival 3 中秋节 (2026-09-25); at most 3" in msg
    # Exactly window_days away is fine.
    assert check(inst, _moved_visit(valid, "visit-c-01-2026-f3", "2026-09-28", "10:00")) == []


def test_care_rhythm_forbids_wrong_ids_and_unpaired_visitors(inst, valid) -> None:
    # Two talks in quarter 1 numbered out of date order, and a meet by the wrong mother.
    bad = _with_visit(valid, "visit-c-02-2026-q1-talk1", id="visit-c-02-2026-q1-talk2")
    (msg,) = _only(check(inst, bad), "care_rhythm")
    assert "its id must be 'visit-c-02-2026-q1-talk1'" in msg
    bad = _with_visit(valid, "visit-c-02-2026-q3-meet1", mother="m-1")
    (msg,) = _only(check(inst, bad), "care_rhythm")
    assert "made by 林秀英 (m-1), but child c-02 is paired with 黄美玲 (m-2)" in msg
    bad = _with_visit(valid, "visit-c-01-2026-f1", id="visit-c-01-2026-spring")
    (msg,) = _only(check(inst, bad), "care_rhythm")
    assert "'visit-c-01-2026-f<i>'" in msg


# == care_visit_time =========================================================================


def test_care_visit_time_forbids_a_talk_on_a_weekday(inst, valid) -> None:
    bad = _moved_visit(valid, "visit-c-01-2026-q1-talk1", "2026-03-23", "19:30")
    (msg,) = _only(check(inst, bad), "care_visit_time")
    assert "visit-c-01-2026-q1-talk1" in msg and "2026-03-23 (Monday)" in msg
    assert "sat, sun" in msg


def test_care_visit_time_forbids_a_wrong_start_or_length(inst, valid) -> None:
    bad = _moved_visit(valid, "visit-c-01-2026-q3-meet1", "2026-07-11", "14:00")
    (msg,) = _only(check(inst, bad), "care_visit_time")
    assert "starts at 14:00; allowed 10:00, 12:00, 15:00 (care.meet_times)" in msg
    bad = _moved_visit(valid, "visit-c-02-2026-q2-talk1", "2026-06-07", "19:30", minutes=60)
    (msg,) = _only(check(inst, bad), "care_visit_time")
    assert "lasts 60 minutes; it must last 45 (care.talk_minutes)" in msg
    bad = _moved_visit(valid, "visit-c-02-2026-f2", "2026-06-20", "15:00")
    (msg,) = _only(check(inst, bad), "care_visit_time")
    assert "(care.festival_times)" in msg


def test_care_visit_time_forbids_a_visit_on_the_mothers_unavailable_day(inst, valid) -> None:
    bad = _moved_visit(valid, "visit-c-01-2026-q2-meet1", "2026-05-16", "10:00")
    (msg,) = _only(check(inst, bad), "care_visit_time")
    assert "林秀英 (m-1), unavailable on 2026-05-16 (培训)" in msg


# == no_double_booking_person, widened =======================================================


def test_no_double_booking_person_counts_travel_between_activities(valid) -> None:
    # v-1 is at act-1 (ximei) until 12:00; act-2 (luncang) moves to 12:30: 30 minutes
    # for a 40-minute trip.
    data = _data()
    data["activities"][1].update(start="12:30", end="14:30")
    (msg,) = _only(check(_instance(data), valid), "no_double_booking_person")
    assert "何丽 (v-1) serves as 急救员 at activity 社区义诊 (act-1" in msg
    assert "serves as 辅导员 at activity 亲子课堂（一） (act-2, 2026-03-07 12:30-14:30)" in msg
    assert "30 minutes" in msg and "travel between them takes 40 minutes" in msg
    # Exactly 40 minutes is enough.
    data["activities"][1].update(start="12:40", end="14:40")
    assert check(_instance(data), valid) == []


def test_no_double_booking_person_counts_travel_from_a_visit_to_an_activity(inst, valid):
    # m-1 meets c-01 (ximei) 12:00-13:30 on 03-14 and tutors at act-3 (luncang) at 14:00.
    bad = _moved_visit(valid, "visit-c-01-2026-q1-meet1", "2026-03-14", "12:00")
    (msg,) = _only(check(inst, bad), "no_double_booking_person")
    assert "林秀英 (m-1) makes visit visit-c-01-2026-q1-meet1 (meet, 2026-03-14 12:00-13:30)" in msg
    assert "亲子课堂（二） (act-3" in msg and "takes 40 minutes" in msg
    # At 10:00 (ends 11:30, 150 minutes before) it fits.
    assert check(inst, _moved_visit(valid, "visit-c-01-2026-q1-meet1", "2026-03-14", "10:00")) == []


def test_no_double_booking_person_forbids_a_visit_during_her_meeting(inst, valid) -> None:
    # m-2 attends fed-base's Q2 meeting 06-16 09:00-11:00; her 端午 visit moves there
    # (3 days before 06-19: in the window, any weekday).
    bad = _moved_visit(valid, "visit-c-02-2026-f2", "2026-06-16", "10:00")
    (msg,) = _only(check(inst, bad), "no_double_booking_person")
    assert "黄美玲 (m-2) attends meeting mtg-fed-base-q2" in msg
    assert "makes visit visit-c-02-2026-f2 (festival, 2026-06-16 10:00-12:00)" in msg
    assert "which overlap" in msg


def test_no_double_booking_person_keeps_one_duty_for_two_roles(inst, valid) -> None:
    # Two roles of one activity are one duty (role_headcount reports them, not this rule).
    found = check(inst, _assign(valid, ("act-1", "v-1", "讲解员")))
    assert {v.rule for v in found} == {"role_headcount"}


# == robustness ==============================================================================


def test_unknown_ids_are_violations_not_exceptions(inst, valid) -> None:
    bad = _assign(
        valid,
        ("act-ghost", "v-1", "辅导员"),
        ("act-1", "p-ghost", "助手"),
        ("act-1", "v-3", "厨师"),
    )
    ghost_visit = _visit("visit-c-99-2026-q1-meet1", "m-ghost", "c-99", "meet", "2026-03-21",
                         "15:00")
    odd_kind = _visit("visit-c-01-2026-chat", "m-1", "c-01", "chat", "2026-08-15", "10:00",
                      minutes=30)
    bad = _care(
        bad,
        pairs=(*PAIRS, ("m-ghost", "c-01"), ("m-1", "c-99")),
        visits=(*bad.care.visits, ghost_visit, odd_kind),
    )
    found = check(inst, bad)
    rules = {v.rule for v in found}
    assert {"volunteer_eligible", "care_pairing", "care_rhythm"} <= rules
    text = "\n".join(v.message for v in found)
    assert "'act-ghost' (not an activity of the instance)" in text
    assert "'p-ghost' (not a person of the instance)" in text
    assert "no role '厨师'" in text
    assert "child 'c-99' (not a child of the instance)" in text
    assert "'m-ghost' (not a person of the instance)" in text
    assert "kind 'chat'" in text
    assert not any(secret in text for secret in CHILD_SECRETS)
    assert found == sorted(found, key=lambda v: (HARD_RULES.index(v.rule), v.message))
    assert isinstance(score(inst, bad), Score)


def test_no_message_names_a_child(inst, valid) -> None:
    # Everything about the children at once: unpaired, wrong visits, far mother.
    data = _data()
    data["care"]["max_travel_minutes"] = 30
    bad = _care(valid, pairs=(("m-2", "c-02"),))
    bad = _moved_visit(bad, "visit-c-02-2026-q1-talk1", "2026-03-30", "19:00")
    found = check(_instance(data), bad)
    about_children = [v.message for v in found if "c-0" in v.message]
    assert len(about_children) >= 4
    assert not any(s in m for m in about_children for s in CHILD_SECRETS)
