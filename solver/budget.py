"""The work budget of a solve and how it is shared among the parts.

``--time-limit S`` is turned into an amount of **work** (CP-SAT's deterministic seconds)
once, before any search, and every part gets a fixed share of it:

* the whole: ``S`` × ``PLANNED_SHARE`` on every thread, less the expected model
  building, at ``WORK_PER_SECOND`` (work per CPU second, measured);
* one part's share: the hosting groups and visit bundles their need first (each
  searches at least ``MIN_PART_WORK`` anyway); then the rotations and volunteering by
  expected need (and a floor: what it takes to find a good first plan; below it a
  rotation or a volunteering part gets enough or nothing, ``Budget.shares``), but never
  more than one thread can do in the planned time -- a part is searched on one thread,
  so a big part cannot use the other threads' time; what such a cap leaves is shared by
  the other parts (water-filling).

Parts then run ``threads`` at a time, the biggest first. Nothing here reads the clock
to decide a budget, and no part's budget depends on another part's result, so the same
instance, seed and workers give the same budgets -- and, CP-SAT being deterministic for
a fixed budget, the same plan -- on a quiet or a busy machine, in process or on a
cluster. The clock only sets the safety net (``Budget.deadline``): on a machine so slow
or busy that the planned work would overrun the time limit, the searches are cut at the
limit and the result says so.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..models.instance import Instance
from .constructed import light as builds_light
from .context import Part
from .run import MIN_SEARCH_SECONDS, Limits
from .staffing_lp import PLAN_WORK
from .term import term_need

#: Deterministic seconds CP-SAT does per CPU second on one thread (x86_64 AMD EPYC;
#: measured part by part on the default instance: volunteering 0.49, rotation 0.69,
#: hosting groups 0.26-0.38, care visits 0.35-0.41; the volunteering parts dominate).
WORK_PER_SECOND = 0.5
#: The share of the time limit the planned work takes on the reference machine. The
#: rest is headroom for a slower or busier machine before the safety net cuts a search
#: (at 0.6 a 10 s solve of a generated county was cut by the clock on a quiet 2-core PC
#: in one run of two; at 0.5 in neither).
PLANNED_SHARE = 0.5
#: Expected need in deterministic seconds (measured on the default instance, one
#: thread, to prove optimal or, for volunteering, to come near the bound): per base of a
#: rotation part, per venue of a hosting group, per child of a visit bundle, per role of
#: a volunteering part. The rotation and the visits are searched with the light presolve
#: (run.light_presolve): the default instance's rotation (7 bases and their term
#: duties) is proven optimal after 1.21, its 51-child visit bundle after 0.03 (with the
#: full presolve: 2.46 and 0.49); these needs give it about half as much again. The
#: hosting groups and visit bundles are what they use, given more than enough: hosting
#: 0.95 for the default instance's 24 venues and 8.5 for generated K = 10's 240 (0.035
#: a venue); visits 0.03 for 51 children and 0.2 for K = 10's 20 bundles.
NEED_PER_BASE, NEED_PER_VENUE, NEED_PER_CHILD, NEED_PER_ROLE = 0.1, 0.035, 0.001, 0.012
#: Work per second of ``term.term_need`` (measured with the full presolve).
TERM_WORK_PER_SECOND = 0.25
#: The floor of a volunteering part in deterministic seconds: its search (without LP
#: cuts) finds its first good plan between 2 and 3 (default instance: nothing at 2.0,
#: 645 against a bound of 626 at 3.0).
VOLUNTEERING_FLOOR_WORK = 3.0
#: A rotation part's floor, as a share of its need: its search (light presolve) finds
#: nothing better than the construction until its root LP is done, and then proves the
#: optimum almost at once (default instance: 1.21 of a need of 1.76; generated K = 10
#: counties: the construction until about 1.2, proven optimal at 1.30-1.37 of needs of
#: 1.75). Below this a rotation's search is wasted (``below_floor``).
ROTATION_FLOOR = 0.9
#: The work the LP-guided search of a county's volunteering takes to its first plan
#: (default instance: 2.28): what a part below its floor is given for it, else nothing
#: (it takes the construction).
FIRST_PLAN_WORK = 2.5
#: The work of a volunteering part's search over its LP's support, for a part below its
#: first plan's work (solver/staffing_lp.py: ``PLAN_WORK``).
LP_PLAN_WORK = PLAN_WORK
#: Seconds of model building (and of the set-up before it) per unit of need: the default
#: instance's parts build in 0.05-0.6 s per unit alone, and two threads building at once
#: share one interpreter (a 10 s solve spent about 4 s before its searches ran). 0.25
#: left K = 10 no work at all at 60 s; 0.12 keeps the default instance's and a generated
#: county's 10 s solves inside the limit on a quiet 2-core PC.
BUILD_PER_NEED = 0.12
#: Seconds of every part besides its model building and its search, whatever its size:
#: the construction's decisions fixed and solved, the bounds of a part that takes it,
#: the plan extracted (a county's rotation or volunteering left to its construction
#: takes 1.5-2 s of a thread, beside a busy core 2.3-3.3 s, where its building is
#: estimated at 0.6-1.2). Without it generated K = 10 at 60 s (110 parts) paid two LP
#: searches and ran 73 s beside a busy core, cut by the clock.
BUILD_PER_PART = 0.05
#: Seconds per role of a volunteering part's LP, and of what the search of its support
#: takes past its work: 1.6 s for a county's 642 roles in a solve of generated K = 10,
#: the other thread building models meanwhile (alone: 0.3 to build the LP, 0.3 for
#: GLOP, and about 0.3 more wall for the search's 0.3 of work than ``WORK_PER_SECOND``
#: gives). At 0.0013, four LP searches ran K = 10 at 60 s to 56-64 s quiet.
LP_SECONDS_PER_ROLE = 0.0025
#: A part left to its construction is built without its hard rules
#: (solver/constructed.py): this share of its full build (a county's rotation 0.36 s of
#: 0.94, its volunteering 0.45-0.56 of 0.63-1.0, one thread). So is a part that searches
#: its LP's support: light, then only the candidates it keeps (0.43 s of 0.6-0.7).
LIGHT_BUILD = 0.5
#: At most this many rounds to find which parts the budget leaves to a light build
#: (``Budget.plan``).
LIGHT_ROUNDS = 4
#: The least work a part gets, even when the budget is spent.
MIN_PART_WORK = 0.5
#: A small part (a hosting group, a visit bundle) whose search ended unproven searches
#: on from its plan with the work the parts left unused (``Budget.top_ups``): at most
#: this many times its first search's work. Their searches are heavy-tailed: the
#: default instance's hosting groups prove their optimum after 0.03-0.72 of work
#: (linearization 2, solver seeds 0-4), most below 0.3, and the four-venue 水头镇 with
#: seed 2 stopped at 126 against its optimum 63 within its 0.5 -- 3.8 % of the whole
#: plan's gap; from that plan 0.3-0.6 more proves 63. A hosting group's work costs
#: about three seconds of its thread (0.26-0.38 work a second), at the end of the
#: solve: much more would take the solve near its time limit.
TOP_UP_FACTOR = 1.5
#: The least wall time a search gets as its safety net, even past the time limit (a
#: part that has the construction as its floor takes that instead: run.solve_part).
MIN_PART_SECONDS = MIN_SEARCH_SECONDS


def need(instance: Instance, part: Part | None) -> float:
    """The seconds a part roughly needs (measured on the default instance, one CP-SAT
    thread): ~10 s for a county's volunteering to come near its bound, ~2 s for seven
    bases' rotation and meetings to prove optimal, less for hosting groups and visits."""
    if part is None:
        return 1.0
    roles = _roles(instance, part)
    bases, children = _bases_children(instance, part)
    return (0.05 + 0.015 * roles * part.volunteering + 0.3 * bases + 0.05 * children
            + 0.3 * len(part.venues) + term_need(instance, part))


