"""The rule catalogue: every rule of a plan, named once.

Plain data. Each entry says what a rule is called (the name users read in summaries,
violations and explanations), whether it is hard or soft, which sub-problem it belongs
to, its Chinese and English titles, its anchor in docs/rules.md, and where it lives:

- a hard rule is enforced by a solver function (``solver``, a dotted name) and/or by
  which variables exist (``domain``, a note saying how); the checker re-verifies it with
  ``checker``;
- a soft rule's penalty terms come from ``solver`` (one function per rule), its amount is
  recomputed by ``checker``; its default weight is the field of the same name of
  :class:`~xinglian.models.instance.Weights`.

The solver (solver/build.py), the checker (checker/rules.py), the exporters and the
docs read names and titles from here; ``tests/test_catalogue.py`` walks the catalogue
and fails when an entry has no docs anchor, no checker or solver function, no title or
no test carrying its name.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Literal

from .instance import Weights

Kind = Literal["hard", "soft"]
SubProblem = Literal["rotation", "meetings", "duties", "hosting", "volunteering", "care",
                     "term"]

SUB_PROBLEMS: tuple[SubProblem, ...] = (
    "rotation", "meetings", "duties", "hosting", "volunteering", "care", "term")
"""In the order of docs/rules.md. The solver and the checker have one module each."""


@dataclass(frozen=True)
class Rule:
    """One rule of docs/rules.md."""

    name: str
    kind: Kind
    sub_problem: SubProblem
    zh: str
    """Title for people reading Chinese (summary, workbook, HTML)."""
    en: str
    solver: str | None
    """Dotted name of the solver function: ``add_<rule>`` for a hard rule (may be None
    when the rule holds by ``domain`` alone), ``<rule>_penalties`` for a soft rule."""
    checker: str
    """Dotted name of the checker function: ``check_<rule>`` (yields messages) or
    ``amount_<rule>`` (returns the amount)."""
    domain: str | None = None
    """Hard rules: how the rule holds by which variables the solver creates."""

    @property
    def anchor(self) -> str:
        """The id of the rule's row in docs/rules.md (``docs/rules.md#rule-<name>``)."""
        return f"rule-{self.name}"

    @property
    def docs(self) -> str:
        return f"docs/rules.md#{self.anchor}"

    @property
    def hard(self) -> bool:
        return self.kind == "hard"

    @property
    def default_weight(self) -> int | None:
        """Soft rules: the default weight (``Weights``); hard rules: None."""
        if self.hard:
            return None
        return int(Weights.model_fields[self.name].default)

    def title(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


_S = "xinglian.solver"
_C = "xinglian.checker"


def _hard(name: str, sub: SubProblem, zh: str, en: str, solver: str | None = None,
          domain: str | None = None) -> Rule:
    return Rule(name, "hard", sub, zh, en, solver and f"{_S}.{solver}",
                f"{_C}.{sub}.check_{name}", domain)


def _soft(name: str, sub: SubProblem, zh: str, en: str, module: str | None = None) -> Rule:
    return Rule(name, "soft", sub, zh, en, f"{_S}.{module or sub}.{name}_penalties",
                f"{_C}.{sub}.amount_{name}")


RULES: tuple[Rule, ...] = (
    # -- hard rules, in the order of docs/rules.md ------------------------------------
    _hard("one_chair_per_period", "rotation", "每期每个基地一位轮值主席",
          "One chair per base and period", "rotation.add_one_chair_per_period",
          "chair variables exist only for the base's presidium members"),
    _hard("chair_available", "rotation", "轮值主席任期内基本在岗",
          "The chair is available during her term", "rotation.add_chair_available"),
    _hard("one_presidium_at_a_time", "rotation", "同一期不兼任两个基地的轮值主席",
          "Nobody chairs two bases in one period", "rotation.add_one_presidium_at_a_time"),
    _hard("max_terms", "rotation", "每人每年轮值期数上限",
          "At most max_terms_per_person terms a year", "rotation.add_max_terms"),
    _hard("pinned_term", "rotation", "固定的轮值安排", "Pinned rotation terms hold",
          "rotation.add_pinned_term"),
    _hard("meeting_per_quarter", "meetings", "每季度一次联席会（在规定时段内）",
          "One joint meeting per base and quarter, in its window",
          "meetings.add_meeting_per_quarter",
          "day variables exist only for days of the quarter's window and the meeting "
          "slots; ids, start and end are made from them when extracting"),
    _hard("meeting_on_workday", "meetings", "联席会在工作日召开",
          "Joint meetings on working days",
          domain="candidate days are working days (solver.meetings.candidate_days)"),
    _hard("meeting_venue", "meetings", "联席会场地开放、容量足够、路程不远",
          "The meeting venue is open, large enough and near", "meetings.add_meeting_venue",
          "venue variables exist only for venues that take meetings, seat every expected "
          "attendee and lie within meetings.max_travel_minutes "
          "(Instance.meeting_venues)"),
    _hard("meeting_host", "meetings", "联席会由当期轮值主席主持且其在岗",
          "The period's chair hosts the meeting and is available that day",
          "meetings.add_meeting_host",
          "the host is the chair of the period containing the day, set when extracting"),
    _hard("meeting_attendees", "meetings", "参会与请假名单与会期相符",
          "Attendees and absentees match the meeting's day",
          domain="computed from the date when extracting (solver/extract.py)"),
    _hard("no_double_booking_person", "duties", "同一人不同时承担两项任务（含路程）",
          "Nobody has two duties at once (travel included)",
          "duties.add_no_double_booking_person"),
    _hard("no_double_booking_venue", "duties", "同一场地不同时举办两项活动",
          "No venue holds two events at once", "duties.add_no_double_booking_venue",
          "hosting slots that overlap an activity held at the venue are unusable and get "
          "no variable (models.hosting.expand_slots)"),
    _hard("pinned_meeting", "meetings", "固定的联席会安排", "Pinned joint meetings hold",
          "meetings.add_pinned_meeting"),
    _hard("hosting_slot", "hosting", "主办在可用的开放场次，每场至多一家",
          "Turns at usable offered slots, one host per slot", "hosting.add_hosting_slot",
          "host variables exist only for usable offered slots "
          "(models.hosting.expand_slots)"),
    _hard("hosting_eligible", "hosting", "主办单位有资格在该场地主办",
          "The host may host at that venue",
          domain="host variables exist only for federations that may host at the venue "
                 "(models.hosting.HostIndex)"),
    _hard("hosting_contact_available", "hosting", "主办联系人当天在岗",
          "The host's contact person is available that day",
          "hosting.add_hosting_contact_available",
          "no host variable for a federation whose contact person is unavailable that "
          "day (the solver function only acts when explaining)"),
    _hard("hosting_gap", "hosting", "同一单位两次主办的最小间隔",
          "A federation's turns are min_gap_days apart", "hosting.add_hosting_gap"),
    _hard("hosting_turns", "hosting", "主办次数在上下限之间",
          "Each federation's turns within min_turns..max_turns", "hosting.add_hosting_turns"),
    _hard("pinned_hosting", "hosting", "固定的主办安排", "Pinned hosting turns hold",
          "hosting.add_pinned_hosting"),
    _hard("volunteer_eligible", "volunteering", "志愿者技能、语言、时间与路程合适",
          "Volunteers are eligible (skill, language, time, travel)",
          domain="only eligible (activity, role, person) variables are created "
                 "(solver.volunteering.eligible)"),
    _hard("role_headcount", "volunteering", "岗位人数不超上限，每人每次活动一个岗位",
          "At most max people per role, one role per person per activity",
          "volunteering.add_role_headcount"),
    _hard("volunteer_monthly_load", "volunteering", "志愿者每月活动次数与时长上限",
          "A volunteer's monthly limits of activities and hours",
          "volunteering.add_volunteer_monthly_load"),
    _hard("pinned_volunteering", "volunteering", "固定的志愿安排",
          "Pinned volunteer assignments hold", "volunteering.add_pinned_volunteering"),
    _hard("care_pairing", "care", "每名儿童结对一位爱心妈妈",
          "Each child paired with one caring mother (capacity, distance)",
          "care.add_care_pairing",
          "pair variables exist only for caring mothers within care.max_travel_minutes "
          "(solver.care.candidate_mothers); decided in the pairing stage"),
    _hard("care_rhythm", "care", "见一次面、谈一次心、过一次节",
          "Meets and talks per quarter, festival visits per year", "care.add_care_rhythm"),
    _hard("care_visit_time", "care", "探访在允许的日子和时间，妈妈在岗",
          "Visits on allowed days and times, the mother available",
          domain="visit variables exist only on visit days and times when the mother is "
                 "available (solver.care.add_variables)"),
    # the rotating chair's term of work (models/term.py)
    _hard("term_visits", "term", "每家企业按轮次走访（工作日、规定时间）",
          "Each enterprise visited per round, on allowed days and times",
          "term.add_term_visits",
          "visit variables exist only in the visit's round, on allowed working days and "
          "times when the regional chair and the contact are available "
          "(solver.term.add_variables)"),
    _hard("term_visit_attendance", "term", "走访与特色活动由当期轮值主席和区域主席参加且在岗",
          "The period's chair and the regional chair attend, available that day",
          "term.add_term_visit_attendance",
          "the attendees are named from the chair of the period when extracting"),
    _hard("signature_activity", "term", "每期一场特色活动（场地空闲）",
          "One signature activity per base and period, at a free venue",
          "term.add_signature_activity",
          "activity variables exist only on allowed days and times at venues open and "
          "free of hosting slots and held activities (solver.term.add_variables)"),
    _hard("term_no_double_booking", "term", "走访与特色活动的参加人不同时有其他任务（含路程）",
          "Nobody at a visit or activity is busy elsewhere (travel included)",
          "term.add_term_no_double_booking"),
    # -- soft rules, in the order of docs/rules.md ------------------------------------
    _soft("back_to_back", "rotation", "连任（同一人连续两期）", "Same chair two periods running"),
    _soft("short_gap", "rotation", "轮值间隔过短（未按上次任期顺延）",
          "Terms too close (rotation order not followed)"),
    _soft("uneven_terms", "rotation", "主席团任期不均", "Uneven terms within a presidium"),
    _soft("undesired_period", "rotation", "安排在不希望的期次", "Term in an undesired period"),
    _soft("not_preferred_period", "rotation", "未安排在希望的期次",
          "Term outside the preferred periods"),
    _soft("missed_attendance", "meetings", "联席会缺席人次", "Absences from joint meetings"),
    _soft("meeting_outside_town", "meetings", "联席会在本镇以外",
          "Joint meeting outside the base's town"),
    _soft("late_meeting", "meetings", "联席会距季度初周数",
          "Weeks from the window's start to the meeting"),
    _soft("hosting_share", "hosting", "主办次数偏离份额（按规模）",
          "Turns off the fair share (by size)"),
    _soft("hosting_carry_over", "hosting", "主办次数偏离含上年结转的份额",
          "Turns off the share with last year carried over"),
    _soft("hosting_spread", "hosting", "主办各季度不均", "Turns uneven across quarters"),
    _soft("hosting_outside_town", "hosting", "在外镇场地主办",
          "Turns at a venue in another town"),
    _soft("theme_off_date", "hosting", "主题活动偏离节日天数",
          "Days between themes and their dates"),
    _soft("empty_slot", "hosting", "空缺场次", "Slots without a host"),
    _soft("unfilled_role", "volunteering", "志愿岗位缺人", "People missing below a role's minimum"),
    _soft("volunteer_overload", "volunteering", "志愿者负担超过平均线",
          "Assignments above the fair load"),
    _soft("disliked_kind", "volunteering", "安排了志愿者不喜欢的活动类型",
          "Assignments to a disliked kind of activity"),
    _soft("travel_time", "volunteering", "志愿者路程（每15分钟）",
          "Volunteer travel (per 15 minutes)"),
    _soft("series_change", "volunteering", "系列活动换人", "Changes of people within a series"),
    _soft("no_lead", "volunteering", "需要带队却无有经验的志愿者",
          "A lead is required and no experienced volunteer is assigned"),
    _soft("care_new_mother", "care", "儿童更换了上年的爱心妈妈",
          "Child moved away from last year's caring mother"),
    _soft("care_outside_town", "care", "爱心妈妈与儿童不在同一镇街",
          "Caring mother in another town than the child"),
    _soft("festival_off_date", "care", "过节走访偏离节日天数",
          "Days between festival visits and the festival"),
    _soft("visit_spread", "term", "各期走访企业次数不均", "Visits uneven across periods"),
    _soft("regional_chair_load", "term", "区域主席各期走访负担不均",
          "A regional chair's visits uneven across periods"),
    _soft("late_signature_activity", "term", "特色活动晚于期初（周）",
          "Weeks from the period's start to its signature activity"),
)

BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}
HARD: tuple[str, ...] = tuple(r.name for r in RULES if r.hard)
"""Hard rule names in the order of docs/rules.md."""
SOFT: tuple[str, ...] = tuple(r.name for r in RULES if not r.hard)
"""Soft rule names in the order of docs/rules.md (the fields of ``Weights``)."""


def rule(name: str) -> Rule:
    """The catalogue entry of ``name``.

    Raises
    ------
    KeyError
        When no rule has that name.
    """
    return BY_NAME[name]


def title(name: str, lang: str = "zh") -> str:
    """The rule's title in ``lang`` ("zh" or "en"); an unknown name is returned as is
    (a plan written by a newer version may name a rule this one does not know)."""
    entry = BY_NAME.get(name)
    return name if entry is None else entry.title(lang)


def titles(lang: str = "zh", kind: Kind | None = None) -> dict[str, str]:
    """name -> title of every rule (of one kind when given), in catalogue order."""
    return {r.name: r.title(lang) for r in RULES if kind is None or r.kind == kind}


def resolve(dotted: str):
    """The function a dotted name of the catalogue points at (imports its module)."""
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)
