"""Each person's duties of the year, for the duty lists of summary.md, summary.html and
the workbook's 个人职责 sheet: chair terms, joint meetings hosted, attended or missed,
hosting turns she runs as her federation's contact, volunteering and caring-mother
visits (the child by code only).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..models.hosting import contact_of
from ..models.instance import Instance
from ..models.plan import Plan
from .labels import VISIT_KIND_SHORT
from .views import Names, PeriodLabel, time_span, weekday_zh

DUTY_KINDS = {
    "chair": "轮值主席 rotating chair",
    "meeting_host": "主持联席会 hosts joint meeting",
    "meeting": "参加联席会 attends joint meeting",
    "meeting_absent": "联席会请假 away on a joint meeting",
    "hosting": "主办联系人 hosting contact",
    "volunteer": "志愿服务 volunteering",
    "care": "爱心妈妈走访 caring-mother visit",
}
"""Kinds of duty in the order a person's list shows them (the heading of each group)."""


@dataclass(frozen=True)
class Duty:
    """One thing a person does this year, in words a member reads."""

    kind: str
    """A key of :data:`DUTY_KINDS`."""
    day: dt.date
    when: str
    """``2027-03-14 周日 09:00–11:30``, or a date range for a chair's term."""
    what: str


@dataclass(frozen=True)
class PersonDuties:
    person: str
    name: str
    duties: tuple[Duty, ...]

    def by_kind(self) -> list[tuple[str, list[Duty]]]:
        """``(kind, duties)`` in :data:`DUTY_KINDS` order, kinds without duties left out."""
        groups: dict[str, list[Duty]] = defaultdict(list)
        for d in self.duties:
            groups[d.kind].append(d)
        return [(k, groups[k]) for k in DUTY_KINDS if groups.get(k)]


def _when(start: dt.datetime, end: dt.datetime) -> str:
    return f"{start:%Y-%m-%d} {weekday_zh(start.date())} {time_span(start, end)}"


def person_duties(instance: Instance, plan: Plan) -> list[PersonDuties]:
    """Every duty of every person this year: chair terms, joint meetings hosted, attended
    or missed, hosting turns she runs as her federation's contact, volunteering and
    caring-mother visits (the child by code only).

    People come in instance order (then anyone only the plan knows), each with her
    duties by date; people without any duty are left out.
    """
    names = Names(instance)
    mine: dict[str, list[Duty]] = defaultdict(list)
    for t in plan.rotation:
        months = PeriodLabel(t.period, t.start, t.end).months
        mine[t.chair].append(Duty(
            "chair", t.start, f"{t.start:%Y-%m-%d} 至 {t.end:%Y-%m-%d}",
            f"{names.federation(t.base)} 第{t.period}期（{months}）"))
    for m in plan.meetings:
        what = (f"{names.federation(m.base)} 第{m.quarter}季度联席会 · "
                f"{names.venue(m.venue)}")
        mine[m.host].append(Duty("meeting_host", m.start.date(), _when(m.start, m.end), what))
        for p in m.attendees:
            if p != m.host:
                mine[p].append(Duty("meeting", m.start.date(), _when(m.start, m.end), what))
        for p in m.absent:
            mine[p].append(Duty("meeting_absent", m.start.date(), _when(m.start, m.end), what))
    feds = {f.id: f for f in instance.federations}
    for h in plan.hosting:
        fed = feds.get(h.federation)
        contact = contact_of(fed) if fed is not None else None
        if contact:
            mine[contact].append(Duty(
                "hosting", h.start.date(), _when(h.start, h.end),
                f"{names.venue(h.venue)}（{names.federation(h.federation)}）"
                + (f" · 主题：{h.theme}" if h.theme else "")))
    acts = {a.id: a for a in instance.activities}
    for v in plan.volunteering:
        a = acts.get(v.activity)
        if a is None:
            mine[v.person].append(Duty("volunteer", dt.date.max, "", f"{v.activity} · {v.role}"))
            continue
        place = " · ".join(x for x in (instance.town_name(instance.activity_town(a)),
                                       names.venue(a.venue)) if x)
        mine[v.person].append(Duty(
            "volunteer", a.date, f"{a.date:%Y-%m-%d} {weekday_zh(a.date)} {a.start}–{a.end}",
            f"{a.title} · {v.role}" + (f" · {place}" if place else "")))
    for c in plan.care.visits:
        # The child by code only (隐私保护): never her name, address or needs.
        mine[c.mother].append(Duty(
            "care", c.start.date(), _when(c.start, c.end),
            f"儿童 {c.child} · {VISIT_KIND_SHORT.get(c.kind, c.kind)}"))
    order = [p.id for p in instance.people]
    order += sorted(set(mine) - set(order))
    kind_rank = {k: i for i, k in enumerate(DUTY_KINDS)}
    return [PersonDuties(pid, names.person(pid),
                         tuple(sorted(mine[pid], key=lambda d: (kind_rank[d.kind], d.day,
                                                                d.when, d.what))))
            for pid in order if mine.get(pid)]
