"""Read a solved part into plain data (:class:`PartPlan`) and assemble the parts' plans
into one :class:`~xinglian.models.plan.Plan`. Nothing returned here holds an OR-Tools
object."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

from ..models.hosting import Slot
from ..models.instance import Instance
from ..models.plan import (
    Care,
    CarePair,
    CareVisit,
    Hosting,
    Meeting,
    Penalty,
    Plan,
    RotationTerm,
    SkippedSlot,
    SolveInfo,
    Unfilled,
    Volunteering,
)
from . import hosting, volunteering
from . import term as term_of_work
from .care import Pairing
from .context import ModelContext


@dataclass(frozen=True)
class PenaltyAmount:
    """One soft rule's amount in one part, with the worst cases as (−cost, text)."""

    rule: str
    weight: int
    amount: int
    hits: tuple[tuple[int, str], ...] = ()


@dataclass
class PartPlan:
    """The decisions of one part of the plan, in plan entries."""

    rotation: list[RotationTerm] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    hosting: list[Hosting] = field(default_factory=list)
    unfilled: list[Unfilled] = field(default_factory=list)
    volunteering: list[Volunteering] = field(default_factory=list)
    visits: list[CareVisit] = field(default_factory=list)
    penalties: list[PenaltyAmount] = field(default_factory=list)
    term_visits: list = field(default_factory=list)
    signatures: list = field(default_factory=list)

    @property
    def cost(self) -> int:
        """What the part's plan costs: Σ weight × amount (the checker's figure)."""
        return sum(p.weight * p.amount for p in self.penalties if p.weight)


def _over(ctx: ModelContext, end) -> bool:
    """Whether an event ending at ``end`` was over before a re-plan's ``today``."""
    return ctx.today is not None and end.date() < ctx.today


def _held_leaders(ctx: ModelContext) -> dict[str, str]:
    """Event id -> who led it in the published plan (the host of a meeting, the chair at
    a term visit or signature activity): an event over before a re-plan's ``today`` keeps
    hers, though the period may now have another chair (one away for the rest of it)."""
    prev = ctx.previous
    if prev is None or ctx.today is None:
        return {}
    out = {m.id: m.host for m in prev.meetings}
    out.update((v.id, v.chair) for v in prev.term_visits)
    out.update((x.id, x.chair) for x in prev.signature_activities)
    return out


def extract_part(ctx: ModelContext, solver: cp_model.CpSolver) -> PartPlan:
    """Read one part's solution into plain data (plan entries and penalty amounts)."""
    inst, tl = ctx.instance, ctx.timeline
    terms: list[RotationTerm] = []
    chair_of: dict[tuple[str, int], str] = {}
    for base in ctx.bases:
        for t in range(1, inst.periods + 1):
            p = next(p for p in base.presidium if solver.boolean_value(ctx.chair[base.id, t, p]))
            chair_of[base.id, t] = p
            start, end = tl.periods[t - 1]
            terms.append(RotationTerm(base=base.id, period=t, start=start, end=end, chair=p))
    slots = inst.meetings.slots
    held = _held_leaders(ctx)
    meets: list[Meeting] = []
    for (b, q), mv in ctx.meetings.items():
        d, s = next(k for k, lit in mv.day_slot.items() if solver.boolean_value(lit))
        venue = next(v for v, lit in mv.venue.items() if solver.boolean_value(lit))
        expected = inst.meeting_attendees(b)
        absent = tuple(p for p in expected if inst.person(p).is_unavailable(d))
        mid, end = f"mtg-{b}-q{q}", tl.at(d, slots[s].end)
        host = chair_of[b, tl.period_of(d)]
        if _over(ctx, end):
            host = held.get(mid, host)
        meets.append(Meeting(
            id=mid, base=b, quarter=q,
            start=tl.at(d, slots[s].start), end=end, venue=venue, host=host,
            attendees=tuple(p for p in expected if p not in absent), absent=absent,
        ))
    themes = hosting.theme_of(ctx)
    turns: list[Hosting] = []
    unfilled: list[Unfilled] = []
    for sid, hosts in ctx.hosting.items():
        slot = ctx.slots[sid]
        start = tl.at(slot.date, f"{slot.start:%H:%M}")
        end = tl.at(slot.date, f"{slot.end:%H:%M}")
        host = next((f for f, lit in hosts.items() if solver.boolean_value(lit)), None)
        if host is None:
            venue = inst.venue(slot.venue)
            why = ("没有符合条件且当天有空的主办单位 no eligible federation is free"
                   if not hosts else "允许空缺，未安排 left empty (allowed by hosting.allow_empty)")
            unfilled.append(Unfilled.hosting_slot(sid, slot.venue, venue.name, slot.date, why))
            continue
        turns.append(Hosting(id=sid, venue=slot.venue, federation=host, start=start, end=end,
                             theme=themes[sid].name if sid in themes else None))
    assigned = sorted((aid, pid, role) for (aid, role, pid), lit in ctx.assign.items()
                      if solver.boolean_value(lit))
    volunteering_ = [Volunteering(activity=aid, person=pid, role=role)
                     for aid, pid, role in assigned]
    if ctx.has_volunteering:
        counts: dict[tuple[str, str], int] = {}
        for aid, _pid, role in assigned:
            counts[aid, role] = counts.get((aid, role), 0) + 1
        for a in ctx.activities:
            for r in a.roles:
                got = counts.get((a.id, r.role), 0)
                if got < r.min:
                    unfilled.append(Unfilled.role_short(
                        a, r.role, r.skill, r.min - got,
                        volunteering.why_unfilled(ctx, a, r, got)))
    visits: list[CareVisit] = []
    for (code, kind, key), cands in sorted(ctx.visits.items()):
        chosen = sorted((v.date, v.start, v.end) for v in cands if solver.boolean_value(v.lit))
        for k, (d, st, en) in enumerate(chosen, start=1):
            vid = (f"visit-{code}-{inst.year}-f{key}" if kind == "festival"
                   else f"visit-{code}-{inst.year}-q{key}-{kind}{k}")
            visits.append(CareVisit(
                id=vid, mother=ctx.care_pairs[code], child=code, kind=kind,
                start=tl.at(d, f"{st // 60:02d}:{st % 60:02d}"),
                end=tl.at(d, f"{en // 60:02d}:{en % 60:02d}")))
    penalties = []
    for term in ctx.penalties:
        hits = []
        for expr, coef, text in term.parts:
            v = solver.value(expr) * coef
            if v:
                hits.append((-v, text))
        penalties.append(PenaltyAmount(term.rule, term.weight, int(solver.value(term.amount)),
                                       tuple(hits)))
    term_visits, signatures = term_of_work.extract(ctx, solver, chair_of)
    term_visits = [v.model_copy(update={"chair": held.get(v.id, v.chair)})
                   if _over(ctx, v.end) else v for v in term_visits]
    signatures = [x.model_copy(update={"chair": held.get(x.id, x.chair)})
                  if _over(ctx, x.end) else x for x in signatures]
    return PartPlan(rotation=terms, meetings=meets, hosting=turns, unfilled=unfilled,
                    volunteering=volunteering_, visits=visits, penalties=penalties,
                    term_visits=term_visits, signatures=signatures)




