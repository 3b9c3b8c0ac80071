"""Plain-data views of a plan shared by the spreadsheet and the HTML summary.

Both exporters show the same numbers (fair shares, terms per person, Chinese labels), so
they are computed once here. Lookups never fail on an id the instance does not know (a
plan read back from disk may refer to an entity since removed): the id is shown instead.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ..models.hosting import contact_of, expand_slots, fair_shares, max_turns_possible
from ..models.instance import VENUE_KIND_ZH, Instance
from ..models.plan import Plan
from ..models.timeline import CalendarError, period_bounds, work_calendar
from .summary import RULE_TITLES

WEEKDAYS = "一二三四五六日"


def plan_title(instance: Instance, plan: Plan) -> str:
    """The instance's name, with the year added unless the name already says it."""
    name = instance.name or instance.id
    return name if str(plan.year) in name else f"{name} · {plan.year} 年度计划"


def weekday_zh(day: dt.date) -> str:
    """``周一`` … ``周日``."""
    return "周" + WEEKDAYS[day.weekday()]


def time_span(start: dt.datetime, end: dt.datetime) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def rule_title(rule: str) -> str:
    return RULE_TITLES.get(rule, rule)


class Names:
    """Display names by id, falling back to the id itself."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self._people = {p.id: p for p in instance.people}
        self._feds = {f.id: f for f in instance.federations}
        self._venues = {v.id: v for v in instance.venues}

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
        note = ""
        if abs(n - sh.this_year) > 1:
            most = max_turns_possible(instance, calendar, f, slots)  # type: ignore[arg-type]
            if f.hosting.max_turns is not None and n >= f.hosting.max_turns:
                note = f"硬约束：达到上限 max_turns={f.hosting.max_turns}"
            elif n >= most:
                note = (f"硬约束：最多可排 {most} 次（可用场次、联系人请假、"
                        f"间隔≥{instance.hosting.min_gap_days}天）")
            elif f.hosting.min_turns and n <= f.hosting.min_turns:
                note = f"硬约束：下限 min_turns={f.hosting.min_turns}"
            else:
                note = "与同组单位的间隔、请假等硬约束共同限制"
        out.append(FairRow(f.id, f.name, f.hosting.weight, sh.previous, n,
                           float(sh.this_year), float(sh.with_carry_over), sh.group, note))
    return out


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
