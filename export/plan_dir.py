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
from .changes import ChangeReport, changes_json, render_changes_md
from .html import render_html
from .ics import write_calendars
from .summary import all_warnings, render_summary


class OutputError(Exception):
    """The output location cannot be used (the message says why and what to do)."""


def plan_json(plan: Plan) -> str:
    data = plan.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def instance_json(instance: Instance) -> str:
    """The instance as kept in a plan directory, for re-planning and diffs. Children
    appear by code only: their names, addresses and needs stay in the office's own instance
    file and never travel with a published plan (planning needs neither)."""
    data = instance.model_dump(mode="json", exclude_defaults=True)
    for child in data.get("children", []):
        for private in ("name", "address", "needs"):
            child.pop(private, None)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_plan_dir(
    instance: Instance,
    plan: Plan,
    out: str | Path,
    warnings: list[str] | None = None,
    *,
    previous_dir: str | Path | None = None,
    changes: ChangeReport | None = None,
    previous_instance: Instance | None = None,
    replace_previous: bool = False,
) -> Path:
    """Write plan.json, instance.json, summary.md, summary.html and calendars/ to ``out``
    atomically.

    ``instance.json`` is the instance the plan was made from, so that a later re-plan
    and ``diff`` have it. With ``previous_dir`` (re-planning) the calendars update the
    previous plan's events in place and ``updates/person-<id>.ics`` hold what changed
    per person; with ``changes`` the directory gets ``changes.md`` and ``changes.json``.
    ``replace_previous`` lets ``out`` be ``previous_dir`` itself (``xinglian plan`` over
    its own directory: the new version replaces the old one once it is complete).

    Raises
    ------
    OutputError
        When ``out`` is a file, or a non-empty directory that is not a plan directory
        (it is never deleted), or cannot be written.
    """
    out = Path(out).resolve()
    # plan.json carries every warning the summaries list (issue 15: it had none while
    # summary.md listed four), so whoever reads the plan's data sees them too.
    plan = plan.model_copy(update={"warnings": tuple(all_warnings(plan, warnings))})
    warnings = None
    if previous_dir is not None and Path(previous_dir).resolve() == out \
            and not replace_previous:
        raise OutputError(
            f"{out} is the plan being re-planned; it is kept as it was. Choose a new --out"
        )
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
        (tmp / "instance.json").write_text(instance_json(instance), encoding="utf-8")
        (tmp / "summary.md").write_text(render_summary(instance, plan, warnings), encoding="utf-8")
        (tmp / "summary.html").write_text(render_html(instance, plan, warnings), encoding="utf-8")
        cal_dir = tmp / "calendars"
        cal_dir.mkdir()
        previous_cals = Path(previous_dir) / "calendars" if previous_dir is not None else None
        write_calendars(instance, plan, cal_dir, previous_dir=previous_cals,
                        updates_dir=tmp / "updates", now=plan.generated_at)
        if changes is not None:
            (tmp / "changes.md").write_text(
                render_changes_md(changes, instance, previous_instance), encoding="utf-8")
            (tmp / "changes.json").write_text(changes_json(changes), encoding="utf-8")
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
