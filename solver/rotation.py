"""The rotating presidium (轮值主席团): one chair per base and period.

Hard rules are ``add_<rule>``; soft rules are ``<rule>_penalties``. Their exact
definitions are in docs/rules.md, which the independent checker implements too.
"""

from __future__ import annotations

from collections import defaultdict

from . import requirements
from .context import ModelContext


def _period_label(t: int) -> str:
    return f"第{t}期"


def add_variables(ctx: ModelContext) -> None:
    for base in ctx.bases:
        for t in range(1, ctx.instance.periods + 1):
            for p in base.presidium:
                ctx.chair[base.id, t, p] = ctx.new_bool(f"chair[{base.id},{t},{p}]")


def add_one_chair_per_period(ctx: ModelContext) -> None:
    """Exactly one presidium member chairs each base in each period."""
    for base in ctx.bases:
        for t in range(1, ctx.instance.periods + 1):
            ctx.model.add_exactly_one(ctx.chair[base.id, t, p] for p in base.presidium)


def unavailable_too_long(ctx: ModelContext) -> set[tuple[int, str]]:
    """(period, person) pairs where the person is unavailable more days than allowed."""
    limit = ctx.instance.rotation.max_unavailable_days
    out = set()
    members = {p for b in ctx.bases for p in b.presidium}
    for p in members:
        person = ctx.instance.person(p)
        for t, (start, end) in enumerate(ctx.timeline.periods, start=1):
            if ctx.timeline.unavailable_days(person, start, end) > limit:
                out.add((t, p))
    return out


def add_chair_available(ctx: ModelContext) -> None:
    """A person unavailable more than ``max_unavailable_days`` days of a period does not
    chair in it."""
    if ctx.explain:
        _chair_available_switchable(ctx)
        return
    blocked = unavailable_too_long(ctx)
    for (_b, t, p), var in ctx.chair.items():
        if (t, p) in blocked:
            ctx.model.add(var == 0)


def _chair_available_switchable(ctx: ModelContext) -> None:
    """Explaining: each unavailability is a requirement; a chair's active ones may add up
    to at most the limit (days of overlapping ranges of one person are counted twice,
    which only matters if an instance lists the same days twice)."""
    inst, limit = ctx.instance, ctx.instance.rotation.max_unavailable_days
    for (_b, t, p), var in ctx.chair.items():
        start, end = ctx.timeline.periods[t - 1]
        person = inst.person(p)
        terms = []
        for i, r in enumerate(person.unavailable):
            days = (min(r.end, end) - max(r.start, start)).days + 1
            if days > 0:
                lit = ctx.require(f"unavailable:{p}:{i}",
                                  lambda p=p, i=i: requirements.unavailability(
                                      inst, p, i, "chair_available"))
                terms.append((days, lit))
        if sum(d for d, _ in terms) > limit:
            ctx.model.add(sum(d * lit for d, lit in terms) <= limit).only_enforce_if(var)


def add_one_presidium_at_a_time(ctx: ModelContext) -> None:
    """A person on two presidiums never chairs both in the same period."""
    by_person: dict[tuple[str, int], list] = defaultdict(list)
    for (_b, t, p), var in ctx.chair.items():
        by_person[p, t].append(var)
    for lits in by_person.values():
        if len(lits) > 1:
            ctx.model.add_at_most_one(lits)


def add_max_terms(ctx: ModelContext) -> None:
    """At most ``max_terms_per_person`` terms per person in the year, all bases together."""
    by_person: dict[str, list] = defaultdict(list)
    for (_b, _t, p), var in ctx.chair.items():
        by_person[p].append(var)
    cap = ctx.instance.rotation.max_terms_per_person
    for p, lits in by_person.items():
        if len(lits) > cap:
            ctx.enforce(ctx.model.add(sum(lits) <= cap), ctx.require(
                f"max_terms:{p}", lambda p=p: requirements.max_terms(ctx.instance, p)))


def add_pinned_term(ctx: ModelContext) -> None:
    """Every ``pins.rotation`` entry holds."""
    if not ctx.bases:
        return
    mine = {b.id for b in ctx.bases}
    for i, pin in enumerate(ctx.instance.pins.rotation):
        if pin.base not in mine:
            continue  # another part's base
        ctx.enforce(ctx.model.add(ctx.chair[pin.base, pin.period, pin.chair] == 1), ctx.require(
            f"pin_rotation:{i}", lambda i=i: requirements.pin_rotation(ctx.instance, i)))


# -- soft rules ----------------------------------------------------------------------


def _last_history(ctx: ModelContext) -> dict[tuple[str, str], int]:
    """(base, person) -> global period index of her most recent history term (<= 0)."""
    T = ctx.instance.periods
    out: dict[tuple[str, str], int] = {}
    for h in ctx.instance.history.rotation:
        g = (h.year - ctx.instance.year) * T + h.period
        key = (h.base, h.chair)
        out[key] = max(out.get(key, g), g)
    return out


