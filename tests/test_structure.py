"""The structure a newcomer reads: no import circles, no giant modules mixing concerns,
the docs the code cites exist."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Large modules that are one concern each (say why when adding one).
ONE_CONCERN = {
    "tabular/reader.py": "reading spreadsheets into an instance, cell by cell",
    "tabular/schema.py": "the sheet and column definitions of the workbook",
    "models/instance.py": "the instance's pydantic models and their validation",
    "export/ics.py": "iCalendar events, files and their continuity across versions",
    "export/html.py": "the printable summary.html",
    "instances/tools/make_volunteering.py": "the one-off generator of the bundled data",
    "cli.py": "the click commands: arguments, messages and exit codes, nothing else",
    "web/app.py": "the workspace's HTTP routes (pages render in web/templates/)",
}


def _graph():
    spec = importlib.util.spec_from_file_location("import_graph",
                                                  ROOT / "scripts" / "import_graph.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_package_has_no_import_circle():
    mod = _graph()
    assert mod.cycles(mod.graph()) == []


def test_the_circle_finder_finds_a_circle():
    mod = _graph()
    assert mod.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_over_600_lines_unless_it_is_one_concern():
    big = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("tests/", "bench/", "build/", ".")) or "/." in rel:
            continue
        if sum(1 for _ in path.open(encoding="utf-8")) > 600 and rel not in ONE_CONCERN:
            big.append(rel)
    assert big == []


def test_the_solver_package_init_only_re_exports():
    text = (ROOT / "solver" / "__init__.py").read_text(encoding="utf-8")
    assert "def " not in text and "class " not in text


def test_every_doc_the_code_cites_exists():
    cited = set()
    for path in ROOT.rglob("*.py"):
        if "/." in path.as_posix():
            continue
        cited |= set(re.findall(r"docs/[\w-]+\.md", path.read_text(encoding="utf-8")))
    assert cited, "expected the code to cite docs"
    assert sorted(c for c in cited if not (ROOT / c).is_file()) == []


def test_every_module_of_the_package_imports():
    import importlib

    mod = _graph()
    names = sorted(mod.graph())
    assert "xinglian.solver.solve" in names
    failed = []
    for name in names:
        if ".tools." in name or name.endswith("__main__"):
            continue  # scripts that run when imported
        try:
            importlib.import_module(name)
        except Exception as e:  # noqa: BLE001 -- report every module that fails
            failed.append(f"{name}: {e!r}")
    assert failed == []
