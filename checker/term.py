"""The rotating chair's term of work, re-verified in plain Python (docs/rules.md:
``term_visits``, ``term_visit_attendance``, ``signature_activity``,
``term_no_double_booking``; soft ``visit_spread``, ``regional_chair_load``,
``late_signature_activity``).

Reads only the instance and the plan (never OR-Tools nor ``xinglian.solver``); the
definitions it shares with the solver are the instance's own (models/term.py: which
enterprises a base visits, the rounds, where an activity may take place).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from ..models.term import activity_venues, contact, round_of, signature_id, visit_id, visited
from .context import Ctx
from .hosting import contact as hosting_contact
from .volunteering import person_assignments


def _terms(ctx: Ctx):
    return [t for t in ctx.instance.terms if t.base in ctx.bases]


def _minutes(t: dt.datetime) -> int:
    return t.hour * 60 + t.minute


def _hhmm(t: dt.datetime) -> str:
    return f"{t:%H:%M}"


def _day_ok(ctx: Ctx, day: dt.date, weekdays, working_only: bool = True) -> str | None:
    if day.isoweekday() not in weekdays:
        return f"{day} is a {day:%A}, not an allowed weekday {list(weekdays)}"
    if working_only and ctx.calendar is not None and not ctx.calendar.is_workday(day):
        return f"{day} is not a working day"
    return None


def check_term_visits(ctx: Ctx) -> Iterator[str]:
    inst, year, T = ctx.instance, ctx.year, ctx.n_periods
    terms = {t.base: t for t in _terms(ctx)}
    by_pair: dict[tuple[str, str], list] = defaultdict(list)
    for v in ctx.plan.term_visits:
        term = terms.get(v.base)
        if term is None or v.enterprise not in visited(inst, term):
            yield f"visit {v.id}: {ctx.base_name(v.base)} has no visits to {v.enterprise}"
            continue
        by_pair[v.base, v.enterprise].append(v)
    for b, term in terms.items():
        name = ctx.base_name(b)
        N = term.visits_per_year
        for e in visited(inst, term):
            got = sorted(by_pair.get((b, e), []), key=lambda v: v.start)
            if len(got) != N:
                yield (f"{name} visits {ctx.fed_name(e)} {len(got)} times; "
                       f"{N} a year are required")
            for v in got:
                start, end = ctx.local(v.start), ctx.local(v.end)
                day = start.date()
                t = ctx.period_of(day)
                if t is None:
                    yield f"visit {v.id} on {day} lies outside {year}"
                    continue
                if v.period != t or v.id != visit_id(b, year, t, e):
                    yield f"visit {v.id} on {day} is in period {t} (id or period wrong)"
                why = _day_ok(ctx, day, term.visit_weekdays)
                if why:
                    yield f"visit {v.id}: {why}"
                if _hhmm(start) not in term.visit_times or \
                        _minutes(end) - _minutes(start) != term.visit_minutes or \
                        end.date() != day:
                    yield (f"visit {v.id} runs {start:%H:%M}-{end:%H:%M}; it must start at "
                           f"one of {', '.join(term.visit_times)} and last "
                           f"{term.visit_minutes} minutes")
                if v.town != ctx.feds[e].town:
                    yield f"visit {v.id} is placed in {v.town}, not at the enterprise's town"
            if N and len(got) == N:
                rounds = [round_of(ctx.period_of(ctx.local(v.start).date()) or 1, T, N)
                          for v in got]
                if rounds != list(range(1, N + 1)):
                    yield (f"{name} visits {ctx.fed_name(e)} in periods "
                           f"{[v.period for v in got]}: visit k must fall in round k "
                           f"(the periods cut into {N} runs)")


def check_term_visit_attendance(ctx: Ctx) -> Iterator[str]:
    terms = {t.base: t for t in _terms(ctx)}
    events = [(v, "visit") for v in ctx.plan.term_visits] + \
             [(s, "signature activity") for s in ctx.plan.signature_activities]
    for x, what in events:
        term = terms.get(x.base)
        if term is None:
            continue  # reported by term_visits / signature_activity
        day = ctx.local(x.start).date()
        chair = ctx.chair_of.get((x.base, x.period))
        if ctx.held(x.end):
            # Over before the re-plan: led by whoever chaired then, as published.
            if x.chair not in ctx.presidium(x.base):
                yield (f"{what} {x.id}, held on {day}, names {ctx.who(x.chair)} as chair, "
                       f"not a member of the presidium")
            continue
        if chair is not None and x.chair != chair:
            yield (f"{what} {x.id} names {ctx.who(x.chair)} as chair; the chair of period "
                   f"{x.period} is {ctx.who(chair)}")
        if x.regional_chair != term.regional_chair:
            yield f"{what} {x.id} names {ctx.who(x.regional_chair)}, not the regional chair"
        people = [x.chair, x.regional_chair]
        if what == "visit":
            c = contact(ctx.instance, x.enterprise) if x.enterprise in ctx.feds else None
            if x.contact != c:
                yield f"visit {x.id} names contact {x.contact}, not {c}"
            people.append(c)
        for p in dict.fromkeys(people):
            if p is not None and ctx.is_unavailable(p, day):
                yield f"{ctx.who(p)} attends {what} {x.id} on {day} but is unavailable"


def check_signature_activity(ctx: Ctx) -> Iterator[str]:
    inst, year = ctx.instance, ctx.year
    terms = {t.base: t for t in _terms(ctx) if t.activity is not None}
    count = Counter((s.base, s.period) for s in ctx.plan.signature_activities)
    usable = defaultdict(list)
    for s in ctx.hosting_slots or ():
        if s.usable:
            usable[s.venue, s.date].append((s.start, s.end))
    for b in terms:
        for t in ctx.periods:
            if count[b, t] != 1:
                yield (f"{ctx.base_name(b)} {ctx.period_label(t)} has {count[b, t]} signature "
                       f"activities; exactly one is required")
    for s in ctx.plan.signature_activities:
        term = terms.get(s.base)
        if term is None:
            yield f"signature activity {s.id}: {ctx.base_name(s.base)} holds none"
            continue
        act = term.activity
        start, end = ctx.local(s.start), ctx.local(s.end)
        day = start.date()
        lo, hi = ctx.periods.get(s.period, (None, None))
        if lo is None or not lo <= day <= hi or s.id != signature_id(s.base, year, s.period):
            yield f"signature activity {s.id} on {day} is not in period {s.period}"
        why = _day_ok(ctx, day, act.weekdays, act.working_days_only)
        if why:
            yield f"signature activity {s.id}: {why}"
        if _hhmm(start) not in act.times or _minutes(end) - _minutes(start) != act.minutes:
            yield (f"signature activity {s.id} runs {start:%H:%M}-{end:%H:%M}; it must start "
                   f"at one of {', '.join(act.times)} and last {act.minutes} minutes")
        if s.venue not in activity_venues(inst, term):
            yield f"signature activity {s.id} is at {s.venue}, not one of its venues"
            continue
        venue = ctx.venues[s.venue]
        if venue.is_closed(day):
            yield f"signature activity {s.id}: {venue.name} is closed on {day}"
        for a, b in usable.get((s.venue, day), ()):
            if start.time() < b and a < end.time():
                yield (f"signature activity {s.id} overlaps the hosting slot {a:%H:%M}-"
                       f"{b:%H:%M} of {venue.name} on {day}")
        for a in inst.activities:
            if a.venue == s.venue and a.date == day:
                m0, m1 = a.minutes
                if _minutes(start) < m1 and m0 < _minutes(end):
                    yield f"signature activity {s.id} overlaps activity {a.id} at {venue.name}"


@dataclass(frozen=True)
class _Duty:
    key: str
    what: str
    start: dt.datetime
    end: dt.datetime
    town: str | None
    term: bool
    base: str | None = None


def _duties(ctx: Ctx) -> dict[str, list[_Duty]]:
    """person -> every duty (docs: no_double_booking_person, plus the term duties)."""
    out: dict[str, list[_Duty]] = defaultdict(list)
    for m in ctx.plan.meetings:
        v = ctx.venues.get(m.venue)
        for p in dict.fromkeys(m.attendees):
            out[p].append(_Duty(m.id, f"meeting {m.id}", ctx.local(m.start), ctx.local(m.end),
                                v.town if v else None, False))
    for h in ctx.plan.hosting:
        fed, v = ctx.feds.get(h.federation), ctx.venues.get(h.venue)
        p = hosting_contact(fed) if fed is not None else None
        if p:
            out[p].append(_Duty(h.id, f"hosting turn {h.id}", ctx.local(h.start),
                                ctx.local(h.end), v.town if v else None, False))
    for a in person_assignments(ctx):
        s, e = ctx.activity_span(a.activity)
        out[a.person].append(_Duty("act:" + a.activity.id, f"activity {a.activity.id}", s, e,
                                   ctx.activity_town(a.activity), False))
    for cv in ctx.plan.care.visits:
        child = ctx.children.get(cv.child)
        out[cv.mother].append(_Duty(cv.id, f"visit {cv.id}", ctx.local(cv.start),
                                    ctx.local(cv.end), child.town if child else None, False))
    for v in ctx.plan.term_visits:
        for p in dict.fromkeys([v.chair, v.regional_chair, v.contact]):
            if p:
                out[p].append(_Duty(v.id, f"enterprise visit {v.id}", ctx.local(v.start),
                                    ctx.local(v.end), v.town, True, v.base))
    for s in ctx.plan.signature_activities:
        venue = ctx.venues.get(s.venue)
        for p in dict.fromkeys([s.chair, s.regional_chair]):
            out[p].append(_Duty(s.id, f"signature activity {s.id}", ctx.local(s.start),
                                ctx.local(s.end), venue.town if venue else None, True, s.base))
    return out


def check_term_no_double_booking(ctx: Ctx) -> Iterator[str]:
    """A person at a visit or a signature activity is nowhere else at the time, travel
    between towns included; a venue holds no meeting nor another activity then."""
    for pid, duties in _duties(ctx).items():
        if not any(d.term for d in duties):
            continue
        ordered = sorted(duties, key=lambda d: (d.start, d.key))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if b.start.date() != a.start.date() and b.start >= a.end:
                    break
                if not (a.term or b.term) or a.key == b.key:
                    continue
                travel = ctx.travel(a.town, b.town) if a.start.date() == b.start.date() else 0
                if b.start < a.end + dt.timedelta(minutes=travel) and \
                        a.start < b.end + dt.timedelta(minutes=travel):
                    yield (f"{ctx.who(pid)} has {a.what} and {b.what} on {a.start.date()}: "
                           f"they overlap or leave less than {travel} minutes of travel")
    sigs = ctx.plan.signature_activities
    for s in sigs:
        start, end = ctx.local(s.start), ctx.local(s.end)
        for m in ctx.plan.meetings:
            if m.venue == s.venue and ctx.local(m.start) < end and start < ctx.local(m.end):
                yield f"{ctx.venue_name(s.venue)} holds both {s.id} and meeting {m.id}"
        for o in sigs:
            if o.id > s.id and o.venue == s.venue and ctx.local(o.start) < end \
                    and start < ctx.local(o.end):
                yield f"{ctx.venue_name(s.venue)} holds both {s.id} and {o.id}"


# -- soft rules ---------------------------------------------------------------------------


def _per_period(ctx: Ctx, bases: set[str]) -> list[int]:
    counts = Counter(ctx.period_of(ctx.local(v.start).date()) for v in ctx.plan.term_visits
                     if v.base in bases)
    return [counts.get(t, 0) for t in ctx.periods]


def amount_visit_spread(ctx: Ctx) -> int:
    """Per base with visits: its busiest period's visits minus its quietest's."""
    total = 0
    for term in _terms(ctx):
        if term.visits_per_year and visited(ctx.instance, term):
            n = _per_period(ctx, {term.base})
            total += max(n) - min(n)
    return total


def amount_regional_chair_load(ctx: Ctx) -> int:
    """Per regional chair of two or more bases: her busiest period's visits minus her
    quietest's (the activities, one per base and period, are the same every period)."""
    by_rc: dict[str, set[str]] = defaultdict(set)
    for term in _terms(ctx):
        by_rc[term.regional_chair].add(term.base)
    total = 0
    for bases in by_rc.values():
        if len(bases) > 1:
            n = _per_period(ctx, bases)
            total += max(n) - min(n)
    return total


def amount_late_signature_activity(ctx: Ctx) -> int:
    """Σ whole weeks between the first day of the period and the activity."""
    total = 0
    for s in ctx.plan.signature_activities:
        lo = ctx.periods.get(s.period)
        if lo is not None:
            total += max(0, (ctx.local(s.start).date() - lo[0]).days // 7)
    return total
