"""The clerk's pages: the list of feeds (who fetched hers, when) and the printable QR
cards. Plain functions returning HTML, shared by the web routes and ``xinglian publish``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import jinja2
import segno

from .store import FeedToken
from .subjects import KIND_ZH, Subject

LOCAL = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("xinglian.feeds", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def feed_url(base_url: str, token: str) -> str:
    """``<base>/feeds/<token>.ics`` (``base_url`` without the trailing slash)."""
    return f"{base_url.rstrip('/')}/feeds/{token}.ics"


def webcal_url(url: str) -> str:
    """The ``webcal://`` form of an http(s) URL: a phone's camera opens it in Calendar's
    "subscribe" dialog instead of downloading a file."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme):]
    return url


@lru_cache(maxsize=4096)
def qr_svg(data: str) -> str:
    """An inline SVG QR code of ``data`` (error correction M, 4-module quiet zone), sized
    by CSS."""
    return segno.make(data, error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, dark="#000", light="#fff")


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass(frozen=True)
class Card:
    subject: Subject
    https_url: str
    webcal_url: str
    svg: str


def cards(pairs: Iterable[tuple[Subject, FeedToken]], base_url: str) -> list[Card]:
    out = []
    for subject, token in pairs:
        url = feed_url(base_url, token.token)
        out.append(Card(subject, url, webcal_url(url), qr_svg(webcal_url(url))))
    return out


def render_cards(pairs: Iterable[tuple[Subject, FeedToken]], base_url: str) -> str:
    """A4 page(s) of cards, 8 to a sheet: name, role, QR of the webcal:// URL, the https
    URL in small print, and how to subscribe on an iPhone and on Android."""
    return _env().get_template("cards.html").render(cards=cards(pairs, base_url))


@dataclass(frozen=True)
class Row:
    subject: Subject
    token: FeedToken | None
    url: str | None
    kind_zh: str
    last_fetched: str
    revoke_url: str
    regenerate_url: str
    svg: str = ""


def render_admin(
    entries: Iterable[tuple[Subject, FeedToken | None]],
    base_url: str,
    *,
    action_url: Callable[[Subject, str], str] = lambda s, a: f"{s.kind}/{s.id}/{a}",
    cards_url: str = "cards",
    plan: str = "",
    static: bool = False,
    csrf: str = "",
) -> str:
    """The list of feeds: per subject whether and when its feed was last fetched, its
    URL, and revoke / regenerate buttons (POST forms to ``action_url``). ``static``: the
    clerk's private index of a static site instead (URL and QR code, no fetch times,
    no buttons). ``csrf``: the session's token, sent by every button's form."""
    rows = [Row(subject=s, token=t, url=feed_url(base_url, t.token) if t else None,
                kind_zh=KIND_ZH.get(s.kind, s.kind),
                last_fetched=local_time(t.last_fetched if t else None),
                revoke_url=action_url(s, "revoke"), regenerate_url=action_url(s, "regenerate"),
                svg=qr_svg(webcal_url(feed_url(base_url, t.token))) if static and t else "")
            for s, t in entries]
    people = [r for r in rows if r.subject.kind == "person" and r.subject.has_calendar]
    fetched = sum(1 for r in people if r.token and r.token.last_fetched)
    return _env().get_template("admin.html").render(
        rows=rows, fetched=fetched, total=len(people), cards_url=cards_url, plan=plan,
        static=static, csrf=csrf)
