"""summary.md: the plan as a clerk reads it -- rotation, meetings, hosting, warnings,
volunteering, caring mothers, each person's duties -- and the solver's figures last."""

from __future__ import annotations

from collections import Counter

from ..models.instance import Instance
from ..models.plan import Plan
from .labels import (  # noqa: F401 (re-exported)
    RULE_TITLES,
    VISIT_KIND_SHORT,
    VISIT_KIND_ZH,
    rule_title,
    rule_title_en,
)

_WEEKDAYS = "一二三四五六日"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _fmt_bound(b: float | None) -> str:
    return "—" if b is None else (f"{b:.0f}" if float(b).is_integer() else f"{b:.2f}")


def _parts_lines(plan: Plan) -> list[str]:
    """How the plan was solved: the independent parts, by status, and the ones not
    proven optimal with their own gap (the plan's gap is the sum of theirs)."""
    parts = plan.solve.parts
    if not parts:
        return []
    counts: dict[str, int] = {}
    for p in parts:
        counts[p.status] = counts.get(p.status, 0) + 1
    kept = sum(1 for p in parts if p.kept)
    line = (f"分块求解 parts solved apart: {len(parts)}（"
            + "，".join(f"{k} {v}" for k, v in sorted(counts.items()))
            + (f"；沿用上一版 kept from the previous version {kept}" if kept else "") + "）")
    out = [line + "\n"]
    open_ = sorted((p for p in parts if p.status != "OPTIMAL"),
                   key=lambda p: p.bound - p.objective)
    if open_:
        out.append("| 未证明最优的部分 part not proven optimal | 目标值 objective | 下界 bound | "
                   "差距 gap | 用时 s |")
        out.append("| --- | --- | --- | --- | --- |")
        for p in open_[:10]:
            gap = (p.objective - p.bound) / max(1, abs(p.objective))
            out.append(f"| {p.name} | {p.objective} | {_fmt_bound(p.bound)} | {gap:.2%} | "
                       f"{p.seconds:.1f} |")
        if len(open_) > 10:
            out.append(f"| …… 另有 {len(open_) - 10} 个 and {len(open_) - 10} more | | | | |")
        out.append("")
    return out


def all_warnings(plan: Plan, warnings: list[str] | tuple[str, ...] | None = None) -> list[str]:
    """``plan.warnings`` and the extra ``warnings``, each once, in that order (a plan
    read back from its directory already carries the ones computed when it was made)."""
    return list(dict.fromkeys([*plan.warnings, *(warnings or ())]))


def _md_list(items: list[str]) -> str:
    """Several items in one table cell: markdown has no line break inside a cell, and raw
    ``<br>`` shows as text in many viewers, so they are joined by a full-width semicolon."""
    return "；".join(items)


