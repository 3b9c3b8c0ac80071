"""Jobs: a solve, a re-plan or a restore, each in its own process.

The server's :class:`Runner` (a thread) starts the oldest queued job when none is
running (one job at a time per workspace), watches its process, stops it on cancel and
marks it failed when it dies. The job process (``python -m xinglian.web.jobs ROOT ID``)
reads its parameters from the database, writes its progress there about once a second
and its result into ``jobs/<id>/``; only :meth:`Workspace.publish` moves a plan into
``versions/``. The job process exits by itself when the server that started it is gone,
and every update it makes is conditional on the job still being ``running``, so a
restarted server that marked the job interrupted is never overruled.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from .workspace import TZ, Job, Workspace, now_iso

POLL_SECONDS = 0.3


# -- the server side --------------------------------------------------------------------


class Runner:
    """Starts queued jobs one at a time and watches them (a daemon thread)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.proc: subprocess.Popen | None = None
        self.job_id: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="xinglian-jobs", daemon=True)
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread; a job still running is stopped and marked interrupted."""
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)
                self.ws.set_job(self.job_id, only_if=("running", "cancelling"),
                                status="interrupted", finished_at=now_iso(),
                                error="服务器停止，任务中断；已发布的版本没有改变。 / The server "
                                      "stopped during the job; the published version is "
                                      "unchanged.")
            self.proc = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - the runner must outlive one bad tick
                traceback.print_exc()
            self._stop.wait(POLL_SECONDS)

    def tick(self) -> None:
        with self._lock:
            if self.proc is not None:
                code = self.proc.poll()
                job = self.ws.job(self.job_id)
                if code is None:
                    if job is not None and job.status == "cancelling":
                        self.proc.kill()
                        self.proc.wait(timeout=10)
                        self.ws.set_job(self.job_id, only_if=("cancelling",),
                                        status="cancelled", finished_at=now_iso())
                        self._clean(self.job_id)
                        self.proc = None
                    return
                # the process ended: a job that did not record its end died
                self.ws.set_job(self.job_id, only_if=("cancelling",), status="cancelled",
                                finished_at=now_iso())
                if self.ws.set_job(
                        self.job_id, only_if=("running",), status="interrupted",
                        finished_at=now_iso(),
                        error=f"任务进程意外结束（退出码 {code}）；已发布的版本没有改变。 / The "
                              f"job process ended unexpectedly (exit code {code}); the "
                              f"published version is unchanged."):
                    self._clean(self.job_id)
                self.proc = None
            queued = [j for j in self.ws.active_jobs() if j.status == "queued"]
            if not queued:
                return
            job = queued[0]
            # Running before the process starts: the process may only ever see "running"
            # (it stops at once when its job is in any other state).
            if not self.ws.set_job(job.id, only_if=("queued",), status="running",
                                   started_at=now_iso()):
                return  # cancelled meanwhile
            jdir = self.ws.job_dir(job.id)
            jdir.mkdir(parents=True, exist_ok=True)
            log = open(jdir / "log.txt", "ab")  # noqa: SIM115 - handed to the child
            try:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "xinglian.web.jobs", str(self.ws.root), str(job.id),
                     str(os.getpid())],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            except OSError as e:
                self.ws.set_job(job.id, status="failed", finished_at=now_iso(),
                                error=f"任务进程无法启动 / cannot start the job process: {e}")
                return
            finally:
                log.close()
            self.job_id = job.id
            self.ws.set_job(job.id, pid=self.proc.pid)

    def _clean(self, job_id: int | None) -> None:
        from .workspace import _remove_temp_dirs

        if job_id is not None:
            _remove_temp_dirs(self.ws.job_dir(job_id))


# -- the job process --------------------------------------------------------------------


class Reporter:
    """Progress of one job, written to its row about once a second."""

    def __init__(self, ws: Workspace, job: Job, parent: int) -> None:
        self.ws, self.job, self.parent = ws, job, parent
        self.started = time.monotonic()
        self.state: dict[str, Any] = {"phase": "starting", "elapsed": 0.0,
                                      "parts_done": 0, "parts_total": None,
                                      "objective": None, "bound": None}
        self._lock = threading.Lock()
        self._done = threading.Event()
        threading.Thread(target=self._beat, daemon=True).start()

    def stop(self) -> None:
        """No more heartbeats: the job is recording its end."""
        self._done.set()
        with self._lock:
            pass  # a heartbeat in progress has finished

    def update(self, **kw: Any) -> None:
        with self._lock:
            self.state.update(kw)

    def write(self) -> bool:
        """Write the progress; False when the job is no longer running."""
        with self._lock:
            self.state["elapsed"] = round(time.monotonic() - self.started, 1)
            state = dict(self.state)
        return self.ws.set_job(self.job.id, only_if=("running", "cancelling"), progress=state)

    def _beat(self) -> None:
        while not self._done.wait(1.0):
            with self._lock:
                if self._done.is_set():
                    return
            if not _alive(self.parent):
                os._exit(3)  # the server is gone; its successor marks the job interrupted
            try:
                running = self.write()
            except Exception:  # noqa: BLE001 - a locked database must not kill the solve
                continue
            if not running and not self._done.is_set():
                os._exit(3)  # marked interrupted or cancelled meanwhile: stop at once


def _alive(pid: int) -> bool:
    if pid <= 0:
        return True
    if os.getppid() != pid:
        return False  # POSIX: an orphan is adopted by init or a subreaper
    if os.name == "nt":
        return True  # os.kill(pid, 0) would terminate the process there
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def run(root: str, job_id: int, parent: int = 0) -> int:
    """Run job ``job_id`` of the workspace at ``root`` (in its own process)."""
    ws = Workspace(root)
    job = ws.job(job_id)
    if job is None:
        return 2
    rep = Reporter(ws, job, parent)
    if not rep.write():
        return 0  # cancelled or interrupted before it started
    try:
        handler = {"plan": _plan, "replan": _replan, "restore": _restore}[job.kind]
        status, result = handler(ws, job, rep)
        rep.stop()
        rep.write()
        recorded = ws.set_job(job.id, only_if=("running",), status=status, result=result,
                              finished_at=now_iso())
        if recorded and status == "done" and result.get("auto_publish"):
            ws.publish(job.id, job.who)
    except UserError as e:
        rep.stop()
        ws.set_job(job.id, only_if=("running",), status="failed", error=str(e),
                   finished_at=now_iso())
    except Exception as e:  # noqa: BLE001 - recorded for the page, never a traceback there
        traceback.print_exc()
        rep.stop()
        ws.set_job(job.id, only_if=("running",), status="failed",
                   error=f"内部错误 / internal error: {type(e).__name__}: {e}",
                   finished_at=now_iso())
    return 0


class UserError(Exception):
    """A job that cannot run for a reason the clerk can fix (the message says how)."""


def _progress_hook(rep: Reporter):
    """(objective, bound, seconds) callback for ``solve``; in a plan of several parts it
    is called once per finished part."""
    def progress(obj: int, bound: float, secs: float) -> None:
        # one part: called at each improving solution, not when the part is done
        done = rep.state["parts_done"] + (rep.state["parts_total"] != 1)
        rep.update(phase="solving", objective=obj, bound=round(bound, 1), parts_done=done)
    return progress


def _count_parts(rep: Reporter):
    """Wrap ``solver.decompose`` for this process so that the page can show parts
    done / total (``solve`` reports each finished part but not how many there are)."""
    from .. import solver

    original = getattr(solver, "decompose", None)
    if not callable(original):
        return

    def counted(*args, **kwargs):
        parts = list(original(*args, **kwargs))
        rep.update(parts_total=len(parts))
        return parts

    solver.decompose = counted


def _load_instance(path: Path):
    from ..models import CalendarError, InputError, Timeline
    from ..tabular import load_any

    try:
        inst = load_any(path)
        return inst, Timeline(inst)
    except (InputError, CalendarError) as e:
        raise UserError(str(e)) from None


def _explain(ws: Workspace, job: Job, inst, timeline, rep: Reporter,
             time_limit: float) -> dict[str, Any]:
    """The explanation of an infeasible instance as plain data, with each verified
    repair's instance written to ``jobs/<id>/repair-<k>.yaml`` for one-click applying."""
    from ..solver.explain import explain
    from ..tabular import write_instance_yaml

    rep.update(phase="explaining")
    ex = explain(inst, calendar=timeline.calendar, time_limit=time_limit)
    out: dict[str, Any] = {"feasible": ex.feasible, "text_zh": ex.render("zh"),
                           "text_en": ex.render("en"),
                           "prechecks": [{"zh": m.text("zh"), "en": m.text("en")}
                                         for m in ex.prechecks],
                           "conflicts": [], "structural": list(ex.structural)}
    k = 0
    for c in ex.conflicts:
        conflict = {"part": c.part, "minimal": c.minimal,
                    "requirements": [{"zh": r.sentence("zh"), "en": r.sentence("en")}
                                     for r in c.requirements], "repairs": []}
        for repair in c.repairs:
            k += 1
            relaxed = inst
            for r in repair:
                relaxed = r.relax(relaxed)
            name = f"repair-{k}.yaml"
            write_instance_yaml(relaxed, ws.job_dir(job.id) / name,
                                source=f"repair {k} of job {job.id}")
            conflict["repairs"].append({
                "file": name,
                "zh": "，并且".join(r.repair("zh") for r in repair),
                "en": ", and ".join(r.repair("en") for r in repair)})
        out["conflicts"].append(conflict)
    return out


