"""``xinglian push`` against a real Radicale started on a free loopback port.

Requests are counted in Radicale's own log (one ``<METHOD> request for`` line each), so
what is counted is what the server received.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import caldav
import httpx
import pytest

from xinglian.feeds.push import HASH_PROP
from xinglian.feeds.render import calendar_pieces

from .conftest import MOVED_MEETING, SUBJECT, free_port, invoke

# The 霞美 presidium (all attend the moved Q3 meeting; one of them takes p-004's term)
# and p-110, an enterprise contact of 霞美 (the re-plan may reach her: the counts below are
# read from both versions, not assumed).
PEOPLE = ("p-001", "p-002", "p-003", SUBJECT, "p-005", "p-006", "p-110")


class Radicale:
    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = root / "radicale.log"
        self._log = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", "",
             "--server-hosts", f"127.0.0.1:{self.port}",
             "--storage-filesystem-folder", str(root / "collections"),
             "--auth-type", "none", "--rights-type", "owner_only",
             "--logging-level", "info"],
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.url, timeout=1)
                break
            except httpx.TransportError:
                assert self.proc.poll() is None, self.log.read_text()
                assert time.monotonic() < deadline, "Radicale did not start"
                time.sleep(0.1)
        self.mark = 0

    def requests(self) -> dict[str, int]:
        """Requests per method since the last call."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        lines = text[self.mark:]
        self.mark = len(text)
        counts: dict[str, int] = {}
        for m in re.finditer(r"\] ([A-Z]+) request for ", lines):
            counts[m[1]] = counts.get(m[1], 0) + 1
        return counts

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self._log.close()


@pytest.fixture
def radicale(tmp_path):
    server = Radicale(tmp_path)
    yield server
    server.stop()


def push(server: Radicale, plan_dir: Path):
    args = ["push", plan_dir, "--caldav", server.url, "--user", "clerk"]
    for p in PEOPLE:
        args += ["--person", p]
    res = invoke(*args)
    assert res.exit_code == 0, res.output
    return res.output


def confirmed(plan_dir: Path, pid: str) -> dict[str, bytes]:
    """UID -> VEVENT bytes of her confirmed events in the plan directory's file."""
    data = (plan_dir / "calendars" / f"person-{pid}.ics").read_bytes()
    return {re.search(rb"\r\nUID:(.*?)\r\n", p)[1].decode(): p for p in calendar_pieces(data)
            if p.startswith(b"BEGIN:VEVENT\r\n") and b"\r\nSTATUS:CANCELLED\r\n" not in p}


def server_events(server: Radicale, pid: str) -> dict[str, str]:
    client = caldav.DAVClient(url=server.url, username="clerk", password="x",
                              enable_rfc6764=False)
    cal = client.principal().calendar(cal_id=f"xinglian-{pid}")
    out = {}
    for obj in cal.search(event=True):
        data = obj.data
        out[re.search(r"\nUID:(.*?)\r?\n", data)[1]] = data
    return out


def test_push_sends_only_what_changed_and_deletes_what_left(monkeypatch, plans, radicale):
    monkeypatch.setenv("XINGLIAN_CALDAV_PASSWORD", "secret")
    v1, v2 = plans
    want1 = {p: confirmed(v1, p) for p in PEOPLE}
    want2 = {p: confirmed(v2, p) for p in PEOPLE}

    out = push(radicale, v1)
    first = radicale.requests()
    assert first.get("PUT", 0) == sum(len(w) for w in want1.values())
    assert first.get("MKCALENDAR", 0) + first.get("MKCOL", 0) == len(PEOPLE)
    assert first.get("DELETE", 0) == 0
    assert f"{len(PEOPLE)} calendars ({len(PEOPLE)} new)" in out

    # A hand-made event in her calendar is not ours: it must survive every push.
    own = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//ZH\r\nBEGIN:VEVENT\r\n"
           "UID:own@phone\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;VALUE=DATE:20270301\r\n"
           "SUMMARY:自己的事\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    r = httpx.put(f"{radicale.url}clerk/xinglian-{SUBJECT}/own.ics", content=own.encode(),
                  auth=("clerk", "x"), headers={"Content-Type": "text/calendar"})
    assert r.status_code in (201, 204)
    radicale.requests()

    # The re-plan: expected writes derived from the two plan directories' files.
    changed = sum(1 for p in PEOPLE for uid, ev in want2[p].items()
                  if want1[p].get(uid) != ev)
    removed = sum(1 for p in PEOPLE for uid in want1[p] if uid not in want2[p])
    assert changed >= 6 and removed >= 1  # the meeting for six, her term at least
    push(radicale, v2)
    second = radicale.requests()
    assert second.get("PUT", 0) == changed
    assert second.get("DELETE", 0) == removed
    assert second.get("REPORT", 0) == len(PEOPLE)  # one read per calendar

    for p in PEOPLE:
        have = server_events(radicale, p)
        extra = {"own@phone"} if p == SUBJECT else set()
        assert set(have) == set(want2[p]) | extra, p
    hers = server_events(radicale, SUBJECT)
    assert "DTSTART;TZID=Asia/Shanghai:20270824" in hers[MOVED_MEETING]
    assert HASH_PROP in hers[MOVED_MEETING]
    assert "自己的事" in hers["own@phone"]
    radicale.requests()

    # Nothing changed: nothing written.
    out = push(radicale, v2)
    third = radicale.requests()
    assert third.get("PUT", 0) == 0 and third.get("DELETE", 0) == 0
    assert "0 events sent, 0 deleted" in out


def test_push_without_server_is_a_clear_error(monkeypatch, plans):
    monkeypatch.setenv("XINGLIAN_CALDAV_PASSWORD", "x")
    res = invoke("push", plans[0], "--caldav", f"http://127.0.0.1:{free_port()}/",
                 "--user", "clerk", "--person", SUBJECT)
    assert res.exit_code == 1
    assert "127.0.0.1" in res.output
