"""The empty-but-explained workbook the office fills in (``xinglian template FILE.xlsx``).

Its rows are a small, complete and valid example (one base of 霞美片区 with its presidium,
one enterprise federation taking turns at the town's Women's Home, ...): importing the
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
        "note": "示例：请按国务院办公厅2027年放假通知填写",
        "holidays": [{"name": "劳动节", "start": "2027-05-01", "end": "2027-05-05"}],
        "makeup_workdays": ["2027-04-25"],
    },
    "towns": [{"id": "ximei", "name": "霞美镇"}],
    "people": [
        {"id": "p-001", "name": "陈丽娟", "phone": "13800001001", "town": "ximei",
         "preferred_periods": [3, 4]},
        {"id": "p-002", "name": "林雅琴", "town": "ximei", "undesired_periods": [2],
         "unavailable": [{"start": "2027-03-15", "end": "2027-07-31", "reason": "产假"}]},
        {"id": "p-003", "name": "施振华", "phone": "13800001003", "town": "ximei"},
        {"id": "p-004", "name": "林小燕", "phone": "13800001004", "town": "ximei"},
    ],
    "federations": [
        {"id": "fed-ximei", "name": "霞美片区产业基地妇联", "kind": "base",
         "industry": "电子光伏、机械装备", "town": "ximei", "chair": "p-001",
         "vice_chairs": ["p-002"], "invited": ["p-003"]},
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
    "history": {
        "rotation": [{"base": "fed-ximei", "year": 2026, "period": 6, "chair": "p-002"}],
        "hosting": [{"federation": "fed-xiaguang-pv", "year": 2026, "turns": 15}],
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
