"""A lower bound of a rotation part that returns its construction without a search
(solver/budget.py leaves most of a province's rotations to it): without one, such a part
reports a bound of 0 and the plan's gap says nothing about it.

The bound adds, term by term, the least each soft rule can cost whatever the search
chose, on the part's own model domains (its candidate days, slots, venues and chairs):

* ``uneven_terms``: a base whose presidium does not divide the periods has two members
  whose numbers of terms differ by at least one;
* ``missed_attendance`` and ``late_meeting``: each meeting is held on one of its
  candidate days, so it costs at least the cheapest of them;
* ``meeting_outside_town``: likewise its cheapest candidate venue;
* ``undesired_period`` and ``not_preferred_period``: each period has one chair, so it
  costs at least its cheapest candidate.

Every term of the objective is at least its own least cost, so the sum is a valid bound
(tests/test_bounds.py checks it against proven optima).
"""

from __future__ import annotations

from collections import defaultdict

from .chairs import period_cost
from .context import ModelContext
from .meetings import expected_absent


def rotation_bound(ctx: ModelContext) -> int:
    """A lower bound of the objective of ``ctx``'s part from its rotation and meetings
    alone (0 for a part without them)."""
    inst = ctx.instance
    w = inst.weights
    bound = 0
    periods = inst.periods
    # Every base of the part has its chairs' variables (rotation.uneven_terms_penalties
    # reads them all).
    bound += sum(w.uneven_terms * (periods % len(base.presidium) != 0) for base in ctx.bases)
    for (b, _q), mv in ctx.meetings.items():
        base = inst.federation(b)
        days = [w.missed_attendance * len(expected_absent(ctx, b, d))
                + w.late_meeting * ((d - mv.window[0]).days // 7) for d in mv.day]
        bound += min(days, default=0)
        if base.town:
            bound += w.meeting_outside_town * min(
                (inst.venue(v).town != base.town for v in mv.venue), default=0)
    chairs: dict[tuple[str, int], list[int]] = defaultdict(list)
    for (b, t, p) in ctx.chair:
        chairs[b, t].append(period_cost(inst, p, t))
    bound += sum(min(costs) for costs in chairs.values())
    return bound
