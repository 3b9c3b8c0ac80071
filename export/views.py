"""Plain-data views of a plan shared by the spreadsheet and the HTML summary.

Both exporters show the same numbers (fair shares, terms per person, Chinese labels), so
they are computed once here. Lookups never fail on an id the instance does not know (a
plan read back from disk may refer to an entity since removed): the id is shown instead.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from math import ceil
from statistics import median

from ..models.hosting import (
    Share,
    contact_of,
    expand_slots,
    fair_shares,
    max_turns_possible,
)
from ..models.instance import VENUE_KIND_ZH, Federation, Instance
from ..models.plan import CareVisit, Plan
from ..models.timeline import CalendarError, WorkCalendar, period_bounds, work_calendar
from ..models.volunteering import ACTIVITY_KIND_ZH, Activity
from .labels import VISIT_KIND_ZH, WEEKDAYS


def plan_title(instance: Instance, plan: Plan) -> str:
    """The instance's name, with the year added unless the name already says it."""
    name = instance.name or instance.id
    return name if str(plan.year) in name else f"{name} · {plan.year} 年度计划"


def weekday_zh(day: dt.date) -> str:
    """``周一`` … ``周日``."""
    return "周" + WEEKDAYS[day.weekday()]


def time_span(start: dt.datetime, end: dt.datetime) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


class Names:
    """Display names by id, falling back to the id itself."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self._people = {p.id: p for p in instance.people}
        self._feds = {f.id: f for f in instance.federations}
        self._venues = {v.id: v for v in instance.venues}
        self._activities = {a.id: a for a in instance.activities}
        # Children by code, for their town only: a child's name and address are never
        # looked up for display (隐私保护).
        self._child_towns = {c.code: c.town for c in instance.children}

    def person(self, pid: str | None) -> str:
        if not pid:
            return ""
        p = self._people.get(pid)
        return p.name if p else pid

    def federation(self, fid: str | None) -> str:
        if not fid:
            return ""
        f = self._feds.get(fid)
        return f.name if f else fid

    def short_federation(self, fid: str | None) -> str:
        """Without the ``妇联`` / ``有限公司`` suffixes (for grids and charts)."""
        name = self.federation(fid)
        return name.removesuffix("妇联").removesuffix("有限公司") or name

    def venue(self, vid: str | None) -> str:
        if not vid:
            return ""
        v = self._venues.get(vid)
        return v.name if v else vid

    def venue_kind(self, vid: str | None) -> str:
        v = self._venues.get(vid or "")
        return VENUE_KIND_ZH.get(v.kind, str(v.kind)) if v else ""

    def venue_town(self, vid: str | None) -> str:
        v = self._venues.get(vid or "")
        return self.instance.town_name(v.town) if v else ""

    def activity(self, aid: str | None) -> Activity | None:
        return self._activities.get(aid or "")

    def activity_title(self, aid: str | None) -> str:
        a = self._activities.get(aid or "")
        return a.title if a else (aid or "")

    def child_town(self, code: str | None) -> str:
        """The town name of a child (by code); the child itself is shown by code only."""
        return self.instance.town_name(self._child_towns.get(code or ""))

    def person_town(self, pid: str | None) -> str:
        p = self._people.get(pid or "")
        return self.instance.town_name(p.town) if p else ""

    def contact(self, fid: str | None) -> str:
        """Name of the person who runs a federation's turns."""
        f = self._feds.get(fid or "")
        return self.person(contact_of(f)) if f else ""


@dataclass(frozen=True)
class PeriodLabel:
    period: int
    start: dt.date
    end: dt.date

    @property
    def months(self) -> str:
        if self.start.month == self.end.month:
            return f"{self.start.month}月"
        return f"{self.start.month}–{self.end.month}月"

    @property
    def label(self) -> str:
        return f"第{self.period}期（{self.months}）"


def periods(instance: Instance) -> list[PeriodLabel]:
    """The rotation periods of the plan year, from the instance (not from the plan, so a
    period without a term still gets its column)."""
    return [
        PeriodLabel(i, s, e)
        for i, (s, e) in enumerate(period_bounds(instance.year, instance.rotation.period_months),
                                   start=1)
    ]


@dataclass(frozen=True)
class FairRow:
    """One hosting federation against its fair share (docs/rules.md, hosting_share)."""

    federation: str
    name: str
    weight: int
    previous: int
    turns: int
    share: float | None
    with_carry_over: float | None
    group: int | None
    note: str