def need_work(instance: Instance, part: Part | None) -> float:
    """The work (deterministic seconds) a part roughly needs, from its size."""
    if part is None:
        return 1.0
    roles = _roles(instance, part)
    bases, children = _bases_children(instance, part)
    return (0.02 + NEED_PER_ROLE * roles * part.volunteering + NEED_PER_BASE * bases
            + NEED_PER_CHILD * children + NEED_PER_VENUE * len(part.venues)
            + TERM_WORK_PER_SECOND * term_need(instance, part))


def floor_work(instance: Instance, part: Part | None) -> float:
    """The work a part needs for a good first plan."""
    if is_volunteering(part):
        return VOLUNTEERING_FLOOR_WORK
    if is_rotation(part):
        return ROTATION_FLOOR * need_work(instance, part)
    return need_work(instance, part)


def below_floor(instance: Instance, part: Part | None, work: float) -> bool:
    """A part whose search is wasted below its floor, and that got less: a volunteering
    part that needs more than its floor (too little to find a plan), or a rotation (too
    little to find one better than the construction). ``Budget.shares`` gives such a part
    its floor or nothing; ``Budget.start`` says which."""
    if is_volunteering(part):
        return work < VOLUNTEERING_FLOOR_WORK <= need_work(instance, part)
    return is_rotation(part) and work < floor_work(instance, part) - 1e-9


