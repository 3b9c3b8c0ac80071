"""Requirements an explanation can name, and how to relax each.

A *requirement* is one piece of the instance that a person could change: one
unavailability of one person, one closure of one venue, one pin, one federation's
minimum or maximum of turns, the meeting window, a venue's capacity... The explainer
(solver/explain.py) switches each on through an assumption literal; a conflict is a set
of requirements, printed with :meth:`Requirement.sentence`, and a repair is a set whose
:meth:`Requirement.relax` applied to the instance gives a plan.

Pure Python: no solver types here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models.instance import Instance


@dataclass(frozen=True)
class Requirement:
    key: str
    zh: str
    en: str
    repair_zh: str
    repair_en: str
    relax: Callable[[Instance], Instance]
    rule: str = ""
    """The catalogue name of the hard rule this requirement switches (models/rules.py).
    An unavailability or a closure can bind several rules through one literal (a
    person's absence concerns her term, her meeting and her hosting turn); ``rule`` is
    the one that asked for it first in build order, the others switched with it."""

    def sentence(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def repair(self, lang: str) -> str:
        return self.repair_zh if lang == "zh" else self.repair_en


def _update(instance: Instance, **changes) -> Instance:
    return instance.model_copy(update=changes)


def _replace(items, index_of, new):
    return tuple(new if index_of(x) else x for x in items)


def unavailability(instance: Instance, pid: str, index: int, rule: str) -> Requirement:
    person = instance.person(pid)
    r = person.unavailable[index]
    why_zh = f"（{r.reason}）" if r.reason else ""
    why_en = f" ({r.reason})" if r.reason else ""

    def relax(inst: Instance) -> Instance:
        p = inst.person(pid)
        kept = tuple(x for x in p.unavailable if x != r)
        return _update(inst, people=_replace(inst.people, lambda x: x.id == pid,
                                             p.model_copy(update={"unavailable": kept})))

    return Requirement(
        f"unavailable:{pid}:{index}",
        f"{person.name}（{pid}）{r.start} 至 {r.end} 不能参加{why_zh}",
        f"{person.name} ({pid}) is unavailable {r.start}..{r.end}{why_en}",
        f"如果 {person.name} 在 {r.start} 至 {r.end} 能到岗",
        f"if {person.name} were available {r.start}..{r.end}",
        relax,
        rule=rule,
    )


def closure(instance: Instance, vid: str, index: int, rule: str) -> Requirement:
    venue = instance.venue(vid)
    r = venue.closures[index]
    why_zh = f"（{r.reason}）" if r.reason else ""
    why_en = f" ({r.reason})" if r.reason else ""

    def relax(inst: Instance) -> Instance:
        v = inst.venue(vid)
        kept = tuple(x for x in v.closures if x != r)
        return _update(inst, venues=_replace(inst.venues, lambda x: x.id == vid,
                                             v.model_copy(update={"closures": kept})))

    return Requirement(
        f"closure:{vid}:{index}",
        f"{venue.name} {r.start} 至 {r.end} 闭馆{why_zh}",
        f"{venue.name} is closed {r.start}..{r.end}{why_en}",
        f"如果 {venue.name} 在 {r.start} 至 {r.end} 开放",
        f"if {venue.name} were open {r.start}..{r.end}",
        relax,
        rule=rule,
    )


def max_terms(instance: Instance, pid: str) -> Requirement:
    cap = instance.rotation.max_terms_per_person
    name = instance.person(pid).name

    def relax(inst: Instance) -> Instance:
        rules = inst.rotation.model_copy(update={"max_terms_per_person": cap + 1})
        return _update(inst, rotation=rules)

    return Requirement(
        f"max_terms:{pid}", f"{name} 一年最多轮值 {cap} 期（rotation.max_terms_per_person）",
        f"{name} may chair at most {cap} terms a year (rotation.max_terms_per_person)",
        f"如果每人每年最多可轮值 {cap + 1} 期（{name} 需要）",
        f"if a person could chair {cap + 1} terms a year ({name} needs it)", relax,
        rule="max_terms")


def _drop_pin(kind: str, index: int) -> Callable[[Instance], Instance]:
    def relax(inst: Instance) -> Instance:
        pins = getattr(inst.pins, kind)
        kept = tuple(p for i, p in enumerate(pins) if i != index)
        return _update(inst, pins=inst.pins.model_copy(update={kind: kept}))
    return relax


def pin_rotation(instance: Instance, index: int) -> Requirement:
    pin = instance.pins.rotation[index]
    who, base = instance.person(pin.chair).name, instance.federation(pin.base).name
    return Requirement(
        f"pin_rotation:{index}", f"固定 {who} 任 {base} 第{pin.period}期轮值主席",
        f"{who} is pinned to chair {base} in period {pin.period}",
        f"如果取消“{who} 任 {base} 第{pin.period}期”的固定安排",
        f"if {who} were not pinned to {base} period {pin.period}",
        _drop_pin("rotation", index), rule="pinned_term")


def pin_meeting(instance: Instance, index: int) -> Requirement:
    pin = instance.pins.meetings[index]
    base = instance.federation(pin.base).name
    what = "、".join(str(x) for x in (pin.date, pin.venue and instance.venue(pin.venue).name,
                                      pin.slot and f"第{pin.slot}场") if x)
    return Requirement(
        f"pin_meeting:{index}", f"{base} 第{pin.quarter}季度联席会固定为 {what}",
        f"{base}'s quarter {pin.quarter} meeting is pinned to {what}",
        f"如果取消 {base} 第{pin.quarter}季度联席会的固定安排",
        f"if {base}'s quarter {pin.quarter} meeting were not pinned",
        _drop_pin("meetings", index), rule="pinned_meeting")


def pin_hosting(instance: Instance, index: int) -> Requirement:
    pin = instance.pins.hosting[index]
    fed, venue = instance.federation(pin.federation).name, instance.venue(pin.venue).name
    return Requirement(
        f"pin_hosting:{index}", f"固定 {fed} 于 {pin.date} 在 {venue} 主办",
        f"{fed} is pinned to host at {venue} on {pin.date}",
        f"如果取消 {fed} {pin.date} 在 {venue} 主办的固定安排",
        f"if {fed} were not pinned to host at {venue} on {pin.date}",
        _drop_pin("hosting", index), rule="pinned_hosting")


def meeting_window(instance: Instance) -> Requirement:
    m = instance.meetings

    def relax(inst: Instance) -> Instance:
        return _update(inst, meetings=inst.meetings.model_copy(
            update={"earliest_day": 1, "latest_day": 92}))

    return Requirement(
        "meeting_window", f"联席会只能在每季度第 {m.earliest_day}–{m.latest_day} 天召开",
        f"joint meetings only on days {m.earliest_day}..{m.latest_day} of each quarter",
        "如果联席会可在整个季度内任何工作日召开",
        "if joint meetings could be on any working day of the quarter", relax,
        rule="meeting_per_quarter")


def capacity(instance: Instance, vid: str, need: int, base: str) -> Requirement:
    venue = instance.venue(vid)

    def relax(inst: Instance) -> Instance:
        v = inst.venue(vid)
        return _update(inst, venues=_replace(inst.venues, lambda x: x.id == vid, v.model_copy(
            update={"capacity": max(v.capacity, need), "meetings": True})))

    return Requirement(
        f"capacity:{vid}:{base}", f"{venue.name} 只能容纳 {venue.capacity} 人"
        + ("" if venue.meetings else "，且不开联席会"),
        f"{venue.name} seats {venue.capacity}" + ("" if venue.meetings else
                                                  " and takes no meetings"),
        f"如果 {venue.name} 能容纳 {need} 人并可开联席会",
        f"if {venue.name} seated {need} and took meetings", relax, rule="meeting_venue")


def _hosting_update(inst: Instance, fid: str, **changes) -> Instance:
    f = inst.federation(fid)
    params = f.hosting.model_copy(update=changes)  # type: ignore[union-attr]
    return _update(inst, federations=_replace(inst.federations, lambda x: x.id == fid,
                                              f.model_copy(update={"hosting": params})))


def min_turns(instance: Instance, fid: str) -> Requirement:
    f = instance.federation(fid)
    n = f.hosting.min_turns  # type: ignore[union-attr]
    return Requirement(
        f"min_turns:{fid}", f"{f.name} 每年至少主办 {n} 次", f"{f.name} hosts at least {n} turns",
        f"如果 {f.name} 可以少于 {n} 次", f"if {f.name} could host fewer than {n} turns",
        lambda inst: _hosting_update(inst, fid, min_turns=0), rule="hosting_turns")


def max_turns(instance: Instance, fid: str) -> Requirement:
    f = instance.federation(fid)
    n = f.hosting.max_turns  # type: ignore[union-attr]
    return Requirement(
        f"max_turns:{fid}", f"{f.name} 每年至多主办 {n} 次", f"{f.name} hosts at most {n} turns",
        f"如果 {f.name} 可以多于 {n} 次", f"if {f.name} could host more than {n} turns",
        lambda inst: _hosting_update(inst, fid, max_turns=None), rule="hosting_turns")


def hosting_gap(instance: Instance, fid: str) -> Requirement:
    f = instance.federation(fid)
    gap = instance.hosting.min_gap_days

    def relax(inst: Instance) -> Instance:
        return _update(inst, hosting=inst.hosting.model_copy(update={"min_gap_days": 1}))

    return Requirement(
        f"gap:{fid}", f"{f.name} 两次主办至少相隔 {gap} 天",
        f"{f.name}'s turns are at least {gap} days apart",
        f"如果两次主办可以相隔少于 {gap} 天（{f.name} 需要）",
        f"if turns could be closer than {gap} days ({f.name} needs it)", relax, rule="hosting_gap")


def fill_slots(instance: Instance, vid: str) -> Requirement:
    venue = instance.venue(vid)

    def relax(inst: Instance) -> Instance:
        return _update(inst, hosting=inst.hosting.model_copy(update={"allow_empty": True}))

    return Requirement(
        f"fill:{vid}", f"{venue.name} 的每个开放场次都要有单位主办",
        f"every open slot of {venue.name} needs a host",
        f"如果 {venue.name} 的场次允许空缺（hosting.allow_empty）",
        f"if slots of {venue.name} could stay empty (hosting.allow_empty)", relax,
        rule="hosting_slot")
