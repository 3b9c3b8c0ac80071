"""Fixtures shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xinglian.cli import main

FULL_PLAN_LIMIT = "30"
"""The CLI's default limit: about 11 s of solving on 2 cores (1,672 against a bound of
1,655 on this machine), the plan a clerk gets from ``xinglian plan``."""


@pytest.fixture(scope="session")
def full_plan_dir(tmp_path_factory) -> Path:
    """The plan directory ``xinglian plan`` writes for the bundled default instance
    (nanan-2027-full.yaml: every part, volunteers and caring mothers included), made once
    per test session. Tests read it and write elsewhere; none may change it."""
    out = tmp_path_factory.mktemp("full") / "v1"
    res = CliRunner().invoke(main, ["plan", "--out", str(out), "-q",
                                    "--time-limit", FULL_PLAN_LIMIT], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out
