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

VISIT_KIND_ZH = {"meet": "见一次面", "talk": "谈一次心", "festival": "过一次节"}
"""The caring-mother rhythm (见一次面、谈一次心、过一次节), as calendars say it."""
VISIT_KIND_SHORT = {"meet": "见面", "talk": "谈心", "festival": "过节"}
"""The same, short, for table cells."""


def rule_title(rule: str) -> str:
    """A soft rule's title for people (its name when it has none)."""
    return RULE_TITLES.get(rule, rule)
