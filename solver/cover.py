"""Who can cover? Ranked stand-ins for one duty of a published plan, each verified.

A *duty* is one decision of a published plan, named by an id (:func:`parse_duty`):

==============================  ==============================================
``rotation-<base>-p<period>``   a rotation term (the base's chair in a period)
``mtg-<base>-q<quarter>``       a joint meeting's host: the host follows the
                                chair, so this is the term of the period the
                                meeting falls in
``host-<venue>-<date>[-HHMM]``  a hosting turn (the slot id of plan.json)
``<activity>/<role>/<person>``  a volunteer's place in an activity
``visit-…``                     a care visit (the visit id of plan.json)
==============================  ==============================================

For every stand-in who passes the same eligibility the solver uses (checked here in
plain Python: presidium and availability for a term, ``hosting_eligible`` and the
contact's availability for a turn, skill, language, weekly pattern, travel and
availability for a volunteer place), :func:`cover` runs a minimal-change re-plan
(``solve(previous=, today=)``) with the stand-in pinned to the duty (the holder is then
out: one chair per period, one host per slot; a volunteer place also bars the holder
from it). A care visit has no stand-in (a child keeps her mother): its "cover" is the
best other time, found by a re-plan with the mother unavailable that day.

Candidates are ranked by the weighted number of changed decisions, then by the
objective; every listed plan passes :func:`xinglian.checker.check`. Those that do not
come out are counted by reason: away, ineligible, busy (no feasible re-plan while she
has another duty then), no feasible re-plan.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..checker import Violation, check, score
from ..models.changes import ChangeSet, PinChair, PinHosting, Unavailable, apply_changes, describe
from ..models.hosting import HostIndex, contact_of
from ..models.instance import Instance, VolunteeringPin
from ..models.plan import Plan
from ..models.timeline import Timeline
from .solve import Result, solve
from .volunteering import BARRED, eligible_pool
from .volunteering import eligible as volunteer_eligible

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


def _options(duty: Duty, plan: Plan, inst: Instance, timeline: Timeline
             ) -> tuple[list[_Option], Counter]:
    """Stand-ins to try (most promising first) and the ones ruled out, counted."""
    reasons: Counter = Counter()
    out: list[_Option] = []
    busy = _Busy(plan, inst)
    if duty.kind in ("rotation", "meeting"):
        fed = inst.federation(duty.base)
        start, end = timeline.periods[duty.period - 1]
        limit = inst.rotation.max_unavailable_days
        for pid in fed.presidium:
            if pid == duty.holder:
                continue
            if timeline.unavailable_days(inst.person(pid), start, end) > limit:
                reasons["away"] += 1
                continue
            out.append(_Option(pid, ChangeSet(changes=(PinChair(
                kind="pin_chair", base=duty.base, period=duty.period, chair=pid,
                reason="替班"),)), busy=busy.chairs(pid, duty.period, duty.base)))
    elif duty.kind == "hosting":
        venue = inst.venue(duty.venue)
        at = HostIndex.of(inst).at(venue)
        eligible_ids = {f.id for f in at}
        reasons["ineligible"] += sum(1 for f in _hosting_feds(inst)
                                     if f.id not in eligible_ids and f.id != duty.holder)
        gap = inst.hosting.min_gap_days
        for f in at:
            if f.id == duty.holder:
                continue
            contact = contact_of(f)
            if contact is not None and inst.person(contact).is_unavailable(duty.day):
                reasons["away"] += 1
                continue
            near = any(h.federation == f.id and abs((h.start.date() - duty.day).days) < gap
                       for h in plan.hosting)
            out.append(_Option(f.id, ChangeSet(changes=(PinHosting(
                kind="pin_hosting", venue=duty.venue, date=duty.day, federation=f.id,
                start=duty.start_hhmm, reason="替班"),)),
                busy=near or (contact is not None and busy.at(contact, duty))))
    elif duty.kind == "volunteering":
        a = inst.activity(duty.activity)
        r = next(r for r in a.roles if r.role == duty.role)
        town = inst.activity_town(a)
        team = {v.person for v in plan.volunteering
                if (v.activity, v.role) == (duty.activity, duty.role)}
        for p in inst.people:
            if p.volunteer is None or p.id == duty.holder or p.id in team:
                continue
            if p.is_unavailable(a.date):
                reasons["away"] += 1
                continue
            minutes = volunteer_eligible(inst, a, r, p, town)
            if minutes is None:
                reasons["ineligible"] += 1
                continue
            out.append(_Option(
                p.id, pins_volunteering=(VolunteeringPin(
                    activity=a.id, person=p.id, role=r.role, reason="替班"),),
                barred=frozenset({(a.id, r.role, duty.holder)}), travel=minutes,
                busy=busy.at(p.id, duty)))
    else:  # visit: the same mother at another time
        out.append(_Option(duty.holder, ChangeSet(changes=(Unavailable(
            kind="unavailable", person=duty.holder, start=duty.day, end=duty.day,
            reason="另约时间"),))))
    # Free ones first, then the nearest, then by id: a stable order to try them in.
    out.sort(key=lambda o: (o.busy, o.travel or 0, o.who))
    return out, reasons


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


def warm(inst: Instance) -> None:
    """Work out the published instance's eligible-volunteer pools once: every
    candidate's re-plan then carries them over (solver/keep.py ``carry_pools``: exact,
    a pin or one absence changes no pool but that person's) instead of working them out
    again (about a second on the default instance)."""
    for a in inst.activities:
        for r in a.roles:
            eligible_pool(inst, a, r)


def replan_for(plan: Plan, inst: Instance, timeline: Timeline, today: dt.date,
               new_inst: Instance, *, work: float, seed: int, workers: int) -> Result:
    """One minimal-change re-plan of ``plan`` under ``new_inst`` from ``today``."""
    return solve(new_inst, time_limit=max(5.0, 4 * work), work=work, seed=seed,
                 workers=workers, calendar=timeline.calendar, previous=plan, today=today,
                 previous_instance=inst, run_prechecks=True)


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


def _direct_weight(duty: Duty, inst: Instance) -> int:
    w = inst.change_weights
    return {"rotation": w.rotation_term, "meeting": w.rotation_term,
            "hosting": w.hosting_turn, "volunteering": 2 * w.volunteer}[duty.kind]


def _fast_path_exact(inst: Instance) -> bool:
    """With every change weight positive, a stand-in who can simply step in (the plain
    substitution passes the checker) is exactly the minimal re-plan: it changes only
    what every re-plan of this cover must change, so no re-plan has fewer weighted
    changes, and with that number held nothing else may move."""
    return all(v > 0 for v in inst.change_weights.model_dump().values())


def _scored(inst: Instance, plan: Plan, calendar) -> tuple[Plan, int]:
    """``plan`` with its penalties and objective recomputed by the checker's score."""
    from ..models.plan import Penalty

    sc = score(inst, plan, calendar)
    penalties = tuple(Penalty(rule=r, weight=sc.weights[r], amount=a, cost=sc.cost(r))
                      for r, a in sc.amounts.items() if a and sc.weights[r])
    return plan.model_copy(update={
        "penalties": penalties,
        "solve": plan.solve.model_copy(update={"objective": sc.total})}), sc.total


