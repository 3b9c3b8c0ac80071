"""Volunteers on activities (巾帼志愿者服务队). Definitions in docs/rules.md.

Variables exist only for eligible (activity, role, volunteer) triples -- skill, language,
weekly pattern, availability that day and travel -- which *is* ``volunteer_eligible``.
A role's minimum is soft: the shortfall is a named cost and an `unfilled` entry with the
reason, never a silent drop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from math import ceil

from ..models.common import hhmm_minutes
from ..models.volunteering import (
    WEEKDAYS,
    Activity,
    RoleDemand,
    VolunteersNearby,
    shortfall_reason,
)
from .context import ModelContext

BARRED = "_barred_assignments"
"""Instance memo key: (activity, role, person) triples the model leaves out (a cover)."""


def eligible(inst, a: Activity, r: RoleDemand, person, town: str | None) -> int | None:
    """``volunteer_eligible`` for one person: her travel minutes to the activity's
    ``town`` when she has the skill and language, is not away that day, is free for the
    whole activity and lives close enough; None otherwise."""
    v = person.volunteer
    if v is None:
        return None
    if r.skill is not None and r.skill not in v.skills:
        return None
    if r.language is not None and r.language not in v.languages:
        return None
    minutes = inst.travel_minutes(person.town, town)
    if minutes > inst.volunteering.max_travel_minutes:
        return None
    start, end = a.minutes
    if not v.free(a.date, start, end) or person.is_unavailable(a.date):
        return None
    return minutes


class VolunteerIndex:
    """The volunteers in reach with a role's skill and language
    (``models.volunteering.VolunteersNearby``), with the data ``eligible`` reads unpacked
    once per person: free spans by weekday, unavailable date ranges."""

    def __init__(self, inst) -> None:
        self._inst = inst
        self._nearby = VolunteersNearby.of(inst)
        self._unpacked: dict[int, tuple[dict | None, list]] = {}
        self._near: dict[tuple, list] = {}

    def _person(self, i: int) -> tuple[dict | None, list]:
        if i not in self._unpacked:
            p = self._nearby.people[i]
            weekly = None
            if p.volunteer.weekly:
                weekly = defaultdict(list)
                for w in p.volunteer.weekly:
                    for d in w.days:
                        weekly[WEEKDAYS.index(d)].append(
                            (hhmm_minutes(w.start), hhmm_minutes(w.end)))
            self._unpacked[i] = (weekly, [(r.start, r.end) for r in p.unavailable])
        return self._unpacked[i]

    def near(self, town: str | None, skill: str | None, language: str | None,
             weekday: int) -> list[tuple[int, str, list | None, list | None]]:
        """(travel minutes, person id, her free spans that weekday or None for any time,
        her unavailable date ranges or None for none) of the volunteers in reach with the
        skill and language who may be free that weekday, nearest first, then by id."""
        key = (town, skill, language, weekday)
        if key not in self._near:
            inst, people, out = self._inst, self._nearby.people, []
            for i in self._nearby.pool(town, skill, language):
                weekly, away = self._person(i)
                spans = None if weekly is None else weekly.get(weekday)
                if weekly is not None and not spans:
                    continue
                out.append((inst.travel_minutes(people[i].town, town), people[i].id, spans,
                            away or None))
            out.sort(key=lambda x: (x[0], x[1]))  # nearest first, then by id
            self._near[key] = out
        return self._near[key]

    @classmethod
    def of(cls, inst) -> VolunteerIndex:
        """The index of an instance, built once (instances are immutable)."""
        return inst.memo("_volunteer_index", cls)


def eligible_pool(inst, a: Activity, r: RoleDemand) -> list[tuple[int, str]]:
    """(travel minutes, person) of every eligible volunteer of a role, nearest first
    (computed once per instance)."""
    cache = inst._by_id.setdefault("_volunteer_pools", {})
    key = (a.id, r.role)
    if key not in cache:
        # ``eligible`` for every volunteer in reach with the skill and language, on
        # unpacked data (a test checks both agree).
        day = a.date
        start, end = a.minutes
        found = []
        for m, pid, spans, away in VolunteerIndex.of(inst).near(
                inst.activity_town(a), r.skill, r.language, day.weekday()):
            if spans is not None and not any(s <= start and end <= e for s, e in spans):
                continue
            if away is not None and any(lo <= day <= hi for lo, hi in away):
                continue
            found.append((m, pid))
        cache[key] = found  # in near's order: nearest first, then by id
    return cache[key]


def pool(inst, a: Activity, r: RoleDemand, previous=None) -> list[str]:
    """The eligible volunteers a role is chosen from: the nearest
    ``volunteering.candidates_per_role`` (by travel, then id), or all when 0. Pinned
    people (and, re-planning, the published team) are always kept when eligible."""
    found = eligible_pool(inst, a, r)
    limit = inst.volunteering.candidates_per_role
    keep = [pid for _, pid in (found[:limit] if limit else found)]
    pinned = _pinned(inst, previous).get((a.id, r.role), set())
    if not pinned:
        return keep
    return keep + sorted(pinned - set(keep) & {pid for _, pid in found})


def _pinned(inst, previous) -> dict[tuple[str, str], set[str]]:
    """(activity, role) -> people pinned there (and, re-planning, the published team)."""
    memo = inst._by_id.setdefault("_pinned_teams", {})
    key = id(previous)
    if key not in memo:
        out: dict[tuple[str, str], set[str]] = defaultdict(set)
        for pin in inst.pins.volunteering:
            out[pin.activity, pin.role].add(pin.person)
        for v in previous.volunteering if previous is not None else ():
            out[v.activity, v.role].add(v.person)
        memo.clear()  # one previous plan at a time
        memo[key] = (previous, out)
    return memo[key][1]


def candidates(ctx: ModelContext, a: Activity, r: RoleDemand) -> list[str]:
    """``pool`` for this model, less the places a person is barred from (solver/cover.py:
    the holder of a duty being covered)."""
    barred = ctx.instance._by_id.get(BARRED, frozenset())
    return [pid for pid in pool(ctx.instance, a, r, ctx.previous)
            if (a.id, r.role, pid) not in barred]


def candidate_keys(ctx: ModelContext) -> Iterator[tuple[str, str, str]]:
    """Every candidate assignment (activity, role, volunteer) of the model's activities,
    whether or not the model builds its variable (``ModelContext.kept``)."""
    for a in ctx.activities:
        for r in a.roles:
            for pid in candidates(ctx, a, r):
                yield a.id, r.role, pid


def add_variables(ctx: ModelContext) -> None:
    if not ctx.has_volunteering:
        return
    kept = ctx.kept("volunteering")
    for key in candidate_keys(ctx):
        if kept is None or key in kept:
            ctx.assign[key] = ctx.new_bool("x[{},{},{}]".format(*key))


def _by(ctx: ModelContext, key) -> dict:
    out: dict = defaultdict(list)
    for k, lit in ctx.assign.items():
        out[key(k)].append(lit)
    return out


def add_role_headcount(ctx: ModelContext) -> None:
    """At most ``max`` people per role; one role per person per activity."""
    if not ctx.has_volunteering:
        return
    per_role = _by(ctx, lambda k: (k[0], k[1]))
    for a in ctx.activities:
        for r in a.roles:
            lits = per_role.get((a.id, r.role), [])
            if len(lits) > r.upper:
                ctx.model.add(sum(lits) <= r.upper)
    for lits in _by(ctx, lambda k: (k[0], k[2])).values():
        if len(lits) > 1:
            ctx.model.add_at_most_one(lits)


def add_volunteer_monthly_load(ctx: ModelContext) -> None:
    """Per volunteer and month: at most ``max_activities_per_month`` activities and
    ``max_hours_per_month`` hours."""
    if not ctx.has_volunteering:
        return
    inst = ctx.instance
    acts = {a.id: a for a in ctx.activities}
    per: dict[tuple[str, int], list] = defaultdict(list)
    for (aid, _role, pid), lit in ctx.assign.items():
        per[pid, acts[aid].date.month].append((acts[aid], lit))
    for (pid, _month), items in per.items():
        v = inst.person(pid).volunteer
        assert v is not None
        if len(items) > v.max_activities_per_month:
            ctx.model.add(sum(lit for _, lit in items) <= v.max_activities_per_month)
        minutes = [(a.minutes[1] - a.minutes[0], lit) for a, lit in items]
        if sum(m for m, _ in minutes) > 60 * v.max_hours_per_month:
            ctx.model.add(sum(m * lit for m, lit in minutes) <= 60 * v.max_hours_per_month)


def add_pinned_volunteering(ctx: ModelContext) -> None:
    """Every ``pins.volunteering`` entry holds."""
    if not ctx.has_volunteering:
        return
    mine = {a.id for a in ctx.activities}
    for pin in ctx.instance.pins.volunteering:
        if pin.activity not in mine:
            continue  # another part's activity
        lit = ctx.assign.get((pin.activity, pin.role, pin.person))
        # Not eligible (skill, time, travel...): infeasible, and the pre-check says why.
        ctx.model.add_bool_or([lit] if lit is not None else [])


def shortfalls(ctx: ModelContext) -> dict[tuple[str, str], object]:
    """(activity, role) -> int var: people missing below the role's minimum."""
    if "short" in ctx.cache:
        return ctx.cache["short"]
    per_role = _by(ctx, lambda k: (k[0], k[1]))
    out = {}
    for a in ctx.activities:
        for r in a.roles:
            if r.min == 0:
                continue
            lits = per_role.get((a.id, r.role), [])
            short = ctx.model.new_int_var(0, r.min, f"short[{a.id},{r.role}]")
            ctx.model.add_max_equality(short, [r.min - sum(lits, start=0), 0])
            out[a.id, r.role] = short
    ctx.cache["short"] = out
    return out


