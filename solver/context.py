"""The shared state of one CP-SAT model: the instance, its timeline, the variables of
every sub-problem, and the named penalty terms that make up the objective."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from ..models.hosting import Slot
from ..models.instance import Federation, Instance
from ..models.plan import CareVisit, Plan
from ..models.timeline import Timeline
from ..models.volunteering import Activity
from .requirements import Requirement


@dataclass
class PenaltyTerm:
    """One soft rule's contribution: ``weight * amount``, with amount a linear expression.

    ``parts`` keeps (literal-or-expression, coefficient, description) for the largest
    contributions so that the summary can say *who* and *when*, not only how much.
    """

    rule: str
    weight: int
    amount: cp_model.LinearExprT
    parts: list[tuple[cp_model.LinearExprT, int, str]] = field(default_factory=list)


@dataclass
class MeetingVars:
    """Decision variables of one base's meeting in one quarter."""

    base: str
    quarter: int
    window: tuple[dt.date, dt.date]
    day_slot: dict[tuple[dt.date, int], cp_model.IntVar]
    """(date, slot index) -> bool; exactly one is true."""
    day: dict[dt.date, cp_model.LinearExprT]
    """date -> sum of its day_slot literals (0/1)."""
    venue: dict[str, cp_model.IntVar]
    """venue id -> bool; exactly one is true."""
    time: cp_model.IntVar
    """``day index * number of slots + slot index`` of the chosen day_slot."""


@dataclass(frozen=True)
class Visit:
    """A candidate caring-mother visit (one literal per possible day and time)."""

    child: str
    mother: str
    kind: str
    date: dt.date
    start: int
    """Minutes after midnight."""
    end: int
    town: str
    lit: cp_model.IntVar


def planned_visit_key(v: CareVisit) -> tuple[str, str, dt.date, int]:
    """A plan's caring-mother visit as its candidate in a model: (child, kind, date,
    start minute) -- ``Visit``'s (child, kind, date, start)."""
    return v.child, v.kind, v.start.date(), v.start.hour * 60 + v.start.minute


@dataclass(frozen=True)
class Hint:
    """A plan to start searches from, and the sections of it that keep every hard rule
    (``bases``: rotation, meetings and term duties; ``hosting``; ``volunteering``;
    ``care``): only those are hinted, since a hint that breaks a rule leads CP-SAT astray
    (default instance, the clerk's greedy plan as the hint: 46,620 instead of 1,674)."""

    plan: Plan
    sections: frozenset[str]


SECTIONS = ("bases", "hosting", "volunteering", "care")
#: The sections of the construction given to CP-SAT as a hint; all of them make a part's
#: floor. Volunteering is not hinted: from the construction's assignments CP-SAT's
#: one-thread search stays near them (default instance, 3.6 units of work: 4,850 with
#: the hint, 645 without), while the rotation profits (375, proven, against 447).
HINTED = frozenset({"bases", "hosting", "care"})


@dataclass(frozen=True)
class Part:
    """The share of the plan one CP-SAT model decides (see solver/decompose.py)."""

    name: str
    rotation: bool
    """Rotation and joint meetings of every base."""
    venues: frozenset[str] = frozenset()
    """Hosting venues whose slots this part fills."""
    federations: frozenset[str] = frozenset()
    """Hosting federations whose turns this part decides."""
    volunteering: bool = False
    """Volunteer assignments."""
    care: bool = False
    """Caring-mother visits."""
    bases: frozenset[str] | None = None
    """The bases whose rotation and meetings this part decides (None: every base)."""
    activities: frozenset[str] | None = None
    """The activities this part staffs (None: every activity)."""
    children: frozenset[str] | None = None
    """The children whose visits this part schedules (None: every child)."""

    @property
    def sections(self) -> frozenset[str]:
        """The sections of a plan (``SECTIONS``) whose decisions this part makes."""
        return frozenset(
            name for name, makes in (
                ("bases", self.rotation), ("hosting", bool(self.venues)),
                ("volunteering", self.volunteering and self.activities != frozenset()),
                ("care", self.care and self.children != frozenset()))
            if makes)

    @property
    def small(self) -> bool:
        """A hosting group or a visit bundle: it decides no rotation and staffs no
        activity. The budget pays such parts their need first, and one left unproven
        searches on from its plan (solver/budget.py ``Budget.top_ups``)."""
        return not (self.rotation or (self.volunteering and self.activities != frozenset()))

    @functools.cached_property
    def key(self) -> str:
        """A fingerprint of what the part decides (the same part of two plans of one
        instance has the same key; solver/keep.py)."""
        ids = sorted([f"b:{x}" for x in self.bases or ()] + [f"v:{x}" for x in self.venues]
                     + [f"f:{x}" for x in self.federations]
                     + [f"a:{x}" for x in self.activities or ()]
                     + [f"c:{x}" for x in self.children or ()])
        return hashlib.sha1("\n".join(ids).encode("utf-8")).hexdigest()[:16]


