"""Secret feed tokens in SQLite: one active token per person, venue and federation.

The tables live in the workspace's own database (``workspace.db``), prefixed ``feed_``,
or in a private ``tokens.db`` of a static site (``xinglian publish``); the schema is the
same, so one can be taken over by the other.

Why it looks the way it does:

- A token is ``secrets.token_urlsafe(24)``: 32 URL-safe characters, 192 random bits.
  It names a subject (``person``/``venue``/``federation`` + id), never a plan: the same
  URL serves every later plan version, so a phone subscribes once.
- Requests are looked up by the SHA-256 of the presented token (an indexed column), and
  the stored token is then compared with :func:`hmac.compare_digest`. How long a lookup
  takes therefore says nothing about how much of a guess was right.
- The token itself is kept as well (the clerk reprints QR cards from it); the database
  is as private as the workspace's sessions.
- Revoking keeps the row (``revoked`` set) so the admin page can say so; at most one
  unrevoked token per subject (a partial unique index). Regenerating = revoke + new.
- ``last_fetched`` tells the clerk whom a change reaches by itself; it is kept in memory
  and written in one batch at most once a minute (and whenever the clerk's page reads
  the table), so that serving a feed never waits for the disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

KINDS = ("person", "venue", "federation")
TOKEN_BYTES = 24
"""192 bits (the brief asks for at least 128)."""
TOKEN_LENGTH = 32
"""len(secrets.token_urlsafe(TOKEN_BYTES))."""
FETCH_WRITE_EVERY = dt.timedelta(seconds=60)

SCHEMA = """
CREATE TABLE IF NOT EXISTS feed_tokens (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('person', 'venue', 'federation')),
    subject       TEXT NOT NULL,
    token         TEXT NOT NULL UNIQUE,
    token_sha256  TEXT NOT NULL UNIQUE,
    created       TEXT NOT NULL,
    revoked       TEXT,
    last_fetched  TEXT,
    fetch_count   INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS feed_tokens_one_active
    ON feed_tokens (kind, subject) WHERE revoked IS NULL;
"""


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class FeedToken:
    """A subject's token as stored."""

    id: int
    kind: str
    subject: str
    token: str
    created: dt.datetime
    revoked: dt.datetime | None
    last_fetched: dt.datetime | None
    fetch_count: int

    @property
    def file_name(self) -> str:
        """The subject's file in a plan directory's ``calendars/``."""
        return f"{self.kind}-{self.subject}.ics"


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _row(row: sqlite3.Row) -> FeedToken:
    return FeedToken(id=row["id"], kind=row["kind"], subject=row["subject"],
                     token=row["token"], created=_time(row["created"]),  # type: ignore[arg-type]
                     revoked=_time(row["revoked"]), last_fetched=_time(row["last_fetched"]),
                     fetch_count=row["fetch_count"])


