"""The construction's volunteer teams (solver/construct.py): a fill that prices each
choice by the soft rules, then moves that each lower the cost, until none does.

The list-order fill of the clerk's baseline (baseline/greedy.py) gives a county's
volunteering several times its optimum (default instance: 1,289 against a bound of
626: 75 assignments above the fair load, every volunteer nearest first). A starved
search returns the construction, and a hint from it is where CP-SAT's one-thread search
stays near, so its quality is the plan's at short time limits.

Every choice keeps the hard rules the model has: only the model's candidates of a role
(``volunteering.pool``), at most ``max`` per role and one role per person per activity,
the monthly activity and hour limits, no double booking with her other duties in the
``Diary`` (travel included), the pins. The price of an assignment is what the objective
charges for it (``weights``): travel quarters, a disliked kind, an assignment above the
fair load, a new face on a series, an activity left without its lead; a role below its
minimum costs ``unfilled_role`` per missing person.

1. **Flow.** Without series, leads and hours, staffing is a min-cost flow: each short
   role sends its missing people through a candidate's day (one activity a day, so one
   role per activity and no double booking between assignments) and month (the
   monthly activity limit) to her year, free up to the fair load and at
   ``volunteer_overload`` past it, or stays short at ``unfilled_role``. Its optimum
   (OR-Tools' min-cost flow, milliseconds) prices the fair load against travel over
   the whole year at once, which no fill in any order does. Its assignments are then
   made in date order, each where the hard rules still allow it.
2. **Fill** what is still short, the scarcest roles first (fewest candidates, then
   date): each missing person is the cheapest candidate free at the time.
3. **Improve**: every assignment is offered to each other candidate of its role; a move
   that lowers the whole cost is made. Then every short role is offered again. Passes
   repeat until one changes nothing (at most ``PASSES``).

Deterministic: every order is by ids, dates and numbers, never by a set's order.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from ortools.graph.python import min_cost_flow

from ..models.instance import Instance
from ..models.plan import Unfilled, Volunteering
from ..models.volunteering import Activity, RoleDemand, shortfall_reason
from .diary import Diary
from .unionfind import UnionFind
from .volunteering import BARRED, fair_load, pool

#: At most this many improvement passes (default instance: the second moves nothing).
PASSES = 3


def own_price(inst: Instance, person, a: Activity) -> int:
    """What an assignment costs by itself: ``travel_time`` per whole quarter of an hour
    to the activity's town, ``disliked_kind`` when she dislikes its kind."""
    w = inst.weights
    return (w.travel_time * (inst.travel_minutes(person.town, inst.activity_town(a)) // 15)
            + w.disliked_kind * (a.kind in person.volunteer.dislikes))


class _Teams:
    """The teams being built, with the counts the prices read."""

    def __init__(self, inst: Instance, diary: Diary) -> None:
        self.inst, self.diary = inst, diary
        self.w = inst.weights
        self.k = fair_load(inst)
        self.people = {p.id: p for p in inst.people}
        self.load: Counter[str] = Counter()  # person -> assignments in the year
        self.month_n: Counter[tuple[str, int]] = Counter()
        self.month_min: Counter[tuple[str, int]] = Counter()
        self.on: dict[str, dict[str, str]] = defaultdict(dict)  # activity -> person -> role
        self.of: dict[str, set[str]] = defaultdict(set)  # person -> her activities
        self.series_people: dict[str, Counter[str]] = defaultdict(Counter)
        self.acts = {a.id: a for a in inst.activities}
        self.series = defaultdict(list)
        for a in inst.activities:
            if a.series:
                self.series[a.series].append(a.id)
        self.barred = inst._by_id.get(BARRED, frozenset())
        self.town = {a.id: inst.activity_town(a) for a in inst.activities}
        self.own: dict[tuple[str, str], int] = {}
        # Unpacked once: (date, month, start, end, town) of each activity; (activities,
        # minutes) a month of each volunteer. (At K = 10 ``may`` is asked 590,000 times.)
        self.when = {a.id: (a.date, a.date.month, *a.minutes, self.town[a.id])
                     for a in inst.activities}
        self.limits = {p.id: (p.volunteer.max_activities_per_month,
                              60 * p.volunteer.max_hours_per_month)
                       for p in inst.people if p.volunteer is not None}

    # -- prices ---------------------------------------------------------------------

    def _own(self, pid: str, a: Activity) -> int:
        """``own_price``, once per (person, activity)."""
        key = (pid, a.id)
        if key not in self.own:
            self.own[key] = own_price(self.inst, self.people[pid], a)
        return self.own[key]

    def _over(self, n: int) -> int:
        return self.w.volunteer_overload * max(0, n - self.k)

    def _series_cost(self, sid: str) -> int:
        counts = [len(self.on[aid]) for aid in self.series[sid]]
        return self.w.series_change * (len(self.series_people[sid]) - max(counts, default=0))

    def _no_lead(self, a: Activity) -> int:
        if not a.lead_required:
            return 0
        return 0 if any(self.people[p].volunteer.experienced for p in self.on[a.id]) \
            else self.w.no_lead

    def _local(self, a: Activity, people: tuple[str, ...]) -> int:
        """The costs that change when the team of ``a`` changes: the series' new faces,
        the lead, and the fair load of ``people``."""
        cost = self._no_lead(a) + sum(self._over(self.load[p]) for p in people)
        return cost + (self._series_cost(a.series) if a.series else 0)

    def cost(self, roles: list[tuple[Activity, RoleDemand]]) -> int:
        """The whole cost of the teams (what the objective's volunteering terms charge)."""
        c = sum(self._own(p, self.acts[aid]) for aid in self.on for p in self.on[aid])
        c += sum(self._over(n) for n in self.load.values())
        c += sum(self._series_cost(sid) for sid in self.series)
        c += sum(self._no_lead(a) for a in self.acts.values())
        have = Counter((aid, role) for aid in self.on for role in self.on[aid].values())
        return c + self.w.unfilled_role * sum(max(0, r.min - have[a.id, r.role])
                                              for a, r in roles)

    # -- hard rules -----------------------------------------------------------------

    def may(self, pid: str, a: Activity, r: RoleDemand) -> bool:
        """Whether ``pid`` may join ``a`` as ``r`` now (she is a candidate of the role)."""
        aid = a.id
        if pid in self.on[aid] or (aid, r.role, pid) in self.barred:
            return False
        day, m, start, end, town = self.when[aid]
        most, minutes = self.limits[pid]
        if self.month_n[pid, m] >= most or self.month_min[pid, m] + end - start > minutes:
            return False
        return self.diary.free(pid, day, start, end, town)

    def add(self, pid: str, a: Activity, role: str) -> None:
        day, m, start, end, town = self.when[a.id]
        length = end - start
        self.on[a.id][pid] = role
        self.of[pid].add(a.id)
        self.load[pid] += 1
        self.month_n[pid, m] += 1
        self.month_min[pid, m] += length
        if a.series:
            self.series_people[a.series][pid] += 1
        self.diary.book(pid, day, start, end, town)

    def remove(self, pid: str, a: Activity) -> None:
        day, m, start, end, town = self.when[a.id]
        length = end - start
        del self.on[a.id][pid]
        self.of[pid].discard(a.id)
        self.load[pid] -= 1
        self.month_n[pid, m] -= 1
        self.month_min[pid, m] -= length
        if a.series:
            s = self.series_people[a.series]
            s[pid] -= 1
            if not s[pid]:
                del s[pid]
        self.diary.unbook(pid, day, start, end, town)

    # -- moves ----------------------------------------------------------------------

    def add_delta(self, pid: str, a: Activity, role: str) -> int:
        before = self._local(a, (pid,))
        self.add(pid, a, role)
        after = self._local(a, (pid,))
        self.remove(pid, a)
        return self._own(pid, a) + after - before

    def best_addition(self, a: Activity, r: RoleDemand, cands: list[str]
                      ) -> tuple[int, str] | None:
        best = None
        for rank, pid in enumerate(cands):
            if not self.may(pid, a, r):
                continue
            key = (self.add_delta(pid, a, r.role), self.load[pid], rank)
            if best is None or key < best[0]:
                best = (key, pid)
        return None if best is None else (best[0][0], best[1])

    def replace_delta(self, old: str, new: str, a: Activity) -> int:
        """The cost change of ``new`` taking ``old``'s place on ``a``."""
        # _over(n + 1) - _over(n) is the overload weight from the fair load on, and
        # _over(n - 1) - _over(n) minus it above the fair load (asked 390,000 times at
        # K = 10: written out).
        over = self.w.volunteer_overload
        d = (self._own(new, a) - self._own(old, a)
             + (over if self.load[new] >= self.k else 0)
             - (over if self.load[old] > self.k else 0))
        if a.series:
            faces = self.series_people[a.series]
            d += self.w.series_change * ((faces[new] == 0) - (faces[old] == 1))
        if a.lead_required:
            exp = [p for p in self.on[a.id] if self.people[p].volunteer.experienced]
            before = bool(exp)
            after = bool([p for p in exp if p != old]) or self.people[new].volunteer.experienced
            d += self.w.no_lead * (before - after)
        return d


def staff(inst: Instance, diary: Diary, busy: str) -> tuple[list[Volunteering],
                                                             list[Unfilled]]:
    """Volunteer teams for every activity (module docstring), booked in ``diary``; and a
    role still below its minimum as ``Unfilled`` (``busy`` says what else keeps its
    candidates)."""
    if not inst.activities:
        return [], []
    t = _Teams(inst, diary)
    pinned: set[tuple[str, str]] = set()
    for pin in inst.pins.volunteering:
        if inst.has_activity(pin.activity) and (pin.activity, pin.person) not in pinned:
            a = inst.activity(pin.activity)
            pinned.add((pin.activity, pin.person))
            t.add(pin.person, a, pin.role)
            diary.unbook(pin.person, a.date, *a.minutes, t.town[a.id])  # the caller booked it
    cands = {(a.id, r.role): pool(inst, a, r) for a in inst.activities for r in a.roles}
    roles = sorted(((a, r) for a in inst.activities for r in a.roles if r.min),
                   key=lambda ar: (len(cands[ar[0].id, ar[1].role]), ar[0].date,
                                   ar[0].start, ar[0].id, ar[1].role))

    for group in _components(roles, cands):
        _flow(t, group, cands)

    def have(a: Activity, r: RoleDemand) -> int:
        return sum(1 for role in t.on[a.id].values() if role == r.role)

    def fill(a: Activity, r: RoleDemand) -> bool:
        """One more person on a short role when it lowers the cost."""
        got = t.best_addition(a, r, cands[a.id, r.role])
        if got is None or got[0] >= t.w.unfilled_role:
            return False
        t.add(got[1], a, r.role)
        return True

    for a, r in roles:
        while have(a, r) < r.min and fill(a, r):
            pass
    for _ in range(PASSES):
        moved = _replace_pass(t, cands, pinned)
        for a, r in roles:
            while have(a, r) < r.min and fill(a, r):
                moved = True
        if not moved:
            break
    out = [Volunteering(activity=aid, person=pid, role=role)
           for aid in sorted(t.on) for pid, role in sorted(t.on[aid].items())]
    unfilled = []
    for a, r in roles:
        missing = r.min - have(a, r)
        if missing > 0:
            n_ok = sum(1 for pid in cands[a.id, r.role] if not diary.away(pid, a.date))
            unfilled.append(Unfilled.role_short(
                a, r.role, r.skill, missing,
                shortfall_reason(r, n_ok, inst.volunteering.max_travel_minutes,
                                 have(a, r), busy=busy)))
    return out, unfilled


def _best_replacement(t: _Teams, cands: dict, pid: str, a: Activity, role: str
                      ) -> tuple[int, str | None]:
    """The cheapest other candidate to take ``pid``'s place on ``a``: (cost change,
    person), or (0, None) when none lowers the cost."""
    r = next(r for r in a.roles if r.role == role)
    best, choice = 0, None
    for new in cands[a.id, role]:
        if new == pid or not t.may(new, a, r):
            continue
        d = t.replace_delta(pid, new, a)
        if d < best:
            best, choice = d, new
    return best, choice


def _replace_pass(t: _Teams, cands: dict, pinned: set) -> bool:
    """Each assignment to the candidate that lowers the cost most (if any)."""
    moved = False
    for a in sorted(t.acts.values(), key=lambda a: (a.date, a.start, a.id)):
        for pid, role in sorted(t.on[a.id].items()):
            if (a.id, pid) in pinned or role not in {r.role for r in a.roles}:
                continue
            _, choice = _best_replacement(t, cands, pid, a, role)
            if choice is not None:
                t.remove(pid, a)
                t.add(choice, a, role)
                moved = True
    return moved


class _Graph:
    """A min-cost flow network whose nodes are named by tuples."""

    def __init__(self) -> None:
        self.flow = min_cost_flow.SimpleMinCostFlow()
        self.nodes: dict[tuple, int] = {}
        self.sink = self.node(("sink",))
        self.supply = 0

    def node(self, key: tuple) -> int:
        if key not in self.nodes:
            self.nodes[key] = len(self.nodes)
        return self.nodes[key]

    def has(self, key: tuple) -> bool:
        return key in self.nodes

    def arc(self, u: int, v: int, cap: int, cost: int) -> int:
        return self.flow.add_arc_with_capacity_and_unit_cost(u, v, cap, cost)

    def source(self, key: tuple, amount: int) -> int:
        n = self.node(key)
        self.flow.set_node_supply(n, amount)
        self.supply += amount
        return n

    def solve(self) -> bool:
        """Min-cost flow of every source's supply into the sink."""
        self.flow.set_node_supply(self.sink, -self.supply)
        return self.flow.solve() == self.flow.OPTIMAL

    def year(self, t_k: int, load: int, pid: str, w_over: int) -> int:
        """A volunteer's year: into the sink, free up to the fair load, then at
        ``volunteer_overload`` each."""
        fresh = not self.has(("year", pid))
        year = self.node(("year", pid))
        if fresh:
            self.arc(year, self.sink, max(0, t_k - load), 0)
            self.arc(year, self.sink, 1 << 30, w_over)
        return year


def _components(roles: list[tuple[Activity, RoleDemand]], cands: dict
                ) -> list[list[tuple[Activity, RoleDemand]]]:
    """The roles in groups that share no candidate (a county's volunteering, say), each
    in the given order: one flow per group (K = 10 counties: one flow of all of them
    took 2 s, ten take a tenth each)."""
    uf = UnionFind()
    for a, r in roles:
        for pid in cands[a.id, r.role]:
            uf.union("a:" + a.id, "p:" + pid)
    groups: dict[str, list] = {}
    for a, r in roles:
        groups.setdefault(uf.find("a:" + a.id), []).append((a, r))
    return list(groups.values())


def _flow(t: _Teams, roles: list[tuple[Activity, RoleDemand]], cands: dict) -> None:
    """Step 1 of the module docstring: the min-cost flow's assignments, made in date
    order where the hard rules allow them."""
    g = _Graph()
    offers: dict[int, tuple[str, Activity, RoleDemand]] = {}  # arc -> assignment
    # Activities of this group that have their lead already (the pins). Only this
    # group's: every activity of the instance for each of K = 100 groups was 3.6 million
    # checks.
    led = {a.id for a, _ in roles if not t._no_lead(a)}
    # The lead of an activity comes through the role whose nearest experienced
    # candidate costs least.
    lead_role: dict[str, tuple] = {}
    for a, r in roles:
        if a.id in led:
            continue
        exp = [t._own(pid, a) for pid in cands[a.id, r.role]
               if t.people[pid].volunteer.experienced and t.may(pid, a, r)]
        if exp and (a.id not in lead_role or min(exp) < lead_role[a.id][0]):
            lead_role[a.id] = (min(exp), r.role)
    for a, r in roles:
        need = r.min - sum(1 for role in t.on[a.id].values() if role == r.role)
        if need <= 0:
            continue
        src = g.node(("role", a.id, r.role))
        g.arc(src, g.sink, need, t.w.unfilled_role)
        may = [pid for pid in cands[a.id, r.role] if t.may(pid, a, r)]
        lead = None
        if a.id in lead_role and lead_role[a.id][1] == r.role:
            # One of the missing people through the lead's node, which reaches only the
            # experienced, or the role's node at the price of no lead.
            led.add(a.id)
            lead = g.source(("lead", a.id), 1)
            g.arc(lead, src, 1, t.w.no_lead)
            need -= 1
        g.source(("role", a.id, r.role), need)
        for pid in may:
            day = _day(g, t, pid, a)
            offers[g.arc(src, day, 1, t._own(pid, a))] = (pid, a, r)
            if lead is not None and t.people[pid].volunteer.experienced:
                offers[g.arc(lead, day, 1, t._own(pid, a))] = (pid, a, r)
    if not offers or not g.solve():
        return
    chosen = [offers[i] for i in sorted(offers) if g.flow.flow(i)]
    for pid, a, r in sorted(chosen, key=lambda x: (x[1].date, x[1].start, x[1].id, x[0])):
        if t.may(pid, a, r):
            t.add(pid, a, r.role)


def _day(g: _Graph, t: _Teams, pid: str, a: Activity) -> int:
    """The node of a volunteer's day, with the arcs on to her month and year (made the
    first time): one activity a day, the monthly limit, free up to the fair load."""
    key = ("day", pid, a.date)
    if g.has(key):
        return g.node(key)
    day = g.node(key)
    fresh = not g.has(("month", pid, a.date.month))
    month = g.node(("month", pid, a.date.month))
    g.arc(day, month, 1, 0)
    if fresh:
        left = t.people[pid].volunteer.max_activities_per_month - t.month_n[pid, a.date.month]
        g.arc(month, g.year(t.k, t.load[pid], pid, t.w.volunteer_overload), max(0, left), 0)
    return day


def lower_bound(ctx, keys: Iterable[tuple[str, str, str]] | None = None) -> int:
    """A lower bound on what a model's volunteering can cost (``ctx``: a built
    ``ModelContext``): the min-cost flow of its candidate assignments without the rules
    a flow cannot hold -- hours, double booking, pins, series, leads -- whose dropping
    can only lower the optimum; plus ``no_lead`` for each activity that needs a lead and
    has no experienced candidate. Every other term of the objective is at least 0, so it
    bounds the part. The bound a starved part reports instead of 0 when it takes the
    construction without a search (default instance: 550 against CP-SAT's 626).
    ``keys``: the candidates, when the model builds fewer (``ModelContext.pinned``)."""
    inst, w = ctx.instance, ctx.instance.weights
    assign = sorted(ctx.assign if keys is None else set(keys))
    if not assign:
        return 0
    k = fair_load(inst)
    acts = {a.id: a for a in ctx.activities}
    people = {p.id: p for p in inst.people}
    g = _Graph()
    roles = {(a.id, r.role): r for a in ctx.activities for r in a.roles if r.min}
    for (aid, role), r in sorted(roles.items()):
        g.arc(g.source(("role", aid, role), r.min), g.sink, r.min, w.unfilled_role)
    for aid, role, pid in assign:
        if (aid, role) not in roles:
            continue
        a, v = acts[aid], people[pid].volunteer
        fresh = not g.has(("on", aid, pid))
        on = g.node(("on", aid, pid))  # one role per person per activity
        g.arc(g.node(("role", aid, role)), on, 1, own_price(inst, people[pid], a))
        if not fresh:
            continue
        fresh = not g.has(("month", pid, a.date.month))
        month = g.node(("month", pid, a.date.month))
        g.arc(on, month, 1, 0)
        if fresh:
            g.arc(month, g.year(k, 0, pid, w.volunteer_overload), v.max_activities_per_month, 0)
    if not g.solve():
        return 0
    # An activity that needs a lead and has no experienced candidate pays no_lead in
    # every plan.
    led = {aid for aid, _role, pid in assign if people[pid].volunteer.experienced}
    leadless = sum(1 for a in ctx.activities if a.lead_required and a.id not in led)
    return int(g.flow.optimal_cost()) + w.no_lead * leadless
