"""Writing a plan directory atomically (docs/plan-format.md).

Everything is written into a temporary sibling directory first and renamed into place,
so an interrupted run never leaves a half-written plan, and a previous plan in the same
place is only replaced once the new one is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ..models.instance import Instance
from ..models.plan import Plan
from .ics import write_calendars
from .summary import render_summary


class OutputError(Exception):
    """The output location cannot be used (the message says why and what to do)."""


def plan_json(plan: Plan) -> str:
    data = plan.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_plan_dir(
    instance: Instance, plan: Plan, out: str | Path, warnings: list[str] | None = None
) -> Path:
    """Write plan.json, summary.md and calendars/ to ``out`` atomically.

    Raises
    ------
    OutputError
        When ``out`` is a file, or a non-empty directory that is not a plan directory
        (it is never deleted), or cannot be written.
    """
    out = Path(out).resolve()
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"{out} is a file; choose a directory name for --out")
        if any(out.iterdir()) and not (out / "plan.json").exists():
            raise OutputError(
                f"{out} is a non-empty directory without plan.json; refusing to replace it. "
                f"Choose a new or empty directory for --out"
            )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as e:
        raise OutputError(f"cannot write under {out.parent}: {e.strerror}") from None
    try:
        (tmp / "plan.json").write_text(plan_json(plan), encoding="utf-8")
        (tmp / "summary.md").write_text(render_summary(instance, plan, warnings), encoding="utf-8")
        cal_dir = tmp / "calendars"
        cal_dir.mkdir()
        write_calendars(instance, plan, cal_dir)
        os.chmod(tmp, 0o755)
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot write {out}: {e.strerror or e}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
