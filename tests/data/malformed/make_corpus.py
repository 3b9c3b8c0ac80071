"""Build the generated part of the malformed-input corpus (issue 15).

Run from the repository root: ``python tests/data/malformed/make_corpus.py [--binary
DIR]``. The text files of this folder (YAML, JSON, changes files, CSV folders, a plan
directory) are derived from tests/data/tiny.yaml and committed; the binary ones (broken
.xlsx, .ods and .xls workbooks) are built by the test into a temporary folder with
``build(DIR, text=False)`` (and ignored by git here). The expectations for each file are
in cases.yaml. The 20 MB file is built by the test too (:func:`big_yaml`).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
TINY = HERE.parent / "tiny.yaml"
STAMP = (2026, 1, 1, 0, 0, 0)

# A valid instance with a caring mother and two children, for the privacy cases.
CHILD_BASE = {
    "id": "care-2026", "year": 2026,
    "towns": [{"id": "t1", "name": "霞美镇"}],
    "people": [{"id": "m1", "name": "王丽", "town": "t1", "caring_mother": True}],
    "federations": [{"id": "f1", "name": "企业妇联", "kind": "enterprise", "chair": "m1"}],
    "venues": [{"id": "hall", "name": "妇女之家", "town": "t1", "capacity": 30}],
    "children": [
        {"code": "c-001", "name": "王小明", "address": "南安市霞美镇某村1号", "town": "t1",
         "age": 9, "needs": ["听力康复", "亲情陪伴"]},
        {"code": "c-002", "name": "李小红", "address": "南安市霞美镇某村2号", "town": "t1",
         "age": 7},
    ],
    "care": {"festivals_per_year": 1,
             "festivals": [{"name": "六一", "date": "2026-06-01", "window_days": 3}]},
}
SECRETS = ["王小明", "南安市霞美镇某村1号", "听力康复", "李小红", "南安市霞美镇某村2号"]


def big_yaml(path: Path, megabytes: int = 21) -> Path:
    """A syntactically fine instance padded past the size limit (a comment)."""
    text = TINY.read_text(encoding="utf-8")
    pad = "# " + "填充" * 500 + "\n"
    with path.open("w", encoding="utf-8") as f:
        f.write(text)
        for _ in range(megabytes * 1024 * 1024 // len(pad.encode()) + 1):
            f.write(pad)
    return path


def _zip(path: Path, members: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> None:
    with zipfile.ZipFile(path, "w", compress) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = compress if name != "mimetype" else zipfile.ZIP_STORED
            z.writestr(info, data)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _sheet_member(members: dict[str, bytes], title: str) -> str:
    """The zip member of the sheet titled ``title`` in an openpyxl workbook."""
    import re

    wb = members["xl/workbook.xml"].decode()
    rels = members["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(rf'<sheet[^>]*name="{title}"[^>]*r:id="([^"]+)"', wb)
    if rid is None:
        rid = re.search(rf'<sheet[^>]*r:id="([^"]+)"[^>]*name="{title}"', wb)
    target = re.search(rf'Id="{rid[1]}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{rid[1]}"', rels)
    return "xl/" + target[1].lstrip("/").removeprefix("xl/")


def _workbook(inst, path: Path) -> dict[str, bytes]:
    from xinglian.tabular import write_instance_workbook

    tmp = path.with_suffix(".tmp.xlsx")
    write_instance_workbook(inst, tmp)
    members = _members(tmp)
    tmp.unlink()
    return members


def _edit_cells(inst, path: Path, edits: list[tuple[str, int, str, object]]) -> None:
    """The instance's workbook with cells (sheet, row, header, value) replaced."""
    import openpyxl

    from xinglian.tabular import write_instance_workbook

    write_instance_workbook(inst, path)
    wb = openpyxl.load_workbook(path)
    for sheet, row, header, value in edits:
        ws = wb[sheet]
        col = [c.value for c in ws[1]].index(header) + 1
        ws.cell(row=row, column=col, value=value)
    wb.save(path)
    _zip(path, _members(path))  # fixed timestamps: the file is the same on every run


