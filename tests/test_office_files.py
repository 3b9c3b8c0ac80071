"""Office files as offices have them (issue 15), without LibreOffice (the round trips
through it are in test_libreoffice.py): .ods read by the standard library, LibreOffice's
``<workbook>-<sheet>.csv`` naming, the template's example that plans as it is, and a
warning for a holiday table that misses statutory holidays.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from xinglian.cli import main
from xinglian.models import load_instance, work_calendar
from xinglian.models.statutory import missing_statutory_holidays, statutory_days
from xinglian.tabular import example_instance, load_any, load_tables, write_instance_csv

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.yaml"


def corpus():
    spec = importlib.util.spec_from_file_location("make_corpus",
                                                  DATA / "malformed" / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_an_ods_workbook_is_read(tmp_path):
    # A minimal OpenDocument file (every cell a string), as make_corpus writes them.
    mc = corpus()
    tiny = load_instance(TINY)
    mc._ods(tmp_path / "tiny.ods", mc._csv_tables(tiny))
    assert load_tables(tmp_path / "tiny.ods") == tiny
    assert load_any(tmp_path / "tiny.ods") == tiny


def test_libreoffice_every_sheet_csv_naming_is_accepted(tmp_path):
    tiny = load_instance(TINY)
    folder = write_instance_csv(tiny, tmp_path / "csv")
    for f in list(folder.glob("*.csv")):
        f.rename(folder / f"南安-2026-{f.name}")  # hyphens inside the workbook's name too
    (folder / "南安-2026-说明.csv").write_text("说明\n随便写\n", encoding="utf-8")
    assert load_tables(folder) == tiny


def test_the_template_example_imported_as_is_makes_a_plan(tmp_path):
    runner = CliRunner()
    book = tmp_path / "模板.xlsx"
    assert runner.invoke(main, ["template", str(book)]).exit_code == 0
    res = runner.invoke(main, ["plan", str(book), "--out", str(tmp_path / "plan"), "-q",
                               "--time-limit", "10", "--workers", "1"])
    assert res.exit_code == 0, res.output
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text(encoding="utf-8"))
    assert plan["meetings"] and plan["rotation"]
    # no meeting or hosting turn on a statutory holiday (国庆节 included)
    statutory = {str(d) for d in statutory_days(2027)}
    starts = [m["start"][:10] for m in plan["meetings"]] + \
        [h["start"][:10] for h in plan["hosting"]]
    assert starts and not statutory & set(starts)
    assert "节假日表缺少法定节假日" not in res.output


def test_the_template_holiday_table_has_every_statutory_holiday():
    assert missing_statutory_holidays(work_calendar(example_instance())) == []


def test_a_holiday_table_missing_statutory_days_is_warned_about(tmp_path):
    data = yaml.safe_load((Path(__file__).parents[1] / "instances" / "nanan-2027.yaml")
                          .read_text(encoding="utf-8"))
    data["calendar"]["holidays"] = [{"name": "劳动节", "start": "2027-05-01",
                                     "end": "2027-05-05"}]  # the old template's one line
    path = tmp_path / "one-line.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    missing = dict(missing_statutory_holidays(work_calendar(load_instance(path))))
    # 2027-10-01 is a Friday: National Day would be a working day
    assert "国庆节" in missing.values() and any(str(d) == "2027-10-01" for d in missing)
    assert all(str(d)[:7] != "2027-05" for d in missing)  # 劳动节 is in the table
    res = CliRunner().invoke(main, ["import", str(path), "-o", str(tmp_path / "out.yaml")])
    assert res.exit_code == 0
    assert "国庆节 2027-10-01" in res.output and "calendar.holidays" in res.output


def test_no_warning_when_chinesecalendar_knows_the_year():
    # tiny.yaml is 2026 from chinesecalendar: nothing to compare
    assert missing_statutory_holidays(work_calendar(load_instance(TINY))) == []