def _overloads(ctx: ModelContext) -> dict[str, object]:
    """volunteer id -> int var: her assignments above the fair load ``k`` (only for
    volunteers with more than ``k`` candidate assignments); made once per model, read by
    ``volunteer_overload`` and by ``series_change``'s redundant cut."""
    if "overloads" not in ctx.cache:
        inst, model = ctx.instance, ctx.model
        k = fair_load(inst)
        out: dict[str, object] = {}
        for pid, lits in sorted(_by(ctx, lambda key: key[2]).items()):
            if len(lits) <= k:
                continue
            over = model.new_int_var(0, len(lits), f"over[{pid}]")
            model.add_max_equality(over, [sum(lits) - k, 0])
            out[pid] = over
        ctx.cache["overloads"] = out
    return ctx.cache["overloads"]


def unfilled_role_penalties(ctx: ModelContext) -> None:
    """People missing below each role's minimum."""
    if not ctx.has_volunteering:
        return
    acts = {a.id: a for a in ctx.activities}
    parts = [(short, 1, f"{acts[aid].title}（{acts[aid].date}）{role} 缺人")
             for (aid, role), short in shortfalls(ctx).items()]
    ctx.penalise("unfilled_role", ctx.instance.weights.unfilled_role, parts)


def volunteer_overload_penalties(ctx: ModelContext) -> None:
    """Assignments of a volunteer above the fair load ``k`` (:func:`fair_load`)."""
    if not ctx.has_volunteering:
        return
    inst = ctx.instance
    k = fair_load(inst)
    parts = [(over, 1, f"{inst.person(pid).name} 承担 {k} 次以上志愿活动")
             for pid, over in _overloads(ctx).items()]
    ctx.penalise("volunteer_overload", inst.weights.volunteer_overload, parts)


