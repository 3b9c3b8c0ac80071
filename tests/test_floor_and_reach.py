"""Graceful under load and quick re-plans (issue 14): a starved part returns the
construction, and a re-plan's fewest-changes stage searches only the months the change
reaches -- with the same proven-minimal answer as a search of the whole year."""

from __future__ import annotations

import datetime as dt

import pytest

from xinglian.checker import check, score
from xinglian.instances import default_instance
from xinglian.models import Timeline, load_instance
from xinglian.models.changes import ChangeSet, apply_changes
from xinglian.solver import keep, run, solve
from xinglian.solver.construct import construct

TODAY = dt.date(2027, 2, 15)


@pytest.fixture(scope="module")
def full():
    return load_instance(default_instance())


@pytest.fixture(scope="module")
def published(full):
    res = solve(full, time_limit=300, work=6, seed=0, workers=2)
    assert res.plan is not None and not res.wall_stopped
    return res.plan


def changed(inst, *changes):
    return apply_changes(inst, ChangeSet.model_validate({"changes": list(changes)}), TODAY)


def test_a_starved_part_returns_the_construction_and_the_checker_accepts_it(full,
                                                                          monkeypatch):
    # Every search gets almost no work, and so does the first-plan search after it:
    # each part falls back to the construction, which keeps every hard rule.
    monkeypatch.setattr(run, "FALLBACK_WORK", 0.01)
    res = solve(full, time_limit=300, work=0.05, seed=0, workers=2)
    assert res.plan is not None
    parts = res.plan.solve.parts
    assert any(p.constructed for p in parts)
    assert check(full, res.plan) == []
    assert score(full, res.plan).total == res.objective
    # ... and it is the construction's: the decisions of the construction itself.
    built = construct(full, Timeline(full).calendar,
                      {p.child: p.mother for p in res.plan.care.pairs})
    vol_part = next(p for p in parts if p.name == "volunteering")
    assert vol_part.constructed
    mine = {(v.activity, v.role, v.person) for v in res.plan.volunteering}
    assert mine == {(v.activity, v.role, v.person) for v in built.volunteering}


def test_reached_months_are_those_a_change_touches(full, published):
    # A volunteer serving in June is away 3 June - 2 July: June is reached (she must be
    # replaced), July may be (she is in pools there), no other month is.
    june = next(v for v in published.volunteering
                if full.activity(v.activity).date >= dt.date(2027, 6, 3)
                and full.activity(v.activity).date.month == 6)
    away = changed(full, {"kind": "unavailable", "person": june.person,
                          "start": "2027-06-03", "end": "2027-07-02"})
    reached = keep.reached_months(away, full, published)
    assert (2027, 6) in reached and reached <= {(2027, 6), (2027, 7)}
    later = sorted((a for a in full.activities if a.date.month == 4), key=lambda a: a.id)[0]
    moved = changed(full, {"kind": "activity_moved", "activity": later.id,
                           "date": "2027-09-14"})
    assert keep.reached_months(moved, full, published) == {(2027, 4), (2027, 9)}
    assert keep.reached_months(full, full, published) == frozenset()
    # A global rule changed: everything is reached.
    rules = full.model_copy(update={"weights": full.weights.model_copy(
        update={"unfilled_role": full.weights.unfilled_role + 1})})
    assert keep.reached_months(rules, full, published) is None


@pytest.mark.parametrize("change", [
    {"kind": "unavailable", "person": "@volunteer", "start": "2027-06-01",
     "end": "2027-06-30"},
    {"kind": "headcount", "activity": "@activity", "role": "@role", "min": "@min+1",
     "max": "@min+1"},
], ids=["volunteer away in June", "headcount raised"])
def test_the_neighbourhood_finds_the_whole_years_fewest_changes(full, published, change):
    # A volunteer serving in June (so that June is reached, and only a few months are).
    used = next(v for v in published.volunteering
                if full.activity(v.activity).date.month == 6)
    act = full.activity(used.activity)
    role = next(r for r in act.roles if r.role == used.role)
    fill = {"@volunteer": used.person, "@activity": act.id, "@role": role.role,
            "@min+1": max(role.min, role.max or role.min) + 1}
    new = changed(full, {k: fill.get(v, v) if isinstance(v, str) else v
                         for k, v in change.items()})
    tl = Timeline(new)
    kw = dict(time_limit=300, work=4, seed=0, workers=2, calendar=tl.calendar,
              previous=published, today=TODAY)
    near = solve(new, previous_instance=full, **kw)   # stage 1 on the reached months
    whole = solve(new, **kw)                         # no instance to compare: the year
    for res in (near, whole):
        assert res.plan is not None and not res.wall_stopped
        assert check(new, res.plan, tl.calendar) == []
        assert res.change_status == "OPTIMAL"
    assert near.change_cost == whole.change_cost
    # Nothing outside the reached months moved (and they are not the whole year).
    months = keep.reached_months(new, full, published)
    assert months and len(months) < 12
    before = {(v.activity, v.role, v.person) for v in published.volunteering}
    after = {(v.activity, v.role, v.person) for v in near.plan.volunteering}
    for aid, _, _ in before ^ after:
        a = new.activity(aid) if new.has_activity(aid) else full.activity(aid)
        assert (a.date.year, a.date.month) in months


def test_a_search_cut_above_its_construction_returns_the_construction(full):
    """A hosting group's search cut at a sliver of work, without the construction as its
    hint: where its plan costs more than the construction, the part returns the
    construction with the search's bound -- never a plan worse than its floor."""
    from xinglian.solver.build import build
    from xinglian.solver.decompose import decompose
    from xinglian.solver.solve import _construction, _pair

    tl = Timeline(full)
    pairs = _pair(full, None, 10, 0).pairs
    hint = _construction(full, tl, pairs)
    guarded = 0
    for part in decompose(full, tl, pairs, None):
        if not part.venues:
            continue
        floor = run.solve_part(build(full, tl, part, None, None, care_pairs=pairs, hint=hint),
                               run.Limits(0.5, 30.0), 0, 1, start="construction")
        ctx = build(full, tl, part, None, None, care_pairs=pairs, hint=hint)
        ctx.model.clear_hints()
        got = run.solve_part(ctx, run.Limits(0.05, 30.0), 0, 1)
        assert got.plan is not None and got.objective <= floor.objective
        assert 0 < got.bound <= got.objective
        if got.constructed:
            guarded += 1
            assert got.objective == floor.objective and got.bound > floor.bound
    assert guarded >= 1
