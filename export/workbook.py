"""The plan as an Excel workbook (``.xlsx``): one sheet per part of the plan.

Offices print these sheets and paste them into WeChat groups, so every sheet has one
header row in Chinese (frozen, repeated on each printed page), columns sized for CJK
text (a CJK character counts as two), wrapped text where cells are long, and an A4
landscape page set-up that fits the width of a page.

Text that comes from users (names, themes, reasons) is always written as text: a name
such as ``=HYPERLINK(...)`` or ``+86 王`` is never turned into a formula. Children in
difficulty appear by their code only (the plan holds nothing else about them).

Sheets, in order:

========  ===============================================================
概况       counts and warnings, then status, objective, bound, gap, holiday source
轮值主席   base x period grid of chair names
轮值明细   one row per rotation term (base, period, dates, chair, ids)
联席会     one row per joint meeting
阵地主办   venue x month grid of hosting turns (day and federation)
主办明细   one row per hosting turn (id, venue, kind, date, time, host, contact, theme)
个人职责   one row per duty of each person (chair terms, meetings, hosting turns as
          contact, volunteering, caring-mother visits with the child by code)
主办公平   turns per hosting federation against its fair shares
跳过场次   offered slots that cannot be used, with the reason
软约束     each soft rule (title in Chinese and English), weight, amount, cost, worst cases
未满足     demands the plan could not meet
志愿者     one row per volunteering assignment (activity, date, place, role, person)
志愿者公平 activities and hours per volunteer, busiest month against her cap
爱心妈妈结对 one row per caring-mother pair (children by code and town only)
关爱走访   caring-mother visits (children by code)
========  ===============================================================
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from math import ceil
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..models.instance import Instance
from ..models.plan import Plan
from .duties import DUTY_KINDS, person_duties
from .labels import VISIT_KIND_SHORT, rule_title, rule_title_en
from .plan_dir import OutputError
from .summary import all_warnings
from .views import (
    Names,
    activity_rows,
    care_pair_rows,
    fairness_rows,
    periods,
    plan_title,
    time_span,
    volunteer_loads,
    weekday_zh,
)

SHEETS = (
    "概况", "轮值主席", "轮值明细", "联席会", "阵地主办", "主办明细", "个人职责", "主办公平",
    "跳过场次", "软约束", "未满足", "志愿者", "志愿者公平", "爱心妈妈结对", "关爱走访",
)

VISIT_KIND_ZH = VISIT_KIND_SHORT

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FONT_NAME = "Noto Sans CJK SC"
"""The one font of the workbook, named so that Chinese prints in a Simplified Chinese face.

