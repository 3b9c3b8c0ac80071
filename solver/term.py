"""The rotating chair's term of work: enterprise visits and a signature activity in each
period, attended by the period's rotating chair and the base's regional chair.

Each visit (base, enterprise, k) and each signature activity (base, period) has one
literal per candidate (day, start[, venue]); exactly one is true. Candidates exist only
on allowed days and times, inside the visit's round (docs/rules.md ``term_visits``), on
days the regional chair and the enterprise's contact are available, at venues that are
open and free of hosting slots and held activities -- that *is* part of the rules, by
construction. The chair of a period is a decision, so her side is linked through the
chair literals: a candidate on a day presidium member ``p`` is away, or busy elsewhere,
is forbidden only when ``p`` chairs that period.

Exact definitions in docs/rules.md; the independent side is checker/term.py.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from ..models.hosting import contact_of, expand_slots
from ..models.instance import Instance
from ..models.term import (
    activity_venues,
    allowed_day,
    contact,
    round_periods,
    signature_id,
    term_of,
    term_people,
    venue_busy,
    visit_id,
    visited,
)
from ..models.timeline import WorkCalendar
from .context import ModelContext
from .duties import clash

__all__ = ["term_people"]  # re-exported for solver/keep.py


@dataclass(frozen=True)
class Cand:
    """One candidate time (and venue) of a visit or an activity."""

    date: dt.date
    start: int
    """Minutes after midnight."""
    end: int
    town: str | None
    lit: object
    period: int
    venue: str | None = None


@dataclass
class TermVars:
    visits: dict[tuple[str, str, int], list[Cand]] = field(default_factory=dict)
    """(base, enterprise, k) -> candidates; k = 1..visits_per_year (the round)."""
    signatures: dict[tuple[str, int], list[Cand]] = field(default_factory=dict)
    """(base, period) -> candidates."""


def offered_spans(instance: Instance, calendar: WorkCalendar) -> dict:
    """(venue, date) -> [(start, end) minutes] of every usable hosting slot."""
    out: dict = {}
    for s in expand_slots(instance, calendar):
        if s.usable:
            out.setdefault((s.venue, s.date), []).append(
                (s.start.hour * 60 + s.start.minute, s.end.hour * 60 + s.end.minute))
    return out



def term_vars(ctx: ModelContext) -> TermVars:
    if "term_vars" not in ctx.cache:
        ctx.cache["term_vars"] = TermVars()
    return ctx.cache["term_vars"]


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def add_variables(ctx: ModelContext) -> None:
    inst, tl = ctx.instance, ctx.timeline
    tv = term_vars(ctx)
    if not inst.terms:
        return
    cal = tl.calendar
    T = inst.periods
    offered = None
    for base in ctx.bases:
        term = term_of(inst, base.id)
        if term is None:
            continue
        rc_away = _away(ctx, term.regional_chair)
        N = term.visits_per_year
        for e in visited(inst, term):
            who = contact(inst, e)
            away = rc_away | (_away(ctx, who) if who else frozenset())
            town = inst.federation(e).town
            for k in range(1, N + 1):
                cands = []
                for t in round_periods(k, T, N):
                    for d in tl.days(*tl.periods[t - 1]):
                        if d in away or not allowed_day(d, term.visit_weekdays, cal):
                            continue
                        for hhmm in term.visit_times:
                            s = _minutes(hhmm)
                            cands.append(Cand(d, s, s + term.visit_minutes, town, ctx.new_bool(
                                f"visit[{base.id},{e},{k},{d},{hhmm}]"), t))
                tv.visits[base.id, e, k] = cands
        act = term.activity
        if act is None:
            continue
        if offered is None:
            offered = ctx.shared("term_offered_spans", lambda: offered_spans(inst, cal))
        venues = [inst.venue(v) for v in activity_venues(inst, term)]
        for t in range(1, T + 1):
            cands = []
            for d in tl.days(*tl.periods[t - 1]):
                if d in rc_away or not allowed_day(d, act.weekdays, cal,
                                                   act.working_days_only):
                    continue
                for hhmm in act.times:
                    s = _minutes(hhmm)
                    e_ = s + act.minutes
                    for v in venues:
                        if venue_busy(inst, v, d, s, e_, offered) is None:
                            cands.append(Cand(d, s, e_, v.town, ctx.new_bool(
                                f"sig[{base.id},{t},{d},{hhmm},{v.id}]"), t, v.id))
            tv.signatures[base.id, t] = cands


# -- hard rules ------------------------------------------------------------------------


def add_term_visits(ctx: ModelContext) -> None:
    """Every visit of every enterprise takes exactly one candidate (in its round, on an
    allowed working day and time: by construction)."""
    for cands in term_vars(ctx).visits.values():
        ctx.model.add_exactly_one(c.lit for c in cands)


def add_signature_activity(ctx: ModelContext) -> None:
    """One signature activity per base and period, at a free venue: no joint meeting
    there at an overlapping time, no two bases' activities at one venue at once."""
    tv = term_vars(ctx)
    model = ctx.model
    for cands in tv.signatures.values():
        model.add_exactly_one(c.lit for c in cands)
    if not tv.signatures:
        return
    at: dict[tuple[str, dt.date], list[tuple[str, Cand]]] = defaultdict(list)
    for (b, _t), cands in tv.signatures.items():
        for c in cands:
            at[c.venue, c.date].append((b, c))
    slots = [tuple(_minutes(x) for x in (s.start, s.end)) for s in ctx.instance.meetings.slots]
    for mv in ctx.meetings.values():
        for vid, vlit in mv.venue.items():
            for (d, k), lit in mv.day_slot.items():
                s, e = slots[k]
                for _b, c in at.get((vid, d), ()):
                    if c.start < e and s < c.end:
                        model.add(c.lit + lit + vlit <= 2)
    for items in at.values():
        for i, (b1, c1) in enumerate(items):
            for b2, c2 in items[i + 1:]:
                if b1 != b2 and c1.start < c2.end and c2.start < c1.end:
                    model.add(c1.lit + c2.lit <= 1)


