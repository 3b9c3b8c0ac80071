"""What the pages show, read from plan directories (cached per directory).

Plan directories never change once written, so everything read from one is cached by
its path and the modification time of its plan.json.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import threading
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..export.ics import CalEvent, build_events
from ..export.views import Names, periods
from ..models import Instance, Plan, load_instance, load_plan
from .workspace import TZ

_lock = threading.Lock()


def _stamp(plan_dir: Path) -> float:
    return (plan_dir / "plan.json").stat().st_mtime


@dataclass(frozen=True)
class Loaded:
    plan: Plan
    instance: Instance
    names: Names
    events_by_person: dict[str, list[CalEvent]]
    summary_css: str
    summary_body: str


@lru_cache(maxsize=8)
def _load(plan_dir: str, stamp: float) -> Loaded:
    d = Path(plan_dir)
    plan = load_plan(d)
    inst = load_instance(d / "instance.json")
    by_person: dict[str, list[CalEvent]] = defaultdict(list)
    for ev in build_events(inst, plan):
        for pid in ev.people:
            by_person[pid].append(ev)
    text = (d / "summary.html").read_text(encoding="utf-8")
    css = _between(text, "<style>", "</style>")
    body = _between(text, "<body>", "</body>")
    # The page shows its own rotation table (with links to the person pages) and title.
    body = re.sub(r'<section id="rotation".*?</section>', "", body, count=1, flags=re.S)
    body = re.sub(r"<h1>.*?</h1>", "", body, count=1, flags=re.S)
    return Loaded(plan, inst, Names(inst), dict(by_person), css, body)


def _between(text: str, a: str, b: str) -> str:
    i = text.find(a)
    j = text.rfind(b)
    return text[i + len(a):j] if i >= 0 and j > i else ""


def load(plan_dir: Path) -> Loaded:
    """The plan, instance, events by person and summary.html of a plan directory."""
    with _lock:
        return _load(str(plan_dir), _stamp(plan_dir))


# -- the person page ----------------------------------------------------------------------


@dataclass(frozen=True)
class Duty:
    when: str
    what: str
    where: str
    kind: str
    month: int
    duty: str = ""
    """The duty id "who can cover" takes (web/cover.py), "" for none."""


KIND_ZH = {"轮值主席": "rotation", "联席会": "meeting", "轮值主办": "hosting",
           "巾帼志愿者": "volunteering", "爱心妈妈": "care"}


def _when(ev: CalEvent) -> tuple[str, int]:
    if ev.all_day:
        last = ev.end - dt.timedelta(days=1)
        return f"{ev.start:%m-%d} – {last:%m-%d}", ev.start.month
    start = ev.start.astimezone(TZ)
    end = ev.end.astimezone(TZ)
    wd = "一二三四五六日"[start.weekday()]
    return f"{start:%m-%d} 周{wd} {start:%H:%M}–{end:%H:%M}", start.month


def person_duties(loaded: Loaded, pid: str) -> list[Duty]:
    """Every event of the person's year, in order (children appear by code only: the
    calendar events never carry a child's name)."""
    from .cover import uid_duties

    out = []
    ids = uid_duties(loaded.plan)
    for ev in loaded.events_by_person.get(pid, []):
        when, month = _when(ev)
        kind = KIND_ZH.get(ev.categories[0], "other") if ev.categories else "other"
        out.append(Duty(when, ev.summary, ev.location, kind, month, ids.get(ev.uid, "")))
    return out


def people_index(loaded: Loaded) -> list[tuple[str, str, int]]:
    """(id, name, number of duties) of everyone with a duty, by name."""
    rows = [(pid, loaded.names.person(pid), len(evs))
            for pid, evs in loaded.events_by_person.items()]
    return sorted(rows, key=lambda r: (r[1], r[0]))


def rotation_rows(loaded: Loaded) -> tuple[list[str], list[tuple[str, list[tuple[str, str]]]]]:
    """Period labels and, per base, (chair id, chair name) per period."""
    labels = [p.label for p in periods(loaded.instance)]
    chair = {(t.base, t.period): t.chair for t in loaded.plan.rotation}
    rows = []
    for b in loaded.instance.bases:
        cells = []
        for p in range(1, len(labels) + 1):
            pid = chair.get((b.id, p), "")
            cells.append((pid, loaded.names.person(pid) if pid else "—"))
        rows.append((loaded.names.federation(b.id), cells))
    return labels, rows


# -- change reports ----------------------------------------------------------------------


def markdown(text: str) -> str:
    """The small Markdown of changes.md (headings, bullets, bold) as HTML, escaped."""
    out: list[str] = []
    in_list = False
    for line in text.splitlines():
        esc = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html.escape(line))
        if line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{esc[2:]}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith("## "):
            out.append(f"<h3>{esc[3:]}</h3>")
        elif line.startswith("# "):
            out.append(f"<h2>{esc[2:]}</h2>")
        elif line.strip():
            out.append(f"<p>{esc}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def notices(plan_dir: Path) -> list[dict[str, Any]]:
    """Per person: her changed duties (from changes.json), with her name."""
    path = plan_dir / "changes.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    loaded = load(plan_dir)
    by: dict[str, list[str]] = defaultdict(list)
    for c in data.get("changes", []):
        for pid in c.get("people", []):
            by[pid].append(c["text"])
    return [{"id": pid, "name": loaded.names.person(pid), "lines": lines,
             "has_update": (plan_dir / "updates" / f"person-{pid}.ics").is_file()}
            for pid, lines in sorted(by.items(), key=lambda kv: loaded.names.person(kv[0]))]


def diff_markdown(a_dir: Path, b_dir: Path, title: str) -> tuple[str, int]:
    from ..export.changes import ChangeReport, diff_plans, render_changes_md

    a, b = load(a_dir), load(b_dir)
    report = ChangeReport(changes=diff_plans(a.plan, b.plan, b.instance, a.instance),
                          title=title)
    return render_changes_md(report, b.instance, a.instance), len(report.changes)


def calendars_zip(plan_dir: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for sub in ("calendars", "updates"):
            for f in sorted((plan_dir / sub).glob("*.ics")) if (plan_dir / sub).is_dir() else []:
                zf.write(f, f"{sub}/{f.name}")
    return buf.getvalue()


def effective_day(year: int) -> dt.date:
    """Today in Asia/Shanghai, moved into the plan year (for the changes form)."""
    today = dt.datetime.now(TZ).date()
    return min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))
