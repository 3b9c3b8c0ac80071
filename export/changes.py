"""What changed between two plans, in words short enough for a WeChat group.

:func:`diff_plans` compares two plans decision by decision (rotation terms, joint
meetings, hosting turns, volunteering teams, caring-mother pairs and visits) and names
the people, venues and federations each change touches (a swapped volunteer: the one who
leaves and the one who comes; a moved visit or a re-paired child: the mothers). Children
are named by code only; :func:`render_changes_md` groups them per person, venue and federation, in
Chinese; :func:`changes_json` is the same for machines.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from ..models.instance import Instance
from ..models.plan import Plan
from .labels import VISIT_KIND_ZH

_WD = "一二三四五六日"


@dataclass(frozen=True)
class Change:
    kind: str  # rotation | meeting | hosting | volunteering | care_pair | care_visit
    key: str
    old: str
    new: str
    text: str
    people: tuple[str, ...] = ()
    venues: tuple[str, ...] = ()
    federations: tuple[str, ...] = ()


@dataclass
class _Names:
    instance: Instance
    fallback: Instance | None = None

    def _get(self, kind: str, key: str | None) -> str:
        if key is None:
            return "—"
        for inst in (self.instance, self.fallback):
            if inst is None:
                continue
            try:
                return getattr(inst, kind)(key).name
            except KeyError:
                continue
        return key

    def person(self, key: str | None) -> str:
        return self._get("person", key)

    def venue(self, key: str | None) -> str:
        return self._get("venue", key)

    def federation(self, key: str | None) -> str:
        return self._get("federation", key)

    def activity(self, key: str):
        for inst in (self.instance, self.fallback):
            if inst is None:
                continue
            for a in inst.activities:
                if a.id == key:
                    return a
        return None

    def volunteer_federation(self, pid: str) -> str | None:
        for inst in (self.instance, self.fallback):
            if inst is None:
                continue
            try:
                prof = inst.person(pid).volunteer
            except KeyError:
                continue
            return prof.federation if prof is not None else None
        return None


def _when(start) -> str:
    return f"{start:%m-%d}（周{_WD[start.weekday()]}）{start:%H:%M}"


def diff_plans(old: Plan, new: Plan, instance: Instance,
               old_instance: Instance | None = None) -> list[Change]:
    """Every decision of ``old`` that ``new`` changes, and every new one."""
    n = _Names(instance, old_instance)
    out: list[Change] = []
    old_terms = {(t.base, t.period): t for t in old.rotation}
    new_terms = {(t.base, t.period): t for t in new.rotation}
    for key in sorted(old_terms.keys() | new_terms.keys()):
        a, b = old_terms.get(key), new_terms.get(key)
        if a and b and a.chair == b.chair:
            continue
        base, period = key
        was, now = (a.chair if a else None), (b.chair if b else None)
        out.append(Change(
            "rotation", f"{base}/p{period}", was or "", now or "",
            f"{n.federation(base)} 第{period}期轮值主席：{n.person(was)} → {n.person(now)}",
            people=tuple(p for p in (was, now) if p), federations=(base,)))
    old_m = {(m.base, m.quarter): m for m in old.meetings}
    new_m = {(m.base, m.quarter): m for m in new.meetings}
    for key in sorted(old_m.keys() | new_m.keys()):
        a, b = old_m.get(key), new_m.get(key)
        if a and b and (a.start, a.end, a.venue, a.host) == (b.start, b.end, b.venue, b.host):
            continue
        base, q = key
        title = f"{n.federation(base)} 第{q}季度联席会"
        if a and b and (a.start, a.end, a.venue) == (b.start, b.end, b.venue):
            # Same time and place, another host (the rotating chair changed): tell the
            # two hosts, not every attendee.
            out.append(Change(
                "meeting", f"mtg-{base}-q{q}", a.host, b.host,
                f"{title}（{_when(a.start)}）主持人：{n.person(a.host)} → {n.person(b.host)}",
                people=(a.host, b.host), venues=(a.venue,), federations=(base,)))
            continue

        def desc(m) -> str:
            return f"{_when(m.start)} {n.venue(m.venue)}，主持 {n.person(m.host)}" if m else "—"
        people = sorted({*(a.attendees if a else ()), *(b.attendees if b else ()),
                         *((a.host,) if a else ()), *((b.host,) if b else ())})
        out.append(Change(
            "meeting", f"mtg-{base}-q{q}", desc(a), desc(b), f"{title}：{desc(a)} → {desc(b)}",
            people=tuple(people),
            venues=tuple(sorted({m.venue for m in (a, b) if m})), federations=(base,)))
    old_h = {h.id: h for h in old.hosting}
    new_h = {h.id: h for h in new.hosting}
    for key in sorted(old_h.keys() | new_h.keys()):
        a, b = old_h.get(key), new_h.get(key)
        if a and b and (a.federation, a.start, a.end, a.theme) == (
                b.federation, b.start, b.end, b.theme):
            continue
        h = a or b
        assert h is not None
        was, now = (a.federation if a else None), (b.federation if b else None)
        feds = tuple(f for f in (was, now) if f)
        contacts = []
        for f in feds:
            for inst in (instance, old_instance):
                try:
                    fed = inst.federation(f) if inst else None
                except KeyError:
                    continue
                if fed is not None:
                    c = (fed.hosting.contact if fed.hosting else None) or fed.chair
                    if c:
                        contacts.append(c)
                    break
        out.append(Change(
            "hosting", key, was or "", now or "",
            f"{n.venue(h.venue)} {_when(h.start)} 主办：{n.federation(was) if was else '无'}"
            f" → {n.federation(now) if now else '取消'}",
            people=tuple(dict.fromkeys(contacts)), venues=(h.venue,), federations=feds))
    out += _volunteering_changes(old, new, n)
    out += _care_changes(old, new, n)
    from .term import term_changes  # the rotating chair's term of work
    out += term_changes(old, new, n, Change, _when)
    return out


def _volunteering_changes(old: Plan, new: Plan, n: _Names) -> list[Change]:
    """One change per (activity, role) whose people differ: who leaves, who comes."""
    def teams(plan: Plan) -> dict[tuple[str, str], set[str]]:
        out: dict[tuple[str, str], set[str]] = {}
        for v in plan.volunteering:
            out.setdefault((v.activity, v.role), set()).add(v.person)
        return out

    before, after = teams(old), teams(new)
    out: list[Change] = []
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key, set()), after.get(key, set())
        if a == b:
            continue
        aid, role = key
        act = n.activity(aid)
        if act is not None:
            when = f"{act.date:%m-%d}（周{_WD[act.date.weekday()]}）{act.start}"
            title = f"{act.title}（{when}）"
        else:
            title = aid
        left, came = sorted(a - b), sorted(b - a)

        def who(ids) -> str:
            return "、".join(n.person(p) for p in sorted(ids)) or "无"

        parts = []
        if left:
            parts.append(f"{'、'.join(n.person(p) for p in left)} 不再参加")
        if came:
            parts.append(f"改由 {'、'.join(n.person(p) for p in came)} 参加" if left
                         else f"新增 {'、'.join(n.person(p) for p in came)}")
        concerned = (*left, *came)
        feds = tuple(dict.fromkeys(
            f for p in concerned if (f := n.volunteer_federation(p)) is not None))
        out.append(Change(
            "volunteering", f"{aid}/{role}", who(a), who(b),
            f"志愿服务 {title} 岗位 {role}：{who(a)} → {who(b)}（{'，'.join(parts)}）",
            people=concerned,
            venues=(act.venue,) if act is not None and act.venue else (),
            federations=feds))
    return out


def _care_changes(old: Plan, new: Plan, n: _Names) -> list[Change]:
    """A child re-paired (by code), and each visit moved, added or dropped."""
    out: list[Change] = []
    mother_a = {p.child: p.mother for p in old.care.pairs}
    mother_b = {p.child: p.mother for p in new.care.pairs}
    for child in sorted(mother_a.keys() | mother_b.keys()):
        was, now = mother_a.get(child), mother_b.get(child)
        if was == now:
            continue
        out.append(Change(
            "care_pair", child, was or "", now or "",
            f"儿童 {child} 的爱心妈妈：{n.person(was) if was else '无'} → "
            f"{n.person(now) if now else '无'}",
            people=tuple(p for p in (was, now) if p)))
    va = {v.id: v for v in old.care.visits}
    vb = {v.id: v for v in new.care.visits}
    for key in sorted(va.keys() | vb.keys()):
        a, b = va.get(key), vb.get(key)
        if a and b and (a.mother, a.child, a.kind, a.start, a.end) == (
                b.mother, b.child, b.kind, b.start, b.end):
            continue
        v = a or b
        assert v is not None
        kind = VISIT_KIND_ZH.get(v.kind, v.kind)

        def desc(x) -> str:
            return f"{_when(x.start)} {n.person(x.mother)}" if x else "取消"

        out.append(Change(
            "care_visit", key, desc(a) if a else "", desc(b) if b else "",
            f"爱心妈妈走访 儿童 {v.child} · {kind}：{desc(a) if a else '新增'} → {desc(b)}",
            people=tuple(dict.fromkeys(x.mother for x in (a, b) if x))))
    return out


@dataclass
class ChangeReport:
    changes: list[Change]
    title: str
    applied: list[str] = field(default_factory=list)
    proven: bool | None = None
    cost: int | None = None
    decisions: int | None = None
    """How many published decisions the solver changed (the minimised number); the
    other items follow from them (e.g. a meeting's host follows the rotating chair)."""


def render_changes_md(report: ChangeReport, instance: Instance,
                      old_instance: Instance | None = None) -> str:
    n = _Names(instance, old_instance)
    out = [f"# {report.title}", ""]
    if report.applied:
        out.append("变动 / what happened:")
        out.extend(f"- {a}" for a in report.applied)
        out.append("")
    count = len(report.changes)
    line = f"共 {count} 项安排调整（{count} change{'s' if count != 1 else ''}）"
    if report.decisions is not None:
        line += f"，其中重新决定 {report.decisions} 项"
        if count > report.decisions:
            line += "（其余随之变化，如联席会主持人随轮值主席变化）"
    if report.cost is not None:
        line += f"，加权 {report.cost}"
    if report.proven is True:
        line += "；已证明为最少调整 (proven minimal)"
    elif report.proven is False:
        line += "；未能在时限内证明最少 (not proven minimal)"
    out += [line, ""]
    if not report.changes:
        out.append("无需调整，原计划不变。No change: the published plan stands.")
        return "\n".join(out) + "\n"
    out.append("## 全部调整 All changes\n")
    out.extend(f"- {c.text}" for c in report.changes)
    out.append("")
    for title, attr, name in (("按人员 By person", "people", n.person),
                              ("按场地 By venue", "venues", n.venue),
                              ("按联合会 By federation", "federations", n.federation)):
        groups: dict[str, list[str]] = {}
        for c in report.changes:
            for key in getattr(c, attr):
                groups.setdefault(key, []).append(c.text)
        if not groups:
            continue
        out.append(f"## {title}\n")
        for key in sorted(groups, key=lambda k: (name(k), k)):
            out.append(f"**{name(key)}**")
            out.extend(f"- {t}" for t in groups[key])
            out.append("")
    return "\n".join(out) + "\n"


def changes_json(report: ChangeReport) -> str:
    data = {
        "title": report.title,
        "applied": report.applied,
        "count": len(report.changes),
        "decisions": report.decisions,
        "weighted": report.cost,
        "proven_minimal": report.proven,
        "changes": [asdict(c) for c in report.changes],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