def _candidate(duty: Duty, option: _Option, plan: Plan, inst: Instance,
               timeline: Timeline, today: dt.date, *, work: float, seed: int,
               workers: int) -> tuple[Candidate | None, str]:
    from ..export.changes import diff_plans  # exporters read only plain data

    keep = (_past_meeting_pins(plan, duty.base, today, duty.period)
            if duty.kind in ("rotation", "meeting") else ())
    try:
        new_inst = _instance_for(option, inst, today, keep)
    except ValueError as e:  # a pin on the past: not a stand-in
        return None, f"ineligible ({e})"
    names = _Names(inst)
    who = option.who
    name = names.federation(who) if duty.kind == "hosting" else names.person(who)
    applied = [f"谁能替班：{name} 接替 {duty.label}"] if duty.kind != "visit" else \
        [f"{duty.label} 另约时间"]
    applied += [describe(c, inst) for c in (*option.changes.changes, *keep)]
    res = replan_for(plan, inst, timeline, today, new_inst, work=work, seed=seed,
                     workers=workers)
    if res.plan is None:
        return None, ("busy" if option.busy else "no feasible re-plan")
    violations: list[Violation] = check(new_inst, res.plan, timeline.calendar)
    if violations or _holds(duty, res.plan, duty.holder) and duty.kind != "visit":
        return None, "no feasible re-plan"
    if duty.kind != "visit" and not _holds(duty, res.plan, option.who):
        return None, "no feasible re-plan"
    if rewrites_past(plan, res.plan, today):
        return None, "would rewrite the past"
    changes = diff_plans(plan, res.plan, new_inst, inst)
    return Candidate(
        who=who, name=name, plan=res.plan, instance=new_inst, change_cost=res.change_cost,
        changed=list(res.changed), objective=res.objective or 0,
        cost_diff=cost_diff(plan, res.plan), changes=changes,
        notify=_notify(changes, new_inst), applied=applied, result=res,
        travel=option.travel), ""


