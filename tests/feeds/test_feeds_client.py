"""A subscriber's view, end to end: a real uvicorn on 127.0.0.1 serves the router, and
the client is Mozilla's ical.js in node (tests/js/client.mjs fetches like a phone) with
icalendar parsing the same bytes.

Decision under test (docs/feeds.md): an event that left her calendar is *dropped* from
her feed (a subscribed calendar is replaced as a whole on refresh), while the plan
directory's file keeps it as STATUS:CANCELLED for phones that imported the file.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import shutil
import subprocess
import sys

import httpx
import icalendar
import pytest
from fastapi import FastAPI

from xinglian.export.plan_dir import write_plan_dir
from xinglian.feeds.render import calendar_pieces
from xinglian.feeds.routes import router
from xinglian.feeds.store import TokenStore
from xinglian.models.instance import Instance

from .conftest import LEFT_TERM, MOVED_MEETING, ROOT, SUBJECT, Published

JS = ROOT / "tests" / "js"


def node_client(*urls: str) -> list[dict]:
    node = shutil.which("node")
    assert node, "node is needed (Debian: apt-get install nodejs)"
    assert (JS / "node_modules" / "ical.js").is_dir(), \
        "ical.js is needed: npm ci --prefix tests/js"
    out = subprocess.run([node, str(JS / "client.mjs"), *urls], capture_output=True,
                         text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def vevents(body: bytes) -> dict[str, bytes]:
    """UID -> the VEVENT's bytes exactly as served."""
    return {re.search(rb"\r\nUID:(.*?)\r\n", p)[1].decode(): p
            for p in calendar_pieces(body) if p.startswith(b"BEGIN:VEVENT\r\n")}


@pytest.fixture
def served(tmp_path, plans, uvicorn_server):
    published = Published(plans[0])
    db = tmp_path / "workspace.db"
    app = FastAPI()
    app.include_router(router(db, published))
    base = uvicorn_server(app)
    return base, TokenStore(db), published


def test_subscriber_sees_the_update_in_place(served, plans, unreached):
    base, store, published = served
    url = f"{base}/feeds/{store.ensure('person', SUBJECT).token}.ics"
    other = f"{base}/feeds/{store.ensure('person', unreached).token}.ics"

    # Subscribe: the phone fetches v1 and keeps the ETag.
    (v1, v1_other) = node_client(url, other)
    assert v1["status"] == 200 and v1["type"] == "text/calendar; charset=utf-8"
    assert v1["disposition"] is None
    assert v1["refresh"] == "PT6H"
    seen1 = {e["uid"]: e for e in v1["events"]}
    assert {MOVED_MEETING, LEFT_TERM} <= set(seen1)
    raw1 = httpx.get(url).content

    # The clerk publishes the re-plan; the phone refreshes with its ETag.
    published.path = plans[1]
    (v2, v2_other) = node_client(f"{url}#{v1['etag']}", f"{other}#{v1_other['etag']}")
    assert v2["status"] == 200 and v2["etag"] != v1["etag"]
    assert v2_other["status"] == 304  # the re-plan does not reach her: nothing sent
    seen2 = {e["uid"]: e for e in v2["events"]}

    # The moved meeting: same UID, higher SEQUENCE, the new day, still in Asia/Shanghai.
    old, new = seen1[MOVED_MEETING], seen2[MOVED_MEETING]
    assert new["sequence"] > old["sequence"]
    # the days the two plans give that meeting (read from plan.json, not assumed)
    days = []
    for plan_dir in plans[:2]:
        plan = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
        days.append(next(m["start"][:10] for m in plan["meetings"]
                         if m["id"] == "mtg-fed-ximei-q3"))
    assert days[0] != days[1]
    assert old["start"].startswith(days[0]) and new["start"].startswith(days[1])
    assert new["tz"] == "Asia/Shanghai"
    local = dt.datetime.fromisoformat(new["start"])
    assert new["utc"] == (local - dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    # The term that left her calendar is not in her feed (dropped, not cancelled) ...
    assert LEFT_TERM not in seen2
    assert all(e["status"] != "CANCELLED" for e in v2["events"])
    # ... while the plan directory's file keeps it cancelled for imported copies.
    file_v2 = icalendar.Calendar.from_ical(
        (plans[1] / "calendars" / f"person-{SUBJECT}.ics").read_bytes())
    cancelled = {str(e["UID"]): e for e in file_v2.walk("VEVENT")
                 if str(e["STATUS"]) == "CANCELLED"}
    assert LEFT_TERM in cancelled

    # Everything else: the same events, byte for byte.
    # (her period-3 term left, and with it that period's term-of-work events: every
    # event the v2 file cancels is gone from the feed, nothing else)
    raw2 = httpx.get(url).content
    ev1, ev2 = vevents(raw1), vevents(raw2)
    left = set(cancelled) & set(ev1)
    assert LEFT_TERM in left
    assert set(ev2) == set(ev1) - left
    for uid in set(ev2) - {MOVED_MEETING}:
        assert ev2[uid] == ev1[uid], uid
    assert ev2[MOVED_MEETING] != ev1[MOVED_MEETING]
    # icalendar reads the same as ical.js.
    cal = icalendar.Calendar.from_ical(raw2)
    assert {str(e["UID"]): int(e["SEQUENCE"]) for e in cal.walk("VEVENT")} == \
        {u: e["sequence"] for u, e in seen2.items()}


def test_refresh_without_change_is_304(served):
    base, store, _ = served
    urls = [f"{base}/feeds/{store.ensure('person', p).token}.ics"
            for p in (SUBJECT, "p-001", "p-110")]
    first = node_client(*urls)
    again = node_client(*(f"{u}#{r['etag']}" for u, r in zip(urls, first, strict=True)))
    assert [r["status"] for r in again] == [304, 304, 304]


def _test_ics_module():
    spec = importlib.util.spec_from_file_location("feeds_test_ics",
                                                  ROOT / "tests" / "test_ics.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["feeds_test_ics"] = module
    spec.loader.exec_module(module)
    return module


def test_children_appear_by_code_only(tmp_path, uvicorn_server):
    # tests/test_ics.py's caring-mother fixture: p-e1 visits c-007 (王小明, 霞美镇某村1号)
    # and c-008 (李小红, 仑苍镇某村2号); the plan directory and every feed carry codes only.
    t = _test_ics_module()
    instance = Instance.model_validate(t.care_data())
    plan_dir = write_plan_dir(instance, t.care_plan(), tmp_path / "plan")
    db = tmp_path / "workspace.db"
    app = FastAPI()
    app.include_router(router(db, Published(plan_dir)))
    base = uvicorn_server(app)
    store = TokenStore(db)
    bodies = {}
    for path in sorted((plan_dir / "calendars").glob("*-*.ics")):
        kind, _, subject = path.stem.partition("-")
        res = httpx.get(f"{base}/feeds/{store.ensure(kind, subject).token}.ics")
        assert res.status_code == 200
        bodies[path.stem] = res.text
    assert "儿童 c-007" in bodies["person-p-e1"] and "儿童 c-008" in bodies["person-p-e1"]
    for name, text in bodies.items():
        for secret in ("王小明", "李小红", "某村1号", "某村2号"):
            assert secret not in text, (name, secret)
        if name != "person-p-e1":
            assert "爱心妈妈 ·" not in text, name  # visits are on the mother's feed only
    seen = node_client(f"{base}/feeds/{store.active('person', 'p-e1').token}.ics")[0]
    assert sum("儿童 c-0" in e["summary"] for e in seen["events"]) == 3
