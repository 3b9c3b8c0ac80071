"""The independent checker: every rule of docs/rules.md, re-verified in plain Python.

``check(instance, plan)`` lists the violated hard rules; ``score(instance, plan)``
recomputes the objective ``sum(weight * amount)``. Neither trusts the solver (this
package must not import ortools nor ``xinglian.solver``): like PyVRP's
``Solution.is_feasible()``, a plan is read as plain data and judged against the text of
the rules.

One small function per rule, in one module per sub-problem (``checker/rotation.py``,
``meetings.py``, ``duties.py``, ``hosting.py``, ``volunteering.py``, ``care.py``); the
registries below are read from the rule catalogue (``models/rules.py``), in the order
of docs/rules.md. A bad plan (unknown ids, missing or duplicate entries) is reported as
violations, never as an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..models import rules as catalogue
from ..models.instance import Instance
from ..models.plan import Plan
from ..models.timeline import CalendarError, WorkCalendar
from . import care, duties, hosting, meetings, rotation, term, volunteering
from .context import Ctx

_MODULES = {m.__name__: m for m in (rotation, meetings, duties, hosting, volunteering, care,
                                    term)}


def _function(dotted: str) -> Callable:
    """The checker function a catalogue entry names (its module is imported above)."""
    module, _, name = dotted.rpartition(".")
    return getattr(_MODULES[module], name)


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, in plain words (names, dates)."""

    rule: str
    """The hard rule's name from docs/rules.md, e.g. ``"chair_available"``."""
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class Score:
    """The objective recomputed from a plan: ``total = sum(weight * amount)``."""

    total: int
    amounts: dict[str, int]
    """Soft rule name -> amount, for every soft rule of docs/rules.md."""
    weights: dict[str, int]

    def cost(self, rule: str) -> int:
        """``weight * amount`` of one soft rule (0 when its weight is 0)."""
        return self.weights[rule] * self.amounts[rule]


_HARD: tuple[tuple[str, Callable[[Ctx], Iterable[str]]], ...] = tuple(
    (name, _function(catalogue.rule(name).checker)) for name in catalogue.HARD)
_SOFT: tuple[tuple[str, Callable[[Ctx], int]], ...] = tuple(
    (name, _function(catalogue.rule(name).checker)) for name in catalogue.SOFT)

HARD_RULES: tuple[str, ...] = tuple(name for name, _ in _HARD)
SOFT_RULES: tuple[str, ...] = tuple(name for name, _ in _SOFT)


def check(instance: Instance, plan: Plan, calendar: WorkCalendar | None = None) -> list[Violation]:
    """Re-verify every hard rule of docs/rules.md on a plan.

    Parameters
    ----------
    instance
        The instance the plan was made for.
    plan
        The plan; it may be arbitrarily wrong (unknown ids, missing or duplicate terms).
    calendar
        The working-day calendar; by default :func:`~xinglian.models.work_calendar` of
        the instance. When none can be decided, every meeting date is reported under
        ``meeting_on_workday`` and the hosting slots under ``hosting_slot`` (the plan
        cannot be shown feasible).

    Returns
    -------
    list[Violation]
        Empty when the plan is feasible; else sorted by rule (docs order), then message.
    """
    ctx = Ctx.for_check(instance, plan, calendar)
    out: list[Violation] = []
    for rule, fn in _HARD:
        out += sorted({Violation(rule, msg) for msg in fn(ctx)}, key=lambda v: v.message)
    return out


def score(instance: Instance, plan: Plan, calendar: WorkCalendar | None = None) -> Score:
    """Recompute the objective ``sum(weight * amount)`` from the plan alone.

    Every soft rule of docs/rules.md is listed in ``amounts`` (also when its weight is 0,
    in which case it contributes nothing to ``total``).

    Parameters
    ----------
    calendar
        The working-day calendar deciding which hosting slots are usable; by default
        :func:`~xinglian.models.work_calendar` of the instance.

    Raises
    ------
    CalendarError
        Only when some venue offers hosting slots and no calendar can be decided (the
        fair shares, empty slots and theme placement depend on it).
    """
    ctx = Ctx.for_check(instance, plan, calendar)
    if ctx.hosting_slots is None:
        raise CalendarError(ctx.calendar_error or "no working-day calendar")
    amounts = {rule: int(fn(ctx)) for rule, fn in _SOFT}
    weights = {rule: int(getattr(instance.weights, rule)) for rule in SOFT_RULES}
    total = sum(weights[r] * amounts[r] for r in SOFT_RULES if weights[r])
    return Score(total=total, amounts=amounts, weights=weights)
