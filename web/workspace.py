"""A workspace: one directory with ``workspace.db`` (SQLite, WAL) and plan directories.

Layout::

    WORKSPACE/
      workspace.db          versions, jobs, data revisions, drafts, users, sessions
      data/rev-0001.json    the office's data as uploaded (instance JSON; children with
                            their names stay here and never go into a plan directory)
      versions/v1/ ...      published plans, each a plan directory (``xinglian plan`` format)
      jobs/<id>/            one job's work: log.txt, plan/ (a candidate plan directory),
                            repair-<k>.yaml (verified repairs of an infeasible instance)

The published plan is the highest version. A version is never rewritten: restoring an
old one makes a new version. Plan directories are written aside (``export.plan_dir``
writes to a temporary directory and renames) and moved into ``versions/`` by one rename
inside the database transaction that records them, so a crash leaves either the old
state or the new one. :meth:`Workspace.recover` (run at every start) marks jobs that
were running as interrupted and removes directories no row points to.

Other parts of the server (feeds, issue 17) use :class:`Workspace` through
``db_path``, :meth:`published_dir` and :meth:`current_instance_path`, and keep their own
tables (prefixed ``feed_``) in the same database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, pw_hash TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS data_revisions (
    id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, who TEXT NOT NULL,
    source TEXT NOT NULL, path TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS versions (
    n INTEGER PRIMARY KEY, created_at TEXT NOT NULL, who TEXT NOT NULL,
    kind TEXT NOT NULL, base INTEGER, summary TEXT NOT NULL DEFAULT '',
    dir TEXT NOT NULL, job_id INTEGER, data_revision INTEGER);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL,
    created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT, who TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}', progress TEXT NOT NULL DEFAULT '{}',
    result TEXT NOT NULL DEFAULT '{}', error TEXT NOT NULL DEFAULT '',
    pid INTEGER, base_version INTEGER, published_version INTEGER,
    discarded INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, who TEXT NOT NULL,
    changes TEXT NOT NULL DEFAULT '[]', status TEXT NOT NULL DEFAULT 'open',
    job_id INTEGER);
"""

ACTIVE = ("queued", "running", "cancelling")
"""Job states in which a job still holds (or waits for) the workspace's one job slot."""


class Outdated(Exception):
    """A candidate plan was made from a version that is no longer the published one."""


class WorkspaceError(Exception):
    """Something the user asked cannot be done (the message says why)."""


def now_iso() -> str:
    """Now in Asia/Shanghai, ISO 8601 to the second."""
    return dt.datetime.now(TZ).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Version:
    n: int
    created_at: str
    who: str
    kind: str
    base: int | None
    summary: str
    dir: Path


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    status: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    who: str
    params: dict[str, Any]
    progress: dict[str, Any]
    result: dict[str, Any]
    error: str
    pid: int | None
    base_version: int | None
    published_version: int | None
    discarded: bool

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def candidate(self) -> bool:
        """A finished plan waiting to be published or discarded."""
        return (self.status == "done" and self.published_version is None
                and not self.discarded and bool(self.result.get("plan_dir")))


def _job(row: sqlite3.Row) -> Job:
    return Job(row["id"], row["kind"], row["status"], row["created_at"], row["started_at"],
               row["finished_at"], row["who"], json.loads(row["params"]),
               json.loads(row["progress"]), json.loads(row["result"]), row["error"],
               row["pid"], row["base_version"], row["published_version"],
               bool(row["discarded"]))


