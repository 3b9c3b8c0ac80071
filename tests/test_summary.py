"""summary.md as a clerk reads it, and plan.json's warnings.

Fixture: tiny.yaml (2026) with shared-venue hosting at v-ximei-hall (a Women's Home,
fed-e1 hosting, contact p-e1 张晓燕). p-shared (黄美玲) sits on both presidiums, so the
rotation-load table names the base of each of her terms -- in full, e.g.
霞美片区产业基地妇联 (issue 15 saw ``福建省弘`` cut to four characters). The hand-made plan
has both bases' six terms, two meetings, three turns in March and April (two in March:
one grid cell with two turns), one caring-mother visit of p-e1 to child c-007 (named
王小明 in the instance: the name must never appear), three soft rules and a warning.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from xinglian.export.plan_dir import write_plan_dir
from xinglian.export.summary import RULE_TITLES, render_summary
from xinglian.models.instance import Instance
from xinglian.models.plan import (
    Care,
    CarePair,
    CareVisit,
    Hosting,
    Meeting,
    Penalty,
    Plan,
    RotationTerm,
    SolveInfo,
)
from xinglian.models.timeline import period_bounds

DATA = Path(__file__).parent / "data"
TZ = ZoneInfo("Asia/Shanghai")
CHAIRS = {
    "fed-ximei": ["p-a1", "p-shared", "p-a2", "p-a1", "p-shared", "p-a2"],
    "fed-shuinuan": ["p-b1", "p-b2", "p-shared", "p-b1", "p-b2", "p-b1"],
}


@pytest.fixture(scope="module")
def instance() -> Instance:
    data = yaml.safe_load((DATA / "tiny.yaml").read_text(encoding="utf-8"))
    for fed in data["federations"]:
        if fed["id"] == "fed-e1":
            fed["hosting"] = {"weight": 3, "contact": "p-e1"}
    for venue in data["venues"]:
        if venue["id"] == "v-ximei-hall":
            venue["kind"] = "womens_home"
            venue["slots"] = ["2nd and 4th Saturday 09:00-11:30"]
    for p in data["people"]:
        if p["id"] == "p-e1":
            p["caring_mother"] = True
    data["children"] = [{"code": "c-007", "name": "王小明", "address": "某村1号",
                         "town": "ximei", "age": 9}]
    data["care"] = {"festivals": [{"name": "六一", "date": "2026-06-01"},
                                  {"name": "中秋", "date": "2026-09-25"}]}
    return Instance.model_validate(data)


def at(month: int, day: int, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, h, m, tzinfo=TZ)


def turn(month: int, day: int, theme: str | None = None) -> Hosting:
    return Hosting(id=f"host-v-ximei-hall-2026-{month:02d}-{day:02d}", venue="v-ximei-hall",
                   federation="fed-e1", start=at(month, day, 9), end=at(month, day, 11, 30),
                   theme=theme)


@pytest.fixture(scope="module")
def plan() -> Plan:
    rotation = [
        RotationTerm(base=base, period=t, start=s, end=e, chair=chair)
        for base, chairs in CHAIRS.items()
        for t, ((s, e), chair) in enumerate(zip(period_bounds(2026, 2), chairs, strict=True),
                                            start=1)
    ]
    return Plan(
        instance="tiny-2026", year=2026, generated_at=dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC),
        solve=SolveInfo(status="OPTIMAL", objective=175, bound=175.0, gap=0.0, seed=7,
                        calendar_source="chinesecalendar 1.10"),
        rotation=tuple(rotation),
        meetings=(
            Meeting(id="mtg-fed-ximei-q1", base="fed-ximei", quarter=1,
                    start=at(3, 10, 14, 30), end=at(3, 10, 16, 30), venue="v-ximei-hall",
                    host="p-shared", attendees=("p-a1", "p-shared"), absent=("p-a2",)),
            Meeting(id="mtg-fed-shuinuan-q2", base="fed-shuinuan", quarter=2,
                    start=at(5, 12, 9), end=at(5, 12, 11), venue="v-lc-hall",
                    host="p-shared", attendees=("p-b1", "p-shared"), absent=("p-b2",)),
        ),
        hosting=(turn(3, 14, "三八妇女节"), turn(3, 28), turn(4, 11)),
        care=Care(pairs=(CarePair(mother="p-e1", child="c-007"),),
                  visits=(CareVisit(id="visit-c-007-2026-q1-meet", mother="p-e1",
                                    child="c-007", kind="meet", start=at(2, 20, 10),
                                    end=at(2, 20, 11, 30)),)),
        penalties=(
            Penalty(rule="short_gap", weight=10, amount=3, cost=30,
                    worst=("黄美玲 在 中国水暖城妇联 第2–4期内多次轮值", "王雅琴 第1–4期")),
            Penalty(rule="missed_attendance", weight=20, amount=2, cost=40),
            Penalty(rule="hosting_share", weight=10, amount=0, cost=0),
        ),
        warnings=("计划自带的提示",),
    )


@pytest.fixture(scope="module")
def text(instance, plan) -> str:
    return render_summary(instance, plan, ["另一条提示"])


def headings(text: str) -> list[str]:
    return [line[3:].split(" ")[0] for line in text.splitlines() if line.startswith("## ")]


def section(text: str, title: str) -> str:
    """The lines of the ``## title`` section, up to the next ``## ``."""
    m = re.search(rf"^## {re.escape(title)}.*?$(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, title
    return m.group(1)


def test_the_plan_comes_first_and_the_solver_figures_last(text):
    assert headings(text)[:6] == ["轮值主席", "联席会", "阵地轮流主办", "提示", "爱心妈妈",
                                  "个人职责"]
    assert headings(text)[-1] == "求解信息"
    before, after = text.split("## 求解信息", 1)
    for figure in ("OPTIMAL", "objective", "bound", "seed", "chinesecalendar 1.10"):
        assert figure not in before and figure in after, figure
    assert "| OPTIMAL | 175 | 175 | 0.00% |" in after and "| 7 (workers 1) |" in after


def test_soft_rules_by_title_in_chinese_and_english_never_by_key(text):
    rules = section(text, "软约束")
    assert f"| {RULE_TITLES['short_gap']} / chair again too soon (rotation order) | 10 | 3 | 30 |" \
        in rules
    assert "joint-meeting absences" in rules
    for key in ("short_gap", "missed_attendance", "hosting_share", "volunteer_overload"):
        assert key not in text
    # Several worst cases in one cell, without markup.
    assert "黄美玲 在 中国水暖城妇联 第2–4期内多次轮值；王雅琴 第1–4期" in rules
    assert "| 合计 total | | | 70 | |" in rules


def test_names_are_never_cut_short(text):
    load = section(text, "轮值负担")
    row = next(line for line in load.splitlines() if line.startswith("| 黄美玲 (p-shared)"))
    # Her terms: fed-ximei periods 2 and 5, fed-shuinuan period 3, each base in full.
    assert "2（霞美片区产业基地妇联）、3（中国水暖城妇联）、5（霞美片区产业基地妇联）" in row


def test_hosting_grid_has_no_raw_html(text):
    hosting = section(text, "阵地轮流主办")
    assert "<br" not in text and "<" not in hosting
    row = next(line for line in hosting.splitlines() if line.startswith("| 霞美镇妇女之家会议室"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 13
    # March: two turns in one cell, joined by a full-width semicolon.
    assert cells[3] == "14日 某光伏企业（三八妇女节）；28日 某光伏企业"
    assert cells[1] == "—" and cells[4] == "11日 某光伏企业"


def test_each_person_has_her_duty_list(text):
    duties = section(text, "个人职责")
    shared = re.search(r"^### 黄美玲 \(p-shared\)$(.*?)(?=^### |\Z)", duties, re.S | re.M)[1]
    assert "- 轮值主席 rotating chair（3）：" in shared
    assert "2026-03-01 至 2026-04-30 霞美片区产业基地妇联 第2期（3–4月）" in shared
    assert "- 主持联席会 hosts joint meeting（2）：" in shared
    assert "2026-03-10 周二 14:30–16:30 霞美片区产业基地妇联 第1季度联席会 · 霞美镇妇女之家会议室" \
        in shared
    contact = re.search(r"^### 张晓燕 \(p-e1\)$(.*?)(?=^### |\Z)", duties, re.S | re.M)[1]
    assert "- 主办联系人 hosting contact（3）：" in contact
    assert "2026-03-14 周六 09:00–11:30 霞美镇妇女之家会议室（某光伏企业妇联） · 主题：三八妇女节" \
        in contact
    # The child by code only.
    assert "- 爱心妈妈走访 caring-mother visit：2026-02-20 周五 10:00–11:30 儿童 c-007 · 见面" \
        in contact
    absent = re.search(r"^### 林秀英 \(p-a2\)$(.*?)(?=^### |\Z)", duties, re.S | re.M)[1]
    assert "联席会请假 away on a joint meeting：2026-03-10" in absent
    assert "王小明" not in text and "某村" not in text


def test_warnings_are_listed_once_in_order(text, instance, plan):
    warn = section(text, "提示")
    assert [line[2:] for line in warn.splitlines() if line.startswith("- ")] == [
        "计划自带的提示", "另一条提示"]
    # A plan read back already carries them: no duplicates.
    again = plan.model_copy(update={"warnings": ("计划自带的提示", "另一条提示")})
    assert render_summary(instance, again, ["另一条提示"]).count("另一条提示") == 1


def test_plan_json_carries_the_warnings_the_summaries_list(instance, plan, tmp_path):
    out = write_plan_dir(instance, plan, tmp_path / "plan", ["另一条提示", "第三条 & <提示>"])
    data = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    expected = ["计划自带的提示", "另一条提示", "第三条 & <提示>"]
    assert data["warnings"] == expected
    md = section((out / "summary.md").read_text(encoding="utf-8"), "提示")
    assert [line[2:] for line in md.splitlines() if line.startswith("- ")] == expected
    html = (out / "summary.html").read_text(encoding="utf-8")
    warn = re.search(r'<section id="warnings".*?</section>', html, re.S)[0]
    assert re.findall(r"<li>(.*?)</li>", warn) == [
        "计划自带的提示", "另一条提示", "第三条 &amp; &lt;提示&gt;"]
    # Still a valid plan: the model reads it back, and it meets `xinglian schema plan`.
    assert Plan.model_validate(data).warnings == tuple(expected)
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(subprocess.run(
        [sys.executable, "-m", "xinglian", "schema", "plan"], capture_output=True, text=True,
        check=True).stdout)
    jsonschema.validate(data, schema)
    # Writing the read-back plan again does not double them.
    again = write_plan_dir(instance, Plan.model_validate(data), tmp_path / "plan2",
                           ["另一条提示"])
    assert json.loads((again / "plan.json").read_text(encoding="utf-8"))["warnings"] == expected