def fairness_rows(instance: Instance, plan: Plan) -> list[FairRow]:
    """Every hosting federation in instance order, with its turns and fair shares.

    The note explains, as summary.md does, why a federation is more than one turn away
    from its share (a hard limit) or that no venue is open to it.
    """
    feds = [f for f in instance.federations if f.hosting is not None]
    if not feds:
        return []
    counts = Counter(h.federation for h in plan.hosting)
    try:
        calendar = work_calendar(instance)
    except CalendarError:
        calendar = None
    slots = expand_slots(instance, calendar) if calendar is not None else []
    shares = fair_shares(instance, slots) if calendar is not None else {}
    out: list[FairRow] = []
    for f in feds:
        assert f.hosting is not None
        n = counts.get(f.id, 0)
        sh = shares.get(f.id)
        if sh is None:
            note = "无可主办场地" if calendar is not None else "无节假日数据，未计算份额"
            out.append(FairRow(f.id, f.name, f.hosting.weight, _prev(instance, f.id), n,
                               None, None, None, note))
            continue
        note = share_note(instance, calendar, f, n, sh, slots)  # type: ignore[arg-type]
        out.append(FairRow(f.id, f.name, f.hosting.weight, sh.previous, n,
                           float(sh.this_year), float(sh.with_carry_over), sh.group, note))
    return out


def share_note(instance: Instance, calendar: WorkCalendar, f: Federation, n: int,
               sh: Share, slots: list) -> str:
    """Why a federation's ``n`` turns are more than one away from its fair share (empty
    when they are not): last year's carry-over pulls it between its share and its share
    with carry-over (``hosting_share`` and ``hosting_carry_over`` pull apart), or a hard
    rule caps it."""
    assert f.hosting is not None
    if abs(n - sh.this_year) <= 1:
        return ""
    lo, hi = sorted((sh.this_year, sh.with_carry_over))
    if lo - 1 <= n <= hi + 1:
        return (f"含上年结转：上年 {sh.previous} 次，份额 {float(sh.this_year):.1f}、"
                f"含结转 {float(sh.with_carry_over):.1f} 之间取舍")
    most = max_turns_possible(instance, calendar, f, slots)
    if f.hosting.max_turns is not None and n >= f.hosting.max_turns:
        return f"硬约束：达到上限 max_turns={f.hosting.max_turns}"
    if n >= most:
        return (f"硬约束：最多可排 {most} 次（可用场次、联系人请假、"
                f"间隔≥{instance.hosting.min_gap_days}天）")
    if f.hosting.min_turns and n <= f.hosting.min_turns:
        return f"硬约束：下限 min_turns={f.hosting.min_turns}"
    return "与同组单位的间隔、请假等硬约束共同限制"


def _prev(instance: Instance, fid: str) -> int:
    return sum(h.turns for h in instance.history.hosting
               if h.federation == fid and h.year == instance.year - 1)


@dataclass(frozen=True)
class PersonLoad:
    """A presidium member's share of the rotation and of the joint meetings."""

    person: str
    name: str
    presidiums: tuple[str, ...]
    """Ids of the bases whose presidium she is on."""
    terms: int
    periods: tuple[tuple[str, int], ...]
    """(base id, period) of each of her terms, by period."""
    last_year: int
    hosts: int
    attends: int


def person_loads(instance: Instance, plan: Plan) -> list[PersonLoad]:
    names = Names(instance)
    terms = Counter(t.chair for t in plan.rotation)
    last_year = Counter(h.chair for h in instance.history.rotation if h.year == instance.year - 1)
    hosts = Counter(m.host for m in plan.meetings)
    attends = Counter(p for m in plan.meetings for p in m.attendees)
    members = list(dict.fromkeys(
        [p for b in instance.bases for p in b.presidium] + [t.chair for t in plan.rotation]))
    out = []
    for p in members:
        bases = tuple(b.id for b in instance.bases if p in b.presidium)
        mine = tuple((t.base, t.period)
                     for t in sorted(plan.rotation, key=lambda t: (t.period, t.base))
                     if t.chair == p)
        out.append(PersonLoad(p, names.person(p), bases, terms[p], mine, last_year[p],
                              hosts[p], attends[p]))
    return out


# -- volunteering ----------------------------------------------------------------------


def activity_hours(activity: Activity) -> float:
    start, end = activity.minutes
    return (end - start) / 60