def back_to_back_penalties(ctx: ModelContext) -> None:
    inst, w = ctx.instance, ctx.instance.weights.back_to_back
    T = inst.periods
    last_year = {
        h.base: h.chair
        for h in inst.history.rotation
        if h.year == inst.year - 1 and h.period == T
    }
    blocked = unavailable_too_long(ctx)

    def because(base, p: str, t: int) -> str:
        """Who else could not chair period t, and why (the usual cause of a repeat)."""
        start, end = ctx.timeline.periods[t - 1]
        away = []
        for q in base.presidium:
            if q != p and (t, q) in blocked:
                reasons = "、".join(sorted({r.reason for r in inst.person(q).unavailable
                                           if r.reason and r.start <= end and r.end >= start}))
                away.append(f"{inst.person(q).name}" + (f"（{reasons}）" if reasons else ""))
        return f"，因为 {'、'.join(away)} 第{t}期不在" if away else ""

    parts = []
    for base in ctx.bases:
        for p in base.presidium:
            name = inst.person(p).name
            if last_year.get(base.id) == p:
                parts.append(
                    (ctx.chair[base.id, 1, p], 1,
                     f"{name} 连任 {base.name} {inst.year - 1}年第{T}期与{_period_label(1)}"
                     + because(base, p, 1))
                )
            for t in range(2, T + 1):
                both = ctx.and_of(
                    ctx.chair[base.id, t - 1, p], ctx.chair[base.id, t, p],
                    f"b2b[{base.id},{t},{p}]",
                )
                why = because(base, p, t) or because(base, p, t - 1)
                parts.append((both, 1, f"{name} 连任 {base.name} 第{t - 1}、{t}期{why}"))
    ctx.penalise("back_to_back", w, parts)


def short_gap_penalties(ctx: ModelContext) -> None:
    """Rotation order carried over from history: in every window of ``n_b`` consecutive
    periods (global index, so windows reach back into last year), a person holding more
    than one term of the base costs ``terms - 1``. Two terms ``g`` periods apart share
    exactly ``n_b - g`` such windows, so this is the pairwise gap penalty, written with
    the sliding-window sums of OR-Tools' shift-scheduling example: linear, with a far
    tighter relaxation than a product per pair of terms."""
    inst, w = ctx.instance, ctx.instance.weights.short_gap
    T = inst.periods
    hist = _last_history(ctx)
    parts = []
    for base in ctx.bases:
        n = len(base.presidium)
        if n < 2:
            continue
        for p in base.presidium:
            name = inst.person(p).name
            g = hist.get((base.id, p))
            for s in range(2 - n, T):
                window = range(s, s + n)
                terms = [ctx.chair[base.id, t, p] for t in window if 1 <= t <= T]
                past = 1 if g is not None and g in window else 0
                if len(terms) + past < 2:
                    continue
                excess = ctx.model.new_int_var(0, n, f"gap[{base.id},{p},{s}]")
                ctx.model.add_max_equality(excess, [sum(terms) + past - 1, 0])
                first, last = max(s, 1), min(s + n - 1, T)
                span = f"第{first}–{last}期" if s >= 1 else f"上年末至第{last}期"
                parts.append((excess, 1, f"{name} 在 {base.name} {span}内多次轮值"))
    ctx.penalise("short_gap", w, parts)


def uneven_terms_penalties(ctx: ModelContext) -> None:
    inst, w = ctx.instance, ctx.instance.weights.uneven_terms
    T = inst.periods
    parts = []
    for base in ctx.bases:
        counts = []
        for p in base.presidium:
            c = ctx.model.new_int_var(0, T, f"terms[{base.id},{p}]")
            ctx.model.add(c == sum(ctx.chair[base.id, t, p] for t in range(1, T + 1)))
            counts.append(c)
        hi = ctx.model.new_int_var(0, T, f"max_terms[{base.id}]")
        lo = ctx.model.new_int_var(0, T, f"min_terms[{base.id}]")
        ctx.model.add_max_equality(hi, counts)
        ctx.model.add_min_equality(lo, counts)
        # Implied by the counts summing to T; stated so the relaxation knows it.
        n = len(base.presidium)
        ctx.model.add(hi >= -(-T // n))
        ctx.model.add(lo <= T // n)
        spread = ctx.model.new_int_var(0, T, f"spread[{base.id}]")
        ctx.model.add(spread == hi - lo)
        parts.append((spread, 1, f"{base.name} 主席团成员任期数相差"))
    ctx.penalise("uneven_terms", w, parts)


def undesired_period_penalties(ctx: ModelContext) -> None:
    """A term in one of the chair's ``undesired_periods``."""
    inst = ctx.instance
    parts = []
    for (b, t, p), var in ctx.chair.items():
        person = inst.person(p)
        if t in person.undesired_periods:
            base = inst.federation(b)
            parts.append((var, 1, f"{person.name} 不希望任第{t}期，但任 {base.name} 第{t}期"))
    ctx.penalise("undesired_period", inst.weights.undesired_period, parts)


def not_preferred_period_penalties(ctx: ModelContext) -> None:
    """A term outside the chair's (non-empty) ``preferred_periods``."""
    inst = ctx.instance
    parts = []
    for (b, t, p), var in ctx.chair.items():
        person = inst.person(p)
        if person.preferred_periods and t not in person.preferred_periods:
            base = inst.federation(b)
            wanted = "、".join(str(x) for x in person.preferred_periods)
            parts.append(
                (var, 1, f"{person.name} 希望任第{wanted}期，实际任 {base.name} 第{t}期")
            )
    ctx.penalise("not_preferred_period", inst.weights.not_preferred_period, parts)
