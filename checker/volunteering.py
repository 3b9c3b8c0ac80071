"""Volunteer teams (巾帼志愿者服务队), re-derived for the checker from docs/rules.md.

Hard rules ``volunteer_eligible``, ``role_headcount``, ``volunteer_monthly_load`` and
``pinned_volunteering``; the soft amounts ``unfilled_role`` .. ``no_lead``; and the
volunteering duties that ``no_double_booking_person`` weighs against a person's other
duties. Nothing here uses ``VolunteerProfile.free``/``WeeklySpan.covers`` nor the
solver: the weekly pattern, the month grouping and the activity's town are recomputed
from the text of the docs. Only the travel table is read through
:meth:`Instance.travel_minutes` (via ``Ctx.travel``).

A plan may name unknown activities, roles or people: they are reported by
``volunteer_eligible`` (and counted nowhere else), never raised.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil

from ..models.volunteering import Activity, RoleDemand, WeeklySpan
from .context import Ctx

_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def weekly_covers(spans: tuple[WeeklySpan, ...], day: dt.date, start: int, end: int) -> bool:
    """Whether the weekly pattern covers ``[start, end)`` minutes of ``day`` entirely.

    The pattern is read as the union of its spans on that weekday (two adjoining spans
    ``08:00-10:30`` and ``10:30-12:00`` cover ``09:00-12:00``); an empty pattern covers
    any time (docs: "whose weekly pattern (when given) covers the activity's whole time").
    """
    if not spans:
        return True
    key = _DAY_KEYS[day.weekday()]
    reached = start
    for s, e in sorted((_minutes(w.start), _minutes(w.end)) for w in spans if key in w.days):
        if s > reached:
            break
        reached = max(reached, e)
    return reached >= end


def _role(a: Activity, name: str) -> RoleDemand | None:
    return next((r for r in a.roles if r.role == name), None)


def _upper(r: RoleDemand) -> int:
    """docs: at most ``max`` people, ``min`` when ``max`` is unset."""
    return r.max if r.max is not None else r.min


def assignments(ctx: Ctx) -> list[tuple[str, str, str]]:
    """The plan's distinct assignments ``(activity, person, role)``, in plan order (an
    entry repeated verbatim is reported by ``role_headcount`` and counted once)."""
    return list(dict.fromkeys((v.activity, v.person, v.role) for v in ctx.plan.volunteering))


def _holders(ctx: Ctx) -> dict[tuple[str, str], list[str]]:
    """(activity, role) -> the distinct people assigned, in plan order."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for aid, pid, role in assignments(ctx):
        out[(aid, role)].append(pid)
    return out


def _people_of(ctx: Ctx, aid: str) -> list[str]:
    """The distinct people on an activity, in plan order (indexed once per check)."""
    index = ctx.cache.get("people_of")
    if index is None:
        index = {}
        for a, pid, _ in assignments(ctx):
            index.setdefault(a, {})[pid] = None
        ctx.cache["people_of"] = index
    return list(index.get(aid, ()))


def _duration(a: Activity) -> int:
    return _minutes(a.end) - _minutes(a.start)


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


# =====================================================================================
# Hard rules
# =====================================================================================


def check_volunteer_eligible(ctx: Ctx) -> Iterator[str]:
    limit = ctx.instance.volunteering.max_travel_minutes
    for aid, pid, role_name in assignments(ctx):
        a = ctx.activities.get(aid)
        person = ctx.people.get(pid)
        if a is None:
            yield f"{ctx.who(pid)} is assigned as {role_name} to {ctx.activity_label(aid)}"
            continue
        what = f"{ctx.who(pid)} as {role_name} at {ctx.activity_label(aid)}"
        role = _role(a, role_name)
        if role is None:
            roles = ", ".join(r.role for r in a.roles)
            yield f"{what}: the activity has no role {role_name!r} (its roles: {roles})"
        if person is None:
            yield f"{what}: no such person"
            continue
        profile = person.volunteer
        if profile is None:
            yield f"{what}: she is not a volunteer (no `volunteer` profile)"
            continue
        skill = role.skill if role is not None else None
        if skill is not None and skill not in profile.skills:
            has = ", ".join(profile.skills) or "none"
            yield f"{what}: the role needs the skill {skill!r}; hers: {has}"
        language = role.language if role is not None else None
        if language is not None and language not in profile.languages:
            has = ", ".join(profile.languages) or "none"
            yield f"{what}: the role needs the language {language}; hers: {has}"
        reason = ctx.unavailable_on(pid, a.date)
        if reason is not None:
            why = f" ({reason})" if reason else ""
            yield f"{what}: she is unavailable on {ctx.day_label(a.date)}{why}"
        if not weekly_covers(profile.weekly, a.date, _minutes(a.start), _minutes(a.end)):
            free = "; ".join(f"{','.join(w.days)} {w.start}-{w.end}" for w in profile.weekly)
            yield (
                f"{what}: her weekly free time ({free}) does not cover "
                f"{ctx.day_label(a.date)} {a.start}-{a.end}"
            )
        town = ctx.activity_town(a)
        minutes = ctx.travel(person.town, town)
        if minutes > limit:
            yield (
                f"{what}: she lives in {ctx.instance.town_name(person.town)}, {minutes} "
                f"minutes from {ctx.instance.town_name(town)}; at most {limit} "
                "(volunteering.max_travel_minutes)"
            )