Why this name: LibreOffice (the suite many offices use, and the one CI converts with)
takes a cell's Asian font from the cell's font name only when a font of that name is
installed; otherwise it uses its own default Asian font, which on many set-ups is a
Japanese face (the Calibri workbook of issue 15 printed in Noto Sans CJK JP). Debian's
``fonts-noto-cjk`` installs exactly this family, so LibreOffice resolves it by name, and
Noto Sans CJK SC is the same design as Adobe's Source Han Sans SC (思源黑体), free to
install on any office PC. Excel and WPS on a Windows PC without it substitute by the
font's character set, written as GB2312 (``charset=134``), so Windows picks its own
Simplified Chinese face (Microsoft YaHei / 等线 / 宋体) -- never a Japanese one. The
``scheme`` is left empty on purpose: with ``scheme="minor"`` (openpyxl's default) Excel
ignores the name and uses the theme's font (Calibri).
"""
_CHARSET_GB2312 = 134
_BODY_FONT = Font(name=FONT_NAME, sz=11, family=2, charset=_CHARSET_GB2312)
_GRID_FONT = Font(name=FONT_NAME, sz=10, family=2, charset=_CHARSET_GB2312)
_THIN = Side(style="thin", color="A0A0A0")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", start_color="E6ECF2", end_color="E6ECF2")
_HEADER_FONT = Font(name=FONT_NAME, sz=11, family=2, charset=_CHARSET_GB2312, bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_MAX_WIDTH = 60
PRINT_WIDTH_CHARS = 170
"""Column widths (in characters) that an A4 landscape page holds at about 80 %, where
11 pt text prints at about 9 pt."""
_LINE_HEIGHT = 17.5
"""Points per wrapped line of 11 pt text: Noto Sans CJK SC is tall (ascent + descent
about 1.45 em, 16 pt at 11 pt), and a row sized for 15 pt cut the last line off."""


def text_width(text: str) -> int:
    """Display width of the longest line: East Asian wide/full-width characters count 2."""
    return max(
        (sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
         for line in text.split("\n")),
        default=0,
    )


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """Write one value; text is always text (never a formula)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        if value.startswith(_FORMULA_START):
            # openpyxl makes any string starting with "=" a formula; force a string cell,
            # and set Excel's quote prefix so that editing the cell keeps it text.
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, float):
            cell.number_format = "0.0"


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _header_text(text: str) -> str:
    """Text for a printed page header: ``&`` is a control character there."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:80].replace("&", "&&")


def _table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    wrap: Iterable[int] = (),
    widths: dict[int, int] | None = None,
    freeze_cols: int = 0,
    autofilter: bool = True,
    font: Font = _BODY_FONT,
) -> None:
    """Write a table with one header row at A1.

    ``wrap`` holds 0-based indices of columns whose text wraps (their width is capped and
    row heights grow to fit); ``widths`` fixes some columns' widths (in characters).
    """
    wrap = set(wrap)
    widths = dict(widths or {})
    for j, h in enumerate(headers, start=1):
        _put(ws, 1, j, h)
        cell = ws.cell(row=1, column=j)
        cell.font, cell.fill, cell.border, cell.alignment = (
            _HEADER_FONT, _HEADER_FILL, _BORDER, _HEADER_ALIGN)
    data = [list(r) for r in rows]
    for i, r in enumerate(data, start=2):
        for j, v in enumerate(r, start=1):
            _put(ws, i, j, v)
            cell = ws.cell(row=i, column=j)
            cell.border = _BORDER
            cell.font = font
            cell.alignment = _WRAP if (j - 1) in wrap else _TOP
    # Column widths: the widest cell (CJK counts 2), capped; wrapped columns narrower.
    col_width: dict[int, int] = {}
    for j, h in enumerate(headers):
        if j in widths:
            col_width[j] = widths[j]
            continue
        values = [r[j] for r in data if j < len(r)]
        w = max([text_width(h)] + [text_width(_str(v)) for v in values])
        if values and all(isinstance(v, int | float) or v in ("—", "") for v in values):
            # A column of numbers is as wide as its numbers; its header wraps.
            w = max([4] + [text_width(_str(v)) for v in values]
                    + [text_width(part) for part in h.split()])
        cap = 40 if j in wrap else _MAX_WIDTH
        col_width[j] = max(6, min(cap, w + 2))
        if data and isinstance(data[0][j] if j < len(data[0]) else None, dt.date):
            col_width[j] = max(col_width[j], 12)
    # Fitted to one page wide, a table much wider than a page prints too small to read
    # (issue 15: 6-7 pt). Narrow the wrapped columns (never below 12 characters or a
    # fixed width) until the table fits the width that prints at about 9 pt.
    over = sum(col_width.values()) - PRINT_WIDTH_CHARS
    flexible = [j for j in sorted(wrap) if j in col_width and j not in widths]
    while over > 0 and any(col_width[j] > 12 for j in flexible):
        for j in flexible:
            if over > 0 and col_width[j] > 12:
                col_width[j] -= 1
                over -= 1
    for j, w in col_width.items():
        ws.column_dimensions[get_column_letter(j + 1)].width = w
    # Row heights: Excel does not grow rows for wrapped text written by a program.
    header_lines = max(
        ceil(max(1, text_width(line)) / max(1, col_width[j] - 1))
        for j, h in enumerate(headers) for line in h.split("\n"))
    if header_lines > 1:
        ws.row_dimensions[1].height = header_lines * _LINE_HEIGHT
    if wrap:
        for i, r in enumerate(data, start=2):
            lines = 1
            for j in wrap:
                if j < len(r):
                    text = _str(r[j])
                    n = sum(max(1, ceil(text_width(line) / max(1, col_width[j] - 1)))
                            for line in text.split("\n"))
                    lines = max(lines, n)
            if lines > 1:
                ws.row_dimensions[i].height = lines * _LINE_HEIGHT
    ws.freeze_panes = ws.cell(row=2, column=freeze_cols + 1).coordinate
    if autofilter and data:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(data) + 1}"


# Page set-up, in inches. The header and footer sit inside the page's top and bottom
# margins: LibreOffice and Excel put the header at ``header`` from the top edge and the
# table at ``top``, so ``top`` must exceed ``header`` by more than one header line (a 0.5"
# header under a 0.6" top margin was clipped on every page, issue 15).
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.9, "bottom": 0.8, "header": 0.35,
           "footer": 0.3}
_HF_FONT = f"{FONT_NAME},Regular"
_HF_SIZE = 9


def _page_setup(ws: Worksheet, title: str) -> None:
    """A4 landscape, fit to one page wide, header row repeated, page numbers."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)
    ws.print_title_rows = "1:1"
    for part, text in ((ws.oddHeader.center, _header_text(f"{title} · {ws.title}")),
                       (ws.oddFooter.center, "第 &P 页，共 &N 页")):
        part.text = text
        part.font = _HF_FONT
        part.size = _HF_SIZE


