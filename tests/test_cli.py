"""The `xinglian` command as a user runs it: exit codes, messages, files written."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
import yaml
from click.testing import CliRunner

from xinglian.checker import check, score
from xinglian.cli import main
from xinglian.models import load_instance, load_plan

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def tiny_with(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_plan(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("p") / "plan"
    res = invoke("plan", TINY, "--out", out, "--time-limit", "20", "--workers", "1")
    assert res.exit_code == 0, res.output
    return out


def test_plan_writes_the_plan_directory_and_the_checker_accepts_it(tiny_plan: Path):
    assert (tiny_plan / "plan.json").is_file() and (tiny_plan / "summary.md").is_file()
    names = {p.name for p in (tiny_plan / "calendars").iterdir()}
    assert {"all.ics", "person-p-a1.ics", "venue-v-ximei-hall.ics",
            "federation-fed-ximei.ics"} <= names
    inst, plan = load_instance(TINY), load_plan(tiny_plan)
    assert plan.solve.status == "OPTIMAL"
    assert check(inst, plan) == []
    assert score(inst, plan).total == plan.solve.objective


def test_plan_json_follows_the_public_format(tiny_plan: Path):
    data = json.loads((tiny_plan / "plan.json").read_text(encoding="utf-8"))
    assert data["format"] == "xinglian.plan/1" and data["instance"] == "tiny-2026"
    for key in ("rotation", "meetings", "hosting", "volunteering", "unfilled"):
        assert isinstance(data[key], list)
    assert data["care"] == {"pairs": [], "visits": []}
    assert len(data["rotation"]) == 2 * 6 and len(data["meetings"]) == 2 * 4
    m = data["meetings"][0]
    assert m["start"].endswith("+08:00") and m["id"].startswith("mtg-")
    assert set(data["solve"]) >= {"status", "objective", "bound", "wall_seconds", "seed"}


def test_summary_names_people_and_says_where_holidays_came_from(tiny_plan: Path):
    text = (tiny_plan / "summary.md").read_text(encoding="utf-8")
    assert "OPTIMAL" in text and "chinesecalendar" in text
    assert "陈丽华" in text and "霞美片区产业基地妇联" in text
    # Soft rules by their titles, not their keys.
    assert "连任（同一人连续两期）" in text and "back_to_back" not in text


def test_validate_accepts_the_plan(tiny_plan: Path):
    res = invoke("validate", TINY, tiny_plan)
    assert res.exit_code == 0 and res.output.startswith("ok:")


def test_validate_lists_violations_in_words_and_exits_5(tiny_plan: Path, tmp_path: Path):
    bad = tmp_path / "bad"
    bad.mkdir()
    data = json.loads((tiny_plan / "plan.json").read_text(encoding="utf-8"))
    # Make the maternity-leave vice-chair (林秀英, away 2026-03-01..04-30) chair period 2.
    for term in data["rotation"]:
        if term["base"] == "fed-ximei" and term["period"] == 2:
            term["chair"] = "p-a2"
    (bad / "plan.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    res = invoke("validate", TINY, bad)
    assert res.exit_code == 5
    assert "chair_available" in res.output and "林秀英" in res.output


def test_same_seed_gives_the_same_assignments_and_calendar_events(tiny_plan, tmp_path):
    out = tmp_path / "again"
    assert invoke("plan", TINY, "--out", out, "--time-limit", "20", "--workers", "1",
                  "-q").exit_code == 0
    a, b = load_plan(tiny_plan), load_plan(out)
    assert a.model_dump(exclude={"generated_at", "solve"}) == b.model_dump(
        exclude={"generated_at", "solve"})

    def events(d: Path):
        cal = icalendar.Calendar.from_ical((d / "calendars" / "all.ics").read_bytes())
        return sorted(
            (str(e["UID"]), int(e.get("SEQUENCE", 0)), e.decoded("DTSTART"), e.decoded("DTEND"),
             str(e["SUMMARY"]), str(e.get("DESCRIPTION", "")))
            for e in cal.walk("VEVENT")
        )

    assert events(tiny_plan) == events(out)


def test_plan_replaces_an_earlier_plan_directory_in_place(tmp_path):
    out = tmp_path / "plan"
    for _ in range(2):
        assert invoke("plan", TINY, "--out", out, "--time-limit", "20", "-q").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]  # no temp dirs left


def test_plan_refuses_to_overwrite_a_directory_that_is_not_a_plan(tmp_path):
    out = tmp_path / "documents"
    out.mkdir()
    (out / "important.xlsx").write_text("keep me")
    res = invoke("plan", TINY, "--out", out, "--time-limit", "20", "-q")
    assert res.exit_code == 1 and "refusing" in res.output
    assert (out / "important.xlsx").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents"]


def test_infeasible_instance_exits_3_with_a_reason(tmp_path):
    def everyone_away(d):
        for p in d["people"]:
            if p["id"] in ("p-a1", "p-a2", "p-shared"):
                p["unavailable"] = [{"start": "2026-05-01", "end": "2026-06-30", "reason": "出国"}]

    res = invoke("plan", tiny_with(tmp_path, everyone_away), "--out", tmp_path / "o", "-q")
    assert res.exit_code == 3
    assert "INFEASIBLE" in res.output and "第3期" in res.output and "陈丽华" in res.output
    assert "以下条件不能同时满足" in res.output and "就有可行方案" in res.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d["federations"][0]["vice_chairs"].append("p-nobody"),
         "federations[0].vice_chairs[2]: unknown person 'p-nobody'"),
        (lambda d: d["people"].append(dict(d["people"][0])),
         "people[7].id: duplicate id 'p-a1'"),
        (lambda d: d["people"][1]["unavailable"][0].update(end="2026-02-01"),
         "people[1].unavailable[0]: end 2026-02-01 is before start 2026-03-01"),
        (lambda d: d["people"][0].update(nickname="阿华"),
         "people[0].nickname: unknown key"),
        (lambda d: d["venues"][0].update(capacity=0),
         "venues[0].capacity: Input should be greater than 0"),
        (lambda d: d["federations"][2].update(parent="fed-e1"),
         "federations[2].parent: 'fed-e1' is not a base federation"),
        (lambda d: d["venues"][0].update(slots=["every second Saturday morning"]),
         "venues[0].slots[0].pattern: cannot parse slot pattern 'every second Saturday "
         "morning'"),
        (lambda d: d["venues"][0].update(slots=["2nd Saturday 09:00-11:00"],
                                         hosts={"federations": ["fed-ghost"]}),
         "venues[0].hosts.federations[0]: unknown federation 'fed-ghost'"),
        (lambda d: d["federations"][2].update(hosting={"weight": 0}),
         "federations[2].hosting.weight: Input should be greater than or equal to 1"),
    ],
    ids=["unknown-id", "duplicate-id", "end-before-start", "typo-key", "zero-capacity",
         "parent-not-base", "slot-pattern", "unknown-host", "zero-weight"],
)
def test_bad_instance_gives_a_clear_message_and_exit_1(tmp_path, edit, expected):
    path = tiny_with(tmp_path, edit)
    res = invoke("plan", path, "--out", tmp_path / "o", "-q")
    assert res.exit_code == 1
    assert expected in res.output
    assert "Traceback" not in res.output


def test_every_problem_is_reported_at_once(tmp_path):
    def two_mistakes(d):
        d["federations"][0]["chair"] = "p-ghost"
        d["venues"][1]["town"] = "atlantis"

    res = invoke("plan", tiny_with(tmp_path, two_mistakes), "-q")
    assert res.exit_code == 1 and "2 problems" in res.output
    assert "p-ghost" in res.output and "atlantis" in res.output


def test_malformed_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nyear: 2026\npeople:\n  - {id: a, name: [unclosed\n", encoding="utf-8")
    res = invoke("plan", path, "-q")
    assert res.exit_code == 1 and "malformed YAML" in res.output and "line" in res.output


def test_a_year_without_holiday_data_is_an_error_with_a_fix(tmp_path):
    def far_future(d):
        d["year"] = 2031
        d["calendar"] = {"source": "auto"}
        for p in d["people"]:
            p.pop("unavailable", None)
        d["history"] = {"rotation": []}

    res = invoke("plan", tiny_with(tmp_path, far_future), "--out", tmp_path / "o", "-q")
    assert res.exit_code == 1
    assert "no holiday data for 2031" in res.output and "calendar.holidays" in res.output


def test_missing_instance_file_is_exit_1(tmp_path):
    res = invoke("plan", tmp_path / "nope.yaml", "-q")
    assert res.exit_code == 1 and "file not found" in res.output


def test_json_instances_load_too(tmp_path):
    path = tmp_path / "tiny.json"
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    assert load_instance(path) == load_instance(TINY)


def test_schema_instance_prints_a_json_schema():
    res = invoke("schema", "instance")
    schema = json.loads(res.output)
    assert res.exit_code == 0 and schema["title"] == "Instance"
    assert "people" in schema["properties"] and schema.get("additionalProperties") is False


def test_unknown_option_is_a_usage_error():
    res = CliRunner().invoke(main, ["plan", "--no-such-option"])
    assert res.exit_code == 2


def test_template_import_and_export_instance_round_trip_through_the_cli(tmp_path):
    assert invoke("template", tmp_path / "t.xlsx").exit_code == 0
    assert invoke("export-instance", "--xlsx", tmp_path / "n.xlsx", "--csv",
                  tmp_path / "csv").exit_code == 0
    assert invoke("import", tmp_path / "csv", "-o", tmp_path / "back.yaml").exit_code == 0
    from xinglian.cli import default_instance

    assert load_instance(tmp_path / "back.yaml") == load_instance(default_instance())
    res = invoke("plan", tmp_path / "n.xlsx", "--out", tmp_path / "p", "-q",
                 "--work", "1", "--time-limit", "60")
    assert res.exit_code == 0, res.output


def test_import_reports_bad_cells_with_sheet_row_and_column(tmp_path):
    import openpyxl

    assert invoke("export-instance", TINY, "--xlsx", tmp_path / "w.xlsx").exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    ws = wb["不可用时间"]
    ws.cell(row=2, column=[c.value for c in ws[1]].index("开始日期") + 1, value="2026-13-01")
    wb.save(tmp_path / "w.xlsx")
    res = invoke("import", tmp_path / "w.xlsx", "-o", tmp_path / "x.yaml")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert "不可用时间" in res.output and "第2行" in res.output and "「开始日期」" in res.output
    assert not (tmp_path / "x.yaml").exists()


def test_export_writes_a_workbook_pandas_can_read(tiny_plan, tmp_path):
    import pandas as pd

    res = invoke("export", tiny_plan, "--xlsx", tmp_path / "plan.xlsx")
    assert res.exit_code == 0, res.output
    sheets = pd.read_excel(tmp_path / "plan.xlsx", sheet_name=None)
    assert {"轮值主席", "联席会", "阵地主办"} <= set(sheets)