def _csv_tables(inst) -> dict[str, list[list[str]]]:
    import tempfile

    from xinglian.tabular import write_instance_csv

    tmp = Path(tempfile.mkdtemp()) / "csv"
    shutil.rmtree(tmp, ignore_errors=True)
    write_instance_csv(inst, tmp, "utf-8")
    out = {}
    for f in sorted(tmp.glob("*.csv")):
        text = f.read_text(encoding="utf-8-sig")
        out[f.stem] = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    shutil.rmtree(tmp.parent)
    return out


def _write_csv_folder(folder: Path, tables: dict[str, list[list[str]]], encoding: str,
                      prefix: str = "") -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name, rows in tables.items():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerows(rows)
        (folder / f"{prefix}{name}.csv").write_bytes(buf.getvalue().encode(encoding))


def _ods(path: Path, tables: dict[str, list[list[str]]], *, doctype: str = "",
         extra_rows: str = "", cut: int | None = None) -> None:
    """A minimal OpenDocument spreadsheet: one table per sheet, every cell a string."""
    t = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
         'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
         'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
             f'<office:document-content {t} office:version="1.3"><office:body>'
             '<office:spreadsheet>']
    for name, rows in tables.items():
        parts.append(f'<table:table table:name="{escape(name)}">')
        for row in rows:
            parts.append("<table:table-row>")
            for v in row:
                if v == "":
                    parts.append("<table:table-cell/>")
                else:
                    parts.append(f'<table:table-cell office:value-type="string"><text:p>'
                                 f'{escape(v)}</text:p></table:table-cell>')
            parts.append("</table:table-row>")
        if name == "人员":
            parts.append(extra_rows)
        parts.append("</table:table>")
    parts.append("</office:spreadsheet></office:body></office:document-content>")
    content = "".join(parts).encode()
    if cut is not None:
        content = content[:cut]
    manifest = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                b'<manifest:file-entry manifest:full-path="/" manifest:media-type='
                b'"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                b'</manifest:manifest>')
    _zip(path, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                "META-INF/manifest.xml": manifest, "content.xml": content})


def build(out: Path = HERE, *, text: bool = True, binary: bool = True) -> Path:
    """Write the corpus files into ``out``: the text ones, the binary ones or both."""
    from xinglian.models import Instance, load_instance

    tiny = load_instance(TINY)
    child = Instance.model_validate(CHILD_BASE)
    out.mkdir(parents=True, exist_ok=True)
    if text:
        _text_files(out, tiny)
    if binary:
        _binary_files(out, tiny, child)
    return out