class TokenStore:
    """Feed tokens in the SQLite file ``db_path`` (created with the ``feed_`` tables).

    Each call opens its own short connection, so one store can be shared by the threads
    of a web server.
    """

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._recorded: dict[int, dt.datetime] = {}
        self._pending: dict[int, tuple[dt.datetime, int]] = {}
        self._flushed = now_utc()
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (kept open: a web server's worker threads reuse
        theirs), inside one transaction committed on success."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.db_path, timeout=10)
            con.row_factory = sqlite3.Row
            # WAL + NORMAL: no fsync per commit; a power cut may lose the last fetch
            # times, never the tokens' consistency.
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
        with con:
            yield con

    # -- reading ----------------------------------------------------------------------

    def active(self, kind: str, subject: str) -> FeedToken | None:
        self.flush()
        with self._connect() as con:
            row = con.execute(
                "SELECT * FROM feed_tokens WHERE kind = ? AND subject = ? AND revoked IS NULL",
                (kind, subject)).fetchone()
        return _row(row) if row else None

    def all(self) -> list[FeedToken]:
        """Every token, revoked ones too, by subject then age."""
        self.flush()
        with self._connect() as con:
            rows = con.execute(
                "SELECT * FROM feed_tokens ORDER BY kind, subject, id").fetchall()
        return [_row(r) for r in rows]

    def lookup(self, token: str) -> FeedToken | None:
        """The active token equal to ``token``, else None (unknown, revoked or malformed).

        Looked up by hash, then compared in constant time.
        """
        if len(token) != TOKEN_LENGTH:
            return None
        with self._connect() as con:
            row = con.execute(
                "SELECT * FROM feed_tokens WHERE token_sha256 = ? AND revoked IS NULL",
                (token_hash(token),)).fetchone()
        if row is None or not hmac.compare_digest(row["token"].encode(), token.encode()):
            return None
        return _row(row)

    # -- writing ----------------------------------------------------------------------

    def ensure(self, kind: str, subject: str) -> FeedToken | None:
        """The subject's active token, made now if it never had one; None when its token
        was revoked and not regenerated (revoking cuts a feed off until the clerk
        regenerates it)."""
        return self.ensure_many([(kind, subject)]).get((kind, subject))

    def ensure_many(self, subjects: Iterable[tuple[str, str]]) -> dict[tuple[str, str], FeedToken]:
        """:meth:`ensure` for many subjects in one transaction: (kind, subject) -> active
        token, for every subject that is not revoked."""
        wanted = list(dict.fromkeys(subjects))
        self.flush()
        with self._connect() as con:
            have = {(r["kind"], r["subject"]): _row(r) for r in con.execute(
                "SELECT * FROM feed_tokens WHERE revoked IS NULL")}
            revoked = {(r["kind"], r["subject"]) for r in con.execute(
                "SELECT kind, subject FROM feed_tokens WHERE revoked IS NOT NULL")}
            for kind, subject in wanted:
                if (kind, subject) in have or (kind, subject) in revoked:
                    continue
                self._check_kind(kind)
                token = new_token()
                created = now_utc().isoformat()
                cur = con.execute(
                    "INSERT INTO feed_tokens (kind, subject, token, token_sha256, created) "
                    "VALUES (?, ?, ?, ?, ?)", (kind, subject, token, token_hash(token), created))
                have[(kind, subject)] = FeedToken(
                    id=cur.lastrowid or 0, kind=kind, subject=subject, token=token,
                    created=dt.datetime.fromisoformat(created), revoked=None,
                    last_fetched=None, fetch_count=0)
        return {k: have[k] for k in wanted if k in have}

    @staticmethod
    def _check_kind(kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown feed kind {kind!r} (one of {', '.join(KINDS)})")

    def _insert(self, kind: str, subject: str) -> FeedToken:
        self._check_kind(kind)
        token = new_token()
        with self._connect() as con:
            con.execute(
                "INSERT INTO feed_tokens (kind, subject, token, token_sha256, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (kind, subject, token, token_hash(token), now_utc().isoformat()))
        found = self.active(kind, subject)
        assert found is not None
        return found

    def revoke(self, kind: str, subject: str) -> bool:
        """Revoke the subject's active token; True when there was one."""
        with self._connect() as con:
            cur = con.execute(
                "UPDATE feed_tokens SET revoked = ? "
                "WHERE kind = ? AND subject = ? AND revoked IS NULL",
                (now_utc().isoformat(), kind, subject))
        return cur.rowcount > 0

    def regenerate(self, kind: str, subject: str) -> FeedToken:
        """Revoke the subject's token (if any) and give it a new one: the old URL stops
        working at once, the new one must be handed out again."""
        self.revoke(kind, subject)
        return self._insert(kind, subject)

    def record_fetch(self, token: FeedToken, when: dt.datetime | None = None) -> None:
        """Note that the feed was fetched, writing it when due (see :meth:`note_fetch`)."""
        if self.note_fetch(token, when):
            self.flush()

    def note_fetch(self, token: FeedToken, when: dt.datetime | None = None) -> bool:
        """Note a fetch in memory; True when :meth:`flush` should now write.

        A token's first fetch in this process is due at once (another process, e.g. a
        second worker, then shows "fetched" instead of "never"); later ones are written
        in one transaction at most every ``FETCH_WRITE_EVERY`` (or when this store reads
        the table for the clerk), so that serving a feed does not wait for a write;
        ``fetch_count`` counts fetches at most one a minute per token.
        """
        when = when or now_utc()
        with self._lock:
            seen = self._recorded.get(token.id)
            if seen is not None and when - seen < FETCH_WRITE_EVERY:
                return False
            self._recorded[token.id] = when
            _, count = self._pending.get(token.id, (when, 0))
            self._pending[token.id] = (when, count + 1)
            return seen is None or when - self._flushed >= FETCH_WRITE_EVERY

    def flush(self) -> None:
        """Write the fetch times kept in memory."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._flushed = now_utc()
        if not pending:
            return
        with self._connect() as con:
            con.executemany(
                "UPDATE feed_tokens SET last_fetched = ?, fetch_count = fetch_count + ? "
                "WHERE id = ?", [(when.isoformat(), n, tid)
                                 for tid, (when, n) in pending.items()])
