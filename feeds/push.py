"""CalDAV publishing: each person's calendar as a collection on a CalDAV server.

``xinglian push PLAN_DIR --caldav URL --user U`` keeps, under the account's calendar
home, one collection ``xinglian-<person id>`` ("<name> 的星链日程") per person with a
calendar in the plan, one resource per event. A phone with that CalDAV account (or a
read-only share of the collection, where the server offers one) follows the plan.

Sending only what changed: every pushed event carries ``X-XINGLIAN-HASH``, the SHA-256
of the VEVENT and VTIMEZONE bytes of the plan directory's file. A push first reads the
collection once (one ``REPORT``), then

- ``PUT``\\ s an event whose UID is new or whose hash differs,
- ``DELETE``\\ s an event of ours (it has the hash property) whose UID left her calendar,
  including the events that the plan directory keeps as ``STATUS:CANCELLED`` (on a
  server, removing the resource is what every client follows),
- leaves everything else alone, events added by hand (no hash) included.

So the server is the state: a second push with no change writes nothing, and losing the
clerk's computer loses nothing.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from .render import calendar_pieces
from .subjects import subjects

HASH_PROP = "X-XINGLIAN-HASH"
CAL_PREFIX = "xinglian-"
PRODID = "-//xinglian//星链排班 CalDAV//ZH"
NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/>'
    "</C:comp-filter></C:filter></C:calendar-query>"
)
_UID = re.compile(r"^UID:(.*)$", re.MULTILINE)
_HASH = re.compile(rf"^{HASH_PROP}:([0-9a-f]+)$", re.MULTILINE)


class PushError(Exception):
    """The server refused a request (the message says which and why)."""


@dataclass(frozen=True)
class Resource:
    uid: str
    body: bytes
    digest: str


def _unfold(text: str) -> str:
    return re.sub(r"\r?\n[ \t]", "", text).replace("\r\n", "\n")


def resource_name(uid: str) -> str:
    """The event's file name in the collection: its UID made URL-safe."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", uid) + ".ics"


def resources(calendar_file: Path) -> dict[str, Resource]:
    """UID -> one calendar object per confirmed event of a plan directory's file."""
    pieces = calendar_pieces(Path(calendar_file).read_bytes())
    tz = b"".join(p for p in pieces if p.startswith(b"BEGIN:VTIMEZONE\r\n"))
    tz = re.sub(rb"(?m)^COMMENT:.*\r\n(?:[ \t].*\r\n)*", b"", tz)
    out: dict[str, Resource] = {}
    for piece in pieces:
        if not piece.startswith(b"BEGIN:VEVENT\r\n") or b"\r\nSTATUS:CANCELLED\r\n" in piece:
            continue
        m = _UID.search(_unfold(piece.decode("utf-8")))
        if m is None:
            continue
        uid = m[1].strip()
        digest = hashlib.sha256(tz + piece).hexdigest()
        event = piece[: -len(b"END:VEVENT\r\n")] + \
            f"{HASH_PROP}:{digest}\r\n".encode() + b"END:VEVENT\r\n"
        body = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" + PRODID.encode() + b"\r\n"
                + tz + event + b"END:VCALENDAR\r\n")
        out[uid] = Resource(uid, body, digest)
    return out


@dataclass
class PushResult:
    calendars: int = 0
    created_calendars: int = 0
    put: int = 0
    deleted: int = 0
    unchanged: int = 0
    per_calendar: dict[str, tuple[int, int]] = field(default_factory=dict)
    """calendar id -> (PUTs, DELETEs)."""