DIRECT_KINDS = ("rotation", "meeting", "hosting", "volunteering")


def _fast_pass(duty: Duty, options: list[_Option], plan: Plan, inst: Instance,
               timeline: Timeline, today: dt.date, top: int, reasons: Counter
               ) -> tuple[list[Candidate], list[_Option]]:
    """Stand-ins who can simply step in, best first: every option's plain substitution
    is scored (cheap), then checked in order of its objective until ``top`` pass. Returns
    those candidates and the options left to re-plan (in their original order)."""
    from ..export.changes import diff_plans

    keep = (_past_meeting_pins(plan, duty.base, today, duty.period)
            if duty.kind in ("rotation", "meeting") else ())
    published = {p.rule: p.cost for p in _scored(inst, plan, timeline.calendar)[0].penalties}
    names = _Names(inst)
    scored, failed = [], set()
    for o in options:
        new, changed = direct_plan(duty, plan, o.who)
        if rewrites_past(plan, new, today):
            failed.add(o.who)
            continue
        new, total = _scored(inst, new, timeline.calendar)
        scored.append((total, o.travel or 0, o.who, o, new, changed))
    scored.sort(key=lambda e: e[:3])
    found: list[Candidate] = []
    for k, (total, _, who, o, new, changed) in enumerate(scored):
        if top > 0 and len(found) >= top:
            # Simple steps-in too, but not better than the ones listed: not checked.
            reasons["not tried"] += len(scored) - k
            break
        try:
            new_inst = _instance_for(o, inst, today, keep)
        except ValueError:
            failed.add(who)
            continue
        if check(new_inst, new, timeline.calendar):
            failed.add(who)
            continue
        after = {p.rule: p.cost for p in new.penalties}
        diff = {r: after.get(r, 0) - published.get(r, 0)
                for r in sorted(after.keys() | published.keys())
                if after.get(r, 0) != published.get(r, 0)}
        name = names.federation(who) if duty.kind == "hosting" else names.person(who)
        changes = diff_plans(plan, new, new_inst, inst)
        found.append(Candidate(
            who=who, name=name, plan=new, instance=new_inst,
            change_cost=_direct_weight(duty, inst), changed=changed, objective=total,
            cost_diff=diff, changes=changes, notify=_notify(changes, new_inst),
            applied=[f"谁能替班：{name} 接替 {duty.label}"]
            + [describe(c, inst) for c in (*o.changes.changes, *keep)],
            result=None, travel=o.travel))
    return found, [o for o in options if o.who in failed]


