"""The federation office's workspace in the browser (``xinglian serve``).

Thin routes: each parses the request, calls the workspace or the library and renders a
template or redirects. Solves, re-plans and restores run as jobs in their own process
(:mod:`.jobs`); pages show their progress.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
import sys
import tempfile
import time
from collections import deque
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import TypeAdapter, ValidationError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from ..feeds.routes import router as feeds_router
from . import security, views
from .jobs import Runner
from .uploads import MAX_UPLOAD_BYTES, UploadError, read_upload
from .workspace import Outdated, Workspace, WorkspaceError

HERE = Path(__file__).parent
SESSION_COOKIE = "xl_session"
LANG_COOKIE = "xl_lang"
STATUS_ZH = {"queued": "排队中", "running": "运行中", "cancelling": "正在取消", "done": "完成",
             "failed": "失败", "infeasible": "无解", "cancelled": "已取消",
             "interrupted": "已中断"}
PHASE_ZH = {"starting": "启动", "solving": "求解", "explaining": "分析无解原因",
            "writing": "写出方案"}
OPEN_PATHS = ("/login", "/setup", "/static/", "/favicon.ico")


class BodyLimit:
    """ASGI middleware: a request body over ``limit`` bytes gets 413 before it is read."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await _too_large(send, self.limit)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send, limit: int) -> None:
    body = (f"上传文件过大（最多 {limit // 1024 // 1024} MB）/ upload too large (at most "
            f"{limit // 1024 // 1024} MB)").encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(root: str | Path, *, seed_instance: str | Path | None | bool = True,
               time_limit: float = 30.0, workers: int = 2,
               admin_password: str | None = None, run_jobs: bool = True) -> FastAPI:
    """The web application over the workspace at ``root``.

    Parameters
    ----------
    root
        The workspace directory (created when missing).
    seed_instance
        On an empty workspace: ``True`` seeds the bundled default instance, a path seeds
        that instance, ``False``/``None`` leaves it empty. A plan job for it is queued
        and published when it succeeds.
    time_limit, workers
        Solver limits for the jobs this server queues.
    admin_password
        Sets the administrator's password when there is none yet (otherwise the first
        visit asks for it, with the one-time setup code printed on the console).
    run_jobs
        Start the job runner (tests of single routes may leave it off).
    """
    ws = Workspace(root)
    setup_code = None
    if not security.has_admin(ws):
        if admin_password:
            security.set_admin_password(ws, admin_password)
        else:
            setup_code = secrets.token_hex(4)
            print(f"xinglian: first start — open the workspace and set the administrator "
                  f"password with setup code {setup_code} / 首次启动：设置管理员密码的验证码 "
                  f"{setup_code}", file=sys.stderr, flush=True)
    runner = Runner(ws)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        lock = ws.lock_for_server() if run_jobs else None
        ws.recover()
        _seed(ws, seed_instance, time_limit, workers)
        if run_jobs:
            runner.start()
        try:
            yield
        finally:
            if run_jobs:
                runner.stop()
            if lock is not None:
                lock.close()

    app = FastAPI(title="xinglian workspace", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.state.ws = ws
    app.state.runner = runner
    app.state.setup_code = setup_code
    app.state.time_limit = time_limit
    app.state.workers = workers
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["when"] = lambda s: s[:16].replace("T", " ") if s else ""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def auth(request: Request, call_next):
        lang = request.query_params.get("lang")
        request.state.lang = lang if lang in ("zh", "en") else (
            "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh")
        request.state.session = security.session(ws, request.cookies.get(SESSION_COOKIE))
        path = request.url.path
        public = path.startswith(OPEN_PATHS) or (path.startswith("/feeds/")
                                                  and not path.startswith("/feeds/admin"))
        if request.state.session is None and not public:
            if request.method == "GET" and not path.startswith("/api/"):
                return RedirectResponse(f"/login?next={path}", status_code=303)
            return PlainTextResponse("请先登录 / log in first", status_code=401)
        response = await call_next(request)
        if lang in ("zh", "en"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax",
                                httponly=True)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.add_middleware(BodyLimit, limit=MAX_UPLOAD_BYTES)

    async def csrf(request: Request) -> None:
        """Every POST carries the session's CSRF token (form field or X-CSRF-Token)."""
        s = request.state.session
        given = request.headers.get("x-csrf-token")
        if given is None:
            form = await request.form()
            given = form.get("csrf")
        if s is None or not security.csrf_ok(s["csrf"], given):
            raise HTTPException(403, "CSRF 令牌缺失或无效，请刷新页面后重试 / missing or wrong "
                                     "CSRF token: reload the page and try again")

    async def clerk(request: Request) -> None:
        """The feeds' admin pages: a clerk's session, and the CSRF token on every POST."""
        if request.state.session is None:
            raise HTTPException(401, "请先登录 / log in first")
        if request.method == "POST":
            await csrf(request)

    # Secret calendar feeds (/feeds/<token>.ics, open to phones) and their admin pages.
    app.include_router(feeds_router(
        ws.db_path, ws.published_dir, admin=clerk,
        csrf_of=lambda r: r.state.session["csrf"] if r.state.session else ""))

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        lang = request.state.lang
        s = request.state.session
        active = ws.active_jobs()
        ctx.update(request=request, lang=lang, session=s, csrf=s["csrf"] if s else "",
                   _=lambda zh, en: en if lang == "en" else zh,
                   status_label=lambda st: st if lang == "en" else STATUS_ZH.get(st, st),
                   phase_label=lambda ph: "—" if not ph else (
                       ph if lang == "en" else PHASE_ZH.get(ph, ph)),
                   active_job=(
                       active[0] if active else None), published=ws.published_version())
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def who(request: Request) -> str:
        return request.state.session["user"] if request.state.session else "?"

    def published_or_none():
        d = ws.published_dir()
        return (d, views.load(d)) if d is not None else (None, None)

    # -- login ------------------------------------------------------------------------

    failures: deque[float] = deque()  # failed logins in the last minute (at most 10)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/plan"):
        if not security.has_admin(ws):
            return RedirectResponse("/setup", status_code=303)
        return page(request, "login.html", next=_local(next), error=None)

    @app.post("/login")
    def login_post(request: Request, password: str = Form(""), next: str = Form("/plan")):
        now = time.monotonic()
        while failures and failures[0] < now - 60:
            failures.popleft()
        if len(failures) >= 10:
            return page(request, "login.html", 429, next=_local(next),
                        error="尝试次数过多，请一分钟后再试 / too many attempts: wait a minute")
        token = security.login(ws, password)
        if token is None:
            failures.append(now)
            return page(request, "login.html", 401, next=_local(next),
                        error="密码不对 / wrong password")
        resp = RedirectResponse(_local(next), status_code=303)
        resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https",
                        max_age=security.SESSION_DAYS * 86400)
        return resp

    @app.get("/setup", response_class=HTMLResponse)
    def setup_form(request: Request):
        if security.has_admin(ws):
            return RedirectResponse("/login", status_code=303)
        return page(request, "setup.html", error=None)

    @app.post("/setup")
    def setup_post(request: Request, code: str = Form(""), password: str = Form(""),
                   confirm: str = Form("")):
        if security.has_admin(ws):
            return RedirectResponse("/login", status_code=303)
        if not app.state.setup_code or not security.csrf_ok(app.state.setup_code, code.strip()):
            return page(request, "setup.html", 403,
                        error="验证码不对（见启动服务器的终端）/ wrong setup code (see the "
                              "console where the server was started)")
        problem = security.password_problem(password, confirm)
        if problem:
            return page(request, "setup.html", 400, error=problem)
        security.set_admin_password(ws, password)
        app.state.setup_code = None
        return RedirectResponse("/login", status_code=303)

    @app.post("/logout", dependencies=[Depends(csrf)])
    def logout(request: Request):
        security.logout(ws, request.cookies.get(SESSION_COOKIE))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE)
        return resp

    @app.get("/")
    def home():
        return RedirectResponse("/plan", status_code=303)

    # -- data ---------------------------------------------------------------------------

    @app.get("/data", response_class=HTMLResponse)
    def data_page(request: Request):
        return page(request, "data.html", problems=None, upload_error=None, uploaded=None,
                    revisions=ws.data_revisions()[:10], current=_current_summary(ws))

    @app.post("/data/upload", dependencies=[Depends(csrf)], response_class=HTMLResponse)
    def data_upload(request: Request, file: Annotated[UploadFile, File()],
                    plan_now: Annotated[str, Form()] = ""):
        scratch = ws.root / "jobs"
        tmp = Path(tempfile.mkdtemp(prefix=".upload-", dir=scratch))
        try:
            saved = tmp / "body"
            with open(saved, "wb") as out:
                shutil.copyfileobj(file.file, out)
            try:
                inst, problems = read_upload(file.filename or "upload", saved, scratch)
            except UploadError as e:
                return page(request, "data.html", 400, problems=None, upload_error=str(e),
                            uploaded=file.filename, revisions=ws.data_revisions()[:10],
                            current=_current_summary(ws))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if problems:
            return page(request, "data.html", 422, problems=problems, upload_error=None,
                        uploaded=file.filename, revisions=ws.data_revisions()[:10],
                        current=_current_summary(ws))
        rev = ws.add_data(inst, who(request), file.filename or "upload")
        if plan_now:
            ws.enqueue("plan", _plan_params(app, rev), who(request))
            return RedirectResponse("/jobs", status_code=303)
        return RedirectResponse(f"/data?uploaded={rev}", status_code=303)

    @app.get("/data/template.xlsx")
    def data_template():
        from ..tabular import write_template

        return _file_download(lambda p: write_template(p), "xinglian-template.xlsx")

    @app.get("/data/current.xlsx")
    def data_current():
        from ..tabular import load_any, write_instance_workbook

        path = ws.current_instance_path()
        if path is None:
            raise HTTPException(404, "还没有数据 / no data yet")
        inst = load_any(path)
        return _file_download(lambda p: write_instance_workbook(inst, p),
                              f"{inst.id}-data.xlsx")

    # -- jobs (生成) -----------------------------------------------------------------------

    @app.get("/jobs", response_class=HTMLResponse)
    def jobs_page(request: Request):
        return page(request, "jobs.html", jobs=ws.jobs(15), current=_current_summary(ws),
                    default_limit=app.state.time_limit)

    @app.post("/jobs/plan", dependencies=[Depends(csrf)])
    def jobs_plan(request: Request, time_limit: float = Form(0)):
        rev = ws.current_data_revision()
        if rev is None:
            raise HTTPException(409, "请先上传数据 / upload data first")
        limit = time_limit if 1 <= time_limit <= 3600 else app.state.time_limit
        ws.enqueue("plan", _plan_params(app, rev, limit), who(request))
        return RedirectResponse("/jobs", status_code=303)

    @app.post("/jobs/{job_id}/cancel", dependencies=[Depends(csrf)])
    def jobs_cancel(request: Request, job_id: int):
        _job_or_404(ws, job_id)
        ws.cancel(job_id)
        return RedirectResponse(request.headers.get("referer") and "/jobs" or "/jobs",
                                status_code=303)

    @app.post("/jobs/{job_id}/publish", dependencies=[Depends(csrf)])
    def jobs_publish(request: Request, job_id: int):
        _job_or_404(ws, job_id)
        try:
            n = ws.publish(job_id, who(request))
        except Outdated as e:
            return page(request, "message.html", 409, title="无法发布 / cannot publish",
                        message=str(e), back=f"/changes/preview/{job_id}")
        except WorkspaceError as e:
            return page(request, "message.html", 409, title="无法发布 / cannot publish",
                        message=str(e), back="/jobs")
        draft = ws.job(job_id).result.get("draft")
        if draft:
            ws.close_draft(int(draft), "published", job_id)
        return RedirectResponse(f"/versions?published={n}", status_code=303)

    @app.post("/jobs/{job_id}/discard", dependencies=[Depends(csrf)])
    def jobs_discard(request: Request, job_id: int):
        job = _job_or_404(ws, job_id)
        try:
            ws.discard(job_id)
        except WorkspaceError as e:
            return page(request, "message.html", 409, title="无法放弃 / cannot discard",
                        message=str(e), back="/jobs")
        if job.kind == "replan":  # the changes go back to the list, to edit or preview again
            draft_id, changes = ws.draft_changes(who(request))
            if not changes:
                ws.set_draft_changes(draft_id, list(job.params.get("changes", [])))
        return RedirectResponse("/changes", status_code=303)

    @app.get("/api/jobs/{job_id}")
    def api_job(job_id: int):
        j = _job_or_404(ws, job_id)
        return JSONResponse({"id": j.id, "kind": j.kind, "status": j.status,
                             "progress": j.progress, "error": j.error,
                             "candidate": j.candidate,
                             "published_version": j.published_version})

    @app.get("/api/jobs")
    def api_jobs():
        return JSONResponse([{"id": j.id, "kind": j.kind, "status": j.status,
                              "progress": j.progress} for j in ws.active_jobs()])

    # -- the plan ---------------------------------------------------------------------------

    @app.get("/plan", response_class=HTMLResponse)
    def plan_page(request: Request, v: int | None = None):
        d, loaded, n = _version_or_published(ws, v)
        if loaded is None:
            return page(request, "plan.html", loaded=None, n=None, people=[], rotation=None)
        return page(request, "plan.html", loaded=loaded, n=n, people=views.people_index(loaded),
                    rotation=views.rotation_rows(loaded))

    @app.get("/plan/person/{pid}.ics")
    def person_ics(pid: str, v: int | None = None):
        d, loaded, n = _version_or_published(ws, v)
        f = d / "calendars" / f"person-{pid}.ics" if d else None
        if f is None or not f.is_file():
            raise HTTPException(404, "没有这个日历 / no such calendar")
        return FileResponse(f, media_type="text/calendar", filename=f"person-{pid}.ics")

    @app.get("/plan/person/{pid}", response_class=HTMLResponse)
    def person_page(request: Request, pid: str, v: int | None = None):
        d, loaded, n = _version_or_published(ws, v)
        if loaded is None:
            raise HTTPException(404, "还没有方案 / no plan yet")
        try:
            person = loaded.instance.person(pid)
        except KeyError:
            raise HTTPException(404, f"没有编号为 {pid} 的人员 / no person {pid}") from None
        duties = views.person_duties(loaded, pid)
        return page(request, "person.html", person=person, duties=duties, n=n,
                    loaded=loaded, has_ics=(d / "calendars" / f"person-{pid}.ics").is_file())

    # -- who can cover (谁能替班, web/cover.py) ----------------------------------------------

    from .cover import register as register_cover

    register_cover(app, ws=ws, page=page, csrf=csrf, who=who,
                   published_or_none=published_or_none, effective_day=views.effective_day)

    # -- no plan (无解) -----------------------------------------------------------------

    @app.get("/noplan", response_class=HTMLResponse)
    def noplan_page(request: Request):
        job = next((j for j in ws.jobs(50) if j.status == "infeasible"), None)
        later_ok = job is not None and any(
            j.id > job.id and j.kind == job.kind and j.status == "done" for j in ws.jobs(50))
        return page(request, "noplan.html", job=job, later_ok=later_ok,
                    ex=job.result.get("explanation") if job else None)

    @app.post("/noplan/{job_id}/repair/{k}", dependencies=[Depends(csrf)])
    def noplan_repair(request: Request, job_id: int, k: int):
        from ..tabular import load_any

        job = _job_or_404(ws, job_id)
        f = ws.job_dir(job_id) / f"repair-{k}.yaml"
        if job.status != "infeasible" or job.kind != "plan" or not f.is_file():
            raise HTTPException(404, "没有这个修改建议 / no such repair")
        text = _repair_text(job, k)
        rev = ws.add_data(load_any(f), who(request), f"repair {k} of job {job_id}", note=text)
        ws.enqueue("plan", _plan_params(app, rev), who(request))
        return RedirectResponse("/jobs", status_code=303)

    # -- changes (调整) -------------------------------------------------------------------

    @app.get("/changes", response_class=HTMLResponse)
    def changes_page(request: Request, error: str | None = None):
        d, loaded = published_or_none()
        draft_id, changes = ws.draft_changes(who(request))
        candidates = [j for j in ws.jobs(30) if j.candidate or (
            j.kind == "replan" and j.active)]
        lines = [_describe(c, loaded) for c in changes] if loaded else []
        return page(request, "changes.html", loaded=loaded, changes=list(zip(
            range(len(changes)), lines, strict=True)), draft_id=draft_id, error=error,
            today=views.effective_day(loaded.plan.year) if loaded else None,
            candidates=candidates, form_errors=None)

    @app.post("/changes/add", dependencies=[Depends(csrf)], response_class=HTMLResponse)
    async def changes_add(request: Request):
        form = dict(await request.form())
        return await run_in_threadpool(_changes_add, request, form)

    def _changes_add(request: Request, form: dict[str, Any]):
        d, loaded = published_or_none()
        if loaded is None:
            raise HTTPException(409, "还没有已发布的方案 / no published plan yet")
        change, problems = _change_from_form(form, loaded)
        if problems:
            draft_id, changes = ws.draft_changes(who(request))
            return page(request, "changes.html", 422, loaded=loaded, changes=list(zip(
                range(len(changes)), [_describe(c, loaded) for c in changes], strict=True)),
                draft_id=draft_id, error=None, today=views.effective_day(loaded.plan.year),
                candidates=[], form_errors=problems)
        draft_id, changes = ws.draft_changes(who(request))
        ws.set_draft_changes(draft_id, changes + [change])
        return RedirectResponse("/changes", status_code=303)

    @app.post("/changes/remove/{index}", dependencies=[Depends(csrf)])
    def changes_remove(request: Request, index: int):
        draft_id, changes = ws.draft_changes(who(request))
        if 0 <= index < len(changes):
            ws.set_draft_changes(draft_id, changes[:index] + changes[index + 1:])
        return RedirectResponse("/changes", status_code=303)

    @app.post("/changes/preview", dependencies=[Depends(csrf)])
    def changes_preview(request: Request, today: str = Form("")):
        d, loaded = published_or_none()
        if loaded is None:
            raise HTTPException(409, "还没有已发布的方案 / no published plan yet")
        draft_id, changes = ws.draft_changes(who(request))
        if not changes:
            return RedirectResponse("/changes?error=empty", status_code=303)
        try:
            day = dt.date.fromisoformat(today) if today else views.effective_day(
                loaded.plan.year)
        except ValueError:
            return RedirectResponse("/changes?error=date", status_code=303)
        job_id = ws.enqueue("replan", {"changes": changes, "today": day.isoformat(),
                                       "draft": draft_id, "time_limit": app.state.time_limit,
                                       "workers": app.state.workers}, who(request))
        ws.close_draft(draft_id, "previewing", job_id)
        return RedirectResponse(f"/changes/preview/{job_id}", status_code=303)

    @app.get("/changes/preview/{job_id}", response_class=HTMLResponse)
    def changes_preview_page(request: Request, job_id: int):
        job = _job_or_404(ws, job_id)
        body = notices = None
        if job.status == "done" and job.result.get("plan_dir"):
            d = (ws.version_dir(job.published_version) if job.published_version
                 else ws.root / job.result["plan_dir"])
            if (d / "changes.md").is_file():
                body = views.markdown((d / "changes.md").read_text(encoding="utf-8"))
                notices = views.notices(d)
        return page(request, "preview.html", job=job, body=body, notices=notices,
                    outdated=job.candidate and job.base_version != ws.published_version())

    @app.get("/changes/preview/{job_id}/updates/{pid}.ics")
    def preview_update(job_id: int, pid: str):
        job = _job_or_404(ws, job_id)
        d = (ws.version_dir(job.published_version) if job.published_version
             else ws.root / job.result.get("plan_dir", "-"))
        f = d / "updates" / f"person-{pid}.ics"
        if "/" in pid or not f.is_file():
            raise HTTPException(404, "没有这个通知 / no such update")
        return FileResponse(f, media_type="text/calendar", filename=f"update-{pid}.ics")

    @app.post("/changes/reopen/{job_id}", dependencies=[Depends(csrf)])
    def changes_reopen(request: Request, job_id: int):
        """Back to editing the changes of a preview that failed or was discarded."""
        job = _job_or_404(ws, job_id)
        draft_id, changes = ws.draft_changes(who(request))
        if not changes:
            ws.set_draft_changes(draft_id, list(job.params.get("changes", [])))
        return RedirectResponse("/changes", status_code=303)

    # -- versions (版本) ---------------------------------------------------------------

    @app.get("/versions", response_class=HTMLResponse)
    def versions_page(request: Request, a: int | None = None, b: int | None = None):
        vs = ws.versions()
        diff = None
        if a is not None and b is not None:
            va, vb = ws.version(a), ws.version(b)
            if va is None or vb is None:
                raise HTTPException(404, "没有这个版本 / no such version")
            text, count = views.diff_markdown(va.dir, vb.dir, f"第{a}版 → 第{b}版 / v{a} → v{b}")
            diff = {"a": a, "b": b, "html": views.markdown(text), "count": count}
        return page(request, "versions.html", versions=vs, diff=diff)

    @app.post("/versions/{n}/restore", dependencies=[Depends(csrf)])
    def versions_restore(request: Request, n: int):
        if ws.version(n) is None:
            raise HTTPException(404, "没有这个版本 / no such version")
        ws.enqueue("restore", {"version": n}, who(request))
        return RedirectResponse("/jobs", status_code=303)

    @app.get("/versions/{n}/{what}")
    def versions_download(n: int, what: str):
        v = ws.version(n)
        if v is None:
            raise HTTPException(404, "没有这个版本 / no such version")
        if what == "summary.html":
            return FileResponse(v.dir / "summary.html", media_type="text/html; charset=utf-8")
        if what == "summary.md":
            return FileResponse(v.dir / "summary.md", media_type="text/markdown; charset=utf-8",
                                filename=f"v{n}-summary.md")
        if what == "calendars.zip":
            return Response(views.calendars_zip(v.dir), media_type="application/zip",
                            headers={"Content-Disposition":
                                     f'attachment; filename="v{n}-calendars.zip"'})
        if what == "plan.xlsx":
            from ..export.summary import plan_warnings
            from ..export.workbook import write_plan_workbook

            loaded = views.load(v.dir)
            return _file_download(lambda p: write_plan_workbook(
                loaded.instance, loaded.plan, p, plan_warnings(
                    loaded.instance, loaded.plan, loaded.plan.solve.calendar_source)),
                f"v{n}-plan.xlsx")
        raise HTTPException(404, "没有这个下载 / no such download")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/") or request.method != "GET" and exc.status_code \
                == 403:
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
        if getattr(request.state, "session", None) is None:
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
        return page(request, "message.html", exc.status_code, title=str(exc.status_code),
                    message=str(exc.detail), back="/plan")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        message = (f"请求缺少或填错了这些项：{fields}。请返回重新填写。 / Missing or invalid: "
                   f"{fields}. Go back and fill them in.")
        if getattr(request.state, "session", None) is None or request.url.path.startswith(
                "/api/"):
            return PlainTextResponse(message, status_code=422)
        return page(request, "message.html", 422, title="422", message=message,
                    back=request.headers.get("referer") or "/plan")

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):
        import traceback

        traceback.print_exception(exc)  # for the console, never for the page
        return PlainTextResponse(
            f"内部错误，请把这条信息告诉维护人员 / internal error, please report it: "
            f"{type(exc).__name__}", status_code=500)

    return app


