"""The feed routes through FastAPI's TestClient: HTTP semantics, tokens, security."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import secrets

import icalendar
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient

from xinglian.export.ics import build_events
from xinglian.feeds.routes import router
from xinglian.feeds.store import TOKEN_LENGTH, TokenStore
from xinglian.models import load_instance, load_plan

from .conftest import SUBJECT, Published


@pytest.fixture
def setup(tmp_path, plans):
    published = Published(plans[0])
    db = tmp_path / "workspace.db"
    app = FastAPI()
    app.include_router(router(db, published))
    return TestClient(app), TokenStore(db), published


def url_of(store: TokenStore, kind: str, subject: str) -> str:
    token = store.ensure(kind, subject)
    assert token is not None
    return f"/feeds/{token.token}.ics"


def test_feed_is_a_calendar_inline_with_validators(setup):
    client, store, _ = setup
    res = client.get(url_of(store, "person", SUBJECT))
    assert res.status_code == 200
    assert res.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "content-disposition" not in res.headers  # subscribed, not downloaded
    assert re.fullmatch(r'"[0-9a-f]{32}"', res.headers["etag"])
    last = email.utils.parsedate_to_datetime(res.headers["last-modified"])
    assert last.tzinfo is not None
    cal = icalendar.Calendar.from_ical(res.content)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in res.text
    assert "\r\nX-PUBLISHED-TTL:PT6H\r\n" in res.text
    assert "的星链日程" in str(cal["X-WR-CALNAME"])


def test_304_on_if_none_match_and_if_modified_since(setup):
    client, store, _ = setup
    url = url_of(store, "person", SUBJECT)
    first = client.get(url)
    etag, last = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": f'"x", {etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": last}).status_code == 304
    earlier = email.utils.format_datetime(
        email.utils.parsedate_to_datetime(last) - dt.timedelta(seconds=1), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match decides when both are sent (RFC 9110 13.2.2).
    assert client.get(url, headers={"If-None-Match": '"stale"',
                                    "If-Modified-Since": last}).status_code == 200
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.content == b"" and not_modified.headers["etag"] == etag
    head = client.head(url)
    assert head.status_code == 200 and head.headers["etag"] == etag


def test_a_re_plan_changes_the_etag_and_last_modified_of_her_feed_only(setup, plans,
                                                                       unreached):
    client, store, published = setup
    hers, other = url_of(store, "person", SUBJECT), url_of(store, "person", unreached)
    before = {u: client.get(u).headers for u in (hers, other)}
    published.path = plans[1]
    after = {u: client.get(u, headers={"If-None-Match": before[u]["etag"]}) for u in
             (hers, other)}
    assert after[hers].status_code == 200
    assert after[hers].headers["etag"] != before[hers]["etag"]
    assert email.utils.parsedate_to_datetime(after[hers].headers["last-modified"]) > \
        email.utils.parsedate_to_datetime(before[hers]["last-modified"])
    # Someone no change names: her feed is not sent again.
    assert after[other].status_code == 304


def test_same_404_for_unknown_token_and_a_path_that_never_existed(setup):
    client, store, _ = setup
    never = client.get("/no/such/path")
    for path in (f"/feeds/{secrets.token_urlsafe(24)}.ics", "/feeds/short.ics",
                 f"/feeds/{'A' * TOKEN_LENGTH}.ics", "/feeds/.ics"):
        res = client.get(path)
        assert (res.status_code, res.content, dict(res.headers)) == \
            (never.status_code, never.content, dict(never.headers)), path


def test_1000_random_tokens_are_1000_404s(setup):
    client, store, _ = setup
    store.ensure_many(("person", f"p-{i:03d}") for i in range(1, 115))
    codes = [client.get(f"/feeds/{secrets.token_urlsafe(24)}.ics").status_code
             for _ in range(1000)]
    assert codes == [404] * 1000


def test_tokens_have_at_least_128_bits_and_are_unique(tmp_path):
    store = TokenStore(tmp_path / "w.db")
    tokens = store.ensure_many(("person", f"p-{i}") for i in range(200))
    values = [t.token for t in tokens.values()]
    assert len(set(values)) == 200
    for v in values:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", v)  # 32 base64url chars = 192 bits


def test_revoked_token_is_404_and_regenerated_one_works(setup):
    client, store, _ = setup
    old = url_of(store, "person", SUBJECT)
    assert client.get(old).status_code == 200
    assert store.revoke("person", SUBJECT)
    assert client.get(old).status_code == 404
    # Revoked stays revoked: listing the subjects again does not hand out a new URL.
    assert store.ensure("person", SUBJECT) is None
    new = store.regenerate("person", SUBJECT)
    assert f"/feeds/{new.token}.ics" != old
    assert client.get(f"/feeds/{new.token}.ics").status_code == 200
    assert client.get(old).status_code == 404


def test_token_is_stable_across_plan_versions(setup, plans):
    client, store, published = setup
    url = url_of(store, "person", SUBJECT)
    names = []
    for plan_dir in plans:
        published.path = plan_dir
        res = client.get(url)
        assert res.status_code == 200
        names.append(plan_dir.name)
    assert url_of(store, "person", SUBJECT) == url


def test_nothing_published_is_404(setup):
    client, store, published = setup
    url = url_of(store, "person", SUBJECT)
    published.path = None
    assert client.get(url).status_code == 404


def test_no_feed_reveals_another_persons_events(setup, plans):
    # Every event of every person's feed names her (the exporter's own record of whose
    # calendar an event belongs to), and her feed holds all her confirmed events: in v1,
    # and in v2 where the files also keep cancelled copies of what left.
    client, store, published = setup
    for plan_dir in plans:
        published.path = plan_dir
        plan, instance = load_plan(plan_dir), load_instance(plan_dir / "instance.json")
        mine: dict[str, set[str]] = {}
        for e in build_events(instance, plan):
            for pid in e.people:
                mine.setdefault(pid, set()).add(e.uid)
        files = {p.stem.removeprefix("person-")
                 for p in (plan_dir / "calendars").glob("person-*.ics")}
        assert set(mine) <= files and len(mine) > 70
        tokens = store.ensure_many(("person", pid) for pid in files)
        for pid in sorted(files):
            res = client.get(f"/feeds/{tokens[('person', pid)].token}.ics")
            cal = icalendar.Calendar.from_ical(res.content)
            assert {str(e["UID"]) for e in cal.walk("VEVENT")} == mine.get(pid, set()), pid


def test_last_fetch_is_recorded_and_shown_to_the_clerk(setup):
    client, store, _ = setup
    url = url_of(store, "person", SUBJECT)
    store.ensure("person", "p-005")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    client.get(url)
    token = store.active("person", SUBJECT)
    assert token.last_fetched is not None and token.last_fetched >= before
    assert token.fetch_count == 1
    page = client.get("/feeds/admin")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    row = {m[0]: re.sub(r"<[^>]+>", "", m[1]) for m in re.findall(
        r'<tr data-subject="person-(p-\d+)".*?<td class="fetched">(.*?)</td>', page.text, re.S)}
    local = token.last_fetched.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert row[SUBJECT] == local.strftime("%Y-%m-%d %H:%M")  # Asia/Shanghai
    assert row["p-005"] == "从未"


def test_admin_revoke_and_regenerate_buttons(setup):
    client, store, _ = setup
    url = url_of(store, "person", SUBJECT)
    res = client.post(f"/feeds/admin/person/{SUBJECT}/revoke", follow_redirects=False)
    assert res.status_code == 303
    assert client.get(url).status_code == 404
    assert "已停用" in client.get("/feeds/admin").text
    client.post(f"/feeds/admin/person/{SUBJECT}/regenerate")
    new = store.active("person", SUBJECT)
    assert client.get(f"/feeds/{new.token}.ics").status_code == 200
    cross = client.post(f"/feeds/admin/person/{SUBJECT}/revoke",
                        headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert store.active("person", SUBJECT).token == new.token
    same = client.post(f"/feeds/admin/person/{SUBJECT}/revoke",
                       headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert same.status_code == 303
    assert store.active("person", SUBJECT) is None


def test_admin_pages_are_behind_the_admin_dependency(tmp_path, plans):
    def clerk(request: Request) -> None:
        if request.headers.get("x-clerk") != "yes":
            raise HTTPException(status_code=403)

    db = tmp_path / "workspace.db"
    app = FastAPI()
    app.include_router(router(db, Published(plans[0]), admin=clerk))
    client = TestClient(app)
    for method, path in (("GET", "/feeds/admin"), ("GET", "/feeds/admin/cards"),
                         ("POST", f"/feeds/admin/person/{SUBJECT}/revoke")):
        assert client.request(method, path).status_code == 403
    assert client.get("/feeds/admin", headers={"x-clerk": "yes"}).status_code == 200
    # The feeds themselves need no session: a phone has none.
    token = TokenStore(db).active("person", SUBJECT)
    assert client.get(f"/feeds/{token.token}.ics").status_code == 200