def _visit_moves(duty: Duty, plan: Plan, inst: Instance, timeline: Timeline,
                 today: dt.date) -> list[tuple[Plan, str]]:
    """Every plain move of a care visit to another allowed time of its quarter (or its
    festival's window) on or after ``today``, as a plan (the visits of that child, kind
    and quarter renumbered by date, as the solver and the checker number them) and the
    new time in words."""
    from ..models.volunteering import WEEKDAYS

    v = next(x for x in plan.care.visits if x.id == duty.id)
    care, mother = inst.care, inst.person(v.mother)
    day = v.start.date()
    times, minutes = {"meet": (care.meet_times, care.meet_minutes),
                      "talk": (care.talk_times, care.talk_minutes),
                      "festival": (care.festival_times, care.festival_minutes)}[v.kind]
    if v.kind == "festival":
        # Any festival she does not visit yet (festival visits are at different ones).
        stem = v.id.rsplit("-f", 1)[0]
        used = {x.id for x in plan.care.visits if x.child == v.child and x.id != v.id}
        out = []
        for j, f in enumerate(care.festivals, start=1):
            fid = f"{stem}-f{j}"
            if fid in used:
                continue
            lo = max(timeline.first, f.date - dt.timedelta(days=f.window_days))
            hi = min(timeline.last, f.date + dt.timedelta(days=f.window_days))
            for d in timeline.days(lo, hi):
                if d == day or d < today or mother.is_unavailable(d):
                    continue
                for t in times:
                    start = timeline.at(d, t)
                    moved = v.model_copy(update={
                        "id": fid, "start": start,
                        "end": start + dt.timedelta(minutes=minutes)})
                    visits = tuple(moved if x.id == v.id else x for x in plan.care.visits)
                    out.append((plan.model_copy(update={"care": plan.care.model_copy(
                        update={"visits": visits})}), f"{d} {t}"))
        return out
    else:
        q = int(re.search(r"-q(\d+)-", v.id)[1])
        qs, qe = timeline.quarters[q - 1]
        days = [d for d in timeline.days(qs, qe) if WEEKDAYS[d.weekday()] in care.visit_days]
        group = [x for x in plan.care.visits if x.child == v.child and x.kind == v.kind
                 and x.id != v.id and re.search(rf"-q{q}-", x.id)]
    taken = {x.start for x in group}
    out = []
    for d in days:
        if d == day or d < today or mother.is_unavailable(d):
            continue
        for t in times:
            start = timeline.at(d, t)
            if start in taken:
                continue
            moved = v.model_copy(update={"start": start,
                                         "end": start + dt.timedelta(minutes=minutes)})
            renamed = {}
            if v.kind != "festival":
                stem = v.id.rsplit("-", 1)[0]  # visit-<code>-<year>-q<q>
                mine = sorted([*group, moved], key=lambda x: x.start)
                renamed = {x.start: f"{stem}-{v.kind}{k}" for k, x in enumerate(mine, start=1)}
            members = {x.id for x in group} | {v.id}
            visits = tuple(
                (moved if x.id == v.id else x).model_copy(update={
                    "id": renamed[(moved if x.id == v.id else x).start]})
                if renamed and x.id in members else (moved if x.id == v.id else x)
                for x in plan.care.visits)
            out.append((plan.model_copy(update={"care": plan.care.model_copy(
                update={"visits": visits})}), f"{d} {t}"))
    return out


def _visit_pass(duty: Duty, options: list[_Option], plan: Plan, inst: Instance,
                timeline: Timeline, today: dt.date, top: int, reasons: Counter
                ) -> list[Candidate]:
    """A care visit's fast path: every other allowed time, scored, then checked best
    first (objective, then date) until ``top`` pass. The best is what the minimal
    re-plan gives (one visit must move; with one change held, it moves to the best
    time)."""
    from ..export.changes import diff_plans

    (o,) = options
    day = duty.day
    spans = _Busy(plan, inst).spans.get(duty.holder, [])
    v = next(x for x in plan.care.visits if x.id == duty.id)
    if any(a.date() == day and (a, b) != (v.start, v.end) for a, b in spans):
        # Her other duties that day move too (she is away that day): a re-plan decides.
        return []
    new_inst = _instance_for(o, inst, today)
    published = {p.rule: p.cost for p in _scored(inst, plan, timeline.calendar)[0].penalties}
    scored = []
    for new, when in _visit_moves(duty, plan, inst, timeline, today):
        new, total = _scored(inst, new, timeline.calendar)
        scored.append((total, when, new))
    scored.sort(key=lambda e: e[:2])
    found: list[Candidate] = []
    name = _Names(inst).person(duty.holder)
    for k, (total, when, new) in enumerate(scored):
        if top > 0 and len(found) >= top:
            reasons["not tried"] += len(scored) - k
            break
        if check(new_inst, new, timeline.calendar):
            reasons["busy"] += 1
            continue
        after = {p.rule: p.cost for p in new.penalties}
        diff = {r: after.get(r, 0) - published.get(r, 0)
                for r in sorted(after.keys() | published.keys())
                if after.get(r, 0) != published.get(r, 0)}
        changes = diff_plans(plan, new, new_inst, inst)
        found.append(Candidate(
            who=duty.holder, name=f"{name} {when}", plan=new, instance=new_inst,
            change_cost=inst.change_weights.care_visit, changed=[("visit", duty.id)],
            objective=total, cost_diff=diff, changes=changes,
            notify=_notify(changes, new_inst),
            applied=[f"{duty.label} 另约时间：{when}"]
            + [describe(c, inst) for c in o.changes.changes], result=None))
    return found


