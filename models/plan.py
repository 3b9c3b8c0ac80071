"""The plan: the public output (see docs/plan-format.md). Plain data, no solver types."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from .term import SignatureEvent, TermVisit

PLAN_FORMAT = "xinglian.plan/1"


class _Out(BaseModel):
    # Plans are read back by `validate`, `diff` and `replan`; unknown keys from a newer
    # writer are kept out rather than rejected (fields may be added to the format).
    model_config = ConfigDict(frozen=True, extra="ignore")


class PartInfo(_Out):
    """One independently solved part of the plan (solver/decompose.py)."""

    name: str
    status: str
    objective: int = 0
    bound: float = 0.0
    seconds: float = 0.0
    variables: int = 0
    key: str = ""
    """Fingerprint of what the part decides: a re-plan keeps an untouched part whole."""
    penalties: dict[str, int] = {}
    """Soft-rule amounts of this part (non-zero ones)."""
    kept: bool = False
    """Re-planning: copied from the published plan, not re-solved (nothing in it changed)."""
    work: float = 0.0
    """CP-SAT's deterministic seconds the part's searches used (machine-independent)."""
    wall_stopped: bool = False
    """The wall-clock safety net, not the work budget, ended a search of this part."""
    constructed: bool = False
    """The search found no plan within its work: this part is the construction's
    (solver/construct.py), complete and within every hard rule, but not optimised."""


class SolveInfo(_Out):
    status: str
    """OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN or MODEL_INVALID."""
    objective: int | None = None
    bound: float | None = None
    gap: float | None = None
    """Relative gap (objective - bound) / max(1, |objective|); 0 when proven optimal."""
    wall_seconds: float = 0.0
    seed: int = 0
    workers: int = 1
    time_limit: float | None = None
    calendar_source: str = ""
    parts: tuple[PartInfo, ...] = ()
    """Per independent part: status, objective, bound, seconds (empty when solved as
    one model, and for plans not made by the solver)."""
    work_budget: float | None = None
    """The work budget (CP-SAT deterministic seconds, all threads) the time limit gave."""
    work: float | None = None
    """The work the searches used."""
    wall_stopped: bool = False
    """True when the wall-clock safety net cut a search short: on a slower or busier
    machine the plan may then differ from another run with the same input and seed."""
    cluster: str | None = None
    """The Dask cluster the parts were solved on (None: in this process)."""
    retried: tuple[str, ...] = ()
    """Parts that ran more than once on the cluster (their worker failed)."""


class RotationTerm(_Out):
    base: str
    period: int
    start: dt.date
    end: dt.date
    chair: str


class Meeting(_Out):
    id: str
    base: str
    quarter: int
    start: AwareDatetime
    end: AwareDatetime
    venue: str
    host: str
    attendees: tuple[str, ...]
    """Expected attendees who are available that day (the host included)."""
    absent: tuple[str, ...] = ()
    """Expected attendees who are unavailable that day."""


class Hosting(_Out):
    id: str
    venue: str
    federation: str
    start: AwareDatetime
    end: AwareDatetime
    theme: str | None = None


class SkippedSlot(_Out):
    """An offered hosting slot that cannot be used (holiday, 调休, closure)."""

    id: str
    venue: str
    start: AwareDatetime
    end: AwareDatetime
    why: str


class Volunteering(_Out):
    activity: str
    person: str
    role: str


class CarePair(_Out):
    mother: str
    child: str


class CareVisit(_Out):
    id: str
    mother: str
    child: str
    kind: str
    start: AwareDatetime
    end: AwareDatetime


class Care(_Out):
    pairs: tuple[CarePair, ...] = ()
    visits: tuple[CareVisit, ...] = ()


class Unfilled(_Out):
    """A demand the plan leaves open: a hosting slot without a host (only with
    ``hosting.allow_empty``) or a volunteer role below its minimum headcount.

    ``what``, ``missing`` and ``why`` are the words people read; ``kind`` and the ids
    after it say the same for programs (``kind`` is ``"hosting_slot"`` with ``slot`` and
    ``venue``, or ``"role"`` with ``activity`` and ``role``)."""

    what: str
    missing: str
    why: str
    kind: str = ""
    slot: str | None = None
    venue: str | None = None
    activity: str | None = None
    role: str | None = None

    @classmethod
    def hosting_slot(cls, slot: str, venue: str, venue_name: str, date: object,
                     why: str) -> Unfilled:
        """A usable slot of ``venue`` on ``date`` left without a host."""
        return cls(what=f"hosting slot {slot} ({venue_name} {date})",
                   missing="1 x host federation", why=why, kind="hosting_slot",
                   slot=slot, venue=venue)

    @classmethod
    def role_short(cls, activity: object, role: str, skill: str | None, missing: int,
                   why: str) -> Unfilled:
        """``missing`` people short of the minimum of ``role`` in ``activity`` (an
        :class:`~xinglian.models.volunteering.Activity`)."""
        a = activity
        return cls(what=f"activity {a.id} ({a.title} {a.date} {a.start}-{a.end})",
                   missing=f"{missing} x {role}" + (f" ({skill})" if skill else ""),
                   why=why, kind="role", activity=a.id, role=role)


class Penalty(_Out):
    """One soft rule's share of the objective: ``cost = weight * amount``."""

    rule: str
    weight: int
    amount: int
    cost: int
    worst: tuple[str, ...] = ()
    """Plain-language descriptions of the largest contributions."""