def check_role_headcount(ctx: Ctx) -> Iterator[str]:
    holders = _holders(ctx)
    for a in ctx.instance.activities:
        for r in a.roles:
            people = holders.get((a.id, r.role), [])
            upper = _upper(r)
            if len(people) > upper:
                names = ", ".join(ctx.who(p) for p in people)
                bound = f"max {r.max}" if r.max is not None else "its min; max is unset"
                yield (
                    f"role {r.role} of {ctx.activity_label(a.id)} has {len(people)} people "
                    f"({names}); at most {upper} ({bound})"
                )
    entries: dict[tuple[str, str], list[str]] = defaultdict(list)
    for v in ctx.plan.volunteering:
        entries[(v.activity, v.person)].append(v.role)
    for (aid, pid), roles in entries.items():
        if len(roles) < 2:
            continue
        counts = Counter(roles)
        listed = ", ".join(f"{r} ({n} times)" if n > 1 else r for r, n in counts.items())
        yield (
            f"{ctx.who(pid)} holds {len(roles)} roles in {ctx.activity_label(aid)} "
            f"({listed}); at most one role per activity"
        )


def check_volunteer_monthly_load(ctx: Ctx) -> Iterator[str]:
    months: dict[tuple[str, int, int], list[Activity]] = defaultdict(list)
    for aid, pid, _ in assignments(ctx):
        a = ctx.activities.get(aid)
        if a is None:
            continue
        key = (pid, a.date.year, a.date.month)
        if a not in months[key]:
            months[key].append(a)
    for (pid, year, month), acts in months.items():
        person = ctx.people.get(pid)
        if person is None or person.volunteer is None:
            continue  # reported by volunteer_eligible
        profile = person.volunteer
        listed = ", ".join(
            f"{a.title} ({a.id})" for a in sorted(acts, key=lambda a: (a.date, a.start, a.id))
        )
        where = f"in {year}-{month:02d} ({listed})"
        if len(acts) > profile.max_activities_per_month:
            yield (
                f"{ctx.who(pid)} has {len(acts)} activities {where}; at most "
                f"{profile.max_activities_per_month} (max_activities_per_month)"
            )
        total = sum(_duration(a) for a in acts)
        if total > profile.max_hours_per_month * 60:
            yield (
                f"{ctx.who(pid)} has {_hours(total)} hours of activities {where}; at most "
                f"{profile.max_hours_per_month} (max_hours_per_month)"
            )


def check_pinned_volunteering(ctx: Ctx) -> Iterator[str]:
    held = assignments(ctx)
    for pin in ctx.instance.pins.volunteering:
        if (pin.activity, pin.person, pin.role) in held:
            continue
        others = [p for a, p, r in held if (a, r) == (pin.activity, pin.role)]
        mine = [r for a, p, r in held if (a, p) == (pin.activity, pin.person)]
        has = (
            f"she holds {', '.join(sorted(mine))} there" if mine
            else f"{pin.role} is held by {', '.join(ctx.who(p) for p in others)}" if others
            else f"nobody holds {pin.role}"
        )
        why = f" ({pin.reason})" if pin.reason else ""
        yield (
            f"{ctx.who(pin.person)} is pinned to {pin.role} at "
            f"{ctx.activity_label(pin.activity)}{why}, but the plan does not assign her: {has}"
        )


# =====================================================================================
# Soft amounts
# =====================================================================================


def amount_unfilled_role(ctx: Ctx) -> int:
    holders = _holders(ctx)
    return sum(
        max(0, r.min - len(holders.get((a.id, r.role), [])))
        for a in ctx.instance.activities
        for r in a.roles
    )


def amount_volunteer_overload(ctx: Ctx) -> int:
    volunteers = [p.id for p in ctx.instance.people if p.volunteer is not None]
    if not volunteers:
        return 0
    need = sum(r.min for a in ctx.instance.activities for r in a.roles)
    k = ceil(need / len(volunteers))
    held = Counter(pid for _, pid, _ in assignments(ctx))
    return sum(max(0, held[pid] - k) for pid in volunteers)


def amount_disliked_kind(ctx: Ctx) -> int:
    n = 0
    for aid, pid, _ in assignments(ctx):
        a, person = ctx.activities.get(aid), ctx.people.get(pid)
        if a is not None and person is not None and person.volunteer is not None:
            n += a.kind in person.volunteer.dislikes
    return n


def amount_travel_time(ctx: Ctx) -> int:
    n = 0
    for aid, pid, _ in assignments(ctx):
        a = ctx.activities.get(aid)
        if a is not None:
            n += ctx.travel(ctx.person_town(pid), ctx.activity_town(a)) // 15
    return n


def amount_series_change(ctx: Ctx) -> int:
    series: dict[str, list[str]] = defaultdict(list)
    for a in ctx.instance.activities:
        if a.series is not None:
            series[a.series].append(a.id)
    n = 0
    for aids in series.values():
        crews = [set(_people_of(ctx, aid)) for aid in aids]
        n += len(set().union(*crews)) - max(len(c) for c in crews)
    return n


def amount_no_lead(ctx: Ctx) -> int:
    n = 0
    for a in ctx.instance.activities:
        if not a.lead_required:
            continue
        profiles = [ctx.people[p].volunteer for p in _people_of(ctx, a.id) if p in ctx.people]
        n += not any(v is not None and v.experienced for v in profiles)
    return n


# =====================================================================================
# Duties (for no_double_booking_person)
# =====================================================================================


@dataclass(frozen=True)
class Assignment:
    """One person's part in one activity (her roles there together: holding two roles
    of one activity is ``role_headcount``'s business, not a double booking)."""

    person: str
    activity: Activity
    roles: tuple[str, ...]


def person_assignments(ctx: Ctx) -> list[Assignment]:
    roles: dict[tuple[str, str], list[str]] = defaultdict(list)
    for aid, pid, role in assignments(ctx):
        if aid in ctx.activities:
            roles[(pid, aid)].append(role)
    return [Assignment(pid, ctx.activities[aid], tuple(rs)) for (pid, aid), rs in roles.items()]
