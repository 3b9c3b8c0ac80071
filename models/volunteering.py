"""Volunteers and activities (巾帼志愿者服务队), children in difficulty and caring mothers
(爱心妈妈 · 结对帮扶). Definitions of the rules: docs/rules.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .common import _HHMM, Frozen, Id, hhmm_minutes

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _check_span(start: str, end: str) -> None:
    for v in (start, end):
        if not _HHMM.match(v):
            raise ValueError(f"time {v!r} is not HH:MM (e.g. 09:00)")
    if hhmm_minutes(end) <= hhmm_minutes(start):
        raise ValueError(f"ends at {end}, not after its start {start}")


class WeeklySpan(Frozen):
    """A recurring free time, e.g. ``{days: [sat, sun], start: "08:00", end: "18:00"}``."""

    days: tuple[Weekday, ...]
    start: str
    end: str

    @model_validator(mode="after")
    def _valid(self) -> WeeklySpan:
        _check_span(self.start, self.end)
        if not self.days:
            raise ValueError("days is empty; name at least one weekday (mon..sun)")
        return self

    def covers(self, day: dt.date, start: int, end: int) -> bool:
        """Whether [start, end) minutes of ``day`` fall inside this span."""
        return (WEEKDAYS[day.weekday()] in self.days
                and hhmm_minutes(self.start) <= start and end <= hhmm_minutes(self.end))


class VolunteerProfile(Frozen):
    """A person's part in the volunteer teams. Exceptions to the weekly pattern are the
    person's ``unavailable`` ranges."""

    federation: Id | None = None
    skills: tuple[str, ...] = ()
    """e.g. first_aid, tutoring, legal, counselling, photography, driving."""
    languages: tuple[str, ...] = ("普通话",)
    weekly: tuple[WeeklySpan, ...] = ()
    """When she is usually free; empty: any time."""
    max_activities_per_month: int = Field(default=4, ge=0)
    max_hours_per_month: int = Field(default=16, ge=0)
    likes: tuple[str, ...] = ()
    """Activity kinds she likes."""
    dislikes: tuple[str, ...] = ()
    experienced: bool = False
    """Can lead an activity."""

    def free(self, day: dt.date, start: int, end: int) -> bool:
        return not self.weekly or any(w.covers(day, start, end) for w in self.weekly)


class RoleDemand(Frozen):
    """How many people an activity needs in one role."""

    role: str
    skill: str | None = None
    """Required skill (None: anyone)."""
    language: str | None = None
    """Required language (e.g. 闽南语), None: any."""
    min: int = Field(default=1, ge=0)
    max: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _range(self) -> RoleDemand:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max {self.max} is below min {self.min}")
        return self

    @property
    def upper(self) -> int:
        return self.max if self.max is not None else self.min


ActivityKind = Literal[
    "volunteer_service", "epidemic_support", "civilised_city", "entrepreneurship",
    "military_family", "observation", "skill_competition", "salon", "training",
]

ACTIVITY_KIND_ZH = {
    "volunteer_service": "志愿服务", "epidemic_support": "疫情防控", "civilised_city": "文明创建",
    "entrepreneurship": "创业指导", "military_family": "拥军优属", "observation": "观摩交流",
    "skill_competition": "技能竞赛", "salon": "沙龙", "training": "培训",
}


class Activity(Frozen):
    id: Id
    kind: ActivityKind
    title: str = Field(min_length=1)
    date: dt.date
    start: str
    end: str
    town: Id | None = None
    venue: Id | None = None
    """Where it takes place (the venue's town is used when `town` is not given)."""
    roles: tuple[RoleDemand, ...] = Field(min_length=1)
    lead_required: bool = False
    series: Id | None = None
    """Activities of one series (the same weekly class) prefer the same people."""

    @model_validator(mode="after")
    def _valid(self) -> Activity:
        _check_span(self.start, self.end)
        if self.town is None and self.venue is None:
            raise ValueError("give the activity's `town` or `venue`")
        roles = [r.role for r in self.roles]
        dup = sorted({r for r in roles if roles.count(r) > 1})
        if dup:
            raise ValueError(f"role {dup[0]!r} is listed twice; merge the rows")
        return self

    @property
    def minutes(self) -> tuple[int, int]:
        return hhmm_minutes(self.start), hhmm_minutes(self.end)


class TravelTime(Frozen):
    """Minutes between two towns, both ways."""

    a: Id
    b: Id
    minutes: int = Field(ge=0)


class Child(Frozen):
    """A child in difficulty. Only ``code`` ever leaves the instance: calendars, plan.json,
    summaries and workbooks name children by code (隐私保护)."""

    code: Id
    name: str | None = None
    """Kept for the office's own records; never exported."""
    address: str | None = None
    """Never exported."""
    town: Id
    age: int = Field(ge=0, le=18)
    needs: tuple[str, ...] = ()


class Festival(Frozen):
    name: str = Field(min_length=1)
    date: dt.date
    window_days: int = Field(default=3, ge=0)
    """A festival visit is on a day within this many days of the date."""


