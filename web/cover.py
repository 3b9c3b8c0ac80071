""""谁能替班 / who can cover" in the workspace (issue 18): the ranked list for one duty of
the published plan, and choosing one puts its change on the changes list, whose preview
and publish are the workspace's own (a re-plan with that pin gives the listed plan).

Only stand-ins whose change is one of the changes file's kinds can be chosen here: a
rotation term or a meeting's host (``pin_chair``), a hosting turn (``pin_hosting``), a
care visit's best other time (``unavailable`` that day). A volunteer's place has no such
kind (its holder is barred by the cover itself): the page says to use ``xinglian cover
--apply``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from ..export.ics import hosting_uid, volunteer_uid
from ..models.plan import Plan

UID_DOMAIN = "@xinglian"


def uid_duties(plan: Plan) -> dict[str, str]:
    """Calendar event UID -> duty id (solver/duty.py), for the duties a cover can take."""
    out: dict[str, str] = {}
    for t in plan.rotation:
        out[f"rotation-{t.base}-{plan.year}-p{t.period}{UID_DOMAIN}"] = \
            f"rotation-{t.base}-p{t.period}"
    for m in plan.meetings:
        out[f"meeting-{m.base}-{plan.year}-q{m.quarter}{UID_DOMAIN}"] = m.id
    for h in plan.hosting:
        out[hosting_uid(h.venue, h.start)] = h.id
    for v in plan.volunteering:
        out[volunteer_uid(v.activity, v.person)] = f"{v.activity}/{v.role}/{v.person}"
    for v in plan.care.visits:
        out[f"{v.id}{UID_DOMAIN}"] = v.id
    return out


def register(app, *, ws, page, csrf, who, published_or_none, effective_day) -> None:
    """Add ``GET /cover?duty=ID`` and ``POST /cover/choose`` to the workspace app."""

    def _report(loaded, duty: str, today: dt.date):
        from ..solver.cover import cover

        return cover(loaded.plan, loaded.instance, duty, today, top=5)

    @app.get("/cover", response_class=HTMLResponse)
    async def cover_page(request: Request, duty: str = ""):
        from ..solver.cover import UnknownDuty

        d, loaded = published_or_none()
        if loaded is None:
            raise HTTPException(404, "还没有已发布的方案 / no published plan yet")
        today = effective_day(loaded.plan.year)
        try:
            report = await run_in_threadpool(_report, loaded, duty, today)
        except UnknownDuty as e:
            return page(request, "cover.html", 404, report=None, error=str(e), duty=duty,
                        today=today, choosable=[])
        except ValueError as e:
            return page(request, "cover.html", 409, report=None, error=str(e), duty=duty,
                        today=today, choosable=[])
        choosable = [_entries(c, report.duty, k, loaded.instance) is not None
                     for k, c in enumerate(report.candidates, start=1)]
        return page(request, "cover.html", report=report, error=None, duty=duty,
                    today=today, choosable=choosable,
                    objective=loaded.plan.solve.objective or 0)

    @app.post("/cover/choose", dependencies=[Depends(csrf)])
    def cover_choose(request: Request, duty: str = Form(...), k: int = Form(...)):
        from ..solver.cover import UnknownDuty

        d, loaded = published_or_none()
        if loaded is None:
            raise HTTPException(409, "还没有已发布的方案 / no published plan yet")
        today = effective_day(loaded.plan.year)
        try:
            report = _report(loaded, duty, today)
        except (UnknownDuty, ValueError) as e:
            raise HTTPException(404, str(e)) from None
        if not 1 <= k <= len(report.candidates):
            raise HTTPException(404, "没有这个人选 / no such candidate")
        entries = _entries(report.candidates[k - 1], report.duty, k, loaded.instance)
        if entries is None:
            raise HTTPException(409, "这个人选需用命令行 xinglian cover --apply 发布 / "
                                     "publish this one with xinglian cover --apply")
        draft_id, changes = ws.draft_changes(who(request))
        ws.set_draft_changes(draft_id, changes + entries)
        return RedirectResponse("/changes", status_code=303)


def _entries(candidate, duty, k: int, published) -> list[dict[str, Any]] | None:
    """The changes-file entries (pins, an absence) that make a re-plan of the published
    instance give ``candidate``; None when no entry of the changes file can."""
    if duty.kind == "volunteering" or (duty.kind == "visit" and k != 1):
        return None
    if duty.kind in ("rotation", "meeting"):
        # The stand-in's pin and the kept chairs of terms whose meeting took place.
        before = set(published.pins.rotation)
        return [{"kind": "pin_chair", "base": p.base, "period": p.period, "chair": p.chair,
                 "reason": p.reason} for p in candidate.instance.pins.rotation
                if p not in before]
    if duty.kind == "hosting":
        return [{"kind": "pin_hosting", "venue": duty.venue, "date": duty.day.isoformat(),
                 "federation": candidate.who, "start": duty.start_hhmm, "reason": "替班"}]
    return [{"kind": "unavailable", "person": duty.holder, "start": duty.day.isoformat(),
             "end": duty.day.isoformat(), "reason": "另约时间"}]
