"""Build the CP-SAT model of one part of the plan from the rule registries.

A model is built from named pieces, in this order: the variables of every sub-problem,
every hard rule (``HARD_RULES``), then -- unless only feasibility is asked, as the
explainer does -- the frozen past of a re-plan, every soft rule (``SOFT_RULES``), the
change terms against the published plan, the published plan as a hint, and the
objective: the weighted sum of the soft rules' penalty terms.

Every name here is a rule of the catalogue (``models/rules.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..models.instance import Instance
from ..models.plan import Plan
from ..models.timeline import Timeline
from . import care, duties, hosting, meetings, replan, rotation, term, volunteering
from .context import ModelContext, Part

Rule = Callable[[ModelContext], None]

#: Hard rules in the order of docs/rules.md. Names are what users read.
HARD_RULES: tuple[tuple[str, Rule], ...] = (
    ("one_chair_per_period", rotation.add_one_chair_per_period),
    ("chair_available", rotation.add_chair_available),
    ("one_presidium_at_a_time", rotation.add_one_presidium_at_a_time),
    ("max_terms", rotation.add_max_terms),
    ("pinned_term", rotation.add_pinned_terms),
    ("meeting_per_quarter", meetings.add_meeting_per_quarter),
    ("meeting_window", meetings.add_meeting_window),
    ("meeting_venue", meetings.add_meeting_venue_open),
    ("meeting_host", meetings.add_meeting_host),
    ("pinned_meeting", meetings.add_pinned_meetings),
    ("hosting_slot", hosting.add_hosting_slot),
    ("hosting_gap", hosting.add_hosting_gap),
    ("hosting_turns", hosting.add_hosting_turns),
    ("pinned_hosting", hosting.add_pinned_hosting),
    ("role_headcount", volunteering.add_role_headcount),
    ("volunteer_monthly_load", volunteering.add_monthly_load),
    ("pinned_volunteering", volunteering.add_pinned_volunteering),
    ("care_rhythm", care.add_care_rhythm),
    ("no_double_booking", duties.add_no_double_booking),
    ("no_double_booking_personal", duties.add_personal_duties),
    # the rotating chair's term of work (solver/term.py)
    ("term_visits", term.add_term_visits),
    ("term_visit_attendance", term.add_term_visit_attendance),
    ("signature_activity", term.add_signature_activity),
    ("term_no_double_booking", term.add_term_no_double_booking),
)

#: Soft rules; each registers one or more named penalty terms.
SOFT_RULES: tuple[Rule, ...] = (
    rotation.back_to_back_penalties,
    rotation.short_gap_penalties,
    rotation.uneven_terms_penalties,
    rotation.period_preference_penalties,
    meetings.meeting_penalties,
    hosting.hosting_penalties,
    volunteering.volunteering_penalties,
    care.care_penalties,
    term.term_penalties,
)



def build(
    instance: Instance,
    timeline: Timeline,
    part: Part | None = None,
    previous: Plan | None = None,
    today: dt.date | None = None,
    explain: bool = False,
    care_pairs: dict[str, str] | None = None,
) -> ModelContext:
    """Build the CP-SAT model of ``part`` (the whole plan when None): variables, every
    hard rule, every soft rule, objective. With ``previous`` and ``today`` (re-planning)
    also the frozen past, the change terms and the previous plan as a hint.

    Raises
    ------
    replan.FrozenConflict
        When the past of ``previous`` no longer fits the instance.
    """
    ctx = ModelContext(instance, timeline, part, previous, today, explain)
    ctx.care_pairs = {c: m for c, m in (care_pairs or {}).items()
                      if part is None or part.children is None or c in part.children}
    rotation.add_variables(ctx)
    meetings.add_variables(ctx)
    hosting.add_variables(ctx)
    volunteering.add_variables(ctx)
    care.add_variables(ctx)
    term.add_variables(ctx)
    for _, add in HARD_RULES:
        add(ctx)
    if explain:
        return ctx  # feasibility only: no objective
    replan.add_frozen_past(ctx)
    replan.add_frozen_volunteering(ctx)
    term.add_frozen_term(ctx)
    for penalties in SOFT_RULES:
        penalties(ctx)
    replan.change_terms(ctx)
    replan.volunteering_change_terms(ctx)
    term.term_change_terms(ctx)
    replan.add_hints(ctx)
    replan.add_volunteering_hints(ctx)
    term.add_term_hints(ctx)
    ctx.model.minimize(
        sum((t.weight * t.amount for t in ctx.penalties if t.weight), start=0)
    )
    return ctx