HOSTING_GRID_LABELS = 3
"""Label columns of the hosting grid (venue, kind, town), repeated on every printed page."""
HOSTING_MONTH_WIDTH = 24
"""Width of a month column of the hosting grid, in characters: three months and the label
columns fill an A4 landscape page at 100 % (see :func:`_print_by_quarter`)."""


def _print_by_quarter(ws: Worksheet) -> None:
    """Print the venue x month grid a quarter per page width at full size.

    Fitted to one page wide, twelve month columns printed at about 6 pt (issue 15).
    Instead the sheet is printed at 100 %: the label columns (venue, kind, town) and the
    header row repeat on every page, and a manual column break after every third month
    starts each quarter on a new page; pages run down the venues first, then over to the
    next quarter, so the printout reads quarter by quarter. On screen the grid is still
    one year wide.
    """
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = 100
    ws.page_setup.pageOrder = "downThenOver"
    ws.print_title_cols = f"A:{get_column_letter(HOSTING_GRID_LABELS)}"
    for month in (3, 6, 9):
        ws.col_breaks.append(Break(id=HOSTING_GRID_LABELS + month))


def build_workbook(instance: Instance, plan: Plan,
                   warnings: Sequence[str] | None = None) -> Workbook:
    """The plan as an openpyxl :class:`~openpyxl.Workbook` (not written anywhere).

    Parameters
    ----------
    instance
        The instance the plan was made from (for names, venues, fair shares).
    plan
        The plan.
    warnings
        Extra notes to list on the 概况 sheet besides ``plan.warnings`` (e.g. those
        :func:`xinglian.export.summary.plan_warnings` returns).
    """
    names = Names(instance)
    wb = Workbook()
    # The default font of every cell (also empty ones) and of the Normal style.
    wb._fonts = IndexedList([_BODY_FONT])
    wb._named_styles["Normal"].font = _BODY_FONT
    wb.remove(wb.active)
    title = plan_title(instance, plan)
    wb.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)
    wb.properties.creator = "xinglian"
    if plan.generated_at is not None:
        wb.properties.created = plan.generated_at.astimezone(dt.UTC).replace(tzinfo=None)
    sheets = {name: wb.create_sheet(name) for name in SHEETS}

    # 概况 ------------------------------------------------------------------------
    s = plan.solve
    # What the plan holds and the warnings first; how it was solved last.
    notes = all_warnings(plan, list(warnings or []))
    overview: list[tuple[str, Any]] = [
        ("计划", instance.name or instance.id),
        ("年度", plan.year),
        ("轮值任期", len(plan.rotation)),
        ("联席会", len(plan.meetings)),
        ("主办场次", len(plan.hosting)),
        ("跳过场次", len(plan.hosting_skipped)),
        ("未满足", len(plan.unfilled)),
        ("志愿者安排（人次）", len(plan.volunteering)),
        ("爱心妈妈结对", len(plan.care.pairs)),
        ("关爱走访", len(plan.care.visits)),
    ]
    overview += [("提示", w) for w in notes] or [("提示", "无")]
    overview += [
        ("求解状态", s.status),
        ("目标值", s.objective if s.objective is not None else "—"),
        ("下界", s.bound if s.bound is not None else "—"),
        ("差距", f"{s.gap:.2%}" if s.gap is not None else "—"),
        ("用时（秒）", round(s.wall_seconds, 2)),
        ("随机种子 / 并行数", f"{s.seed} / {s.workers}"),
        ("节假日来源", s.calendar_source or "—"),
        ("生成时间", plan.generated_at.isoformat() if plan.generated_at else "—"),
        ("实例", plan.instance),
    ]
    _table(sheets["概况"], ["项目", "内容"], overview, wrap=[1], widths={0: 18, 1: 90},
           autofilter=False)

    # 轮值主席 (grid) and 轮值明细 (long) -------------------------------------------
    plabels = periods(instance)
    chair = {(t.base, t.period): t.chair for t in plan.rotation}
    base_ids = [b.id for b in instance.bases]
    base_ids += sorted({t.base for t in plan.rotation} - set(base_ids))
    _table(
        sheets["轮值主席"],
        ["基地"] + [p.label for p in plabels],
        [[names.federation(b)] + [names.person(chair.get((b, p.period))) or "—"
                                  for p in plabels] for b in base_ids],
        wrap=range(len(plabels) + 1),
        freeze_cols=1, autofilter=False,
    )
    order = {b: i for i, b in enumerate(base_ids)}
    _table(
        sheets["轮值明细"],
        ["基地", "基地编号", "期次", "开始", "结束", "轮值主席", "人员编号"],
        [[names.federation(t.base), t.base, t.period, t.start, t.end, names.person(t.chair),
          t.chair]
         for t in sorted(plan.rotation, key=lambda t: (order.get(t.base, 0), t.period))],
    )

    # 联席会 -------------------------------------------------------------------------
    _table(
        sheets["联席会"],
        ["季度", "基地", "日期", "星期", "时间", "场地", "主持人", "参会人数", "请假人员",
         "参会人员", "编号"],
        [[f"第{m.quarter}季度", names.federation(m.base), m.start.date(),
          weekday_zh(m.start.date()), time_span(m.start, m.end), names.venue(m.venue),
          names.person(m.host), len(m.attendees),
          "、".join(names.person(p) for p in m.absent) or "—",
          "、".join(names.person(p) for p in m.attendees), m.id]
         for m in sorted(plan.meetings, key=lambda m: (m.quarter, m.start, order.get(m.base, 0)))],
        wrap=[1, 5, 8, 9],
    )

    # 阵地主办 (venue x month grid) and 主办明细 (long) ---------------------------------
    venue_ids = [v.id for v in instance.venues if v.slots]
    venue_ids += sorted({h.venue for h in plan.hosting} - set(venue_ids))
    grid_rows = []
    for vid in venue_ids:
        cells = []
        for month in range(1, 13):
            turns = sorted((h for h in plan.hosting if h.venue == vid and h.start.month == month),
                           key=lambda h: h.start)
            cells.append("\n".join(
                f"{h.start.day}日 {names.short_federation(h.federation)}"
                + (f"（{h.theme}）" if h.theme else "") for h in turns) or "—")
        grid_rows.append([names.venue(vid), names.venue_kind(vid), names.venue_town(vid)]
                         + cells)
    _table(
        sheets["阵地主办"],
        ["场地", "类型", "镇"] + [f"{m}月" for m in range(1, 13)],
        grid_rows,
        wrap=range(15),
        widths={0: 24, 1: 9, 2: 9, **{j: HOSTING_MONTH_WIDTH for j in range(3, 15)}},
        freeze_cols=HOSTING_GRID_LABELS, autofilter=False, font=_GRID_FONT,
    )
    vorder = {v: i for i, v in enumerate(venue_ids)}
    _table(
        sheets["主办明细"],
        ["编号", "场地", "类型", "镇", "日期", "星期", "时间", "主办单位", "联系人", "主题"],
        [[h.id, names.venue(h.venue), names.venue_kind(h.venue), names.venue_town(h.venue),
          h.start.date(), weekday_zh(h.start.date()), time_span(h.start, h.end),
          names.federation(h.federation), names.contact(h.federation), h.theme or ""]
         for h in sorted(plan.hosting, key=lambda h: (h.start, vorder.get(h.venue, 0), h.id))],
        wrap=[1, 7, 9],
    )

    # 个人职责 (one row per duty; filter by person) ------------------------------------
    _table(
        sheets["个人职责"],
        ["人员", "人员编号", "职责", "时间", "内容"],
        [[p.name, p.person, DUTY_KINDS[d.kind].split(" ")[0], d.when, d.what]
         for p in person_duties(instance, plan) for d in p.duties],
        wrap=[4],
    )

    # 主办公平 -----------------------------------------------------------------------
    _table(
        sheets["主办公平"],
        ["主办单位", "编号", "规模权重", "上年次数", "本年次数", "份额", "含结转份额", "组",
         "说明"],
        [[r.name, r.federation, r.weight, r.previous, r.turns,
          round(r.share, 2) if r.share is not None else "—",
          round(r.with_carry_over, 2) if r.with_carry_over is not None else "—",
          r.group if r.group is not None else "—", r.note]
         for r in fairness_rows(instance, plan)],
        wrap=[0, 8],
    )

    # 跳过场次 -----------------------------------------------------------------------
    _table(
        sheets["跳过场次"],
        ["编号", "场地", "类型", "日期", "星期", "时间", "原因"],
        [[k.id, names.venue(k.venue), names.venue_kind(k.venue), k.start.date(),
          weekday_zh(k.start.date()), time_span(k.start, k.end), k.why]
         for k in sorted(plan.hosting_skipped, key=lambda k: (k.start, vorder.get(k.venue, 0)))],
        wrap=[6],
    )

    # 软约束 -------------------------------------------------------------------------
    _table(
        sheets["软约束"],
        ["规则", "rule", "权重", "数量", "代价", "主要情形"],
        [[rule_title(p.rule), rule_title_en(p.rule), p.weight, p.amount, p.cost,
          "\n".join(p.worst) or "—"]
         for p in plan.penalties],
        wrap=[5], widths={5: 60},
    )

    # 未满足 -------------------------------------------------------------------------
    _table(sheets["未满足"], ["事项", "缺少", "原因"],
           [[u.what, u.missing, u.why] for u in plan.unfilled], wrap=[2])

    # 志愿者 (one row per assignment) and 志愿者公平 -------------------------------------
    acts = {r.activity: r for r in activity_rows(instance, plan)}
    aorder = {aid: i for i, aid in enumerate(acts)}
    feds = {p.id: p.volunteer.federation for p in instance.people if p.volunteer is not None}
    vol_rows = []
    for v in sorted(plan.volunteering,
                    key=lambda v: (aorder.get(v.activity, len(aorder)), v.activity,
                                   _role_index(names, v.activity, v.role), v.person)):
        a = acts.get(v.activity)
        vol_rows.append([
            a.date if a and a.date else "", weekday_zh(a.date) if a and a.date else "",
            f"{a.start}–{a.end}" if a and a.start else "", names.activity_title(v.activity),
            a.kind if a else "", a.town if a else "", a.venue if a else "", v.role,
            names.person(v.person), v.person, names.federation(feds.get(v.person)),
            v.activity])
    _table(
        sheets["志愿者"],
        ["日期", "星期", "时间", "活动", "类型", "镇街", "场地", "岗位", "志愿者", "人员编号",
         "所属妇联", "活动编号"],
        vol_rows, wrap=[3, 6, 10],
    )
    loads = sorted(volunteer_loads(instance, plan),
                   key=lambda v: (-v.activities, -v.minutes, v.person))
    _table(
        sheets["志愿者公平"],
        ["志愿者", "人员编号", "所属妇联", "镇街", "活动数", "时长（小时）", "最忙月份活动数",
         "每月上限", "有带队经验"] + [f"{m}月" for m in range(1, 13)],
        [[v.name, v.person, v.federation, v.town, v.activities, round(v.hours, 1),
          v.busiest_month, v.month_cap if v.month_cap is not None else "—",
          "是" if v.experienced else "否", *v.by_month] for v in loads],
        freeze_cols=2, wrap=[2],
    )

    # 爱心妈妈结对 and 关爱走访 (children by code and town, nothing else) --------------------
    _table(
        sheets["爱心妈妈结对"],
        ["爱心妈妈", "人员编号", "妈妈所在镇", "儿童代码", "儿童所在镇", "与上年相比", "见面",
         "谈心", "过节", "走访次数"],
        [[r.mother_name, r.mother, r.mother_town, r.child, r.child_town, r.last_year,
          *["、".join(f"{d.month}-{d.day}" for d in r.dates(k)) for k in VISIT_KIND_ZH],
          len(r.visits)]
         for r in care_pair_rows(instance, plan)],
    )
    _table(
        sheets["关爱走访"],
        ["编号", "爱心妈妈", "人员编号", "儿童代码", "类型", "日期", "星期", "时间", "儿童所在镇"],
        # The child column is the code from the plan, never looked up as a name.
        [[c.id, names.person(c.mother), c.mother, c.child, VISIT_KIND_ZH.get(c.kind, c.kind),
          c.start.date(), weekday_zh(c.start.date()), time_span(c.start, c.end),
          names.child_town(c.child)]
         for c in sorted(plan.care.visits, key=lambda c: (c.start, c.id))],
    )

    # 走访计划 (export/term.py): only in plans with a term of work
    if plan.term_visits or plan.signature_activities:
        from .term import visit_grid
        headers, grid = visit_grid(instance, plan)
        # The period columns hold a date and, for the signature activity, a venue: they
        # wrap, so the sheet prints at the size of the others instead of shrinking.
        _table(wb.create_sheet("走访计划"), headers, grid, freeze_cols=3,
               wrap=range(2, len(headers)))

    for ws in wb.worksheets:
        _page_setup(ws, title)
    _print_by_quarter(sheets["阵地主办"])
    # Open on the rotation grid; only its tab selected (two selected tabs would group the
    # sheets in Excel, and an edit would then go to both).
    wb.active = 1
    for i, ws in enumerate(wb.worksheets):
        ws.sheet_view.tabSelected = i == 1
    return wb


