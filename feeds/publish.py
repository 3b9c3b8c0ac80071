"""Static publishing: token-named feed files for any static web host.

``xinglian publish PLAN_DIR --base-url https://host/path --out SITE`` writes

    SITE/feeds/<token>.ics      one per person, venue and federation with a calendar
    SITE/index.html, SITE/feeds/index.html, SITE/robots.txt
                                empty pages, so that a host with directory listings
                                switched on cannot list the tokens
    SITE.private/tokens.db      the tokens (the workspace's ``feed_`` tables), reused by
                                every later publish, so the URLs never change
    SITE.private/index.html     for the clerk: person -> URL, QR code, last publish
    SITE.private/cards.html     the printable A4 QR cards

``SITE.private/`` sits *beside* the public directory, never inside it: upload ``SITE``
only. ``--tokens workspace.db`` uses the workspace's database instead, so that the
workspace and the static site hand out the same URLs.

Each file is written to a temporary name in its directory and renamed into place; a
feed file whose bytes did not change is not rewritten (its mtime stays, so a static
host keeps answering 304). Files of revoked tokens, or of subjects that no longer have
a calendar, are removed after the new ones are in place.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .pages import render_admin, render_cards
from .render import render_feed
from .store import TokenStore
from .subjects import Subject, subjects

PLACEHOLDER = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
               "<meta name=\"robots\" content=\"noindex\"><title>星链</title></head>"
               "<body></body></html>\n")
ROBOTS = "User-agent: *\nDisallow: /\n"
_FEED_FILE = re.compile(r"^[A-Za-z0-9_-]{32}\.ics$")


def private_dir(site: Path) -> Path:
    site = Path(site).resolve()
    return site.with_name(site.name + ".private")


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> bool:
    """Write ``data`` to ``path`` via a temporary file and a rename; False (and nothing
    written) when the file already holds exactly these bytes."""
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError):
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@dataclass
class PublishResult:
    site: Path
    private: Path
    feeds: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    urls: dict[tuple[str, str], str] = field(default_factory=dict)


def _resolve(ids: Iterable[str], subs: list[Subject]) -> list[tuple[str, str]]:
    """``p-001`` or ``person:p-001`` -> (kind, id), refusing unknown or ambiguous ids."""
    out = []
    for ident in ids:
        kind, _, sid = ident.rpartition(":")
        found = [s.key for s in subs if s.id == sid and (not kind or s.kind == kind)]
        if not found:
            raise ValueError(f"{ident}: no person, venue or federation with this id")
        if len(found) > 1:
            raise ValueError(f"{ident}: ambiguous, say {found[0][0]}:{sid} or "
                             f"{found[1][0]}:{sid}")
        out.append(found[0])
    return out


def publish(plan_dir: Path, base_url: str, site: Path, *,
            tokens_db: Path | None = None, revoke: Iterable[str] = (),
            regenerate: Iterable[str] = ()) -> PublishResult:
    """Write the feeds of ``plan_dir`` into ``site`` (see the module docstring).

    Parameters
    ----------
    plan_dir
        A plan directory (with ``instance.json`` and ``calendars/``).
    base_url
        Where ``site`` will be served, e.g. ``https://example.org/xinglian``; feed URLs
        are ``<base_url>/feeds/<token>.ics``.
    site
        The public directory to write (created if missing).
    tokens_db
        The token database; default ``<site>.private/tokens.db``.
    revoke, regenerate
        Ids (``p-001``, or ``venue:v-1`` when an id is used by two kinds) whose token is
        revoked (their feed file disappears) or replaced by a new one before publishing.
    """
    plan_dir, site = Path(plan_dir), Path(site).resolve()
    if not (plan_dir / "plan.json").is_file() or not (plan_dir / "instance.json").is_file():
        raise ValueError(f"{plan_dir}: not a plan directory (needs plan.json and "
                         "instance.json)")
    if not re.match(r"^https?://[^/\s]+", base_url):
        raise ValueError(f"--base-url {base_url!r}: give an http(s) URL, e.g. "
                         "https://example.org/xinglian")
    private = private_dir(site)
    private.mkdir(parents=True, exist_ok=True)
    os.chmod(private, 0o700)
    store = TokenStore(tokens_db or private / "tokens.db")
    all_subs = subjects(plan_dir)
    for key in _resolve(revoke, all_subs):
        store.revoke(*key)
    for key in _resolve(regenerate, all_subs):
        store.regenerate(*key)
    subs = [s for s in all_subs if s.has_calendar]
    tokens = store.ensure_many(s.key for s in subs)
    feeds_dir = site / "feeds"
    feeds_dir.mkdir(parents=True, exist_ok=True)
    result = PublishResult(site=site, private=private)
    keep: set[str] = set()
    for s in subs:
        token = tokens.get(s.key)
        if token is None:  # revoked and not regenerated: no feed
            continue
        name = f"{token.token}.ics"
        keep.add(name)
        body = render_feed(plan_dir, s.kind, s.id, s.name).body
        result.feeds += 1
        if write_atomic(feeds_dir / name, body):
            result.written += 1
        else:
            result.unchanged += 1
        result.urls[s.key] = f"{base_url.rstrip('/')}/feeds/{name}"
    for path in feeds_dir.iterdir():
        if _FEED_FILE.match(path.name) and path.name not in keep:
            path.unlink()
            result.removed += 1
    for path, text in ((site / "index.html", PLACEHOLDER),
                       (feeds_dir / "index.html", PLACEHOLDER),
                       (site / "robots.txt", ROBOTS)):
        write_atomic(path, text.encode())
    people = [(s, tokens[s.key]) for s in subs if s.kind == "person" and s.key in tokens]
    write_atomic(private / "cards.html", render_cards(people, base_url).encode(), 0o600)
    write_atomic(private / "index.html", render_admin(
        [(s, tokens.get(s.key) or store.active(*s.key)) for s in all_subs if s.has_calendar],
        base_url, cards_url="cards.html", plan=str(plan_dir.resolve()),
        static=True).encode(), 0o600)
    return result