def _away(ctx: ModelContext, pid: str) -> frozenset:
    """The days of the year the person is unavailable (computed once per solve)."""
    table = ctx.shared("term_away", dict)
    if pid not in table:
        table[pid] = frozenset(d for r in ctx.instance.person(pid).unavailable
                               for d in r.days())
    return table[pid]


def _attendees(ctx: ModelContext):
    """(person, base, period or None, cond, Cand, is_visit) for every attendee of every
    candidate: the regional chair and the contact unconditionally, each presidium
    member conditioned on her chairing that period."""
    inst = ctx.instance
    tv = term_vars(ctx)
    for (b, e, _k), cands in tv.visits.items():
        term = term_of(inst, b)
        who = contact(inst, e)
        presidium = inst.federation(b).presidium
        for c in cands:
            yield term.regional_chair, b, None, c
            if who is not None:
                yield who, b, None, c
            for p in presidium:
                yield p, b, ctx.chair[b, c.period, p], c
    for (b, t), cands in tv.signatures.items():
        term = term_of(inst, b)
        for c in cands:
            yield term.regional_chair, b, None, c
            for p in inst.federation(b).presidium:
                yield p, b, ctx.chair[b, t, p], c


def add_term_visit_attendance(ctx: ModelContext) -> None:
    """The period's rotating chair is available on the day of each of the period's
    visits and activities (the regional chair's and contact's absences leave no
    candidate)."""
    inst = ctx.instance
    tv = term_vars(ctx)
    groups: dict[tuple, list] = defaultdict(list)
    for key, cands in list(tv.visits.items()) + list(tv.signatures.items()):
        presidium = [(p, _away(ctx, p)) for p in inst.federation(key[0]).presidium]
        for c in cands:
            for p, away in presidium:
                if c.date in away:
                    groups[key, c.period, p].append(c.lit)
    for (key, t, p), lits in groups.items():
        # One candidate per visit or activity is true: the sum is 0 or 1.
        ctx.model.add(sum(lits) + ctx.chair[key[0], t, p] <= 1)


