"""QR cards (decoded back from a rendered page) and static publishing."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import icalendar
from fastapi import FastAPI

from xinglian.feeds.routes import router
from xinglian.feeds.store import TokenStore
from xinglian.models import load_instance

from .conftest import SUBJECT, Published, invoke

PEOPLE = ("p-001", "p-002", SUBJECT, "p-110")


def screenshot(html: Path, png: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is needed to render the cards"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
             f"--user-data-dir={profile}", "--force-device-scale-factor=2",
             "--window-size=800,1200", f"--screenshot={png}", html.as_uri()],
            capture_output=True, timeout=120, check=True)
    assert png.stat().st_size > 10_000


def decode_qr(png: Path) -> list[str]:
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg is needed (Debian: apt-get install zbar-tools)"
    out = subprocess.run([zbarimg, "-q", "--raw", str(png)], capture_output=True, text=True,
                         timeout=60)
    return sorted(line for line in out.stdout.splitlines() if line)


def test_printed_qr_codes_open_her_feed(tmp_path, plans, uvicorn_server):
    db = tmp_path / "workspace.db"
    app = FastAPI()
    app.include_router(router(db, Published(plans[0])))
    base = uvicorn_server(app)
    page = httpx.get(f"{base}/feeds/admin/cards", params={"ids": ",".join(PEOPLE)})
    assert page.status_code == 200
    html = tmp_path / "cards.html"
    html.write_text(page.text, encoding="utf-8")
    # The printed instructions for both kinds of phone.
    assert "设置›日历›账户›添加已订阅的日历" in page.text and "ICSx⁵" in page.text
    assert "@page { size: A4" in page.text
    png = tmp_path / "cards.png"
    screenshot(html, png)
    codes = decode_qr(png)
    store = TokenStore(db)
    expected = {p: store.active("person", p).token for p in PEOPLE}
    host = base.removeprefix("http://")
    assert codes == sorted(f"webcal://{host}/feeds/{t}.ics" for t in expected.values())
    names = {p.id: p.name for p in load_instance(plans[0] / "instance.json").people}
    for pid, token in expected.items():
        # The https (here http) URL in small print is the same address.
        assert f"{base}/feeds/{token}.ics" in page.text
        (url,) = [c for c in codes if token in c]
        res = httpx.get("http://" + url.removeprefix("webcal://"))
        assert res.status_code == 200
        cal = icalendar.Calendar.from_ical(res.content)
        assert str(cal["X-WR-CALNAME"]) == f"{names[pid]} 的星链日程"
        assert names[pid] in page.text


def test_publish_writes_token_named_feeds_and_keeps_them_across_versions(tmp_path, plans):
    v1, v2 = plans
    site = tmp_path / "site"
    res = invoke("publish", v1, "--base-url", "https://example.org/xl", "--out", site)
    assert res.exit_code == 0, res.output
    private = tmp_path / "site.private"
    store = TokenStore(private / "tokens.db")
    tokens = {(t.kind, t.subject): t.token for t in store.all()}
    files = sorted(p.name for p in (site / "feeds").glob("*.ics"))
    calendars = [p for p in (v1 / "calendars").glob("*-*.ics")]
    assert len(files) == len(calendars) == len(tokens)
    assert files == sorted(f"{t}.ics" for t in tokens.values())
    # Nothing in the public directory names anyone or lists the tokens.
    public = {p.relative_to(site).as_posix() for p in site.rglob("*")}
    assert public - {f"feeds/{f}" for f in files} == {"feeds", "index.html",
                                                       "feeds/index.html", "robots.txt"}
    for name in ("index.html", "feeds/index.html"):
        text = (site / name).read_text(encoding="utf-8")
        assert ".ics" not in text and "p-0" not in text
    # The clerk's private index: URL and QR of each person.
    index = (private / "index.html").read_text(encoding="utf-8")
    hers = tokens[("person", SUBJECT)]
    assert f"https://example.org/xl/feeds/{hers}.ics" in index
    assert index.count("<svg") == len(tokens)
    assert (private / "cards.html").is_file()
    assert oct(private.stat().st_mode & 0o777) == "0o700"

    before = {f: (site / "feeds" / f).stat().st_mtime_ns for f in files}
    theirs = (site / "feeds" / f"{hers}.ics").read_bytes()
    res = invoke("publish", v2, "--base-url", "https://example.org/xl", "--out", site)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (site / "feeds").glob("*.ics")) == files  # same URLs
    after = {f: (site / "feeds" / f).stat().st_mtime_ns for f in files}
    rewritten = {f for f in files if after[f] != before[f]}
    assert f"{hers}.ics" in rewritten
    assert (site / "feeds" / f"{hers}.ics").read_bytes() != theirs
    # Only the feeds the re-plan changed were rewritten (the meeting's attendees and
    # the one who took her term), so a static host keeps answering 304 for the rest.
    assert 0 < len(rewritten) < len(files) // 4
    assert not [p for p in (site / "feeds").iterdir() if p.name.startswith(".")]  # no temps

    # Revoking removes the file; regenerating gives a new name.
    res = invoke("publish", v2, "--base-url", "https://example.org/xl", "--out", site,
                 "--revoke", SUBJECT)
    assert res.exit_code == 0, res.output
    assert not (site / "feeds" / f"{hers}.ics").exists()
    res = invoke("publish", v2, "--base-url", "https://example.org/xl", "--out", site,
                 "--regenerate", SUBJECT)
    new = TokenStore(private / "tokens.db").active("person", SUBJECT).token
    assert new != hers and (site / "feeds" / f"{new}.ics").is_file()


def test_publish_refuses_a_bad_base_url_or_unknown_id(tmp_path, plans):
    site = tmp_path / "site"
    res = invoke("publish", plans[0], "--base-url", "example.org", "--out", site)
    assert res.exit_code == 1 and "http(s) URL" in res.output
    res = invoke("publish", plans[0], "--base-url", "https://x.org", "--out", site,
                 "--revoke", "p-nobody")
    assert res.exit_code == 1 and "p-nobody" in res.output


def test_feed_files_are_readable_by_the_web_server(tmp_path, plans):
    # mkstemp makes 0600 files; a web server running as another user must read them.
    site = tmp_path / "site"
    invoke("publish", plans[0], "--base-url", "https://x.org", "--out", site)
    for path in (site / "feeds").glob("*.ics"):
        assert path.stat().st_mode & 0o777 == 0o644
    assert (site / "index.html").stat().st_mode & 0o777 == 0o644