class Workspace:
    """The workspace at ``root`` (created when missing).

    Parameters
    ----------
    root
        The workspace directory.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.db_path = self.root / "workspace.db"
        for sub in ("data", "versions", "jobs"):
            (self.root / sub).mkdir(exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    # -- database ---------------------------------------------------------------------

    def connect(self) -> sqlite3.Connection:
        """A new connection (one per thread or request; SQLite serialises writers)."""
        db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=30000")
        db.execute("PRAGMA foreign_keys=ON")
        return db

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on an exception)."""
        db = self.connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        db = self.connect()
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def meta(self, key: str, default: str | None = None) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) "
                       "DO UPDATE SET value = excluded.value", (key, value))

    def lock_for_server(self):
        """Hold the workspace for this server process (one server per workspace, so
        that one job at a time really is one). Returns the open lock file; closing it
        releases the lock.

        Raises
        ------
        WorkspaceError
            When another server holds the workspace.
        """
        f = open(self.root / "server.lock", "a+")  # noqa: SIM115 - held while serving
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; trust the one server
            return f
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            raise WorkspaceError(f"{self.root} is already served by another xinglian server "
                                 f"(stop it first) / 该工作区已由另一个服务器打开") from None
        return f

    # -- the stable API other modules use ------------------------------------------------

    def published_version(self) -> int | None:
        rows = self.query("SELECT MAX(n) AS n FROM versions")
        return rows[0]["n"]

    def published_dir(self) -> Path | None:
        """The plan directory of the published (highest) version, or None."""
        n = self.published_version()
        return None if n is None else self.version_dir(n)

    def current_instance_path(self) -> Path | None:
        """The instance file of the newest data revision (the office's data), or None."""
        rows = self.query("SELECT path FROM data_revisions ORDER BY id DESC LIMIT 1")
        return self.root / rows[0]["path"] if rows else None

    # -- data ---------------------------------------------------------------------------

    def current_data_revision(self) -> int | None:
        rows = self.query("SELECT MAX(id) AS id FROM data_revisions")
        return rows[0]["id"]

    def data_revisions(self) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM data_revisions ORDER BY id DESC")

    def add_data(self, instance, who: str, source: str, note: str = "") -> int:
        """Record ``instance`` as the new current data; returns its revision number.

        Stored as instance JSON (what ``xinglian plan`` and ``load_instance`` read; YAML
        would take a second longer to write for a county's data)."""
        text = json.dumps(instance.model_dump(mode="json", exclude_defaults=True),
                          ensure_ascii=False, indent=1) + "\n"
        with self.transaction() as db:
            rev = (db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM data_revisions")
                   .fetchone()[0])
            rel = f"data/rev-{rev:04d}.json"
            tmp = self.root / "data" / f".rev-{rev:04d}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.root / rel)
            db.execute("INSERT INTO data_revisions(id, created_at, who, source, path, note) "
                       "VALUES(?, ?, ?, ?, ?, ?)", (rev, now_iso(), who, source, rel, note))
        return rev

    # -- versions -------------------------------------------------------------------------

    def version_dir(self, n: int) -> Path:
        return self.root / "versions" / f"v{n}"

    def versions(self) -> list[Version]:
        return [Version(r["n"], r["created_at"], r["who"], r["kind"], r["base"], r["summary"],
                        self.root / r["dir"])
                for r in self.query("SELECT * FROM versions ORDER BY n DESC")]

    def version(self, n: int) -> Version | None:
        return next((v for v in self.versions() if v.n == n), None)

    def publish(self, job_id: int, who: str) -> int:
        """Publish a finished job's plan directory as the next version.

        Raises
        ------
        Outdated
            When the job was made from a version that is no longer the published one
            (another clerk published meanwhile); nothing changes.
        WorkspaceError
            When the job has no plan to publish (not finished, discarded, published).
        """
        with self.transaction() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise WorkspaceError(f"job {job_id} does not exist")
            job = _job(row)
            if job.published_version is not None:
                raise WorkspaceError(f"job {job_id} is already published as "
                                     f"v{job.published_version}")
            if not job.candidate:
                raise WorkspaceError(f"job {job_id} has no plan to publish ({job.status})")
            current = db.execute("SELECT MAX(n) FROM versions").fetchone()[0]
            if current != job.base_version:
                raise Outdated(
                    f"这份预览基于第{job.base_version}版，但现在发布的是第{current}版（有人"
                    f"刚刚发布了新版本）。预览未发布，没有丢失任何内容：请在第{current}版的基础上"
                    f"重新预览。 / This preview was made from v{job.base_version} but v{current}"
                    f" has been published since; nothing was published or lost — preview "
                    f"again from v{current}.")
            n = (current or 0) + 1
            src = self.root / job.result["plan_dir"]
            dest = self.version_dir(n)
            if dest.exists():  # left over from a crash before its row was committed
                shutil.rmtree(dest)
            os.replace(src, dest)
            try:
                db.execute(
                    "INSERT INTO versions(n, created_at, who, kind, base, summary, dir, job_id,"
                    " data_revision) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (n, now_iso(), who, job.kind, job.base_version,
                     job.result.get("summary", ""), f"versions/v{n}", job.id,
                     job.params.get("data_revision")))
                db.execute("UPDATE jobs SET published_version = ? WHERE id = ?", (n, job.id))
            except BaseException:
                os.replace(dest, src)
                raise
        return n

    def discard(self, job_id: int) -> None:
        job = self.job(job_id)
        if job is None or not job.candidate:
            raise WorkspaceError(f"job {job_id} has no plan to discard")
        with self.transaction() as db:
            db.execute("UPDATE jobs SET discarded = 1 WHERE id = ?", (job_id,))
        shutil.rmtree(self.root / job.result["plan_dir"], ignore_errors=True)

    # -- jobs -----------------------------------------------------------------------------

    def enqueue(self, kind: str, params: dict[str, Any], who: str) -> int:
        """Queue a job (plan, replan, restore); it runs when the slot is free."""
        with self.transaction() as db:
            base = db.execute("SELECT MAX(n) FROM versions").fetchone()[0]
            cur = db.execute(
                "INSERT INTO jobs(kind, status, created_at, who, params, base_version) "
                "VALUES(?, 'queued', ?, ?, ?, ?)",
                (kind, now_iso(), who, json.dumps(params, ensure_ascii=False), base))
            return int(cur.lastrowid)

    def job(self, job_id: int) -> Job | None:
        rows = self.query("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def jobs(self, limit: int = 20) -> list[Job]:
        return [_job(r) for r in
                self.query("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,))]

    def active_jobs(self) -> list[Job]:
        return [_job(r) for r in self.query(
            "SELECT * FROM jobs WHERE status IN ('queued', 'running', 'cancelling') "
            "ORDER BY id")]

    def job_dir(self, job_id: int) -> Path:
        return self.root / "jobs" / str(job_id)

    def set_job(self, job_id: int, *, only_if: tuple[str, ...] | None = None,
                **fields: Any) -> bool:
        """Update a job's columns (dicts stored as JSON); with ``only_if`` only while
        its status is one of those. Returns whether the row was updated."""
        cols, args = [], []
        for k, v in fields.items():
            cols.append(f"{k} = ?")
            args.append(json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)
        sql = f"UPDATE jobs SET {', '.join(cols)} WHERE id = ?"
        args.append(job_id)
        if only_if:
            sql += f" AND status IN ({', '.join('?' for _ in only_if)})"
            args += list(only_if)
        with self.transaction() as db:
            return db.execute(sql, tuple(args)).rowcount == 1

    def cancel(self, job_id: int) -> None:
        """Cancel a queued job now, a running one as soon as the runner stops it."""
        if not self.set_job(job_id, only_if=("queued",), status="cancelled",
                            finished_at=now_iso()):
            self.set_job(job_id, only_if=("running",), status="cancelling")

    def recover(self) -> list[int]:
        """At start: jobs left running by a server that stopped are interrupted; plan
        directories no version points to are removed. Returns the interrupted jobs."""
        with self.transaction() as db:
            ids = [r[0] for r in db.execute(
                "SELECT id FROM jobs WHERE status IN ('running', 'cancelling')")]
            db.execute("UPDATE jobs SET status = 'interrupted', finished_at = ?, error = "
                       "'服务器在运行中停止，任务中断；已发布的版本没有改变。 / The server stopped "
                       "during the job; the published version is unchanged.' WHERE status IN "
                       "('running', 'cancelling')", (now_iso(),))
            known = {r[0] for r in db.execute("SELECT dir FROM versions")}
        for d in (self.root / "versions").iterdir():
            if f"versions/{d.name}" not in known:
                shutil.rmtree(d, ignore_errors=True) if d.is_dir() else d.unlink()
        for jid in ids:
            _remove_temp_dirs(self.job_dir(jid))
        return ids

    # -- drafts (changes being collected before a preview) ---------------------------------

    def open_draft(self, who: str) -> sqlite3.Row:
        """The open draft (one per workspace), created when there is none."""
        with self.transaction() as db:
            row = db.execute("SELECT * FROM drafts WHERE status = 'open' ORDER BY id DESC "
                             "LIMIT 1").fetchone()
            if row is None:
                db.execute("INSERT INTO drafts(created_at, who) VALUES(?, ?)", (now_iso(), who))
                row = db.execute("SELECT * FROM drafts WHERE status = 'open' ORDER BY id DESC "
                                 "LIMIT 1").fetchone()
            return row

    def draft_changes(self, who: str) -> tuple[int, list[dict[str, Any]]]:
        row = self.open_draft(who)
        return row["id"], json.loads(row["changes"])

    def set_draft_changes(self, draft_id: int, changes: list[dict[str, Any]]) -> None:
        with self.transaction() as db:
            db.execute("UPDATE drafts SET changes = ? WHERE id = ? AND status = 'open'",
                       (json.dumps(changes, ensure_ascii=False), draft_id))

    def close_draft(self, draft_id: int, status: str, job_id: int | None = None) -> None:
        with self.transaction() as db:
            db.execute("UPDATE drafts SET status = ?, job_id = ? WHERE id = ?",
                       (status, job_id, draft_id))


def _remove_temp_dirs(path: Path) -> None:
    """Remove the temporary siblings a killed writer may have left in a job directory."""
    if not path.is_dir():
        return
    for d in path.iterdir():
        if d.name.startswith((".", "tmp")) and d.is_dir():
            shutil.rmtree(d, ignore_errors=True)