def _travel(inst) -> callable:
    """``instance.travel_minutes``, memoised (called for every pair of candidates)."""
    memo: dict = {}

    def travel(a, b):
        key = (a, b)
        if key not in memo:
            memo[key] = inst.travel_minutes(a, b)
        return memo[key]
    return travel


def _hits(g: tuple, s2: int, e2: int, where: list, travel) -> list:
    """The venue literals of ``where`` whose town makes (s2, e2) clash with group ``g``
    (start, end, town, ...): all of them at once when the times overlap outright."""
    s1, e1, t1 = g[0], g[1], g[2]
    if s1 < e2 and s2 < e1:
        return [v for _t, v in where]
    out = []
    for t2, v in where:  # duties.clash, inlined: called ~150,000 times building one model
        gap = travel(t1, t2)
        if s2 < e1 + gap and s1 < e2 + gap:
            out.append(v)
    return out


def _total(lits: list):
    """``sum(lits)``; a lone literal as it is (the sum would wrap it in an expression)."""
    return lits[0] if len(lits) == 1 else sum(lits)


def _other_duties(ctx: ModelContext, days: dict[str, set]) -> dict[str, dict]:
    """person -> date -> [(start, end, [(town, venue literal or None)], [literals],
    meeting's base or None)] of her duties outside the term of work on the ``days`` she
    has a term duty (nothing else can clash with one): meetings she attends (one entry
    per meeting slot, with the venues it may use), turns she runs, assignments,
    caring-mother visits. (Listing every day's duties took a fifth of a generated
    county's rotation model building.)"""
    inst = ctx.instance
    out: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    for sid, hosts in ctx.hosting.items():
        slot = ctx.slots[sid]
        town = inst.venue(slot.venue).town
        span = (slot.start.hour * 60 + slot.start.minute, slot.end.hour * 60 + slot.end.minute)
        for fid, lit in hosts.items():
            p = contact_of(inst.federation(fid))
            if slot.date in days.get(p, ()):
                out[p][slot.date].append((*span, [(town, None)], [lit], None))
    slot_times = [tuple(_minutes(x) for x in (s.start, s.end)) for s in inst.meetings.slots]
    for mv in ctx.meetings.values():
        where = [(inst.venue(vid).town, vlit) for vid, vlit in mv.venue.items()]
        by_day: dict[dt.date, list] = defaultdict(list)
        for (d, k), lit in mv.day_slot.items():
            by_day[d].append((k, lit))
        for p in inst.meeting_attendees(mv.base):
            if p not in days:
                continue
            away = _away(ctx, p)
            for d in sorted(days[p] & by_day.keys() - away):
                out[p][d].extend((*slot_times[k], where, [lit], mv.base) for k, lit in by_day[d])
    acts = {a.id: a for a in ctx.activities}
    for (aid, _role, pid), lit in ctx.assign.items():
        a = acts[aid]
        if a.date in days.get(pid, ()):
            out[pid][a.date].append((*a.minutes, [(inst.activity_town(a), None)], [lit], None))
    for visits in ctx.visits.values():
        for v in visits:
            if v.date in days.get(v.mother, ()):
                out[v.mother][v.date].append((v.start, v.end, [(v.town, None)], [v.lit], None))
    return out


