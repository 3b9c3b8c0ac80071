"""What a cover is about: duties (parsed from their ids), candidates, reports, and the
plain-data helpers the cover, its fast path and the swap share (solver/cover.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from ..models.changes import ChangeSet, PinChair, apply_changes
from ..models.hosting import contact_of
from ..models.instance import Instance
from ..models.plan import Plan
from .solve import Result
from .volunteering import BARRED

KINDS = ("rotation", "meeting", "hosting", "volunteering", "visit")


class UnknownDuty(ValueError):
    """The duty id names nothing in the plan (the message lists valid ids)."""


@dataclass(frozen=True)
class Duty:
    kind: str  # rotation | meeting | hosting | volunteering | visit
    id: str
    holder: str
    """A person (rotation, meeting, volunteering, visit) or a federation (hosting)."""
    label: str
    """In Chinese, with names."""
    day: dt.date
    """The day the duty starts (a term: its first day)."""
    end: dt.date
    base: str | None = None
    period: int | None = None
    venue: str | None = None
    start_hhmm: str | None = None
    activity: str | None = None
    role: str | None = None
    note: str = ""


@dataclass
class Candidate:
    who: str
    """Person or federation id taking the duty (for a visit: the mother)."""
    name: str
    plan: Plan
    instance: Instance
    """The instance of the re-plan (the original with the pin / bar / absence)."""
    change_cost: int
    changed: list[tuple[str, str]]
    objective: int
    cost_diff: dict[str, int]
    """Soft rule -> new cost - published cost (non-zero only)."""
    changes: list = field(default_factory=list)
    """export.changes.Change entries: the exact plan change (a chain of moves)."""
    notify: list[str] = field(default_factory=list)
    """People whose calendars change."""
    applied: list[str] = field(default_factory=list)
    """The change in words (for changes.md when applied)."""
    result: Result | None = None
    travel: int | None = None


@dataclass
class CoverReport:
    duty: Duty
    candidates: list[Candidate]
    reasons: Counter
    """away | ineligible | busy | no feasible re-plan | not tried -> how many."""
    considered: int
    seconds: float = 0.0
    more: int = 0
    """Candidates found beyond ``top`` (verified too, not shown)."""

    @property
    def why_short(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.reasons.items() if v)


# -- duty ids -------------------------------------------------------------------------


def duty_ids(plan: Plan, today: dt.date | None = None, inst: Instance | None = None
             ) -> dict[str, list[str]]:
    """Valid duty ids of a plan by kind (those ending on or after ``today``)."""
    def live(end: dt.date) -> bool:
        return today is None or end >= today

    acts = {a.id: a.date for a in inst.activities} if inst is not None else {}

    return {
        "rotation": [f"rotation-{t.base}-p{t.period}" for t in plan.rotation if live(t.end)],
        "meeting": [m.id for m in plan.meetings if live(m.end.date())],
        "hosting": [h.id for h in plan.hosting if live(h.end.date())],
        "volunteering": [f"{v.activity}/{v.role}/{v.person}" for v in plan.volunteering
                         if v.activity not in acts or live(acts[v.activity])],
        "visit": [v.id for v in plan.care.visits if live(v.end.date())],
    }


def _unknown(plan: Plan, duty_id: str, why: str, today: dt.date | None = None,
             inst: Instance | None = None) -> UnknownDuty:
    lines = [f"unknown duty {duty_id!r}: {why}", "duty ids are:",
             "  rotation-<base>-p<period>   a rotation term",
             "  mtg-<base>-q<quarter>       a joint meeting's host (follows the chair)",
             "  host-<venue>-<date>[-HHMM]  a hosting turn",
             "  <activity>/<role>/<person>  a volunteer's place",
             "  visit-…                     a care visit",
             "valid ids in this plan" + (f" from {today}" if today else "")
             + " (first of each kind):"]
    for kind, ids in duty_ids(plan, today, inst).items():
        if ids:
            more = f" … ({len(ids)} in all)" if len(ids) > 5 else ""
            lines.append(f"  {kind}: {', '.join(ids[:5])}{more}")
    return UnknownDuty("\n".join(lines))


def parse_duty(plan: Plan, inst: Instance, duty_id: str, today: dt.date | None = None
               ) -> Duty:
    """The duty ``duty_id`` names in ``plan``.

    Raises
    ------
    UnknownDuty
        With the id syntax and valid ids of the plan.
    """
    names = _Names(inst)
    if duty_id.count("/") == 2:
        aid, role, pid = duty_id.split("/")
        if not any((v.activity, v.role, v.person) == (aid, role, pid) for v in plan.volunteering):
            raise _unknown(plan, duty_id, "no such volunteer place in the plan", today, inst)
        a = inst.activity(aid)
        return Duty("volunteering", duty_id, pid,
                    f"{a.title}（{a.date} {a.start}-{a.end}）{role}：{names.person(pid)}",
                    a.date, a.date, activity=aid, role=role)
    m = re.fullmatch(r"rotation-(.+)-p(\d+)", duty_id)
    if m:
        term = next((t for t in plan.rotation
                     if t.base == m[1] and t.period == int(m[2])), None)
        if term is None:
            raise _unknown(plan, duty_id, "no such rotation term", today, inst)
        return Duty("rotation", duty_id, term.chair,
                    f"{names.federation(term.base)} 第{term.period}期轮值主席"
                    f"（{term.start}–{term.end}）：{names.person(term.chair)}",
                    term.start, term.end, base=term.base, period=term.period)
    if duty_id.startswith("mtg-"):
        mtg = next((x for x in plan.meetings if x.id == duty_id), None)
        if mtg is None:
            raise _unknown(plan, duty_id, "no such joint meeting", today, inst)
        day = mtg.start.date()
        term = next((t for t in plan.rotation
                     if t.base == mtg.base and t.start <= day <= t.end), None)
        if term is None:  # pragma: no cover - every day is in some period
            raise _unknown(plan, duty_id, "the meeting's period has no chair", today, inst)
        return Duty("meeting", duty_id, mtg.host,
                    f"{names.federation(mtg.base)} 第{mtg.quarter}季度联席会（{day}）主持："
                    f"{names.person(mtg.host)}",
                    term.start, term.end, base=mtg.base, period=term.period,
                    note=(f"the joint meeting's host is the rotating chair: covering the "
                          f"host means covering the chair of period {term.period} "
                          f"({term.start}–{term.end}), who also hosts it "
                          f"(主持人随轮值主席：替班即接任第{term.period}期轮值主席)"))
    if duty_id.startswith("host-"):
        h = next((x for x in plan.hosting if x.id == duty_id), None)
        if h is None:
            raise _unknown(plan, duty_id, "no such hosting turn", today, inst)
        return Duty("hosting", duty_id, h.federation,
                    f"{names.venue(h.venue)} {h.start:%Y-%m-%d %H:%M} 轮值主办："
                    f"{names.federation(h.federation)}",
                    h.start.date(), h.end.date(), venue=h.venue,
                    start_hhmm=f"{h.start:%H:%M}")
    if duty_id.startswith("visit-"):
        v = next((x for x in plan.care.visits if x.id == duty_id), None)
        if v is None:
            raise _unknown(plan, duty_id, "no such care visit", today, inst)
        return Duty("visit", duty_id, v.mother,
                    f"爱心妈妈 {names.person(v.mother)} 探访 {v.child}（{v.kind}，"
                    f"{v.start:%Y-%m-%d %H:%M}）",
                    v.start.date(), v.end.date(),
                    note=("a child keeps her caring mother: the visit is moved to the "
                          "best other time (the mother marked unavailable that day)"))
    raise _unknown(plan, duty_id, "not a duty id", today, inst)


class _Names:
    def __init__(self, inst: Instance) -> None:
        self.inst = inst

    def person(self, pid: str) -> str:
        try:
            return self.inst.person(pid).name
        except KeyError:
            return pid

    def federation(self, fid: str) -> str:
        try:
            return self.inst.federation(fid).name
        except KeyError:
            return fid

    def venue(self, vid: str) -> str:
        try:
            return self.inst.venue(vid).name
        except KeyError:
            return vid


# -- who could take it (plain Python, the solver's eligibility) -------------------------


@dataclass
class _Option:
    who: str
    changes: ChangeSet = field(default_factory=ChangeSet)
    pins_volunteering: tuple = ()
    barred: frozenset = frozenset()
    travel: int | None = None
    busy: bool = False


def _hosting_feds(inst: Instance):
    return [f for f in inst.federations if f.hosting is not None]


class _Busy:
    """Who has another published duty at a time (for the reasons, and the try order)."""

    def __init__(self, plan: Plan, inst: Instance) -> None:
        self.plan, self.inst = plan, inst
        self.spans: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
        for m in plan.meetings:
            for pid in {m.host, *m.attendees}:
                self.spans.setdefault(pid, []).append((m.start, m.end))
        feds = {f.id: f for f in inst.federations}
        for h in plan.hosting:
            c = contact_of(feds[h.federation]) if h.federation in feds else None
            if c:
                self.spans.setdefault(c, []).append((h.start, h.end))
        acts = {a.id: a for a in inst.activities}
        for v in plan.volunteering:
            a = acts.get(v.activity)
            if a is not None:
                s, e = _activity_span(a)
                self.spans.setdefault(v.person, []).append((s, e))
        for v in plan.care.visits:
            self.spans.setdefault(v.mother, []).append((v.start, v.end))

    def chairs(self, pid: str, period: int, base: str) -> bool:
        return any(t.chair == pid and t.period == period and t.base != base
                   for t in self.plan.rotation)

    def at(self, pid: str, duty: Duty) -> bool:
        span = _duty_span(duty, self.plan, self.inst)
        if span is None:
            return False
        s, e = span
        return any(a < e and s < b for a, b in self.spans.get(pid, ()))


_TZ = dt.timezone(dt.timedelta(hours=8))


def _activity_span(a) -> tuple[dt.datetime, dt.datetime]:
    s, e = a.minutes
    day = dt.datetime.combine(a.date, dt.time(), _TZ)
    return day + dt.timedelta(minutes=s), day + dt.timedelta(minutes=e)


def _duty_span(duty: Duty, plan: Plan, inst: Instance):
    if duty.kind == "volunteering":
        return _activity_span(inst.activity(duty.activity))
    if duty.kind == "hosting":
        h = next(x for x in plan.hosting if x.id == duty.id)
        return h.start, h.end
    return None


# -- the re-plans -----------------------------------------------------------------------


def _past_meeting_pins(plan: Plan, base: str, today: dt.date, skip: int | None) -> tuple:
    """Pins keeping the chair of every term of ``base`` still running on ``today`` whose
    joint meeting already took place (its host follows the chair: moving the term would
    rewrite who hosted it). The re-plan's frozen past covers only terms already ended."""
    out = []
    for t in plan.rotation:
        if t.base != base or t.period == skip or t.end < today:
            continue
        if any(m.base == base and m.start.date() < today and t.start <= m.start.date()
               <= t.end for m in plan.meetings):
            out.append(PinChair(kind="pin_chair", base=base, period=t.period, chair=t.chair,
                                reason="联席会已召开"))
    return tuple(out)