@dataclass
class ModelContext:
    instance: Instance
    timeline: Timeline
    part: Part | None = None
    """None: the whole plan."""
    previous: Plan | None = None
    """Re-planning: the published plan to stay close to."""
    today: dt.date | None = None
    """Re-planning: everything that ended before this day is frozen."""
    explain: bool = False
    """Explaining infeasibility: requirements become switchable (see ``require``)."""
    hint: Hint | None = None
    """A plan to start the search from when there is no published plan (the
    construction, solver/construct.py); a re-plan starts from the published plan."""
    reach: frozenset[tuple[int, int]] | None = None
    """Re-planning: the (year, month)s of the activities the change reaches
    (solver/keep.py ``reached_months``): the volunteering stage 1 may change (see
    solver/replan.py ``stage_one``). None: all of it."""
    only: frozenset[tuple[str, str, str]] | None = None
    """The candidate assignments (activity, role, volunteer) this model keeps (None:
    every candidate): a search of an LP relaxation's support (solver/constructed.py)."""
    pinned: bool = False
    """A light model that only prices the construction (solver/constructed.py ``take``):
    volunteering and care build only the variables the construction sets (``kept``)."""
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    chair: dict[tuple[str, int, str], cp_model.IntVar] = field(default_factory=dict)
    """(base, period, person) -> bool: the person is rotating chair of the base."""
    meetings: dict[tuple[str, int], MeetingVars] = field(default_factory=dict)
    hosting: dict[str, dict[str, cp_model.IntVar]] = field(default_factory=dict)
    """usable slot id -> federation id -> bool: the federation hosts the slot."""
    slots: dict[str, Slot] = field(default_factory=dict)
    """usable hosting slots by id."""
    all_slots: list[Slot] = field(default_factory=list)
    """every offered slot, usable or not (see models.hosting.expand_slots)."""
    penalties: list[PenaltyTerm] = field(default_factory=list)
    assign: dict[tuple[str, str, str], cp_model.IntVar] = field(default_factory=dict)
    """(activity, role, volunteer) -> bool."""
    care_pairs: dict[str, str] = field(default_factory=dict)
    """child code -> mother (decided before, by solver.care.pair_children)."""
    visits: dict[tuple[str, str, int], list[Visit]] = field(default_factory=dict)
    """(child, meet|talk, quarter) or (child, festival, festival index) -> candidates."""
    cache: dict = field(default_factory=dict)
    groups: dict[str, tuple[cp_model.IntVar, Requirement]] = field(default_factory=dict)
    """Explaining: requirement key -> (assumption literal, requirement)."""
    change_terms: list = field(default_factory=list)
    """Re-planning: solver.replan.ChangeTerm per published decision."""
    construction: list[tuple[cp_model.IntVar, int]] = field(default_factory=list)
    """The construction's decisions in this model (``suggest``): a starved search's floor."""
    _attends: dict[tuple[str, int, str], cp_model.IntVar] = field(default_factory=dict)

    def suggest(self, section: str, lit: cp_model.IntVar, value: bool) -> None:
        """``lit`` = ``value`` in the plan the search starts from (``hinted``): a hint,
        and for the construction also one of the decisions of the floor
        (``construction``)."""
        if self.previous is not None or section in HINTED:
            self.model.add_hint(lit, value)
        if self.previous is None:
            self.construction.append((lit, int(value)))

    def hinted(self, section: str) -> Plan | None:
        """The plan whose ``section`` (one of ``SECTIONS``) the search starts from: the
        published one, else the construction's where it keeps every hard rule."""
        if self.previous is not None:
            return self.previous
        if self.hint is not None and section in self.hint.sections:
            return self.hint.plan
        return None

    def require(self, key: str, make: Callable[[], Requirement]) -> cp_model.IntVar | None:
        """The assumption literal of a requirement when explaining, else None (the
        constraint then simply holds)."""
        if not self.explain:
            return None
        if key not in self.groups:
            req = make()
            assert req.key == key, (req.key, key)  # the key is how tests name requirements
            self.groups[key] = (self.new_bool(f"req[{key}]"), req)
        return self.groups[key][0]

    @staticmethod
    def enforce(constraint, *lits) -> None:
        """Make ``constraint`` conditional on the given requirement literals (if any)."""
        active = [x for x in lits if x is not None]
        if active:
            constraint.only_enforce_if(active)

    @property
    def bases(self) -> tuple[Federation, ...]:
        """The bases whose rotation and meetings this model decides."""
        if self.part is None or (self.part.rotation and self.part.bases is None):
            return self.instance.bases
        if not self.part.rotation:
            return ()
        if "bases" not in self.cache:
            self.cache["bases"] = tuple(b for b in self.instance.bases
                                        if b.id in self.part.bases)
        return self.cache["bases"]

    @property
    def activities(self) -> tuple[Activity, ...]:
        """The activities this model staffs."""
        if "activities" not in self.cache:
            part, acts = self.part, self.instance.activities
            if part is not None and not part.volunteering:
                acts = ()
            elif part is not None and part.activities is not None:
                acts = tuple(a for a in acts if a.id in part.activities)
            self.cache["activities"] = acts
        return self.cache["activities"]

    def kept(self, section: str) -> frozenset | None:
        """The decisions of ``section`` ("volunteering": (activity, role, volunteer);
        "care": (child, kind, date, start minute)) whose variables this model builds;
        None: every candidate. A ``pinned`` model keeps the construction's, whatever
        else is asked; otherwise volunteering keeps ``only``."""
        if self.pinned and self.hint is not None:
            plan = self.hint.plan
            if section == "care":
                return frozenset(planned_visit_key(v) for v in plan.care.visits)
            return frozenset((v.activity, v.role, v.person) for v in plan.volunteering)
        return self.only if section == "volunteering" else None

    @property
    def has_volunteering(self) -> bool:
        return self.part is None or self.part.volunteering

    @property
    def has_care(self) -> bool:
        return self.part is None or self.part.care

    def hosts_at(self, venue_id: str) -> bool:
        return self.part is None or venue_id in self.part.venues

    def hosting_federations(self) -> list[Federation]:
        """The hosting federations of this model, in instance order."""
        if "hosting_federations" not in self.cache:
            inst = self.instance
            if self.part is None:
                feds = [f for f in inst.federations if f.hosting is not None]
            else:
                order = self.shared("federation_order",
                                    lambda: {f.id: i for i, f in enumerate(inst.federations)})
                feds = [inst.federation(f) for f in sorted(self.part.federations,
                                                           key=order.__getitem__)]
                feds = [f for f in feds if f.hosting is not None]
            self.cache["hosting_federations"] = feds
        return self.cache["hosting_federations"]

    def attends(self, mv: MeetingVars, person: str) -> cp_model.IntVar:
        """A bool: the person attends the meeting (she is available on its day)."""
        key = (mv.base, mv.quarter, person)
        if key not in self._attends:
            p = self.instance.person(person)
            lit = self.new_bool(f"attends[{mv.base},q{mv.quarter},{person}]")
            self.model.add(lit == sum(
                (x for (d, _), x in mv.day_slot.items() if not p.is_unavailable(d)), start=0))
            self._attends[key] = lit
        return self._attends[key]

    def shared(self, key: str, make: Callable[[], object]):
        """Data derived from the instance and the work calendar alone (slots, fair shares,
        theme placement), computed once and shared by every part of a solve."""
        memo = self.instance._by_id.setdefault("_solver_memo", {})
        entry = memo.get(key)
        if entry is None or entry[0] is not self.timeline.calendar:
            entry = memo[key] = (self.timeline.calendar, make())
        return entry[1]

    def new_bool(self, name: str) -> cp_model.IntVar:
        return self.model.new_bool_var(name)

    def and_of(self, a: cp_model.IntVar, b: cp_model.IntVar, name: str) -> cp_model.IntVar:
        """A bool equal to ``a AND b`` (fully reified, so that the solver's objective equals
        the recomputed score even for a non-optimal solution)."""
        v = self.new_bool(name)
        self.model.add_bool_and([a, b]).only_enforce_if(v)
        self.model.add_bool_or([a.Not(), b.Not(), v])
        return v

    def penalise(
        self,
        rule: str,
        weight: int,
        parts: list[tuple[cp_model.LinearExprT, int, str]],
        amount: cp_model.LinearExprT | None = None,
    ) -> None:
        """Register a soft rule. ``parts`` are (expr, coefficient, description); the amount
        is their weighted sum unless given. Rules with weight 0 are still recorded (for the
        summary) but do not enter the objective."""
        if amount is None:
            amount = sum((coef * expr for expr, coef, _ in parts), start=0)
        self.penalties.append(PenaltyTerm(rule, weight, amount, parts))