def _checked_dir(ws: Workspace, job: Job, inst, plan_, timeline, **write_kw) -> str:
    from ..checker import check
    from ..export.plan_dir import OutputError, write_plan_dir
    from ..export.summary import plan_warnings

    violations = check(inst, plan_, timeline.calendar)
    warnings = plan_warnings(inst, plan_, timeline.calendar.source)
    out = ws.job_dir(job.id) / "plan"
    try:
        write_plan_dir(inst, plan_, out, warnings + [
            f"VIOLATION {v.rule}: {v.message}" for v in violations], **write_kw)
    except OutputError as e:
        raise UserError(str(e)) from None
    if violations:
        raise UserError("the checker found violations in the solver's plan: "
                        + "; ".join(v.message for v in violations[:3]))
    return str(out.relative_to(ws.root))


def _base(ws: Workspace, job: Job):
    """The published plan and instance the job starts from (None, None without one)."""
    from ..models import InputError, load_instance, load_plan

    if job.base_version is None:
        return None, None, None
    d = ws.version_dir(job.base_version)
    try:
        return d, load_plan(d), load_instance(d / "instance.json")
    except InputError as e:
        raise UserError(str(e)) from None


def _plan(ws: Workspace, job: Job, rep: Reporter) -> tuple[str, dict[str, Any]]:
    """Solve the data revision named in the job from scratch."""
    from ..export.changes import ChangeReport, diff_plans
    from ..solver import solve

    rows = ws.query("SELECT path FROM data_revisions WHERE id = ?",
                    (job.params["data_revision"],))
    if not rows:
        raise UserError(f"data revision {job.params['data_revision']} does not exist")
    inst, timeline = _load_instance(ws.root / rows[0]["path"])
    time_limit = float(job.params.get("time_limit", 30))
    _count_parts(rep)
    rep.update(phase="solving")
    result = solve(inst, time_limit=time_limit, seed=int(job.params.get("seed", 0)),
                   workers=int(job.params.get("workers", 2)), calendar=timeline.calendar,
                   progress=_progress_hook(rep))
    if result.plan is None:
        if result.status == "INFEASIBLE":
            return "infeasible", {"explanation": _explain(
                ws, job, inst, timeline, rep, max(10.0, time_limit)),
                "problems": result.problems}
        raise UserError(f"在 {time_limit:g} 秒内没有找到方案（{result.status}），请加长求解时间。"
                        f" / No plan within {time_limit:g} s ({result.status}); allow more "
                        f"time.")
    prev_dir, previous, prev_inst = _base(ws, job)
    n = (job.base_version or 0) + 1
    plan_ = result.plan.model_copy(update={"version": n})
    kw: dict[str, Any] = {}
    summary = f"新方案（数据第{job.params['data_revision']}版）/ new plan from data " \
              f"revision {job.params['data_revision']}"
    if previous is not None:
        report = ChangeReport(changes=diff_plans(previous, plan_, inst, prev_inst),
                              title=f"第{job.base_version}版 → 第{n}版（重新生成）")
        kw = dict(previous_dir=prev_dir, changes=report, previous_instance=prev_inst)
        summary += f"; {len(report.changes)} 项调整 / changes"
    rep.update(phase="writing", parts_done=rep.state.get("parts_total") or
               rep.state["parts_done"])
    rel = _checked_dir(ws, job, inst, plan_, timeline, **kw)
    s = plan_.solve
    return "done", {"plan_dir": rel, "summary": summary, "status": s.status,
                    "objective": s.objective, "bound": s.bound,
                    "auto_publish": previous is None or bool(job.params.get("publish"))}