def _instance_for(option: _Option, inst: Instance, today: dt.date,
                  keep: tuple = ()) -> Instance:
    changes = ChangeSet(changes=(*option.changes.changes, *keep))
    new = apply_changes(inst, changes, today) if changes.changes else None
    if option.pins_volunteering or option.barred:
        base = new or inst
        data = {name: getattr(base, name) for name in type(base).model_fields}
        data["pins"] = base.pins.model_copy(update={
            "volunteering": (*base.pins.volunteering, *option.pins_volunteering)})
        new = Instance.model_validate(data)
        new._by_id[BARRED] = option.barred
    return new if new is not None else inst


def _holds(duty: Duty, plan: Plan, who: str) -> bool:
    """Whether ``who`` holds the duty (the duty's decision) in ``plan``."""
    if duty.kind in ("rotation", "meeting"):
        term = next((t for t in plan.rotation
                     if (t.base, t.period) == (duty.base, duty.period)), None)
        if term is None or term.chair != who:
            return False
        if duty.kind == "meeting":
            mtg = next((m for m in plan.meetings if m.id == duty.id), None)
            return mtg is None or mtg.host == who or not (term.start <= mtg.start.date()
                                                          <= term.end)
        return True
    if duty.kind == "hosting":
        return any(h.id == duty.id and h.federation == who for h in plan.hosting)
    if duty.kind == "volunteering":
        return any((v.activity, v.role, v.person) == (duty.activity, duty.role, who)
                   for v in plan.volunteering)
    return any(v.id == duty.id for v in plan.care.visits)


