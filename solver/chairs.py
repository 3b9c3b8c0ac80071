"""The construction's rotating chairs, polished (solver/construct.py): each base's chairs
improved by the best single change or swap of two periods while the rotation's soft
rules, priced as checker/rotation.py counts them, fall and the hard ones hold; then the
optimum of a small CP-SAT model of the chairs alone (``solve_chairs``), which is also
the rotation bound's (solver/bounds.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from ..models.instance import Instance
from .unionfind import UnionFind

#: The work of the chairs' model (a county's seven bases: proven optimal after about
#: 0.02; the default instance's: 0.05).
CHAIRS_WORK = 1.0


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


def best_chairs(inst: Instance, chair_of: dict, pins: dict, able) -> None:
    """Each group of bases that share a presidium member takes the chairs of the small
    CP-SAT model of the chairs alone (chairs.solve_chairs), hinted with the polished
    ones, when they cost less. The polish stops at a local optimum: the default
    instance's chairs cost 385 by the rotation's soft rules after it, 235 at the
    model's optimum."""
    uf = UnionFind()
    for base in inst.bases:
        for m in base.presidium:
            uf.union("b:" + base.id, "p:" + m)
    groups: dict[str, list] = defaultdict(list)
    for base in inst.bases:
        groups[uf.find("b:" + base.id)].append(base)
    for bases in groups.values():
        candidates = {(b.id, t): ([pins[b.id, t]] if (b.id, t) in pins else
                                  [m for m in b.presidium if able(m, b.id, t)])
                      for b in bases for t in range(1, inst.periods + 1)}
        before = sum(chairs_cost(inst, b, [chair_of[b.id, t]
                                           for t in range(1, inst.periods + 1)],
                                 *history(inst, b.id)) for b in bases)
        found = solve_chairs(inst, bases, candidates, hint=chair_of)
        if found is not None and found.cost < before:
            chair_of.update(found.chair_of)


@dataclass(frozen=True)
class Chairs:
    """The chairs' model solved: its best chairs, their cost and the model's bound."""

    chair_of: dict[tuple[str, int], str]
    cost: int
    bound: float


def solve_chairs(inst: Instance, bases, candidates: dict[tuple[str, int], list[str]],
                 hint: dict[tuple[str, int], str] | None = None) -> Chairs | None:
    """The chairs of ``bases`` that cost least by the rotation's soft rules among those
    the model's rules between chairs allow: one chair a period from ``candidates[base,
    period]`` (the caller leaves out who is away too long and keeps a pinned chair
    alone), one presidium at a time, at most ``max_terms_per_person`` terms over all
    bases. Back to back, short gaps and uneven terms are written as rotation.py writes
    them, the wishes as ``period_cost``. None when there is no such plan. Stopped by
    work (``CHAIRS_WORK``), one thread: the same answer on every machine."""
    T, cap = inst.periods, inst.rotation.max_terms_per_person
    m = cp_model.CpModel()
    x = {(b.id, t, p): m.new_bool_var(f"x[{b.id},{t},{p}]") for b in bases
         for t in range(1, T + 1) for p in candidates.get((b.id, t), [])}
    by_period: dict[tuple[str, int], list] = defaultdict(list)
    by_person_period: dict[tuple[str, int], list] = defaultdict(list)
    by_person: dict[str, list] = defaultdict(list)
    for (b, t, p), v in x.items():
        by_period[b, t].append(v)
        by_person_period[p, t].append(v)
        by_person[p].append(v)
    for b in bases:
        for t in range(1, T + 1):
            m.add_exactly_one(by_period[b.id, t])
    for lits in by_person_period.values():  # one presidium at a time
        if len(lits) > 1:
            m.add_at_most_one(lits)
    for lits in by_person.values():  # the term cap, all bases together
        if len(lits) > cap:
            m.add(sum(lits) <= cap)
    cost = [period_cost(inst, p, t) * v for (b, t, p), v in x.items()]
    for b in bases:
        cost += _base_rules(m, x, inst, b)
    m.minimize(sum(cost))
    for (b, t), p in sorted((hint or {}).items()):
        if (b, t, p) in x:
            m.add_hint(x[b, t, p], 1)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers, params.random_seed, params.max_deterministic_time = 1, 0, CHAIRS_WORK
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chair_of = {(b, t): p for (b, t, p), v in x.items() if solver.value(v)}
    return Chairs(chair_of, int(round(solver.objective_value)), solver.best_objective_bound)


def _base_rules(m: cp_model.CpModel, x: dict, inst: Instance, base) -> list:
    """The cost terms of one base's back to back, short gaps and uneven terms, as
    rotation.py writes them (the amounts pushed down by the minimisation)."""
    w, T, n = inst.weights, inst.periods, len(base.presidium)
    latest, last = history(inst, base.id)

    def lit(t: int, p: str):
        return x.get((base.id, t, p), 0)

    def excess(terms: list, past: int):
        """max(sum(terms) + past - 1, 0), as a variable the objective pushes down."""
        e = m.new_int_var(0, len(terms) + past, "")
        m.add(e >= sum(terms) + past - 1)
        return e

    out = []
    counts = []
    for p in base.presidium:
        out.append(w.back_to_back * lit(1, p) * (last == p))
        for t in range(2, T + 1):
            out.append(w.back_to_back * excess([lit(t - 1, p), lit(t, p)], 0))
        if n >= 2:
            g = latest.get(p)
            for s in range(2 - n, T):
                window = range(s, s + n)
                terms = [lit(t, p) for t in window if 1 <= t <= T]
                past = 1 if g is not None and g in window else 0
                if len(terms) + past >= 2:
                    out.append(w.short_gap * excess(terms, past))
        counts.append(sum(lit(t, p) for t in range(1, T + 1)))
    out.append(w.uneven_terms * spread(m, counts, T))
    return out


def spread(m: cp_model.CpModel, counts: list, upper: int):
    """The largest of ``counts`` less the smallest (each at most ``upper``), as two
    variables the minimisation pushes together: uneven terms here, the visits' spread
    in solver/bounds.py (as rotation.py and term._range write them)."""
    most, least = m.new_int_var(0, upper, ""), m.new_int_var(0, upper, "")
    for c in counts:
        m.add(most >= c)
        m.add(least <= c)
    return most - least
