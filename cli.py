"""The `xinglian` command line: a thin layer over the library.

Exit codes (also in README.md):

    0  success
    1  bad input (unreadable or invalid instance/plan, no holiday data, unusable --out)
    2  usage error (unknown option, missing argument)
    3  infeasible: no plan satisfies the hard rules
    4  no plan found within the time limit
    5  the independent checker found violations (`validate`, or a solver bug in `plan`)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from . import __version__

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INFEASIBLE, EXIT_TIMEOUT, EXIT_INVALID = 0, 1, 2, 3, 4, 5


class Fail(click.ClickException):
    """A domain error with its own exit code and a one-line (or few-line) message."""

    def __init__(self, message: str, code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.exit_code = code


def default_instance() -> Path:
    """The bundled default instance (instances/nanan-2027-full.yaml)."""
    from .instances import default_instance as bundled

    return bundled()


def _load(path: Path):
    """An instance from YAML/JSON, an Excel workbook or a folder of CSV files."""
    from .models import InputError
    from .tabular import load_any

    try:
        return load_any(path)
    except InputError as e:
        raise Fail(str(e)) from None


def _instance_and_timeline(path: Path):
    """The instance at ``path`` and its year's timeline, or a one-line error. Warns (on
    stderr) about statutory holidays the instance's own holiday table misses."""
    from .models import CalendarError, Timeline

    if not path.exists():
        raise Fail(f"{path}: file not found")
    inst = _load(path)
    try:
        timeline = Timeline(inst)
    except CalendarError as e:
        raise Fail(f"{path}: {e}") from None
    for line in _holiday_warnings(timeline.calendar):
        click.echo(f"warning: {path}: {line}", err=True)
    return inst, timeline


def _holiday_warnings(calendar) -> list[str]:
    from .models.statutory import holiday_warnings

    return holiday_warnings(calendar)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xinglian")
def main() -> None:
    """星链 xinglian — yearly plans for the Starlink Project's women's federations.

    Rotating chairs of each production base's presidium, quarterly joint meetings,
    checked by an independent checker and written as plan.json, summary.md and
    iCalendar files.
    """


@main.command()
@click.argument("instance", required=False, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("plan"),
              show_default=True, help="Plan directory to write (replaced atomically).")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds for reading the instance and solving: a fixed amount of work "
              "sized to take about half of them on a quiet 2-core PC; the clock stops a "
              "search only here.")