def rewrites_past(before: Plan, after: Plan, today: dt.date) -> bool:
    """Whether ``after`` changes a joint meeting held before ``today`` (its host follows a
    term that is still running, which the re-plan does not freeze on its own)."""
    old = {m.id: m for m in before.meetings if m.start.date() < today}
    return any(m.id in old and (m.host, m.start, m.venue) != (
        old[m.id].host, old[m.id].start, old[m.id].venue) for m in after.meetings)


def _costs(plan: Plan) -> dict[str, int]:
    return {p.rule: p.cost for p in plan.penalties}


def cost_diff(before: Plan, after: Plan) -> dict[str, int]:
    a, b = _costs(before), _costs(after)
    return {r: b.get(r, 0) - a.get(r, 0) for r in sorted(a.keys() | b.keys())
            if b.get(r, 0) != a.get(r, 0)}


def _notify(changes, inst: Instance) -> list[str]:
    people: set[str] = set()
    for c in changes:
        people.update(c.people)
        for f in c.federations:
            if c.kind == "hosting":
                try:
                    contact = contact_of(inst.federation(f))
                except KeyError:
                    contact = None
                if contact:
                    people.add(contact)
    return sorted(people)


def _as_term(d: Duty) -> Duty:
    if d.kind != "meeting":
        return d
    return Duty("rotation", f"rotation-{d.base}-p{d.period}", d.holder, d.label, d.day,
                d.end, base=d.base, period=d.period)


