"""The Excel workbook: read it back with openpyxl and pandas, never compare bytes.

Fixture: tiny.yaml (2026, two-month periods) with user text that looks like spreadsheet
formulas -- the venue v-ximei-hall is named ``=HYPERLINK("http://x")``, p-a1 is
``+86 王``, p-b1 is ``@张`` and fed-e1 is ``-1 企业妇联`` -- and shared-venue hosting
(v-ximei-hall a Women's Home, fed-e1 hosting there, contact p-e1). The hand-made plan
has both bases' six rotation terms, two joint meetings, three hosting turns, one
skipped slot, two soft-rule penalties, one volunteering row, one unfilled demand and
one caring-mother visit to the child with code c-007.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
import yaml

from xinglian.export import workbook as wbmod
from xinglian.export.plan_dir import OutputError
from xinglian.export.workbook import SHEETS, text_width, write_plan_workbook
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
    SkippedSlot,
    SolveInfo,
    Unfilled,
    Volunteering,
)
from xinglian.models.timeline import period_bounds

DATA = Path(__file__).parent / "data"
TZ = ZoneInfo("Asia/Shanghai")
VENUE_NAME = '=HYPERLINK("http://x")'
CHAIRS = {
    "fed-ximei": ["p-a1", "p-shared", "p-a2", "p-a1", "p-shared", "p-a2"],
    "fed-shuinuan": ["p-b1", "p-b2", "p-shared", "p-b1", "p-b2", "p-b1"],
}
HEADERS = {
    "概况": ["项目", "内容"],
    "轮值主席": ["基地", "第1期（1–2月）", "第2期（3–4月）", "第3期（5–6月）", "第4期（7–8月）",
             "第5期（9–10月）", "第6期（11–12月）"],
    "轮值明细": ["基地", "基地编号", "期次", "开始", "结束", "轮值主席", "人员编号"],
    "联席会": ["季度", "基地", "日期", "星期", "时间", "场地", "主持人", "参会人数", "请假人员",
            "参会人员", "编号"],
    "阵地主办": ["场地", "类型", "镇"] + [f"{m}月" for m in range(1, 13)],
    "主办明细": ["编号", "场地", "类型", "镇", "日期", "星期", "时间", "主办单位", "联系人",
             "主题"],
    "个人职责": ["人员", "人员编号", "职责", "时间", "内容"],
    "主办公平": ["主办单位", "编号", "规模权重", "上年次数", "本年次数", "份额", "含结转份额",
             "组", "说明"],
    "跳过场次": ["编号", "场地", "类型", "日期", "星期", "时间", "原因"],
    "软约束": ["规则", "rule", "权重", "数量", "代价", "主要情形"],
    "未满足": ["事项", "缺少", "原因"],
    "志愿者": ["日期", "星期", "时间", "活动", "类型", "镇街", "场地", "岗位", "志愿者", "人员编号",
            "所属妇联", "活动编号"],
    "志愿者公平": ["志愿者", "人员编号", "所属妇联", "镇街", "活动数", "时长（小时）",
              "最忙月份活动数", "每月上限", "有带队经验"] + [f"{m}月" for m in range(1, 13)],
    "爱心妈妈结对": ["爱心妈妈", "人员编号", "妈妈所在镇", "儿童代码", "儿童所在镇", "与上年相比",
               "见面", "谈心", "过节", "走访次数"],
    "关爱走访": ["编号", "爱心妈妈", "人员编号", "儿童代码", "类型", "日期", "星期", "时间",
             "儿童所在镇"],
}


def tiny_data() -> dict:
    data = yaml.safe_load((DATA / "tiny.yaml").read_text(encoding="utf-8"))
    names = {"p-a1": "+86 王", "p-b1": "@张"}
    for p in data["people"]:
        p["name"] = names.get(p["id"], p["name"])
    for fed in data["federations"]:
        if fed["id"] == "fed-e1":
            fed["name"] = "-1 企业妇联"
            fed["hosting"] = {"weight": 3, "contact": "p-e1"}
    for venue in data["venues"]:
        if venue["id"] == "v-ximei-hall":
            venue["name"] = VENUE_NAME
            venue["kind"] = "womens_home"
            venue["slots"] = ["2nd and 4th Saturday 09:00-11:30"]
    return data


@pytest.fixture(scope="module")
def instance() -> Instance:
    return Instance.model_validate(tiny_data())


def at(month: int, day: int, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, h, m, tzinfo=TZ)


def turn(month: int, day: int, theme: str | None = None) -> Hosting:
    return Hosting(id=f"host-v-ximei-hall-2026-{month:02d}-{day:02d}", venue="v-ximei-hall",
                   federation="fed-e1", start=at(month, day, 9), end=at(month, day, 11, 30),
                   theme=theme)


def make_plan() -> Plan:
    rotation = [
        RotationTerm(base=base, period=t, start=s, end=e, chair=chair)
        for base, chairs in CHAIRS.items()
        for t, ((s, e), chair) in enumerate(zip(period_bounds(2026, 2), chairs, strict=True),
                                            start=1)
    ]
    meetings = [
        Meeting(id="mtg-fed-ximei-q1", base="fed-ximei", quarter=1, start=at(3, 10, 14, 30),
                end=at(3, 10, 16, 30), venue="v-ximei-hall", host="p-shared",
                attendees=("p-a1", "p-shared", "p-e1", "p-t1"), absent=("p-a2",)),
        Meeting(id="mtg-fed-shuinuan-q2", base="fed-shuinuan", quarter=2,
                start=at(5, 12, 9), end=at(5, 12, 11), venue="v-lc-hall", host="p-shared",
                attendees=("p-b1", "p-shared"), absent=("p-b2",)),
    ]
    return Plan(
        instance="tiny-2026", year=2026, generated_at=dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC),
        solve=SolveInfo(status="OPTIMAL", objective=42, bound=40.0, gap=0.0476,
                        wall_seconds=1.5, calendar_source="chinesecalendar"),
        rotation=tuple(rotation), meetings=tuple(meetings),
        hosting=(turn(3, 14, "三八妇女节"), turn(3, 28), turn(4, 11, "=1+1 讲座")),
        hosting_skipped=(SkippedSlot(id="host-v-ximei-hall-2026-05-09", venue="v-ximei-hall",
                                     start=at(5, 9, 9), end=at(5, 9, 11, 30),
                                     why="调休上班日 make-up working day"),),
        volunteering=(Volunteering(activity="act-042", person="p-b2", role="first-aid"),),
        care=Care(pairs=(CarePair(mother="p-e1", child="c-007"),),
                  visits=(CareVisit(id="visit-c-007-2026-q1-meet", mother="p-e1",
                                    child="c-007", kind="meet", start=at(2, 20, 10),
                                    end=at(2, 20, 11, 30)),)),
        unfilled=(Unfilled(what="activity act-101", missing="2 x first-aid",
                           why="no volunteer free"),),
        penalties=(
            Penalty(rule="back_to_back", weight=100, amount=0, cost=0),
            Penalty(rule="missed_attendance", weight=20, amount=2, cost=40,
                    worst=("林秀英 缺席 霞美 Q1", "-李淑芬 缺席 水暖城 Q2")),
        ),
        warnings=("@提示：这是一条提示",),
    )


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan()


@pytest.fixture(scope="module")
def xlsx(instance, plan, tmp_path_factory) -> Path:
    return write_plan_workbook(instance, plan, tmp_path_factory.mktemp("wb") / "plan.xlsx")


@pytest.fixture(scope="module")
def book(xlsx) -> openpyxl.Workbook:
    return openpyxl.load_workbook(xlsx)


@pytest.fixture(scope="module")
def frames(xlsx) -> dict[str, pd.DataFrame]:
    return pd.read_excel(xlsx, sheet_name=None)


def rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


# -- shape -------------------------------------------------------------------------------


def test_sheet_names_in_order(book, frames):
    assert tuple(book.sheetnames) == SHEETS
    assert tuple(frames) == SHEETS


def test_every_sheet_has_its_chinese_header_row(book, frames):
    for name, header in HEADERS.items():
        assert [c.value for c in book[name][1]] == header, name
        assert list(frames[name].columns) == header, name


def test_header_rows_are_frozen_and_grids_freeze_their_label_columns(book):
    expected = {name: "A2" for name in SHEETS} | {"轮值主席": "B2", "阵地主办": "D2",
                                                  "志愿者公平": "C2"}
    assert {ws.title: ws.freeze_panes for ws in book.worksheets} == expected


def test_page_setup_prints_a4_landscape_with_repeated_header(book):
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.print_title_rows == "$1:$1", ws.title


def test_page_margins_hold_header_and_footer_and_grid_breaks_by_quarter(book):
    for ws in book.worksheets:
        m = ws.page_margins
        assert m.top - m.header >= 0.4 and m.bottom - m.footer >= 0.4, ws.title
        assert ws.oddHeader.center.text.endswith(f" · {ws.title}")
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    grid = book["阵地主办"]
    # Printed at 100 %, not fitted: venue, kind and town repeat left of every quarter.
    assert not grid.sheet_properties.pageSetUpPr.fitToPage
    assert grid.page_setup.scale == 100
    assert grid.print_title_cols == "$A:$C"
    assert [b.id for b in grid.col_breaks.brk] == [6, 9, 12]  # after 3月, 6月, 9月
    assert all(grid.cell(2, j).font.sz >= 10 for j in range(1, 16))


def test_columns_are_sized_for_cjk(book):
    assert text_width("霞美镇") == 6 and text_width("ab\n霞c") == 3
    ws = book["轮值明细"]
    # Column A holds base names, the longest being 霞美片区产业基地妇联 (10 CJK = 20).
    assert ws.column_dimensions["A"].width >= 20


def test_empty_sections_are_sheets_with_headers(instance, tmp_path):
    bare = Plan(instance="tiny-2026", year=2026, solve=SolveInfo(status="FEASIBLE"))
    frames = pd.read_excel(write_plan_workbook(instance, bare, tmp_path / "bare.xlsx"),
                           sheet_name=None)
    for name in ("轮值明细", "联席会", "主办明细", "跳过场次", "软约束", "未满足", "志愿者",
                 "志愿者公平", "爱心妈妈结对", "关爱走访"):
        assert list(frames[name].columns) == HEADERS[name], name
        assert frames[name].empty, name
    # The grid keeps one row per base and one column per period, with no chair.
    grid = frames["轮值主席"]
    assert len(grid) == 2 and set(grid.iloc[:, 1:].to_numpy().ravel()) == {"—"}


# -- content -----------------------------------------------------------------------------


def test_rotation_grid_matches_the_plan(instance, plan, book):
    ws = book["轮值主席"]
    names = {p.id: p.name for p in instance.people}
    grid = {r[0]: r[1:] for r in rows(ws)}
    assert list(grid) == [b.name for b in instance.bases]
    for t in plan.rotation:
        base = instance.federation(t.base).name
        assert grid[base][t.period - 1] == names[t.chair]


def test_rotation_long_table_has_one_row_per_term(plan, frames):
    df = frames["轮值明细"]
    assert len(df) == len(plan.rotation)
    got = {(r.基地编号, int(r.期次), r.人员编号) for r in df.itertuples()}
    assert got == {(t.base, t.period, t.chair) for t in plan.rotation}
    first = df.iloc[0]
    assert pd.Timestamp(first["开始"]).date() == dt.date(2026, 1, 1)
    assert pd.Timestamp(first["结束"]).date() == dt.date(2026, 2, 28)


def test_meetings_sheet(frames):
    df = frames["联席会"]
    assert list(df["季度"]) == ["第1季度", "第2季度"]
    first = df.iloc[0]
    assert first["星期"] == "周二" and first["时间"] == "14:30–16:30"
    assert first["主持人"] == "黄美玲" and first["参会人数"] == 4
    assert first["请假人员"] == "林秀英"
    assert first["场地"] == VENUE_NAME


def test_hosting_grid_and_long_table(frames):
    grid = frames["阵地主办"]
    assert list(grid["场地"]) == [VENUE_NAME]
    row = grid.iloc[0]
    assert row["3月"] == "14日 -1 企业（三八妇女节）\n28日 -1 企业"
    assert row["1月"] == "—"
    long = frames["主办明细"]
    assert list(long["编号"]) == ["host-v-ximei-hall-2026-03-14", "host-v-ximei-hall-2026-03-28",
                                "host-v-ximei-hall-2026-04-11"]
    assert set(long["联系人"]) == {"张晓燕"} and set(long["类型"]) == {"妇女之家"}
    assert long.iloc[2]["主题"] == "=1+1 讲座"


def test_duty_sheet_has_one_row_per_duty_and_children_by_code(frames, plan):
    df = frames["个人职责"]
    shared = df[df["人员编号"] == "p-shared"]
    # p-shared chairs fed-ximei in periods 2 and 5 and fed-shuinuan in 3; hosts both meetings.
    assert list(shared["职责"]) == ["轮值主席"] * 3 + ["主持联席会"] * 2
    assert shared.iloc[0]["时间"] == "2026-03-01 至 2026-04-30"
    contact = df[df["人员编号"] == "p-e1"]
    # p-e1 runs fed-e1's three turns, attends the Q1 meeting and visits c-007 once.
    assert sorted(contact["职责"]) == sorted(["主办联系人"] * 3 + ["参加联席会", "爱心妈妈走访"])
    assert "儿童 c-007 · 见面" in set(contact["内容"])
    assert len(df) == (len(plan.rotation) + sum(len(m.attendees) + len(m.absent)
                                                for m in plan.meetings)
                       + len(plan.hosting) + len(plan.volunteering) + len(plan.care.visits))


def test_fairness_sheet_lists_each_hosting_federation(frames):
    df = frames["主办公平"]
    assert list(df["编号"]) == ["fed-e1"]
    assert df.iloc[0]["本年次数"] == 3 and df.iloc[0]["规模权重"] == 3


def test_skipped_rules_unfilled_volunteers(frames):
    assert frames["跳过场次"].iloc[0]["原因"] == "调休上班日 make-up working day"
    rules = frames["软约束"]
    # By their titles in Chinese and English, not their keys.
    assert list(rules["规则"]) == ["连任（同一人连续两期）", "联席会缺席人次"]
    assert rules.iloc[1]["rule"] == "joint-meeting absences" and rules.iloc[1]["代价"] == 40
    assert rules.iloc[1]["主要情形"] == "林秀英 缺席 霞美 Q1\n-李淑芬 缺席 水暖城 Q2"
    assert frames["未满足"].iloc[0]["缺少"] == "2 x first-aid"
    vol = frames["志愿者"].iloc[0]
    # act-042 is not in the instance: shown by its id, without a date.
    assert (vol["志愿者"], vol["人员编号"], vol["岗位"], vol["活动"]) == (
        "李淑芬", "p-b2", "first-aid", "act-042")
    assert pd.isna(vol["日期"])


def test_children_appear_by_code_only(frames, book):
    df = frames["关爱走访"]
    assert list(df["儿童代码"]) == ["c-007"]
    assert df.iloc[0]["爱心妈妈"] == "张晓燕" and df.iloc[0]["类型"] == "见面"
    # The child column holds exactly the code (no name column, nothing looked up).
    assert [c.value for c in book["关爱走访"]["D"]][1:] == ["c-007"]


def test_overview_sheet_has_status_and_warnings(frames):
    df = frames["概况"]
    kv = dict(zip(df["项目"], df["内容"], strict=True))
    assert kv["求解状态"] == "OPTIMAL" and kv["目标值"] == 42
    assert kv["差距"] == "4.76%" and kv["节假日来源"] == "chinesecalendar"
    assert kv["提示"] == "@提示：这是一条提示"


# -- formula injection --------------------------------------------------------------------


def test_formula_looking_user_text_stays_text(book, frames, xlsx):
    looks_like_formula = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str) and c.value[:1] in "=+-@":
                    looks_like_formula.append(c.value)
    assert {VENUE_NAME, "+86 王", "@张", "-1 企业妇联", "=1+1 讲座",
            "@提示：这是一条提示"} <= set(looks_like_formula)
    # No formula element anywhere in the file itself.
    with zipfile.ZipFile(xlsx) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    grid = frames["轮值主席"]
    assert grid.iloc[0]["第1期（1–2月）"] == "+86 王"
    assert grid.iloc[1]["第1期（1–2月）"] == "@张"
    assert frames["主办明细"].iloc[0]["场地"] == VENUE_NAME


def test_formula_looking_cells_carry_excels_quote_prefix(book):
    cell = book["主办明细"]["B2"]
    assert cell.value == VENUE_NAME and cell.data_type == "s" and cell.quotePrefix


# -- atomic write --------------------------------------------------------------------------


def test_write_replaces_the_file_and_leaves_no_temp_files(instance, plan, tmp_path):
    out = tmp_path / "plan.xlsx"
    out.write_bytes(b"old")
    assert write_plan_workbook(instance, plan, out) == out.resolve()
    assert zipfile.is_zipfile(out)
    write_plan_workbook(instance, plan, out)
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


def test_failed_write_keeps_the_old_file_and_no_temp_files(instance, plan, tmp_path,
                                                           monkeypatch):
    out = tmp_path / "plan.xlsx"
    out.write_bytes(b"old")

    def broken_save(self, filename):
        Path(filename).write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wbmod.Workbook, "save", broken_save)
    with pytest.raises(OutputError, match="No space left"):
        write_plan_workbook(instance, plan, out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


def test_writing_onto_a_directory_is_refused(instance, plan, tmp_path):
    with pytest.raises(OutputError, match="is a directory"):
        write_plan_workbook(instance, plan, tmp_path)


# -- a solved plan -------------------------------------------------------------------------


def test_workbook_of_a_solved_plan(instance, tmp_path):
    from xinglian.solver import solve

    result = solve(instance, time_limit=20, workers=1)
    assert result.plan is not None
    solved = result.plan
    frames = pd.read_excel(write_plan_workbook(instance, solved, tmp_path / "p.xlsx"),
                           sheet_name=None)
    assert len(frames["轮值明细"]) == len(solved.rotation) == 12
    assert len(frames["联席会"]) == len(solved.meetings)
    assert len(frames["主办明细"]) == len(solved.hosting)
    assert len(frames["跳过场次"]) == len(solved.hosting_skipped)
    assert frames["主办公平"].iloc[0]["本年次数"] == len(solved.hosting)


# -- volunteering and caring mothers -------------------------------------------------------
#
# tiny_data() plus volunteers p-b2 (fed-shuinuan, experienced) and p-t1 (no federation),
# act-1 (2026-07-04 09:00-11:30 at the =HYPERLINK venue; roles 急救 then 宣讲) and
# act-2 (2026-07-18 14:00-16:00 in luncang; role 慰问). p-t1 holds 宣讲 in both, p-b2 急救
# in act-1: p-t1 has 2 activities (4.5 h), p-b2 1 (2.5 h). Child c-007 (ximei, named
# 王小明 in the instance) is paired with p-e1, who had her last year too.


@pytest.fixture(scope="module")
def vc_instance() -> Instance:
    data = tiny_data()
    for p in data["people"]:
        if p["id"] == "p-b2":
            p["volunteer"] = {"federation": "fed-shuinuan", "experienced": True}
        if p["id"] == "p-t1":
            p["volunteer"] = {"max_activities_per_month": 3}
        if p["id"] == "p-e1":
            p["caring_mother"] = True
    data["activities"] = [
        {"id": "act-1", "kind": "volunteer_service", "title": "=防溺水宣传", "date": "2026-07-04",
         "start": "09:00", "end": "11:30", "venue": "v-ximei-hall",
         "roles": [{"role": "急救"}, {"role": "宣讲"}]},
        {"id": "act-2", "kind": "military_family", "title": "拥军优属慰问", "date": "2026-07-18",
         "start": "14:00", "end": "16:00", "town": "luncang", "roles": [{"role": "慰问"}]},
    ]
    data["children"] = [{"code": "c-007", "name": "王小明", "address": "某村1号", "town": "ximei",
                         "age": 9}]
    data["care"] = {"festivals": [{"name": "六一", "date": "2026-06-01"},
                                  {"name": "中秋", "date": "2026-09-25"}]}
    data["history"]["care"] = [{"mother": "p-e1", "child": "c-007", "year": 2025}]
    return Instance.model_validate(data)


@pytest.fixture(scope="module")
def vc_frames(vc_instance, plan, tmp_path_factory) -> dict[str, pd.DataFrame]:
    vc = plan.model_copy(update={"volunteering": (
        Volunteering(activity="act-2", person="p-t1", role="慰问"),
        Volunteering(activity="act-1", person="p-t1", role="宣讲"),
        Volunteering(activity="act-1", person="p-b2", role="急救"))})
    path = write_plan_workbook(vc_instance, vc, tmp_path_factory.mktemp("vc") / "vc.xlsx")
    return pd.read_excel(path, sheet_name=None)


def test_volunteer_sheet_has_one_row_per_assignment_by_date_and_role(vc_frames):
    df = vc_frames["志愿者"]
    assert list(zip(df["活动编号"], df["岗位"], df["志愿者"], strict=True)) == [
        ("act-1", "急救", "李淑芬"), ("act-1", "宣讲", "吴春梅"), ("act-2", "慰问", "吴春梅")]
    first = df.iloc[0]
    assert pd.Timestamp(first["日期"]).date() == dt.date(2026, 7, 4)
    assert (first["星期"], first["时间"], first["类型"]) == ("周六", "09:00–11:30", "志愿服务")
    assert (first["活动"], first["场地"]) == ("=防溺水宣传", VENUE_NAME)
    assert first["所属妇联"] == "中国水暖城妇联"
    assert df.iloc[2]["镇街"] == "仑苍镇" and pd.isna(df.iloc[2]["场地"])


def test_volunteer_fairness_sheet_ranks_by_load(vc_frames):
    df = vc_frames["志愿者公平"]
    assert list(df["人员编号"]) == ["p-t1", "p-b2"]
    t1 = df.iloc[0]
    assert (t1["活动数"], t1["时长（小时）"], t1["最忙月份活动数"], t1["每月上限"]) == (
        2, 4.5, 2, 3)
    assert t1["7月"] == 2 and t1["有带队经验"] == "否" and df.iloc[1]["有带队经验"] == "是"


def test_pairs_and_visits_sheets_show_code_and_town_only(vc_frames):
    pairs = vc_frames["爱心妈妈结对"]
    row = pairs.iloc[0]
    assert (row["爱心妈妈"], row["儿童代码"], row["儿童所在镇"], row["与上年相比"]) == (
        "张晓燕", "c-007", "霞美镇", "续结")
    assert row["见面"] == "2-20" and row["走访次数"] == 1
    visits = vc_frames["关爱走访"]
    assert list(visits["儿童所在镇"]) == ["霞美镇"]
    text = "".join(df.to_csv() for df in vc_frames.values())
    assert "王小明" not in text and "某村" not in text


def test_overview_counts_volunteering_and_care(vc_frames):
    kv = dict(zip(vc_frames["概况"]["项目"], vc_frames["概况"]["内容"], strict=True))
    assert (kv["志愿者安排（人次）"], kv["爱心妈妈结对"], kv["关爱走访"]) == (3, 1, 1)
