"""Caring mothers (爱心妈妈 · 结对帮扶), re-derived for the checker from docs/rules.md.

Hard rules ``care_pairing``, ``care_rhythm`` and ``care_visit_time``; the soft amounts
``care_new_mother``, ``care_outside_town`` and ``festival_off_date``. Quarters are the
checker's own (``Ctx.quarters``), visit ids are rebuilt from the docs' patterns, festival
windows are recomputed from ``care.festivals``.

Privacy (隐私保护): a child is only ever named by her code (``Ctx.child_label``); no
message names her, gives her address or even her town.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from ..models.plan import CareVisit
from .context import Ctx

_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KINDS = ("meet", "talk", "festival")
_FESTIVAL_SUFFIX = re.compile(r"-f(\d+)$")


def mothers_of(ctx: Ctx) -> dict[str, list[str]]:
    """child code -> the distinct mothers the plan pairs her with, in plan order."""
    out: dict[str, list[str]] = defaultdict(list)
    for pair in ctx.plan.care.pairs:
        if pair.mother not in out[pair.child]:
            out[pair.child].append(pair.mother)
    return dict(out)


def _minutes(v: CareVisit) -> int:
    return int((v.end - v.start).total_seconds() // 60)


def festival_index(v: CareVisit) -> int | None:
    """``i`` of a visit id ending in ``-f<i>`` (docs: festival_off_date)."""
    m = _FESTIVAL_SUFFIX.search(v.id)
    return int(m.group(1)) if m else None


# =====================================================================================
# Hard rules
# =====================================================================================


def check_care_pairing(ctx: Ctx) -> Iterator[str]:
    care = ctx.instance.care
    entries: dict[str, list[str]] = defaultdict(list)
    for pair in ctx.plan.care.pairs:
        entries[pair.child].append(pair.mother)
    for code, mothers in entries.items():
        if code not in ctx.children:
            names = ", ".join(ctx.who(m) for m in dict.fromkeys(mothers))
            yield f"care.pairs pairs {names} with {ctx.child_label(code)}"
    for code in ctx.children:
        mothers = entries.get(code, [])
        if not mothers:
            yield f"{ctx.child_label(code)} has no caring mother in care.pairs"
        elif len(mothers) > 1:
            names = ", ".join(ctx.who(m) for m in mothers)
            yield (
                f"{ctx.child_label(code)} has {len(mothers)} pairs in care.pairs "
                f"({names}); exactly one mother allowed"
            )
    children_of: dict[str, list[str]] = defaultdict(list)
    for mother, code in dict.fromkeys((p.mother, p.child) for p in ctx.plan.care.pairs):
        person = ctx.people.get(mother)
        paired_child = ctx.children.get(code)
        if person is None:
            yield f"{ctx.child_label(code)} is paired with {ctx.who(mother)}"
            continue
        if not person.caring_mother:
            yield (
                f"{ctx.who(mother)} is paired with {ctx.child_label(code)} but is not a "
                "caring mother (caring_mother is not true)"
            )
        if paired_child is None:
            continue
        children_of[mother].append(code)
        minutes = ctx.travel(person.town, paired_child.town)
        if minutes > care.max_travel_minutes:
            yield (
                f"{ctx.who(mother)} is paired with {ctx.child_label(code)}, who lives "
                f"{minutes} minutes from her town; at most {care.max_travel_minutes} "
                "(care.max_travel_minutes)"
            )
    cap = care.max_children_per_mother
    for mother, codes in children_of.items():
        if len(codes) > cap:
            yield (
                f"{ctx.who(mother)} is paired with {len(codes)} children ({', '.join(codes)}); "
                f"at most {cap} (care.max_children_per_mother)"
            )


def check_care_rhythm(ctx: Ctx) -> Iterator[str]:
    care = ctx.instance.care
    paired = mothers_of(ctx)
    visits: dict[str, list[CareVisit]] = defaultdict(list)
    for v in ctx.plan.care.visits:
        label = ctx.visit_label(v)
        if v.kind not in KINDS:
            yield f"visit {label} has kind {v.kind!r}; kinds are meet, talk and festival"
        if v.child not in ctx.children:
            yield f"visit {label} of {ctx.who(v.mother)} is for {ctx.child_label(v.child)}"
            continue
        mothers = paired.get(v.child, [])
        if not mothers:
            yield (
                f"visit {label} of {ctx.who(v.mother)} is for {ctx.child_label(v.child)}, "
                "who has no pair in care.pairs"
            )
        elif v.mother not in mothers:
            names = " / ".join(ctx.who(m) for m in mothers)
            yield (
                f"visit {label} is made by {ctx.who(v.mother)}, but "
                f"{ctx.child_label(v.child)} is paired with {names}"
            )
        if ctx.quarter_of(ctx.local(v.start).date()) is None:
            yield f"visit {label} is outside {ctx.year}"
        visits[v.child].append(v)
    # The rhythm is per paired child (the visit ids carry the child, not the mother; a
    # child with two mothers is care_pairing's business).
    for child in ctx.instance.children:
        code = child.code
        if code not in paired:
            continue
        mine = visits.get(code, [])
        who = ctx.child_label(code)
        for q in ctx.quarters:
            for kind, need, key in (
                ("meet", care.meet_per_quarter, "meet_per_quarter"),
                ("talk", care.talk_per_quarter, "talk_per_quarter"),
            ):
                found = sorted(
                    (v for v in mine
                     if v.kind == kind and ctx.quarter_of(ctx.local(v.start).date()) == q),
                    key=lambda v: (ctx.local(v.start), v.id),
                )
                if len(found) != need:
                    yield (
                        f"{who} has {len(found)} {kind} visit(s) in {ctx.quarter_label(q)}; "
                        f"exactly {need} (care.{key})"
                    )
                for k, v in enumerate(found, start=1):
                    want = f"visit-{code}-{ctx.year}-q{q}-{kind}{k}"
                    if v.id != want:
                        yield (
                            f"visit {ctx.visit_label(v)} is {kind} {k} of {who} in quarter "
                            f"{q} (by date); its id must be {want!r}"
                        )
        festive = [v for v in mine if v.kind == "festival"]
        if len(festive) != care.festivals_per_year:
            yield (
                f"{who} has {len(festive)} festival visit(s) in {ctx.year}; exactly "
                f"{care.festivals_per_year} (care.festivals_per_year)"
            )
        at: dict[int, list[CareVisit]] = defaultdict(list)
        prefix = f"visit-{code}-{ctx.year}-f"
        n = len(care.festivals)
        for v in sorted(festive, key=lambda v: (ctx.local(v.start), v.id)):
            tail = v.id[len(prefix):] if v.id.startswith(prefix) else ""
            i = int(tail) if tail.isascii() and tail.isdigit() else None
            if i is None or not 1 <= i <= n or tail != str(i):
                yield (
                    f"festival visit {ctx.visit_label(v)} of {who}: its id must be "
                    f"'{prefix}<i>' with i the festival's number 1..{n} (care.festivals)"
                )
                continue
            at[i].append(v)
            fest = care.festivals[i - 1]
            day = ctx.local(v.start).date()
            off = abs((day - fest.date).days)
            if off > fest.window_days:
                yield (
                    f"festival visit {ctx.visit_label(v)} of {who} is {off} days from "
                    f"festival {i} {fest.name} ({fest.date}); at most {fest.window_days} "
                    "(window_days)"
                )
        for i, same in sorted(at.items()):
            if len(same) > 1:
                fest = care.festivals[i - 1]
                listed = ", ".join(ctx.visit_label(v) for v in same)
                yield (
                    f"{who} has {len(same)} festival visits at festival {i} {fest.name} "
                    f"({fest.date}): {listed}; each must be at a different festival"
                )


def check_care_visit_time(ctx: Ctx) -> Iterator[str]:
    care = ctx.instance.care
    for v in ctx.plan.care.visits:
        label = ctx.visit_label(v)
        start = ctx.local(v.start)
        day = start.date()
        rules = {
            "meet": (care.meet_times, care.meet_minutes, "meet"),
            "talk": (care.talk_times, care.talk_minutes, "talk"),
            "festival": (care.festival_times, care.festival_minutes, "festival"),
        }.get(v.kind)
        if rules is not None:
            times, length, key = rules
            if v.kind in ("meet", "talk") and _DAY_KEYS[day.weekday()] not in care.visit_days:
                yield (
                    f"visit {label} is on {ctx.day_label(day)}; meets and talks are on "
                    f"{', '.join(care.visit_days)} (care.visit_days)"
                )
            if f"{start:%H:%M}" not in times:
                yield (
                    f"visit {label} starts at {start:%H:%M}; allowed {', '.join(times)} "
                    f"(care.{key}_times)"
                )
            if _minutes(v) != length:
                yield (
                    f"visit {label} lasts {_minutes(v)} minutes; it must last {length} "
                    f"(care.{key}_minutes)"
                )
        reason = ctx.unavailable_on(v.mother, day)
        if reason is not None:
            why = f" ({reason})" if reason else ""
            yield f"visit {label} is made by {ctx.who(v.mother)}, unavailable on {day}{why}"


# =====================================================================================
# Soft amounts
# =====================================================================================


def amount_care_new_mother(ctx: Ctx) -> int:
    last: dict[str, set[str]] = defaultdict(set)
    for h in ctx.instance.history.care:
        if h.year == ctx.year - 1:
            last[h.child].add(h.mother)
    paired = mothers_of(ctx)
    n = 0
    for code, mothers in last.items():
        still = {m for m in mothers if m in ctx.people and ctx.people[m].caring_mother}
        now = set(paired.get(code, []))
        n += bool(still and now and not now & still)
    return n


def amount_care_outside_town(ctx: Ctx) -> int:
    n = 0
    for mother, code in dict.fromkeys((p.mother, p.child) for p in ctx.plan.care.pairs):
        person, child = ctx.people.get(mother), ctx.children.get(code)
        if person is not None and child is not None and person.town is not None:
            n += person.town != child.town
    return n


def amount_festival_off_date(ctx: Ctx) -> int:
    festivals = ctx.instance.care.festivals
    n = 0
    for v in ctx.plan.care.visits:
        i = festival_index(v) if v.kind == "festival" else None
        if i is not None and 1 <= i <= len(festivals):
            n += abs((ctx.local(v.start).date() - festivals[i - 1].date).days)
    return n
