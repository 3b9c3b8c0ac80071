"""Fixtures shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xinglian.cli import main

FULL_PLAN_WORK = "13"
"""About the work the CLI's default limit (30 s) gives the default instance (13.1 units),
so about the plan a clerk gets from ``xinglian plan`` (with 13: 1,672 against a bound of
1,662, checker-clean, 25 s on 2 cores). Fixed, so that a busy machine (the suite runs
two test files at a time) cannot have the clock cut it: every run re-plans the same plan."""


@pytest.fixture(scope="session")
def full_plan_dir(tmp_path_factory) -> Path:
    """The plan directory ``xinglian plan`` writes for the bundled default instance
    (nanan-2027-full.yaml: every part, volunteers and caring mothers included), made once
    per test session. Tests read it and write elsewhere; none may change it."""
    out = tmp_path_factory.mktemp("full") / "v1"
    res = CliRunner().invoke(main, ["plan", "--out", str(out), "-q",
                                    "--work", FULL_PLAN_WORK, "--time-limit", "600"],
                        catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out
