"""The construction's rotating chairs, polished (solver/construct.py): each base's chairs
improved by the best single change or swap of two periods while the rotation's soft
rules, priced as checker/rotation.py counts them, fall and the hard ones hold."""

from __future__ import annotations

from collections import Counter, defaultdict

from ..models.instance import Instance


def period_cost(inst: Instance, pid: str, t: int) -> int:
    """What the chair's own wishes charge for her term in period ``t``: an undesired
    period, or one outside her (non-empty) preferred periods."""
    person, w = inst.person(pid), inst.weights
    return (w.undesired_period * (t in person.undesired_periods)
            + w.not_preferred_period * bool(person.preferred_periods
                                            and t not in person.preferred_periods))


def history(inst: Instance, base_id: str) -> tuple[dict[str, int], str | None]:
    """Each member's latest term of the base before the plan year, as a period index
    (0 the last period of the year before, negative earlier), and who chaired that last
    period (None when the history does not say): what ``chairs_cost`` reads."""
    T = inst.periods
    latest: dict[str, int] = {}
    last = None
    for h in inst.history.rotation:
        if h.base == base_id and h.year < inst.year:
            latest[h.chair] = max(latest.get(h.chair, -10**6),
                                  (h.year - inst.year) * T + h.period)
            if h.year == inst.year - 1 and h.period == T:
                last = h.chair
    return latest, last


def chairs_cost(inst: Instance, base, seq: list[str], latest: dict[str, int],
                 last: str | None) -> int:
    """The rotation's soft rules of one base whose chairs of periods 1..T are ``seq``
    (as checker/rotation.py counts them): back to back (also across the new year, after
    ``last``), short gaps (with each member's ``latest`` term before the year, as a
    period index), uneven terms, undesired and not-preferred periods."""
    w, n_b = inst.weights, len(base.presidium)
    cost = w.back_to_back * (sum(seq[t] == seq[t - 1] for t in range(1, len(seq)))
                             + (seq[0] == last))
    indices: dict[str, list[int]] = defaultdict(list)
    for t, pid in enumerate(seq, 1):
        indices[pid].append(t)
    for pid, t in latest.items():
        indices[pid].append(t)
    for gs in indices.values():
        for s in range(2 - n_b, len(seq)):
            cost += w.short_gap * max(0, sum(1 for g in gs if s <= g <= s + n_b - 1) - 1)
    held = Counter(seq)
    counts = [held[p] for p in base.presidium]
    cost += w.uneven_terms * (max(counts) - min(counts))
    return cost + sum(period_cost(inst, pid, t) for t, pid in enumerate(seq, 1))


def polish_chairs(inst: Instance, chair_of: dict, pins: dict, held: Counter,
                   chairing: set, able) -> None:
    """Improve each base's chairs by the best of: another member for one period, or two
    periods' chairs swapped -- while that lowers the base's soft rotation rules and keeps
    the hard ones (pins, the term cap, one presidium at a time, availability). The queue
    alone left a generated county's rotation hint 2-3 times its optimum in short gaps
    and undesired periods."""
    T, cap = inst.periods, inst.rotation.max_terms_per_person
    memo: dict[tuple, bool] = {}

    def fits(m: str, bid: str, t: int) -> bool:
        if (m, bid, t) not in memo:
            memo[m, bid, t] = able(m, bid, t)
        return (m, t) not in chairing and memo[m, bid, t]

    for base in inst.bases:
        bid = base.id
        latest, last = history(inst, bid)
        seq = [chair_of[bid, t] for t in range(1, T + 1)]
        free = [t for t in range(1, T + 1) if (bid, t) not in pins]
        cost = chairs_cost(inst, base, seq, latest, last)
        for _ in range(4 * T):
            best = None
            for t in free:
                old = seq[t - 1]
                for m in base.presidium:
                    if m != old and held[m] < cap and fits(m, bid, t):
                        new = seq[:t - 1] + [m] + seq[t:]
                        c = chairs_cost(inst, base, new, latest, last)
                        if c < cost and (best is None or c < best[0]):
                            best = (c, [(t, old, m)])
            for i, t1 in enumerate(free):
                for t2 in free[i + 1:]:
                    a, b = seq[t1 - 1], seq[t2 - 1]
                    if a == b:
                        continue
                    chairing.discard((a, t1))
                    chairing.discard((b, t2))
                    ok = fits(a, bid, t2) and fits(b, bid, t1)
                    chairing.update(((a, t1), (b, t2)))
                    if not ok:
                        continue
                    new = list(seq)
                    new[t1 - 1], new[t2 - 1] = b, a
                    c = chairs_cost(inst, base, new, latest, last)
                    if c < cost and (best is None or c < best[0]):
                        best = (c, [(t1, a, b), (t2, b, a)])
            if best is None:
                break
            cost, moves = best
            for t, old, _m in moves:
                chairing.discard((old, t))
                held[old] -= 1
            for t, _old, m in moves:
                chairing.add((m, t))
                held[m] += 1
                seq[t - 1] = m
                chair_of[bid, t] = m
