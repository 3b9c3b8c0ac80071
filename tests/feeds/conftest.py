"""Shared fixtures of the feed tests: a published plan and its re-plan, made once.

v1 is ``instances/nanan-2027.yaml`` (the organisers: rotation, joint meetings, hosting;
OPTIMAL in a few seconds). v2 re-plans it from 2027-02-15 with two changes that reach
p-004 (a vice-chair of 霞美's presidium, chair of period 3 in v1):

- she is on maternity leave 2027-05-01..06-30, so her period-3 term (May–June) leaves her
  calendar (another vice-chair takes it);
- the Q3 joint meeting of 霞美 is pinned to 2027-08-24: the same event (same UID) moves,
  for her and every other attendee.

The tests derive what changed from the two plan directories' own files, never from
what the solver happened to do.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from xinglian.cli import main

ROOT = Path(__file__).resolve().parents[2]
INSTANCE = ROOT / "instances" / "nanan-2027.yaml"
TODAY = "2027-02-15"
SUBJECT = "p-004"
MOVED_MEETING = "meeting-fed-ximei-2027-q3@xinglian"
LEFT_TERM = "rotation-fed-ximei-2027-p3@xinglian"
CHANGES = {"changes": [
    {"kind": "unavailable", "person": SUBJECT, "start": "2027-05-01", "end": "2027-06-30",
     "reason": "产假"},
    {"kind": "pin_meeting", "base": "fed-ximei", "quarter": 3, "date": "2027-08-24"},
]}


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="session")
def plans(tmp_path_factory) -> tuple[Path, Path]:
    """(v1, v2) plan directories."""
    root = tmp_path_factory.mktemp("plans")
    v1, v2 = root / "v1", root / "v2"
    res = invoke("plan", INSTANCE, "--out", v1, "-q", "--time-limit", "60")
    assert res.exit_code == 0, res.output
    changes = root / "changes.yaml"
    changes.write_text(yaml.safe_dump(CHANGES, allow_unicode=True), encoding="utf-8")
    res = invoke("replan", v1, "--changes", changes, "--today", TODAY, "--out", v2, "-q",
                 "--time-limit", "60")
    assert res.exit_code == 0, res.output
    return v1, v2


@pytest.fixture(scope="session")
def unreached(plans) -> str:
    """A person with events in both versions whom the re-plan does not reach: the first,
    by id, that no change of v2's changes.json names (read from the files, since which
    enterprise a chair visits, and so whose contact a change reaches, is the solver's
    choice)."""
    v1, v2 = plans
    data = json.loads((v2 / "changes.json").read_text(encoding="utf-8"))
    reached = {p for c in data["changes"] for p in c.get("people", ())}
    for path in sorted((v2 / "calendars").glob("person-*.ics")):
        pid = path.stem.removeprefix("person-")
        if pid in reached or pid == SUBJECT or not (v1 / "calendars" / path.name).exists():
            continue
        if b"BEGIN:VEVENT" in path.read_bytes():
            return pid
    raise AssertionError("every person with events is reached by the re-plan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Published:
    """What the workspace would say is published; tests switch it."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def __call__(self) -> Path | None:
        return self.path


@pytest.fixture
def uvicorn_server():
    """Start a real uvicorn on 127.0.0.1 serving an app; yields a starter."""
    import uvicorn

    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app) -> str:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def published(plans) -> Iterator[Published]:
    yield Published(plans[0])