def cover(plan: Plan, inst: Instance, duty_id: str, today: dt.date, *, top: int = 5,
          tries: int | None = None, work: float = 1.0, seed: int = 0,
          workers: int = 1, parallel: int = 1, fast: bool = True,
          timeline: Timeline | None = None) -> CoverReport:
    """The best ``top`` stand-ins for one duty, each a verified re-plan.

    ``tries`` caps the re-plans (default ``2 * top``; the rest are counted as not
    tried); ``work`` is each re-plan's work budget (deterministic); ``parallel`` re-plans
    run at a time, each with ``workers`` CP-SAT threads. With ``fast``, a stand-in who
    can simply step in (the plain substitution passes the checker) is taken as is: that
    is exactly the minimal re-plan when every change weight is positive
    (``_fast_path_exact``); only the others are re-planned. Such a candidate has no
    ``result``: :func:`materialize` re-plans it (to apply it).

    Raises
    ------
    UnknownDuty
        When the id names nothing in the plan.
    ValueError
        When the duty ended before ``today``.
    """
    started = time.perf_counter()
    duty = parse_duty(plan, inst, duty_id, today)
    if duty.end < today:
        raise ValueError(f"{duty_id} ended on {duty.end}, before --today {today}; the past "
                         "cannot change")
    timeline = timeline or Timeline(inst)
    warm(inst)
    options, reasons = _options(duty, plan, inst, timeline)
    found: list[Candidate] = []
    rest = options
    if fast and _fast_path_exact(inst) and duty.kind in DIRECT_KINDS:
        found, rest = _fast_pass(duty, options, plan, inst, timeline, today, top, reasons)
    elif fast and _fast_path_exact(inst) and duty.kind == "visit":
        found = _visit_pass(duty, options, plan, inst, timeline, today, top, reasons)
        rest = [] if found else options
    if top > 0 and len(found) >= top:
        # The rest cannot simply step in: each needs a chain, so more weighted changes
        # than any listed one -- they rank lower and need no re-plan.
        reasons["not tried"] += len(rest)
        rest = []
    limit = len(rest) if tries is None and top <= 0 else (tries or 2 * top)
    if len(rest) > limit:
        reasons["not tried"] += len(rest) - limit

    def one(option: _Option):
        return _candidate(duty, option, plan, inst, timeline, today, work=work, seed=seed,
                          workers=workers)

    # Re-plans may run `parallel` at a time (one builds its model in Python while
    # another searches; on a loaded 2-core machine it gains nothing, hence 1); each is
    # deterministic by its work budget, so the list is the same either way.
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for cand, why in pool.map(one, rest[:limit]):
            if cand is None:
                reasons[why.split(" (")[0]] += 1
            else:
                found.append(cand)
    found.sort(key=lambda c: (c.change_cost, c.objective, c.travel or 0, c.who))
    shown = found[:top] if top > 0 else found
    return CoverReport(duty, shown, reasons, considered=len(options),
                       seconds=time.perf_counter() - started, more=len(found) - len(shown))


# -- swaps -------------------------------------------------------------------------------