def _replan(ws: Workspace, job: Job, rep: Reporter) -> tuple[str, dict[str, Any]]:
    """Re-plan the published version after the draft's changes (as ``xinglian replan``)."""
    from pydantic import ValidationError

    from ..checker import score
    from ..export.changes import ChangeReport, diff_plans
    from ..models import CalendarError, Timeline
    from ..models.changes import CHANGE_ADAPTER, apply_changes, describe
    from ..models.io import describe_validation_error
    from ..models.plan import Derivation
    from ..solver import solve

    prev_dir, previous, prev_inst = _base(ws, job)
    if previous is None:
        raise UserError("还没有已发布的方案，请先生成方案。 / No published plan yet: make a plan "
                        "first.")
    today = dt.date.fromisoformat(job.params["today"])
    if today.year != previous.year:
        raise UserError(f"生效日期 {today} 不在计划年度 {previous.year} 内 / {today} is not in "
                        f"the plan year {previous.year}")
    try:
        changes = CHANGE_ADAPTER.validate_python({"changes": job.params["changes"]})
    except ValidationError as e:
        raise UserError("\n".join(describe_validation_error(e))) from None
    try:
        inst = apply_changes(prev_inst, changes, today)
        timeline = Timeline(inst)
    except (ValueError, CalendarError) as e:
        raise UserError(str(e)) from None
    applied = [describe(c, prev_inst) for c in changes.changes]
    time_limit = float(job.params.get("time_limit", 30))
    _count_parts(rep)
    rep.update(phase="solving")
    result = solve(inst, time_limit=time_limit, seed=int(job.params.get("seed", 0)),
                   workers=int(job.params.get("workers", 2)), calendar=timeline.calendar,
                   previous=previous, today=today, previous_instance=prev_inst,
                   progress=_progress_hook(rep))
    if result.plan is None:
        if result.status == "INFEASIBLE":
            explanation = _explain(ws, job, inst, timeline, rep, max(10.0, time_limit))
            return "infeasible", {"explanation": explanation, "problems": result.problems,
                                  "applied": applied}
        raise UserError(f"在 {time_limit:g} 秒内没有找到方案（{result.status}） / no plan within "
                        f"{time_limit:g} s ({result.status})")
    rep.update(parts_done=rep.state.get("parts_total") or rep.state["parts_done"])
    n = previous.version + 1
    plan_ = result.plan.model_copy(update={
        "version": n,
        "derived_from": Derivation(
            previous_version=previous.version, previous_generated_at=previous.generated_at,
            previous_dir=f"versions/v{job.base_version}", today=today, source="workspace",
            applied=tuple(applied), changed_decisions=len(result.changed),
            change_cost=result.change_cost, change_status=result.change_status),
    })
    report = ChangeReport(
        changes=diff_plans(previous, plan_, inst, prev_inst),
        title=f"{inst.name or inst.id} 第{n}版调整通知（{today} 起）",
        applied=applied, proven=result.change_status == "OPTIMAL", cost=result.change_cost,
        decisions=len(result.changed))
    rep.update(phase="writing")
    rel = _checked_dir(ws, job, inst, plan_, timeline, previous_dir=prev_dir, changes=report,
                       previous_instance=prev_inst)
    ok = score(inst, plan_).total == result.objective
    return "done", {"plan_dir": rel, "summary": "；".join(applied) or "无变动",
                    "changes": len(report.changes), "decisions": len(result.changed),
                    "weighted": result.change_cost,
                    "proven_minimal": result.change_status == "OPTIMAL",
                    "objective": result.objective, "score_matches": ok,
                    "draft": job.params.get("draft"), "auto_publish": False}