def assemble(instance: Instance, pieces: list[PartPlan], pairing: Pairing,
             info: SolveInfo, all_slots: list[Slot]) -> Plan:
    """One plan from the parts' plans (in the given order); penalties summed by rule.
    ``all_slots``: every offered slot of the instance (usable or not), for
    ``hosting_skipped`` -- worked out once here, not carried by every part (on a
    cluster each part's result travels: K = 100 counties' slots in each of 1,100
    results took 11 GB in the client and 6.6 GB in each worker)."""
    rotation_terms: list[RotationTerm] = []
    meets: list[Meeting] = []
    turns: list[Hosting] = []
    unfilled: list[Unfilled] = []
    amounts: dict[str, list] = {}
    vol: list[Volunteering] = []
    visits: list[CareVisit] = []
    term_visits: list = []
    signatures: list = []
    for rule, weight, amount, hits in pairing.penalties:
        amounts[rule] = [weight, amount, list(hits)]
    for piece in pieces:
        rotation_terms += piece.rotation
        meets += piece.meetings
        turns += piece.hosting
        unfilled += piece.unfilled
        vol += piece.volunteering
        visits += piece.visits
        term_visits += piece.term_visits
        signatures += piece.signatures
        for p in piece.penalties:
            entry = amounts.setdefault(p.rule, [p.weight, 0, []])
            entry[1] += p.amount
            entry[2] += p.hits
    order = {b.id: i for i, b in enumerate(instance.bases)}
    rotation_terms.sort(key=lambda t: (order[t.base], t.period))
    meets.sort(key=lambda m: (m.start, m.base))
    turns.sort(key=lambda h: (h.start, h.venue))
    unfilled.sort(key=lambda u: u.what)
    penalties = tuple(
        Penalty(rule=rule, weight=w, amount=a, cost=w * a,
                worst=tuple(text for _, text in sorted(hits)[:5]))
        for rule, (w, a, hits) in amounts.items()
    )
    tz = ZoneInfo(instance.timezone)
    skipped = tuple(
        SkippedSlot(id=s.id, venue=s.venue, start=dt.datetime.combine(s.date, s.start, tz),
                    end=dt.datetime.combine(s.date, s.end, tz), why=s.obstacle or "")
        for s in all_slots if not s.usable
    )
    return Plan(
        instance=instance.id,
        year=instance.year,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        solve=info,
        rotation=tuple(rotation_terms),
        meetings=tuple(meets),
        hosting=tuple(turns),
        hosting_skipped=skipped,
        volunteering=tuple(sorted(vol, key=lambda v: (v.activity, v.role, v.person))),
        care=Care(pairs=tuple(CarePair(mother=m, child=c)
                              for c, m in sorted(pairing.pairs.items())),
                  visits=tuple(sorted(visits, key=lambda v: (v.start, v.id)))),
        unfilled=tuple(unfilled),
        term_visits=tuple(sorted(term_visits, key=lambda v: (v.start, v.id))),
        signature_activities=tuple(sorted(signatures, key=lambda v: (v.start, v.id))),
        penalties=penalties,
    )
