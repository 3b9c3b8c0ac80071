"""`xinglian explain` on instances with one known conflict each (tests/data/infeasible).

For each: the explanation names exactly the requirements written in the file's header,
the set is minimal (relaxing any one of them gives a plan), every suggested repair,
applied, gives a plan that passes the independent checker, and the report names the
right people, dates and venues in Chinese and in English.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xinglian.checker import check
from xinglian.cli import main
from xinglian.models import load_instance
from xinglian.solver import solve
from xinglian.solver.explain import explain

DATA = Path(__file__).parent / "data" / "infeasible"

CASES = {
    "presidium-all-away": ({"unavailable:a:0", "unavailable:b:0", "unavailable:c:0"},
                           ["陈丽华", "林秀英", "黄美玲", "2026-05-01"]),
    "pin-during-leave": ({"pin_rotation:0", "unavailable:b:0"},
                         ["林秀英", "中国水暖城妇联", "2026-03-01"]),
    "too-few-terms": ({"max_terms:a", "max_terms:b"}, ["张晓燕", "吴春梅"]),
    "lone-host": ({"gap:e1", "fill:home"}, ["霞光光伏科技有限公司妇联", "霞美镇妇女之家"]),
    "meeting-venue-closed": ({"closure:hall:0", "capacity:room:base"},
                             ["官桥镇政府二楼会议室", "官桥镇妇联小会议室", "2026-04-01"]),
    "two-slots-one-day": ({"gap:e1", "fill:home"}, ["霞光光伏科技有限公司妇联", "霞美镇妇女之家"]),
    "contacts-away": ({"unavailable:c1:0", "unavailable:c2:0", "fill:home"},
                      ["蔡婉玲", "洪美华", "水头镇儿童之家"]),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request):
    inst = load_instance(DATA / f"{request.param}.yaml")
    return request.param, inst, explain(inst, time_limit=60)


def test_every_infeasible_file_documents_its_conflict():
    assert sorted(p.stem for p in DATA.glob("*.yaml")) == sorted(CASES)
    for name, (keys, _) in CASES.items():
        header = (DATA / f"{name}.yaml").read_text(encoding="utf-8").split("\nid:")[0]
        assert all(k in header for k in keys), name


def test_explanation_names_exactly_the_conflict(case):
    name, inst, exp = case
    assert not exp.feasible
    assert solve(inst, time_limit=20, workers=1).plan is None
    assert len(exp.conflicts) == 1 and exp.conflicts[0].minimal
    assert {r.key for r in exp.conflicts[0].requirements} == CASES[name][0]


def test_the_conflict_is_minimal(case):
    # Together they admit no plan (the instance has none); relaxing any single one of
    # them gives a plan.
    _, inst, exp = case
    for req in exp.conflicts[0].requirements:
        relaxed = req.relax(inst)
        res = solve(relaxed, time_limit=20, workers=1, run_prechecks=False)
        assert res.plan is not None, req.key


def test_every_repair_applied_gives_a_plan_the_checker_accepts(case):
    _, inst, exp = case
    repairs = exp.conflicts[0].repairs
    assert repairs
    for repair in repairs:
        relaxed = inst
        for req in repair:
            relaxed = req.relax(relaxed)
        res = solve(relaxed, time_limit=20, workers=1)
        assert res.plan is not None, [r.key for r in repair]
        assert check(relaxed, res.plan) == []


def test_report_names_people_dates_and_venues_in_both_languages(case):
    name, _, exp = case
    zh, en = exp.render("zh"), exp.render("en")
    assert zh.startswith("没有可行方案") and en.startswith("No plan exists")
    for word in CASES[name][1]:
        assert word in zh and word in en, word
    assert "以下条件不能同时满足" in zh and "cannot all hold" in en
    assert "就有可行方案" in zh and "a plan exists" in en


def test_explain_command_exit_codes_and_language():
    runner = CliRunner()
    res = runner.invoke(main, ["explain", str(DATA / "pin-during-leave.yaml"), "--lang", "en"])
    assert res.exit_code == 3 and "These requirements cannot all hold" in res.output
    res = runner.invoke(main, ["explain", str(DATA / "pin-during-leave.yaml")])
    assert res.exit_code == 3 and "以下条件不能同时满足" in res.output  # instance default: zh
    ok = runner.invoke(main, ["explain", str(Path(__file__).parent / "data" / "tiny.yaml")])
    assert ok.exit_code == 0 and ok.output.startswith("存在可行方案")
    bad = runner.invoke(main, ["explain", str(DATA / "nope.yaml")])
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def test_requirement_keys_match_their_switches(case):
    _, _, exp = case
    for req in exp.conflicts[0].requirements:
        assert req.key.split(":")[0] in {"unavailable", "pin_rotation", "max_terms", "gap",
                                         "fill", "closure", "capacity"}
