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

The stand-ins are those who pass the same eligibility the solver uses (checked here in
plain Python: presidium and availability for a term, ``hosting_eligible`` and the
contact's availability for a turn, skill, language, weekly pattern, travel and
availability for a volunteer place). Those who can simply step in are found first
(solver/cover_fast.py: the plain substitution, scored and checked -- exactly the
minimal re-plan when every change weight is positive); the others need a chain and
get a minimal-change re-plan (``solve(previous=, today=, previous_instance=)``) with
the stand-in pinned to the duty (the holder is then out: one chair per period, one host
per slot; a volunteer place also bars the holder from it). A care visit keeps its
mother: its candidates are other allowed times.

Candidates are ranked by the weighted number of changed decisions, then by the
objective; every listed plan passes :func:`xinglian.checker.check`. Those that do not
come out are counted by reason: away, ineligible, busy (no feasible plan while she has
another duty then), no feasible re-plan, would rewrite the past, not tried.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from ..checker import Violation, check
from ..models.changes import ChangeSet, PinChair, PinHosting, Unavailable, describe
from ..models.hosting import HostIndex, contact_of
from ..models.instance import Instance, VolunteeringPin
from ..models.plan import Plan
from ..models.timeline import Timeline
from .cover_fast import DIRECT_KINDS, _fast_pass, _fast_path_exact, _visit_pass
from .duty import (
    Candidate,
    CoverReport,
    Duty,
    UnknownDuty,
    _Busy,
    _holds,
    _hosting_feds,
    _instance_for,
    _Names,
    _notify,
    _Option,
    _past_meeting_pins,
    cost_diff,
    duty_ids,
    parse_duty,
    rewrites_past,
)
from .solve import Result, solve
from .volunteering import eligible as volunteer_eligible
from .volunteering import eligible_pool

# -- who could take it (plain Python, the solver's eligibility) -------------------------


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



__all__ = ["Candidate", "CoverReport", "Duty", "UnknownDuty", "cover", "duty_ids",
           "materialize", "parse_duty", "replan_for", "warm"]
