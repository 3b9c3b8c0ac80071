"""A subscription feed: a subject's calendar of the published plan, as a phone should see it.

The feed of a person, venue or federation is its ``calendars/<kind>-<id>.ics`` of the plan
directory, with the same events, UIDs, SEQUENCEs and stamps, and two changes:

- **Events that left her calendar are dropped, not sent as ``STATUS:CANCELLED``.** The
  plan directory's files keep a cancelled copy with a higher SEQUENCE because a file is
  *imported*: an import only adds or replaces by UID, so without the cancelled copy the
  old event would stay on the phone. A subscribed calendar is different: iOS, macOS,
  Google Calendar, Thunderbird and ICSx⁵ replace the whole subscribed collection on each
  refresh, so an event that is no longer in the feed disappears. A cancelled copy in a
  feed would instead stay visible (Apple Calendar crosses it out but keeps it, Android
  calendars such as Etar show it as a normal event), and cancelled events would pile up
  version after version.
- **Refresh hints:** ``REFRESH-INTERVAL;VALUE=DURATION:PT6H`` (RFC 7986) and
  ``X-PUBLISHED-TTL:PT6H`` (Apple, Outlook).

A subject with no calendar file in the published plan gets a valid empty calendar (so a
phone that subscribed earlier clears her events instead of reporting an error).

``Last-Modified`` is the newest ``DTSTAMP`` of any event of her plan-directory file,
cancelled ones included: an unchanged event keeps the stamp it was first published with,
and a changed or cancelled one takes the re-plan's stamp, so it moves exactly when her
calendar changes. ``ETag`` is a hash of the bytes served.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from icalendar import vDuration

from ..export.ics import DEFAULT_STAMP, to_calendar

REFRESH = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str
    """A strong entity tag, quoted: ``"<sha-256 of body, 32 hex>"``."""
    last_modified: dt.datetime
    """UTC, whole seconds."""
    events: int


def _stamp(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).replace(microsecond=0)
    return DEFAULT_STAMP


def _plan_meta(plan_dir: Path) -> tuple[dt.datetime, str, str]:
    """(generated_at, time zone, instance label) of a plan directory, cheaply."""
    plan = json.loads((plan_dir / "plan.json").read_text(encoding="utf-8"))
    stamp = (dt.datetime.fromisoformat(plan["generated_at"]) if plan.get("generated_at")
             else DEFAULT_STAMP)
    tz, label = "Asia/Shanghai", str(plan.get("instance", ""))
    inst = plan_dir / "instance.json"
    if inst.is_file():
        data = json.loads(inst.read_text(encoding="utf-8"))
        tz = data.get("timezone", tz)
        label = data.get("name") or data.get("id") or label
    return _stamp(stamp), tz, label


def _finish(body: bytes, events: int, last_modified: dt.datetime) -> Feed:
    digest = hashlib.sha256(body).hexdigest()[:32]
    return Feed(body=body, etag=f'"{digest}"', last_modified=last_modified, events=events)


_STAMP = re.compile(rb"^DTSTAMP(?:;[^:]*)?:(\d{8}T\d{6})Z?$", re.MULTILINE)
HINTS = b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\nX-PUBLISHED-TTL:PT6H\r\n"


def calendar_pieces(data: bytes) -> list[bytes]:
    """The calendar's content split into top-level pieces: each property line (with its
    folded continuations) and each whole component (``BEGIN:X`` .. ``END:X``), bytes
    unchanged. The outer ``BEGIN/END:VCALENDAR`` lines are dropped."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    unfolded: list[list[bytes]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t") and unfolded:
            unfolded[-1].append(line)
        else:
            unfolded.append([line])
    if not unfolded or unfolded[0][0] != b"BEGIN:VCALENDAR" or \
            unfolded[-1][0] != b"END:VCALENDAR":
        raise ValueError("not a VCALENDAR")
    pieces: list[bytes] = []
    depth, current = 0, []
    for group in unfolded[1:-1]:
        head = group[0]
        text = b"".join(line + b"\r\n" for line in group)
        if depth == 0 and not head.startswith(b"BEGIN:"):
            pieces.append(text)
            continue
        current.append(text)
        if head.startswith(b"BEGIN:"):
            depth += 1
        elif head.startswith(b"END:"):
            depth -= 1
            if depth == 0:
                pieces.append(b"".join(current))
                current = []
    return pieces


