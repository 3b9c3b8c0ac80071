""""Who can cover?" and "can they swap?" as text (solver/cover.py's reports).

Plain text for a terminal or a WeChat message, in Chinese (default) or English.
"""

from __future__ import annotations

from ..models.instance import Instance
from .labels import rule_title, rule_title_en

_REASONS_ZH = {"away": "不在岗", "busy": "另有安排", "ineligible": "不符合条件",
               "no feasible re-plan": "调整后无可行方案",
               "would rewrite the past": "会改动已发生的安排", "not tried": "未尝试"}


def _name(inst: Instance, pid: str) -> str:
    try:
        return inst.person(pid).name
    except KeyError:
        return pid


def _costs(diff: dict[str, int], lang: str) -> str:
    if not diff:
        return "无变化" if lang == "zh" else "no change"
    title = rule_title if lang == "zh" else rule_title_en
    return "；".join(f"{title(r)} {d:+d}" for r, d in diff.items()) if lang == "zh" else \
        "; ".join(f"{title(r)} {d:+d}" for r, d in diff.items())


def _reasons(reasons, lang: str) -> str:
    items = [(k, v) for k, v in reasons.items() if v]
    if lang == "zh":
        return "，".join(f"{_REASONS_ZH.get(k, k)} {v}" for k, v in items)
    return ", ".join(f"{k} {v}" for k, v in items)


def render_cover(report, inst: Instance, published_objective: int | None,
                 lang: str = "zh") -> str:
    """The ranked list, one block per candidate."""
    d = report.duty
    zh = lang == "zh"
    out = [(f"谁能替班：{d.label}" if zh else f"Who can cover: {d.label}") + f"  [{d.id}]"]
    if d.note:
        out.append(("说明：" if zh else "Note: ") + d.note)
    if not report.candidates:
        away_busy = {k for k, v in report.reasons.items() if v} <= {"away", "busy",
                                                                     "ineligible"}
        if zh:
            head = ("没有人能替班：每位符合条件的人都不在岗或另有安排" if away_busy
                    else "没有人能替班")
        else:
            head = ("no candidate: every eligible person is away or busy" if away_busy
                    else "no candidate")
        out.append(f"{head}（{_reasons(report.reasons, lang)}）" if zh
                   else f"{head} ({_reasons(report.reasons, lang)})")
        return "\n".join(out) + "\n"
    for k, c in enumerate(report.candidates, start=1):
        delta = (c.objective - published_objective) if published_objective is not None else 0
        if zh:
            out.append(f"\n{k}. {c.name}（{c.who}）：改动 {len(c.changed)} 项，加权 "
                       f"{c.change_cost}；目标值 {c.objective}（{delta:+d}）")
            out.append(f"   代价变化：{_costs(c.cost_diff, lang)}")
            out.append("   调整：")
        else:
            out.append(f"\n{k}. {c.name} ({c.who}): {len(c.changed)} changed decision(s), "
                       f"weighted {c.change_cost}; objective {c.objective} ({delta:+d})")
            out.append(f"   cost difference: {_costs(c.cost_diff, lang)}")
            out.append("   changes:")
        out += [f"     - {ch.text}" for ch in c.changes]
        told = "、".join(_name(inst, p) for p in c.notify) if zh else \
            ", ".join(f"{_name(inst, p)} ({p})" for p in c.notify)
        out.append(("   需通知：" if zh else "   tell: ") + told)
    short = _reasons(report.reasons, lang)
    if report.more:
        more = (f"另有 {report.more} 个可行人选未列出" if zh
                else f"{report.more} more feasible not shown")
        short = f"{more}，{short}" if zh and short else (f"{more}, {short}" if short else more)
    if short:
        out.append(("\n其余人选：" if zh else "\nthe others: ") + short)
    out.append("每个方案均已通过独立检查。" if zh else
                "Every plan listed passes the independent checker.")
    return "\n".join(out) + "\n"


def render_swap(report, inst: Instance, published_objective: int | None,
                lang: str = "zh") -> str:
    zh = lang == "zh"
    a, b = report.a, report.b
    out = [f"互换：{a.label} ⇄ {b.label}" if zh else f"Swap: {a.label} <-> {b.label}"]
    if report.violations:
        out.append("直接互换不可行，违反：" if zh else "A plain exchange breaks:")
        out += [f"  - {v.rule}: {v.message}" for v in report.violations]
    if report.ok:
        delta = (report.plan.solve.objective or 0) - (published_objective or 0)
        if report.direct:
            out.append(f"可以互换（加权改动 {report.change_cost}；目标值 {delta:+d}）" if zh else
                       f"They can swap (weighted changes {report.change_cost}; objective "
                       f"{delta:+d})")
        else:
            out.append(f"可以互换，但需另作调整（加权改动 {report.change_cost}；目标值 "
                       f"{delta:+d}）" if zh else
                       f"They can swap with further moves (weighted changes "
                       f"{report.change_cost}; objective {delta:+d})")
        out.append(("代价变化：" if zh else "cost difference: ") + _costs(report.cost_diff, lang))
        out += [f"  - {ch.text}" for ch in report.changes]
        out.append(("需通知：" if zh else "tell: ")
                   + ("、" if zh else ", ").join(_name(inst, p) for p in report.notify))
        return "\n".join(out) + "\n"
    out.append("不能互换。" if zh else "They cannot swap.")
    if report.problem:
        out.append(report.problem)
    if report.alternative is not None:
        out.append("最接近的可行替代：" if zh else "Nearest feasible alternative:")
        out.append(render_cover(report.alternative, inst, published_objective, lang))
    return "\n".join(out) + "\n"
