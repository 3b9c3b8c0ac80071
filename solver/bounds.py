"""A lower bound of a rotation part that returns its construction without a search
(solver/budget.py leaves most of a province's rotations to it): without one, such a part
reports a bound of 0 and the plan's gap says nothing about it.

The bound adds the least each group of soft rules can cost whatever the search chose,
on the part's own model domains (its candidate days, slots, venues and chairs):

* ``missed_attendance`` and ``late_meeting``: each meeting is held on one of its
  candidate days, so it costs at least the cheapest of them;
* ``meeting_outside_town``: likewise its cheapest candidate venue;
* the term of work's ``visit_spread``, ``regional_chair_load`` and
  ``late_signature_activity``: each signature activity its earliest candidate, and a
  small CP-SAT model of which period each visit falls in (``term_bound``);
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

from .chairs import solve_chairs, spread
from .context import ModelContext
from .meetings import expected_absent
from .rotation import unavailable_too_long
from .term import bases_by_regional_chair, term_vars

#: The work of the visits' periods model (a county: proven optimal in hundredths).
TERM_WORK = 1.0


def rotation_bound(ctx: ModelContext) -> int:
    """A lower bound of the objective of ``ctx``'s part from its meetings, chairs and
    term of work alone (0 for a part without them)."""
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
    return bound + chairs_bound(ctx) + term_bound(ctx)


def chairs_bound(ctx: ModelContext) -> int:
    """The least the chairs' soft rules of ``ctx``'s bases cost together (module
    docstring; ``chairs.solve_chairs``); 0 when the chairs' model alone has no plan."""
    inst = ctx.instance
    if not ctx.bases:
        return 0
    # Candidates not away too long (rotation.add_chair_available, unless the model can
    # switch that rule off to explain), the pinned chair alone.
    blocked = set() if ctx.explain else unavailable_too_long(ctx)
    pinned = {(pin.base, pin.period): pin.chair for pin in inst.pins.rotation}
    candidates: dict[tuple[str, int], list[str]] = defaultdict(list)
    for (b, t, p) in sorted(ctx.chair):
        if (t, p) not in blocked and pinned.get((b, t), p) == p:
            candidates[b, t].append(p)
    found = solve_chairs(inst, ctx.bases, candidates)
    return 0 if found is None else max(0, math.ceil(found.bound - 1e-6))


def term_bound(ctx: ModelContext) -> int:
    """The least the chair's term of work costs (solver/term.py's soft rules): each
    signature activity its earliest candidate's lateness; and the visits' spread over
    the periods (per base, and per regional chair of two or more bases) from a small
    CP-SAT model in which each visit takes one of its candidates' periods, every
    clash and who goes dropped."""
    w, T = ctx.instance.weights, ctx.instance.periods
    tv = term_vars(ctx)
    bound = 0
    for (_b, t), cands in tv.signatures.items():
        start = ctx.timeline.periods[t - 1][0]
        bound += w.late_signature_activity * min(
            ((c.date - start).days // 7 for c in cands), default=0)
    if not tv.visits:
        return bound
    m = cp_model.CpModel()
    per: dict[tuple[str, int], list] = defaultdict(list)
    for key in sorted(tv.visits):
        periods = sorted({c.period for c in tv.visits[key]})
        lits = [m.new_bool_var(f"v[{key},{t}]") for t in periods]
        m.add_exactly_one(lits)
        for t, lit in zip(periods, lits, strict=True):
            per[key[0], t].append(lit)
    visited = sorted({key[0] for key in tv.visits})
    cost = [w.visit_spread * _spread(m, per, [b], T) for b in visited]
    cost += [w.regional_chair_load * _spread(m, per, bases, T)
             for _rc, bases in sorted(bases_by_regional_chair(ctx).items())
             if len(bases) > 1]
    m.minimize(sum(cost))
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers, p.random_seed, p.max_deterministic_time = 1, 0, TERM_WORK
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return bound
    return bound + max(0, math.ceil(solver.best_objective_bound - 1e-6))


def _spread(m: cp_model.CpModel, per: dict, bases: list[str], T: int):
    """The busiest period's visits of ``bases`` less the quietest's (as term._range)."""
    return spread(m, [sum((lit for b in bases for lit in per.get((b, t), ())), start=0)
                      for t in range(1, T + 1)], 10**6)