def disliked_kind_penalties(ctx: ModelContext) -> None:
    """Assignments to an activity of a kind the volunteer dislikes."""
    if not ctx.has_volunteering:
        return
    inst = ctx.instance
    acts = {a.id: a for a in ctx.activities}
    parts = []
    for (aid, _role, pid), lit in ctx.assign.items():
        a, person = acts[aid], inst.person(pid)
        if a.kind in person.volunteer.dislikes:  # type: ignore[union-attr]
            parts.append((lit, 1, f"{person.name} 不喜欢的{a.kind}：{a.title}"))
    ctx.penalise("disliked_kind", inst.weights.disliked_kind, parts)


def travel_time_penalties(ctx: ModelContext) -> None:
    """Travel to each assignment, in whole quarters of an hour."""
    if not ctx.has_volunteering:
        return
    inst = ctx.instance
    acts = {a.id: a for a in ctx.activities}
    parts = []
    for (aid, _role, pid), lit in ctx.assign.items():
        a, person = acts[aid], inst.person(pid)
        q = inst.travel_minutes(person.town, inst.activity_town(a)) // 15
        if q:
            parts.append((lit, q, f"{person.name} 赴 {inst.town_name(inst.activity_town(a))} "
                                  f"参加 {a.title}"))
    ctx.penalise("travel_time", inst.weights.travel_time, parts)


