"""The LP relaxation of a part's volunteering (GLOP): a lower bound, and the candidate
assignments a quick search keeps to (``restricted``).

A volunteering part that takes the construction without a search (its share of the work
is below its floor, solver/budget.py) has no bound from CP-SAT. The min-cost flow of its
candidate assignments (``staffing.lower_bound``) is one, but it leaves out the two rules
that cost most above it: a lead-required activity needs an experienced volunteer, and a
series keeps its faces. The LP here keeps them, as CP-SAT's own linear relaxation does:

* ``x`` in [0, 1] for every candidate assignment of the model (``ctx.assign``, pins at 1),
  ``short`` per role below its minimum, at most ``max`` per role, one role per person
  per activity, the monthly activity and hour limits;
* ``over`` per volunteer: her assignments above the fair load;
* a lead-required activity's ``led`` is at most the sum of its experienced volunteers'
  ``x`` (``no_lead`` is charged for ``1 - led``);
* a series' faces ``used`` at least each of its people's ``x``; past the fair load her
  share of the series is at most ``k * used + over`` (the model's redundant cut); its
  ``top`` at most its largest session's ceiling and at most the sessions' sum less what
  the other sessions need at least (both hold in every plan, as in the model).

* two activities of a volunteer's day that clash (travel included) take at most one
  of her.

Every plan of the model is a solution of the LP with the same cost, so the LP optimum
is a lower bound. Default instance: 631 (CP-SAT's search reaches 641 in 10 units of
work, its own LP 626-627), against the flow's 550; generated counties 537 against 455.
GLOP's dual simplex is deterministic and stopped by an iteration count, never the
clock, so the bound is the same on every machine and under any load.

The LP's optimum is mostly whole (default instance: 807 assignments at 1, 122
fractional on 34 activities), and its support and the construction's teams together
hold a good plan: a part too starved for a first plan searches only those, 15,571
candidate assignments cut to about 1,480 (solver/run.py, ``start == "lp plan"``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from .duties import _clashing_pairs, _longest_travel
from .staffing import own_price
from .volunteering import fair_load

#: The simplex's iteration limit (default instance: about 5,000). Past it the LP gives
#: no bound (the caller keeps the flow's); a count, not a time, keeps it deterministic.
MAX_ITERATIONS = 200_000
#: Slack against GLOP's tolerances when rounding the LP optimum up to an integer cost.
TOLERANCE = 1e-3


#: The work of a search over the LP's support and the construction (``restricted``;
#: default instance: 651 at 0.3, 650 at 0.5 and 1.0, against the construction's 735 and
#: the whole model's first plan, 645 at 2.5).
PLAN_WORK = 0.3
#: An assignment the LP gives at least this much of is in its support.
SUPPORT = 0.01


@dataclass(frozen=True)
class Relaxation:
    """The LP's optimum, rounded up (a bound on the part), and the candidate assignments
    it uses (``SUPPORT``): most at 1, about one in eight fractional."""

    bound: int
    support: frozenset[tuple[str, str, str]]


def relax(ctx) -> Relaxation | None:
    """The LP relaxation of a built ``ModelContext``'s volunteering (module docstring),
    solved once per model; None when it has none or the LP is not solved."""
    if not ctx.assign:
        return None
    if "staffing_lp" not in ctx.cache:
        ctx.cache["staffing_lp"] = _Lp(ctx).solve()
    return ctx.cache["staffing_lp"]


def lp_bound(ctx) -> int | None:
    """The LP relaxation's bound (``relax``), or None."""
    r = relax(ctx)
    return None if r is None else r.bound


def restricted(ctx, relaxation: Relaxation) -> cp_model.CpModel:
    """A copy of the part's model whose candidate assignments outside the LP's support
    and the construction's teams are fixed at 0, hinted with the construction: a search
    of it starts from the construction and finds a plan near the LP's in a fraction of
    the work the whole model needs (default instance, 0.3 of work: 651; the LP's support
    alone 663, its optimum 661; the construction 735; the whole model's first plan 645
    at 2.5). Its optimum bounds nothing."""
    model = ctx.model.clone()
    model.clear_hints()
    built = {lit.index: value for lit, value in ctx.construction}
    variables = model.proto.variables
    for key, lit in ctx.assign.items():
        if key not in relaxation.support and not built.get(lit.index):
            domain = variables[lit.index].domain
            domain[0] = domain[1] = 0
    for lit, value in ctx.construction:
        model.add_hint(lit, value)
    return model