@click.option("--work", type=click.FloatRange(min=0.05), default=None,
              help="The work budget itself (CP-SAT deterministic seconds, all parts) "
              "instead of the one --time-limit gives; --time-limit is then only the "
              "safety net (a province on a busy machine: a fixed --work and a generous "
              "limit give the same plan every run).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="CP-SAT workers; the same seed and workers give the same plan.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines or summary.")
@click.option("--cluster", default=None, metavar="local:N|tcp://HOST:8786",
              help="Solve the parts on a Dask cluster (pip install 'xinglian[cluster]').")
def plan(instance: Path | None, out: Path, time_limit: float, work: float | None, seed: int,
         workers: int, quiet: bool, cluster: str | None) -> None:
    """Make the yearly plan for INSTANCE (default: the bundled nanan-2027-full.yaml).

    INSTANCE is a YAML or JSON file, an Excel workbook (see `xinglian template`) or a
    folder of CSV files (UTF-8 or GBK/GB18030, Chinese or English headers).
    """
    from .checker import check, score
    from .export.changes import ChangeReport, diff_plans
    from .export.plan_dir import OutputError, write_plan_dir
    from .export.summary import plan_warnings
    from .models.plan import Derivation
    from .solver import solve

    started = time.perf_counter()  # --time-limit counts the reading of the instance too
    path = instance or default_instance()
    inst, timeline = _instance_and_timeline(path)
    published = _published_plan(out, inst)
    echo = (lambda *a, **k: None) if quiet else click.echo
    echo(f"xinglian {__version__}: planning {inst.id} ({inst.year}) from {path}", err=True)
    echo(f"holiday calendar: {timeline.calendar.source}", err=True)
    if published is not None:
        echo(f"{out} holds version {published[0].version}: the new plan becomes version "
             f"{published[0].version + 1}, and its calendars update the same events", err=True)
    result = _solve_with_progress(solve, inst, time_limit, quiet, seed=seed, workers=workers,
                                  calendar=timeline.calendar, cluster=cluster, work=work,
                                  started=started)
    if result.plan is None:
        if result.status == "INFEASIBLE":
            echo("no plan exists (INFEASIBLE); explaining…", err=True)
            raise Fail("no plan exists (INFEASIBLE)\n" + _explain_text(
                inst, timeline.calendar, None, max(10.0, time_limit)), EXIT_INFEASIBLE)
        raise Fail(f"no plan found within {time_limit:g} s (status {result.status}); "
                   f"raise --time-limit", EXIT_TIMEOUT)
    plan_, report, previous_dir, prev_inst = result.plan, None, None, None
    if published is not None:
        previous, prev_inst = published
        plan_ = plan_.model_copy(update={
            "version": previous.version + 1,
            "derived_from": Derivation(
                previous_version=previous.version,
                previous_generated_at=previous.generated_at, previous_dir=str(out),
                today=None, source=str(path), applied=(f"重新生成全年计划 {path.name}",))})
        report = ChangeReport(
            changes=diff_plans(previous, plan_, inst, prev_inst),
            title=f"{inst.name or inst.id} 第{plan_.version}版（重新生成）",
            applied=[f"重新生成全年计划 {path.name} (a fresh plan of the whole year)"])
        previous_dir = out
    violations = check(inst, plan_, timeline.calendar)
    recomputed = score(inst, plan_)
    warnings = plan_warnings(inst, plan_, timeline.calendar.source)
    warnings += _holiday_warnings(timeline.calendar) + _run_notes(result)
    if recomputed.total != result.objective:
        warnings.append(f"checker score {recomputed.total} differs from the solver objective "
                        f"{result.objective} (please report this)")
    try:
        written = write_plan_dir(inst, plan_, out, warnings
                                 + [f"VIOLATION {v.rule}: {v.message}" for v in violations],
                                 previous_dir=previous_dir, changes=report,
                                 previous_instance=prev_inst, replace_previous=True)
    except OutputError as e:
        raise Fail(str(e)) from None
    s = plan_.solve
    gap = f"{s.gap:.2%}" if s.gap is not None else "-"
    echo(f"{s.status}: objective {s.objective}, bound {s.bound:.0f}, gap {gap}, "
         f"{s.wall_seconds:.2f} s", err=True)
    if result.wall_stopped:
        echo(f"note: {WALL_STOPPED}", err=True)
    if not quiet:
        click.echo((written / "summary.md").read_text(encoding="utf-8"))
    click.echo(f"plan written to {written}" + (
        f" (version {plan_.version}; what changed: {written / 'changes.md'})"
        if report is not None else ""), err=True)
    if violations:
        raise Fail(f"the checker found {len(violations)} violation(s) in the solver's plan: "
                   + "; ".join(v.message for v in violations[:3]), EXIT_INVALID)


def _solve_with_progress(solve, inst, time_limit: float, quiet: bool, **kwargs):
    """``solve`` with the live progress line, and cluster errors as exit 1."""
    from .progress import SolveProgress
    from .solver.cluster import ClusterError

    try:
        with SolveProgress(time_limit, enabled=not quiet) as shown:
            return solve(inst, time_limit=time_limit, **shown.callbacks, **kwargs)
    except ClusterError as e:
        raise Fail(str(e)) from None


def _run_notes(result) -> list[str]:
    """What the summary must say about how the solve ran."""
    notes = []
    if result.wall_stopped:
        notes.append(WALL_STOPPED)
    constructed = [p.name for p in result.plan.solve.parts if p.constructed] \
        if result.plan is not None else []
    if constructed:
        notes.append("no search plan within the work for: " + ", ".join(constructed)
                     + " — these parts are the construction (every hard rule kept, not "
                     "optimised); raise --time-limit for a better plan")
    if result.plan is not None and result.plan.solve.retried:
        notes.append("parts re-run on another worker after a worker failed: "
                     + ", ".join(result.plan.solve.retried))
    return notes


WALL_STOPPED = ("stopped by the wall clock before its work budget was done (the machine "
                "was slower or busier than the time limit allows); another run may differ "
                "— raise --time-limit for a reproducible plan")


def _published_plan(out: Path, inst):
    """The plan (and its instance) already in ``out``, when ``out`` is a plan directory:
    the new plan is written as its next version. None when ``out`` holds no plan."""
    from .models import InputError, load_instance, load_plan

    if not (out / "plan.json").is_file():
        return None
    try:
        previous = load_plan(out)
        prev_inst = load_instance(out / "instance.json")
    except InputError as e:
        raise Fail(f"--out {out} holds a plan that cannot be read, so its calendars cannot be "
                   f"updated in place; choose another --out or remove that directory:\n{e}"
                   ) from None
    if previous.year != inst.year:
        raise Fail(f"--out {out} holds the {previous.year} plan, this instance is for "
                   f"{inst.year}; choose another --out")
    return previous, prev_inst


@main.command()
@click.argument("instance", required=False, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("baseline-plan"),
              show_default=True, help="Plan directory to write (replaced atomically).")
def baseline(instance: Path | None, out: Path) -> None:
    """Make a greedy baseline plan for INSTANCE the way a clerk does it by hand (list
    order, no solver), write it like `plan` does and print its objective and how many
    hard rules it breaks. Exits 0 even with violations: it is a yardstick, not a plan."""
    from collections import Counter

    from .baseline import greedy_plan
    from .checker import check
    from .export.plan_dir import OutputError, write_plan_dir
    from .export.summary import plan_warnings

    inst, timeline = _instance_and_timeline(instance or default_instance())
    plan_ = greedy_plan(inst, timeline.calendar)
    violations = check(inst, plan_, timeline.calendar)
    warnings = plan_warnings(inst, plan_, timeline.calendar.source)
    try:
        written = write_plan_dir(inst, plan_, out, warnings
                                 + [f"VIOLATION {v.rule}: {v.message}" for v in violations])
    except OutputError as e:
        raise Fail(str(e)) from None
    by_rule = Counter(v.rule for v in violations)
    click.echo(f"BASELINE: objective {plan_.solve.objective}, {len(violations)} hard-rule "
               f"violation(s), {plan_.solve.wall_seconds:.2f} s")
    for rule, n in by_rule.items():
        click.echo(f"  {rule}: {n}")
    click.echo(f"plan written to {written}", err=True)


def _explain_text(inst, calendar, lang: str | None, time_limit: float, *,
                  previous=None, today=None) -> str:
    return _explanation(inst, calendar, time_limit, previous=previous, today=today).render(
        lang or inst.language)


def _explanation(inst, calendar, time_limit: float, *, previous=None, today=None):
    from .solver.explain import explain

    return explain(inst, calendar=calendar, time_limit=time_limit, previous=previous,
                   today=today)


@main.command("explain")
@click.argument("instance", required=False, type=click.Path(path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the report (default: the instance's `language`).")
@click.option("--time-limit", type=click.FloatRange(min=1), default=60.0, show_default=True)
def explain_(instance: Path | None, lang: str | None, time_limit: float) -> None:
    """Explain why INSTANCE has no plan: a minimal set of requirements that collide, and
    the smallest changes that make a plan possible (each checked by a solve).

    Exit 0 when a plan exists, 3 when it does not (explained), 4 when the time limit
    left the question open, 1 for bad input.
    """

    inst, timeline = _instance_and_timeline(instance or default_instance())
    exp = _explanation(inst, timeline.calendar, time_limit)
    click.echo(exp.render(lang or inst.language), nl=False)
    if exp.undecided:
        raise SystemExit(EXIT_TIMEOUT)
    if not exp.feasible:
        raise SystemExit(EXIT_INFEASIBLE)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def template(file: Path) -> None:
    """Write an empty workbook to fill in: one sheet per table, Chinese headers (English
    keys in comments), dropdowns, an example row and a 说明 sheet."""
    from .tabular import write_template

    try:
        written = write_template(file)
    except OSError as e:
        raise Fail(f"{file}: cannot write ({e.strerror or e})") from None
    click.echo(f"template written to {written}")


@main.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Instance YAML to write.")
def import_(source: Path, out: Path) -> None:
    """Read a workbook or a folder of CSV files into an instance YAML, reporting every
    mistake at once with sheet, row and column."""
    from .models import CalendarError, work_calendar
    from .tabular import write_instance_yaml

    inst = _load(source)
    try:
        for line in _holiday_warnings(work_calendar(inst)):
            click.echo(f"warning: {source}: {line}", err=True)
    except CalendarError as e:
        click.echo(f"warning: {source}: {e}", err=True)
    try:
        written = write_instance_yaml(inst, out, source=str(source))
    except OSError as e:
        raise Fail(f"{out}: cannot write ({e.strerror or e})") from None
    click.echo(f"instance {inst.id} ({len(inst.people)} people, {len(inst.federations)} "
               f"federations, {len(inst.venues)} venues) written to {written}")


@main.command("export-instance")
@click.argument("instance", required=False, type=click.Path(path_type=Path))
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Workbook to write.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of CSV files to write (GB18030, Chinese headers).")
def export_instance(instance: Path | None, xlsx: Path | None, csv_dir: Path | None) -> None:
    """Write INSTANCE (default: the bundled one) as a workbook or CSV folder that
    `xinglian import` reads back to the same instance."""
    from .tabular import write_instance_csv, write_instance_workbook

    if xlsx is None and csv_dir is None:
        raise Fail("give --xlsx FILE and/or --csv DIR", EXIT_USAGE)
    inst = _load(instance or default_instance())
    try:
        if xlsx is not None:
            click.echo(f"workbook written to {write_instance_workbook(inst, xlsx)}")
        if csv_dir is not None:
            click.echo(f"CSV files written to {write_instance_csv(inst, csv_dir)}")
    except (OSError, ValueError) as e:
        raise Fail(str(e)) from None


@main.command()
@click.argument("instance", type=click.Path(path_type=Path))
@click.argument("plan_dir", type=click.Path(path_type=Path))
def validate(instance: Path, plan_dir: Path) -> None:
    """Check PLAN_DIR against every hard rule of INSTANCE, independently of the solver."""
    from .checker import check, score
    from .models import CalendarError, InputError, load_plan, work_calendar

    if not instance.exists():
        raise Fail(f"{instance}: file not found")
    if not plan_dir.exists():
        raise Fail(f"{plan_dir}: no such plan directory")
    inst = _load(instance)
    try:
        plan_ = load_plan(plan_dir)
        calendar = work_calendar(inst)
    except (InputError, CalendarError) as e:
        raise Fail(str(e)) from None
    if plan_.instance != inst.id:
        raise Fail(f"{plan_dir} is a plan for instance {plan_.instance!r}, not {inst.id!r}")
    violations = check(inst, plan_, calendar)
    recomputed = score(inst, plan_)
    for v in violations:
        click.echo(f"{v.rule}: {v.message}")
    if violations:
        raise Fail(f"{len(violations)} violation(s)", EXIT_INVALID)
    parts = [f"{len(plan_.rotation)} rotation terms", f"{len(plan_.meetings)} meetings",
             f"{len(plan_.hosting)} hosting turns"]
    if plan_.volunteering or plan_.care.pairs:
        parts += [f"{len(plan_.volunteering)} volunteer assignments",
                  f"{len(plan_.care.pairs)} caring-mother pairs",
                  f"{len(plan_.care.visits)} visits"]
    click.echo(f"ok: {', '.join(parts)} satisfy every hard rule; objective {recomputed.total}")


def _plan_and_instance(plan_dir: Path):
    """A plan directory's plan.json and the instance.json it was made from."""
    from .models import InputError, load_instance, load_plan
    from .models.io import PLAN_DIR_FACTOR, max_input_bytes

    if not (plan_dir / "plan.json").is_file():
        raise Fail(f"{plan_dir}: not a plan directory (no plan.json)")
    if not (plan_dir / "instance.json").is_file():
        raise Fail(f"{plan_dir}: has no instance.json (made by an older xinglian?); "
                   f"re-plan with --instance INSTANCE to name the instance it was made from")
    try:
        return load_plan(plan_dir), load_instance(
            plan_dir / "instance.json", max_bytes=PLAN_DIR_FACTOR * max_input_bytes())
    except InputError as e:
        raise Fail(str(e)) from None


@main.command()
@click.argument("plan_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--changes", "changes_file", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML changes file (see README).")
@click.option("--instance", "edited", type=click.Path(dir_okay=False, path_type=Path),
              help="An edited instance to use instead of a changes file.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="Everything that ended before this day stays as it was.")
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="New plan directory (the previous one is never modified).")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=30.0, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--quiet", "-q", is_flag=True)
@click.option("--cluster", default=None, metavar="local:N|tcp://HOST:8786",
              help="Solve the parts the change reaches on a Dask cluster.")
def replan(plan_dir: Path, changes_file: Path | None, edited: Path | None, today, out: Path,
           time_limit: float, seed: int, workers: int, quiet: bool,
           cluster: str | None) -> None:
    """Re-plan PLAN_DIR after changes, changing as little as possible.

    The past (everything that ended before --today) is frozen; the number of changed
    decisions is minimised first (weights: change_weights in the instance), then the
    usual objective. Writes a new plan directory with changes.md / changes.json and
    calendars that update the same events on phones.
    """
    from .models import CalendarError, InputError, Timeline, load_instance
    from .models.changes import ChangeSet, apply_changes, describe, load_changes
    from .solver import solve

    started = time.perf_counter()  # --time-limit counts the reading of the plan too
    today = today.date()
    if (changes_file is None) == (edited is None):
        raise Fail("give exactly one of --changes CHANGES.yaml or --instance EDITED.yaml",
                   EXIT_USAGE)
    previous, prev_inst = _plan_and_instance(plan_dir)
    if today.year != previous.year:
        raise Fail(f"--today {today} is not in the plan year {previous.year}")
    applied: list[str] = []
    try:
        if changes_file is not None:
            changes = load_changes(changes_file)
            source = str(changes_file)
            try:
                inst = apply_changes(prev_inst, changes, today)
            except ValueError as e:
                raise InputError(changes_file, str(e).splitlines()) from None
            applied = [describe(c, prev_inst) for c in changes.changes]
        else:
            inst = load_instance(edited)
            source = str(edited)
            changes = ChangeSet()
            applied = [f"使用修改后的实例 {edited.name}"]
        timeline = Timeline(inst)
    except (InputError, CalendarError) as e:
        raise Fail(str(e)) from None
    if inst.year != previous.year:
        raise Fail(f"{source}: the instance is for {inst.year}, the plan for {previous.year}")
    echo = (lambda *a, **k: None) if quiet else click.echo
    echo(f"re-planning {plan_dir} (version {previous.version}) from {today}: "
         f"{len(applied)} change(s) in {source}", err=True)
    result = _solve_with_progress(solve, inst, time_limit, quiet, seed=seed,
                                  workers=workers, calendar=timeline.calendar,
                                  previous=previous, today=today,
                                  previous_instance=prev_inst, cluster=cluster,
                                  started=started)
    if result.plan is None:
        if result.status == "INFEASIBLE":
            why = _explain_text(inst, timeline.calendar, None, max(10.0, time_limit),
                                previous=previous, today=today)
            if why.startswith(("存在可行方案", "A plan exists")):
                why = "\n".join(f"  - {r}" for r in result.problems) or (
                    "the changes conflict with the frozen past (what ended before --today)")
            raise Fail(f"no plan exists after the changes (INFEASIBLE); {plan_dir} is "
                       f"unchanged:\n{why}", EXIT_INFEASIBLE)
        raise Fail(f"no plan found within {time_limit:g} s (status {result.status}); "
                   f"{plan_dir} is unchanged", EXIT_TIMEOUT)
    _write_version(plan_dir, previous, prev_inst, inst, timeline, result, today, source,
                   applied, out, quiet)


def _write_version(plan_dir: Path, previous, prev_inst, inst, timeline, result, today,
                   source: str, applied: list[str], out: Path, quiet: bool) -> None:
    """Write a re-plan's result as the next version of ``previous`` (replan, cover)."""
    from .checker import check, score
    from .export.changes import ChangeReport, diff_plans
    from .export.plan_dir import OutputError, write_plan_dir
    from .export.summary import plan_warnings
    from .models.plan import Derivation

    echo = (lambda *a, **k: None) if quiet else click.echo
    plan_ = result.plan.model_copy(update={
        "version": previous.version + 1,
        "derived_from": Derivation(
            previous_version=previous.version, previous_generated_at=previous.generated_at,
            previous_dir=str(plan_dir), today=today, source=source, applied=tuple(applied),
            changed_decisions=len(result.changed), change_cost=result.change_cost,
            change_status=result.change_status),
    })
    violations = check(inst, plan_, timeline.calendar)
    warnings = (plan_warnings(inst, plan_, timeline.calendar.source)
                + _holiday_warnings(timeline.calendar) + _run_notes(result))
    if score(inst, plan_).total != result.objective:
        warnings.append("checker score differs from the solver objective (please report this)")
    report = ChangeReport(
        changes=diff_plans(previous, plan_, inst, prev_inst),
        title=f"{inst.name or inst.id} 第{plan_.version}版调整通知（{today} 起）",
        applied=applied, proven=result.change_status == "OPTIMAL", cost=result.change_cost,
        decisions=len(result.changed))
    try:
        written = write_plan_dir(inst, plan_, out, warnings + [
            f"VIOLATION {v.rule}: {v.message}" for v in violations],
            previous_dir=plan_dir, changes=report, previous_instance=prev_inst)
    except OutputError as e:
        raise Fail(str(e)) from None
    proven = "proven minimal" if result.change_status == "OPTIMAL" else "not proven minimal"
    echo(f"{result.status}: {len(result.changed)} changed decision(s), weighted "
         f"{result.change_cost} ({proven}); objective {result.objective}", err=True)
    if not quiet:
        click.echo((written / "changes.md").read_text(encoding="utf-8"))
    click.echo(f"plan written to {written}", err=True)
    if violations:
        raise Fail(f"the checker found {len(violations)} violation(s): "
                   + "; ".join(v.message for v in violations[:3]), EXIT_INVALID)


_DUTY_HELP = ("a duty id: rotation-<base>-p<period>, mtg-<base>-q<quarter> (the host), "
              "host-<venue>-<date>[-HHMM], <activity>/<role>/<person>, visit-…")


@main.command()
@click.argument("plan_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--duty", "duty_id", required=True, help=_DUTY_HELP)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="Everything that ended before this day stays as it was.")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--tries", type=click.IntRange(min=1), default=None,
              help="Re-plans to run at most (default: 2 x --top), most promising first.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--work", type=click.FloatRange(min=0.05), default=1.0, show_default=True,
              help="Work budget of each re-plan (deterministic seconds).")
@click.option("--apply", "apply_k", type=click.IntRange(min=1), default=None,
              help="Write candidate K as the next version of the plan (with --out).")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None)
@click.option("--quiet", "-q", is_flag=True)
def cover(plan_dir: Path, duty_id: str, today, top: int, tries: int | None, lang: str,
          work: float, apply_k: int | None, out: Path | None, quiet: bool) -> None:
    """Who can cover one duty: ranked stand-ins, each a verified minimal re-plan."""
    from .export.cover import render_cover
    from .models import Timeline
    from .solver.cover import UnknownDuty, materialize
    from .solver.cover import cover as find

    today = today.date()
    if (apply_k is None) != (out is None):
        raise Fail("--apply K and --out NEW_DIR go together", EXIT_USAGE)
    previous, prev_inst = _plan_and_instance(plan_dir)
    if today.year != previous.year:
        raise Fail(f"--today {today} is not in the plan year {previous.year}")
    timeline = Timeline(prev_inst)
    try:
        report = find(previous, prev_inst, duty_id, today, top=top, tries=tries, work=work,
                      timeline=timeline)
    except UnknownDuty as e:
        raise Fail(str(e), EXIT_USAGE) from None
    except ValueError as e:
        raise Fail(str(e)) from None
    text = render_cover(report, prev_inst, previous.solve.objective, lang)
    if apply_k is None:
        click.echo(text, nl=False)
        if not report.candidates:
            raise Fail("no candidate", EXIT_INFEASIBLE)
        return
    if not quiet:
        click.echo(text, nl=False)
    if apply_k > len(report.candidates):
        raise Fail(f"--apply {apply_k}: only {len(report.candidates)} candidate(s) listed")
    try:
        chosen = materialize(report.candidates[apply_k - 1], report, previous, prev_inst,
                             today, work=work, timeline=timeline)
    except ValueError as e:
        raise Fail(str(e)) from None
    _write_version(plan_dir, previous, prev_inst, chosen.instance, timeline, chosen.result,
                   today, f"cover {duty_id}", chosen.applied, out, quiet)


@main.command()
@click.argument("plan_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--duty", "duties", multiple=True, required=True, help=_DUTY_HELP)
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--work", type=click.FloatRange(min=0.05), default=1.0, show_default=True)
def swap(plan_dir: Path, duties: tuple[str, ...], today, lang: str, work: float) -> None:
    """Can the holders of two duties exchange them (--duty A --duty B)?"""
    from .export.cover import render_swap
    from .models import Timeline
    from .solver.cover import UnknownDuty
    from .solver.swap import swap as try_swap

    if len(duties) != 2:
        raise Fail("give exactly two --duty", EXIT_USAGE)
    today = today.date()
    previous, prev_inst = _plan_and_instance(plan_dir)
    try:
        report = try_swap(previous, prev_inst, duties[0], duties[1], today, work=work,
                          timeline=Timeline(prev_inst))
    except UnknownDuty as e:
        raise Fail(str(e), EXIT_USAGE) from None
    except ValueError as e:
        raise Fail(str(e)) from None
    click.echo(render_swap(report, prev_inst, previous.solve.objective, lang), nl=False)
    if not report.ok:
        raise Fail("they cannot swap", EXIT_INFEASIBLE)


@main.command()
@click.argument("plan_a", type=click.Path(path_type=Path, file_okay=False))
@click.argument("plan_b", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print changes.json instead.")
def diff(plan_a: Path, plan_b: Path, as_json: bool) -> None:
    """Print what changed from PLAN_A to PLAN_B (the same report as changes.md)."""
    from .export.changes import ChangeReport, changes_json, diff_plans, render_changes_md

    a, inst_a = _plan_and_instance(plan_a)
    b, inst_b = _plan_and_instance(plan_b)
    if (a.instance, a.year) != (b.instance, b.year):
        raise Fail(f"{plan_a} is a plan of {a.instance!r} for {a.year} and {plan_b} of "
                   f"{b.instance!r} for {b.year}: a diff compares two versions of one "
                   f"instance's plan for one year (e.g. a plan and its re-plan); give two "
                   f"such plan directories")
    report = ChangeReport(changes=diff_plans(a, b, inst_b, inst_a),
                          title=f"{plan_a.name} → {plan_b.name}")
    click.echo(changes_json(report) if as_json else render_changes_md(report, inst_b, inst_a))


@main.command("export")
@click.argument("plan_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Workbook to write (replaced atomically).")
def export_(plan_dir: Path, xlsx: Path) -> None:
    """Write PLAN_DIR as an Excel workbook: rotation, meetings, hosting grid, fairness,
    skipped slots, soft rules, unfilled demands (Chinese headers)."""
    from .export.plan_dir import OutputError
    from .export.summary import plan_warnings
    from .export.workbook import write_plan_workbook

    plan_, inst = _plan_and_instance(plan_dir)
    try:
        written = write_plan_workbook(inst, plan_, xlsx,
                                      plan_warnings(inst, plan_, plan_.solve.calendar_source))
    except OutputError as e:
        raise Fail(str(e)) from None
    click.echo(f"workbook written to {written}")


@main.command()
@click.argument("plan_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--base-url", required=True, help="Where SITE will be served, e.g. "
              "https://example.org/xinglian (feed URLs are <base-url>/feeds/<token>.ics).")
@click.option("--out", "site", type=click.Path(path_type=Path, file_okay=False),
              required=True, help="The public directory to write (upload it as it is).")
@click.option("--tokens", "tokens_db", type=click.Path(path_type=Path, dir_okay=False),
              help="Token database [default: SITE.private/tokens.db; or the workspace.db].")
@click.option("--revoke", multiple=True, metavar="ID", help="Stop this id's feed.")
@click.option("--regenerate", multiple=True, metavar="ID", help="Give this id a new URL.")
def publish(plan_dir: Path, base_url: str, site: Path, tokens_db: Path | None,
            revoke: tuple[str, ...], regenerate: tuple[str, ...]) -> None:
    """Write PLAN_DIR's calendars as secret subscription feeds for a static web host:
    SITE/feeds/<token>.ics, and for the clerk only SITE.private/ (index.html with every
    URL and QR code, cards.html to print, tokens.db). URLs stay the same across plans."""
    from .feeds.publish import publish as run

    _plan_and_instance(plan_dir)
    try:
        res = run(plan_dir, base_url, site, tokens_db=tokens_db, revoke=revoke,
                  regenerate=regenerate)
    except ValueError as e:
        raise Fail(str(e)) from None
    except OSError as e:
        raise Fail(f"cannot write {site}: {e.strerror or e}") from None
    click.echo(f"{res.feeds} feeds in {res.site / 'feeds'} ({res.written} written, "
               f"{res.unchanged} unchanged, {res.removed} removed); for the clerk only: "
               f"{res.private / 'index.html'}, {res.private / 'cards.html'}")


@main.command()
@click.argument("plan_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--caldav", "url", required=True, help="CalDAV server URL.")
@click.option("--user", required=True, help="The account that owns the calendars.")
@click.option("--person", "people", multiple=True, metavar="ID",
              help="Push only this person's calendar (repeatable).")
def push(plan_dir: Path, url: str, user: str, people: tuple[str, ...]) -> None:
    """Put each person's calendar of PLAN_DIR on a CalDAV server (collection
    xinglian-<id>), sending only events that changed and deleting those that left.
    The password is read from XINGLIAN_CALDAV_PASSWORD, else asked for."""
    import os

    from .feeds.push import PushError
    from .feeds.push import push as run

    _plan_and_instance(plan_dir)
    password = os.environ.get("XINGLIAN_CALDAV_PASSWORD")
    if password is None:
        password = click.prompt(f"CalDAV password for {user}", hide_input=True)
    try:
        res = run(plan_dir, url, user, password, people=people or None)
    except PushError as e:
        raise Fail(str(e)) from None
    except Exception as e:  # the caldav library's connection and auth errors
        raise Fail(f"{url}: {type(e).__name__}: {e}") from None
    click.echo(f"{res.calendars} calendars ({res.created_calendars} new): {res.put} events "
               f"sent, {res.deleted} deleted, {res.unchanged} unchanged")


@main.command()
@click.option("--scale", "-k", type=click.IntRange(min=1), required=True,
              help="Number of counties, each shaped like the bundled full instance.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
def generate(scale: int, seed: int, out: Path) -> None:
    """Write a scale instance of SCALE counties (deterministic for a seed)."""
    from .instances.generate import generate as make
    from .instances.generate import write

    inst = make(scale, seed)
    try:
        written = write(inst, out)
    except OSError as e:
        raise Fail(f"{out}: cannot write ({e.strerror or e})") from None
    click.echo(f"{inst.id}: {len(inst.people)} people, {len(inst.federations)} federations, "
               f"{len(inst.activities)} activities, {len(inst.children)} children -> {written}")


@main.command()
@click.argument("workspace", required=False, type=click.Path(path_type=Path, file_okay=False),
                default=Path("xinglian-workspace"))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but 127.0.0.1 lets other machines in.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--time-limit", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds per solve started from the workspace.")
def serve(workspace: Path, host: str, port: int, time_limit: float) -> None:
    """Start the office's workspace in the browser over WORKSPACE (a directory, default
    ./xinglian-workspace; created and seeded with the bundled default instance on first
    start). See docs/workspace.md."""
    from .web.serve import run
    from .web.workspace import WorkspaceError

    try:
        run(workspace, host=host, port=port, time_limit=time_limit)
    except WorkspaceError as e:
        raise Fail(str(e)) from None


@main.command()
@click.argument("what", type=click.Choice(["instance", "plan", "changes"]), default="instance")
def schema(what: str) -> None:
    """Print the JSON Schema of an instance file (or of plan.json, or a changes file)."""
    from .models import Instance, Plan
    from .models.changes import ChangeSet

    model = {"instance": Instance, "plan": Plan, "changes": ChangeSet}[what]
    click.echo(json.dumps(model.model_json_schema(), ensure_ascii=False, indent=2))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