@dataclass(frozen=True)
class RoleLine:
    """One role of an activity: who holds it against its headcount."""

    role: str
    people: tuple[str, ...]
    names: tuple[str, ...]
    min: int
    upper: int

    @property
    def missing(self) -> int:
        return max(0, self.min - len(self.people))


@dataclass(frozen=True)
class ActivityRow:
    """An activity of the instance (or an id only the plan knows) with its team."""

    activity: str
    title: str
    kind: str
    """In Chinese (志愿服务, 拥军优属, ...)."""
    date: dt.date | None
    start: str
    end: str
    town: str
    venue: str
    roles: tuple[RoleLine, ...]
    leads: tuple[str, ...]
    """Names of the experienced volunteers on the team."""
    lead_required: bool
    hours: float

    @property
    def assigned(self) -> int:
        return sum(len(r.people) for r in self.roles)

    @property
    def missing(self) -> int:
        return sum(r.missing for r in self.roles)

    @property
    def place(self) -> str:
        return " · ".join(x for x in (self.town, self.venue) if x)


def activity_rows(instance: Instance, plan: Plan) -> list[ActivityRow]:
    """Every activity by date and start time, each role with the names assigned to it.

    Activities nobody was assigned to are listed too (their roles show what is missing);
    an activity the plan names but the instance does not know is shown by its id.
    """
    names = Names(instance)
    held: dict[tuple[str, str], list[str]] = defaultdict(list)
    for v in plan.volunteering:
        if v.person not in held[(v.activity, v.role)]:
            held[(v.activity, v.role)].append(v.person)
    out: list[ActivityRow] = []
    for a in instance.activities:
        roles = []
        for r in a.roles:
            people = tuple(sorted(held.get((a.id, r.role), ())))
            roles.append(RoleLine(r.role, people, tuple(names.person(p) for p in people),
                                  r.min, r.upper))
        known = {r.role for r in a.roles}
        for (aid, role), people in sorted(held.items()):
            if aid == a.id and role not in known:
                roles.append(RoleLine(role, tuple(sorted(people)),
                                      tuple(names.person(p) for p in sorted(people)), 0, 0))
        team = {p for r in roles for p in r.people}
        leads = tuple(names.person(p) for p in sorted(team)
                      if (prof := _volunteer(instance, p)) is not None and prof.experienced)
        out.append(ActivityRow(
            a.id, a.title, ACTIVITY_KIND_ZH.get(a.kind, a.kind), a.date, a.start, a.end,
            instance.town_name(instance.activity_town(a)), names.venue(a.venue), tuple(roles),
            leads, a.lead_required, activity_hours(a)))
    known_ids = {a.id for a in instance.activities}
    for aid in sorted({v.activity for v in plan.volunteering} - known_ids):
        roles = tuple(RoleLine(role, tuple(sorted(ps)), tuple(names.person(p) for p in sorted(ps)),
                               0, 0)
                      for (a, role), ps in sorted(held.items()) if a == aid)
        out.append(ActivityRow(aid, aid, "", None, "", "", "", "", roles, (), False, 0.0))
    return sorted(out, key=lambda r: (r.date or dt.date.max, r.start, r.activity))


def _volunteer(instance: Instance, pid: str):
    try:
        return instance.person(pid).volunteer
    except KeyError:
        return None


@dataclass(frozen=True)
class VolunteerLoad:
    """One volunteer's share of the activities (docs/rules.md, volunteer_overload)."""

    person: str
    name: str
    federation: str
    town: str
    activities: int
    minutes: int
    busiest_month: int
    """Her activities in her busiest calendar month."""
    month_cap: int | None
    """``max_activities_per_month`` (None for someone without a volunteer profile)."""
    experienced: bool
    by_month: tuple[int, ...] = field(default=(0,) * 12)

    @property
    def hours(self) -> float:
        return self.minutes / 60


def volunteer_loads(instance: Instance, plan: Plan) -> list[VolunteerLoad]:
    """Every volunteer of the instance (also those with no activity), in instance order,
    then anyone the plan assigns who has no volunteer profile."""
    names = Names(instance)
    acts = {a.id: a for a in instance.activities}
    mine: dict[str, set[str]] = defaultdict(set)
    for v in plan.volunteering:
        mine[v.person].add(v.activity)
    people = [p.id for p in instance.people if p.volunteer is not None]
    people += sorted(set(mine) - set(people))
    out = []
    for pid in people:
        prof = _volunteer(instance, pid)
        minutes = 0
        months = [0] * 12
        for aid in mine.get(pid, ()):
            a = acts.get(aid)
            if a is None:
                continue
            s, e = a.minutes
            minutes += e - s
            months[a.date.month - 1] += 1
        out.append(VolunteerLoad(
            pid, names.person(pid), names.federation(prof.federation if prof else None),
            names.person_town(pid), len(mine.get(pid, ())), minutes, max(months),
            prof.max_activities_per_month if prof else None,
            bool(prof and prof.experienced), tuple(months)))
    return out


