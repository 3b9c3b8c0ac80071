"""The rotating presidium (轮值主席团), re-derived for the checker from docs/rules.md.

Hard rules ``one_chair_per_period``, ``chair_available``, ``one_presidium_at_a_time``,
``max_terms`` and ``pinned_term``; the soft amounts ``back_to_back`` ..
``not_preferred_period``. Periods are the checker's own (``Ctx.periods``); a plan with
unknown bases, periods or people is reported, never raised.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from .context import Ctx

# =====================================================================================
# Hard rules
# =====================================================================================


def check_one_chair_per_period(ctx: Ctx) -> Iterator[str]:
    for term in ctx.plan.rotation:
        if term.base not in ctx.bases:
            yield (
                f"rotation term of {ctx.base_name(term.base)} period {term.period}: no such base"
            )
        if term.period not in ctx.periods:
            yield (
                f"rotation term of {ctx.base_name(term.base)} has period {term.period}; "
                f"the year has periods 1..{ctx.n_periods}"
            )
    for bid, base in ctx.bases.items():
        for t, (start, end) in ctx.periods.items():
            terms = ctx.terms_by.get((bid, t), [])
            where = f"{base.name} {ctx.period_label(t)}"
            if not terms:
                yield f"{where} has no rotation term (no chair)"
                continue
            if len(terms) > 1:
                chairs = ", ".join(ctx.who(x.chair) for x in terms)
                yield f"{where} has {len(terms)} rotation terms (chairs {chairs}); one allowed"
            for term in terms:
                if term.chair not in base.presidium:
                    members = ", ".join(ctx.who(p) for p in base.presidium)
                    yield (
                        f"{ctx.who(term.chair)} chairs {where} but is not on its presidium "
                        f"({members})"
                    )
                if (term.start, term.end) != (start, end):
                    yield (
                        f"the term of {ctx.who(term.chair)} for {where} runs "
                        f"{term.start}..{term.end}; it must run {start}..{end}"
                    )


def check_chair_available(ctx: Ctx) -> Iterator[str]:
    limit = ctx.instance.rotation.max_unavailable_days
    for term in ctx.plan.rotation:
        if term.base not in ctx.bases or term.period not in ctx.periods:
            continue
        start, end = ctx.periods[term.period]
        n, reasons = ctx.unavailable_days(term.chair, start, end)
        if n > limit:
            why = f" ({', '.join(reasons)})" if reasons else ""
            yield (
                f"{ctx.who(term.chair)} chairs {ctx.base_name(term.base)} in "
                f"{ctx.period_label(term.period)} but is unavailable {n} days of it{why}; "
                f"at most {limit} allowed"
            )


def check_one_presidium_at_a_time(ctx: Ctx) -> Iterator[str]:
    bases_of: dict[tuple[str, int], list[str]] = defaultdict(list)
    for term in ctx.plan.rotation:
        if term.base not in bases_of[(term.chair, term.period)]:
            bases_of[(term.chair, term.period)].append(term.base)
    for (pid, t), bases in sorted(bases_of.items()):
        if len(bases) > 1:
            names = " and ".join(ctx.base_name(b) for b in bases)
            yield f"{ctx.who(pid)} chairs {names} in the same {ctx.period_label(t)}"


def check_max_terms(ctx: Ctx) -> Iterator[str]:
    limit = ctx.instance.rotation.max_terms_per_person
    terms: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for term in ctx.plan.rotation:
        key = (term.base, term.period)
        if key not in terms[term.chair]:  # a duplicated entry is one term (reported above)
            terms[term.chair].append(key)
    for pid, held in sorted(terms.items()):
        if len(held) > limit:
            listed = ", ".join(f"{ctx.base_name(b)} period {t}" for b, t in sorted(held))
            yield f"{ctx.who(pid)} holds {len(held)} terms ({listed}); at most {limit} allowed"


def check_pinned_term(ctx: Ctx) -> Iterator[str]:
    for pin in ctx.instance.pins.rotation:
        where = f"{ctx.base_name(pin.base)} {ctx.period_label(pin.period)}"
        terms = ctx.terms_by.get((pin.base, pin.period), [])
        if not terms:
            yield f"{ctx.who(pin.chair)} is pinned to chair {where}, but the plan has no term there"
        for term in terms:
            if term.chair != pin.chair:
                yield (
                    f"{ctx.who(pin.chair)} is pinned to chair {where}, but the plan has "
                    f"{ctx.who(term.chair)}"
                )


# =====================================================================================
# Soft amounts
# =====================================================================================


def amount_back_to_back(ctx: Ctx) -> int:
    n = 0
    last = ctx.n_periods
    for bid in ctx.bases:
        chair = ctx.chair_of.get
        n += sum(
            1
            for t in range(2, ctx.n_periods + 1)
            if chair((bid, t)) is not None and chair((bid, t)) == chair((bid, t - 1))
        )
        first = chair((bid, 1))
        if first is not None and any(
            (h.base, h.year, h.period, h.chair) == (bid, ctx.year - 1, last, first)
            for h in ctx.instance.history.rotation
        ):
            n += 1
    return n


def amount_short_gap(ctx: Ctx) -> int:
    n = 0
    T = ctx.n_periods
    for bid, base in ctx.bases.items():
        n_b = len(base.presidium)
        indices: dict[str, set[int]] = defaultdict(set)
        for (b, t), pid in ctx.chair_of.items():
            if b == bid:
                indices[pid].add(t)
        latest: dict[str, tuple[int, int]] = {}
        for h in ctx.instance.history.rotation:
            if h.base == bid and h.year < ctx.year:
                latest[h.chair] = max(latest.get(h.chair, (h.year, h.period)), (h.year, h.period))
        for pid, (year, period) in latest.items():
            indices[pid].add((year - ctx.year) * T + period)
        for gs in indices.values():
            for s in range(2 - n_b, T):
                k = sum(1 for g in gs if s <= g <= s + n_b - 1)
                n += max(0, k - 1)
    return n


def amount_uneven_terms(ctx: Ctx) -> int:
    n = 0
    for bid, base in ctx.bases.items():
        held = Counter(pid for (b, _), pid in ctx.chair_of.items() if b == bid)
        counts = [held[p] for p in base.presidium]
        n += max(counts) - min(counts)
    return n


def amount_undesired_period(ctx: Ctx) -> int:
    return sum(
        1
        for (_, t), pid in ctx.chair_of.items()
        if pid in ctx.people and t in ctx.people[pid].undesired_periods
    )


def amount_not_preferred_period(ctx: Ctx) -> int:
    return sum(
        1
        for (_, t), pid in ctx.chair_of.items()
        if pid in ctx.people
        and ctx.people[pid].preferred_periods
        and t not in ctx.people[pid].preferred_periods
    )
