"""Explanations in the setting they are asked in (issue 15).

- Two hosting slots of one federation on the same day (a morning and an afternoon) once
  crashed the explainer; it now explains (tests/data/infeasible/two-slots-one-day.yaml,
  also in test_explain.py's cases).
- A re-plan is explained with its frozen past: a repair is offered only when the re-plan
  itself (previous plan + today) then has a plan, and each such repair, applied, gives a
  plan the independent checker accepts and that keeps the past.
- A solve the time limit leaves open is reported as "ran out of time", never as
  impossible.
- A base whose every meeting room is closed in one quarter is named in one pre-check line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from ortools.sat.python import cp_model

from xinglian.checker import check
from xinglian.cli import main
from xinglian.models import Instance
from xinglian.models.changes import ChangeSet, apply_changes
from xinglian.solver import explain as explain_mod
from xinglian.solver import solve
from xinglian.solver.explain import explain

TODAY = dt.date(2026, 7, 1)  # periods 1-3 (January to June) have ended

# One base, three presidium members, at most two terms each: exactly enough for the six
# periods. Pins give the first half-year a, b, c. When c is away from July on, a and b
# have one term left each for periods 4-6: one short.
BASE = {
    "id": "frozen", "year": 2026, "calendar": {"source": "chinesecalendar"},
    "rotation": {"max_terms_per_person": 2},
    "towns": [{"id": "t", "name": "官桥镇"}],
    "people": [{"id": "a", "name": "郭丽琼"}, {"id": "b", "name": "卓雅婷"},
               {"id": "c", "name": "庄惠珍"}],
    "federations": [{"id": "base", "name": "官桥镇产业基地妇联", "kind": "base", "town": "t",
                     "chair": "a", "vice_chairs": ["b", "c"]}],
    "venues": [{"id": "hall", "name": "官桥镇政府会议室", "town": "t", "capacity": 20}],
    "pins": {"rotation": [{"base": "base", "period": 1, "chair": "a"},
                          {"base": "base", "period": 2, "chair": "b"},
                          {"base": "base", "period": 3, "chair": "c"}]},
}
AWAY = ChangeSet.model_validate({"changes": [
    {"kind": "unavailable", "person": "c", "start": "2026-07-01", "end": "2026-12-31",
     "reason": "外出学习"}]})


def past(plan, day):
    return sorted((t.base, t.period, t.chair) for t in plan.rotation if t.end < day)


@pytest.fixture(scope="module")
def replan_case():
    v1_inst = Instance.model_validate(BASE)
    v1 = solve(v1_inst, time_limit=10, workers=1).plan
    assert v1 is not None and check(v1_inst, v1) == []
    inst = apply_changes(v1_inst, AWAY, TODAY)
    res = solve(inst, time_limit=10, workers=1, previous=v1, today=TODAY,
                previous_instance=v1_inst)
    assert res.plan is None and res.status == "INFEASIBLE"
    return v1_inst, v1, inst


def test_a_replan_is_explained_with_its_frozen_past(replan_case):
    v1_inst, v1, inst = replan_case
    # Without the past the instance has a plan only by rewriting it (a would chair the
    # first period no more): the old explainer offered dropping the pin of period 1,
    # which ended in February.
    plain = explain(inst, time_limit=20)
    plain_keys = {r.key for c in plain.conflicts for rep in c.repairs for r in rep}
    assert "pin_rotation:0" in plain_keys
    exp = explain(inst, time_limit=20, previous=v1, today=TODAY)
    assert not exp.feasible and exp.conflicts and not exp.timed_out
    keys = [[r.key for r in rep] for c in exp.conflicts for rep in c.repairs]
    assert keys, exp.render("en")
    # No repair touches what already happened.
    assert not any(k.startswith("pin_rotation:") for rep in keys for k in rep), keys


def test_every_verified_replan_repair_gives_a_plan_the_checker_accepts(replan_case):
    v1_inst, v1, inst = replan_case
    exp = explain(inst, time_limit=20, previous=v1, today=TODAY)
    repairs = [rep for c in exp.conflicts for rep in c.repairs]
    assert repairs
    for repair in repairs:
        relaxed = inst
        for req in repair:
            relaxed = req.relax(relaxed)
        res = solve(relaxed, time_limit=10, workers=1, previous=v1, today=TODAY,
                    previous_instance=v1_inst)
        assert res.plan is not None, [r.key for r in repair]
        assert check(relaxed, res.plan) == []
        assert past(res.plan, TODAY) == past(v1, TODAY)


def test_an_explanation_that_runs_out_of_time_says_so(monkeypatch, tmp_path):
    # Every solve stops on its limit without an answer (what a conflict too large for
    # its time does): the report must not call anything impossible.
    monkeypatch.setattr(explain_mod, "_status", lambda ctx, keys, secs: (cp_model.UNKNOWN, []))
    inst = Instance.model_validate({**BASE, "pins": {}})
    exp = explain(inst, time_limit=1)
    assert not exp.feasible and exp.undecided and exp.timed_out and not exp.structural
    for lang, said, never in (("en", "ran out of time", "even with every"),
                              ("zh", "时间不足", "即使放宽")):
        text = exp.render(lang)
        assert said in text and never not in text, text
    path = tmp_path / "i.yaml"
    import yaml
    path.write_text(yaml.safe_dump({**BASE, "pins": {}}, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(main, ["explain", str(path), "--lang", "en", "--time-limit", "1"])
    assert res.exit_code == 4, res.output
    assert "ran out of time" in res.output and "Traceback" not in res.output


def test_a_deletion_filter_cut_short_is_not_called_minimal(monkeypatch):
    # The first solve proves the conflict, every later one runs out of time.
    real = explain_mod._status
    calls = []

    def status(ctx, keys, secs):
        calls.append(keys)
        return real(ctx, keys, secs) if len(calls) <= 2 else (cp_model.UNKNOWN, [])

    monkeypatch.setattr(explain_mod, "_status", status)
    exp = explain(Instance.model_validate({**BASE, "rotation": {"max_terms_per_person": 1},
                                           "pins": {}}), time_limit=5)
    assert exp.conflicts and not exp.conflicts[0].minimal
    assert "not shown to be minimal" in exp.render("en")


def test_every_meeting_room_closed_in_a_quarter_is_named_in_one_line():
    data = {**BASE, "pins": {}, "venues": [
        {"id": "hall", "name": "官桥镇政府二楼会议室", "town": "t", "capacity": 30,
         "closures": [{"start": "2026-04-01", "end": "2026-06-30", "reason": "装修"}]},
        {"id": "room", "name": "官桥镇妇联会议室", "town": "t", "capacity": 10,
         "closures": [{"start": "2026-03-20", "end": "2026-07-10", "reason": "搬迁"}]}]}
    exp = explain(Instance.model_validate(data), time_limit=10)
    lines = [m for m in exp.prechecks if "quarter 2" in m]
    assert len(lines) == 1, exp.prechecks
    assert "官桥镇产业基地妇联" in lines[0] and "官桥镇政府二楼会议室" in lines[0]
    assert "第2季度" in lines[0].zh and "官桥镇产业基地妇联" in lines[0].zh
    # One room open for a day in the window is enough: no such line.
    data["venues"][1]["closures"] = [{"start": "2026-03-20", "end": "2026-06-29"}]
    exp = explain(Instance.model_validate(data), time_limit=10)
    assert not [m for m in exp.prechecks if "quarter" in m]


def test_two_slots_on_one_day_are_explained_not_crashed():
    from pathlib import Path

    from xinglian.models import load_instance

    inst = load_instance(Path(__file__).parent / "data" / "infeasible" / "two-slots-one-day.yaml")
    exp = explain(inst, time_limit=20)
    assert not exp.feasible and exp.conflicts
    assert {r.key for r in exp.conflicts[0].requirements} == {"gap:e1", "fill:home"}


def test_replan_command_explains_in_the_replan_setting(tmp_path):
    import yaml

    runner = CliRunner()
    path = tmp_path / "frozen.yaml"
    path.write_text(yaml.safe_dump(BASE, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(main, ["plan", str(path), "--out", str(tmp_path / "v1"), "-q",
                               "--time-limit", "5", "--workers", "1"])
    assert res.exit_code == 0, res.output
    changes = tmp_path / "away.yaml"
    changes.write_text(yaml.safe_dump(AWAY.model_dump(mode="json"), allow_unicode=True),
                       encoding="utf-8")
    res = runner.invoke(main, ["replan", str(tmp_path / "v1"), "--changes", str(changes),
                               "--today", str(TODAY), "--out", str(tmp_path / "v2"),
                               "--time-limit", "5", "--workers", "1"])
    assert res.exit_code == 3, res.output
    assert "Traceback" not in res.output and "均已用求解验证" in res.output
    assert "取消“郭丽琼 任 官桥镇产业基地妇联 第1期”" not in res.output  # the past stays
    assert not (tmp_path / "v2").exists()


def test_the_time_limit_is_honoured_across_parts(monkeypatch):
    # Once the limit has passed, the parts not yet looked at are reported as open, not
    # solved one by one for half a second each (1,100 parts at K = 100).
    import time as time_mod

    calls = []
    real = explain_mod._status

    def slow(ctx, keys, secs):
        calls.append(ctx.part.name)
        time_mod.sleep(0.3)
        return real(ctx, keys, secs)

    monkeypatch.setattr(explain_mod, "_status", slow)
    from xinglian.models import load_instance

    # two parts: the rotation, then the hosting group (whose conflict is never reached)
    inst = load_instance(Path(__file__).parent / "data" / "infeasible" /
                         "two-slots-one-day.yaml")
    exp = explain(inst, time_limit=0.1)
    assert len(calls) == 1 and exp.undecided and len(exp.timed_out) == 1
    assert "ran out of time" in exp.render("en")


def test_a_replan_whose_past_no_longer_fits_says_so(replan_case, tmp_path):
    # b chaired period 2; an edited instance drops her from the presidium: the past
    # cannot be kept, and the explanation says that (no crash, no made-up repair).
    v1_inst, v1, _ = replan_case
    data = {**BASE, "people": BASE["people"] + [{"id": "d", "name": "张婉清"}],
            "federations": [{**BASE["federations"][0], "vice_chairs": ["c", "d"]}],
            "pins": {"rotation": [BASE["pins"]["rotation"][0]]}}
    exp = explain(Instance.model_validate(data), time_limit=10, previous=v1, today=TODAY)
    assert not exp.feasible and exp.frozen and not exp.conflicts
    assert "chair b" in exp.frozen[0]
    assert "已过去的安排" in exp.render("zh") and "frozen past" in exp.render("en")