def render_summary(instance: Instance, plan: Plan, warnings: list[str] | None = None) -> str:
    """Markdown summary of a plan, in the order a clerk reads it.

    The plan first (rotation table, joint meetings, hosting grid and fairness), the
    warnings and unfilled demands, volunteering, caring mothers, each person's duty list,
    then rotation load per person, soft rules by their titles, pins, and last how the
    plan was solved (status, objective, bound, gap, seed, parts). Names come from the instance,
    never shortened; ids in brackets where a name alone is ambiguous.
    """
    from .views import periods

    name = instance.person
    s = plan.solve
    notes = all_warnings(plan, warnings)
    out: list[str] = []
    title = instance.name or instance.id
    out.append(f"# {title}" + ("" if str(plan.year) in title else f" · {plan.year} 年度计划") + "\n")
    version = f" · 第{plan.version}版" if plan.version > 1 else ""
    out.append(
        f"{plan.year} 年{version} · 轮值任期 {len(plan.rotation)} · 联席会 {len(plan.meetings)} · "
        f"阵地主办 {len(plan.hosting)} 场"
        + (f" · 志愿者安排 {len(plan.volunteering)} 人次" if plan.volunteering else "")
        + (f" · 爱心妈妈走访 {len(plan.care.visits)} 次" if plan.care.visits else "")
        + (f" · **提示 {len(notes)} 条**（见「提示 Warnings」）" if notes else "") + "\n")

    # Rotation table: base x period.
    chair = {(t.base, t.period): t.chair for t in plan.rotation}
    out.append("## 轮值主席 Rotating chairs\n")
    header = ["基地 base"] + [p.label for p in periods(instance)]
    out.append("| " + " | ".join(header) + " |")
    out.append("| " + " | ".join("---" for _ in header) + " |")
    for base in instance.bases:
        row = [_cell(base.name)]
        for p in periods(instance):
            pid = chair.get((base.id, p.period))
            row.append(_cell(name(pid).name) if pid else "—")
        out.append("| " + " | ".join(row) + " |")
    out.append("")

    # Meetings.
    out.append("## 联席会 Joint meetings\n")
    out.append("| 季度 quarter | 日期 date | 时间 time | 基地 base | 场地 venue | 主持 host | 参会 attending | 请假 absent |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for m in sorted(plan.meetings, key=lambda m: (m.quarter, m.start, m.base)):
        venue = instance.venue(m.venue).name
        absent = "、".join(name(p).name for p in m.absent) or "—"
        out.append(
            f"| Q{m.quarter} | {m.start:%Y-%m-%d} 周{_WEEKDAYS[m.start.weekday()]} | "
            f"{m.start:%H:%M}–{m.end:%H:%M} | {_cell(instance.federation(m.base).name)} | "
            f"{_cell(venue)} | {_cell(name(m.host).name)} | {len(m.attendees)} | {_cell(absent)} |"
        )
    out.append("")

    out.extend(_hosting_section(instance, plan))

    out.append("## 提示 Warnings\n")
    if notes:
        out.extend(f"- {_cell(w)}" for w in notes)
    else:
        out.append("- 无 none")
    out.append("")

    out.extend(_unfilled_section(plan))
    out.extend(_volunteering_section(instance, plan))
    out.extend(_care_section(instance, plan))
    out.extend(_term_section(instance, plan))
    # The longest part (a county has some 400 people), so after the tables above.
    out.extend(_duties_section(instance, plan))

    # Rotation load per person.
    out.append("## 轮值负担 Rotation load per person\n")
    out.append("| 人员 person | 主席团 presidiums | 本年任期 terms | 期次 periods | 上年任期 last year | 主持联席会 hosts | 参加联席会 attends |")
    out.append("| --- | --- | --- | --- | --- | --- | --- |")
    terms = Counter(t.chair for t in plan.rotation)
    last_year = Counter(h.chair for h in instance.history.rotation if h.year == instance.year - 1)
    hosts = Counter(m.host for m in plan.meetings)
    attends = Counter(p for m in plan.meetings for p in m.attendees)
    members = list(dict.fromkeys(p for b in instance.bases for p in b.presidium))
    for p in members:
        bases = [b for b in instance.bases if p in b.presidium]
        # The whole base name when she sits on several presidiums (never cut short).
        periods_ = "、".join(
            f"{t.period}" + (f"（{instance.federation(t.base).name}）" if len(bases) > 1 else "")
            for t in sorted(plan.rotation, key=lambda t: t.period) if t.chair == p
        )
        out.append(
            f"| {_cell(name(p).name)} ({p}) | {len(bases)} | {terms[p]} | {_cell(periods_) or '—'} | "
            f"{last_year[p]} | {hosts[p]} | {attends[p]} |"
        )
    out.append("")

    out.extend(_rules_section(plan))

    if instance.pins.rotation or instance.pins.meetings:
        out.append("## 固定安排 Pinned decisions\n")
        for pin in instance.pins.rotation:
            out.append(
                f"- {instance.federation(pin.base).name} 第{pin.period}期轮值主席固定为 "
                f"{name(pin.chair).name}" + (f"：{pin.reason}" if pin.reason else "")
            )
        for mp in instance.pins.meetings:
            what = "、".join(x for x in (
                str(mp.date) if mp.date else "",
                instance.venue(mp.venue).name if mp.venue else "",
                f"第{mp.slot}场次" if mp.slot else "") if x)
            out.append(
                f"- {instance.federation(mp.base).name} 第{mp.quarter}季度联席会固定为 {what}"
                + (f"：{mp.reason}" if mp.reason else "")
            )
        out.append("")

    # How the plan was made: for whoever maintains it, so last.
    out.append("## 求解信息 How the plan was solved\n")
    gap = "—" if s.gap is None else f"{s.gap:.2%}"
    out.append("| 状态 status | 目标值 objective | 下界 bound | 差距 gap | 用时 time | 随机种子 seed |")
    out.append("| --- | --- | --- | --- | --- | --- |")
    out.append(
        f"| {s.status} | {s.objective if s.objective is not None else '—'} | "
        f"{_fmt_bound(s.bound)} | {gap} | {s.wall_seconds:.2f} s | {s.seed} (workers {s.workers}) |"
    )
    out.append("")
    out.extend(_parts_lines(plan))
    out.append(f"节假日来源 holiday calendar: {s.calendar_source or '—'}\n")
    if plan.generated_at is not None:
        out.append(f"生成时间 generated: {plan.generated_at.isoformat()}\n")
    return "\n".join(out)


def _rules_section(plan: Plan) -> list[str]:
    """Soft rules by their titles in Chinese and English (the rule keys are for code)."""
    out = ["## 软约束 Soft rules\n"]
    out.append("| 规则 rule | 权重 weight | 数量 amount | 代价 cost | 主要情形 worst cases |")
    out.append("| --- | --- | --- | --- | --- |")
    for pen in plan.penalties:
        worst = _md_list(list(pen.worst)) if pen.worst else "—"
        out.append(
            f"| {_cell(rule_title(pen.rule))} / {_cell(rule_title_en(pen.rule))} | {pen.weight} | "
            f"{pen.amount} | {pen.cost} | {_cell(worst)} |"
        )
    if plan.penalties:
        out.append(f"| 合计 total | | | {sum(p.cost for p in plan.penalties)} | |")
    out.append("")
    return out


def _duties_section(instance: Instance, plan: Plan) -> list[str]:
    """Each person's duties of the year, grouped by kind, by date (children by code)."""
    from .duties import DUTY_KINDS, person_duties

    people = person_duties(instance, plan)
    if not people:
        return []
    out = [f"## 个人职责 Duties per person（{len(people)} 人）\n"]
    for p in people:
        out.append(f"### {_cell(p.name)} ({p.person})\n")
        for kind, duties in p.by_kind():
            label = DUTY_KINDS[kind]
            if len(duties) == 1:
                d = duties[0]
                out.append(f"- {label}：{_cell(d.when)} {_cell(d.what)}".rstrip())
            else:
                out.append(f"- {label}（{len(duties)}）：")
                out.extend(f"  - {_cell(d.when)} {_cell(d.what)}".rstrip() for d in duties)
        out.append("")
    return out


def _period_bounds(plan: Plan) -> list[tuple]:
    seen: dict[int, tuple] = {}
    for t in plan.rotation:
        seen.setdefault(t.period, (t.start, t.end))
    return [seen[k] for k in sorted(seen)]


def plan_warnings(instance: Instance, plan: Plan, calendar_source: str) -> list[str]:
    """Things a person should know that are not rule violations."""
    out: list[str] = []
    if calendar_source.startswith("instance table"):
        out.append(
            f"{plan.year} 年节假日取自实例自带表（{calendar_source}）；"
            f"国务院放假通知发布后请核对 calendar.holidays。"
        )
    if instance.themes:
        from ..models.hosting import expand_slots, place_themes
        from ..models.timeline import work_calendar

        out.extend(place_themes(instance, expand_slots(instance, work_calendar(instance)))[1])
    by_period = {(t.base, t.period): t for t in plan.rotation}
    for t in plan.rotation:
        person = instance.person(t.chair)
        days = sorted(
            {d for r in person.unavailable for d in r.days() if t.start <= d <= t.end}
        )
        if days:
            reasons = "、".join(sorted({r.reason for r in person.unavailable if r.reason
                                      and r.start <= t.end and r.end >= t.start}))
            out.append(
                f"{person.name} 任 {instance.federation(t.base).name} 第{t.period}期轮值主席，"
                f"其间有 {len(days)} 天不在（{reasons or '未注明'}），请安排好交接。"
            )
    for base in instance.bases:
        idle = [p for p in base.presidium
                if not any(by_period.get((base.id, k)) and by_period[base.id, k].chair == p
                           for k in range(1, instance.periods + 1))]
        if idle:
            names = "、".join(instance.person(p).name for p in idle)
            out.append(f"{base.name} 本年度 {names} 未轮值。")
    return out


def _term_section(instance: Instance, plan: Plan) -> list[str]:
    """走访计划: the rotating chair's term of work (export/term.py)."""
    from .term import visit_table_lines
    return visit_table_lines(instance, plan)


def _hosting_section(instance: Instance, plan: Plan) -> list[str]:
    """Venue x month grid, turns per federation against fair shares, skipped slots."""
    from ..models.hosting import expand_slots, fair_shares
    from ..models.instance import VENUE_KIND_ZH
    from ..models.timeline import work_calendar
    from .views import share_note

    if not plan.hosting and not plan.hosting_skipped and not any(
            f.hosting for f in instance.federations):
        return []
    out = ["## 阵地轮流主办 Hosting at shared venues\n"]
    venues = [v for v in instance.venues if v.slots]
    short = {f.id: f.name.removesuffix("妇联").removesuffix("有限公司") for f in instance.federations}
    header = ["场地 venue"] + [f"{m}月" for m in range(1, 13)]
    out.append("| " + " | ".join(header) + " |")
    out.append("| " + " | ".join("---" for _ in header) + " |")
    for v in venues:
        cells = []
        for month in range(1, 13):
            turns = sorted((h for h in plan.hosting
                            if h.venue == v.id and h.start.month == month), key=lambda h: h.start)
            cells.append(_md_list([
                f"{h.start.day}日 {short.get(h.federation, h.federation)}"
                + (f"（{h.theme}）" if h.theme else "") for h in turns]) or "—")
        out.append(f"| {_cell(v.name)}（{VENUE_KIND_ZH[v.kind]}） | " + " | ".join(
            _cell(c) for c in cells) + " |")
    out.append("")

    calendar = work_calendar(instance)
    all_slots = expand_slots(instance, calendar)
    shares = fair_shares(instance, all_slots)
    counts: dict[str, int] = {}
    for h in plan.hosting:
        counts[h.federation] = counts.get(h.federation, 0) + 1
    out.append("| 主办单位 federation | 规模权重 weight | 上年 last year | 本年 turns | 份额 share | "
               "含结转 with carry-over | 组 group | 说明 note |")
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for f in instance.federations:
        if f.hosting is None:
            continue
        sh = shares.get(f.id)
        n = counts.get(f.id, 0)
        if sh is None:
            out.append(f"| {_cell(f.name)} | {f.hosting.weight} | — | {n} | — | — | — | "
                       f"无可主办场地 no venue open to it |")
            continue
        note = share_note(instance, calendar, f, n, sh, all_slots)
        out.append(
            f"| {_cell(f.name)} | {f.hosting.weight} | {sh.previous} | {n} | "
            f"{float(sh.this_year):.1f} | {float(sh.with_carry_over):.1f} | {sh.group} | {note} |"
        )
    out.append("")
    if plan.hosting_skipped:
        out.append(f"不可用的场次 skipped slots ({len(plan.hosting_skipped)}):\n")
        for s in plan.hosting_skipped:
            vname = instance.venue(s.venue).name if s.venue in {v.id for v in venues} else s.venue
            out.append(f"- {s.start:%Y-%m-%d %H:%M} {_cell(vname)}：{_cell(s.why)}")
        out.append("")
    return out


ROSTER_LIMIT = 60
"""Up to this many activities, summary.md lists every one; beyond, only those short of
people (the calendars and the workbook hold the whole roster)."""


def _volunteering_section(instance: Instance, plan: Plan) -> list[str]:
    """Months at a glance, the roster, the load per volunteer (min/median/max, busiest)."""
    from .views import activity_rows, busiest, fair_line, spread, volunteer_loads

    if not instance.activities and not plan.volunteering:
        return []
    rows = activity_rows(instance, plan)
    out = ["## 巾帼志愿者 Volunteering\n"]
    short = [r for r in rows if r.missing]
    out.append(
        f"活动 {len(rows)} 场，安排 {sum(r.assigned for r in rows)} 人次；"
        f"{len(short)} 场活动缺人，共缺 {sum(r.missing for r in rows)} 人 "
        f"({len(rows)} activities, {sum(r.assigned for r in rows)} assignments, "
        f"{sum(r.missing for r in rows)} people missing).\n")

    out.append("| 月份 month | 活动 activities | 人次 assignments | 志愿时长 hours | 缺人 missing |")
    out.append("| --- | --- | --- | --- | --- |")
    for month in range(1, 13):
        mine = [r for r in rows if r.date is not None and r.date.month == month]
        if not mine:
            continue
        hours = sum(r.hours * r.assigned for r in mine)
        out.append(f"| {month}月 | {len(mine)} | {sum(r.assigned for r in mine)} | "
                   f"{hours:.1f} | {sum(r.missing for r in mine) or '—'} |")
    out.append("")

    listed = rows if len(rows) <= ROSTER_LIMIT else short
    if len(rows) > ROSTER_LIMIT:
        out.append(f"### 缺人的活动 Activities short of people（{len(short)}）\n")
        out.append("（活动较多，完整名单见 calendars/all.ics 与 `xinglian export --xlsx` 的「志愿者」表。"
                   " The full roster is in the calendars and the workbook.）\n")
    else:
        out.append("### 活动安排 Roster\n")
    if listed:
        out.append("| 日期 date | 时间 time | 活动 activity | 类型 kind | 地点 place | 岗位与人员 roles |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        for r in listed:
            day = (f"{r.date:%Y-%m-%d} 周{_WEEKDAYS[r.date.weekday()]}" if r.date else "—")
            roles = "；".join(
                f"{x.role}：{'、'.join(x.names) or '—'}"
                + (f"（{len(x.people)}/{x.min}，缺{x.missing}）" if x.missing else "")
                for x in r.roles)
            lead = ""
            if r.leads:
                lead = f"；带队：{'、'.join(r.leads)}"
            elif r.lead_required:
                lead = "；带队：暂缺"
            out.append(f"| {day} | {r.start}–{r.end} | {_cell(r.title)} | {r.kind} | "
                       f"{_cell(r.place) or '—'} | {_cell(roles + lead)} |")
        out.append("")
    elif len(rows) > ROSTER_LIMIT:
        out.append("- 无 none\n")

    loads = volunteer_loads(instance, plan)
    if loads:
        acts = spread([v.activities for v in loads])
        hours = spread([v.hours for v in loads])
        out.append(f"### 志愿者负担 Volunteer load（{len(loads)} 人）\n")
        out.append("| | 活动数 activities | 时长 hours |")
        out.append("| --- | --- | --- |")
        for label, a, h in (("最少 min", acts.min, hours.min),
                            ("中位数 median", acts.median, hours.median),
                            ("最多 max", acts.max, hours.max)):
            out.append(f"| {label} | {a:g} | {h:.1f} |")
        out.append("")
        out.append(f"平均线 fair line k = {fair_line(instance)}"
                   "（超出部分计入软约束「志愿者负担超过平均线」）\n")
        top = busiest(loads)
        if top:
            out.append("最忙的志愿者 Busiest volunteers:\n")
            out.append("| 志愿者 volunteer | 所属妇联 federation | 活动数 activities | "
                       "时长 hours | 最忙月份 busiest month |")
            out.append("| --- | --- | --- | --- | --- |")
            for v in top:
                cap = f" / 上限 {v.month_cap}" if v.month_cap is not None else ""
                out.append(f"| {_cell(v.name)} ({v.person}) | {_cell(v.federation) or '—'} | "
                           f"{v.activities} | {v.hours:.1f} | {v.busiest_month}{cap} |")
            out.append("")
    return out


def _care_section(instance: Instance, plan: Plan) -> list[str]:
    """Pairs, children per mother, visits per quarter and the pairs with their visit days.
    Children appear by code (and town) only."""
    from .views import (
        VISIT_KINDS,
        care_pair_rows,
        children_per_mother,
        expected_visits,
        visits_by_quarter,
    )

    if not instance.children and not plan.care.pairs and not plan.care.visits:
        return []
    pairs = care_pair_rows(instance, plan)
    mothers = len({p.mother for p in plan.care.pairs})
    children = len({p.child for p in plan.care.pairs})
    out = ["## 爱心妈妈 Caring mothers（儿童以代码标识 children by code）\n"]
    per = "，".join(f"{k} 名儿童：{n} 位" for k, n in children_per_mother(plan).items())
    notes = Counter(p.last_year.split("（")[0] for p in pairs)
    out.append(
        f"结对 {len(plan.care.pairs)} 对：儿童 {children} 名，爱心妈妈 {mothers} 位"
        + (f"（每位妈妈结对 {per}）" if per else "")
        + (f"；续结 {notes['续结']}，更换 {notes['更换']}，新结对 {notes['新结对']}" if pairs else "")
        + f"。走访 {len(plan.care.visits)} 次。\n")
    if len(instance.children) > children:
        out.append(f"- 未结对儿童 {len(instance.children) - children} 名（见「未满足」）\n")

    head = [VISIT_KIND_ZH[k] for k in VISIT_KINDS]
    out.append("| 季度 quarter | " + " | ".join(head) + " | 合计 total |")
    out.append("| --- | " + " | ".join("---" for _ in head) + " | --- |")
    for label, counts in visits_by_quarter(plan):
        out.append(f"| {label} | " + " | ".join(str(counts[k]) for k in VISIT_KINDS)
                   + f" | {sum(counts.values())} |")
    want = expected_visits(instance, plan)
    out.append(f"| 应走访 expected | 每季 {want['meet']} | 每季 {want['talk']} | "
               f"全年 {want['festival']} | — |")
    out.append("")

    if pairs:
        out.append("| 爱心妈妈 mother | 儿童代码 child | 儿童所在镇 town | 上年 last year | "
                   "见面 meet | 谈心 talk | 过节 festival |")
        out.append("| --- | --- | --- | --- | --- | --- | --- |")
        for p in pairs:
            days = ["、".join(f"{d.month}-{d.day}" for d in p.dates(k)) or "—"
                    for k in VISIT_KINDS]
            out.append(f"| {_cell(p.mother_name)} ({p.mother}) | {p.child} | "
                       f"{_cell(p.child_town) or '—'} | {_cell(p.last_year)} | "
                       + " | ".join(days) + " |")
        out.append("")
    return out


def _unfilled_section(plan: Plan) -> list[str]:
    """Every demand the plan could not meet, with the reason (never dropped silently)."""
    if not plan.unfilled:
        return []
    out = [f"## 未满足 Unfilled（{len(plan.unfilled)}）\n"]
    out.extend(f"- {_cell(u.what)}：缺 {_cell(u.missing)}（{_cell(u.why)}）" for u in plan.unfilled)
    out.append("")
    return out
