"""Caring mothers (爱心妈妈 · 结对帮扶): pairs first, then the visits of the year.

Stage 1, :func:`pair_children`: a small model puts each child with one caring mother
(capacity, close enough; softly: last year's mother, the same town). Stage 2, inside
the volunteering part of the plan: each pair's meets and talks per quarter and its
festival visits, on allowed days and times when the mother is free, not clashing with
her other duties (solver/duties.py). Definitions in docs/rules.md.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from ..models.instance import Instance
from ..models.volunteering import WEEKDAYS, candidate_mothers  # noqa: F401 (re-exported)
from .context import ModelContext, Visit
from .unionfind import UnionFind


@dataclass
class Pairing:
    status: str
    pairs: dict[str, str] = field(default_factory=dict)
    """child code -> mother id."""
    objective: int = 0
    bound: float = 0.0
    penalties: list[tuple[str, int, int, list]] = field(default_factory=list)
    """(rule, weight, amount, worst cases) as extract_part produces them."""


def last_year_mother(instance: Instance) -> dict[str, str]:
    return {h.child: h.mother for h in instance.history.care if h.year == instance.year - 1}


def pair_children(instance: Instance, *, work: float = 10.0, seed: int = 0,
                  previous: dict[str, str] | None = None,
                  time_limit: float | None = None) -> Pairing:
    """Stage 1. ``previous`` (re-planning) are the published pairs, kept unless
    impossible (a change costs ``change_weights.care_pair``).

    Children who share no candidate mother (directly or through other children) are
    independent: each such group is its own small model, with a share of ``work``
    (CP-SAT's deterministic seconds) by its number of children. A province's children are
    hundreds of groups that each prove optimal in moments, not one model of them all.
    ``time_limit`` (wall seconds) is only a safety net."""
    if not instance.children:
        return Pairing("OPTIMAL")
    groups = pairing_groups(instance)
    facts = (last_year_mother(instance), {p.id for p in instance.people if p.caring_mother},
             {c.code: c.town for c in instance.children})
    total = len(instance.children)
    started = time.perf_counter()
    wall = 3 * work + 10 if time_limit is None else time_limit
    out = Pairing("OPTIMAL")
    for codes in groups:
        share = max(0.05, work * len(codes) / total)
        left = max(0.1, wall - (time.perf_counter() - started))
        one = _pair_group(instance, codes, share, left, seed, previous, facts)
        if one.status not in ("OPTIMAL", "FEASIBLE"):
            return Pairing(one.status)
        if one.status != "OPTIMAL":
            out.status = "FEASIBLE"
        out.pairs.update(one.pairs)
        out.objective += one.objective
        out.bound += one.bound
        if not out.penalties:
            out.penalties = [(rule, weight, 0, []) for rule, weight, _, _ in one.penalties]
        for k, (rule, weight, amount, hits) in enumerate(one.penalties):
            _, _, total_amount, all_hits = out.penalties[k]
            out.penalties[k] = (rule, weight, total_amount + amount, all_hits + hits)
    return out


def pairing_groups(instance: Instance) -> list[list[str]]:
    """Children linked by a shared candidate mother, in instance order."""
    uf = UnionFind()
    for c in instance.children:
        uf.find("c:" + c.code)
        for m in candidate_mothers(instance, c.code):
            uf.union("c:" + c.code, "p:" + m)
    groups: dict[str, list[str]] = {}
    for c in instance.children:
        groups.setdefault(uf.find("c:" + c.code), []).append(c.code)
    return list(groups.values())


def _pair_group(instance: Instance, codes: list[str], work: float, time_limit: float,
                seed: int, previous: dict[str, str] | None, facts: tuple) -> Pairing:
    """One group of children (see :func:`pairing_groups`) paired in one model.
    ``facts``: last year's mothers, the caring mothers, the children's towns."""
    model = cp_model.CpModel()
    y: dict[tuple[str, str], cp_model.IntVar] = {}
    for code in codes:
        for m in candidate_mothers(instance, code):
            y[code, m] = model.new_bool_var(f"pair[{code},{m}]")
    for _, add in PAIRING_HARD_RULES:
        add(model, instance, codes, y)
    pv = PairingVars(instance, y, facts)
    terms = [(rule, getattr(instance.weights, rule), terms_of(pv))
             for rule, terms_of in PAIRING_SOFT_RULES]
    change = []
    before = facts[0]
    for (code, m), lit in y.items():
        if previous and previous.get(code) not in (None, m):
            change.append(lit)
        model.add_hint(lit, (previous or before).get(code) == m)
    objective = sum((weight * lit for _, weight, parts in terms for lit, _ in parts), start=0)
    if previous:
        objective = objective + 1000 * instance.change_weights.care_pair * sum(change, start=0)
    model.minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = work
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 1
    code = solver.solve(model)
    status = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE",
              cp_model.INFEASIBLE: "INFEASIBLE"}.get(code, "UNKNOWN")
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Pairing(status)
    pairs = {code_: m for (code_, m), lit in y.items() if solver.boolean_value(lit)}
    penalties = []
    total = 0
    for rule, weight, parts in terms:
        hits = [(-1, text) for lit, text in parts if solver.boolean_value(lit)]
        penalties.append((rule, weight, len(hits), hits))
        total += weight * len(hits)
    # The bound of the pairing objective proper (change costs, if any, are not part of
    # the plan's objective).
    bound = float(total) if code == cp_model.OPTIMAL else float(
        max(0.0, solver.best_objective_bound))
    return Pairing(status, pairs, total, min(bound, float(total)), penalties)


@dataclass(frozen=True)
class PairingVars:
    """What the pairing model's rules read: the instance, the pair literals
    ((child, mother) -> bool) and ``facts`` (last year's mothers, the caring mothers,
    the children's towns)."""

    instance: Instance
    y: dict[tuple[str, str], cp_model.IntVar]
    facts: tuple


def add_care_pairing(model: cp_model.CpModel, instance: Instance, codes: list[str],
                     y: dict[tuple[str, str], cp_model.IntVar]) -> None:
    """Every child has exactly one mother, each mother at most
    ``care.max_children_per_mother`` children. (Only caring mothers close enough have a
    literal: :func:`candidate_mothers`.)"""
    per_child: dict[str, list] = {}
    per_mother: dict[str, list] = {}
    for (code, m), lit in y.items():
        per_child.setdefault(code, []).append(lit)
        per_mother.setdefault(m, []).append(lit)
    for code in codes:
        model.add_exactly_one(per_child.get(code, []))
    cap = instance.care.max_children_per_mother
    for m in sorted(per_mother):
        lits = per_mother[m]
        if len(lits) > cap:
            model.add(sum(lits) <= cap)


def care_new_mother_penalties(pv: PairingVars) -> list[tuple[cp_model.IntVar, str]]:
    """(literal, description): a child whose last year's mother is still a caring mother
    but who is paired with someone else."""
    before, caring, _town = pv.facts
    out = []
    for (code, m), lit in pv.y.items():
        old = before.get(code)
        if old is not None and old in caring and old != m:
            out.append((lit, f"儿童 {code} 换了爱心妈妈（去年：{_name(pv.instance, old)}）"))
    return out


def care_outside_town_penalties(pv: PairingVars) -> list[tuple[cp_model.IntVar, str]]:
    """(literal, description): a pair whose mother lives in another town than the
    child."""
    _before, _caring, town = pv.facts
    return [(lit, f"{_name(pv.instance, m)} 与儿童 {code} 不在同一镇街")
            for (code, m), lit in pv.y.items() if pv.instance.person(m).town != town[code]]


PAIRING_HARD_RULES = (("care_pairing", add_care_pairing),)
"""Hard rules of the pairing stage (its own small models; solver/build.py has the rest)."""
PAIRING_SOFT_RULES = (
    ("care_new_mother", care_new_mother_penalties),
    ("care_outside_town", care_outside_town_penalties),
)
"""Soft rules of the pairing stage, in the order of the objective."""


def _name(instance: Instance, pid: str) -> str:
    return instance.person(pid).name


def add_variables(ctx: ModelContext) -> None:
    """Stage 2 variables: candidate visits of every pair."""
    if not ctx.has_care or not ctx.care_pairs:
        return
    inst, tl = ctx.instance, ctx.timeline
    rules = inst.care
    days = {WEEKDAYS.index(d) for d in rules.visit_days}
    children = {c.code: c for c in inst.children}
    kept = ctx.kept("care")

    def slots(mother: str, dates, times: tuple[str, ...], minutes: int):
        person = inst.person(mother)
        for d in dates:
            if person.is_unavailable(d):
                continue
            for t in times:
                h, m = (int(x) for x in t.split(":"))
                yield d, h * 60 + m, h * 60 + m + minutes

    def built(code: str, kind: str, found) -> list:
        return [(d, s, e) for d, s, e in found if kept is None or (code, kind, d, s) in kept]

    for code, mother in sorted(ctx.care_pairs.items()):
        town = children[code].town
        for q, (qs, qe) in enumerate(tl.quarters, start=1):
            dates = [d for d in tl.days(qs, qe) if d.weekday() in days]
            for kind, times, minutes in (("meet", rules.meet_times, rules.meet_minutes),
                                         ("talk", rules.talk_times, rules.talk_minutes)):
                ctx.visits[code, kind, q] = [
                    Visit(code, mother, kind, d, s, e, town,
                          ctx.new_bool(f"{kind}[{code},{d},{s}]"))
                    for d, s, e in built(code, kind, slots(mother, dates, times, minutes))
                ]
        for i, f in enumerate(rules.festivals, start=1):
            lo = max(tl.first, f.date - dt.timedelta(days=f.window_days))
            hi = min(tl.last, f.date + dt.timedelta(days=f.window_days))
            ctx.visits[code, "festival", i] = [
                Visit(code, mother, "festival", d, s, e, town,
                      ctx.new_bool(f"fest[{code},{i},{d},{s}]"))
                for d, s, e in built(code, "festival",
                                     slots(mother, tl.days(lo, hi), rules.festival_times,
                                           rules.festival_minutes))
            ]


def add_care_rhythm(ctx: ModelContext) -> None:
    """Per pair: ``meet_per_quarter`` meets and ``talk_per_quarter`` talks each quarter,
    ``festivals_per_year`` festival visits at different festivals. (Allowed days, times
    and the mother's availability hold by construction of the candidates:
    ``care_visit_time``.)"""
    if not ctx.visits:
        return
    rules, model = ctx.instance.care, ctx.model
    chosen: dict[str, list] = {}
    for (code, kind, key), visits in ctx.visits.items():
        lits = [v.lit for v in visits]
        if kind == "festival":
            z = model.new_bool_var(f"festival[{code},{key}]")
            model.add(sum(lits, start=0) == z)
            chosen.setdefault(code, []).append(z)
        else:
            n = rules.meet_per_quarter if kind == "meet" else rules.talk_per_quarter
            model.add(sum(lits, start=0) == n)
    for code in ctx.care_pairs:
        model.add(sum(chosen.get(code, []), start=0) == rules.festivals_per_year)


def festival_off_date_penalties(ctx: ModelContext) -> None:
    """Days between each festival visit and its festival (the pairing costs,
    ``care_new_mother`` and ``care_outside_town``, come from stage 1)."""
    if not ctx.has_care:
        return
    inst = ctx.instance
    parts = []
    for (code, kind, key), visits in ctx.visits.items():
        if kind != "festival":
            continue
        f = inst.care.festivals[key - 1]
        for v in visits:
            off = abs((v.date - f.date).days)
            if off:
                parts.append((v.lit, off, f"儿童 {code} 的{f.name}探访在 {v.date}，偏离{off}天"))
    ctx.penalise("festival_off_date", inst.weights.festival_off_date, parts)
