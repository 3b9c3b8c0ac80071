"""The words every exporter shares: rule titles, visit kinds, weekdays.

One module, imported by the markdown, HTML, iCalendar, workbook and change exporters, so
that a title is written once.
"""

from __future__ import annotations

from ..models.rules import titles as rule_titles

WEEKDAYS = "一二三四五六日"
"""Monday … Sunday as in 周一 … 周日."""

RULE_TITLES: dict[str, str] = rule_titles("zh")
"""Rule name -> Chinese title, from the rule catalogue (models/rules.py)."""

RULE_TITLES_EN = {
    "back_to_back": "same chair two periods running",
    "short_gap": "chair again too soon (rotation order)",
    "uneven_terms": "terms spread unevenly in a presidium",
    "undesired_period": "chair in a period she asked to avoid",
    "not_preferred_period": "chair outside her preferred periods",
    "missed_attendance": "joint-meeting absences",
    "meeting_outside_town": "joint meeting outside the base's town",
    "late_meeting": "weeks from quarter start to joint meeting",
    "hosting_share": "hosting turns off the fair share (by size)",
    "hosting_carry_over": "hosting turns off the share with last year carried over",
    "hosting_spread": "hosting turns uneven across quarters",
    "hosting_outside_town": "hosting at a venue in another town",
    "theme_off_date": "days between a themed activity and its date",
    "empty_slot": "slots without a host",
    "unfilled_role": "volunteer places not filled",
    "volunteer_overload": "volunteer load above the fair line",
    "disliked_kind": "volunteer given an activity kind she dislikes",
    "travel_time": "volunteer travel (per 15 minutes)",
    "series_change": "new faces within an activity series",
    "no_lead": "no experienced volunteer where a lead is needed",
    "care_new_mother": "child given a new caring mother",
    "care_outside_town": "caring mother and child in different towns",
    "festival_off_date": "days between a festival visit and the festival",
    "visit_spread": "enterprise visits uneven across periods",
    "regional_chair_load": "a regional chair's visits uneven across periods",
    "late_signature_activity": "weeks from period start to its signature activity",
}
"""English titles of the soft rules, for the bilingual summaries (keys as RULE_TITLES)."""

VISIT_KIND_ZH = {"meet": "见一次面", "talk": "谈一次心", "festival": "过一次节"}
"""The caring-mother rhythm (见一次面、谈一次心、过一次节), as calendars say it."""
VISIT_KIND_SHORT = {"meet": "见面", "talk": "谈心", "festival": "过节"}
"""The same, short, for table cells."""


def rule_title(rule: str) -> str:
    """A soft rule's title for people (its name when it has none)."""
    return RULE_TITLES.get(rule, rule)


def rule_title_en(rule: str) -> str:
    """A soft rule's English title; an unknown rule reads as words, not as a key."""
    return RULE_TITLES_EN.get(rule, rule.replace("_", " "))