def add_term_no_double_booking(ctx: ModelContext) -> None:
    """No attendee of a visit or an activity is busy elsewhere at the time, travel
    between towns included: not with another term duty of another base, nor with a
    meeting, a hosting turn, an assignment or a caring-mother visit.

    Two term duties of one base never need a constraint here: the base's regional chair
    attends both, so her own constraint already keeps them apart; two bases' duties
    conditioned on chairing both in one period cannot both hold (one presidium at a
    time). Candidates of one (day, time, town, condition, base) all clash with each
    other, so they are grouped and each clashing pair of groups is one at-most-one; a
    meeting slot that clashes whatever venue the meeting takes needs no venue literal.
    """
    inst, model = ctx.instance, ctx.model
    travel = _travel(inst)
    # person -> date -> (start, end, town, cond, base) -> literals
    mine: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for p, b, cond, c in _attendees(ctx):
        mine[p][c.date][c.start, c.end, c.town, cond, b].append(c.lit)
    if not mine:
        return
    other = _other_duties(ctx, {p: set(by_day) for p, by_day in mine.items()})

    def enforce(constraint, *conds):
        conds = [x for x in conds if x is not None]
        if conds:
            constraint.only_enforce_if(conds)

    rc_of = {b.id: term_of(inst, b.id).regional_chair for b in ctx.bases
             if term_of(inst, b.id) is not None}
    for p, by_day in mine.items():
        duties = other.get(p, {})
        for day, groups in by_day.items():
            keys = list(groups)
            their_sums: dict[int, object] = {}  # the sum of each of her other duties
            # Two conditioned groups never clash (one presidium at a time): a conditioned
            # group is paired with the unconditioned ones after it only.
            plain = [j for j, g in enumerate(keys) if g[3] is None]
            for i, g1 in enumerate(keys):
                later = (keys[i + 1:] if g1[3] is None
                         else [keys[j] for j in plain[bisect_right(plain, i):]])
                for g2 in later:
                    if g1[4] == g2[4] and rc_of.get(g1[4]) != p:
                        continue  # the base's regional chair keeps them apart
                    if clash(g1[:3], g2[:3], travel):
                        enforce(model.add(_total(groups[g1]) + _total(groups[g2]) <= 1),
                                g1[3], g2[3])
                mine_sum = None
                for k, (s2, e2, where, lits, mbase) in enumerate(duties.get(day, ())):
                    if g1[3] is not None and mbase == g1[4]:
                        continue  # her own base's meeting: _chair_meets_own_base
                    hit = _hits(g1, s2, e2, where, travel)
                    if not hit:
                        continue
                    if mine_sum is None:
                        mine_sum = _total(groups[g1])
                    if k not in their_sums:
                        their_sums[k] = _total(lits)
                    both = mine_sum + their_sums[k]
                    if len(hit) == len(where):
                        enforce(model.add(both <= len(lits)), g1[3])
                    else:
                        for v in hit:
                            enforce(model.add(both + v <= len(lits) + 1), g1[3])
    _chair_meets_own_base(ctx)


def _chair_meets_own_base(ctx: ModelContext) -> None:
    """The chair of a period hosts her base's joint meeting when it falls in her period
    and attends her base's visits and activity: whoever she is, they must not clash. One
    constraint per base instead of one per presidium member."""
    inst, model = ctx.instance, ctx.model
    travel = _travel(inst)
    tv = term_vars(ctx)
    groups: dict[tuple, list] = defaultdict(list)
    for key, cands in list(tv.visits.items()) + list(tv.signatures.items()):
        for c in cands:
            groups[key[0], c.date, c.start, c.end, c.town].append(c.lit)
    by_base_day: dict[tuple, list] = defaultdict(list)
    for g in groups:
        by_base_day[g[0], g[1]].append(g)
    slot_times = [tuple(_minutes(x) for x in (s.start, s.end)) for s in inst.meetings.slots]
    for mv in ctx.meetings.values():
        where = [(inst.venue(vid).town, vlit) for vid, vlit in mv.venue.items()]
        for (d, k), lit in mv.day_slot.items():
            s2, e2 = slot_times[k]
            for g in by_base_day.get((mv.base, d), ()):
                hit = _hits(g[2:], s2, e2, where, travel)
                if len(hit) == len(where):
                    model.add(sum(groups[g]) + lit <= 1)
                else:
                    for v in hit:
                        model.add(sum(groups[g]) + lit + v <= 2)


# -- soft rules ------------------------------------------------------------------------


def _per_period(ctx: ModelContext, bases: list[str]) -> dict[int, list]:
    out: dict[int, list] = {t: [] for t in range(1, ctx.instance.periods + 1)}
    for (b, _e, _k), cands in term_vars(ctx).visits.items():
        if b in bases:
            for c in cands:
                out[c.period].append(c.lit)
    return out


