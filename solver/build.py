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

#: Hard rules with a solver function, in the order of docs/rules.md (the catalogue,
#: ``models/rules.py``). The others hold by which variables exist (the catalogue's
#: ``domain`` notes); ``care_pairing`` is the pairing stage's (solver/care.py).
HARD_RULES: tuple[tuple[str, Rule], ...] = (
    ("one_chair_per_period", rotation.add_one_chair_per_period),
    ("chair_available", rotation.add_chair_available),
    ("one_presidium_at_a_time", rotation.add_one_presidium_at_a_time),
    ("max_terms", rotation.add_max_terms),
    ("pinned_term", rotation.add_pinned_term),
    ("meeting_per_quarter", meetings.add_meeting_per_quarter),
    ("meeting_venue", meetings.add_meeting_venue),
    ("meeting_host", meetings.add_meeting_host),
    ("no_double_booking_person", duties.add_no_double_booking_person),
    ("no_double_booking_venue", duties.add_no_double_booking_venue),
    ("pinned_meeting", meetings.add_pinned_meeting),
    ("hosting_slot", hosting.add_hosting_slot),
    ("hosting_contact_available", hosting.add_hosting_contact_available),
    ("hosting_gap", hosting.add_hosting_gap),
    ("hosting_turns", hosting.add_hosting_turns),
    ("pinned_hosting", hosting.add_pinned_hosting),
    ("role_headcount", volunteering.add_role_headcount),
    ("volunteer_monthly_load", volunteering.add_volunteer_monthly_load),
    ("pinned_volunteering", volunteering.add_pinned_volunteering),
    ("care_rhythm", care.add_care_rhythm),
    ("term_visits", term.add_term_visits),
    ("term_visit_attendance", term.add_term_visit_attendance),
    ("signature_activity", term.add_signature_activity),
    ("term_no_double_booking", term.add_term_no_double_booking),
)

#: Soft rules, one penalty function each, in the order of docs/rules.md; the objective
#: is the sum of their weighted terms. (``care_new_mother`` and ``care_outside_town``
#: are the pairing stage's: ``care.PAIRING_SOFT_RULES``.)
SOFT_RULES: tuple[tuple[str, Rule], ...] = (
    ("back_to_back", rotation.back_to_back_penalties),
    ("short_gap", rotation.short_gap_penalties),
    ("uneven_terms", rotation.uneven_terms_penalties),
    ("undesired_period", rotation.undesired_period_penalties),
    ("not_preferred_period", rotation.not_preferred_period_penalties),
    ("missed_attendance", meetings.missed_attendance_penalties),
    ("meeting_outside_town", meetings.meeting_outside_town_penalties),
    ("late_meeting", meetings.late_meeting_penalties),
    ("hosting_share", hosting.hosting_share_penalties),
    ("hosting_carry_over", hosting.hosting_carry_over_penalties),
    ("hosting_spread", hosting.hosting_spread_penalties),
    ("hosting_outside_town", hosting.hosting_outside_town_penalties),
    ("theme_off_date", hosting.theme_off_date_penalties),
    ("empty_slot", hosting.empty_slot_penalties),
    ("unfilled_role", volunteering.unfilled_role_penalties),
    ("volunteer_overload", volunteering.volunteer_overload_penalties),
    ("disliked_kind", volunteering.disliked_kind_penalties),
    ("travel_time", volunteering.travel_time_penalties),
    ("series_change", volunteering.series_change_penalties),
    ("no_lead", volunteering.no_lead_penalties),
    ("festival_off_date", care.festival_off_date_penalties),
    ("visit_spread", term.visit_spread_penalties),
    ("regional_chair_load", term.regional_chair_load_penalties),
    ("late_signature_activity", term.late_signature_activity_penalties),
)


def build(
    instance: Instance,
    timeline: Timeline,
    part: Part | None = None,
    previous: Plan | None = None,
    today: dt.date | None = None,
    explain: bool = False,
    care_pairs: dict[str, str] | None = None,
    hint: Plan | None = None,
    reach: frozenset[tuple[int, int]] | None = None,
    light: bool = False,
    only: frozenset[tuple[str, str, str]] | None = None,
    pinned: bool = False,
) -> ModelContext:
    """Build the CP-SAT model of ``part`` (the whole plan when None): variables, every
    hard rule, every soft rule, objective. With ``previous`` and ``today`` (re-planning)
    also the frozen past, the change terms and the previous plan as a hint; ``reach``
    (the months of the activities the change reaches) bounds what stage 1 of the search may change.
    Without ``previous``, ``hint`` (the construction) is the search's starting point.
    ``light``: no hard rule -- for a part that takes the construction, whose decisions
    the checker found within them (solver/constructed.py). ``only``: the candidate
    assignments kept (``ModelContext.only``). ``pinned`` (with ``light``): volunteering
    and care build only the construction's decisions (``ModelContext.pinned``).

    Raises
    ------
    replan.FrozenConflict
        When the past of ``previous`` no longer fits the instance.
    """
    ctx = ModelContext(instance, timeline, part, previous, today, explain, hint=hint,
                       reach=reach, only=only, pinned=pinned and light)
    ctx.care_pairs = {c: m for c, m in (care_pairs or {}).items()
                      if part is None or part.children is None or c in part.children}
    rotation.add_variables(ctx)
    meetings.add_variables(ctx)
    hosting.add_variables(ctx)
    volunteering.add_variables(ctx)
    care.add_variables(ctx)
    term.add_variables(ctx)
    for _, add in () if light else HARD_RULES:
        add(ctx)
    if explain:
        return ctx  # feasibility only: no objective
    replan.add_frozen_past(ctx)
    replan.add_frozen_volunteering(ctx)
    term.add_frozen_term(ctx)
    for _, penalties in SOFT_RULES:
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

