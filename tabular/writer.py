"""Writing an instance into the sheets (the inverse of :func:`.reader.load_tables`).

``load_tables(write_instance_workbook(inst, path)) == inst`` for every instance whose
texts carry no leading/trailing spaces and whose optional texts are not the empty
string (an empty cell reads back as "not given").
"""

from __future__ import annotations

import csv
import functools
import io
import os
import tempfile
import unicodedata
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from ..models.instance import Instance
from . import schema as S
from .cells import FORMULA_START, cell_value, csv_text

__all__ = [
    "build_workbook",
    "instance_rows",
    "instance_yaml",
    "write_instance_csv",
    "write_instance_workbook",
    "write_instance_yaml",
]

# -- instance -> rows ------------------------------------------------------------------


def _get(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


_LIST_TYPES = (S.TIME_LIST, S.WEEKDAY_LIST, S.TEXT_LIST, S.ENUM_LIST)


def _setting_value(instance: Instance, setting: S.Setting) -> Any:
    value = _get(instance, setting.key)
    if setting.type in _LIST_TYPES and value == ():
        return "无"  # an empty cell would read back as the (non-empty) default
    return value


def instance_rows(instance: Instance) -> dict[str, list[dict[str, Any]]]:
    """Every field of ``instance`` as rows of the tables (keys = column keys; the
    settings rows carry their :class:`~.schema.Setting` under ``"setting"``)."""
    rows: dict[str, list[dict[str, Any]]] = {t.key: [] for t in S.TABLES}
    rows["settings"] = [{"setting": s, "key": s.zh, "value": _setting_value(instance, s)}
                        for s in S.SETTINGS]
    rows["towns"] = [{"id": t.id, "name": t.name} for t in instance.towns]
    for p in instance.people:
        rows["people"].append({
            "id": p.id, "name": p.name, "phone": p.phone, "town": p.town,
            "preferred_periods": p.preferred_periods, "undesired_periods": p.undesired_periods,
        })
        rows["unavailability"] += [{"person": p.id, "start": r.start, "end": r.end,
                                    "reason": r.reason} for r in p.unavailable]
        v = p.volunteer
        if v is not None:
            rows["volunteers"].append({
                "person": p.id, "federation": v.federation, "skills": v.skills,
                # An empty list would read back as the default (普通话): say 无.
                "languages": v.languages or "无",
                "max_activities_per_month": v.max_activities_per_month,
                "max_hours_per_month": v.max_hours_per_month, "likes": v.likes,
                "dislikes": v.dislikes, "experienced": v.experienced,
            })
            rows["volunteer_weekly"] += [{"person": p.id, "days": w.days, "start": w.start,
                                          "end": w.end} for w in v.weekly]
        if p.caring_mother:
            rows["caring_mothers"].append({"person": p.id})
    for f in instance.federations:
        rows["federations"].append({
            "id": f.id, "name": f.name, "kind": f.kind, "industry": f.industry,
            "town": f.town, "parent": f.parent, "chair": f.chair,
        })
        if f.vice_chairs or f.kind.value == "base":
            members = [(f.chair, "chair")] if f.chair else []
            members += [(v, "vice_chair") for v in f.vice_chairs]
            rows["presidium"] += [{"base": f.id, "person": pid, "role": role, "order": n}
                                  for n, (pid, role) in enumerate(members, start=1)]
        rows["invited"] += [{"base": f.id, "people": [pid]} for pid in f.invited]
        if f.hosting is not None:
            h = f.hosting
            rows["hosting"].append({"federation": f.id, "weight": h.weight,
                                    "min_turns": h.min_turns, "max_turns": h.max_turns,
                                    "contact": h.contact})
    for v in instance.venues:
        rows["venues"].append({
            "id": v.id, "name": v.name, "kind": v.kind, "town": v.town,
            "capacity": v.capacity, "address": v.address, "owner": v.owner,
            "meetings": v.meetings,
        })
        rows["venue_slots"] += [{"venue": v.id, "pattern": s.pattern, "months": s.months}
                                for s in v.slots]
        rows["venue_closures"] += [{"venue": v.id, "start": r.start, "end": r.end,
                                    "reason": r.reason} for r in v.closures]
        if v.hosts is not None:
            hosts = [(scope, i) for scope, ids in (("base", v.hosts.bases),
                                                   ("town", v.hosts.towns),
                                                   ("federation", v.hosts.federations))
                     for i in ids]
            rows["venue_hosts"] += ([{"venue": v.id, "by": scope, "ids": [i]}
                                     for scope, i in hosts]
                                    or [{"venue": v.id, "by": "none"}])
    rows["themes"] = [{"id": t.id, "name": t.name, "venue_kind": t.venue_kind, "date": t.date,
                       "window_days": t.window_days} for t in instance.themes]
    cal = instance.calendar
    rows["holidays"] = [{"name": h.name, "start": h.start, "end": h.end} for h in cal.holidays]
    rows["makeup_workdays"] = [{"date": d} for d in cal.makeup_workdays]
    rows["history_rotation"] = [h.model_dump() for h in instance.history.rotation]
    rows["history_hosting"] = [h.model_dump() for h in instance.history.hosting]
    rows["pin_rotation"] = [p.model_dump() for p in instance.pins.rotation]
    rows["pin_meetings"] = [p.model_dump() for p in instance.pins.meetings]
    rows["pin_hosting"] = [p.model_dump() for p in instance.pins.hosting]
    for a in instance.activities:
        rows["activities"].append({
            "id": a.id, "kind": a.kind, "title": a.title, "date": a.date, "start": a.start,
            "end": a.end, "town": a.town, "venue": a.venue, "lead_required": a.lead_required,
            "series": a.series,
        })
        rows["activity_roles"] += [{"activity": a.id, **r.model_dump()} for r in a.roles]
    rows["travel"] = [t.model_dump() for t in instance.travel]
    rows["children"] = [c.model_dump() for c in instance.children]
    rows["festivals"] = [f.model_dump() for f in instance.care.festivals]
    rows["history_care"] = [h.model_dump() for h in instance.history.care]
    rows["pin_volunteering"] = [p.model_dump() for p in instance.pins.volunteering]
    rows["terms"] = [t.model_dump(exclude={"activity"}) for t in instance.terms]
    rows["term_activities"] = [{"base": t.base, **t.activity.model_dump()}
                               for t in instance.terms if t.activity is not None]
    return rows


def _columns(table: S.Table) -> list[S.Column]:
    return list(table.columns)


def _cell_spec(table: S.Table, col: S.Column, row: dict[str, Any]) -> tuple[str, Any]:
    """(type, labeler) of one cell: the settings sheet's 值 takes its setting's type."""
    if table is S.SETTINGS_TABLE and col.key == "value":
        setting = row["setting"]
        return setting.type, setting
    return col.type, col


def _row_values(table: S.Table, row: dict[str, Any], english: bool) -> list[Any]:
    out = []
    for col in _columns(table):
        if table is S.SETTINGS_TABLE and col.key != "value":
            s: S.Setting = row["setting"]
            out.append(s.key if english and col.key == "key" else
                       (s.zh if col.key == "key" else
                        (f"{s.desc_en} ({s.key})" if english else
                         f"{s.desc_zh}（{s.key}）" if s.desc_zh else s.key)))
            continue
        type_, labeler = _cell_spec(table, col, row)
        out.append(cell_value(type_, row.get(col.key), labeler.label, english))
    return out


# -- atomic files ----------------------------------------------------------------------


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Write through a temporary file in the same directory, then rename it into place:
    a reader never sees half a file, and a failed write leaves the old file alone."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# -- xlsx ------------------------------------------------------------------------------


def _display_width(value: Any) -> int:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _comment_text(col: S.Column) -> str:
    lines = [col.key, f"{S.TYPE_ZH[col.type]} / {S.TYPE_EN[col.type]}",
             "必填 / required" if col.required else "可空 / optional"]
    if col.choices:
        lines.append("可选 / values: " + "、".join(f"{c.label}={c.value}" for c in col.choices))
    lines += [t for t in (col.desc_zh, col.desc_en) if t]
    return "\n".join(lines)


def _put(cell, type_: str, value: Any) -> None:
    if value is None:
        return
    cell.value = value
    if isinstance(value, str):
        # Text is text: never a formula (=, +, -, @) nor an error value (#N/A).
        cell.data_type = "s"
        cell.number_format = "@"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    elif type_ == S.DATE:
        cell.number_format = "yyyy-mm-dd"


def _dropdown(ws, choices: tuple[S.Choice, ...] | None, where: str, title: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    labels = [c.label for c in choices] if choices else [S.YES, S.NO]
    dv = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True,
                        showErrorMessage=True, errorStyle="stop", errorTitle=title,
                        error="请从下拉列表中选择：" + "、".join(labels))
    ws.add_data_validation(dv)
    dv.add(where)


def _readme(ws, template: bool) -> None:
    from openpyxl.styles import Alignment, Font

    intro = [
        "星链 xinglian 排班数据表 · 填写说明 / How to fill in this workbook",
        "每个工作表是一张表：第 1 行是表头（鼠标停在表头上可看到英文键和说明），从第 2 行起每行一条"
        "记录，空行会被跳过。表头也可以写英文键。 / One table per sheet; headers in row 1 "
        "(Chinese or the English key), one record per row.",
        "编号只能用英文字母、数字和 - _ .（如 p-001、fed-ximei），各表用编号互相引用。 / Ids are "
        "ASCII and link the tables.",
        "日期可写 2027-03-08、2027/3/8、2027.3.8、2027年3月8日，或用 Excel 日期格式。 / Dates "
        "in any of these forms or as Excel dates.",
        "是/否 列可写 是/否、true/false、1/0、Y/N；多个编号或数字用 、 , ； 或空格分隔。 / "
        "Yes/no columns; lists separated by 、 , ; or spaces.",
        "表头为橙色的列必填；「规则与权重」表每行一个设置项，值不填则用默认值。 / Orange headers "
        "are required; empty settings take their defaults.",
        "也可以把每张表另存为 CSV（文件名 = 工作表名，如 人员.csv 或 people.csv）放在一个文件夹里"
        "导入，UTF-8 或 GBK 编码均可。 / Or save each sheet as CSV (UTF-8 or GBK) into one folder.",
        "名称以「备注」或 # 开头的工作表和列、本「说明」表会被忽略。 / Sheets and columns "
        "named 备注… or #… are ignored.",
        "「儿童」表中的姓名、地址和需求只留在本工作簿和实例中，计划、日历、摘要只用儿童代码。 / "
        "Children's names, addresses and needs stay in this workbook: outputs use the code.",
    ]
    if template:
        intro.append("各表中的数据是示例（霞美片区），可直接导入查看效果；请替换成本单位的数据。 / "
                     "The rows are an example (a small valid instance); replace them.")
    for i, text in enumerate(intro, start=1):
        cell = ws.cell(i, 1, text)
        cell.font = Font(bold=True, size=14) if i == 1 else Font()
        cell.alignment = Alignment(wrap_text=False)
    r = len(intro) + 2
    heads = ("工作表 Sheet", "英文名 Key", "列 Column", "英文键 Key", "类型 Type", "必填 Required",
             "说明", "Description")
    for j, h in enumerate(heads, start=1):
        ws.cell(r, j, h).font = Font(bold=True)
    for table in S.TABLES:
        r += 1
        for j, v in enumerate((table.zh, table.key, "", "", "",
                               "必须有 / required" if table.required else "",
                               table.desc_zh, table.desc_en), start=1):
            ws.cell(r, j, v).font = Font(bold=True)
        entries: list[tuple[str, str, str, bool, str, str]] = [
            (c.zh, c.key, c.type, c.required, c.desc_zh, c.desc_en) for c in table.columns]
        if table is S.SETTINGS_TABLE:
            entries += [(f"  {s.zh}", s.key, s.type, s.required, s.desc_zh, s.desc_en)
                        for s in S.SETTINGS]
        for zh, key, type_, required, dzh, den in entries:
            r += 1
            for j, v in enumerate(("", "", zh, key, f"{S.TYPE_ZH[type_]} / {S.TYPE_EN[type_]}",
                                   "是" if required else "", dzh, den), start=1):
                ws.cell(r, j, v)
    for letter, width in zip("ABCDEFGH", (14, 18, 26, 28, 30, 14, 60, 50), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{len(intro) + 3}"


def build_workbook(rows: dict[str, list[dict[str, Any]]], *, template: bool = False):
    """An openpyxl ``Workbook``: the 说明 sheet, then one sheet per table with Chinese
    headers (English key and description in the header's comment), dropdowns for enum
    and yes/no columns, a frozen header row and fitted column widths."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.properties.creator = "xinglian"
    readme = wb.active
    readme.title = S.README_NAMES[0]
    _readme(readme, template)
    required_fill = PatternFill("solid", fgColor="F8CBAD")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    for table in S.TABLES:
        ws = wb.create_sheet(table.zh)
        cols = _columns(table)
        table_rows = rows.get(table.key, [])
        widths = [_display_width(c.zh) for c in cols]
        for j, col in enumerate(cols, start=1):
            cell = ws.cell(1, j, col.zh)
            cell.font = Font(bold=True)
            cell.fill = required_fill if col.required else optional_fill
            cell.comment = Comment(_comment_text(col), "xinglian", width=320, height=170)
            letter = get_column_letter(j)
            if col.type in (S.STR, S.ID, S.ID_LIST, S.INT_LIST, S.TIME, S.ENUM, S.TEXT_LIST,
                            S.TIME_LIST, S.WEEKDAY_LIST, S.ENUM_LIST):
                ws.column_dimensions[letter].number_format = "@"
            elif col.type == S.DATE:
                ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
            if col.type in (S.ENUM, S.BOOL):
                _dropdown(ws, col.choices, f"{letter}2:{letter}1048576", col.zh)
        for i, row in enumerate(table_rows, start=2):
            values = _row_values(table, row, english=False)
            for j, (col, value) in enumerate(zip(cols, values, strict=True), start=1):
                type_, labeler = _cell_spec(table, col, row)
                _put(ws.cell(i, j), type_, value)
                if value is not None:
                    widths[j - 1] = max(widths[j - 1], _display_width(value))
                if table is S.SETTINGS_TABLE and col.key == "value" \
                        and type_ in (S.ENUM, S.BOOL):
                    _dropdown(ws, labeler.choices, f"{get_column_letter(j)}{i}", row["key"])
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(max(w + 3, 9), 60)
        ws.freeze_panes = "A2"
    return wb


def write_instance_workbook(instance: Instance, path: str | Path) -> Path:
    """Write every field of ``instance`` into an .xlsx with the template's sheets.

    The file is written to a temporary file next to ``path`` and renamed into place.

    Returns
    -------
    Path
        ``path`` (so that ``load_tables(write_instance_workbook(inst, p)) == inst``).
    """
    wb = build_workbook(instance_rows(instance))
    return _atomic(Path(path), lambda tmp: wb.save(tmp))


# -- csv -------------------------------------------------------------------------------


def write_instance_csv(instance: Instance, folder: str | Path, encoding: str = "gb18030",
                       *, english: bool = False) -> Path:
    """Write ``instance`` as one CSV file per table into ``folder`` (created if missing).

    Parameters
    ----------
    encoding
        ``gb18030`` (default; what Chinese Excel reads and writes), ``gbk``,
        ``utf-8-sig`` (UTF-8 with BOM, which Excel also opens correctly) or ``utf-8``.
    english
        English file names, headers, enum values and setting keys (``people.csv``,
        ``start``, ``base``) instead of Chinese (``人员.csv``, ``开始日期``, ``基地妇联``).

    Raises
    ------
    ValueError
        If a text cannot be written in ``encoding`` (GBK lacks some characters; use
        ``gb18030``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = instance_rows(instance)
    for table in S.TABLES:
        name = f"{table.key if english else table.zh}.csv"
        cols = _columns(table)
        header = [c.key if english else c.zh for c in cols]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows[table.key]:
            writer.writerow([csv_text(v) for v in _row_values(table, row, english)])
        try:
            data = buf.getvalue().encode(encoding)
        except UnicodeEncodeError as e:
            raise ValueError(f"{name}: {e.object[e.start:e.end]!r} cannot be written in "
                             f"{encoding}; use gb18030 or utf-8-sig") from None
        _atomic(folder / name, functools.partial(Path.write_bytes, data=data))
    return folder


# -- yaml ------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def instance_yaml(instance: Instance) -> str:
    """The instance as YAML (only what differs from the defaults), for ``xinglian import``."""
    data = _plain(instance.model_dump(mode="python", exclude_defaults=True))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def write_instance_yaml(instance: Instance, path: str | Path, *, source: str = "") -> Path:
    """Write :func:`instance_yaml` atomically; ``source`` is named in a header comment."""
    head = f"# 由 xinglian 从 {source} 导入 / imported by xinglian from {source}\n" if source \
        else ""
    text = head + instance_yaml(instance)
    return _atomic(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))