@dataclass(frozen=True)
class Spread:
    """Minimum, median and maximum of a load over the volunteers."""

    min: float
    median: float
    max: float


def spread(values: list[float]) -> Spread:
    if not values:
        return Spread(0, 0, 0)
    return Spread(min(values), median(values), max(values))


def fair_line(instance: Instance) -> int:
    """``k = ceil(Σ min / number of volunteers)`` of the ``volunteer_overload`` rule."""
    n = sum(1 for p in instance.people if p.volunteer is not None)
    demand = sum(r.min for a in instance.activities for r in a.roles)
    return ceil(demand / n) if n else 0


def busiest(loads: list[VolunteerLoad], k: int = 5) -> list[VolunteerLoad]:
    """The ``k`` volunteers with the most activities (then hours, then id)."""
    ranked = sorted(loads, key=lambda v: (-v.activities, -v.minutes, v.person))
    return [v for v in ranked[:k] if v.activities]


# -- caring mothers --------------------------------------------------------------------


@dataclass(frozen=True)
class PairRow:
    """A caring mother and one child (by code), with the year's visits."""

    mother: str
    mother_name: str
    mother_town: str
    child: str
    """The child's code: the only thing about the child besides her town that is shown."""
    child_town: str
    last_year: str
    """续结 (same mother as last year), 更换（上年 X） or 新结对."""
    visits: tuple[CareVisit, ...]

    def dates(self, kind: str) -> list[dt.date]:
        return [v.start.date() for v in self.visits if v.kind == kind]


def care_pair_rows(instance: Instance, plan: Plan) -> list[PairRow]:
    """Every pair of the plan (and any mother-child visit outside them), by mother then
    child code."""
    names = Names(instance)
    before = {h.child: h.mother for h in instance.history.care if h.year == plan.year - 1}
    visits: dict[tuple[str, str], list[CareVisit]] = defaultdict(list)
    for v in sorted(plan.care.visits, key=lambda v: (v.start, v.id)):
        visits[(v.mother, v.child)].append(v)
    out = []
    # A visit outside the pairs (a hand-edited plan) still gets its row.
    keys = dict.fromkeys([*((p.mother, p.child) for p in plan.care.pairs), *visits])
    for mother, child in keys:
        prev = before.get(child)
        if prev is None:
            note = "新结对"
        elif prev == mother:
            note = "续结"
        else:
            note = f"更换（上年 {names.person(prev)}）"
        out.append(PairRow(mother, names.person(mother), names.person_town(mother), child,
                           names.child_town(child), note, tuple(visits.get((mother, child), ()))))
    return sorted(out, key=lambda r: (r.mother_name, r.mother, r.child))


def children_per_mother(plan: Plan) -> dict[int, int]:
    """Number of children -> number of mothers with that many."""
    per = Counter(p.mother for p in plan.care.pairs)
    return dict(sorted(Counter(per.values()).items()))


VISIT_KINDS = tuple(VISIT_KIND_ZH)
"""meet, talk, festival."""


def visits_by_quarter(plan: Plan) -> list[tuple[str, dict[str, int]]]:
    """Rows ``(Q1, {kind: visits})`` .. ``(Q4, ...)`` and ``(全年, ...)``."""
    counts: dict[int, Counter] = {q: Counter() for q in range(1, 5)}
    for v in plan.care.visits:
        counts[(v.start.month - 1) // 3 + 1][v.kind] += 1
    rows = [(f"Q{q}", {k: counts[q][k] for k in VISIT_KINDS}) for q in range(1, 5)]
    rows.append(("全年", {k: sum(counts[q][k] for q in counts) for k in VISIT_KINDS}))
    return rows


def expected_visits(instance: Instance, plan: Plan) -> dict[str, int]:
    """Visits the rhythm asks for (docs/rules.md, ``care_rhythm``): meets and talks per
    quarter, festival visits per year, over all pairs of the plan."""
    n = len(plan.care.pairs)
    rules = instance.care
    return {"meet": n * rules.meet_per_quarter, "talk": n * rules.talk_per_quarter,
            "festival": n * rules.festivals_per_year}
