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
    "visit_spread": "各期走访企业次数不均",
    "regional_chair_load": "区域主席各期走访负担不均",
    "late_signature_activity": "特色活动晚于期初（周）",
}

VISIT_KIND_ZH = {"meet": "见一次面", "talk": "谈一次心", "festival": "过一次节"}
"""The caring-mother rhythm (见一次面、谈一次心、过一次节), as calendars say it."""
VISIT_KIND_SHORT = {"meet": "见面", "talk": "谈心", "festival": "过节"}
"""The same, short, for table cells."""


def rule_title(rule: str) -> str:
    """A soft rule's title for people (its name when it has none)."""
    return RULE_TITLES.get(rule, rule)
