"""The malformed-input corpus (tests/data/malformed, issue 15): every broken or hostile
file gives exit 1, a message naming the file and the place (key or line, or sheet / row
/ column) with a fix, no traceback, and nothing written — in a few seconds.

The expectations are in tests/data/malformed/cases.yaml; binary files are built by
make_corpus.py into a temporary folder once per session.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from xinglian.cli import main

DATA = Path(__file__).parent / "data" / "malformed"
CASES: dict[str, dict] = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))
TINY = Path(__file__).parent / "data" / "tiny.yaml"
KEPT = {"cases.yaml", "make_corpus.py", ".gitignore", "__pycache__"}


def _corpus_module():
    spec = importlib.util.spec_from_file_location("make_corpus", DATA / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    return _corpus_module().build(tmp_path_factory.mktemp("corpus"), text=False)


@pytest.fixture(scope="session")
def tiny_plan(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plans") / "tiny"
    res = CliRunner().invoke(main, ["plan", str(TINY), "--out", str(out), "-q",
                                    "--time-limit", "5", "--workers", "1"])
    assert res.exit_code == 0, res.output
    return out


def run(*args) -> tuple[int, str]:
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.output


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


def test_every_corpus_file_has_its_expectations():
    kept = sorted(p.name for p in DATA.iterdir() if p.name not in KEPT
                  and not p.name.endswith((".xlsx", ".ods", ".xls", ".et"))
                  and p.name != "yaml-really-xlsx.yaml")
    assert kept == sorted(n for n, c in CASES.items() if not c.get("built"))
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_input_is_refused_with_place_and_fix(name, built, tiny_plan, tmp_path):
    case = CASES[name]
    source = (built if case.get("built") else DATA) / name
    assert source.exists(), source
    out = tmp_path / "out"
    out.mkdir()
    before = files_under(tiny_plan)
    started = time.perf_counter()
    command = case.get("run", "import")
    if command == "import":
        code, text = run("import", source, "-o", out / "instance.yaml")
    elif command == "plan":
        code, text = run("plan", source, "--out", out / "plan", "--time-limit", "5")
    else:
        code, text = run("replan", tiny_plan, "--changes", source, "--today", "2026-07-01",
                         "--out", out / "v2", "--time-limit", "5")
    seconds = time.perf_counter() - started
    assert code == 1, text
    assert "Traceback" not in text and "Error:" in text, text
    assert source.name in text, text  # the file is named
    for part in case["where"] + case["fix"]:
        assert part in text, (part, text)
    for secret in case.get("forbid", []):
        assert secret not in text, (secret, text)
    assert files_under(out) == [], "something was written"
    assert files_under(tiny_plan) == before
    assert seconds < 15, seconds  # (≈ 1–5 s; generous for a loaded CI machine)


def test_a_20_mb_instance_is_refused_at_once(tmp_path):
    big = _corpus_module().big_yaml(tmp_path / "big.yaml")
    assert big.stat().st_size > 20 * 2**20
    started = time.perf_counter()
    code, text = run("import", big, "-o", tmp_path / "out.yaml")
    assert time.perf_counter() - started < 2
    assert code == 1 and "Traceback" not in text
    assert "big.yaml" in text and "more than the 20 MB" in text
    assert "XINGLIAN_MAX_INPUT_MB" in text
    assert not (tmp_path / "out.yaml").exists()


def test_diff_refuses_plans_of_different_instances_or_years(tiny_plan, tmp_path):
    for key, value, said in (("instance", "other-2026", "'other-2026'"), ("year", 2025, "2025")):
        other = tmp_path / f"other-{key}"
        shutil.copytree(tiny_plan, other)
        plan = json.loads((other / "plan.json").read_text(encoding="utf-8"))
        plan[key] = value
        (other / "plan.json").write_text(json.dumps(plan, ensure_ascii=False),
                                         encoding="utf-8")
        code, text = run("diff", tiny_plan, other)
        assert code == 1, text
        assert "Traceback" not in text and said in text and "'tiny-2026'" in text, text
        assert "give two such plan directories" in text
    code, text = run("diff", tiny_plan, tiny_plan)
    assert code == 0, text


def test_a_plan_directory_where_an_instance_is_expected(tiny_plan, tmp_path):
    for args in (["import", tiny_plan, "-o", tmp_path / "i.yaml"],
                 ["explain", tiny_plan],
                 ["export-instance", tiny_plan, "--xlsx", tmp_path / "i.xlsx"]):
        code, text = run(*args)
        assert code == 1 and "this is a plan directory" in text, text
        assert str(tiny_plan / "instance.json") in text
    assert files_under(tmp_path) == []


def test_the_committed_text_files_are_what_make_corpus_writes(tmp_path):
    fresh = _corpus_module().build(tmp_path, binary=False)
    ours = {p.relative_to(fresh): p.read_bytes() for p in files_under(fresh)}
    kept = {p.relative_to(DATA): p.read_bytes() for p in files_under(DATA)
            if p.name not in KEPT and "__pycache__" not in p.parts
            and not CASES.get(p.name, {}).get("built")}
    assert ours == kept


def test_ordinary_anchors_merge_keys_and_aliases_still_load(tmp_path):
    # The limits refuse bombs, not YAML's conveniences: a shared unavailability used
    # by several people and a merge key (whose keys a mapping may override) are fine.
    from xinglian.models import load_instance

    text = TINY.read_text(encoding="utf-8")
    text = text.replace(
        "  - {id: p-b1, name: 王雅琴, town: luncang}",
        "  - {id: p-b1, name: 王雅琴, town: luncang, unavailable: &trip [{start: 2026-09-01, "
        "end: 2026-09-05, reason: 出差}]}\n  - {id: p-x1, name: 甲, unavailable: *trip}\n"
        "  - {id: p-x2, name: 乙, unavailable: *trip}")
    text = text.replace("meetings:\n  reminder_minutes: 60",
                        "meetings:\n  <<: {reminder_minutes: 60}\n  reminder_minutes: 45")
    path = tmp_path / "anchors.yaml"
    path.write_text(text, encoding="utf-8")
    inst = load_instance(path)
    trips = [p.unavailable for p in inst.people if p.id in ("p-b1", "p-x1", "p-x2")]
    assert len(trips) == 3 and trips[0] == trips[1] == trips[2]
    assert inst.meetings.reminder_minutes == 45
