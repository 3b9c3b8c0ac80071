"""The words every exporter shares: rule titles, visit kinds, weekdays.

One module, imported by the markdown, HTML, iCalendar, workbook and change exporters, so
that a title is written once.
"""

from __future__ import annotations

WEEKDAYS = "一二三四五六日"
"""Monday … Sunday as in 周一 … 周日."""

RULE_TITLES = {
    "back_to_back": "连任（同一人连续两期）",
    "short_gap": "轮值间隔过短（未按上次任期顺延）",
    "uneven_terms": "主席团任期不均",
    "undesired_period": "安排在不希望的期次",
    "not_preferred_period": "未安排在希望的期次",
    "missed_attendance": "联席会缺席人次",
    "meeting_outside_town": "联席会在本镇以外",
    "late_meeting": "联席会距季度初周数",
    "hosting_share": "主办次数偏离份额（按规模）",
    "hosting_carry_over": "主办次数偏离含上年结转的份额",
    "hosting_spread": "主办各季度不均",
    "hosting_outside_town": "在外镇场地主办",
    "theme_off_date": "主题活动偏离节日天数",
    "empty_slot": "空缺场次",
    "unfilled_role": "志愿岗位缺人",
    "volunteer_overload": "志愿者负担超过平均线",
    "disliked_kind": "安排了志愿者不喜欢的活动类型",
    "travel_time": "志愿者路程（每15分钟）",
    "series_change": "系列活动换人",
    "no_lead": "需要带队却无有经验的志愿者",
    "care_new_mother": "儿童更换了上年的爱心妈妈",
    "care_outside_town": "爱心妈妈与儿童不在同一镇街",
    "festival_off_date": "过节走访偏离节日天数",
}

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