def _existing(client, cal_url: str) -> dict[str, tuple[str, str | None]]:
    """UID -> (href, our hash or None) of the events in a collection (one REPORT)."""
    resp = client.request(cal_url, "REPORT", QUERY,
                          {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
    if resp.status not in (200, 207):
        raise PushError(f"REPORT {cal_url}: HTTP {resp.status}")
    root = ET.fromstring(resp.raw.encode() if isinstance(resp.raw, str) else resp.raw)
    out: dict[str, tuple[str, str | None]] = {}
    for r in root.findall("D:response", NS):
        href = r.findtext("D:href", default="", namespaces=NS)
        data = r.findtext(".//C:calendar-data", default="", namespaces=NS)
        if not href or not data:
            continue
        text = _unfold(data)
        uid = _UID.search(text)
        digest = _HASH.search(text)
        if uid:
            out[uid[1].strip()] = (urljoin(cal_url, href), digest[1] if digest else None)
    return out


def push(plan_dir: Path, url: str, user: str, password: str, *,
         people: Iterable[str] | None = None, client=None) -> PushResult:
    """Bring the server's ``xinglian-<person>`` collections in line with ``plan_dir``.

    Parameters
    ----------
    plan_dir
        A plan directory.
    url
        The CalDAV server (its root or the account's principal URL).
    user, password
        The account that owns the collections (the office's).
    people
        Push only these people's calendars (default: everyone with a calendar; then the
        collections of people who left the plan are emptied of our events too).
    client
        A ``caldav.DAVClient`` to use instead of making one.
    """
    import caldav

    plan_dir = Path(plan_dir)
    if client is None:
        client = caldav.DAVClient(url=url, username=user, password=password,
                                  enable_rfc6764=False)
    principal = client.principal()
    home = principal.calendars()
    by_id = {str(c.url).rstrip("/").rsplit("/", 1)[-1]: c for c in home}
    result = PushResult()
    wanted: set[str] = set()
    only = set(people) if people is not None else None
    everyone = [s for s in subjects(plan_dir) if s.kind == "person" and s.has_calendar]
    if only is not None and (unknown := only - {s.id for s in everyone}):
        raise PushError(f"no calendar in {plan_dir} for {', '.join(sorted(unknown))}")
    chosen = [s for s in everyone if only is None or s.id in only]
    for person in chosen:
        cal_id = f"{CAL_PREFIX}{person.id}"
        wanted.add(cal_id)
        calendar = by_id.get(cal_id)
        if calendar is None:
            calendar = principal.make_calendar(name=f"{person.name} 的星链日程", cal_id=cal_id)
            result.created_calendars += 1
            have: dict[str, tuple[str, str | None]] = {}
        else:
            have = _existing(client, str(calendar.url))
        cal_url = str(calendar.url)
        if not cal_url.endswith("/"):
            cal_url += "/"
        want = resources(plan_dir / "calendars" / f"person-{person.id}.ics")
        puts = deletes = 0
        for uid, res in want.items():
            old = have.get(uid)
            if old is not None and old[1] == res.digest:
                result.unchanged += 1
                continue
            target = old[0] if old is not None else urljoin(cal_url, resource_name(uid))
            resp = client.put(target, res.body.decode("utf-8"),
                              {"Content-Type": "text/calendar; charset=utf-8"})
            if resp.status not in (200, 201, 204):
                raise PushError(f"PUT {target}: HTTP {resp.status} {resp.reason}")
            puts += 1
        for uid, (href, digest) in have.items():
            if uid in want or digest is None:
                continue
            _delete(client, href)
            deletes += 1
        result.calendars += 1
        result.put += puts
        result.deleted += deletes
        result.per_calendar[cal_id] = (puts, deletes)
    # People who left the plan: empty their collections of our events.
    for cal_id, calendar in by_id.items():
        if only is None and cal_id.startswith(CAL_PREFIX) and cal_id not in wanted:
            gone = [href for href, digest in _existing(client, str(calendar.url)).values()
                    if digest is not None]
            for href in gone:
                _delete(client, href)
            result.deleted += len(gone)
            result.per_calendar[cal_id] = (0, len(gone))
    return result


def _delete(client, href: str) -> None:
    resp = client.delete(href)
    if resp.status not in (200, 204, 404):
        raise PushError(f"DELETE {href}: HTTP {resp.status} {resp.reason}")
