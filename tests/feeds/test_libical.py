"""libical's RFC 5545 / 5546 restriction check on every calendar the project writes.

Runs scripts/check_ics.py's checker (libical through ctypes). A machine without
libical fails here instead of skipping: Debian's ``libical3`` is a test dependency.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from xinglian.feeds.render import render_feed

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("check_ics", ROOT / "scripts" / "check_ics.py")
check_ics = importlib.util.module_from_spec(spec)
sys.modules["check_ics"] = check_ics  # dataclasses look their module up
spec.loader.exec_module(check_ics)


@pytest.fixture(scope="module")
def lib():
    return check_ics.load_libical()  # raises LibicalMissing: a failure, not a skip


def test_the_check_finds_what_it_should(lib):
    # The two faults every file had before: METHOD:PUBLISH without ORGANIZER, and a
    # COMMENT directly inside VTIMEZONE. A checker that finds nothing proves nothing.
    bad = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//ZH\r\nMETHOD:PUBLISH\r\n"
           "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nCOMMENT:x\r\nBEGIN:STANDARD\r\n"
           "DTSTART:20270101T000000\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\n"
           "END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a@x\r\n"
           "DTSTAMP:20270101T000000Z\r\nDTSTART:20270102\r\nSUMMARY:测试\r\nEND:VEVENT\r\n"
           "END:VCALENDAR\r\n").encode()
    # libical reports the first; without METHOD it finds the second.
    assert "ORGANIZER" in " | ".join(check_ics.check_bytes(lib, bad).problems)
    no_method = bad.replace(b"METHOD:PUBLISH\r\n", b"")
    assert "COMMENT" in " | ".join(check_ics.check_bytes(lib, no_method).problems)
    fixed = no_method.replace(b"COMMENT:x\r\n", b"")
    assert check_ics.check_bytes(lib, fixed).problems == ()


def test_every_calendar_of_both_plans_and_every_update_passes(lib, plans):
    files = [p for d in plans for p in sorted(d.rglob("*.ics"))]
    # v1: calendars/ only; v2: calendars/ (with cancelled events) and updates/.
    assert any("updates" in p.parts for p in files)
    assert any(b"STATUS:CANCELLED" in p.read_bytes() for p in files)
    reports = [check_ics.check_bytes(lib, p.read_bytes(), str(p)) for p in files]
    assert [r for r in reports if r.problems] == []
    assert len(reports) > 300


def test_every_feed_passes(lib, plans):
    for plan_dir in plans:
        for path in sorted((plan_dir / "calendars").glob("*-*.ics")):
            kind, _, subject = path.stem.partition("-")
            body = render_feed(plan_dir, kind, subject).body
            assert check_ics.check_bytes(lib, body, path.name).problems == ()
    empty = render_feed(plans[1], "person", "p-nobody", "无日程").body
    assert check_ics.check_bytes(lib, empty).problems == ()


def test_command_line_exit_codes(plans, capsys):
    assert check_ics.main([str(plans[1])]) == 0
    assert "0 problem(s)" in capsys.readouterr().out