# -- helpers ---------------------------------------------------------------------------------


def _local(path: str) -> str:
    """Only redirect within the site."""
    ok = path.startswith("/") and not path.startswith("//") and "\\" not in path
    return path if ok else "/plan"


def _seed(ws: Workspace, seed: str | Path | None | bool, time_limit: float,
          workers: int) -> None:
    from ..instances import default_instance
    from ..tabular import load_any

    if seed is None or seed is False:
        return
    if ws.current_data_revision() is not None or ws.published_version() is not None:
        return
    path = default_instance() if seed is True else Path(seed)
    rev = ws.add_data(load_any(path), "xinglian", path.name, note="seed")
    ws.enqueue("plan", {"data_revision": rev, "time_limit": time_limit, "workers": workers,
                        "publish": True}, "xinglian")


def _plan_params(app: FastAPI, rev: int, limit: float | None = None) -> dict[str, Any]:
    return {"data_revision": rev, "time_limit": limit or app.state.time_limit,
            "workers": app.state.workers}


def _job_or_404(ws: Workspace, job_id: int):
    job = ws.job(job_id)
    if job is None:
        raise HTTPException(404, f"没有任务 {job_id} / no job {job_id}")
    return job


def _version_or_published(ws: Workspace, v: int | None):
    if v is None:
        n = ws.published_version()
    else:
        n = v if ws.version(v) is not None else None
        if n is None:
            raise HTTPException(404, f"没有第{v}版 / no version {v}")
    if n is None:
        return None, None, None
    d = ws.version_dir(n)
    return d, views.load(d), n