class _Lp:
    """The LP of one part's volunteering (module docstring)."""

    def __init__(self, ctx) -> None:
        inst = ctx.instance
        self.w, self.k = inst.weights, fair_load(inst)
        self.s = pywraplp.Solver.CreateSolver("GLOP")
        # The dual simplex with perturbed costs: 0.31 s instead of 0.49-0.6 (generated
        # counties and the default instance), the same optimum.
        self.s.SetSolverSpecificParametersAsString(
            f"max_number_of_iterations: {MAX_ITERATIONS} use_dual_simplex: true "
            "perturb_costs_in_dual_simplex: true")
        self.obj = self.s.Objective()
        self.constant = 0
        self.acts = {a.id: a for a in ctx.activities}
        self.people = {p.id: p for p in inst.people}
        self.x: dict[tuple[str, str, str], pywraplp.Variable] = {}
        pinned = {(p.activity, p.role, p.person) for p in inst.pins.volunteering}
        for key in sorted(ctx.assign):
            aid, _role, pid = key
            v = self.s.NumVar(1 if key in pinned else 0, 1, "")
            self.obj.SetCoefficient(v, own_price(inst, self.people[pid], self.acts[aid]))
            self.x[key] = v
        self.short = self._roles()
        self._clashes(inst)
        self.over = self._load()
        self._leads()
        self._series()

    # -- helpers --------------------------------------------------------------------

    def _at_most(self, terms, upper: float) -> None:
        c = self.s.Constraint(-self.s.infinity(), upper)
        for v, coef in terms:
            c.SetCoefficient(v, coef)

    def _var(self, upper: float, cost: float) -> pywraplp.Variable:
        v = self.s.NumVar(0, upper, "")
        if cost:
            self.obj.SetCoefficient(v, cost)
        return v

    def _by(self, key) -> dict:
        out: dict = defaultdict(list)
        for k, v in self.x.items():
            out[key(k)].append(v)
        return out

    # -- rules ----------------------------------------------------------------------

    def _roles(self) -> dict:
        """Headcounts: at most ``max``, ``short`` below ``min``; one role per activity."""
        per_role = self._by(lambda k: (k[0], k[1]))
        short = {}
        for a in self.acts.values():
            for r in a.roles:
                xs = per_role.get((a.id, r.role), [])
                if len(xs) > r.upper:
                    self._at_most([(v, 1) for v in xs], r.upper)
                if r.min:
                    s = short[a.id, r.role] = self._var(r.min, self.w.unfilled_role)
                    # min - sum(x) <= short
                    self._at_most([(v, -1) for v in xs] + [(s, -1)], -r.min)
        for xs in self._by(lambda k: (k[0], k[2])).values():
            if len(xs) > 1:
                self._at_most([(v, 1) for v in xs], 1)
        return short

    def _clashes(self, inst) -> None:
        """One of two activities of a volunteer's day that clash, travel included."""
        per_day: dict = defaultdict(lambda: defaultdict(list))
        for (aid, _role, pid), v in self.x.items():
            per_day[pid, self.acts[aid].date][aid].append(v)
        reach = _longest_travel(inst)
        for key in sorted(per_day):
            acts = sorted(per_day[key])
            if len(acts) < 2:
                continue
            duties = [(*self.acts[aid].minutes, inst.activity_town(self.acts[aid]))
                      for aid in acts]
            for i, js in _clashing_pairs(duties, inst.travel_minutes, reach).items():
                for j in js:
                    self._at_most([(v, 1) for v in per_day[key][acts[i]]
                                   + per_day[key][acts[j]]], 1)

    def _load(self) -> dict:
        """The monthly limits, and ``over`` per volunteer above the fair load."""
        per_month: dict = defaultdict(list)
        for (aid, _role, pid), v in self.x.items():
            per_month[pid, self.acts[aid].date.month].append((self.acts[aid], v))
        for (pid, _m), items in sorted(per_month.items()):
            vol = self.people[pid].volunteer
            if len(items) > vol.max_activities_per_month:
                self._at_most([(v, 1) for _, v in items], vol.max_activities_per_month)
            minutes = [(v, a.minutes[1] - a.minutes[0]) for a, v in items]
            if sum(m for _, m in minutes) > 60 * vol.max_hours_per_month:
                self._at_most(minutes, 60 * vol.max_hours_per_month)
        over = {}
        for pid, xs in sorted(self._by(lambda k: k[2]).items()):
            if len(xs) > self.k:
                o = over[pid] = self._var(len(xs), self.w.volunteer_overload)
                self._at_most([(v, 1) for v in xs] + [(o, -1)], self.k)
        return over

    def _leads(self) -> None:
        """``no_lead`` for the share of a lead-required activity without a lead."""
        experienced = self._by(lambda k: k[0] if self.people[k[2]].volunteer.experienced
                               else None)
        for a in self.acts.values():
            if a.lead_required:
                led = self._var(1, -self.w.no_lead)
                self.constant += self.w.no_lead
                self._at_most([(led, 1)] + [(v, -1) for v in experienced.get(a.id, [])], 0)

    def _series(self) -> None:
        """``series_change``: the faces of a series less its largest session."""
        series: dict[str, list] = defaultdict(list)
        for a in self.acts.values():
            if a.series:
                series[a.series].append(a)
        per_act = self._by(lambda k: k[0])
        of_series: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for (aid, _role, pid), v in self.x.items():
            if self.acts[aid].series:
                of_series[self.acts[aid].series][pid].append(v)
        for sid in sorted(series):
            members, faces = series[sid], of_series[sid]
            ceiling = max(min(len(per_act.get(a.id, [])), sum(r.upper for r in a.roles))
                          for a in members)
            top = self._var(ceiling, -self.w.series_change)
            for pid in sorted(faces):
                used = self._var(1, self.w.series_change)
                for v in faces[pid]:
                    self._at_most([(v, 1), (used, -1)], 0)
                if len(faces[pid]) > self.k and pid in self.over:
                    self._at_most([(v, 1) for v in faces[pid]]
                                  + [(used, -self.k), (self.over[pid], -1)], 0)
            # top <= sum(counts) - (sum(mins) - max(mins)) + the sessions' shortfalls
            mins = [sum(r.min for r in a.roles) for a in members]
            terms = [(top, 1)] + [(v, -1) for a in members for v in per_act.get(a.id, [])]
            terms += [(self.short[a.id, r.role], -1) for a in members for r in a.roles
                      if (a.id, r.role) in self.short]
            self._at_most(terms, -(sum(mins) - max(mins)))

    # -- solve ----------------------------------------------------------------------

    def solve(self) -> Relaxation | None:
        if self.s.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        bound = max(0, math.ceil(self.obj.Value() + self.constant - TOLERANCE))
        return Relaxation(bound, frozenset(k for k, v in self.x.items()
                                           if v.solution_value() >= SUPPORT))