def render_feed(plan_dir: Path, kind: str, subject: str, name: str | None = None) -> Feed:
    """The feed of ``kind``/``subject`` (e.g. ``person``/``p-001``) from ``plan_dir``.

    The plan directory's file, byte for byte, less its ``STATUS:CANCELLED`` events and
    the ``COMMENT`` of a ``VTIMEZONE`` (older plan directories), plus the refresh hints
    after the calendar's name.

    Parameters
    ----------
    plan_dir
        A plan directory (``xinglian plan`` / ``replan`` output).
    kind, subject
        ``person``, ``venue`` or ``federation`` and its id.
    name
        The calendar name of an empty feed (default: the subject's id).
    """
    plan_dir = Path(plan_dir)
    path = plan_dir / "calendars" / f"{kind}-{subject}.ics"
    if not path.is_file():
        stamp, tz, _ = _plan_meta(plan_dir)
        cal = to_calendar([], name or f"{subject} 的星链日程", stamp=stamp, tz=tz)
        cal.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("X-PUBLISHED-TTL", vDuration(REFRESH))
        return _finish(cal.to_ical(), 0, stamp)
    out = [b"BEGIN:VCALENDAR\r\n"]
    stamps: list[dt.datetime] = []
    kept = 0
    hinted = False
    for piece in calendar_pieces(path.read_bytes()):
        if piece.startswith(b"BEGIN:VEVENT\r\n"):
            m = _STAMP.search(piece.replace(b"\r\n", b"\n"))
            if m:
                stamps.append(dt.datetime.strptime(m[1].decode(), "%Y%m%dT%H%M%S")
                              .replace(tzinfo=dt.UTC))
            if b"\r\nSTATUS:CANCELLED\r\n" in piece:
                continue
            kept += 1
        elif piece.startswith(b"BEGIN:VTIMEZONE\r\n"):
            piece = re.sub(rb"(?m)^COMMENT:.*\r\n(?:[ \t].*\r\n)*", b"", piece, count=1)
        elif piece.startswith((b"REFRESH-INTERVAL", b"X-PUBLISHED-TTL", b"METHOD:")):
            continue
        if not hinted and piece.startswith(b"BEGIN:"):
            out.append(HINTS)
            hinted = True
        out.append(piece)
    if not hinted:
        out.append(HINTS)
    out.append(b"END:VCALENDAR\r\n")
    last = max(stamps) if stamps else _plan_meta(plan_dir)[0]
    return _finish(b"".join(out), kept, last)


class FeedCache:
    """Rendered feeds, reused while the calendar file and plan.json are unchanged
    (keyed by path, size and mtime), bounded to ``size`` entries."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Feed] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(plan_dir: Path, kind: str, subject: str) -> tuple:
        parts: list[object] = [str(plan_dir.resolve()), kind, subject]
        for p in (plan_dir / "calendars" / f"{kind}-{subject}.ics", plan_dir / "plan.json"):
            try:
                st = p.stat()
                parts += [st.st_size, st.st_mtime_ns, st.st_ino]
            except FileNotFoundError:
                parts.append(None)
        return tuple(parts)

    def get(self, plan_dir: Path, kind: str, subject: str, name: str | None = None) -> Feed:
        key = self._key(Path(plan_dir), kind, subject)
        with self._lock:
            feed = self._items.get(key)
            if feed is not None:
                self._items.move_to_end(key)
                return feed
        feed = render_feed(Path(plan_dir), kind, subject, name)
        with self._lock:
            self._items[key] = feed
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return feed
