"""summary.html: the plan as one static, printable page (A4 landscape).

Offices print the year plan and pin it on the wall, so the page is made for paper
first: no JavaScript and no external assets (the fairness chart is inline SVG), light
colours only, a page break before each section, table headers repeated on every page,
and a CJK font stack. Every piece of text from the instance or the plan is escaped.
The output depends only on the instance and the plan (the only time in it is
``plan.generated_at``), so re-rendering the same plan gives the same bytes.

Sections, in the order a clerk (or a member on her phone) needs them: a header with what
the plan holds and links to the sections; rotating chairs (base x period), joint
meetings, hosting turns (a venue x month grid on wide screens and paper, a list per
venue on a phone), warnings, volunteering (load chart, busiest, roster) and caring
mothers (children by code and town only) when there are any, each person's duties (one
card per person), a year calendar, hosting fairness chart, rotation load per person,
soft rules (by their Chinese and English titles), skipped slots and unfilled demands,
and last how the plan was solved (status, objective, bound, gap, time, seed, parts,
holiday source).

At phone width (below 760 px) the page is one column: wide tables scroll inside their
own box and never widen the page, tables of things (meetings, rules, roster, ...) show
each row as a card of labelled lines, charts scroll. Printing gives A4 landscape with
the grid, a page break before each section and the duty cards in three columns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from html import unescape as html_unescape
from math import ceil, floor
from zoneinfo import ZoneInfo

from ..models.hosting import eligible_hosts
from ..models.instance import Instance
from ..models.plan import Hosting, Meeting, Plan
from ..models.timeline import CalendarError, WorkCalendar, month_end, work_calendar
from .duties import DUTY_KINDS, person_duties
from .labels import VISIT_KIND_ZH, rule_title, rule_title_en
from .summary import all_warnings
from .views import (
    VISIT_KINDS,
    WEEKDAYS,
    FairRow,
    Names,
    VolunteerLoad,
    activity_rows,
    busiest,
    care_pair_rows,
    children_per_mother,
    expected_visits,
    fair_line,
    fairness_rows,
    periods,
    person_loads,
    plan_title,
    spread,
    time_span,
    visits_by_quarter,
    volunteer_loads,
    weekday_zh,
)

FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
              '"Hiragino Sans GB", "WenQuanYi Micro Hei", sans-serif')

CSS = """
@page { size: A4 landscape; margin: 12mm; }
:root {
  --ink: #1f2328; --muted: #5b6570; --line: #c3cbd3; --head: #eef2f6;
  --meet: #c0392b; --turn: #2f6fad; --theme: #b7791f; --hol: #fde7e7; --wkend: #f4f5f7;
  --ok: #3d8b5a; --off: #e08a2e;
}
html { font-family: __FONT__; color: var(--ink); background: #fff; font-size: 10pt;
  line-height: 1.35; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 1560px; padding: 14px 18px; background: #fff; }
h1 { font-size: 17pt; margin: 0 0 2px; }
h2 { font-size: 13pt; margin: 0 0 6px; padding-bottom: 2px; border-bottom: 2px solid var(--turn); }
h3 { font-size: 11pt; margin: 10px 0 4px; }
p { margin: 3px 0; }
.sub, .muted { color: var(--muted); }
section { margin-top: 22px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: 2px 5px; vertical-align: top; text-align: left; }
thead th { background: var(--head); font-weight: bold; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
tbody th { background: #f8fafb; font-weight: bold; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.skip td:nth-child(-n+2) { white-space: nowrap; }
.skip td:nth-child(3) { width: 16em; }
.small { font-size: 8.5pt; }
.status td { font-size: 11pt; }
.st-OPTIMAL { color: var(--ok); font-weight: bold; }
.st-FEASIBLE { color: var(--off); font-weight: bold; }
.rotation td, .rotation th { font-size: 11pt; padding: 4px 6px; }
.rotation td { text-align: center; }
.cal { table-layout: fixed; }
.cal th { text-align: center; font-size: 8pt; padding: 1px 2px; }
.cal td { font-size: 7.5pt; padding: 0 2px; height: 4.8mm; white-space: nowrap;
  overflow: hidden; line-height: 4.5mm; }
.cal th.dn { width: 6mm; }
.cal td.we { background: var(--wkend); }
.cal td.hol { background: var(--hol); }
.cal td.nd { background:
  repeating-linear-gradient(45deg, #fff, #fff 3px, #eceff2 3px, #eceff2 5px); }
.wd { color: var(--muted); display: inline-block; width: 1.2em; }
.mk { font-size: 6.5pt; color: var(--meet); margin-right: 2px; }
.mk.work { color: var(--turn); }
.bm, .bt { display: inline-block; min-width: 1.15em; padding: 0 2px; margin-right: 2px;
  border-radius: 6px; text-align: center; font-size: 7pt; line-height: 1.25; color: #fff; }
.bm { background: var(--meet); }
.bt { background: var(--turn); }
.star { color: var(--theme); }
.legend { font-size: 8.5pt; margin: 2px 0 6px; }
.legend span.item { margin-right: 14px; white-space: nowrap; }
.sw { display: inline-block; width: 1.6em; height: 0.9em; vertical-align: -1px;
  border: 1px solid var(--line); }
.hosting { table-layout: fixed; }
.hosting td, .hosting th { font-size: 7.5pt; padding: 1px 3px; }
.hosting thead th:first-child { width: 10.5%; }
.tn { padding-left: 2.3em; text-indent: -2.3em; margin-bottom: 2px; }
.tn b { font-weight: bold; }
.chart { width: 100%; height: auto; max-height: 165mm; display: block; }
.chart text { font-family: __FONT__; font-size: 11px; fill: var(--ink); }
.chart .grp { font-weight: bold; fill: var(--muted); }
.chart .axis { fill: var(--muted); font-size: 10px; }
.terms { color: var(--turn); letter-spacing: 1px; }
.miss { color: var(--meet); font-weight: bold; }
table.narrow { width: auto; min-width: 45%; }
ul.warn { margin: 4px 0; padding-left: 20px; }
ul.warn li { margin: 2px 0; }
body { overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; }
nav.toc { margin: 6px 0 0; font-size: 9.5pt; line-height: 1.9; }
nav.toc a { margin-right: 12px; white-space: nowrap; color: var(--turn); }
.hosting-list { display: none; }
.hosting-list .venue { margin: 8px 0 10px; }
.hosting-list h3 { margin: 0 0 2px; }
.hosting-list ul { margin: 0; padding-left: 0; list-style: none; }
.hosting-list li { margin: 3px 0; display: flex; }
.hosting-list b.m { flex: 0 0 3em; color: var(--muted); }
.hosting-list span.t { display: block; }
.hosting-list .star { margin-left: 0.4em; }
.people { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr));
  gap: 8px; }
.person { border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px;
  break-inside: avoid; page-break-inside: avoid; }
.person h3 { margin: 0 0 2px; }
.person p.k { margin: 4px 0 1px; font-weight: bold; color: var(--muted); font-size: 9pt; }
.person ul { margin: 0; padding-left: 1.1em; }
.person li { margin: 1px 0; }
/* Phones (a member opens the page sent in a WeChat group): one column, bigger text, the
   hosting grid as a list per venue, wide tables and charts scroll in their own box. */
@media screen and (max-width: 760px) {
  html { font-size: 11pt; }
  body { padding: 10px 12px; }
  h1 { font-size: 15pt; }
  h2 { font-size: 12.5pt; }
  .hosting-grid { display: none; }
  .hosting-list { display: block; }
  .people { grid-template-columns: 1fr; }
  .cal { min-width: 900px; }
  .chart { min-width: 600px; }
  .rotation td, .rotation th { font-size: 10.5pt; padding: 3px 4px; }
  .small, .hosting td { font-size: 9.5pt; }
  .rotation td { white-space: nowrap; }
  .rotation tbody th { min-width: 5.5em; }
  table.cards, table.cards tbody, table.cards tr, table.cards td,
  table.cards tbody th { display: block; width: auto; }
  table.cards thead { display: none; }
  table.cards tr { border: 1px solid var(--line); border-radius: 4px; margin: 0 0 8px;
    padding: 4px 8px; }
  table.cards td, table.cards tbody th { border: none; padding: 1px 0; text-align: left;
    white-space: normal; background: none; }
  table.cards td { display: inline-block; margin-right: 12px; vertical-align: top; }
  table.cards td[data-label] { width: auto; white-space: normal; }
  table.cards td:empty { display: none; }
  table.cards td[data-label]::before { content: attr(data-label) "："; color: var(--muted);
    font-size: 9pt; }
}
@media print {
  body { max-width: none; padding: 0; overflow-wrap: normal; }
  section { margin-top: 0; break-before: page; page-break-before: always; }
  section.keep { break-before: auto; page-break-before: auto; margin-top: 14px; }
  a { color: inherit; text-decoration: none; }
  .scroll { overflow: visible; }
  nav.toc { display: none; }
  /* Cards flow down three columns and across pages (a grid row would leave a page
     mostly empty under one tall card). */
  .people { display: block; columns: 3; column-gap: 8px; }
  .person { display: block; margin: 0 0 8px; break-inside: auto; page-break-inside: auto; }
  .person li, .person h3 { break-inside: avoid; }
  .person h3, .person p.k { break-after: avoid; }
}
""".replace("__FONT__", FONT_STACK)


HOLIDAY_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
"""Chinese names of the holidays `chinesecalendar` reports in English."""


SHANGHAI = ZoneInfo("Asia/Shanghai")


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _title(lines: Iterable[str]) -> str:
    """A title attribute value with one line per item (shown as a tooltip on screen)."""
    return "&#10;".join(_e(x) for x in lines)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "",
           num: Iterable[int] = (), row_header: bool = False) -> list[str]:
    """A table whose cells are already-escaped HTML; ``num`` are right-aligned columns.

    Every data cell carries its column's header as ``data-label``: on a phone, a table of
    class ``cards`` shows each row as a card of labelled lines (CSS only), any other table
    scrolls inside its own box.
    """
    num = set(num)
    labels = [_e(re.sub(r"<[^>]+>", "", html_unescape(h))) for h in headers]
    out = [f'<table class="{cls}">' if cls else "<table>", "<thead><tr>"]
    out += [f"<th>{h}</th>" for h in headers]
    out.append("</tr></thead><tbody>")
    for r in rows:
        cells = []
        for j, c in enumerate(r):
            label = f' data-label="{labels[j]}"' if j < len(labels) and labels[j] else ""
            if j == 0 and row_header:
                cells.append(f'<th scope="row"{label}>{c}</th>')
            else:
                cells.append(f'<td class="num"{label}>{c}</td>' if j in num
                             else f"<td{label}>{c}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    # On a phone a wide table scrolls inside this box instead of widening the page.
    return ['<div class="scroll">', *out, "</div>"]


def render_html(instance: Instance, plan: Plan, warnings: Sequence[str] | None = None) -> str:
    """The plan as a standalone, printable HTML page (UTF-8 text).

    Parameters
    ----------
    instance
        The instance the plan was made from (names, venues, holidays, fair shares).
    plan
        The plan to show.
    warnings
        Extra notes besides ``plan.warnings`` (as for ``render_summary``).

    Returns
    -------
    str
        The whole document, ``<!DOCTYPE html>`` first. It is well-formed XML as well.
    """
    names = Names(instance)
    try:
        calendar: WorkCalendar | None = work_calendar(instance)
    except CalendarError:
        calendar = None
    title = plan_title(instance, plan)
    notes = all_warnings(plan, list(warnings or []))
    body: list[str] = []
    # What a clerk (or a member on her phone) needs first: the plan, her duties, the
    # warnings; the solver's figures last.
    sections = [
        _rotation(instance, plan, names),
        _meetings(plan, names),
        _hosting(instance, plan, names),
        _warnings(notes),
        _volunteering(instance, plan, names),
        _care(instance, plan, names),
        _duties(instance, plan),
        _calendar(instance, plan, names, calendar),
        _fairness(instance, plan, names),
        _loads(instance, plan, names),
        _rules(plan),
        _skipped(plan, names),
        _solve(plan),
    ]
    body += _overview(instance, plan, title, notes, sections)
    for section in sections:
        body += section
    head = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        '<meta name="generator" content="xinglian"/>',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
    ]
    return "\n".join(head + body + ["</body>", "</html>"]) + "\n"


# -- sections -------------------------------------------------------------------------


SECTION_TITLES = {
    "rotation": "轮值主席", "meetings": "联席会", "hosting": "阵地主办", "duties": "个人职责",
    "warnings": "提示", "calendar": "年历", "fairness": "主办公平", "load": "轮值负担",
    "rules": "软约束", "skipped": "不可用场次", "volunteering": "志愿者", "care": "爱心妈妈",
    "solve": "求解信息",
}
"""Short names of the sections for the table of contents."""


def _overview(instance: Instance, plan: Plan, title: str, notes: list[str],
              sections: list[list[str]]) -> list[str]:
    """Title, what the plan holds, and links to the sections (no solver figures here)."""
    generated = (f"{plan.generated_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}（北京时间）"
                 if plan.generated_at else "—")
    version = f" · 第{plan.version}版" if plan.version > 1 else ""
    out = ['<header id="overview">', f"<h1>{_e(title)}</h1>",
           f'<p class="sub">{plan.year} 年{version} · 生成于 {_e(generated)}</p>']
    counts = [f"轮值任期 {len(plan.rotation)}", f"联席会 {len(plan.meetings)}",
              f"阵地主办 {len(plan.hosting)} 场"]
    if plan.volunteering:
        counts.append(f"志愿者安排 {len(plan.volunteering)} 人次")
    if plan.care.visits:
        counts.append(f"爱心妈妈走访 {len(plan.care.visits)} 次")
    if plan.unfilled:
        counts.append(f"未满足 {len(plan.unfilled)}")
    out.append(f"<p>{' · '.join(counts)}"
               + (f' · <a href="#warnings"><b>提示 {len(notes)} 条</b></a>' if notes else "")
               + "</p>")
    ids = [sec[0].split('id="', 1)[1].split('"', 1)[0] for sec in sections if sec]
    out.append('<nav class="toc">' + "".join(
        f'<a href="#{i}">{SECTION_TITLES.get(i, i)}</a>' for i in ids) + "</nav>")
    out.append("</header>")
    return out


def _solve(plan: Plan) -> list[str]:
    """How the plan was made: status, objective, bound, gap, time, seed, the parts."""
    s = plan.solve
    bound = "—" if s.bound is None else (
        f"{s.bound:.0f}" if float(s.bound).is_integer() else f"{s.bound:.2f}")
    gap = "—" if s.gap is None else f"{s.gap:.2%}"
    out = ['<section id="solve" class="keep">', "<h2>求解信息 How the plan was solved</h2>"]
    out += _table(
        ["状态 status", "目标值 objective", "下界 bound", "差距 gap", "用时 time",
         "随机种子 seed"],
        [[f'<span class="st-{_e(s.status)}">{_e(s.status)}</span>',
          _e(s.objective if s.objective is not None else "—"), _e(bound), _e(gap),
          f"{s.wall_seconds:.2f} s", f"{s.seed}（workers {s.workers}）"]],
        cls="status narrow cards",
    )
    if s.parts:
        counts: dict[str, int] = defaultdict(int)
        for p in s.parts:
            counts[p.status] += 1
        out.append(f"<p>分块求解 parts solved apart：{len(s.parts)}（"
                   + "，".join(f"{_e(k)} {v}" for k, v in sorted(counts.items())) + "）</p>")
        open_ = sorted((p for p in s.parts if p.status != "OPTIMAL"),
                       key=lambda p: p.bound - p.objective)[:10]
        if open_:
            out += _table(
                ["未证明最优的部分 part not proven optimal", "目标值 objective", "下界 bound",
                 "差距 gap", "用时 s"],
                [[_e(p.name), str(p.objective), f"{p.bound:.0f}",
                  f"{(p.objective - p.bound) / max(1, abs(p.objective)):.2%}",
                  f"{p.seconds:.1f}"] for p in open_], num=[1, 2, 3, 4], cls="small cards")
    out.append(f"<p>节假日来源 holiday calendar：{_e(s.calendar_source or '—')}</p>")
    out.append(f'<p class="muted">实例 instance {_e(plan.instance)}</p>')
    out.append("</section>")
    return out


def _duties(instance: Instance, plan: Plan) -> list[str]:
    """One card per person with every duty of her year (children by code only)."""
    people = person_duties(instance, plan)
    if not people:
        return []
    out = ['<section id="duties">', f"<h2>个人职责 Duties per person（{len(people)} 人）</h2>",
           '<div class="people">']
    for p in people:
        out.append(f'<article class="person" id="person-{_e(p.person)}">'
                   f'<h3>{_e(p.name)} <span class="muted">{_e(p.person)}</span></h3>')
        for kind, duties in p.by_kind():
            out.append(f'<p class="k">{_e(DUTY_KINDS[kind])}'
                       + (f"（{len(duties)}）" if len(duties) > 1 else "") + "</p><ul>")
            out += [f'<li><span class="nowrap">{_e(d.when)}</span> {_e(d.what)}</li>'
                    for d in duties]
            out.append("</ul>")
        out.append("</article>")
    out.append("</div></section>")
    return out


def _rotation(instance: Instance, plan: Plan, names: Names) -> list[str]:
    plabels = periods(instance)
    chair = {(t.base, t.period): t.chair for t in plan.rotation}
    bases = [b.id for b in instance.bases]
    bases += sorted({t.base for t in plan.rotation} - set(bases))
    out = ['<section id="rotation" class="keep">', "<h2>轮值主席 Rotating chairs</h2>"]
    rows = []
    for b in bases:
        row = [_e(names.federation(b))]
        for p in plabels:
            pid = chair.get((b, p.period))
            row.append(f'<span title="{_e(pid)}">{_e(names.person(pid))}</span>' if pid else "—")
        rows.append(row)
    out += _table(["基地 base"] + [_e(p.label) for p in plabels], rows, cls="rotation",
                  row_header=True)
    out.append("</section>")
    return out


def _meetings(plan: Plan, names: Names) -> list[str]:
    out = ['<section id="meetings">', "<h2>联席会 Joint meetings</h2>"]
    rows = []
    for m in sorted(plan.meetings, key=lambda m: (m.quarter, m.start, m.base)):
        absent = "、".join(names.person(p) for p in m.absent) or "—"
        rows.append([
            f"Q{m.quarter}", f"{m.start:%Y-%m-%d}", weekday_zh(m.start.date()),
            time_span(m.start, m.end), _e(names.federation(m.base)), _e(names.venue(m.venue)),
            _e(names.person(m.host)), str(len(m.attendees)), _e(absent),
        ])
    if rows:
        out += _table(["季度", "日期", "星期", "时间", "基地 base", "场地 venue", "主持 host",
                       "参会", "请假 absent"], rows, num=[7], cls="cards")
    else:
        out.append("<p>无 none</p>")
    out.append("</section>")
    return out


def _calendar(instance: Instance, plan: Plan, names: Names,
              calendar: WorkCalendar | None) -> list[str]:
    """Days 1..31 down, months across: a one-page wall calendar of the year."""
    year = instance.year
    meetings: dict[dt.date, list[Meeting]] = defaultdict(list)
    turns: dict[dt.date, list[Hosting]] = defaultdict(list)
    for m in plan.meetings:
        meetings[m.start.date()].append(m)
    for h in plan.hosting:
        turns[h.start.date()].append(h)
    holidays = calendar.holidays if calendar else {}
    makeup = calendar.makeup_workdays if calendar else frozenset()
    out = ['<section id="calendar">', f"<h2>{year} 年历 Year calendar</h2>"]
    out.append(
        '<p class="legend">'
        '<span class="item"><span class="bm">n</span>联席会场数 joint meetings</span>'
        '<span class="item"><span class="bt">n</span>阵地主办场次 hosting turns</span>'
        '<span class="item"><span class="star">★</span>主题活动 themed turn</span>'
        '<span class="item"><span class="sw" style="background:var(--hol)"></span>'
        '<span class="mk">休</span>法定节假日 holiday</span>'
        '<span class="item"><span class="mk work">班</span>调休上班 make-up workday</span>'
        '<span class="item"><span class="sw" style="background:var(--wkend)"></span>'
        "周末 weekend</span></p>")
    out.append('<div class="scroll"><table class="cal">')
    # Rotation periods above the months.
    pm = instance.rotation.period_months
    out.append('<thead><tr><th class="dn" rowspan="2">日</th>' + "".join(
        f'<th colspan="{pm}">{_e(p.label)}</th>' for p in periods(instance)) + "</tr>")
    out.append("<tr>" + "".join(f"<th>{m}月</th>" for m in range(1, 13)) + "</tr></thead>")
    out.append("<tbody>")
    for day in range(1, 32):
        cells = [f'<th class="dn">{day}</th>']
        for month in range(1, 13):
            if day > month_end(year, month).day:
                cells.append('<td class="nd"></td>')
                continue
            d = dt.date(year, month, day)
            cls = []
            if d.weekday() >= 5:
                cls.append("we")
            tip = [f"{d.isoformat()} {weekday_zh(d)}"]
            parts = [f'<span class="wd">{WEEKDAYS[d.weekday()]}</span>']
            if d in holidays:
                cls.append("hol")
                tip.append(f"法定节假日：{HOLIDAY_ZH.get(holidays[d], holidays[d])}")
                parts.append('<span class="mk">休</span>')
            elif d in makeup:
                tip.append("调休上班日")
                parts.append('<span class="mk work">班</span>')
            ms = sorted(meetings.get(d, []), key=lambda m: (m.start, m.base))
            if ms:
                parts.append(f'<span class="bm">{len(ms)}</span>')
                tip += [f"联席会 {m.start:%H:%M} {names.federation(m.base)} @ "
                        f"{names.venue(m.venue)}" for m in ms]
            ts = sorted(turns.get(d, []), key=lambda h: (h.start, h.venue))
            if ts:
                parts.append(f'<span class="bt">{len(ts)}</span>')
                tip += [f"主办 {h.start:%H:%M} {names.venue(h.venue)}："
                        f"{names.federation(h.federation)}"
                        + (f"（{h.theme}）" if h.theme else "") for h in ts]
                if any(h.theme for h in ts):
                    parts.append('<span class="star">★</span>')
            attr = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f'<td{attr} title="{_title(tip)}">{"".join(parts)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></div>")
    out.append("</section>")
    return out


def _hosting(instance: Instance, plan: Plan, names: Names) -> list[str]:
    """The venue x month grid (wide screens and paper) and the same turns as one list per
    venue, a line per month (phones: CSS shows one or the other)."""
    venue_ids = [v.id for v in instance.venues if v.slots]
    venue_ids += sorted({h.venue for h in plan.hosting} - set(venue_ids))
    if not venue_ids:
        return []
    out = ['<section id="hosting">', "<h2>阵地轮流主办 Hosting turns by venue and month</h2>"]
    rows = []
    lists = ['<div class="hosting-list">']
    for vid in venue_ids:
        head = f"{_e(names.venue_kind(vid))} · {_e(names.venue_town(vid))}"
        row = [f'{_e(names.venue(vid))}<br/><span class="muted">{head}</span>']
        months = []
        for month in range(1, 13):
            ts = sorted((h for h in plan.hosting if h.venue == vid and h.start.month == month),
                        key=lambda h: h.start)
            row.append("".join(
                f'<div class="tn"><b>{h.start.day}日</b> '
                f"{_e(names.short_federation(h.federation))}"
                + (f'<span class="star">★{_e(h.theme)}</span>' if h.theme else "") + "</div>"
                for h in ts) or '<span class="muted">—</span>')
            if ts:
                months.append(f'<li><b class="m">{month}月</b><div>' + "".join(
                    f'<span class="t"><span class="nowrap">{h.start.day}日 '
                    f"{weekday_zh(h.start.date())} {h.start:%H:%M}</span> "
                    f"{_e(names.short_federation(h.federation))}"
                    + (f'<span class="star">★{_e(h.theme)}</span>' if h.theme else "")
                    + "</span>" for h in ts) + "</div></li>")
        rows.append(row)
        lists.append(f'<div class="venue"><h3>{_e(names.venue(vid))} '
                     f'<span class="muted">{head}</span></h3>'
                     + (f'<ul>{"".join(months)}</ul>' if months
                        else '<p class="muted">本年无主办 no turns</p>') + "</div>")
    lists.append("</div>")
    grid = _table(["场地 venue"] + [f"{m}月" for m in range(1, 13)], rows, cls="hosting")
    out += ['<div class="hosting-grid">', *grid, "</div>", *lists]
    out.append("</section>")
    return out


def _group_labels(instance: Instance, rows: list[FairRow], names: Names) -> dict[int, str]:
    """Hosting group number -> the towns of its venues (e.g. ``霞美镇``)."""
    group_of = {r.federation: r.group for r in rows if r.group is not None}
    towns: dict[int, set[str]] = defaultdict(set)
    for vid, feds in eligible_hosts(instance).items():
        for f in feds:
            if f in group_of:
                towns[group_of[f]].add(names.venue_town(vid))
    return {g: "、".join(sorted(t)) for g, t in towns.items()}


def _fairness(instance: Instance, plan: Plan, names: Names) -> list[str]:
    """Horizontal bars: turns per hosting federation against its fair share."""
    rows = fairness_rows(instance, plan)
    if not rows:
        return []
    labels = _group_labels(instance, rows, names)
    ordered = sorted(rows, key=lambda r: (r.group is None, r.group or 0))
    top = max([r.turns for r in rows] + [ceil(r.share or 0) for r in rows]
              + [ceil(r.with_carry_over or 0) for r in rows] + [1])
    step = 1 if top <= 10 else (2 if top <= 20 else 5)
    top = ceil(top / step) * step
    width, label_w, right_w, row_h = 1000, 270, 90, 15
    plot_w = width - label_w - right_w
    scale = plot_w / top

    def x(v: float) -> float:
        return round(label_w + v * scale, 1)

    lines: list[str] = []
    y = 22
    group = object()
    for r in ordered:
        if r.group != group:
            group = r.group
            head = (f"第{r.group}组 · {labels.get(r.group, '')}" if r.group is not None
                    else "无可主办场地")
            y += 4
            lines.append(f'<text class="grp" x="4" y="{y + 11}">{_e(head)}</text>')
            y += row_h
        in_band = r.share is None or floor(r.share) <= r.turns <= ceil(r.share)
        color = "#2f6fad" if in_band else "#e08a2e"
        share = "—" if r.share is None else f"{r.share:.1f}"
        tip = (f"{r.name}：本年 {r.turns} 次，份额 {share}"
               + ("" if r.with_carry_over is None else f"，含结转 {r.with_carry_over:.1f}")
               + (f"；{r.note}" if r.note else ""))
        lines.append(f'<g><title>{_e(tip)}</title>')
        lines.append(f'<text x="{label_w - 6}" y="{y + 11}" text-anchor="end">'
                     f"{_e(names.short_federation(r.federation))}</text>")
        lines.append(f'<rect class="bar" data-federation="{_e(r.federation)}" x="{label_w}" '
                     f'y="{y + 2}" width="{round(r.turns * scale, 1)}" height="{row_h - 4}" '
                     f'fill="{color}" fill-opacity="0.85"/>')
        if r.share is not None:
            lines.append(f'<line class="share" x1="{x(r.share)}" x2="{x(r.share)}" y1="{y}" '
                         f'y2="{y + row_h}" stroke="#1f2328" stroke-width="2"/>')
        if r.with_carry_over is not None:
            cx = x(r.with_carry_over)
            lines.append(f'<path class="carry" d="M{cx} {y + 3} l4 4.5 l-4 4.5 l-4 -4.5 z" '
                         'fill="#fff" stroke="#1f2328" stroke-width="1.2"/>')
        lines.append(f'<text x="{width - right_w + 8}" y="{y + 11}">{r.turns} / {_e(share)}'
                     "</text>")
        lines.append("</g>")
        y += row_h
    axis_y = y + 4
    grid = []
    for v in range(0, top + 1, step):
        grid.append(f'<line x1="{x(v)}" x2="{x(v)}" y1="16" y2="{axis_y}" stroke="#e3e7eb" '
                    'stroke-width="1"/>')
        grid.append(f'<text class="axis" x="{x(v)}" y="{axis_y + 13}" text-anchor="middle">'
                    f"{v}</text>")
    height = axis_y + 20
    head = (f'<text class="axis" x="{width - right_w + 8}" y="12">本年 / 份额</text>'
            f'<text class="axis" x="{label_w}" y="12">主办次数 turns</text>')
    svg = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="主办次数与公平份额">', head, *grid, *lines, "</svg>"]
    out = ['<section id="fairness">', "<h2>主办公平 Hosting turns against fair shares</h2>"]
    out.append(
        '<p class="legend">'
        '<span class="item"><span class="sw" style="background:var(--turn)"></span>'
        "本年次数（在份额上下取整范围内）</span>"
        '<span class="item"><span class="sw" style="background:var(--off)"></span>'
        "本年次数（偏离份额超过取整范围）</span>"
        '<span class="item">┃ 按规模权重的份额 share</span>'
        '<span class="item">◇ 含上年结转的份额 with carry-over</span></p>')
    out += ["<div class=\"scroll\">", *svg, "</div>"]
    notes = [r for r in rows if r.note]
    if notes:
        out.append('<ul class="warn small">' + "".join(
            f"<li>{_e(r.name)}：{_e(r.note)}</li>" for r in notes) + "</ul>")
    out.append("</section>")
    return out


def _loads(instance: Instance, plan: Plan, names: Names) -> list[str]:
    loads = person_loads(instance, plan)
    if not loads:
        return []
    cap = instance.rotation.max_terms_per_person
    out = ['<section id="load">', "<h2>轮值负担 Rotation load per person</h2>",
           f'<p class="muted small">每人每年最多 {cap} 个任期（所有基地合计）。</p>']
    rows = []
    for p in loads:
        many = len(p.presidiums) > 1
        periods_ = "、".join(
            f"{t}" + (f"（{names.short_federation(b)}）" if many else "") for b, t in p.periods)
        rows.append([
            f"{_e(p.name)} <span class=\"muted\">{_e(p.person)}</span>",
            _e("、".join(names.short_federation(b) for b in p.presidiums) or "—"),
            f'<span class="terms">{"■" * p.terms}{"□" * max(0, cap - p.terms)}</span> {p.terms}',
            _e(periods_ or "—"), str(p.last_year), str(p.hosts), str(p.attends),
        ])
    out += _table(["人员 person", "主席团 presidiums", "本年任期 terms", "期次 periods",
                   "上年任期 last year", "主持联席会 hosts", "参加联席会 attends"],
                  rows, num=[4, 5, 6], cls="small cards")
    out.append("</section>")
    return out


def _rules(plan: Plan) -> list[str]:
    out = ['<section id="rules">', "<h2>软约束 Soft rules</h2>"]
    rows = []
    for p in plan.penalties:
        worst = "<br/>".join(_e(w) for w in p.worst) or "—"
        rows.append([f'{_e(rule_title(p.rule))}<br/><span class="muted">'
                     f"{_e(rule_title_en(p.rule))}</span>",
                     str(p.weight), str(p.amount), str(p.cost),
                     f'<span class="small">{worst}</span>'])
    if rows:
        total = sum(p.cost for p in plan.penalties)
        rows.append(["<b>合计 total</b>", "", "", f"<b>{total}</b>", ""])
        out += _table(["规则 rule", "权重 weight", "数量 amount", "代价 cost",
                       "主要情形 worst cases"], rows, num=[1, 2, 3], cls="cards")
    else:
        out.append("<p>无 none</p>")
    out.append("</section>")
    return out


def _skipped(plan: Plan, names: Names) -> list[str]:
    """Unusable slots grouped by day and reason (a holiday closes many venues at once)."""
    out = ['<section id="skipped">', "<h2>不可用场次与未满足 Skipped slots and unfilled</h2>"]
    groups: dict[tuple[dt.date, str], list[str]] = defaultdict(list)
    for k in sorted(plan.hosting_skipped, key=lambda k: (k.start, k.venue)):
        groups[(k.start.date(), k.why)].append(f"{names.venue(k.venue)} {k.start:%H:%M}")
    out.append(f"<h3>不可用场次 skipped slots（{len(plan.hosting_skipped)}）</h3>")
    if groups:
        rows = [[f"{d:%Y-%m-%d}", weekday_zh(d), _e(why), str(len(vs)),
                 f'<span class="small">{_e("、".join(vs))}</span>']
                for (d, why), vs in sorted(groups.items())]
        out += _table(["日期", "星期", "原因 why", "场次", "场地 venues"], rows, num=[3],
                      cls="small skip cards")
    else:
        out.append("<p>无 none</p>")
    out.append(f"<h3>未满足 unfilled（{len(plan.unfilled)}）</h3>")
    if plan.unfilled:
        out += _table(["事项 what", "缺少 missing", "原因 why"],
                      [[_e(u.what), _e(u.missing), _e(u.why)] for u in plan.unfilled],
                      cls="cards")
    else:
        out.append("<p>无 none</p>")
    out.append("</section>")
    return out


def _volunteering(instance: Instance, plan: Plan, names: Names) -> list[str]:
    """Load chart and fairness numbers, then the roster (one row per activity)."""
    if not instance.activities and not plan.volunteering:
        return []
    rows = activity_rows(instance, plan)
    loads = volunteer_loads(instance, plan)
    out = ['<section id="volunteering">', "<h2>巾帼志愿者 Volunteering</h2>"]
    out.append(
        f"<p>活动 {len(rows)} 场 · 安排 {sum(r.assigned for r in rows)} 人次 · "
        f"志愿者 {len(loads)} 人 · 缺人 {sum(r.missing for r in rows)} 人"
        f"（{sum(1 for r in rows if r.missing)} 场活动）</p>")
    if loads:
        k = fair_line(instance)
        out.append("<h3>志愿者负担 Volunteer load</h3>")
        out += _load_chart(loads, k)
        acts = spread([v.activities for v in loads])
        hours = spread([v.hours for v in loads])
        out += _table(["", "活动数 activities", "时长 hours"],
                      [[label, f"{a:g}", f"{h:.1f}"] for label, a, h in (
                          ("最少 min", acts.min, hours.min),
                          ("中位数 median", acts.median, hours.median),
                          ("最多 max", acts.max, hours.max))],
                      num=[1, 2], cls="small narrow")
        top = busiest(loads)
        if top:
            out.append("<h3>最忙的志愿者 Busiest volunteers</h3>")
            out += _table(
                ["志愿者 volunteer", "所属妇联 federation", "活动数 activities", "时长 hours",
                 "最忙月份 busiest month"],
                [[f'{_e(v.name)} <span class="muted">{_e(v.person)}</span>',
                  _e(v.federation or "—"), str(v.activities), f"{v.hours:.1f}",
                  str(v.busiest_month)
                  + (f" / 上限 {v.month_cap}" if v.month_cap is not None else "")]
                 for v in top], num=[2, 3], cls="small cards")
    out.append(f"<h3>活动安排 Roster（{len(rows)}）</h3>")
    roster = []
    for r in rows:
        roles = "<br/>".join(
            f"<b>{_e(x.role)}</b>：{_e('、'.join(x.names) or '—')}"
            + (f' <span class="miss">缺{x.missing}</span>' if x.missing else "")
            for x in r.roles)
        if r.leads:
            roles += f'<br/><span class="muted">带队：{_e("、".join(r.leads))}</span>'
        elif r.lead_required:
            roles += '<br/><span class="miss">带队：暂缺</span>'
        roster.append([
            f"{r.date:%Y-%m-%d}" if r.date else "—", weekday_zh(r.date) if r.date else "",
            _e(f"{r.start}–{r.end}" if r.start else ""), _e(r.title), _e(r.kind),
            _e(r.place or "—"), roles])
    out += _table(["日期", "星期", "时间", "活动 activity", "类型 kind", "地点 place",
                   "岗位与人员 roles"], roster, cls="small cards")
    out.append("</section>")
    return out


def _load_chart(loads: list[VolunteerLoad], fair: int) -> list[str]:
    """Vertical bars: how many volunteers carry 0, 1, 2, ... activities, with the fair
    line ``k`` of ``volunteer_overload`` (bars right of it are over the line)."""
    counts: dict[int, int] = defaultdict(int)
    for v in loads:
        counts[v.activities] += 1
    top_x = max([*counts, fair, 1])
    top_y = max(counts.values())
    width, height, left, bottom, top_pad = 1000, 220, 50, 30, 24
    plot_w, plot_h = width - left - 20, height - bottom - top_pad
    slot = plot_w / (top_x + 1)
    bar_w = max(2.0, min(60.0, slot * 0.7))

    def y(v: float) -> float:
        return round(top_pad + plot_h - v / top_y * plot_h, 1)

    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="志愿者负担分布">']
    for k in range(top_x + 1):
        cx = left + slot * (k + 0.5)
        n = counts.get(k, 0)
        color = "#e08a2e" if k > fair else "#2f6fad"
        if n:
            parts.append(f"<g><title>{n} 位志愿者各 {k} 场活动</title>")
            parts.append(f'<rect class="vbar" data-activities="{k}" data-volunteers="{n}" '
                         f'x="{round(cx - bar_w / 2, 1)}" y="{y(n)}" width="{round(bar_w, 1)}" '
                         f'height="{round(y(0) - y(n), 1)}" fill="{color}" fill-opacity="0.85"/>')
            parts.append(f'<text x="{round(cx, 1)}" y="{y(n) - 3}" text-anchor="middle">{n}'
                         "</text></g>")
        if top_x <= 40 or k % 5 == 0:
            parts.append(f'<text class="axis" x="{round(cx, 1)}" y="{height - bottom + 14}" '
                         f'text-anchor="middle">{k}</text>')
    fx = round(left + slot * (fair + 0.5) + slot / 2, 1)
    parts.append(f'<line class="fair" x1="{fx}" x2="{fx}" y1="{top_pad - 6}" y2="{y(0)}" '
                 'stroke="#1f2328" stroke-width="1.5" stroke-dasharray="5 3"/>')
    parts.append(f'<text class="axis" x="{fx + 4}" y="{top_pad - 8}">平均线 k = {fair}</text>')
    parts.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(0)}" y2="{y(0)}" '
                 'stroke="#c3cbd3" stroke-width="1"/>')
    parts.append(f'<text class="axis" x="{left}" y="{height - 4}">每人活动场数 activities per '
                 "volunteer（柱高：志愿者人数 volunteers）</text>")
    parts.append("</svg>")
    legend = ('<p class="legend"><span class="item"><span class="sw" '
              'style="background:var(--turn)"></span>不超过平均线</span>'
              '<span class="item"><span class="sw" style="background:var(--off)"></span>'
              "超过平均线（计入软约束「志愿者负担超过平均线」）</span></p>")
    return [legend, "<div class=\"scroll\">", *parts, "</div>"]


def _care(instance: Instance, plan: Plan, names: Names) -> list[str]:
    """Pairs, children per mother, visits per quarter, and each pair's visit days.
    Children by code and town only: no name, address, age or needs."""
    if not instance.children and not plan.care.pairs and not plan.care.visits:
        return []
    pairs = care_pair_rows(instance, plan)
    out = ['<section id="care">', "<h2>爱心妈妈 Caring mothers"
           '<span class="muted small">（儿童以代码标识 children by code）</span></h2>']
    per = "，".join(f"{k} 名儿童：{n} 位" for k, n in children_per_mother(plan).items())
    out.append(
        f"<p>结对 {len(plan.care.pairs)} 对 · 儿童 {len({p.child for p in plan.care.pairs})} 名 · "
        f"爱心妈妈 {len({p.mother for p in plan.care.pairs})} 位"
        + (f"（每位妈妈结对 {_e(per)}）" if per else "")
        + f" · 走访 {len(plan.care.visits)} 次</p>")
    want = expected_visits(instance, plan)
    qrows = [[label, *(str(c[k]) for k in VISIT_KINDS), str(sum(c.values()))]
             for label, c in visits_by_quarter(plan)]
    qrows.append(["应走访 expected", f"每季 {want['meet']}", f"每季 {want['talk']}",
                  f"全年 {want['festival']}", "—"])
    out += _table(["季度 quarter", *(VISIT_KIND_ZH[k] for k in VISIT_KINDS), "合计 total"],
                  qrows, num=[1, 2, 3, 4], cls="small narrow")
    if pairs:
        out.append(f"<h3>结对与走访 Pairs and visits（{len(pairs)}）</h3>")
        out += _table(
            ["爱心妈妈 mother", "儿童代码 child", "儿童所在镇 town", "与上年相比", "见面 meet",
             "谈心 talk", "过节 festival"],
            [[f'{_e(p.mother_name)} <span class="muted">{_e(p.mother)}</span>', _e(p.child),
              _e(p.child_town or "—"), _e(p.last_year),
              *(_e("、".join(f"{d.month}-{d.day}" for d in p.dates(k)) or "—")
                for k in VISIT_KINDS)]
             for p in pairs], cls="small cards")
    out.append("</section>")
    return out


def _warnings(notes: list[str]) -> list[str]:
    out = ['<section id="warnings" class="keep">', "<h2>提示 Warnings</h2>"]
    if notes:
        out.append('<ul class="warn">' + "".join(f"<li>{_e(w)}</li>" for w in notes) + "</ul>")
    else:
        out.append("<p>无 none</p>")
    out.append("</section>")
    return out