class CareRules(Frozen):
    """The rhythm of 见一次面、谈一次心、过一次节."""

    max_children_per_mother: int = Field(default=2, ge=1)
    max_travel_minutes: int = Field(default=30, ge=0)
    """A mother may be paired with a child whose town is this close to hers."""
    meet_per_quarter: int = Field(default=1, ge=0)
    talk_per_quarter: int = Field(default=1, ge=0)
    festivals_per_year: int = Field(default=2, ge=0)
    festivals: tuple[Festival, ...] = ()
    meet_times: tuple[str, ...] = ("10:00", "15:00")
    meet_minutes: int = Field(default=90, ge=15)
    talk_times: tuple[str, ...] = ("19:30",)
    talk_minutes: int = Field(default=45, ge=15)
    festival_times: tuple[str, ...] = ("10:00",)
    festival_minutes: int = Field(default=120, ge=15)
    visit_days: tuple[Weekday, ...] = ("sat", "sun")
    """Days of the week meets and talks take place (festival visits: the window)."""
    reminder_minutes: int = Field(default=1440, ge=0)

    @model_validator(mode="after")
    def _times(self) -> CareRules:
        for t in (*self.meet_times, *self.talk_times, *self.festival_times):
            if not _HHMM.match(t):
                raise ValueError(f"visit time {t!r} is not HH:MM")
        return self


class CareHistory(Frozen):
    mother: Id
    child: Id
    year: int


class VolunteerRules(Frozen):
    max_travel_minutes: int = Field(default=60, ge=0)
    """Volunteers are only sent this far (one way)."""
    default_travel_minutes: int = Field(default=45, ge=0)
    """Between two towns missing from `travel`."""
    reminder_minutes: int = Field(default=1440, ge=0)
    candidates_per_role: int = Field(default=30, ge=0)
    """Each role is staffed from its nearest this-many eligible volunteers (0: all).
    Keeps city-sized instances tractable; the plan's bound is for this restriction."""


CareLiteral = Annotated[str, Field(pattern="^(meet|talk|festival)$")]


def shortfall_reason(r: RoleDemand, eligible: int, max_travel: int, assigned: int,
                     busy: str = "另有安排 / busy elsewhere") -> str:
    """Why a role stays below its minimum, in Chinese and English: too few eligible
    volunteers, or the eligible ones are at their limits (``busy`` says what else)."""
    need = [f"技能 {r.skill}"] if r.skill else []
    if r.language:
        need.append(f"会{r.language}")
    what = "、".join(need) or "志愿者"
    if eligible < r.min:
        return (f"只有 {eligible} 名符合条件的志愿者（{what}，当天该时段有空，路程 ≤ "
                f"{max_travel} 分钟）/ only {eligible} eligible volunteer(s) for {r.min} needed")
    zh, _, en = busy.partition(" / ")
    return (f"符合条件的 {eligible} 人已达每月上限或{zh} / the eligible volunteers are at "
            f"their monthly limits or {en} ({assigned} assigned)")


class VolunteersNearby:
    """The volunteers of an instance (in ``people`` order, as indices into ``people``)
    within ``volunteering.max_travel_minutes`` of a town, optionally with a skill and a
    language; each key computed once. Shared by the solver and the greedy baseline so
    that neither scans every volunteer of a province for every role."""

    def __init__(self, inst) -> None:
        self.inst = inst
        self.people = [p for p in inst.people if p.volunteer is not None]
        self.by_town: dict[str | None, list[int]] = defaultdict(list)
        for i, p in enumerate(self.people):
            self.by_town[p.town].append(i)
        self._reach: dict[str | None, list[int]] = {}
        self._pool: dict[tuple, list[int]] = {}

    @classmethod
    def of(cls, inst) -> VolunteersNearby:
        """The index of an instance, built once (instances are immutable)."""
        return inst.memo("_volunteers_nearby", cls)

    def reach(self, town: str | None) -> list[int]:
        """Volunteers at most ``max_travel_minutes`` from ``town``
        (``Instance.travel_minutes``). When unlisted pairs are out of reach only the town
        itself, people without a town and its listed neighbours are tried."""
        if town not in self._reach:
            inst, limit = self.inst, self.inst.volunteering.max_travel_minutes
            near = inst.towns_within(town, limit)
            towns = list(self.by_town) if near is None else [t for t in near
                                                             if t in self.by_town]
            self._reach[town] = sorted(i for t in towns if inst.travel_minutes(t, town) <= limit
                                       for i in self.by_town[t])
        return self._reach[town]

    def pool(self, town: str | None, skill: str | None, language: str | None) -> list[int]:
        """``reach`` narrowed to the volunteers with the skill and language (when set)."""
        key = (town, skill, language)
        if key not in self._pool:
            found = self.reach(town)
            if skill is not None:
                found = [i for i in found if skill in self.people[i].volunteer.skills]
            if language is not None:
                found = [i for i in found if language in self.people[i].volunteer.languages]
            self._pool[key] = found
        return self._pool[key]


def candidate_mothers(instance, child_code: str) -> list[str]:
    """Caring mothers within ``care.max_travel_minutes`` of the child's town, in
    ``people`` order (shared by the solver's pairing stage and the construction). When
    unlisted town pairs are out of reach, only the child's town,
    mothers without a town and the town's listed neighbours are tried (a province has
    thousands of mothers)."""
    cache = instance._by_id.setdefault("_mothers_near", {})
    if not cache:
        cache["_children"] = {c.code: c.town for c in instance.children}
        by_town: dict[str | None, list[tuple[int, str]]] = {}
        for k, p in enumerate(instance.people):
            if p.caring_mother:
                by_town.setdefault(p.town, []).append((k, p.id))
        cache["_by_town"] = by_town
    town = cache["_children"][child_code]
    if town not in cache:
        limit = instance.care.max_travel_minutes
        by_town = cache["_by_town"]
        near = instance.towns_within(town, limit)
        towns = list(by_town) if near is None else [t for t in near if t in by_town]
        cache[town] = [pid for _, pid in sorted(
            m for t in towns if instance.travel_minutes(t, town) <= limit for m in by_town[t])]
    return cache[town]
