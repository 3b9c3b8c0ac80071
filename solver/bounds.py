"""A lower bound of a rotation part that returns its construction without a search
(solver/budget.py leaves most of a province's rotations to it): without one, such a part
reports a bound of 0 and the plan's gap says nothing about it.

The bound adds the least each group of soft rules can cost whatever the search chose,
on the part's own model domains (its candidate days, slots, venues and chairs):

* ``missed_attendance`` and ``late_meeting``: each meeting is held on one of its
  candidate days, so it costs at least the cheapest of them;
* ``meeting_outside_town``: likewise its cheapest candidate venue;
* the chairs' rules -- ``back_to_back``, ``short_gap``, ``uneven_terms``,
  ``undesired_period`` and ``not_preferred_period`` -- together: the optimum of a small
  CP-SAT model of the chairs alone (``chairs_bound``), with the model's rules between
  them (one chair a period, not away too long, the pins, one presidium at a time, the
  term cap over all bases) and without the meetings and term duties that also weigh on
  who chairs. A few hundred booleans a county: proven optimal in hundredths of a
  second, and should it not be, its own bound is still one.

Every term of the objective is at least its own least cost, and the groups share no
term, so the sum is a valid bound (tests/test_bounds.py checks it against proven
optima: default instance 375, generated counties 326 and 291).
"""

from __future__ import annotations

import math
from collections import defaultdict

from ortools.sat.python import cp_model

from .chairs import history, period_cost
from .context import ModelContext
from .meetings import expected_absent
from .rotation import unavailable_too_long

#: The work of the chairs' model (proven optimal after about 0.01 on a county).
CHAIRS_WORK = 1.0


def rotation_bound(ctx: ModelContext) -> int:
    """A lower bound of the objective of ``ctx``'s part from its rotation and meetings
    alone (0 for a part without them)."""
    inst = ctx.instance
    w = inst.weights
    bound = 0
    for (b, _q), mv in ctx.meetings.items():
        base = inst.federation(b)
        days = [w.missed_attendance * len(expected_absent(ctx, b, d))
                + w.late_meeting * ((d - mv.window[0]).days // 7) for d in mv.day]
        bound += min(days, default=0)
        if base.town:
            bound += w.meeting_outside_town * min(
                (inst.venue(v).town != base.town for v in mv.venue), default=0)
    return bound + chairs_bound(ctx)


def chairs_bound(ctx: ModelContext) -> int:
    """The least the chairs' soft rules of ``ctx``'s bases cost together (module
    docstring); 0 when the chairs' model alone has no plan."""
    inst = ctx.instance
    if not ctx.bases:
        return 0
    T, cap = inst.periods, inst.rotation.max_terms_per_person
    # Candidates not away too long (rotation.add_chair_available, unless the model can
    # switch that rule off to explain), the pinned chair alone.
    blocked = set() if ctx.explain else unavailable_too_long(ctx)
    pinned = {(pin.base, pin.period): pin.chair for pin in inst.pins.rotation}
    m = cp_model.CpModel()
    x = {(b, t, p): m.new_bool_var(f"x[{b},{t},{p}]") for (b, t, p) in sorted(ctx.chair)
         if (t, p) not in blocked and pinned.get((b, t), p) == p}
    by_period: dict[tuple[str, int], list] = defaultdict(list)
    by_person_period: dict[tuple[str, int], list] = defaultdict(list)
    by_person: dict[str, list] = defaultdict(list)
    for (b, t, p), v in x.items():
        by_period[b, t].append(v)
        by_person_period[p, t].append(v)
        by_person[p].append(v)
    for base in ctx.bases:
        for t in range(1, T + 1):
            m.add_exactly_one(by_period[base.id, t])
    for lits in by_person_period.values():  # one presidium at a time
        if len(lits) > 1:
            m.add_at_most_one(lits)
    for lits in by_person.values():  # the term cap, all bases together
        if len(lits) > cap:
            m.add(sum(lits) <= cap)
    cost = [period_cost(inst, p, t) * v for (b, t, p), v in x.items()]
    for base in ctx.bases:
        cost += _base_rules(m, x, inst, base)
    m.minimize(sum(cost))
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers, p.random_seed, p.max_deterministic_time = 1, 0, CHAIRS_WORK
    code = solver.solve(m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0
    return max(0, math.ceil(solver.best_objective_bound - 1e-6))


def _base_rules(m: cp_model.CpModel, x: dict, inst, base) -> list:
    """The cost terms of one base's back to back, short gaps and uneven terms, as
    rotation.py writes them (the amounts pushed down by the minimisation)."""
    w, T, n = inst.weights, inst.periods, len(base.presidium)
    latest, last = history(inst, base.id)
    zero = 0

    def lit(t: int, p: str):
        return x.get((base.id, t, p), zero)

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
    most, least = m.new_int_var(0, T, ""), m.new_int_var(0, T, "")
    for c in counts:
        m.add(most >= c)
        m.add(least <= c)
    out.append(w.uneven_terms * (most - least))
    return out