def series_change_penalties(ctx: ModelContext) -> None:
    """Per series: the distinct volunteers on it less the most on one of its sessions."""
    if not ctx.has_volunteering:
        return
    inst, model = ctx.instance, ctx.model
    k = fair_load(inst)
    overs = _overloads(ctx)
    series: dict[str, list[Activity]] = defaultdict(list)
    for a in ctx.activities:
        if a.series:
            series[a.series].append(a)
    per_act_person = _by(ctx, lambda key: (key[0], key[2]))
    per_act = _by(ctx, lambda key: key[0])
    people_of: dict[str, set[str]] = defaultdict(set)
    for aid, pid in per_act_person:
        people_of[aid].add(pid)
    short = shortfalls(ctx)
    changes = []
    for sid, members in sorted(series.items()):
        people = sorted(set().union(*(people_of[a.id] for a in members)))
        used = []
        for pid in people:
            lits = [lit for a in members for lit in per_act_person.get((a.id, pid), [])]
            u = model.new_bool_var(f"used[{sid},{pid}]")
            model.add_max_equality(u, lits)
            used.append(u)
            if len(lits) > k and pid in overs:
                # Redundant (the same rule, a stronger LP): past k assignments she is
                # overloaded, so her share of a series is at most k + over, and 0 when
                # she is not on it. Without it the LP spreads fractions of many people
                # over every session and sees no series_change at all.
                model.add(sum(lits) <= k * u + overs[pid])
        counts, ceilings = [], []
        for a in members:
            ub = min(len(per_act.get(a.id, [])), sum(r.upper for r in a.roles))
            c = model.new_int_var(0, ub, f"n[{a.id}]")
            model.add(c == sum(per_act.get(a.id, []), start=0))
            counts.append(c)
            ceilings.append(ub)
        # top is a max the objective pushes up: give the LP its true ceiling, and bound
        # it by what the other sessions need at least (their minimum less their
        # shortfall) -- both hold in every plan.
        top = model.new_int_var(0, max(ceilings, default=0), f"top[{sid}]")
        model.add_max_equality(top, counts)
        mins = [sum(r.min for r in a.roles) for a in members]
        model.add(top <= sum(counts) - (sum(mins) - max(mins)) + sum(
            (short[a.id, r.role] for a in members for r in a.roles if (a.id, r.role) in short),
            start=0))
        amount = model.new_int_var(0, len(people), f"series[{sid}]")
        model.add(amount == sum(used, start=0) - top)
        changes.append((amount, 1, f"系列活动 {members[0].title} 换人"))
    ctx.penalise("series_change", inst.weights.series_change, changes)


def no_lead_penalties(ctx: ModelContext) -> None:
    """Activities with ``lead_required`` and no experienced volunteer assigned."""
    if not ctx.has_volunteering:
        return
    inst, model = ctx.instance, ctx.model
    parts = []
    leads_of: dict[str, list] = defaultdict(list)
    for (aid, _r, pid), lit in ctx.assign.items():
        if inst.person(pid).volunteer.experienced:  # type: ignore[union-attr]
            leads_of[aid].append(lit)
    for a in ctx.activities:
        if not a.lead_required:
            continue
        leads = leads_of.get(a.id, [])
        ok = model.new_bool_var(f"lead[{a.id}]")
        if leads:
            model.add_max_equality(ok, leads)
        else:
            model.add(ok == 0)
        parts.append((1 - ok, 1, f"{a.title}（{a.date}）没有有经验的带队人"))
    ctx.penalise("no_lead", inst.weights.no_lead, parts)


def fair_load(inst) -> int:
    """``k`` of ``volunteer_overload``: ceil(total minimum headcount / volunteers)."""
    volunteers = sum(1 for p in inst.people if p.volunteer is not None)
    demand = sum(r.min for a in inst.activities for r in a.roles)
    return ceil(demand / volunteers) if volunteers else 0


def why_unfilled(ctx: ModelContext, a: Activity, r: RoleDemand, assigned: int) -> str:
    """A reason in words for a role left below its minimum (from the role's candidates,
    also in a model that keeps only some of them: ``ModelContext.only``)."""
    n = len(candidates(ctx, a, r))
    return shortfall_reason(r, n, ctx.instance.volunteering.max_travel_minutes, assigned)