def is_volunteering(part: Part | None) -> bool:
    """A part that staffs activities (searched in the second phase)."""
    return part is not None and part.volunteering and bool(part.activities)


def is_rotation(part: Part | None) -> bool:
    """A part that decides bases' rotating chairs and meetings, and nothing bigger."""
    return part is not None and part.rotation and not is_volunteering(part)


def is_small(part: Part | None) -> bool:
    """A part paid its need first (``Part.small``); so is the whole plan as one part
    (None), which is neither of the two kinds the budget shares the rest among."""
    return part is None or part.small


def lp_work(instance: Instance, part: Part | None) -> float:
    """The seconds a volunteering part's LP relaxation (solver/staffing_lp.py) takes, as
    work: what a part below its floor pays for it besides its search (``Budget.shares``;
    a part that takes the construction reports the flow's bound instead)."""
    if not is_volunteering(part):
        return 0.0
    return WORK_PER_SECOND * LP_SECONDS_PER_ROLE * _roles(instance, part)


def _roles(instance: Instance, part: Part) -> int:
    """The roles a part staffs (every activity's when it names none)."""
    if part.activities is None:
        return sum(len(a.roles) for a in instance.activities)
    return sum(len(instance.activity(a).roles) for a in part.activities
               if instance.has_activity(a))


def _bases_children(instance: Instance, part: Part) -> tuple[int, int]:
    """The bases whose rotation and the children whose visits a part decides."""
    bases = (len(instance.bases) if part.bases is None else len(part.bases)) * part.rotation
    children = (len(instance.children) if part.children is None
                else len(part.children)) * part.care
    return bases, children


def share(free: float, need: float, floor: float, all_need: float, all_floor: float
          ) -> float:
    """One part's share of ``free``, given its need and floor and the sums of both over
    every part sharing it: in proportion to need when ``free`` covers all needs; else the
    floor plus a share, by need above the floor, of what the floors leave; else in
    proportion to floor."""
    if free >= all_need:
        return free * need / max(all_need, 1e-9)
    if free >= all_floor:
        return floor + (free - all_floor) * (need - floor) / max(all_need - all_floor, 1e-9)
    return free * floor / max(all_floor, 1e-9)


