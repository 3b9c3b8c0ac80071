"""The web side of the feeds: ``GET /feeds/<token>.ics`` and the clerk's admin pages.

Mounted by the workspace app (``app.include_router(router(ws.db_path, ws.published_dir,
admin=require_clerk))``); routes stay thin, the work is in :mod:`.store`,
:mod:`.render` and :mod:`.pages`.
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from .pages import render_admin, render_cards
from .render import FeedCache
from .store import KINDS, TokenStore
from .subjects import Subject, subjects

CALENDAR_TYPE = "text/calendar; charset=utf-8"
PRIVATE_PAGE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                "X-Robots-Tag": "noindex, nofollow"}


def _not_found() -> HTTPException:
    # The very exception Starlette's router raises for a path that matches no route, so
    # an unknown or revoked token is answered exactly like a path that never existed
    # (through the app's own 404 handler, if it has one).
    return HTTPException(status_code=404)


def _not_modified(request: Request, etag: str, last_modified) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when present; else If-Modified-Since."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since is None or since.tzinfo is None:
            return False
        return last_modified <= since
    return False


def router(
    db_path: Path,
    published_dir: Callable[[], Path | None],
    admin: Callable | None = None,
    *,
    base_url: str | None = None,
    csrf_of: Callable[[Request], str] | None = None,
) -> APIRouter:
    """The feed routes.

    Parameters
    ----------
    db_path
        The SQLite database (the workspace's ``workspace.db``); the ``feed_`` tables are
        created in it when missing.
    published_dir
        Returns the plan directory currently published (None: nothing yet); called on
        every request, so publishing a re-plan changes every feed at once.
    admin
        A FastAPI dependency guarding the admin pages (a clerk's session, and the CSRF
        check of the POSTs). Without it the admin pages are open: only for tests and
        single-user machines.
    base_url
        The public ``https://host[/prefix]`` printed in URLs and QR codes; by default
        the request's own base URL (behind a proxy, run uvicorn with
        ``--proxy-headers``).
    csrf_of
        The CSRF token of a request's session, put into the admin page's forms (the
        ``admin`` dependency checks it on POST).
    """
    store = TokenStore(db_path)
    cache = FeedCache()
    api = APIRouter()
    guard = [Depends(admin)] if admin is not None else []

    def base(request: Request) -> str:
        return (base_url or str(request.base_url)).rstrip("/")

    def allowed_origins(request: Request) -> set[str]:
        """scheme://host[:port] of the request and of ``base_url`` (an Origin header
        never carries a path, whatever the app's root path)."""
        out = {f"{request.url.scheme}://{request.url.netloc}"}
        if base_url:
            parts = urlsplit(base_url)
            out.add(f"{parts.scheme}://{parts.netloc}")
        return out

    @api.api_route("/feeds/{token}.ics", methods=["GET", "HEAD"], name="feed",
                   include_in_schema=False)
    async def feed(token: str, request: Request) -> Response:
        # Async on purpose: every step is a few microseconds (an indexed SQLite read on
        # this thread's open connection, stats, a cached feed), cheaper than a hop to the
        # thread pool; only a feed not yet cached is rendered here (~1-3 ms).
        found = store.lookup(token)
        plan_dir = published_dir() if found is not None else None
        if found is None or plan_dir is None or not Path(plan_dir).is_dir():
            raise _not_found()
        name = next((s.name for s in subjects(Path(plan_dir)) if s.key == (found.kind,
                                                                            found.subject)),
                    None)
        body = cache.get(Path(plan_dir), found.kind, found.subject, name)
        # Noted in memory; when a write is due it happens after the answer is sent.
        noted = BackgroundTask(store.flush) if store.note_fetch(found) else None
        headers = {
            "ETag": body.etag,
            "Last-Modified": email.utils.format_datetime(body.last_modified, usegmt=True),
            "Cache-Control": "private, no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex, nofollow",
        }
        if _not_modified(request, body.etag, body.last_modified):
            return Response(status_code=304, headers=headers, background=noted)
        return Response(content=body.body, media_type=CALENDAR_TYPE, headers=headers,
                        background=noted)

    def entries(plan_dir: Path | None) -> list[Subject]:
        return subjects(plan_dir) if plan_dir is not None else []

    @api.get("/feeds/admin", response_class=HTMLResponse, name="feeds_admin",
             dependencies=guard, include_in_schema=False)
    def admin_page(request: Request) -> HTMLResponse:
        plan_dir = published_dir()
        subs = entries(plan_dir)
        tokens = store.ensure_many(s.key for s in subs)
        html = render_admin(
            [(s, tokens.get(s.key)) for s in subs], base(request),
            action_url=lambda s, a: str(request.url_for("feeds_action", kind=s.kind,
                                                        subject=s.id, action=a)),
            cards_url=str(request.url_for("feeds_cards")),
            plan=str(plan_dir.name) if plan_dir else "",
            csrf=csrf_of(request) if csrf_of is not None else "")
        return HTMLResponse(html, headers=PRIVATE_PAGE)

    @api.get("/feeds/admin/cards", response_class=HTMLResponse, name="feeds_cards",
             dependencies=guard, include_in_schema=False)
    def cards_page(request: Request, ids: str | None = None, kind: str = "person") -> HTMLResponse:
        """One card per person (``?ids=p-001,p-002`` for some; ``?kind=venue`` for
        venues), people with a calendar in the published plan only."""
        if kind not in KINDS:
            raise HTTPException(status_code=422, detail=f"kind must be one of {KINDS}")
        wanted = {i.strip() for i in ids.split(",")} if ids else None
        subs = [s for s in entries(published_dir())
                if s.kind == kind and s.has_calendar and (wanted is None or s.id in wanted)]
        tokens = store.ensure_many(s.key for s in subs)
        pairs = [(s, tokens[s.key]) for s in subs if s.key in tokens]
        return HTMLResponse(render_cards(pairs, base(request)), headers=PRIVATE_PAGE)

    @api.post("/feeds/admin/{kind}/{subject}/{action}", name="feeds_action",
              dependencies=guard, include_in_schema=False)
    def action(kind: str, subject: str, action: str, request: Request) -> Response:
        origin = request.headers.get("origin")
        if origin is not None and origin.rstrip("/") not in allowed_origins(request):
            raise HTTPException(status_code=403, detail="cross-site request refused")
        if kind not in KINDS or action not in ("revoke", "regenerate"):
            raise _not_found()
        if action == "revoke":
            store.revoke(kind, subject)
        else:
            store.regenerate(kind, subject)
        return RedirectResponse(str(request.url_for("feeds_admin")), status_code=303)

    return api
