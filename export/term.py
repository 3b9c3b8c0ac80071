"""The rotating chair's term of work in the outputs: calendar events for the enterprise
visits and the signature activities, and the 走访计划 table (period × enterprise) per base.

Events land in the calendars of the period's rotating chair, the regional chair and (for
a visit) the enterprise's contact, of the base and the enterprise (and the activity's
venue). Their UIDs say what they are -- ``term-visit-<base>-<year>-p<period>-<enterprise>``
and ``signature-<base>-<year>-p<period>`` -- so a re-plan that hands a period to another
chair updates the same events (and cancels them in the old chair's calendar).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ..models.instance import Instance
from ..models.plan import Plan
from ..models.term import term_of, visited

UID_DOMAIN = "xinglian"


def _person_name(instance: Instance, pid: str) -> str:
    return instance.person(pid).name

VISIT_CATEGORY = "走访企业"
SIGNATURE_CATEGORY = "特色活动"


def term_events(instance: Instance, plan: Plan, CalEvent, venue_location) -> list:  # noqa: N803
    """One timed event per enterprise visit and per signature activity (``CalEvent``
    and ``venue_location`` come from export/ics.py, which imports this module)."""
    tz = ZoneInfo(instance.timezone)
    reminder = instance.meetings.reminder_minutes or None
    out = []
    for v in plan.term_visits:
        base, ent = instance.federation(v.base), instance.federation(v.enterprise)
        lines = [f"轮值主席：{_person_name(instance, v.chair)}",
                 f"区域主席：{_person_name(instance, v.regional_chair)}"]
        if v.contact:
            lines.append(f"企业联系人：{_person_name(instance, v.contact)}")
        out.append(CalEvent(
            uid=f"term-{v.id}@{UID_DOMAIN}",
            summary=f"走访 {ent.name}（{base.name} 第{v.period}期）",
            start=v.start.astimezone(tz), end=v.end.astimezone(tz),
            location=instance.town_name(v.town),
            description="\n".join(lines), alarm_minutes=reminder,
            people=tuple(dict.fromkeys(p for p in (v.chair, v.regional_chair, v.contact) if p)),
            federations=(v.base, v.enterprise), categories=(VISIT_CATEGORY,)))
    for s in plan.signature_activities:
        base = instance.federation(s.base)
        lines = [f"轮值主席：{_person_name(instance, s.chair)}",
                 f"区域主席：{_person_name(instance, s.regional_chair)}"]
        out.append(CalEvent(
            uid=f"{s.id}@{UID_DOMAIN}",
            summary=f"{base.name} 第{s.period}期特色活动：{s.kind}",
            start=s.start.astimezone(tz), end=s.end.astimezone(tz),
            location=venue_location(instance, s.venue),
            description="\n".join(lines), alarm_minutes=reminder,
            people=tuple(dict.fromkeys((s.chair, s.regional_chair))),
            venues=(s.venue,), federations=(s.base,), categories=(SIGNATURE_CATEGORY,)))
    return out


def visit_table_lines(instance: Instance, plan: Plan) -> list[str]:
    """The 走访计划 section of summary.md: per base, a table period × enterprise (the
    day of each visit), then the signature activities."""
    if not plan.term_visits and not plan.signature_activities:
        return []
    out = ["## 走访计划 (enterprise visits and signature activities)", ""]
    by = {(v.base, v.enterprise, v.period): v for v in plan.term_visits}
    sigs = {(s.base, s.period): s for s in plan.signature_activities}
    T = instance.periods
    for base in instance.bases:
        term = term_of(instance, base.id)
        if term is None:
            continue
        rc = instance.person(term.regional_chair).name
        chairs = {t.period: instance.person(t.chair).name for t in plan.rotation
                  if t.base == base.id}
        out += [f"### {base.name}（区域主席 {rc}）", ""]
        out.append("| 企业 | " + " | ".join(f"第{t}期 {chairs.get(t, '')}" for t in
                                               range(1, T + 1)) + " |")
        out.append("|---|" + "---|" * T)
        for e in visited(instance, term):
            cells = []
            for t in range(1, T + 1):
                v = by.get((base.id, e, t))
                cells.append(f"{v.start:%m-%d %H:%M}" if v else "")
            out.append(f"| {instance.federation(e).name} | " + " | ".join(cells) + " |")
        if term.activity is not None:
            cells = []
            for t in range(1, T + 1):
                s = sigs.get((base.id, t))
                cells.append(f"{s.start:%m-%d %H:%M} {instance.venue(s.venue).name}" if s
                             else "")
            out.append(f"| 特色活动：{term.activity.kind} | " + " | ".join(cells) + " |")
        out.append("")
    return out


def visit_grid(instance: Instance, plan: Plan) -> tuple[list[str], list[list[str]]]:
    """The 走访计划 sheet of the plan workbook: one row per (base, visited federation)
    and one per base's signature activity, one column per period (day and time)."""
    T = instance.periods
    headers = ["基地", "区域主席", "企业 / 特色活动"] + [f"第{t}期" for t in range(1, T + 1)]
    by = {(v.base, v.enterprise, v.period): v for v in plan.term_visits}
    sigs = {(s.base, s.period): s for s in plan.signature_activities}
    rows: list[list[str]] = []
    for base in instance.bases:
        term = term_of(instance, base.id)
        if term is None:
            continue
        rc = instance.person(term.regional_chair).name
        for e in visited(instance, term):
            rows.append([base.name, rc, instance.federation(e).name] + [
                f"{v.start:%m-%d %H:%M}" if (v := by.get((base.id, e, t))) else ""
                for t in range(1, T + 1)])
        if term.activity is not None:
            rows.append([base.name, rc, f"特色活动：{term.activity.kind}"] + [
                f"{s.start:%m-%d %H:%M} {instance.venue(s.venue).name}"
                if (s := sigs.get((base.id, t))) else "" for t in range(1, T + 1)])
    return headers, rows


def term_changes(old: Plan, new: Plan, names, Change, _when) -> list:  # noqa: N803
    """changes.md: each visit or signature activity moved, handed to another chair,
    added or dropped (``Change`` and ``_when`` come from export/changes.py, which
    imports this module)."""
    out = []
    for kind, a_items, b_items in (("term_visit", old.term_visits, new.term_visits),
                                   ("signature_activity", old.signature_activities,
                                    new.signature_activities)):
        va, vb = {x.id: x for x in a_items}, {x.id: x for x in b_items}
        for key in sorted(va.keys() | vb.keys()):
            a, b = va.get(key), vb.get(key)
            if a and b and (a.start, a.end, a.chair, getattr(a, "venue", None)) == (
                    b.start, b.end, b.chair, getattr(b, "venue", None)):
                continue
            x = a or b
            what = (f"走访 {names.federation(x.enterprise)}" if kind == "term_visit"
                    else f"{names.federation(x.base)} 特色活动")

            def desc(y) -> str:
                return f"{_when(y.start)} {names.person(y.chair)}" if y else "取消"

            people = [p for y in (a, b) if y for p in (y.chair, y.regional_chair,
                                                       getattr(y, "contact", None)) if p]
            out.append(Change(
                kind, key, desc(a) if a else "", desc(b) if b else "",
                f"{what}（第{x.period}期）：{desc(a) if a else '新增'} → {desc(b)}",
                people=tuple(dict.fromkeys(people)), federations=(x.base,)))
    return out