def _range(ctx: ModelContext, counts: dict[int, list], name: str):
    model = ctx.model
    hi = sum(len(v) for v in counts.values())
    exprs = [sum(v, start=0) for v in counts.values()]
    mx = model.new_int_var(0, hi, f"max[{name}]")
    mn = model.new_int_var(0, hi, f"min[{name}]")
    model.add_max_equality(mx, exprs)
    model.add_min_equality(mn, exprs)
    return mx - mn


def bases_by_regional_chair(ctx: ModelContext) -> dict[str, list[str]]:
    """Regional chair -> the bases of the part with a term of work she serves."""
    by_rc: dict[str, list[str]] = defaultdict(list)
    for b in _bases_with_terms(ctx):
        by_rc[term_of(ctx.instance, b).regional_chair].append(b)
    return by_rc


def _bases_with_terms(ctx: ModelContext) -> list[str]:
    return [b.id for b in ctx.bases if term_of(ctx.instance, b.id) is not None]


def visit_spread_penalties(ctx: ModelContext) -> None:
    """``visit_spread``: per base with visits, its busiest period's visits minus its
    quietest's."""
    inst, tv = ctx.instance, term_vars(ctx)
    spread = []
    for b in _bases_with_terms(ctx):
        if any(k[0] == b for k in tv.visits):
            spread.append((_range(ctx, _per_period(ctx, [b]), f"spread,{b}"), 1,
                           f"{inst.federation(b).name} 各期走访次数不均"))
    ctx.penalise("visit_spread", inst.weights.visit_spread, spread)


def regional_chair_load_penalties(ctx: ModelContext) -> None:
    """``regional_chair_load``: per regional chair of two or more bases, her busiest
    period's visits minus her quietest's."""
    inst = ctx.instance
    load = []
    for rc, bases in bases_by_regional_chair(ctx).items():
        if len(bases) > 1:
            load.append((_range(ctx, _per_period(ctx, bases), f"rc,{rc}"), 1,
                         f"区域主席 {inst.person(rc).name} 各期走访次数不均"))
    ctx.penalise("regional_chair_load", inst.weights.regional_chair_load, load)


def late_signature_activity_penalties(ctx: ModelContext) -> None:
    """``late_signature_activity``: whole weeks from the period's start to the activity."""
    inst, tl, tv = ctx.instance, ctx.timeline, term_vars(ctx)
    late = []
    for (b, t), cands in tv.signatures.items():
        start = tl.periods[t - 1][0]
        for c in cands:
            weeks = (c.date - start).days // 7
            if weeks:
                late.append((c.lit, weeks,
                             f"{inst.federation(b).name} 第{t}期特色活动晚于期初{weeks}周"))
    ctx.penalise("late_signature_activity", inst.weights.late_signature_activity, late)


# -- re-planning ------------------------------------------------------------------------


def _published(ctx: ModelContext, prev=None):
    prev = prev or ctx.previous
    mine = {b.id for b in ctx.bases}
    visits = [v for v in prev.term_visits if v.base in mine]
    sigs = [s for s in prev.signature_activities if s.base in mine]
    return visits, sigs


def _visit_lit(ctx: ModelContext, v) -> object | None:
    tv = term_vars(ctx)
    d, s = v.start.date(), v.start.hour * 60 + v.start.minute
    for (b, e, _k), cands in tv.visits.items():
        if (b, e) == (v.base, v.enterprise):
            for c in cands:
                if (c.date, c.start) == (d, s):
                    return c.lit
    return None


def _sig_lit(ctx: ModelContext, sa) -> object | None:
    d, s = sa.start.date(), sa.start.hour * 60 + sa.start.minute
    for c in term_vars(ctx).signatures.get((sa.base, sa.period), ()):
        if (c.date, c.start, c.venue) == (d, s, sa.venue):
            return c.lit
    return None