def _text_files(out: Path, tiny) -> None:
    import yaml

    text = TINY.read_text(encoding="utf-8")
    w = lambda name, s: (out / name).write_text(s, encoding="utf-8")  # noqa: E731

    # -- YAML and JSON instances -----------------------------------------------------
    w("feb30-in-a-range.yaml", text.replace("start: 2026-03-01, end: 2026-04-30",
                                            "start: 2026-02-30, end: 2026-04-30"))
    w("duplicate-people.yaml", text + "people:\n  - {id: p-x, name: 新增人员}\n")
    w("duplicate-key-in-a-person.yaml", text.replace(
        "{id: p-e1, name: 张晓燕, town: ximei}",
        "{id: p-e1, name: 张晓燕, town: ximei, name: 张晓}"))
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        laughs += f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    w("alias-bomb.yaml", "# a billion laughs: 10^9 'lol' once every alias is expanded\n"
      "id: bomb\nyear: 2026\n" + laughs + "people: *i\n")
    w("alias-recursive.yaml", "id: loop\nyear: 2026\npeople: &p\n  - *p\n")
    w("deep-nesting.yaml", "id: deep\nyear: 2026\npeople: " + "[" * 5000 + "]" * 5000 + "\n")
    w("huge-integer.yaml", text.replace("year: 2026", "year: " + "9" * 5000))
    w("deep-nesting.json", '{"id": "deep", "year": 2026, "people": ' + "[" * 100000
      + "]" * 100000 + "}")
    w("python-object-tag.yaml", "id: evil\nyear: 2026\npeople: !!python/object/apply:os.system "
      "[\"echo owned\"]\n")
    w("top-level-list.yaml", "- id: tiny\n- year: 2026\n")
    w("empty.yaml", "# nothing but a comment\n")
    w("tab-indented.yaml", text.replace("  period_months: 2", "\tperiod_months: 2"))
    (out / "utf16.yaml").write_bytes(text.encode("utf-16"))
    w("unknown-key.yaml", text.replace("towns:\n", "towns:\n", 1).replace("\nvenues:",
                                                                          "\nvenue:"))
    w("year-in-words.yaml", text.replace("year: 2026", "year: 二〇二六"))
    w("unknown-person.yaml", text.replace("chair: p-b1,", "chair: p-b9,"))
    w("end-before-start.yaml", text.replace("start: 2026-03-01, end: 2026-04-30",
                                            "start: 2026-04-30, end: 2026-03-01"))
    data = json.loads(tiny.model_dump_json(exclude_defaults=True))
    js = json.dumps(data, ensure_ascii=False, indent=1)
    w("feb30.json", js.replace('"2026-03-01"', '"2026-02-30"', 1))
    w("duplicate-key.json", js.replace('"year": 2026', '"year": 2026, "year": 2027', 1))
    bad_child = json.loads(json.dumps(CHILD_BASE))
    bad_child["children"][0]["age"] = "九岁"
    bad_child["children"][0]["needs"] = "听力康复"
    w("child-private-fields.yaml", "# a child's entry with a wrong age and needs given as "
      "text: messages name her by code only\n" + yaml.safe_dump(
          bad_child, allow_unicode=True, sort_keys=False))
    unknown_town = json.loads(json.dumps(CHILD_BASE))
    unknown_town["children"][0]["town"] = "t9"
    w("child-unknown-town.yaml", yaml.safe_dump(unknown_town, allow_unicode=True,
                                                sort_keys=False))

    # -- a plan directory where an instance is expected --------------------------------
    pd = out / "plan-directory"
    shutil.rmtree(pd, ignore_errors=True)
    pd.mkdir()
    (pd / "plan.json").write_text('{"format": "xinglian.plan/1"}\n', encoding="utf-8")
    (pd / "instance.json").write_text(tiny.model_dump_json(exclude_defaults=True),
                                      encoding="utf-8")

    # -- changes files (re-planning tiny from 2026-07-01) ------------------------------
    w("changes-feb30.yaml", "changes:\n  - {kind: unavailable, person: p-b1, start: "
      "2026-09-31, end: 2026-10-10, reason: 培训}\n")
    w("changes-duplicate-key.yaml", "changes:\n  - {kind: leaves, person: p-a1, date: "
      "2026-08-01}\nchanges:\n  - {kind: leaves, person: p-b1, date: 2026-08-01}\n")
    w("changes-pin-ended-period.yaml", "changes:\n  - {kind: pin_chair, base: fed-ximei, "
      "period: 1, chair: p-a1}\n")
    w("changes-unknown-person.yaml", "changes:\n  - {kind: leaves, person: p-zz, date: "
      "2026-08-01}\n")
    w("changes-unknown-kind.yaml", "changes:\n  - {kind: holiday, person: p-a1, date: "
      "2026-08-01}\n")

    # -- CSV folders ---------------------------------------------------------------------
    tables = _csv_tables(tiny)
    feb = {k: [list(r) for r in v] for k, v in tables.items()}
    feb["不可用时间"][1][feb["不可用时间"][0].index("开始日期")] = "2026-02-30"
    _write_csv_folder(out / "csv-gbk-feb30", feb, "gbk")
    lo = {k: [list(r) for r in v] for k, v in tables.items()}
    lo["人员"][2][lo["人员"][0].index("镇街")] = "xiamei"
    _write_csv_folder(out / "csv-libreoffice-names", lo, "gbk", prefix="实例-")
    wide = {k: [list(r) for r in v] for k, v in tables.items()}
    wide["镇街"][1] = wide["镇街"][1] + [""] * 250 + ["x"]
    _write_csv_folder(out / "csv-too-many-columns", wide, "utf-8")
    _write_csv_folder(out / "csv-undecodable", tables, "utf-8")
    (out / "csv-undecodable" / "镇街.csv").write_bytes(b"\xef\xbb\xbfid,name\r\n\xff\xfe\xff\r\n")
    ct = _csv_tables(Instance_of(CHILD_BASE))
    ct["儿童"][1][ct["儿童"][0].index("年龄")] = "九岁"
    _write_csv_folder(out / "csv-child-private", ct, "gb18030")
    (out / "single-table.csv").write_text("编号,名称\nximei,霞美镇\n", encoding="utf-8")