@dataclass
class Budget:
    """The work of one solve (deterministic seconds, summed over threads) and its
    wall-clock safety net."""

    time_limit: float
    threads: int
    """Parts searched side by side (one CP-SAT thread each), or one part's workers."""
    started: float
    work: float
    """The whole work budget, fixed before any search."""
    lane: float = float("inf")
    """The most work one part gets: what one thread does in the planned time."""

    @classmethod
    def plan(cls, instance: Instance, parts: list[Part | None], time_limit: float,
             threads: int, started: float, work: float | None = None,
             light: frozenset[str] = frozenset()) -> Budget:
        """The budget of a solve of ``parts``: the planned share of the time limit on
        every thread, less the expected model building (estimated from the parts' size,
        never measured, so that it is the same on every machine) -- or ``work`` when
        given.

        ``light``: the sections of the construction that keep every hard rule (none on
        a re-plan). A rotation or volunteering part of those sections that the budget
        leaves to its construction is built without its hard rules
        (solver/constructed.py), at ``LIGHT_BUILD`` of its building, and so is a
        volunteering part that searches only its LP's support: the seconds they save
        are work for the others. Which parts those are depends on the budget, so
        it is found in rounds: all such parts light at first, then only those the
        budget still leaves to their construction, until every part counted light is
        (else none is counted light). Sizes alone decide it, as everything here."""
        if work is not None:
            return cls(time_limit, threads, started, float(work), float(work))
        can = {id(p) for p in parts if (is_rotation(p) or is_volunteering(p))
               and builds_light(p, "construction", light)}
        chosen = set(can)
        for _ in range(LIGHT_ROUNDS if can else 0):
            budget = cls._planned(instance, parts, time_limit, threads, started, chosen)
            shares = budget.shares(instance, parts)
            taken = {id(p) for p in parts if id(p) in can and builds_light(
                p, budget.start(instance, p, shares[id(p)]), light)}
            if chosen <= taken:
                return budget
            chosen &= taken
        return cls._planned(instance, parts, time_limit, threads, started, set())

    @classmethod
    def _planned(cls, instance: Instance, parts: list[Part | None], time_limit: float,
                 threads: int, started: float, light: set[int]) -> Budget:
        """The budget with the parts of ids ``light`` built light."""
        builds = (BUILD_PER_NEED * sum(need(instance, p) * (LIGHT_BUILD if id(p) in light
                                                            else 1.0) for p in parts)
                  + BUILD_PER_PART * len(parts))
        usable = max(0.0, time_limit * PLANNED_SHARE * threads - builds)
        lane = max(0.0, time_limit * PLANNED_SHARE - BUILD_PER_NEED * max(
            (need(instance, p) for p in parts), default=0.0))
        return cls(time_limit, threads, started, usable * WORK_PER_SECOND,
                   lane * WORK_PER_SECOND)

    @property
    def deadline(self) -> float:
        """When the safety net stops every search: the time limit, less a moment to
        assemble the plan."""
        return self.started + self.time_limit - min(1.0, 0.01 * self.time_limit)

    def limits(self, work: float) -> Limits:
        """The limits of one search of ``work`` deterministic seconds: the work, and the
        time left before the deadline as the safety net (0 when it has passed:
        run.solve_part then gives a search at least ``MIN_PART_SECONDS``, or returns the
        construction)."""
        left = self.deadline - time.perf_counter()
        return Limits(max(MIN_PART_WORK, work), max(0.0, left))

    def start(self, instance: Instance, part: Part | None, work: float) -> str:
        """How a part's search starts: ``""`` as usual; for a volunteering part whose
        ``work`` is below its floor (``VOLUNTEERING_FLOOR_WORK``: too little for its
        search to find a plan), ``"first plan"`` when the work still pays for the
        LP-guided first-plan search (``FIRST_PLAN_WORK``, within one thread's planned
        time), ``"lp plan"`` when it pays for a search of the LP relaxation's support
        (``LP_PLAN_WORK``), else ``"construction"``: the part takes the construction. Decided from
        sizes alone, so every run does the same (run.solve_part)."""
        if not below_floor(instance, part, work):
            return ""
        lp = lp_work(instance, part)
        if is_volunteering(part) and work >= FIRST_PLAN_WORK + lp - 1e-9 \
                and self.lane >= FIRST_PLAN_WORK:
            return "first plan"
        if is_volunteering(part) and work >= LP_PLAN_WORK + lp - 1e-9:
            return "lp plan"
        return "construction"

    def shares(self, instance: Instance, parts: list[Part | None]) -> dict[int, float]:
        """id(part) -> its work: a share of the whole by need and floor, capped at what
        one thread does in the planned time; what the caps leave goes to the others.

        A part whose share is below its floor (``below_floor``) gets either enough or
        nothing (the construction): a rotation its floor, a volunteering part a search
        of its LP's support (``LP_PLAN_WORK``) or its first plan (``FIRST_PLAN_WORK``).
        The shares of all such parts are pooled; as many as the pool pays for get
        theirs -- the LP searches first, then rotations, then first plans -- and what is
        left goes to the other parts (default instance at 10 s: its volunteering's LP
        search, and the rotation's share to the hosting groups and visits; generated
        K = 10 at 60 s: the small parts' needs take the whole budget)."""
        # The small parts (hosting groups, visit bundles) first, up to their need: each
        # searches at least MIN_PART_WORK whatever its share (``limits``), and uses about
        # its need. Shared with the rest, they got a fraction of it at K = 10 and 60 s,
        # and the 70 hosting groups' 8.5 of work went uncounted: 16.7 used against a
        # budget of 14, and the solve was cut by the clock beside a busy core.
        small = [p for p in parts if is_small(p)]
        big = [p for p in parts if not is_small(p)]
        kept = min(self.work, sum(need_work(instance, p) for p in small))
        out = self._shares(instance, small, kept)
        out.update(self._shares(instance, big, self.work - kept))
        starved = [p for p in parts if below_floor(instance, p, out[id(p)])]
        if not starved:
            return out
        pool = sum(out[id(p)] for p in starved)
        given: dict[int, float] = {}
        # First each volunteering part its search over the LP's support: it gains most
        # for its work (default instance: 735 -> 653 and a bound of 550 -> 631, for
        # 0.3 and about 0.4 for its LP). Then the rotations, the cheapest first: their
        # construction is near their optimum (the chairs' model, chairs.solve_chairs:
        # default instance 378 against 375), so a search mostly proves it (its bound
        # 346 -> 375, for 1.6). Last, as upgrades of the LP searches, first plans (645
        # for 2.5). A volunteering part also pays for its LP (``lp_work``).
        rotations = sorted((p for p in starved if is_rotation(p)),
                           key=lambda p: need_work(instance, p))
        volunteering = sorted((p for p in starved if is_volunteering(p)),
                              key=lambda p: -need_work(instance, p))
        for p, cost in ([(p, LP_PLAN_WORK + lp_work(instance, p)) for p in volunteering]
                        + [(p, floor_work(instance, p)) for p in rotations]
                        + [(p, FIRST_PLAN_WORK + lp_work(instance, p)) for p in volunteering]):
            extra = cost - given.get(id(p), 0.0)
            if 0 < extra <= pool and cost <= self.lane:
                given[id(p)] = cost
                pool -= extra
        # The funded rotations share what is left with the other parts, never below
        # their floor; the funded volunteering parts keep their search's work.
        gone = {id(p) for p in starved}
        funded = [p for p in starved if is_rotation(p) and id(p) in given]
        first = sum(given.get(id(p), 0.0) for p in volunteering)
        others = [p for p in parts if id(p) not in gone]
        fixed: list[int] = []  # ids of funded rotations held at their floor, in order
        while True:
            rest = [p for p in funded if id(p) not in fixed]
            out = self._shares(instance, others + rest,
                               self.work - first - sum(given[k] for k in fixed))
            short = [id(p) for p in rest if out[id(p)] < given[id(p)]]
            if not short:
                break
            fixed += short
        out.update((k, given[k]) for k in fixed)
        out.update((id(p), given.get(id(p), 0.0)) for p in starved
                   if not (is_rotation(p) and id(p) in given))
        return out

    def top_ups(self, instance: Instance, parts: list[Part | None], work: dict[int, float],
                results: list) -> dict[int, float]:
        """id(part) -> the work of a second search, for the small parts whose first
        search ended without proving its optimum: it starts from the first's plan
        (``PartResult.solution``).

        The work the parts searched as usual (``start`` "") were given and did not use
        -- a hosting group proven optimal early, a rotation proven optimal below its
        share -- is shared among them by need, at most ``TOP_UP_FACTOR`` times a part's
        first search; a part whose share would be below ``MIN_PART_WORK`` is not
        searched again. (A part the budget left to a construction, an LP search or a
        first plan used its share otherwise: its LP and its builds.) This depends only
        on the work the searches used, which CP-SAT counts the same on every machine,
        so it is the same on every run -- unless the clock cut a search (that run says
        so, and searches nothing again). Not on a re-plan: its parts keep no plan to
        start from."""
        got = {id(r.source): r for r in results}
        if any(id(p) not in got or got[id(p)].wall_stopped for p in parts):
            return {}
        left = sum(work[id(p)] - got[id(p)].work for p in parts
                   if self.start(instance, p, work[id(p)]) == "")
        again = [p for p in parts if got[id(p)].solution and is_small(p)]
        needs = {id(p): need_work(instance, p) for p in again}
        out: dict[int, float] = {}
        for p in again:
            extra = min(left * needs[id(p)] / sum(needs.values()),
                        TOP_UP_FACTOR * max(MIN_PART_WORK, work[id(p)]),
                        max(MIN_PART_WORK, self.lane))
            if extra >= MIN_PART_WORK:
                out[id(p)] = extra
        return out

    def _shares(self, instance: Instance, parts: list[Part | None], work: float
                ) -> dict[int, float]:
        needs = {id(p): need_work(instance, p) for p in parts}
        floors = {id(p): min(needs[id(p)], floor_work(instance, p)) for p in parts}
        cap = max(MIN_PART_WORK, self.lane)
        out: dict[int, float] = {}
        free, rest = work, list(parts)
        while rest:
            all_need = sum(needs[id(p)] for p in rest)
            all_floor = sum(floors[id(p)] for p in rest)
            got = {id(p): share(free, needs[id(p)], floors[id(p)], all_need, all_floor)
                   for p in rest}
            over = [p for p in rest if got[id(p)] > cap]
            if not over:
                out.update(got)
                break
            for p in over:
                out[id(p)] = cap
                free -= cap
            rest = [p for p in rest if got[id(p)] <= cap]
            free = max(0.0, free)
        return out