@dataclass
class SwapReport:
    a: Duty
    b: Duty
    ok: bool
    direct: bool
    """The two exchange and nothing else moves."""
    violations: list[Violation]
    """The rules the plain exchange breaks (empty when it holds)."""
    plan: Plan | None = None
    instance: Instance | None = None
    cost_diff: dict[str, int] = field(default_factory=dict)
    changes: list = field(default_factory=list)
    notify: list[str] = field(default_factory=list)
    change_cost: int = 0
    alternative: CoverReport | None = None
    problem: str = ""


def swapped_plan(plan: Plan, a: Duty, b: Duty) -> Plan:
    """``plan`` with the holders of ``a`` and ``b`` exchanged, nothing else moved (a
    chair's meetings follow her term)."""
    if a.kind == "meeting" or b.kind == "meeting":
        a, b = _as_term(a), _as_term(b)
    if a.kind != b.kind:
        raise ValueError(f"{a.id} is a {a.kind} duty and {b.id} a {b.kind} one: only duties "
                         "of one kind can be exchanged")
    if a.kind == "rotation":
        new_chair = {(a.base, a.period): b.holder, (b.base, b.period): a.holder}
        rotation = tuple(t.model_copy(update={"chair": new_chair[(t.base, t.period)]})
                         if (t.base, t.period) in new_chair else t for t in plan.rotation)
        terms = {(t.base, t.period): t for t in rotation}
        meetings = []
        for m in plan.meetings:
            for d in (a, b):
                t = terms[(d.base, d.period)]
                if m.base == d.base and t.start <= m.start.date() <= t.end:
                    m = m.model_copy(update={"host": t.chair})
            meetings.append(m)
        return plan.model_copy(update={"rotation": rotation, "meetings": tuple(meetings)})
    if a.kind == "hosting":
        fed = {a.id: b.holder, b.id: a.holder}
        return plan.model_copy(update={"hosting": tuple(
            h.model_copy(update={"federation": fed[h.id]}) if h.id in fed else h
            for h in plan.hosting)})
    if a.kind == "volunteering":
        who = {(a.activity, a.role, a.holder): b.holder,
               (b.activity, b.role, b.holder): a.holder}
        return plan.model_copy(update={"volunteering": tuple(
            v.model_copy(update={"person": who[(v.activity, v.role, v.person)]})
            if (v.activity, v.role, v.person) in who else v for v in plan.volunteering)})
    raise ValueError("care visits cannot be exchanged (a child keeps her caring mother); "
                     "use cover to move one")


def _as_term(d: Duty) -> Duty:
    if d.kind != "meeting":
        return d
    return Duty("rotation", f"rotation-{d.base}-p{d.period}", d.holder, d.label, d.day,
                d.end, base=d.base, period=d.period)


def swap(plan: Plan, inst: Instance, id_a: str, id_b: str, today: dt.date, *,
         work: float = 1.0, seed: int = 0, workers: int = 1, top: int = 3,
         timeline: Timeline | None = None) -> SwapReport:
    """Can the holders of duties ``id_a`` and ``id_b`` exchange them?

    First the plain exchange, judged by the checker (its violations name the rules in
    words); if it breaks none, it is re-solved as a re-plan with both pinned, which
    gives the exchanged plan with the objective recomputed. When the plain exchange
    breaks a rule, a re-plan with both pinned may still find one with further moves;
    otherwise the nearest alternative is the best cover of ``id_a``.
    """
    from ..export.changes import diff_plans

    timeline = timeline or Timeline(inst)
    warm(inst)
    a, b = parse_duty(plan, inst, id_a, today), parse_duty(plan, inst, id_b, today)
    for d in (a, b):
        if d.end < today:
            raise ValueError(f"{d.id} ended on {d.end}, before --today {today}")
    if a.holder == b.holder:
        raise ValueError(f"{id_a} and {id_b} have the same holder ({a.holder}): nothing to "
                         "exchange")
    plain = swapped_plan(plan, a, b)
    violations = check(inst, plain, timeline.calendar)
    ta, tb = _as_term(a), _as_term(b)
    opts = [_pin(ta, b.holder), _pin(tb, a.holder)]
    changes = ChangeSet(changes=tuple(c for o in opts for c in o.changes.changes))
    option = _Option(b.holder, changes,
                     pins_volunteering=tuple(p for o in opts for p in o.pins_volunteering),
                     barred=frozenset().union(*(o.barred for o in opts)))
    report = SwapReport(a, b, False, False, violations)
    try:
        new_inst = _instance_for(option, inst, today)
    except ValueError as e:  # e.g. not on that presidium: no re-plan can hold it
        new_inst, res = inst, Result("INFEASIBLE", None, problems=str(e).splitlines())
    else:
        res = replan_for(plan, inst, timeline, today, new_inst, work=work, seed=seed,
                         workers=workers)
    if res.plan is not None and not check(new_inst, res.plan, timeline.calendar) \
            and _holds(ta, res.plan, b.holder) and _holds(tb, res.plan, a.holder):
        report.ok = True
        report.plan, report.instance = res.plan, new_inst
        report.changes = diff_plans(plan, res.plan, new_inst, inst)
        report.notify = _notify(report.changes, new_inst)
        report.cost_diff = cost_diff(plan, res.plan)
        report.change_cost = res.change_cost
        report.direct = not violations and len(res.changed) <= 2 * (
            2 if a.kind == "volunteering" else 1)
    else:
        report.problem = "\n".join(res.problems) if res.plan is None and res.problems else ""
        report.alternative = cover(plan, inst, id_a, today, top=top, work=work, seed=seed,
                                   workers=workers, timeline=timeline)
    return report


