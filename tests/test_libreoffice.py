"""Round trips through LibreOffice Calc (issue 15): the instance workbook that `xinglian
export-instance --xlsx` writes, re-saved by LibreOffice as .xlsx, as .ods, as old .xls
and exported as CSV of every sheet in GBK (LibreOffice names those files
``<workbook>-<sheet>.csv``), imports back to the same instance.

Needs ``soffice`` (Debian: ``apt-get install libreoffice-calc-nogui``). Not skipped when
it is missing: the test fails, so that CI cannot pass without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from xinglian.cli import main
from xinglian.tabular import example_instance, load_tables, write_instance_yaml

# LibreOffice's CSV filter options: field separator 44 (,), text delimiter 34 ("),
# character set 67 = RTL_TEXTENCODING_GBK (the name "GBK" or "MS_936" is NOT
# understood there: LibreOffice 7.4 then silently writes UTF-8 — hence the check below
# that the files really are GBK), first line 1, no column formats, language default,
# then quoted-as-text false, detect special numbers true, save as shown false, export
# formulas false, remove space false, and -1: every sheet to its own
# <workbook>-<sheet>.csv (LibreOffice 7.2+).
CSV_GBK = "csv:Text - txt - csv (StarCalc):44,34,67,1,,0,false,true,false,false,false,-1"


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, ("LibreOffice is not installed: apt-get install libreoffice-calc-nogui "
                 "(this test is not skipped on purpose)")
    return exe


def convert(source: Path, target: str, outdir: Path, profile: Path) -> None:
    """``soffice --headless --convert-to TARGET`` with a private profile (so that runs in
    parallel do not share one)."""
    outdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HOME": str(profile)}
    res = subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(outdir), str(source)],
        capture_output=True, text=True, timeout=180, env=env, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> tuple[Path, Path]:
    """The template's example instance (every table, dates, times, lists, children) as
    the instance workbook, and a LibreOffice profile for the module."""
    root = tmp_path_factory.mktemp("lo")
    instance = write_instance_yaml(example_instance(), root / "example.yaml")
    xlsx = root / "example.xlsx"
    res = CliRunner().invoke(main, ["export-instance", str(instance), "--xlsx", str(xlsx)])
    assert res.exit_code == 0, res.output
    return xlsx, root / "profile"


def test_resaved_as_xlsx_imports_back_the_same(workbook, tmp_path):
    xlsx, profile = workbook
    convert(xlsx, "xlsx:Calc MS Excel 2007 XML", tmp_path, profile)
    again = tmp_path / xlsx.name
    assert again.read_bytes() != xlsx.read_bytes()  # LibreOffice really wrote it
    assert load_tables(again) == example_instance()


def test_saved_as_ods_imports_back_the_same(workbook, tmp_path):
    xlsx, profile = workbook
    convert(xlsx, "ods", tmp_path, profile)
    ods = tmp_path / "example.ods"
    assert ods.read_bytes()[:2] == b"PK"
    assert load_tables(ods) == example_instance()
    # and through the command line, as a clerk would
    res = CliRunner().invoke(main, ["import", str(ods), "-o", str(tmp_path / "i.yaml")])
    assert res.exit_code == 0, res.output


def test_saved_as_old_xls_imports_back_the_same(workbook, tmp_path):
    xlsx, profile = workbook
    convert(xlsx, "xls:MS Excel 97", tmp_path, profile)
    xls = tmp_path / "example.xls"
    assert xls.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    assert load_tables(xls) == example_instance()


def test_every_sheet_as_gbk_csv_imports_back_the_same(workbook, tmp_path):
    xlsx, profile = workbook
    convert(xlsx, CSV_GBK, tmp_path / "csv", profile)
    files = sorted(p.name for p in (tmp_path / "csv").glob("*.csv"))
    assert "example-人员.csv" in files and "example-说明.csv" in files, files
    people = (tmp_path / "csv" / "example-人员.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        people.decode("utf-8")  # really GBK, not UTF-8
    assert people.decode("gbk").startswith("编号")
    assert load_tables(tmp_path / "csv") == example_instance()
