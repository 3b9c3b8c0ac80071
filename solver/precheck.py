"""Plain-Python pre-checks for the common reasons a plan cannot exist.

They run before any solve and name people, periods and venues in words, so that an
infeasible instance gets a reason a federation office can act on. Each finding is a
:class:`Message`: English as a string, Chinese in ``.zh``. The minimal conflict sets for
everything else come from solver/explain.py.
"""

from __future__ import annotations

from collections import Counter

from ..models.hosting import HostIndex, contact_of, eligible, expand_slots
from ..models.instance import Instance
from ..models.timeline import Timeline
from .care import candidate_mothers
from .term_precheck import prechecks as _term_prechecks


class Message(str):
    """English text (the string itself) with its Chinese twin."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Message:
        obj = super().__new__(cls, en)
        obj.zh = zh
        return obj

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else str(self)


def precheck(instance: Instance, timeline: Timeline) -> list[Message]:
    """Return one message per certain conflict (empty when none is found)."""
    problems: list[Message] = []
    limit = instance.rotation.max_unavailable_days
    cap = instance.rotation.max_terms_per_person
    T = instance.periods

    def blocked(pid: str, t: int) -> int:
        s, e = timeline.periods[t - 1]
        return timeline.unavailable_days(instance.person(pid), s, e)

    for base in instance.bases:
        n = len(base.presidium)
        if n * cap < T:
            problems.append(Message(
                f"{base.name} ({base.id}): its presidium has {n} members and each may chair at "
                f"most {cap} terms, fewer than the {T} periods; add a vice-chair or raise "
                f"rotation.max_terms_per_person",
                f"{base.name}（{base.id}）：主席团只有 {n} 人，每人最多轮值 {cap} 期，不够 {T} 期；"
                f"请增补副主席或提高 rotation.max_terms_per_person"))
        for t in range(1, T + 1):
            s, e = timeline.periods[t - 1]
            if all(blocked(p, t) > limit for p in base.presidium):
                who_en = ", ".join(f"{instance.person(p).name} ({blocked(p, t)} days)"
                                   for p in base.presidium)
                who_zh = "、".join(f"{instance.person(p).name}（{blocked(p, t)} 天）"
                                  for p in base.presidium)
                problems.append(Message(
                    f"{base.name} ({base.id}): in period {t} ({s}..{e}) every presidium member "
                    f"is unavailable more than {limit} days: {who_en}; shorten an "
                    f"unavailability, add a vice-chair or raise rotation.max_unavailable_days",
                    f"{base.name}（{base.id}）：第{t}期（{s} 至 {e}）主席团每位成员都有超过 "
                    f"{limit} 天不能到岗：{who_zh}；请缩短某人的不可用时段、增补副主席或提高 "
                    f"rotation.max_unavailable_days"))
        need = len(instance.meeting_attendees(base.id))
        if not instance.meeting_venues(base.id):
            reach = instance.meetings.max_travel_minutes
            problems.append(Message(
                f"{base.name} ({base.id}): no meeting venue within {reach} minutes seats its "
                f"{need} expected attendees; add a venue with capacity >= {need} or raise "
                f"meetings.max_travel_minutes",
                f"{base.name}（{base.id}）：{reach} 分钟路程内没有能容纳 {need} 位参会人的"
                f"联席会场地；请增加容量不少于 {need} 人的场地或提高 meetings.max_travel_minutes"))
    problems.extend(_meeting_rooms_closed(instance, timeline))
    for q in range(1, 5):
        lo, hi = timeline.meeting_window(instance.meetings, q)
        if not any(timeline.calendar.is_workday(d) for d in timeline.days(lo, hi)):
            problems.append(Message(
                f"quarter {q}: no working day between {lo} and {hi} for the joint meetings; "
                f"widen meetings.earliest_day / meetings.latest_day",
                f"第{q}季度：{lo} 至 {hi} 之间没有工作日可开联席会；"
                f"请放宽 meetings.earliest_day / meetings.latest_day"))
    for pin in instance.pins.rotation:
        days = blocked(pin.chair, pin.period)
        if days > limit:
            name = instance.person(pin.chair).name
            base = instance.federation(pin.base).name
            problems.append(Message(
                f"pins.rotation: {name} is pinned to chair {base} in period {pin.period} but "
                f"is unavailable {days} days of it (at most {limit}); remove the pin or the "
                f"unavailability",
                f"固定安排：{name} 被固定为 {base} 第{pin.period}期轮值主席，但该期有 {days} 天"
                f"不能到岗（最多 {limit} 天）；请取消固定或修改不可用时段"))
    for pin in instance.pins.meetings:
        base = instance.federation(pin.base)
        where_en = f"pins.meetings: {base.name} quarter {pin.quarter}"
        where_zh = f"固定安排：{base.name} 第{pin.quarter}季度联席会"
        if pin.date is not None:
            lo, hi = timeline.meeting_window(instance.meetings, pin.quarter)
            if not timeline.calendar.is_workday(pin.date):
                why = timeline.calendar.holiday_name(pin.date)
                problems.append(Message(
                    f"{where_en} is pinned to {pin.date}, which is not a working day "
                    f"({why or 'a weekend'}); pick a working day",
                    f"{where_zh}固定在 {pin.date}，这天不是工作日（{why or '周末'}）；"
                    f"请改到工作日"))
            elif not lo <= pin.date <= hi:
                problems.append(Message(
                    f"{where_en} is pinned to {pin.date}, outside the meeting window "
                    f"{lo}..{hi}",
                    f"{where_zh}固定在 {pin.date}，不在可开会的 {lo} 至 {hi} 之内"))
        if pin.venue is not None:
            venue = instance.venue(pin.venue)
            need = len(instance.meeting_attendees(base.id))
            if venue.id not in instance.meeting_venues(base.id):
                problems.append(Message(
                    f"{where_en} is pinned to {venue.name}, which does not take meetings, "
                    f"seats fewer than {need} or is out of reach (meetings.max_travel_minutes)",
                    f"{where_zh}固定在 {venue.name}，该场地不开联席会、容纳不下 {need} 人或路程"
                    f"超过 meetings.max_travel_minutes"))
            elif pin.date is not None and venue.is_closed(pin.date):
                problems.append(Message(
                    f"{where_en} is pinned to {venue.name} on {pin.date}, when it is closed",
                    f"{where_zh}固定在 {pin.date} 的 {venue.name}，那天闭馆"))
    problems.extend(_hosting_prechecks(instance, timeline))
    problems.extend(_care_prechecks(instance))
    problems.extend(_term_prechecks(instance, timeline, Message))
    return problems


def _meeting_rooms_closed(instance: Instance, timeline: Timeline) -> list[Message]:
    """A base whose every meeting room is closed on every working day of a quarter's
    meeting window: one line naming the base, the quarter and the rooms."""
    problems: list[Message] = []
    for base in instance.bases:
        rooms = [instance.venue(v) for v in instance.meeting_venues(base.id)]
        if not rooms:
            continue  # reported above (no meeting venue at all)
        for q in range(1, 5):
            lo, hi = timeline.meeting_window(instance.meetings, q)
            workdays = [d for d in timeline.days(lo, hi) if timeline.calendar.is_workday(d)]
            if not workdays or any(not r.is_closed(d) for d in workdays for r in rooms):
                continue
            names = "、".join(r.name for r in rooms)
            problems.append(Message(
                f"{base.name} ({base.id}): in quarter {q} ({lo}..{hi}) every room its joint "
                f"meeting may use is closed ({names}); shorten a closure, add a room "
                f"(capacity >= {len(instance.meeting_attendees(base.id))}) or raise "
                f"meetings.max_travel_minutes",
                f"{base.name}（{base.id}）：第{q}季度（{lo} 至 {hi}）可开联席会的场地全部闭馆"
                f"（{names}）；请缩短闭馆时段、增加能容纳 "
                f"{len(instance.meeting_attendees(base.id))} 人的场地或提高 "
                f"meetings.max_travel_minutes"))
    return problems


def _care_prechecks(instance: Instance) -> list[Message]:
    """Children with no caring mother close enough, and towns with more children than
    the mothers around can take."""
    problems: list[Message] = []
    limit, cap = instance.care.max_travel_minutes, instance.care.max_children_per_mother
    reach: dict[str, list[str]] = {}
    for c in instance.children:
        reach[c.code] = candidate_mothers(instance, c.code)
        if not reach[c.code]:
            problems.append(Message(
                f"child {c.code} ({instance.town_name(c.town)}): no caring mother lives within "
                f"{limit} minutes; add a caring mother there or raise care.max_travel_minutes",
                f"儿童 {c.code}（{instance.town_name(c.town)}）：{limit} 分钟路程内没有爱心妈妈；"
                f"请在当地增加爱心妈妈或提高 care.max_travel_minutes"))
    by_town: dict[str, list[str]] = {}
    for c in instance.children:
        by_town.setdefault(c.town, []).append(c.code)
    for town, codes in sorted(by_town.items()):
        near = {m for code in codes for m in reach[code]}
        if near and len(codes) > cap * len(near):
            problems.append(Message(
                f"{instance.town_name(town)}: {len(codes)} children but the {len(near)} caring "
                f"mothers within reach take at most {cap * len(near)}; add caring mothers or "
                f"raise care.max_children_per_mother",
                f"{instance.town_name(town)}：有 {len(codes)} 名儿童，附近 {len(near)} 位爱心妈妈"
                f"最多结对 {cap * len(near)} 名；请增加爱心妈妈或提高 "
                f"care.max_children_per_mother"))
    return problems


def _hosting_prechecks(instance: Instance, timeline: Timeline) -> list[Message]:
    problems: list[Message] = []
    slots = expand_slots(instance, timeline.calendar)
    feds = [f for f in instance.federations if f.hosting is not None]
    hosts = HostIndex.of(instance)

    def free(fed, day) -> bool:
        c = contact_of(fed)
        return c is None or not instance.person(c).is_unavailable(day)

    by_venue_offered: dict[str, list] = {}
    for s in slots:
        by_venue_offered.setdefault(s.venue, []).append(s)
    for vid, offered in by_venue_offered.items():
        closed = [s for s in offered if s.obstacle and "closed" in s.obstacle]
        if offered and len(closed) == len(offered):
            venue = instance.venue(vid)
            problems.append(Message(
                f"{venue.name} ({vid}) is closed on every one of its {len(offered)} slots; "
                f"check venues[].closures",
                f"{venue.name}（{vid}）的全部 {len(offered)} 个开放场次都在闭馆期内；"
                f"请核对闭馆时段"))
    candidates: dict[str, list[str]] = {}
    for s in slots:
        if not s.usable:
            continue
        venue = instance.venue(s.venue)
        candidates[s.id] = [f.id for f in hosts.at(venue) if free(f, s.date)]
        if not candidates[s.id] and not instance.hosting.allow_empty:
            elig = [f.name for f in hosts.at(venue)]
            if elig:
                why_en = (f"its eligible federations ({'、'.join(elig)}) have their contact "
                          f"person away that day")
                why_zh = f"可主办的单位（{'、'.join(elig)}）的联系人当天都不在"
            else:
                why_en, why_zh = "no federation may host there", "没有单位可以在那里主办"
            problems.append(Message(
                f"{venue.name} ({venue.id}): the slot on {s.date} {s.start:%H:%M} needs a host "
                f"but {why_en}; widen venues[].hosts, add hosting federations, or set "
                f"hosting.allow_empty: true",
                f"{venue.name}（{venue.id}）：{s.date} {s.start:%H:%M} 的场次需要主办单位，但"
                f"{why_zh}；请扩大可主办单位、增加主办单位，或设置 hosting.allow_empty: true"))
    open_slots = Counter(fid for c in candidates.values() for fid in c)
    for f in feds:
        reachable = open_slots[f.id]
        n = f.hosting.min_turns  # type: ignore[union-attr]
        if n > reachable:
            problems.append(Message(
                f"{f.name} ({f.id}): hosting.min_turns is {n} but only {reachable} usable "
                f"slots are open to it; lower min_turns or make it eligible at more venues",
                f"{f.name}（{f.id}）：至少主办 {n} 次，但它只能用 {reachable} 个场次；"
                f"请降低 min_turns 或让它可在更多场地主办"))
    for pin in instance.pins.hosting:
        fed = instance.federation(pin.federation)
        venue = instance.venue(pin.venue)
        match = [s for s in slots if s.venue == pin.venue and s.date == pin.date
                 and (pin.start is None or f"{s.start:%H:%M}" == pin.start)]
        en = f"pins.hosting: {fed.name} at {venue.name} on {pin.date}"
        zh = f"固定安排：{fed.name} {pin.date} 在 {venue.name} 主办"
        if not match:
            problems.append(Message(f"{en}: the venue offers no slot then (check venues[].slots)",
                                    f"{zh}：该场地那天没有开放场次"))
        elif all(not s.usable for s in match):
            problems.append(Message(f"{en}: the slot cannot be used ({match[0].obstacle})",
                                    f"{zh}：该场次不可用（{match[0].obstacle}）"))
        elif not eligible(instance, venue, fed):
            problems.append(Message(f"{en}: {fed.name} may not host at {venue.name}",
                                    f"{zh}：{fed.name} 不能在 {venue.name} 主办"))
        elif not free(fed, pin.date):
            who = instance.person(contact_of(fed)).name  # type: ignore[arg-type]
            problems.append(Message(f"{en}: its contact person {who} is unavailable that day",
                                    f"{zh}：其联系人 {who} 当天不在"))
    return problems