def _restore(ws: Workspace, job: Job, rep: Reporter) -> tuple[str, dict[str, Any]]:
    """An old version again, as the next version: its plan with the calendars updating
    the published events in place (changed ones SEQUENCE + 1, dropped ones CANCELLED)."""
    from ..export.changes import ChangeReport, diff_plans
    from ..models import CalendarError, InputError, Timeline, load_instance, load_plan

    k = int(job.params["version"])
    prev_dir, previous, prev_inst = _base(ws, job)
    if previous is None or ws.version(k) is None:
        raise UserError(f"第{k}版不存在 / version {k} does not exist")
    try:
        old = load_plan(ws.version_dir(k))
        inst = load_instance(ws.version_dir(k) / "instance.json")
        timeline = Timeline(inst)
    except (InputError, CalendarError) as e:
        raise UserError(str(e)) from None
    n = (job.base_version or 0) + 1
    plan_ = old.model_copy(update={"version": n, "derived_from": None,
                                   "generated_at": dt.datetime.now(TZ).replace(microsecond=0)})
    report = ChangeReport(changes=diff_plans(previous, plan_, inst, prev_inst),
                          title=f"恢复第{k}版为第{n}版 / v{k} restored as v{n}",
                          applied=[f"恢复第{k}版 / restore v{k}"])
    rep.update(phase="writing")
    rel = _checked_dir(ws, job, inst, plan_, timeline, previous_dir=prev_dir, changes=report,
                       previous_instance=prev_inst)
    return "done", {"plan_dir": rel, "summary": f"恢复第{k}版 / restored v{k}",
                    "changes": len(report.changes), "auto_publish": True}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root, job_id = argv[0], int(argv[1])
    parent = int(argv[2]) if len(argv) > 2 else 0
    return run(root, job_id, parent)


if __name__ == "__main__":
    sys.exit(main())