def _current_summary(ws: Workspace) -> dict[str, Any] | None:
    rows = ws.query("SELECT * FROM data_revisions ORDER BY id DESC LIMIT 1")
    if not rows:
        return None
    return dict(rows[0])


def _file_download(write, filename: str) -> FileResponse:
    tmp = Path(tempfile.mkdtemp(prefix="xinglian-dl-"))
    path = write(tmp / filename)
    return FileResponse(path, filename=filename, background=BackgroundTask(
        shutil.rmtree, tmp, ignore_errors=True),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _repair_text(job, k: int) -> str:
    n = 0
    for c in job.result.get("explanation", {}).get("conflicts", []):
        for r in c["repairs"]:
            n += 1
            if n == k:
                return r["zh"]
    return f"repair {k}"


CHANGE_FIELDS = {
    "unavailable": ("person", "start", "end", "reason"),
    "leaves": ("person", "date", "reason"),
    "venue_closed": ("venue", "start", "end", "reason"),
    "pin_chair": ("base", "period", "chair", "reason"),
    "pin_meeting": ("base", "quarter", "date", "venue", "reason"),
    "pin_hosting": ("venue", "date", "federation", "start", "reason"),
    "activity_cancelled": ("activity", "reason"),
    "activity_moved": ("activity", "date", "start", "end", "reason"),
    "headcount": ("activity", "role", "min", "max", "reason"),
    "activity_added": (),
}


def _change_from_form(form: dict[str, Any], loaded) -> tuple[dict[str, Any], list[str]]:
    """One change from the form of its kind, validated as the changes file validates it
    and against the published instance (ids exist, dates in the plan year)."""
    from ..models.changes import ChangeSet, apply_changes

    kind = str(form.get("kind", ""))
    if kind not in CHANGE_FIELDS:
        return {}, [f"未知的调整类型 / unknown change kind {kind!r}"]
    data: dict[str, Any] = {"kind": kind}
    if kind == "activity_added":
        act = {k: form.get(f"a_{k}", "").strip() for k in
               ("id", "kind", "title", "date", "start", "end", "town")}
        act = {k: v for k, v in act.items() if v}
        role = {"role": form.get("a_role", "").strip() or "志愿者"}
        if form.get("a_min", "").strip():
            role["min"] = form["a_min"].strip()
        act["roles"] = [role]
        data["activity"] = act
    else:
        for f in CHANGE_FIELDS[kind]:
            value = str(form.get(f, "")).strip()
            if value:
                data[f] = value
    try:
        change = TypeAdapter(ChangeSet).validate_python({"changes": [data]}).changes[0]
    except ValidationError as e:
        from ..models.io import describe_validation_error

        return {}, [p.replace("changes[0].", "") for p in describe_validation_error(e)]
    try:
        apply_changes(loaded.instance, ChangeSet(changes=(change,)),
                      dt.date(loaded.plan.year, 1, 1))
    except ValueError as e:
        return {}, [line.replace("changes[0]: ", "") for line in str(e).splitlines()]
    return json.loads(change.model_dump_json(exclude_defaults=True)) | {"kind": kind}, []


def _describe(change: dict[str, Any], loaded) -> str:
    from ..models.changes import ChangeSet, describe

    try:
        c = TypeAdapter(ChangeSet).validate_python({"changes": [change]}).changes[0]
        return describe(c, loaded.instance)
    except (ValidationError, KeyError):
        return json.dumps(change, ensure_ascii=False)
