"""The rule catalogue (models/rules.py) is the one list of rules: every other list of
rule names -- the solver's registries, the checker's, the weights, the docs, the titles
the exporters show, the requirements of explanations -- agrees with it, and every rule
has a docs anchor, a checker function, a solver function or a domain note, two titles
and a test carrying its name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinglian.checker import HARD_RULES as CHECKER_HARD
from xinglian.checker import SOFT_RULES as CHECKER_SOFT
from xinglian.checker import rules as checker_rules
from xinglian.export.summary import RULE_TITLES
from xinglian.models import Timeline, Weights, load_instance
from xinglian.models import rules as catalogue
from xinglian.solver import care as solver_care
from xinglian.solver.build import HARD_RULES as SOLVER_HARD
from xinglian.solver.build import SOFT_RULES as SOLVER_SOFT
from xinglian.solver.build import build

ROOT = Path(__file__).parent.parent
DOCS = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
TESTS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests").glob("test_*.py")))
TEST_NAMES = re.findall(r"(?m)^\s*def (test_\w+)\(", TESTS)
CJK = re.compile(r"[\u4e00-\u9fff]")

RULES = [pytest.param(r, id=r.name) for r in catalogue.RULES]


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_docs_anchor(rule):
    assert f'<a id="{rule.anchor}"></a>' in DOCS, f"docs/rules.md has no #{rule.anchor}"


def test_docs_anchors_follow_the_catalogue_order():
    anchors = re.findall(r'<a id="rule-(\w+)"></a>', DOCS)
    assert anchors == [r.name for r in catalogue.RULES]


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_checker_function_in_the_registry(rule):
    registry = dict(checker_rules._HARD if rule.hard else checker_rules._SOFT)
    assert rule.name in registry
    assert registry[rule.name] is catalogue.resolve(rule.checker)
    prefix = "check_" if rule.hard else "amount_"
    assert rule.checker.rsplit(".", 1)[1] == prefix + rule.name


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_solver_function_or_a_domain_note(rule):
    if rule.solver is not None:
        assert callable(catalogue.resolve(rule.solver)), rule.solver
        name = rule.solver.rsplit(".", 1)[1]
        assert name == (f"add_{rule.name}" if rule.hard else f"{rule.name}_penalties")
    if rule.hard:
        assert rule.solver is not None or (rule.domain or "").strip()
    else:
        assert rule.solver is not None and rule.domain is None


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_chinese_and_an_english_title(rule):
    assert CJK.search(rule.zh), rule.zh
    assert rule.en.strip() and rule.en.isascii(), rule.en
    assert catalogue.title(rule.name, "zh") == rule.zh
    assert catalogue.title(rule.name, "en") == rule.en


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_test_carrying_its_name(rule):
    assert any(rule.name in name for name in TEST_NAMES), (
        f"no test function named after {rule.name} (def test_..{rule.name}..)")


def test_solver_registries_name_the_catalogue_rules_in_order():
    hard = [n for n, _ in SOLVER_HARD] + [n for n, _ in solver_care.PAIRING_HARD_RULES]
    with_function = [r.name for r in catalogue.RULES if r.hard and r.solver is not None]
    assert sorted(hard) == sorted(with_function)
    assert [n for n, _ in SOLVER_HARD] == [
        n for n in with_function if n not in dict(solver_care.PAIRING_HARD_RULES)]
    soft = dict(SOLVER_SOFT) | dict(solver_care.PAIRING_SOFT_RULES)
    assert sorted(soft) == sorted(catalogue.SOFT)
    assert [n for n, _ in SOLVER_SOFT] == [
        n for n in catalogue.SOFT if n not in dict(solver_care.PAIRING_SOFT_RULES)]
    for name, fn in (*SOLVER_HARD, *SOLVER_SOFT,
                     *solver_care.PAIRING_HARD_RULES, *solver_care.PAIRING_SOFT_RULES):
        assert catalogue.resolve(catalogue.rule(name).solver) is fn, name


def test_checker_registries_and_weights_are_the_catalogue():
    assert CHECKER_HARD == catalogue.HARD
    assert CHECKER_SOFT == catalogue.SOFT
    assert tuple(Weights.model_fields) == catalogue.SOFT
    assert catalogue.rule("back_to_back").default_weight == 100
    assert catalogue.rule("chair_available").default_weight is None


def test_each_soft_function_registers_exactly_its_own_rule():
    # The whole tiny plan as one model: every soft function runs once, in registry order,
    # and names the penalty terms it adds after itself.
    inst = load_instance(ROOT / "tests" / "data" / "tiny.yaml")
    ctx = build(inst, Timeline(inst))
    assert [t.rule for t in ctx.penalties] == [n for n, _ in SOLVER_SOFT]
    assert all(t.weight == getattr(inst.weights, t.rule) for t in ctx.penalties)


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "data" / "infeasible").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_every_requirement_of_an_explanation_names_a_hard_rule(path):
    inst = load_instance(path)
    ctx = build(inst, Timeline(inst), explain=True)
    assert ctx.groups
    for key, (_lit, req) in ctx.groups.items():
        assert req.rule in catalogue.HARD, (key, req.rule)


def test_titles_shown_by_the_exporters_come_from_the_catalogue():
    assert catalogue.titles("zh") == RULE_TITLES
    assert catalogue.title("not_a_rule") == "not_a_rule"
    assert catalogue.title("empty_slot", "en") == "Slots without a host"
