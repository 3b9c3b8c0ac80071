"""The empty-but-explained workbook the office fills in (``xinglian template FILE.xlsx``).

Its rows are a small, complete and valid example that plans as it is (one base of 霞美片区
with its three-member presidium, one enterprise federation taking turns at the town's
Women's Home, two volunteers and two activities, one caring mother with one child, the
year's holiday table, ...): importing the
template unchanged gives :func:`example_instance`, so the office can see what each sheet
does before replacing the rows with its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models.instance import Instance
from .writer import _atomic, build_workbook, instance_rows

__all__ = ["EXAMPLE", "example_instance", "write_template"]

EXAMPLE: dict[str, Any] = {
    "id": "example-2027",
    "name": "示例：霞美片区产业基地妇联2027年度轮值、联席会与阵地轮流主办计划",
    "year": 2027,
    "calendar": {
        "source": "auto",
        "note": "示例（暂定，按2025年修订的《全国年节及纪念日放假办法》推算）：国务院办公厅2027年"
                "放假通知发布后请按通知替换",
        # Every statutory holiday of the year: a table that misses one would let a
        # meeting or a hosting turn fall on it (a warning names any that is missing).
        "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"},
                     {"name": "春节", "start": "2027-02-05", "end": "2027-02-13"},
                     {"name": "清明节", "start": "2027-04-03", "end": "2027-04-05"},
                     {"name": "劳动节", "start": "2027-05-01", "end": "2027-05-05"},
                     {"name": "端午节", "start": "2027-06-09", "end": "2027-06-09"},
                     {"name": "中秋节", "start": "2027-09-15", "end": "2027-09-15"},
                     {"name": "国庆节", "start": "2027-10-01", "end": "2027-10-07"}],
        "makeup_workdays": ["2027-01-31", "2027-02-20", "2027-04-25", "2027-05-08",
                            "2027-09-26", "2027-10-09"],
    },
    "towns": [{"id": "ximei", "name": "霞美镇"}, {"id": "luncang", "name": "仑苍镇"}],
    "people": [
        {"id": "p-001", "name": "陈丽娟", "phone": "13800001001", "town": "ximei",
         "preferred_periods": [3, 4], "caring_mother": True},
        {"id": "p-002", "name": "林雅琴", "town": "ximei", "undesired_periods": [2],
         "unavailable": [{"start": "2027-03-15", "end": "2027-07-31", "reason": "产假"}]},
        {"id": "p-003", "name": "施振华", "phone": "13800001003", "town": "ximei"},
        {"id": "p-004", "name": "林小燕", "phone": "13800001004", "town": "ximei",
         "volunteer": {"federation": "fed-xiaguang-pv", "skills": ["first_aid", "photography"],
                       "max_activities_per_month": 3, "max_hours_per_month": 12,
                       "likes": ["volunteer_service"], "dislikes": ["salon"],
                       "experienced": True,
                       "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                                   "start": "18:30", "end": "21:30"},
                                  {"days": ["sat"], "start": "08:00", "end": "12:00"}]}},
        {"id": "p-006", "name": "黄秀梅", "phone": "13800001006", "town": "ximei"},
        {"id": "p-005", "name": "蔡淑华", "town": "luncang",
         "volunteer": {"languages": ["普通话", "闽南语"],
                       "weekly": [{"days": ["sat", "sun"], "start": "08:00", "end": "18:00"}]}},
    ],
    "federations": [
        {"id": "fed-ximei", "name": "霞美片区产业基地妇联", "kind": "base",
         "industry": "电子光伏、机械装备", "town": "ximei", "chair": "p-001",
         "vice_chairs": ["p-002", "p-006"], "invited": ["p-003"]},
        {"id": "fed-xiaguang-pv", "name": "霞光光伏科技有限公司妇联", "kind": "enterprise",
         "industry": "光伏", "town": "ximei", "parent": "fed-ximei", "chair": "p-001",
         "hosting": {"weight": 420, "min_turns": 1, "max_turns": 22, "contact": "p-004"}},
    ],
    "venues": [
        {"id": "v-ximei-hall", "name": "霞美镇妇女之家多功能厅", "kind": "womens_home",
         "town": "ximei", "capacity": 40, "address": "南安市霞美镇人民政府综合楼一楼",
         "closures": [{"start": "2027-05-10", "end": "2027-06-20", "reason": "多功能厅装修改造"}],
         "slots": [{"pattern": "每月第2、4个周六 09:00-11:30"}],
         "hosts": {"bases": ["fed-ximei"]}},
    ],
    "themes": [{"id": "th-womens-day", "name": "三八国际妇女节", "venue_kind": "womens_home",
                "date": "2027-03-08", "window_days": 14}],
    "volunteering": {"max_travel_minutes": 60, "default_travel_minutes": 45},
    "travel": [{"a": "ximei", "b": "luncang", "minutes": 30}],
    "activities": [
        {"id": "act-001", "kind": "volunteer_service", "title": "霞美镇防溺水安全宣传",
         "date": "2027-07-03", "start": "09:00", "end": "11:30", "venue": "v-ximei-hall",
         "lead_required": True,
         "roles": [{"role": "急救", "skill": "first_aid", "min": 1, "max": 1},
                   {"role": "宣传", "min": 1, "max": 2}]},
        {"id": "act-002", "kind": "military_family", "title": "仑苍镇走访慰问军属家庭",
         "date": "2027-08-01", "start": "09:00", "end": "11:30", "town": "luncang",
         "roles": [{"role": "走访慰问", "language": "闽南语", "min": 1, "max": 2}]},
    ],
    "children": [
        {"code": "c-001", "name": "示例儿童（请替换）", "address": "示例地址：霞美镇某村（请替换）",
         "town": "ximei", "age": 9, "needs": ["学业辅导", "亲情陪伴"]},
    ],
    "care": {"festivals": [{"name": "六一儿童节", "date": "2027-06-01", "window_days": 3},
                           {"name": "中秋节", "date": "2027-09-15", "window_days": 3}]},
    "terms": [{"base": "fed-ximei", "regional_chair": "p-003", "visits_per_year": 2,
               "visit_minutes": 90, "visit_weekdays": [2, 4], "visit_times": ["09:30", "14:30"],
               "activity": {"kind": "巾帼科技创新沙龙", "minutes": 120, "weekdays": [3, 5],
                            "times": ["14:30"], "venues": ["v-ximei-hall"]}}],
    "history": {
        "rotation": [{"base": "fed-ximei", "year": 2026, "period": 6, "chair": "p-002"}],
        "hosting": [{"federation": "fed-xiaguang-pv", "year": 2026, "turns": 15}],
        "care": [{"mother": "p-001", "child": "c-001", "year": 2026}],
    },
    "pins": {
        "rotation": [{"base": "fed-ximei", "period": 1, "chair": "p-001",
                      "reason": "林雅琴3月起休产假，主席团商定由主席陈丽娟担任第1期"}],
        "meetings": [{"base": "fed-ximei", "quarter": 1, "date": "2027-03-05",
                      "venue": "v-ximei-hall", "slot": 1,
                      "reason": "市妇联领导出席，“三八”节前召开"}],
        "hosting": [{"venue": "v-ximei-hall", "date": "2027-03-13",
                     "federation": "fed-xiaguang-pv", "start": "09:00",
                     "reason": "霞光光伏承办“三八”节主题活动"}],
        "volunteering": [{"activity": "act-001", "person": "p-004", "role": "急救",
                          "reason": "林小燕是霞光光伏的急救培训骨干"}],
    },
}
"""The template's example rows as an instance mapping (valid on its own)."""


def example_instance() -> Instance:
    return Instance.model_validate(EXAMPLE)


def write_template(path: str | Path) -> Path:
    """Write the input template: a 说明 (README) sheet explaining every column in
    Chinese and English, then one sheet per table with Chinese headers (the English key
    in each header's comment), dropdowns for enum and yes/no columns, a frozen header
    row, and the rows of :func:`example_instance`.

    Written to a temporary file in the same directory and renamed into place.

    Returns
    -------
    Path
        ``path``.
    """
    wb = build_workbook(instance_rows(example_instance()), template=True)
    return _atomic(Path(path), lambda tmp: wb.save(tmp))