def Instance_of(data: dict):  # noqa: N802
    from xinglian.models import Instance

    return Instance.model_validate(data)


def _binary_files(out: Path, tiny, child) -> None:
    # -- workbooks -----------------------------------------------------------------------
    base = _workbook(tiny, out / "x.xlsx")
    people = _sheet_member(base, "人员")
    ss = "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in base else people

    def variant(name: str, member: str, edit) -> None:
        m = dict(base)
        m[member] = edit(m[member])
        _zip(out / name, m)

    variant("xlsx-undefined-entity.xlsx", people,
            lambda b: b.replace(b"<sheetData>", b"<sheetData><!-- &nbsp; -->", 1)
            .replace(b"</sheetData>", b"<row r=\"99\"><c r=\"A99\" t=\"inlineStr\"><is><t>"
                     b"&nbsp;</t></is></c></row></sheetData>", 1))
    bomb_dtd = (b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;'
                b'&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;'
                b'&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;'
                b'&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')

    def with_dtd(dtd: bytes, ref: bytes):
        def edit(b: bytes) -> bytes:
            head, rest = b.split(b"?>", 1) if b.startswith(b"<?xml") else (b"", b)
            head = head + b"?>" if head else b""
            return head + dtd + rest.replace(b"<t>", b"<t>" + ref, 1)
        return edit

    variant("xlsx-entity-bomb.xlsx", ss, with_dtd(bomb_dtd, b"&lol3;"))
    variant("xlsx-external-entity.xlsx", ss, with_dtd(
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;"))
    variant("xlsx-truncated-xml.xlsx", people, lambda b: b[: len(b) // 2])
    variant("xlsx-not-xml.xlsx", "xl/workbook.xml", lambda b: b"\x00\x01 not xml at all")
    m = dict(base)
    m["xl/media/padding.xml"] = b" " * (150 * 1024 * 1024)  # 150 MB of spaces, ~150 KB zipped
    _zip(out / "xlsx-zip-bomb.xlsx", m)
    m = dict(base)
    m[people] = m[people].replace(
        b"</sheetData>", b'<row r="90"><c r="GS90" t="inlineStr"><is><t>x</t></is></c></row>'
        b"</sheetData>")  # column 201
    _zip(out / "xlsx-too-many-columns.xlsx", m)
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>p</t></is></c></row>'
                    % (i, i) for i in range(200, 100_300))
    m = dict(base)
    m[people] = m[people].replace(b"</sheetData>", rows + b"</sheetData>")
    _zip(out / "xlsx-too-many-rows.xlsx", m)
    whole = (out / "x.xlsx")
    _zip(whole, base)
    (out / "xlsx-cut-in-half.xlsx").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    whole.unlink()
    (out / "xlsx-really-csv.xlsx").write_text("编号,名称\nximei,霞美镇\n", encoding="utf-8")
    (out / "yaml-really-xlsx.yaml").write_bytes((out / "xlsx-undefined-entity.xlsx")
                                                 .read_bytes())
    _edit_cells(tiny, out / "xlsx-feb30.xlsx", [("不可用时间", 2, "开始日期", "2026-02-30")])
    _edit_cells(child, out / "xlsx-child-private.xlsx",
                [("儿童", 2, "年龄", "九岁"), ("儿童", 3, "镇街", "t9")])
    (out / "wps-table.et").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    (out / "xls-damaged.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)

    # -- OpenDocument --------------------------------------------------------------------
    tables = _csv_tables(tiny)
    feb = {k: [list(r) for r in v] for k, v in tables.items()}
    feb["不可用时间"][1][feb["不可用时间"][0].index("开始日期")] = "2026-02-30"
    _ods(out / "ods-dtd-entities.ods", tables, doctype=bomb_dtd.decode())
    _ods(out / "ods-truncated.ods", tables, cut=3000)
    _ods(out / "ods-repeated-rows.ods", tables, extra_rows=(
        '<table:table-row table:number-rows-repeated="5000000"><table:table-cell '
        'office:value-type="string"><text:p>p-x</text:p></table:table-cell></table:table-row>'))
    _ods(out / "ods-feb30.ods", feb)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[3]))
    if sys.argv[1:2] == ["--binary"]:
        build(Path(sys.argv[2]), text=False)
    else:
        build(HERE, binary=False)