def add_frozen_term(ctx: ModelContext) -> None:
    """What ended before ``today`` stays; nothing new moves into the past."""
    from .replan import FrozenConflict
    prev, today = ctx.previous, ctx.today
    tv = term_vars(ctx)
    if prev is None or today is None or not (tv.visits or tv.signatures):
        return
    visits, sigs = _published(ctx)
    keep = set()
    for x, lit in [(v, _visit_lit(ctx, v)) for v in visits] + \
                  [(s, _sig_lit(ctx, s)) for s in sigs]:
        if x.start.date() < today:
            if lit is None:
                raise FrozenConflict(f"{x.id} on {x.start:%Y-%m-%d %H:%M} is in the past but "
                                     "no longer fits the instance; the past cannot change")
            ctx.model.add(lit == 1)
            keep.add(id(lit))
    for cands in list(tv.visits.values()) + list(tv.signatures.values()):
        for c in cands:
            if c.date < today and id(c.lit) not in keep:
                ctx.model.add(c.lit == 0)


def term_change_terms(ctx: ModelContext) -> None:
    """A published visit or activity changes when its day, time (or venue) changes; its
    attendees follow the period's chair (a chair change moves her visits with her)."""
    from .replan import ChangeTerm
    if ctx.previous is None or not ctx.bases:
        return
    w = ctx.instance.change_weights
    visits, sigs = _published(ctx)
    for v in visits:
        lit = _visit_lit(ctx, v)
        ctx.change_terms.append(ChangeTerm("term_visit", v.id, w.term_visit,
                                           1 - lit if lit is not None else 1))
    for s in sigs:
        lit = _sig_lit(ctx, s)
        ctx.change_terms.append(ChangeTerm("signature_activity", s.id, w.signature_activity,
                                           1 - lit if lit is not None else 1))


def add_term_hints(ctx: ModelContext) -> None:
    if ctx.hinted("bases") is None or not ctx.bases:
        return
    visits, sigs = _published(ctx, ctx.hinted("bases"))
    chosen = {id(lit) for lit in [_visit_lit(ctx, v) for v in visits]
              + [_sig_lit(ctx, s) for s in sigs] if lit is not None}
    tv = term_vars(ctx)
    for cands in list(tv.visits.values()) + list(tv.signatures.values()):
        for c in cands:
            ctx.suggest("bases", c.lit, id(c.lit) in chosen)


# -- extraction --------------------------------------------------------------------------


def extract(ctx: ModelContext, solver, chair_of: dict[tuple[str, int], str]):
    """The chosen visits and activities as plan entries."""
    from ..models.term import SignatureEvent, TermVisit
    inst, tl = ctx.instance, ctx.timeline
    tv = term_vars(ctx)
    visits, sigs = [], []
    for (b, e, _k), cands in tv.visits.items():
        c = next(c for c in cands if solver.boolean_value(c.lit))
        t = c.period
        term = term_of(inst, b)
        visits.append(TermVisit(
            id=visit_id(b, inst.year, t, e), base=b, period=t, enterprise=e,
            start=tl.at(c.date, _hhmm(c.start)), end=tl.at(c.date, _hhmm(c.end)),
            town=c.town, chair=chair_of[b, t], regional_chair=term.regional_chair,
            contact=contact(inst, e)))
    for (b, t), cands in tv.signatures.items():
        c = next(c for c in cands if solver.boolean_value(c.lit))
        term = term_of(inst, b)
        sigs.append(SignatureEvent(
            id=signature_id(b, inst.year, t), base=b, period=t, kind=term.activity.kind,
            start=tl.at(c.date, _hhmm(c.start)), end=tl.at(c.date, _hhmm(c.end)),
            venue=c.venue, chair=chair_of[b, t], regional_chair=term.regional_chair))
    return visits, sigs


def term_need(instance, part) -> float:
    """Seconds of one thread the term duties add to a rotation part (solver/budget.py;
    half as much work): on the default instance its 66 visits and 42 activities take the
    rotation part from ~1.0 to ~2.5 deterministic seconds to prove optimal."""
    if part is None or not part.rotation or not instance.terms:
        return 0.0
    bases = part.bases if part.bases is not None else {b.id for b in instance.bases}
    visits = acts = 0
    for b in bases:
        term = term_of(instance, b)
        if term is not None:
            visits += term.visits_per_year * len(visited(instance, term))
            acts += instance.periods * (term.activity is not None)
    return 0.05 * visits + 0.02 * acts