def direct_plan(duty: Duty, plan: Plan, who: str) -> tuple[Plan, list[tuple[str, str]]]:
    """``plan`` with ``who`` simply stepping in for the holder, nothing else moved (a
    chair's meetings follow her term), and the changed decisions as the re-plan names
    them."""
    if duty.kind in ("rotation", "meeting"):
        term = _as_term(duty)
        new_chair = {(term.base, term.period): who}
        rotation = tuple(t.model_copy(update={"chair": new_chair[(t.base, t.period)]})
                         if (t.base, t.period) in new_chair else t for t in plan.rotation)
        t = next(x for x in rotation if (x.base, x.period) == (term.base, term.period))
        meetings = tuple(m.model_copy(update={"host": who})
                         if m.base == term.base and t.start <= m.start.date() <= t.end
                         else m for m in plan.meetings)
        return (plan.model_copy(update={"rotation": rotation, "meetings": meetings}),
                [("rotation", f"{term.base}/p{term.period}")])
    if duty.kind == "hosting":
        return (plan.model_copy(update={"hosting": tuple(
            h.model_copy(update={"federation": who}) if h.id == duty.id else h
            for h in plan.hosting)}), [("hosting", duty.id)])
    assert duty.kind == "volunteering"
    key = (duty.activity, duty.role, duty.holder)
    return (plan.model_copy(update={"volunteering": tuple(
        v.model_copy(update={"person": who}) if (v.activity, v.role, v.person) == key else v
        for v in plan.volunteering)}),
        [("volunteering", f"{duty.activity}/{duty.role}/{duty.holder}"),
         ("volunteering", f"{duty.activity}/{duty.role}/{who}")])