def _role_index(names: Names, aid: str, role: str) -> int:
    a = names.activity(aid)
    roles = [r.role for r in a.roles] if a else []
    return roles.index(role) if role in roles else len(roles)


def write_plan_workbook(instance: Instance, plan: Plan, path: str | Path,
                        warnings: Sequence[str] | None = None) -> Path:
    """Write the plan as an ``.xlsx`` workbook to ``path``, atomically.

    The workbook is saved to a temporary file in the same directory and renamed over
    ``path``, so a reader never sees a half-written file and an interrupted run leaves
    the previous workbook in place.

    Parameters
    ----------
    instance, plan, warnings
        As for :func:`build_workbook`.
    path
        The workbook to write (its directory is created when missing).

    Returns
    -------
    Path
        ``path``, resolved.

    Raises
    ------
    OutputError
        When ``path`` is a directory or cannot be written.
    """
    path = Path(path).resolve()
    if path.is_dir():
        raise OutputError(f"{path} is a directory; give a file name such as plan.xlsx")
    wb = build_workbook(instance, plan, warnings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.tmp-", suffix=".xlsx",
                                        dir=path.parent)
        os.close(fd)
    except OSError as e:
        raise OutputError(f"cannot write under {path.parent}: {e.strerror or e}") from None
    tmp = Path(tmp_name)
    try:
        wb.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {e.strerror or e}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