class Derivation(_Out):
    """Where a re-planned plan comes from (the version chain)."""

    previous_version: int
    previous_generated_at: AwareDatetime | None = None
    previous_dir: str = ""
    today: dt.date | None = None
    """Everything that ended before this day is frozen as it was (None: a fresh plan of
    the whole year, made by ``xinglian plan`` over the directory of an earlier one)."""
    source: str = ""
    """The changes file (or edited instance) applied."""
    applied: tuple[str, ...] = ()
    """The changes, one line each, in Chinese."""
    changed_decisions: int = 0
    change_cost: int = 0
    """Weighted number of changed decisions (instance `change_weights`)."""
    change_status: str = ""
    """OPTIMAL: the number of changes is proven minimal."""


class Plan(_Out):
    format: Literal["xinglian.plan/1"] = PLAN_FORMAT
    instance: str
    year: int
    generated_at: AwareDatetime | None = None
    version: int = 1
    derived_from: Derivation | None = None
    solve: SolveInfo
    rotation: tuple[RotationTerm, ...] = ()
    meetings: tuple[Meeting, ...] = ()
    hosting: tuple[Hosting, ...] = ()
    hosting_skipped: tuple[SkippedSlot, ...] = ()
    """Offered slots that could not be used, with the reason (never dropped silently)."""
    volunteering: tuple[Volunteering, ...] = ()
    care: Care = Field(default_factory=Care)
    unfilled: tuple[Unfilled, ...] = ()
    term_visits: tuple[TermVisit, ...] = ()
    """Enterprise visits of the rotating chairs with the regional chairs (models/term.py)."""
    signature_activities: tuple[SignatureEvent, ...] = ()
    """One signature activity (特色活动) per base and period."""
    penalties: tuple[Penalty, ...] = ()
    warnings: tuple[str, ...] = ()
    """Everything a person should know that is not a rule violation (provisional holiday
    table, a chair away during her term, a theme with no slot, checker findings): the same
    list, in the same order, as the 提示 Warnings of summary.md and summary.html."""

    def decisions(self) -> set[tuple]:
        """Every decision of the plan, one tuple each: what two runs are compared by
        (the same input, seed and work must give the same set)."""
        out: set[tuple] = set()
        out |= {("chair", t.base, t.period, t.chair) for t in self.rotation}
        out |= {("meeting", m.id, m.start.isoformat(), m.venue) for m in self.meetings}
        out |= {("turn", h.id, h.federation) for h in self.hosting}
        out |= {("volunteer", v.activity, v.role, v.person) for v in self.volunteering}
        out |= {("pair", p.child, p.mother) for p in self.care.pairs}
        out |= {("visit", v.id, v.start.isoformat()) for v in self.care.visits}
        out |= {("term visit", v.id, v.start.isoformat(), v.enterprise)
                for v in self.term_visits}
        out |= {("signature", e.id, e.start.isoformat(), e.venue)
                for e in self.signature_activities}
        return out
