"""Spreadsheet input: the template, workbooks and CSV folders in, every field back out.

Files are generated in ``tmp_path``; ``data/tabular/tiny/`` is the one hand-typed CSV
folder (the instance of ``data/tabular/tiny.yaml`` as an office would type it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from xinglian.models import InputError, Instance, load_instance
from xinglian.tabular import (
    example_instance,
    load_any,
    load_tables,
    write_instance_csv,
    write_instance_workbook,
    write_instance_yaml,
    write_template,
)
from xinglian.tabular import schema as S
from xinglian.tabular.cells import CellError, parse_bool, parse_date, parse_id_list, parse_time
from xinglian.tabular.reader import _inner_model

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "instances" / "nanan-2027.yaml"
DATA = Path(__file__).parent / "data" / "tabular"


@pytest.fixture(scope="module")
def default() -> Instance:
    return load_instance(DEFAULT)


def problems_of(source: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_tables(source)
    assert str(source) in str(info.value)
    return info.value.problems


def read_csv(path: Path, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def set_cell(wb, sheet: str, row: int, header: str, value) -> None:
    ws = wb[sheet]
    col = [c.value for c in ws[1]].index(header) + 1
    ws.cell(row, col).value = value


# A small instance that sets every field to something other than its default, with
# texts that spreadsheets would like to turn into formulas.
MAXIMAL = {
    "id": "max-2026", "name": "=全字段测试", "year": 2026, "language": "en",
    "calendar": {"source": "instance", "note": "@国务院办公厅通知",
                 "holidays": [{"name": "元旦", "start": "2026-01-01", "end": "2026-01-03"}],
                 "makeup_workdays": ["2026-01-04", "2026-02-14"]},
    "rotation": {"period_months": 3, "max_unavailable_days": 7, "max_terms_per_person": 3},
    "meetings": {"slots": [{"start": "08:30", "end": "10:00"}], "reminder_minutes": 0,
                 "earliest_day": 5, "latest_day": 80},
    "hosting": {"min_gap_days": 7, "allow_empty": True, "reminder_minutes": 60},
    "weights": {"back_to_back": 0, "empty_slot": 7},
    "change_weights": {"meeting": 9},
    "towns": [{"id": "t1", "name": "霞美镇"}, {"id": "t2", "name": "仑苍镇"}],
    "people": [
        {"id": "a", "name": "+86 陈", "phone": "+86 138 0000 0001", "town": "t1",
         "preferred_periods": [1, 2], "undesired_periods": [4],
         "unavailable": [{"start": "2026-03-01", "end": "2026-03-02", "reason": "-"},
                         {"start": "2026-05-01", "end": "2026-05-01"}]},
        {"id": "b", "name": "林", "town": "t1"},
        {"id": "c", "name": "王"},
        {"id": "d", "name": "@赵", "phone": "0595-12345678"},
    ],
    "federations": [
        {"id": "base1", "name": "基地", "kind": "base", "industry": "光伏", "town": "t1",
         "chair": "a", "vice_chairs": ["c", "b"], "invited": ["d", "c"]},
        {"id": "e1", "name": "企业", "kind": "enterprise", "town": "t1", "parent": "base1",
         "chair": "b", "hosting": {}},
        {"id": "m1", "name": "微家", "kind": "micro-home", "parent": "base1", "chair": "d",
         "hosting": {"weight": 3, "min_turns": 1, "max_turns": 5, "contact": "c"}},
        {"id": "tw", "name": "镇妇联", "kind": "town", "town": "t2", "chair": "c"},
        {"id": "v1", "name": "村妇联", "kind": "village"},
    ],
    "venues": [
        {"id": "hall", "name": '=HYPERLINK("x")', "town": "t1", "capacity": 10,
         "address": "-1楼", "closures": [{"start": "2026-07-01", "end": "2026-07-31",
                                          "reason": "@装修"}],
         "slots": [{"pattern": "every Saturday 09:00-11:00", "months": [1, 2]},
                   {"pattern": "2026-03-07 14:00-15:00"}],
         "hosts": {"bases": ["base1"], "towns": ["t2"], "federations": ["m1"]}},
        {"id": "open", "name": "企业开放", "town": "t1", "capacity": 5,
         "kind": "enterprise_open", "owner": "e1", "slots": ["每月最后一个周五 19:00-20:30"],
         "hosts": {}},
        {"id": "kids", "name": "儿童之家", "town": "t2", "capacity": 30,
         "kind": "childrens_home", "meetings": False},
    ],
    "themes": [{"id": "th1", "name": "六一", "venue_kind": "childrens_home",
                "date": "2026-06-01", "window_days": 0}],
    "terms": [{"base": "base1", "regional_chair": "d", "enterprises": ["e1", "m1"],
               "visits_per_year": 4, "visit_minutes": 60, "visit_weekdays": [1, 7],
               "visit_times": ["08:00"],
               "activity": {"kind": "=沙龙", "minutes": 45, "venues": ["open", "kids"],
                            "weekdays": [6], "times": ["19:30", "09:00"],
                            "working_days_only": False}}],
    "history": {"rotation": [{"base": "base1", "year": 2025, "period": 4, "chair": "b"}],
                "hosting": [{"federation": "e1", "year": 2025, "turns": 0}]},
    "pins": {"rotation": [{"base": "base1", "period": 2, "chair": "c"}],
             "meetings": [{"base": "base1", "quarter": 2},
                          {"base": "base1", "quarter": 3, "date": "2026-08-03",
                           "venue": "hall", "slot": 1, "reason": "+ 市妇联领导出席"}],
             "hosting": [{"venue": "hall", "date": "2026-03-07", "federation": "m1",
                          "start": "14:00", "reason": "="}]},
}


@pytest.fixture(scope="module")
def maximal() -> Instance:
    return Instance.model_validate(MAXIMAL)


# -- round trips -----------------------------------------------------------------------


def test_default_instance_round_trips_through_the_workbook(default, tmp_path):
    path = write_instance_workbook(default, tmp_path / "nanan.xlsx")
    assert path == tmp_path / "nanan.xlsx"
    assert load_tables(path) == default
    assert [p.name for p in tmp_path.iterdir()] == ["nanan.xlsx"]  # no temp file left


def test_gbk_csv_folder_with_chinese_headers_imports_like_the_workbook(default, tmp_path):
    folder = write_instance_csv(default, tmp_path / "csv", "gb18030")
    people = (folder / "人员.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        people.decode("utf-8")  # really GB18030, as Chinese Excel saves it
    assert read_csv(folder / "人员.csv", "gb18030")[0][:2] == ["编号", "姓名"]
    from_csv = load_tables(folder)
    assert from_csv == default
    assert from_csv == load_tables(write_instance_workbook(default, tmp_path / "x.xlsx"))


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_folders_in_other_encodings_round_trip(default, tmp_path, encoding):
    folder = write_instance_csv(default, tmp_path / "csv", encoding)
    assert (folder / "人员.csv").read_bytes().startswith(b"\xef\xbb\xbf") == (
        encoding == "utf-8-sig")
    assert load_tables(folder) == default


def test_english_file_names_headers_and_values_are_accepted(default, tmp_path):
    folder = write_instance_csv(default, tmp_path / "en", "utf-8", english=True)
    assert (folder / "people.csv").is_file() and not (folder / "人员.csv").exists()
    feds = read_csv(folder / "federations.csv", "utf-8")
    assert feds[0] == ["id", "name", "kind", "industry", "town", "parent", "chair"]
    assert feds[1][2] == "base"
    assert load_tables(folder) == default


def test_headers_tolerate_spaces_full_width_spaces_and_case(default, tmp_path):
    folder = write_instance_csv(default, tmp_path / "csv", "gb18030")
    rows = read_csv(folder / "不可用时间.csv", "gb18030")
    rows[0] = [" 人员编号 ", "\u3000开始日期\u3000", "END", "Reason"]
    write_csv(folder / "不可用时间.csv", rows, "gb18030")
    assert load_tables(folder) == default


def test_every_field_of_a_maximal_instance_round_trips(maximal, tmp_path):
    assert load_tables(write_instance_workbook(maximal, tmp_path / "max.xlsx")) == maximal
    assert load_tables(write_instance_csv(maximal, tmp_path / "zh")) == maximal
    assert load_tables(write_instance_csv(maximal, tmp_path / "en", english=True)) == maximal


def test_every_instance_field_has_a_column_or_setting():
    def leaves(model, prefix=""):
        for name, field in model.model_fields.items():
            inner = _inner_model(field.annotation)
            if inner is None:
                yield prefix + name
            else:
                yield from leaves(inner, f"{prefix}{name}.")

    covered = S.model_paths()
    missing = [p for p in leaves(Instance)
               if not any(p == c or p.startswith(c + ".") for c in covered)]
    assert missing == [], f"instance fields without a sheet column: {missing}"


def test_imported_instance_written_as_yaml_loads_back_equal(default, tmp_path):
    inst = load_tables(write_instance_workbook(default, tmp_path / "x.xlsx"))
    path = write_instance_yaml(inst, tmp_path / "instance.yaml", source="x.xlsx")
    assert path.read_text(encoding="utf-8").startswith("# 由 xinglian 从 x.xlsx 导入")
    assert load_instance(path) == default


def test_hand_typed_csv_folder_matches_its_yaml(tmp_path):
    # Mixed Chinese/English file names and headers, 2026年3月1日 and 2026/4/30, a 备注
    # column, vice-chairs ordered by the 顺序 column rather than by row.
    expected = load_instance(DATA / "tiny.yaml")
    assert load_tables(DATA / "tiny") == expected
    gbk = tmp_path / "gbk"
    gbk.mkdir()
    for f in (DATA / "tiny").iterdir():
        (gbk / f.name).write_bytes(f.read_text(encoding="utf-8").encode("gbk"))
    assert load_tables(gbk) == expected


def test_load_any_reads_yaml_workbooks_and_csv_folders(default, tmp_path):
    assert load_any(DEFAULT) == default
    assert load_any(write_instance_workbook(default, tmp_path / "x.xlsx")) == default
    assert load_any(write_instance_csv(default, tmp_path / "csv")) == default


# -- cell forms ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "2027-03-08", "2027/3/8", "2027.3.8", "2027年3月8日", "2027 年 3 月 8 日",
    "２０２７－０３－０８",
    "2027-03-08 00:00:00", "2027/3/8 0:00", "20270308", "46454", 46454, 46454.0,
    dt.datetime(2027, 3, 8), dt.date(2027, 3, 8),
])
def test_dates_in_every_form_parse_to_the_same_date(value):
    assert parse_date(value) == dt.date(2027, 3, 8)  # 46454 = Excel's serial of 2027-03-08


@pytest.mark.parametrize("value", ["2027-13-01", "2027-02-30", "3/8/2027", "明天", 12, True])
def test_impossible_dates_are_refused(value):
    with pytest.raises(CellError, match="不是有效日期"):
        parse_date(value)


def test_dates_in_mixed_forms_import_to_the_same_instance(default, tmp_path):
    folder = write_instance_csv(default, tmp_path / "csv")
    rows = read_csv(folder / "不可用时间.csv", "gb18030")
    forms = [lambda d: f"{d.year}/{d.month}/{d.day}", lambda d: f"{d.year}.{d.month}.{d.day}",
             lambda d: f"{d.year}年{d.month}月{d.day}日",
             lambda d: str((d - dt.date(1899, 12, 30)).days)]
    for i, row in enumerate(rows[1:]):
        for col in (1, 2):
            row[col] = forms[(i + col) % 4](dt.date.fromisoformat(row[col]))
    write_csv(folder / "不可用时间.csv", rows, "gb18030")
    assert load_tables(folder) == default

    path = write_instance_workbook(default, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["场地闭馆"]
    assert isinstance(ws["B2"].value, dt.datetime)  # written as real Excel dates
    ws["B2"].value = (ws["B2"].value.date() - dt.date(1899, 12, 30)).days  # a bare serial
    end = ws["C2"].value
    ws["C2"].value = f"{end.year}年{end.month}月{end.day}日"
    wb.save(path)
    assert load_tables(path) == default


def test_bools_times_and_lists_in_the_forms_people_type():
    assert [parse_bool(v) for v in ("是", "否", "TRUE", "false", "1", "0", "Y", "n", 1, False)] \
        == [True, False, True, False, True, False, True, False, True, False]
    assert [parse_time(v) for v in ("9:00", "09:00", "9：30", dt.time(14, 30), 0.375)] \
        == ["09:00", "09:00", "09:30", "14:30", "09:00"]
    assert parse_id_list("p-001、p-002，p-003; p-004 p-005,p-006") == [
        "p-001", "p-002", "p-003", "p-004", "p-005", "p-006"]


# -- problems --------------------------------------------------------------------------


def test_five_different_mistakes_are_reported_together(default, tmp_path):
    path = write_instance_workbook(default, tmp_path / "bad.xlsx")
    wb = openpyxl.load_workbook(path)
    set_cell(wb, "不可用时间", 3, "开始日期", "2027-13-01")  # bad date
    set_cell(wb, "主席团", 4, "人员编号", "p-999")  # unknown person
    set_cell(wb, "场地", 5, "容纳人数", "四十")  # not a number
    set_cell(wb, "联合会", 10, "类型", "协会")  # not an allowed kind
    set_cell(wb, "人员", 12, "姓名", None)  # required cell empty
    wb.save(path)
    problems = problems_of(path)
    assert len(problems) == 5, "\n".join(problems)
    expected = [
        ("不可用时间 第3行 「开始日期」: '2027-13-01'", "不是有效日期"),
        ("主席团 第4行 「人员编号」: 'p-999'", "unknown person 'p-999'"),
        ("场地 第5行 「容纳人数」: '四十'", "不是整数"),
        ("联合会 第10行 「类型」: '协会'", "不是可选值"),
        ("人员 第12行 「姓名」", "必填"),
    ]
    for where, what in expected:
        assert any(p.startswith(where) and what in p for p in problems), (where, problems)
    assert not any("Traceback" in p for p in problems)


def test_model_errors_are_mapped_back_to_sheet_row_and_column(default, tmp_path):
    path = write_instance_workbook(default, tmp_path / "bad.xlsx")
    wb = openpyxl.load_workbook(path)
    set_cell(wb, "场地", 3, "容纳人数", 0)  # Field(gt=0)
    set_cell(wb, "不可用时间", 2, "结束日期", dt.datetime(2027, 1, 1))  # before its start
    set_cell(wb, "场地开放时段", 2, "时段", "每月第9个周六 9点")  # not a pattern
    set_cell(wb, "人员", 6, "编号", "p-001")  # duplicate id
    set_cell(wb, "固定联席会", 2, "日期", "2027-05-05")  # not in quarter 1
    set_cell(wb, "规则与权重", 9, "值", 5)  # 轮值周期月数 must divide 12
    wb.save(path)
    problems = problems_of(path)
    for where, what in [
        ("场地 第3行 「容纳人数」: 0", "必须大于 0"),
        ("不可用时间 第2行:", "结束日期早于开始日期"),
        ("场地开放时段 第2行 「时段」: '每月第9个周六 9点'", "时段写法无法识别"),
        ("人员 第6行 「编号」: 'p-001'", "编号重复"),
        ("固定联席会 第2行 「日期」: '2027-05-05'", "不在该季度内"),
        ("规则与权重 第9行 「值」（轮值周期月数）: 5", "须能整除 12"),
    ]:
        assert any(p.startswith(where) and what in p for p in problems), (where, problems)


def test_a_name_written_instead_of_an_id_gets_a_hint(default, tmp_path):
    path = write_instance_workbook(default, tmp_path / "bad.xlsx")
    wb = openpyxl.load_workbook(path)
    set_cell(wb, "主席团", 3, "人员编号", "林雅琴")
    wb.save(path)
    assert problems_of(path) == [
        "主席团 第3行 「人员编号」: '林雅琴' 不是有效编号：只能用英文字母、数字和 - _ .，"
        "以字母或数字开头（例：p-001）；「人员」表中 林雅琴 的编号是 p-002 / "
        "not an id (ASCII letters, digits, - _ . ; e.g. p-001); write the id, not the name"]


def test_sheets_columns_and_files_that_do_not_belong_are_named(default, tmp_path):
    path = write_instance_workbook(default, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb["镇街"]
    wb.create_sheet("统计")
    wb.create_sheet("# 草稿")  # ignored
    wb["人员"].cell(1, 7).value = "备注"  # ignored
    wb["人员"].cell(1, 8).value = "生日"
    wb.save(path)
    problems = problems_of(path)
    assert problems[0].startswith("工作表「统计」: 不是可导入的表名")
    assert "缺少工作表「镇街」（或 towns） / the required table 'towns' is missing" in problems[1]
    assert any(p.startswith("人员 第1行 「生日」: 不是「人员」表的列") for p in problems)
    # every person's town is now unknown: three listed, the rest summed up in one line
    towns = [p for p in problems if p.startswith("人员") and "「镇街」" in p]
    rest = sum(1 for p in default.people if p.town) - 3
    assert len(towns) == 4 and towns[3].startswith(f"人员 「镇街」: 另有 {rest} 行同样的问题")


def test_undecodable_and_misplaced_files_are_reported_clearly(default, tmp_path):
    folder = write_instance_csv(default, tmp_path / "csv")
    (folder / "主题活动.csv").write_bytes(b"\xef\xbb\xbfid,name\r\n\xff\xfe\xff\r\n")
    (folder / "镇街.csv").unlink()
    problems = problems_of(folder)
    assert problems[:2] == [
        "主题活动.csv: 无法识别文本编码（既不是 UTF-8，也不是 GBK/GB18030）；请在 Excel 中“另存为”"
        "“CSV UTF-8（逗号分隔）” / cannot decode: neither UTF-8 nor GBK/GB18030; save it as "
        "CSV UTF-8",
        "缺少文件 镇街.csv（或 towns.csv） / the required table 'towns' is missing",
    ]
    assert problems_of(folder / "人员.csv")[0].startswith("请给出放 CSV 文件的文件夹")
    assert problems_of(tmp_path / "old.xls") == ["找不到文件或文件夹 / no such file or folder"]
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert "无法作为旧版 .xls 工作簿打开" in problems_of(tmp_path / "old.xls")[0]
    assert "save it as an .xlsx workbook" in problems_of(tmp_path / "old.xls")[0]
    (tmp_path / "fake.xlsx").write_text("id,name\n", encoding="utf-8")
    assert "无法作为 .xlsx 工作簿打开" in problems_of(tmp_path / "fake.xlsx")[0]


def test_excel_tab_separated_unicode_text_is_read_too(default, tmp_path):
    folder = write_instance_csv(default, tmp_path / "csv")
    rows = read_csv(folder / "场地.csv", "gb18030")
    text = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    (folder / "场地.csv").write_bytes(text.encode("utf-16"))  # Excel's "Unicode text"
    assert load_tables(folder) == default


# -- template --------------------------------------------------------------------------


def test_template_has_every_sheet_explained_headers_comments_and_dropdowns(tmp_path):
    path = write_template(tmp_path / "模板.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["说明", *(t.zh for t in S.TABLES)]
    readme = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    for table in S.TABLES:
        ws = wb[table.zh]
        assert ws.freeze_panes == "A2"
        assert [c.value for c in ws[1]] == [c.zh for c in table.columns]
        for cell, col in zip(ws[1], table.columns, strict=True):
            assert cell.comment.text.split("\n")[0] == col.key
            assert col.zh in readme and col.key in readme
        assert ws.max_row >= 2, f"{table.zh} has no example row"
    for s in S.SETTINGS:
        assert s.key in readme
    kinds = [dv for dv in wb["联合会"].data_validations.dataValidation
             if "基地妇联" in (dv.formula1 or "")]
    assert len(kinds) == 1 and str(kinds[0].sqref).startswith("C2:C")
    assert any(dv.formula1 == '"是,否"' for dv in wb["场地"].data_validations.dataValidation)
    assert wb["联合会"].column_dimensions["B"].width > wb["联合会"].column_dimensions["C"].width


def test_template_example_rows_are_a_complete_valid_instance(tmp_path):
    assert load_tables(write_template(tmp_path / "t.xlsx")) == example_instance()


def test_template_without_its_example_rows_says_what_is_missing(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    for table in S.TABLES:
        wb[table.zh].delete_rows(2, wb[table.zh].max_row)
    wb.save(path)
    assert problems_of(path) == [
        "规则与权重: 缺少设置项「计划编号」（id） / required setting 'id' is missing",
        "规则与权重: 缺少设置项「年度」（year） / required setting 'year' is missing",
    ]


# -- formula-looking text --------------------------------------------------------------


def test_formula_looking_text_survives_as_text_never_a_formula(maximal, tmp_path):
    path = write_instance_workbook(maximal, tmp_path / "max.xlsx")
    wb = openpyxl.load_workbook(path)  # not data_only: a formula would show as one
    cells = {
        ("场地", "B2"): '=HYPERLINK("x")', ("场地", "F2"): "-1楼",
        ("人员", "B2"): "+86 陈", ("人员", "C2"): "+86 138 0000 0001", ("人员", "B5"): "@赵",
        ("不可用时间", "D2"): "-", ("场地闭馆", "D2"): "@装修", ("固定主办", "E2"): "=",
        ("固定联席会", "F3"): "+ 市妇联领导出席",
    }
    for (sheet, ref), text in cells.items():
        cell = wb[sheet][ref]
        assert cell.value == text and cell.data_type == "s", (sheet, ref, cell.data_type)
    name = next(r for r in wb["规则与权重"].iter_rows() if r[0].value == "计划名称")[1]
    assert name.value == "=全字段测试" and name.data_type != "f"
    assert load_tables(path) == maximal

    folder = write_instance_csv(maximal, tmp_path / "csv", "utf-8-sig")
    venues = read_csv(folder / "场地.csv", "utf-8-sig")
    assert venues[1][1] == "'=HYPERLINK(\"x\")"  # a spreadsheet shows it as text
    assert load_tables(folder) == maximal


def test_text_gbk_cannot_hold_is_refused_without_half_written_files(maximal, tmp_path):
    inst = maximal.model_copy(update={"name": "𠀀 扩展B区汉字"})
    with pytest.raises(ValueError, match="gb18030"):
        write_instance_csv(inst, tmp_path / "csv", "gbk")
    assert not [p for p in (tmp_path / "csv").iterdir() if p.suffix == ".tmp"]
    assert load_tables(write_instance_csv(inst, tmp_path / "ok", "gb18030")) == inst


# -- volunteers, activities, children and caring mothers ----------------------------------

# Every volunteering and caring-mother field away from its default: a volunteer with no
# language at all (written 无), spans over several days, likes and dislikes, roles with
# and without a maximum, an activity by venue and one by town in a series, a child without
# name, care settings with time lists and visit days, history and pins.
CARE = {
    "id": "care-2026", "year": 2026,
    "towns": [{"id": "t1", "name": "霞美镇"}, {"id": "t2", "name": "仑苍镇"}],
    "people": [
        {"id": "v1", "name": "陈", "town": "t1", "caring_mother": True,
         "volunteer": {"federation": "f1", "skills": ["first_aid", "心理 辅导"],
                       "languages": ["普通话", "闽南语"], "max_activities_per_month": 2,
                       "max_hours_per_month": 9, "likes": ["volunteer_service", "salon"],
                       "dislikes": ["training"], "experienced": True,
                       "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri"],
                                   "start": "18:30", "end": "21:30"},
                                  {"days": ["sun", "sat"], "start": "08:00", "end": "12:00"}]}},
        {"id": "v2", "name": "林", "town": "t2", "volunteer": {"languages": []}},
        {"id": "m1", "name": "王", "caring_mother": True},
    ],
    "federations": [{"id": "f1", "name": "企业妇联", "kind": "enterprise", "chair": "v1"}],
    "venues": [{"id": "hall", "name": "妇女之家", "town": "t1", "capacity": 30}],
    "volunteering": {"max_travel_minutes": 50, "default_travel_minutes": 40,
                     "reminder_minutes": 90},
    "travel": [{"a": "t1", "b": "t2", "minutes": 25}],
    "activities": [
        {"id": "a1", "kind": "military_family", "title": "=拥军优属", "date": "2026-08-01",
         "start": "09:00", "end": "11:30", "venue": "hall", "lead_required": True,
         "roles": [{"role": "慰问", "language": "闽南语", "min": 2, "max": 3},
                   {"role": "急救", "skill": "first_aid", "min": 0, "max": 1}]},
        {"id": "a2", "kind": "training", "title": "课业辅导", "date": "2026-03-02",
         "start": "19:00", "end": "21:00", "town": "t2", "series": "s-tutor",
         "roles": [{"role": "辅导"}]},
    ],
    "children": [
        {"code": "c1", "name": "王小明", "address": "某村1号", "town": "t1", "age": 9,
         "needs": ["学业辅导", "亲情陪伴"]},
        {"code": "c2", "town": "t2", "age": 0},
    ],
    "care": {"max_children_per_mother": 3, "max_travel_minutes": 40, "meet_per_quarter": 2,
             "talk_per_quarter": 0, "festivals_per_year": 1,
             "festivals": [{"name": "六一", "date": "2026-06-01", "window_days": 0}],
             "meet_times": ["09:30", "14:00"], "meet_minutes": 60, "talk_times": [],
             "talk_minutes": 30, "festival_times": ["10:00"], "festival_minutes": 100,
             "visit_days": ["sun", "wed"], "reminder_minutes": 0},
    "history": {"care": [{"mother": "m1", "child": "c1", "year": 2025}]},
    "pins": {"volunteering": [{"activity": "a1", "person": "v1", "role": "慰问",
                               "reason": "-老队员"}]},
    "weights": {"unfilled_role": 7, "festival_off_date": 0},
}


@pytest.fixture(scope="module")
def care() -> Instance:
    return Instance.model_validate(CARE)


def test_volunteers_activities_children_and_care_round_trip(care, tmp_path):
    assert load_tables(write_instance_workbook(care, tmp_path / "care.xlsx")) == care
    assert load_tables(write_instance_csv(care, tmp_path / "zh")) == care
    assert load_tables(write_instance_csv(care, tmp_path / "en", english=True)) == care


def test_volunteer_sheets_as_the_office_sees_them(care, tmp_path):
    wb = openpyxl.load_workbook(write_instance_workbook(care, tmp_path / "care.xlsx"))

    def table(sheet: str) -> list[dict]:
        ws = wb[sheet]
        head = [c.value for c in ws[1]]
        return [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]

    v1, v2 = table("志愿者")
    assert v1["喜欢的活动类型"] == "志愿服务、沙龙" and v1["可带队"] == "是"
    assert v1["技能"] == "first_aid、心理 辅导"
    assert v2["语言"] == "无"  # no language at all, not the default 普通话
    assert [r["星期"] for r in table("志愿者时段")] == [
        "周一、周二、周三、周四、周五", "周日、周六"]
    assert [r["人员编号"] for r in table("爱心妈妈")] == ["v1", "m1"]
    assert table("活动")[0]["类型"] == "拥军优属"
    assert [(r["活动编号"], r["岗位"], r["最多人数"]) for r in table("活动岗位")] == [
        ("a1", "慰问", 3), ("a1", "急救", 1), ("a2", "辅导", None)]
    settings = {r["设置项"]: r["值"] for r in table("规则与权重")}
    assert settings["见面开始时间"] == "09:30、14:00"
    assert settings["见面谈心的星期"] == "周日、周三"
    # An empty cell means "the default"; an empty list is written 无.
    assert settings["谈心开始时间"] == "无"
    assert settings["志愿活动提前提醒分钟数"] == 90


def test_days_kinds_and_lists_in_the_forms_people_type(care, tmp_path):
    folder = write_instance_csv(care, tmp_path / "csv", "utf-8")
    rows = read_csv(folder / "志愿者时段.csv", "utf-8")
    rows[1][1] = "工作日"
    rows[2][1] = "星期天、礼拜六"
    write_csv(folder / "志愿者时段.csv", rows, "utf-8")
    rows = read_csv(folder / "志愿者.csv", "utf-8")
    head = rows[0]
    rows[1][head.index("喜欢的活动类型")] = "志愿活动，salon"
    write_csv(folder / "志愿者.csv", rows, "utf-8")
    rows = read_csv(folder / "活动.csv", "utf-8")
    rows[1][rows[0].index("类型")] = "双拥"
    write_csv(folder / "活动.csv", rows, "utf-8")
    assert load_tables(folder) == care


def test_volunteer_and_care_mistakes_name_sheet_row_and_column(care, tmp_path):
    path = write_instance_workbook(care, tmp_path / "bad.xlsx")
    wb = openpyxl.load_workbook(path)
    set_cell(wb, "活动岗位", 4, "活动编号", "a9")  # unknown activity: a2 is left without roles
    set_cell(wb, "志愿者时段", 2, "人员编号", "m1")  # not a volunteer
    set_cell(wb, "志愿者时段", 3, "星期", "周八")
    set_cell(wb, "志愿者", 2, "喜欢的活动类型", "跳舞")
    set_cell(wb, "历史结对", 2, "儿童代码", "c9")
    set_cell(wb, "儿童", 3, "镇街", "t9")
    set_cell(wb, "固定志愿", 2, "活动编号", "a7")
    wb.save(path)
    problems = problems_of(path)
    for where, what in [
        ("活动岗位 第4行 「活动编号」: 'a9'", "「活动」表中没有这个编号"),
        ("活动 第3行 「编号」: 'a2'", "没有该活动的岗位"),
        ("志愿者时段 第2行 「人员编号」: 'm1'", "不在「志愿者」表中"),
        ("志愿者时段 第3行 「星期」: '周八'", "不是星期"),
        ("志愿者 第2行 「喜欢的活动类型」: '跳舞'", "不是可选值"),
        ("历史结对 第2行 「儿童代码」: 'c9'", "「儿童」表中没有这个代码"),
        ("儿童 第3行（儿童 c2） 「镇街」: 't9'", "「镇街」表中没有这个编号"),
        ("固定志愿 第2行 「活动编号」: 'a7'", "「活动」表中没有这个编号"),
    ]:
        assert any(p.startswith(where) and what in p for p in problems), (where, problems)
    assert len(problems) == 8, "\n".join(problems)


def test_children_but_no_caring_mother_is_explained(care, tmp_path):
    path = write_instance_workbook(care, tmp_path / "bad.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["爱心妈妈"].delete_rows(2, 10)
    wb.save(path)
    problems = problems_of(path)
    assert any("有儿童但没有爱心妈妈" in p for p in problems), problems


@pytest.mark.parametrize(("text", "days"), [
    ("周六、周日", ["sat", "sun"]), ("sat, sun", ["sat", "sun"]), ("周末", ["sat", "sun"]),
    ("周一至周五", ["mon", "tue", "wed", "thu", "fri"]), ("mon-wed", ["mon", "tue", "wed"]),
    ("周六到周一", ["sat", "sun", "mon"]), ("每天", ["mon", "tue", "wed", "thu", "fri", "sat",
                                                  "sun"]),
])
def test_weekdays_in_the_forms_people_type(text, days):
    from xinglian.tabular.cells import parse_weekday_list

    assert parse_weekday_list(text) == days