def _pin(d: Duty, who: str) -> _Option:
    if d.kind == "rotation":
        return _Option(who, ChangeSet(changes=(PinChair(
            kind="pin_chair", base=d.base, period=d.period, chair=who, reason="互换"),)))
    if d.kind == "hosting":
        return _Option(who, ChangeSet(changes=(PinHosting(
            kind="pin_hosting", venue=d.venue, date=d.day, federation=who,
            start=d.start_hhmm, reason="互换"),)))
    if d.kind == "volunteering":
        return _Option(who, pins_volunteering=(VolunteeringPin(
            activity=d.activity, person=who, role=d.role, reason="互换"),),
            barred=frozenset({(d.activity, d.role, d.holder)}))
    raise ValueError("care visits cannot be exchanged (a child keeps her caring mother)")


def materialize(candidate: Candidate, report: CoverReport, plan: Plan, inst: Instance,
                today: dt.date, *, work: float = 1.0, seed: int = 0, workers: int = 1,
                timeline: Timeline | None = None) -> Candidate:
    """The candidate with its re-plan (``result``) run, to write it as a version. A
    fast-path candidate is re-planned with the same pins; the re-plan's changes are the
    listed ones (checked: a ValueError says so otherwise)."""
    if candidate.result is not None:
        return candidate
    timeline = timeline or Timeline(inst)
    res = replan_for(plan, inst, timeline, today, candidate.instance, work=work, seed=seed,
                     workers=workers)
    if res.plan is None or check(candidate.instance, res.plan, timeline.calendar):
        raise ValueError(f"the re-plan for {candidate.name} found no valid plan "
                         f"({res.status}); nothing written")
    from ..export.changes import diff_plans

    changes = diff_plans(plan, res.plan, candidate.instance, inst)
    listed = [c.text for c in candidate.changes]
    if sorted(res.changed) != sorted(candidate.changed) \
            or [c.text for c in changes] != listed:
        best = next((k for k, c in enumerate(report.candidates, start=1)
                     if [x.text for x in c.changes] == [x.text for x in changes]), None)
        hint = f" (that is candidate {best})" if best else ""
        raise ValueError(f"the minimal re-plan for {candidate.name} gives "
                         f"{'; '.join(c.text for c in changes)}{hint}, not the listed "
                         f"change; nothing written")
    return Candidate(
        who=candidate.who, name=candidate.name, plan=res.plan, instance=candidate.instance,
        change_cost=res.change_cost, changed=list(res.changed), objective=res.objective or 0,
        cost_diff=cost_diff(plan, res.plan), changes=changes,
        notify=_notify(changes, candidate.instance), applied=candidate.applied, result=res,
        travel=candidate.travel)
