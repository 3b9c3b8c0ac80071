"""Reading a workbook (.xlsx) or a folder of CSV files into an :class:`Instance`.

Three stages, and every problem of every stage is collected before one
:class:`~xinglian.models.io.InputError` is raised:

1. **Cells.** Each sheet's header row is matched to the table's columns (Chinese or
   English headers), each cell is parsed by its column type (:mod:`.cells`). A bad cell is
   reported with sheet, row, column and value; a row missing a required cell is left out.
2. **Assembly.** Rows become the instance mapping (child sheets such as 不可用时间 or
   主席团 attach to their owner by id). A *provenance map* remembers, for every mapping
   and list element, the sheet, row and column it came from.
3. **Validation** by :class:`Instance` itself. Pydantic error locations such as
   ``federations[3].vice_chairs[1]`` are mapped back through the provenance map to
   ``主席团 第5行 「人员编号」``. Field-level errors stop pydantic before the
   cross-reference checks, so the offending element is set aside and validation runs
   again, until only cross-reference problems (or none) remain; messages that only
   restate a problem already reported (a reference to a row that was set aside) are
   dropped.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import types
import typing
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..models.instance import Instance
from ..models.io import InputError, describe_validation_error
from . import schema as S
from .cells import CellError, is_blank, parse_cell, split_list, text_of

__all__ = ["load_tables"]


# -- where a value came from ---------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """A sheet (or CSV file), optionally a row, optionally a cell in it."""

    source: str
    order: int
    row: int | None = None
    col: int = -1
    header: str | None = None
    raw: Any = None
    note: str = ""
    """Shown after the column, e.g. the setting a 「值」 cell belongs to."""
    private: str | None = None
    """A child's row: her code (or "?"), shown with the row."""
    hide: bool = False
    """A cell whose value is never shown: a child's name, address and needs stay in the
    instance (the child is named by her code)."""

    def place(self) -> str:
        out = self.source
        if self.row is not None:
            out += f" 第{self.row}行"
        if self.private is not None:
            out += f"（儿童 {self.private}）"
        if self.header is not None:
            out += f" 「{self.header}」" + (f"（{self.note}）" if self.note else "")
        return out

    def sort_key(self) -> tuple[int, int, int]:
        return (self.order, self.row or 0, self.col)


@dataclass
class Origin:
    row: Where | None
    cells: dict[Any, Where] = field(default_factory=dict)
    """By field name, or by ``(field, index)`` for list elements from other rows."""


def show(raw: Any) -> str:
    if is_blank(raw):
        return "（空）"
    text = raw if isinstance(raw, str) else text_of(raw)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"'{text}'" if isinstance(raw, str) else text


@dataclass(frozen=True)
class _Problem:
    key: tuple[int, int, int]
    text: str
    group: tuple[str, ...] | None = None
    """(sheet, column, reason) for problems that may repeat on many rows."""
    row: int | None = None


class Problems:
    """Problems in the order of the sheets and rows. When one sheet has the same problem
    in the same column on many rows (a whole town table missing), the first few are
    listed and the rest summed up in one line."""

    SHOW = 3
    """Rows listed in full before the rest of a repeated problem is summed up."""

    def __init__(self) -> None:
        self._items: list[_Problem] = []

    def at(self, where: Where, zh: str, en: str, *, value: bool = True) -> None:
        reason = f"{zh} / {en}" if zh else en
        if where.header is not None and value and not where.hide:
            text = f"{where.place()}: {show(where.raw)} {reason}"
        else:
            text = f"{where.place()}: {reason}"
        group = (where.source, where.header or "", zh or en) if where.row else None
        self._items.append(_Problem(where.sort_key(), text, group, where.row))

    def plain(self, text: str, key: tuple[int, int, int] = (10**6, 0, 0)) -> None:
        self._items.append(_Problem(key, text))

    def __bool__(self) -> bool:
        return bool(self._items)

    def lines(self) -> list[str]:
        items: list[_Problem] = []
        seen: set[str] = set()
        for p in sorted(self._items, key=lambda p: p.key):
            if p.text not in seen:
                seen.add(p.text)
                items.append(p)
        groups: dict[tuple[str, ...], list[_Problem]] = {}
        for p in items:
            if p.group is not None:
                groups.setdefault(p.group, []).append(p)
        out: list[str] = []
        for p in items:
            same = groups.get(p.group) if p.group is not None else None
            if not same or len(same) <= self.SHOW + 2:
                out.append(p.text)
                continue
            k = same.index(p)
            if k < self.SHOW:
                out.append(p.text)
            elif k == self.SHOW:
                rest = same[self.SHOW:]
                rows = "、".join(str(q.row) for q in rest[:12]) + ("…" if len(rest) > 12 else "")
                source, header, reason = p.group or ("", "", "")
                column = f" 「{header}」" if header else ""
                out.append(f"{source}{column}: 另有 {len(rest)} 行同样的问题（第{rows}行）: "
                           f"{reason.split(' / ')[0]} / {len(rest)} more rows like this")
        return out


# -- stage 0: the raw sheets -----------------------------------------------------------


@dataclass
class RawSheet:
    table: S.Table
    source: str
    """The name the user sees: the sheet's title or the CSV file's name."""
    rows: list[list[Any]]
    """Row 1 (the header) first."""


_FIRST = (-1, 0, 0)


def _unknown_name(name: str) -> tuple[str, str]:
    known = "、".join(t.zh for t in S.TABLES)
    return (f"不是可导入的表名（可用：{known}；「说明」和以「备注」或 # 开头的会被忽略）",
            "not a known table name (see the 说明 sheet of `xinglian template`)")


MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
"""What the XML inside one workbook may unpack to (a zip bomb unpacks to gigabytes)."""
MAX_ROWS = 100_000
"""Rows per sheet (a county's instance has a few hundred; the scale test 42,000)."""
MAX_COLS = 200
"""Columns per sheet (a table has at most about twenty)."""

_OPEN_AS = ("请在 Excel、WPS 或 LibreOffice 中打开后另存为 .xlsx 工作簿 / open it in Excel, WPS or "
            "LibreOffice and save it as an .xlsx workbook")


class _TooBig(Exception):
    """A sheet with more rows or columns than an instance can have."""


def _limit_rows(source: str, rows: Iterable[list[Any]], path: Path) -> list[list[Any]]:
    """The rows of a sheet, refusing more than MAX_ROWS rows or MAX_COLS columns with
    anything in them (trailing empty cells and rows are dropped)."""
    out: list[list[Any]] = []
    blank_run = 0
    for count, row in enumerate(rows, start=1):
        # Rows come padded with None to the width read: drop that padding at C speed
        # before the (slower) blank test of what is left.
        if len(row) > 32 and row[32:].count(None) == len(row) - 32:
            row = row[:32]
        cells = list(row)
        while cells and is_blank(cells[-1]):
            cells.pop()
        if len(cells) > MAX_COLS:
            raise InputError(path, [f"工作表「{source}」第{count}行有 {len(cells)} 列，"
                                    f"超过 {MAX_COLS} "
                                    f"列的上限 / sheet {source!r} row {count} has {len(cells)} "
                                    f"columns, more than {MAX_COLS}: delete the extra columns"])
        if not cells:
            blank_run += 1
            if count > MAX_ROWS:
                break  # only empty rows beyond the limit: nothing lost
            continue
        if count > MAX_ROWS:
            raise InputError(path, [f"工作表「{source}」超过 {MAX_ROWS:,} 行 / "
                                    f"sheet {source!r} has "
                                    f"more than {MAX_ROWS:,} rows: is it the right file? Delete "
                                    "the rows below the table"])
        out.extend([] for _ in range(blank_run))
        blank_run = 0
        out.append(cells)
    return out


def check_zip(path: Path, kind: str) -> zipfile.ZipFile:
    """Open an .xlsx/.ods as the zip it is, treating it as hostile: the declared and the
    actual unpacked size are bounded, and XML with a DTD (entity declarations: an
    entity-expansion bomb, or external entities) is refused — office files never have
    one. Returns the open zip (the caller closes it)."""
    from ..models.io import check_size

    check_size(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as e:
        raise InputError(path, [
            f"无法作为 {kind} 工作簿打开（文件损坏，或其实是 .xls/.csv？）；{_OPEN_AS} / cannot "
            f"open as an {kind} workbook ({type(e).__name__}: damaged, or not really {kind})"
        ]) from None
    except OSError as e:
        raise InputError(path, [f"无法读取 / cannot read: {e.strerror or e}"]) from None
    try:
        infos = zf.infolist()
        declared = sum(i.file_size for i in infos)
        if declared > MAX_UNZIPPED_BYTES or len(infos) > 10_000:
            raise InputError(path, [
                f"解压后有 {declared / 2**20:.0f} MB，超过 {MAX_UNZIPPED_BYTES // 2**20} MB 的上限"
                f"（压缩炸弹？） / unpacks to {declared / 2**20:.0f} MB, more than the "
                f"{MAX_UNZIPPED_BYTES // 2**20} MB a workbook may (a zip bomb?); save the "
                "tables into a new workbook"])
        unpacked = 0
        for info in infos:
            if not info.filename.endswith((".xml", ".rels", ".vml")) or info.is_dir():
                continue
            tail = b""
            rows = 0
            is_sheet = info.filename.startswith("xl/worksheets/")
            with zf.open(info) as member:
                while chunk := member.read(1 << 20):
                    if is_sheet:  # count rows before openpyxl spends seconds on them
                        window = tail + chunk
                        rows += (window.count(b"<row ") + window.count(b"<row>")
                                 - tail.count(b"<row ") - tail.count(b"<row>"))
                        if rows > MAX_ROWS + 1:
                            title = _sheet_titles(zf).get(info.filename, info.filename)
                            raise InputError(path, [
                                f"工作表「{title}」超过 {MAX_ROWS:,} 行 / sheet {title!r} has more "
                                f"than {MAX_ROWS:,} rows: is it the right file? Delete the "
                                "rows below the table"])
                    unpacked += len(chunk)
                    if unpacked > MAX_UNZIPPED_BYTES:
                        raise InputError(path, [
                            f"解压后超过 {MAX_UNZIPPED_BYTES // 2**20} MB（压缩炸弹？） / unpacks "
                            f"to more than {MAX_UNZIPPED_BYTES // 2**20} MB (a zip bomb?); save "
                            "the tables into a new workbook"])
                    window = tail + chunk
                    if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                        raise InputError(path, [
                            f"工作簿内部文件 {info.filename} 含有 XML 实体声明（DOCTYPE/ENTITY），"
                            f"正常的表格文件不会有，可能是恶意文件 / the workbook's inner "
                            f"{info.filename} declares XML entities (a DTD), which office files "
                            f"never do: refused as possibly hostile; {_OPEN_AS.split(' / ')[1]}"])
                    tail = chunk[-16:]
    except InputError:
        zf.close()
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as e:
        zf.close()
        raise InputError(path, [
            f"工作簿内部已损坏（{type(e).__name__}）；{_OPEN_AS} / the workbook is damaged inside "
            f"({type(e).__name__}: {e})"]) from None
    return zf


def _sheet_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Best effort: the zip member of each sheet of an .xlsx and the sheet's title."""
    try:
        book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile):
        return {}
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'Id="([^"]+)"', rel), re.search(r'Target="([^"]+)"', rel)
        if rid and target:
            t = target[1].lstrip("/")
            targets[rid[1]] = t if t.startswith("xl/") else "xl/" + t
    out = {}
    for sheet in re.findall(r"<sheet\b[^>]*>", book):
        name, rid = re.search(r'name="([^"]*)"', sheet), re.search(r'r:id="([^"]+)"', sheet)
        if name and rid and rid[1] in targets:
            out[targets[rid[1]]] = html.unescape(name[1])
    return out


def _damaged(path: Path, e: BaseException) -> InputError:
    text = str(e).splitlines()[0][:120] if str(e) else ""
    return InputError(path, [
        f"工作簿内部的 XML 已损坏或无法识别；{_OPEN_AS.split(' / ')[0]} / the workbook's inner "
        f"XML is damaged or not understood ({type(e).__name__}{': ' + text if text else ''}); "
        f"{_OPEN_AS.split(' / ')[1]}"])


def _read_workbook(path: Path, problems: Problems) -> list[RawSheet]:
    import openpyxl

    check_zip(path, ".xlsx").close()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    except InputError:
        raise
    except OSError as e:
        raise InputError(path, [f"无法读取 / cannot read: {e.strerror or e}"]) from None
    except Exception as e:  # noqa: BLE001 - any parser error of a hostile file: one line
        raise _damaged(path, e) from None
    sheets: list[RawSheet] = []
    try:
        for ws in wb.worksheets:
            if S.is_skipped_name(ws.title):
                continue
            table = S.find_table(ws.title)
            if table is None:
                zh, en = _unknown_name(ws.title)
                problems.plain(f"工作表「{ws.title}」: {zh} / {en}", _FIRST)
                continue
            # The <dimension> a file declares is not trusted (it may hide rows or claim
            # millions): read every row, at most MAX_COLS + 1 columns wide.
            ws.reset_dimensions()
            rows = _limit_rows(ws.title, ws.iter_rows(min_row=1, max_col=MAX_COLS + 1,
                                                      values_only=True), path)
            sheets.append(RawSheet(table, ws.title, rows))
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001
        raise _damaged(path, e) from None
    finally:
        wb.close()
    return sheets


# -- OpenDocument (.ods): LibreOffice's own format, read with the standard library -----

_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _q(ns: str, tag: str) -> str:
    return f"{{{_NS[ns]}}}{tag}"


def _ods_text(cell: Any) -> str:
    """A cell's text as shown: paragraphs joined by newlines, <text:s/> as spaces."""

    def walk(el: Any, parts: list[str]) -> None:
        if el.text:
            parts.append(el.text)
        for child in el:
            if child.tag == _q("text", "s"):
                parts.append(" " * int(child.get(_q("text", "c"), "1")))
            elif child.tag == _q("text", "tab"):
                parts.append("\t")
            elif child.tag == _q("text", "line-break"):
                parts.append("\n")
            else:
                walk(child, parts)
            if child.tail:
                parts.append(child.tail)

    paras = []
    for p in cell.findall(_q("text", "p")):  # direct children: not the comments' text
        parts: list[str] = []
        walk(p, parts)
        paras.append("".join(parts))
    return "\n".join(paras)


def _ods_value(cell: Any) -> Any:
    import datetime as dt

    kind = cell.get(_q("office", "value-type"))
    if kind is None:
        return None
    if kind in ("float", "percentage", "currency"):
        num = float(cell.get(_q("office", "value")))
        return int(num) if num.is_integer() else num
    if kind == "date":
        text = cell.get(_q("office", "date-value"))
        value = dt.datetime.fromisoformat(text)
        return value.date() if "T" not in text else value
    if kind == "time":
        m = re.fullmatch(r"-?PT(\d+)H(\d+)M(\d+(?:\.\d+)?)S",
                         cell.get(_q("office", "time-value"), ""))
        return dt.time(int(m[1]) % 24, int(m[2])) if m else _ods_text(cell)
    if kind == "boolean":
        return cell.get(_q("office", "boolean-value")) == "true"
    return _ods_text(cell)


def _ods_rows(table: Any, source: str, path: Path) -> list[list[Any]]:
    rows: list[list[Any]] = []
    pending_blank = 0
    for row in table.iter(_q("table", "table-row")):
        repeat = int(row.get(_q("table", "number-rows-repeated"), "1"))
        cells: list[Any] = []
        for cell in row:
            if cell.tag not in (_q("table", "table-cell"), _q("table", "covered-table-cell")):
                continue
            n = int(cell.get(_q("table", "number-columns-repeated"), "1"))
            value = _ods_value(cell) if cell.tag == _q("table", "table-cell") else None
            if is_blank(value):
                cells.append((None, n))
            else:
                if sum(k for _, k in cells) + n > MAX_COLS:
                    raise InputError(path, [
                        f"工作表「{source}」超过 {MAX_COLS} 列 / sheet {source!r} has more than "
                        f"{MAX_COLS} columns: delete the extra columns"])
                cells.append((value, n))
        while cells and cells[-1][0] is None:
            cells.pop()
        if not cells:
            pending_blank += repeat
            continue
        if len(rows) + pending_blank + repeat > MAX_ROWS:
            raise InputError(path, [f"工作表「{source}」超过 {MAX_ROWS:,} 行 / "
                                    f"sheet {source!r} has "
                                    f"more than {MAX_ROWS:,} rows: is it the right file? Delete "
                                    "the rows below the table"])
        rows.extend([] for _ in range(pending_blank))
        pending_blank = 0
        flat = [v for v, n in cells for _ in range(n)]
        rows.extend(list(flat) for _ in range(repeat))
    return rows


def _read_ods(path: Path, problems: Problems) -> list[RawSheet]:
    from xml.etree.ElementTree import ParseError, iterparse

    zf = check_zip(path, ".ods")
    sheets: list[RawSheet] = []
    try:
        try:
            member = zf.open("content.xml")
        except KeyError:
            raise InputError(path, [f"不是 .ods 工作簿（缺少 content.xml）；"
                                    f"{_OPEN_AS.split(' / ')[0]}"
                                    f" / not an .ods workbook (no content.xml); "
                                    f"{_OPEN_AS.split(' / ')[1]}"]) from None
        with member:
            for _, el in iterparse(member, events=("end",)):
                if el.tag != _q("table", "table"):
                    continue
                title = el.get(_q("table", "name"), "")
                if S.is_skipped_name(title):
                    el.clear()
                    continue
                table = S.find_table(title)
                if table is None:
                    zh, en = _unknown_name(title)
                    problems.plain(f"工作表「{title}」: {zh} / {en}", _FIRST)
                else:
                    sheets.append(RawSheet(table, title, _ods_rows(el, title, path)))
                el.clear()
    except InputError:
        raise
    except (ParseError, ValueError, TypeError, zipfile.BadZipFile, EOFError, OSError) as e:
        raise _damaged(path, e) from None
    finally:
        zf.close()
    return sheets


# -- old Excel (.xls, BIFF) through xlrd ------------------------------------------------


def _read_xls(path: Path, problems: Problems) -> list[RawSheet]:
    import xlrd

    from ..models.io import check_size

    check_size(path)
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except OSError as e:
        raise InputError(path, [f"无法读取 / cannot read: {e.strerror or e}"]) from None
    except Exception as e:  # noqa: BLE001 - xlrd raises many kinds on damaged files
        raise InputError(path, [
            f"无法作为旧版 .xls 工作簿打开（文件损坏，或其实是别的格式）；"
            f"{_OPEN_AS.split(' / ')[0]} / "
            f"cannot open as an old .xls workbook ({type(e).__name__}); "
            f"{_OPEN_AS.split(' / ')[1]}"]) from None
    sheets: list[RawSheet] = []
    try:
        for name in book.sheet_names():
            if S.is_skipped_name(name):
                continue
            table = S.find_table(name)
            if table is None:
                zh, en = _unknown_name(name)
                problems.plain(f"工作表「{name}」: {zh} / {en}", _FIRST)
                continue
            sh = book.sheet_by_name(name)
            if sh.nrows > MAX_ROWS or sh.ncols > MAX_COLS:
                raise InputError(path, [
                    f"工作表「{name}」有 {sh.nrows} 行 {sh.ncols} 列，超过上限（{MAX_ROWS:,} 行、"
                    f"{MAX_COLS} 列） / sheet {name!r} has {sh.nrows} rows and {sh.ncols} "
                    f"columns, more than {MAX_ROWS:,} rows or {MAX_COLS} columns"])

            def value(cell: Any) -> Any:
                if cell.ctype == xlrd.XL_CELL_DATE:
                    when = xlrd.xldate_as_datetime(cell.value, book.datemode)
                    return when.date() if when.time() == when.min.time() else when
                if cell.ctype == xlrd.XL_CELL_NUMBER:
                    return int(cell.value) if float(cell.value).is_integer() else cell.value
                if cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    return bool(cell.value)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    return None
                return cell.value

            rows = [[value(c) for c in sh.row(r)] for r in range(sh.nrows)]
            sheets.append(RawSheet(table, name, _limit_rows(name, rows, path)))
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001
        raise InputError(path, [f"旧版 .xls 工作簿内部已损坏 / the .xls workbook is damaged "
                                f"inside ({type(e).__name__}); {_OPEN_AS.split(' / ')[1]}"]) \
            from None
    finally:
        book.release_resources()
    return sheets


def decode_csv(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else
    GB18030 (a superset of GBK and GB2312, what Chinese Excel writes); None if none fits."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _sheet_of_file(stem: str) -> str:
    """The sheet a CSV file is: its name, or LibreOffice's "every sheet to CSV" naming
    ``<workbook>-<sheet>.csv`` (the part after a hyphen that names a table)."""
    if S.find_table(stem) is not None or S.is_skipped_name(stem):
        return stem
    for i, ch in enumerate(stem):
        if ch == "-":
            rest = stem[i + 1:]
            if S.find_table(rest) is not None or (rest and S.is_skipped_name(rest)
                                                   and rest.strip() == rest):
                return rest
    return stem


def _csv_rows(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    if not first.count(delimiter):
        delimiter = ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_folder(path: Path, problems: Problems) -> list[RawSheet]:
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    if not files:
        problems.plain("文件夹里没有 CSV 文件（每张表一个文件，如 人员.csv） / "
                       "no CSV files in the folder (one per table, e.g. people.csv)", _FIRST)
    if not files and (path / "plan.json").is_file():
        from ..models.io import _folder_hint

        raise InputError(path, [_folder_hint(path)])
    from ..models.io import max_input_bytes

    sheets: list[RawSheet] = []
    total = 0
    for f in files:
        stem = _sheet_of_file(f.stem)
        if S.is_skipped_name(stem):
            continue
        table = S.find_table(stem)
        if table is None:
            zh, en = _unknown_name(f.stem)
            problems.plain(f"{f.name}: {zh} / {en}", _FIRST)
            continue
        total += f.stat().st_size
        if total > max_input_bytes():
            raise InputError(path, [
                f"CSV 文件合计超过 {max_input_bytes() // 2**20} MB 的上限 / "
                f"the CSV files add up to "
                f"more than the {max_input_bytes() // 2**20} MB an instance may be; check the "
                "folder holds only this instance's tables"])
        try:
            data = f.read_bytes()
        except OSError as e:
            problems.plain(f"{f.name}: 无法读取 / cannot read: {e.strerror or e}", _FIRST)
            continue
        text = decode_csv(data)
        if text is None:
            problems.plain(
                f"{f.name}: 无法识别文本编码（既不是 UTF-8，也不是 GBK/GB18030）；请在 Excel 中"
                "“另存为”“CSV UTF-8（逗号分隔）” / cannot decode: neither UTF-8 nor "
                "GBK/GB18030; save it as CSV UTF-8", _FIRST)
            continue
        try:
            rows = _limit_rows(f.name, _csv_rows(text), path)
        except csv.Error as e:
            problems.plain(f"{f.name}: 不是有效的 CSV / malformed CSV: {e}", _FIRST)
            continue
        sheets.append(RawSheet(table, f.name, rows))
    return sheets


# -- stage 1: cells --------------------------------------------------------------------


@dataclass
class Record:
    row: Where
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, Where] = field(default_factory=dict)
    ok: bool = True
    """False when a required cell is empty or unreadable: the row is left out."""


@dataclass
class Failure:
    where: Where
    column: S.Column
    error: CellError


_CHILD_PRIVATE = frozenset({"name", "address", "needs"})
"""Columns of the children sheet whose values no message may show."""


def _parse_sheet(sheet: RawSheet, problems: Problems,
                 failures: list[Failure]) -> list[Record]:
    table, src = sheet.table, sheet.source
    order = S.TABLES.index(table)
    if not sheet.rows:
        return []
    header = sheet.rows[0]
    columns: dict[int, S.Column] = {}
    shown: dict[str, str] = {}
    for idx, cell in enumerate(header):
        if is_blank(cell):
            continue
        text = text_of(cell)
        if S.is_skipped_name(text, sheet=False):
            continue
        where = Where(src, order, 1, idx, text, cell)
        col = table.column(text)
        if col is None:
            known = "、".join(c.zh for c in table.columns)
            problems.at(where,
                        f"不是「{table.zh}」表的列（可用：{known}；备注列请以「备注」或 # 开头）",
                        f"unknown column (known: {', '.join(c.key for c in table.columns)})",
                        value=False)
            continue
        if col.key in shown:
            problems.at(where, f"与「{shown[col.key]}」是同一列，重复了", "duplicate column",
                        value=False)
            continue
        columns[idx], shown[col.key] = col, text
    missing = [c for c in table.columns if c.required and c.key not in shown]
    for c in missing:
        problems.at(Where(src, order, 1), f"缺少必填列「{c.zh}」",
                    f"missing required column {c.key!r}")
    records: list[Record] = []
    for rownum, cells in enumerate(sheet.rows[1:], start=2):
        raws = {idx: (cells[idx] if idx < len(cells) else None) for idx in columns}
        if all(is_blank(v) for v in raws.values()):
            continue
        private = None
        if table.key == "children":
            code = next((raws[i] for i, c in columns.items() if c.key == "code"), None)
            private = "?" if is_blank(code) else text_of(code)[:40]
        rec = Record(Where(src, order, rownum, private=private), ok=not missing)
        for idx, col in columns.items():
            raw = raws[idx]
            where = Where(src, order, rownum, idx, shown[col.key], raw, private=private,
                          hide=private is not None and col.key in _CHILD_PRIVATE)
            if is_blank(raw):
                if col.required:
                    problems.at(where, "必填，不能为空", "required, but empty", value=False)
                    rec.ok = False
                continue
            rec.cells[col.key] = where
            try:
                rec.values[col.key] = parse_cell(col.type, raw, col.choices, col.choice)
            except CellError as e:
                failures.append(Failure(where, col, e))
                if col.required:
                    rec.ok = False
        records.append(rec)
    return records


# -- stage 2: assembly -----------------------------------------------------------------

_HINT_TABLE = {"person": "人员", "town": "镇街", "federation": "联合会", "venue": "场地"}
_LIST_OF_SCOPE = {"base": "bases", "town": "towns", "federation": "federations"}


class _Builder:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.data: dict[str, Any] = {}
        self.prov: dict[int, Origin] = {}
        self._keep: list[Any] = []  # keeps provenance keys (object ids) alive
        self.dropped: set[str] = set()
        """Ids of entities left out (their own problems were reported)."""
        self.tainted: set[tuple[int, str | None]] = set()
        """(object, field) whose errors only restate a reported problem."""
        self.validatable = True
        self.reg(self.data, None)

    # provenance helpers
    def reg(self, obj: Any, row: Where | None, cells: dict[Any, Where] | None = None) -> Any:
        self.prov[id(obj)] = Origin(row, dict(cells or {}))
        self._keep.append(obj)
        return obj

    def group(self, *path: str) -> dict[str, Any]:
        cur = self.data
        for key in path:
            if key not in cur:
                cur[key] = self.reg({}, None)
            cur = cur[key]
        return cur

    def entity(self, rec: Record, fields: Iterable[str] | dict[str, str]) -> dict[str, Any]:
        mapping = fields if isinstance(fields, dict) else {f: f for f in fields}
        obj = {f: rec.values[c] for f, c in mapping.items() if c in rec.values}
        cells = {f: rec.cells[c] for f, c in mapping.items() if c in rec.cells}
        return self.reg(obj, rec.row, cells)

    def taint(self, obj: Any, *fields: str | None) -> None:
        for f in fields or (None,):
            self.tainted.add((id(obj), f))

    def owner(self, rec: Record, key: str, index: dict[str, dict], table: S.Table,
              what: str) -> dict | None:
        oid = rec.values.get(key)
        if oid is None:
            return None
        if oid in index:
            return index[oid]
        if oid not in self.dropped:
            self.problems.at(rec.cells[key], f"「{table.zh}」表中没有这个编号",
                             f"unknown {what} id (add it to the {table.key} sheet)")
        return None

    def entities(self, records: list[Record], fields, into: list) -> dict[str, dict]:
        """Rows of an entity sheet (towns, people, ...); returns the first row per id."""
        index: dict[str, dict] = {}
        for rec in records:
            if not rec.ok:
                if "id" in rec.values:
                    self.dropped.add(rec.values["id"])
                continue
            obj = self.entity(rec, fields)
            into.append(obj)
            index.setdefault(obj["id"], obj)
        return index

    # the sheets
    def settings(self, records: list[Record] | None) -> None:
        if records is None:
            self.validatable = False
            return
        seen: dict[str, Where] = {}
        for rec in records:
            if "key" not in rec.values:
                continue
            setting = S.find_setting(rec.values["key"])
            if setting is None:
                self.problems.at(rec.cells["key"], "不是已知的设置项（见「说明」表）",
                                 "unknown setting (see the 说明 sheet)")
                continue
            if setting.key in seen:
                self.problems.at(rec.cells["key"], f"重复：{seen[setting.key].place()} 已填写",
                                 "this setting appears twice")
                continue
            seen[setting.key] = rec.cells["key"]
            vwhere = rec.cells.get("value")
            if vwhere is None:
                if setting.required:
                    self.problems.at(Where(rec.row.source, rec.row.order, rec.row.row,
                                           len(rec.cells), "值", None, setting.zh),
                                     "必填，不能为空", "required, but empty", value=False)
                    self._required_bad(setting.key)
                continue
            vwhere = Where(vwhere.source, vwhere.order, vwhere.row, vwhere.col, vwhere.header,
                           vwhere.raw, setting.zh)
            try:
                value = parse_cell(setting.type, vwhere.raw, setting.choices, setting.choice)
            except CellError as e:
                self.problems.at(vwhere, e.zh, e.en)
                self._required_bad(setting.key)
                continue
            *parents, name = setting.key.split(".")
            target = self.group(*parents)
            target[name] = value
            self.prov[id(target)].cells[name] = vwhere
        for s in S.SETTINGS:
            if s.required and s.key not in seen:
                self.problems.plain(
                    f"{S.SETTINGS_TABLE.zh}: 缺少设置项「{s.zh}」（{s.key}） / "
                    f"required setting {s.key!r} is missing", (0, 0, 0))
                self._required_bad(s.key)

    def _required_bad(self, key: str) -> None:
        if key == "id":
            self.data["id"] = "unnamed"  # nothing refers to it; keep checking the rest
        elif key == "year":
            self.validatable = False  # every date check depends on the year

    def build(self, recs: dict[str, list[Record]]) -> None:
        """Every sheet but the settings, owners before the rows that attach to them."""

        def get(key: str) -> list[Record]:
            return recs.get(key, [])

        self.entities(get("towns"), ("id", "name"), self.data.setdefault("towns", []))
        people = self.entities(
            get("people"),
            ("id", "name", "phone", "town", "preferred_periods", "undesired_periods"),
            self.data.setdefault("people", []))
        for rec in get("unavailability"):
            if not rec.ok:
                continue
            person = self.owner(rec, "person", people, S.PEOPLE, "person")
            if person is not None:
                person.setdefault("unavailable", []).append(
                    self.entity(rec, ("start", "end", "reason")))

        feds = self.entities(
            get("federations"), ("id", "name", "kind", "industry", "town", "parent", "chair"),
            self.data.setdefault("federations", []))
        self._presidium(get("presidium"), feds)
        for rec in get("invited"):
            fed = self.owner(rec, "base", feds, S.FEDERATIONS, "federation") if rec.ok else None
            if fed is None:
                continue
            if fed.get("kind") != "base":
                self.problems.at(rec.cells["base"], "不是基地妇联，只有基地妇联有联席会邀请嘉宾",
                                 "only a base federation (kind base) has invited guests")
                continue
            org = self.prov[id(fed)]
            invited = fed.setdefault("invited", [])
            for pid in rec.values["people"]:
                org.cells[("invited", len(invited))] = rec.cells["people"]
                invited.append(pid)
        hosting_rows: dict[str, Where] = {}
        for rec in get("hosting"):
            fed = self.owner(rec, "federation", feds, S.FEDERATIONS, "federation")
            if fed is None or not rec.ok:
                continue
            if fed["id"] in hosting_rows:
                self.problems.at(rec.cells["federation"],
                                 f"重复：{hosting_rows[fed['id']].place()} 已填写该妇联的主办参数",
                                 "hosting parameters given twice")
                continue
            hosting_rows[fed["id"]] = rec.row
            fed["hosting"] = self.entity(rec, ("weight", "min_turns", "max_turns", "contact"))

        venues = self.entities(
            get("venues"),
            ("id", "name", "kind", "town", "capacity", "address", "owner", "meetings"),
            self.data.setdefault("venues", []))
        for rec in get("venue_slots"):
            venue = self.owner(rec, "venue", venues, S.VENUES, "venue") if "venue" in rec.values \
                else None
            if venue is None:
                continue
            if not rec.ok:
                self.taint(venue, None, "hosts")
                continue
            venue.setdefault("slots", []).append(self.entity(rec, ("pattern", "months")))
        for rec in get("venue_closures"):
            venue = self.owner(rec, "venue", venues, S.VENUES, "venue") if rec.ok else None
            if venue is not None:
                venue.setdefault("closures", []).append(
                    self.entity(rec, ("start", "end", "reason")))
        self._hosts(get("venue_hosts"), venues)

        self.entities(get("themes"), ("id", "name", "venue_kind", "date", "window_days"),
                      self.data.setdefault("themes", []))
        if get("holidays"):
            holidays = self.group("calendar").setdefault("holidays", [])
            holidays += [self.entity(r, ("name", "start", "end")) for r in get("holidays") if r.ok]
        if get("makeup_workdays"):
            cal = self.group("calendar")
            days = cal.setdefault("makeup_workdays", [])
            for rec in get("makeup_workdays"):
                if rec.ok:
                    self.prov[id(cal)].cells[("makeup_workdays", len(days))] = rec.cells["date"]
                    days.append(rec.values["date"])
        self._volunteers(get("volunteers"), get("volunteer_weekly"), get("caring_mothers"),
                         people)
        self._activities(get("activities"), get("activity_roles"))
        self._children(get("children"))
        if get("festivals"):
            festivals = self.group("care").setdefault("festivals", [])
            festivals += [self.entity(r, ("name", "date", "window_days"))
                          for r in get("festivals") if r.ok]
        self._terms(get("terms"), get("term_activities"))
        for key, path, fields in (
            ("travel", ("travel",), ("a", "b", "minutes")),
            ("history_care", ("history", "care"), ("mother", "child", "year")),
            ("pin_volunteering", ("pins", "volunteering"),
             ("activity", "person", "role", "reason")),
            ("history_rotation", ("history", "rotation"), ("base", "year", "period", "chair")),
            ("history_hosting", ("history", "hosting"), ("federation", "year", "turns")),
            ("pin_rotation", ("pins", "rotation"), ("base", "period", "chair", "reason")),
            ("pin_meetings", ("pins", "meetings"),
             ("base", "quarter", "date", "venue", "slot", "reason")),
            ("pin_hosting", ("pins", "hosting"),
             ("venue", "date", "federation", "start", "reason")),
        ):
            if get(key):
                holder = self.group(*path[:-1]) if len(path) > 1 else self.data
                items = holder.setdefault(path[-1], [])
                items += [self.entity(r, fields) for r in get(key) if r.ok]

    def _volunteers(self, records: list[Record], weekly: list[Record], mothers: list[Record],
                    people: dict[str, dict]) -> None:
        """志愿者 rows become ``people[].volunteer``, 志愿者时段 rows its ``weekly`` spans
        and 爱心妈妈 rows set ``caring_mother``."""
        rows: dict[str, Where] = {}
        for rec in records:
            person = self.owner(rec, "person", people, S.PEOPLE, "person")
            if person is None or not rec.ok:
                continue
            if person["id"] in rows:
                self.problems.at(rec.cells["person"],
                                 f"重复：{rows[person['id']].place()} 已填写该志愿者",
                                 "this volunteer is listed twice")
                continue
            rows[person["id"]] = rec.row
            person["volunteer"] = self.entity(rec, (
                "federation", "skills", "languages", "max_activities_per_month",
                "max_hours_per_month", "likes", "dislikes", "experienced"))
            self.prov[id(person)].cells["volunteer"] = rec.cells["person"]
        for rec in weekly:
            person = self.owner(rec, "person", people, S.PEOPLE, "person")
            if person is None or not rec.ok:
                continue
            if "volunteer" not in person:
                if person["id"] not in self.dropped:
                    self.problems.at(rec.cells["person"], "不在「志愿者」表中，请先在那里添加一行",
                                     "not in the volunteers sheet; add her there first")
                continue
            person["volunteer"].setdefault("weekly", []).append(
                self.entity(rec, ("days", "start", "end")))
        for rec in mothers:
            person = self.owner(rec, "person", people, S.PEOPLE, "person")
            if person is not None and rec.ok:
                person["caring_mother"] = True
                self.prov[id(person)].cells["caring_mother"] = rec.cells["person"]

    def _activities(self, records: list[Record], roles: list[Record]) -> None:
        """活动 rows with their 活动岗位 rows (an activity needs at least one role)."""
        acts = self.entities(
            records, ("id", "kind", "title", "date", "start", "end", "town", "venue",
                      "lead_required", "series"),
            self.data.setdefault("activities", []))
        for rec in roles:
            act = self.owner(rec, "activity", acts, S.ACTIVITIES, "activity")
            if act is None:
                continue
            if not rec.ok:
                self.taint(act, "roles")  # its own problem is reported already
                continue
            act.setdefault("roles", []).append(
                self.entity(rec, ("role", "skill", "language", "min", "max")))
        # Without roles the activity cannot be validated; it is set aside (its problem, or
        # the problem of its role rows, is reported once).
        activities = self.data["activities"]
        for act in list(acts.values()):
            if "roles" in act:
                continue
            if (id(act), "roles") not in self.tainted:
                where = self.prov[id(act)].cells.get("id") or self.prov[id(act)].row
                self.problems.at(where, f"「{S.ACTIVITY_ROLES.zh}」表中没有该活动的岗位，"
                                        "请至少添加一行", "the activity has no roles; add rows "
                                        f"to the {S.ACTIVITY_ROLES.key} sheet")
            activities[:] = [a for a in activities if a is not act]
            self.dropped.add(act["id"])

    def _terms(self, records: list[Record] | None, activities: list[Record] | None) -> None:
        """轮值工作 and 特色活动: one row per base each (models/term.py)."""
        if not records:
            return
        into = self.data.setdefault("terms", [])
        index: dict[str, dict] = {}
        for rec in records:
            if rec.ok:
                obj = self.entity(rec, ("base", "regional_chair", "enterprises",
                                        "visits_per_year", "visit_minutes", "visit_weekdays",
                                        "visit_times"))
                obj["activity"] = None  # unless a 特色活动 row says otherwise
                into.append(obj)
                index.setdefault(obj["base"], obj)
        for rec in activities or ():
            if not rec.ok:
                continue
            term = self.owner(rec, "base", index, S.TERMS, "base")
            if term is not None:
                term["activity"] = self.entity(rec, ("kind", "minutes", "venues", "weekdays",
                                                     "times", "working_days_only"))

    def _children(self, records: list[Record]) -> None:
        into = self.data.setdefault("children", [])
        for rec in records:
            if not rec.ok:
                if "code" in rec.values:
                    self.dropped.add(rec.values["code"])
                continue
            into.append(self.entity(rec, ("code", "name", "address", "town", "age", "needs")))

    def _presidium(self, records: list[Record], feds: dict[str, dict]) -> None:
        members: dict[str, list[Record]] = {}
        for rec in records:
            fed = self.owner(rec, "base", feds, S.FEDERATIONS, "federation")
            if fed is None:
                continue
            if not rec.ok:
                self.taint(fed, None)  # e.g. "a base federation needs a chair"
                continue
            members.setdefault(fed["id"], []).append(rec)
        for fid, recs in members.items():
            fed = feds[fid]
            org = self.prov[id(fed)]
            chairs = [r for r in recs if r.values["role"] == "chair"]
            for extra in chairs[1:]:
                self.problems.at(extra.cells["role"],
                                 f"一个基地只能有一名主席（{chairs[0].row.place()} 已填主席）",
                                 "a presidium has one chair")
                self.taint(fed, None)
            if chairs:
                rec = chairs[0]
                pid = rec.values["person"]
                if fed.get("chair") not in (None, pid):
                    where = org.cells["chair"].place()
                    self.problems.at(
                        rec.cells["person"],
                        f"与「联合会」表{where} 的主席 '{fed['chair']}' 不一致",
                        "differs from the chair in the federations sheet")
                    self.taint(fed, None)
                elif "chair" not in fed:
                    fed["chair"] = pid
                    org.cells["chair"] = rec.cells["person"]
            vices = sorted((r for r in recs if r.values["role"] != "chair"),
                           key=lambda r: (r.values.get("order", 10**9), r.row.row or 0))
            if vices and fed.get("kind") != "base":
                for r in vices:
                    self.problems.at(r.cells["base"],
                                     "不是基地妇联，只有基地妇联有主席团副主席",
                                     "only a base federation (kind base) has vice-chairs")
                continue
            if vices:
                fed["vice_chairs"] = [r.values["person"] for r in vices]
                for j, r in enumerate(vices):
                    org.cells[("vice_chairs", j)] = r.cells["person"]

    def _hosts(self, records: list[Record], venues: dict[str, dict]) -> None:
        for rec in records:
            venue = self.owner(rec, "venue", venues, S.VENUES, "venue")
            if venue is None or not rec.ok:
                continue
            scope = rec.values["by"]
            ids = rec.values.get("ids", [])
            if scope != "none" and "ids" not in rec.values:
                if "ids" not in rec.cells:  # (an unreadable cell is reported already)
                    self.problems.at(Where(rec.row.source, rec.row.order, rec.row.row, 99,
                                           S.VENUE_HOSTS.col("ids").zh),
                                     "请填写基地、镇街或妇联的编号", "ids are missing",
                                     value=False)
                continue
            if "hosts" not in venue:
                venue["hosts"] = self.reg({"bases": [], "towns": [], "federations": []},
                                          rec.row)
            hosts = venue["hosts"]
            if scope == "none":
                continue
            name = _LIST_OF_SCOPE[scope]
            org = self.prov[id(hosts)]
            for hid in ids:
                org.cells[(name, len(hosts[name]))] = rec.cells["ids"]
                hosts[name].append(hid)

    # stage 3: validation
    def validate(self) -> Instance | None:
        last: ValidationError | None = None
        for _ in range(200):
            try:
                return Instance.model_validate(self.data)
            except ValidationError as err:
                last = err
                errors = err.errors(include_url=False)
                located = [(e, _clean_loc(e["loc"])) for e in errors]
                if all(not loc for _, loc in located):
                    for e, _ in located:
                        for line in _message(e).split("\n"):
                            self._report_line(line)
                    return None
                plans = []
                for e, loc in located:
                    if loc:
                        self._report(loc, e["type"], e.get("ctx") or {}, _message(e))
                        plans.append(self._drop_plan(loc))
                if not any([self._execute(p) for p in plans if p]):
                    return None
        if last is not None and not self.problems:  # pragma: no cover - safety net
            for line in describe_validation_error(last, self.data):
                self.problems.plain(line)
        return None

    def _locate(self, loc: tuple) -> tuple[Where | None, Any, bool, Any]:
        """The most precise place of ``loc``; the object it ends at (if it resolves
        fully), whether it does, and the mapping holding its last field."""
        best: Where | None = None
        cur: Any = self.data
        holder: Any = None
        i = 0
        while True:
            if isinstance(cur, dict):
                org = self.prov.get(id(cur))
                if org is not None:
                    if org.row is not None:
                        best = org.row
                    if i < len(loc):
                        cell = org.cells.get(loc[i])
                        if i + 1 < len(loc):
                            cell = org.cells.get((loc[i], loc[i + 1]), cell)
                        best = cell or best
            if i >= len(loc):
                return best, cur, True, holder
            part = loc[i]
            if isinstance(cur, dict) and isinstance(part, str) and part in cur:
                holder = cur
                cur = cur[part]
            elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
                cur = cur[part]
            else:
                return best, None, False, holder
            i += 1

    def _report(self, loc: tuple, type_: str, ctx: dict, en: str) -> None:
        where, obj, resolved, holder = self._locate(loc)
        if resolved and (id(obj), None) in self.tainted:
            return
        if resolved and holder is not None and isinstance(loc[-1], str) \
                and (id(holder), loc[-1]) in self.tainted:
            return
        if any(f"'{d}'" in en for d in self.dropped):
            return
        zh = _zh(type_, ctx, en)
        if where is None:
            self.problems.plain(f"{_loc_text(loc)}: {zh + ' / ' if zh else ''}{en}")
        else:
            self.problems.at(where, zh, en, value=where.header is not None)

    def _report_line(self, line: str) -> None:
        m = _LINE.match(line)
        if not m:
            if line.strip():
                self.problems.plain(line)
            return
        loc = tuple(int(i) if i else n for n, i in re.findall(r"([A-Za-z_]\w*)|\[(\d+)\]",
                                                               m["path"]))
        self._report(loc, "value_error", {}, m["msg"])

    def _drop_plan(self, loc: tuple) -> tuple | None:
        """What to set aside so that validation gets past ``loc``'s error: the list
        element (person, venue, date range, ...) it lies in, or an optional key."""
        steps: list[tuple[Any, Any, Any, Any]] = []  # (container, key, child, field info)
        cur: Any = self.data
        model: type[BaseModel] | None = Instance
        for part in loc:
            if isinstance(cur, dict) and isinstance(part, str) and part in cur:
                info = model.model_fields.get(part) if model else None
                steps.append((cur, part, cur[part], info))
                cur, model = cur[part], _inner_model(info.annotation) if info else None
            elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
                steps.append((cur, part, cur[part], None))
                cur = cur[part]
            else:
                break

        def enclosing_item(upto: int) -> tuple | None:
            for j in range(upto, -1, -1):
                container, _, child, _ = steps[j]
                if isinstance(container, list) and isinstance(child, dict):
                    owner = steps[j - 1][0] if j >= 1 else None
                    return ("remove", container, child, owner)
            return None

        if not steps:
            return None
        resolved = len(steps) == len(loc)
        last = len(steps) - 1
        if resolved and isinstance(cur, dict) or not resolved:
            container, key, child, info = steps[last]
            if isinstance(container, dict) and (info is None or not info.is_required()):
                return ("del", container, key, None)
            return enclosing_item(last)
        for j in range(last, -1, -1):
            container, key, _, info = steps[j]
            if isinstance(container, dict):
                if info is not None and info.is_required():
                    return enclosing_item(j)
                return ("del", container, key, None)
        return None

    def _execute(self, plan: tuple) -> bool:
        action, container, target, owner = plan
        if action == "del":
            if target in container:
                del container[target]
                return True
            return False
        for i, item in enumerate(container):
            if item is target:
                del container[i]
                if isinstance(target.get("id"), str):
                    self.dropped.add(target["id"])
                if owner is not None:
                    self.taint(owner, None, "hosts")
                return True
        return False


_LINE = re.compile(
    r"^(?P<path>[A-Za-z_]\w*(?:\[\d+\]|\.[A-Za-z_]\w*)*)(?:\s*\([^)]*\))?:\s*(?P<msg>.*)$")


def _clean_loc(loc: tuple) -> tuple:
    return tuple(p for p in loc if not (isinstance(p, str) and (
        p.startswith("function-") or p.startswith("model-") or "[" in p)))


def _message(e: Any) -> str:
    return str(e["msg"]).removeprefix("Value error, ")


def _loc_text(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


_ZH_BY_TYPE = {
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "string_too_short": "不能为空",
    "string_too_long": "太长",
    "string_pattern_mismatch": "格式不对",
    "literal_error": "不是可选值",
    "enum": "不是可选值",
    "missing": "缺少必填项",
    "int_parsing": "不是整数",
    "date_parsing": "不是日期",
    "date_from_datetime_parsing": "不是日期",
}
_ZH_BY_TEXT = (
    (r"unknown person", "「人员」表中没有这个编号"),
    (r"unknown activity", "「活动」表中没有这个编号"),
    (r"unknown child", "「儿童」表中没有这个代码"),
    (r"duplicate code", "儿童代码重复，每个代码只能用一次"),
    (r"there are children but no caring mother", "有儿童但没有爱心妈妈（请填写「爱心妈妈」表）"),
    (r"festivals are listed", "「节日」表中的节日少于每年过节次数"),
    (r"is listed twice; merge", "同一活动的岗位重复，请合并为一行"),
    (r"give the activity's `town` or `venue`", "活动的镇街和场地至少填一个"),
    (r"days is empty", "请填写星期"),
    (r"max \d+ is below min", "最多人数小于最少人数"),
    (r"unknown town", "「镇街」表中没有这个编号"),
    (r"unknown base federation", "不是「联合会」表中的基地妇联编号"),
    (r"unknown federation", "「联合会」表中没有这个编号"),
    (r"unknown venue", "「场地」表中没有这个编号"),
    (r"duplicate id", "编号重复，每个编号只能用一次"),
    (r"is before start|end .* is before", "结束日期早于开始日期"),
    (r"lies outside|is not in \d{4}$", "不在计划年度内"),
    (r"is not before the plan year", "应早于计划年度"),
    (r"period \d+ does not exist", "没有这一期"),
    (r"is not on the presidium", "不是该基地主席团成员"),
    (r"pinned twice", "同一基地同一期固定了两次"),
    (r"is not in quarter", "日期不在该季度内"),
    (r"needs a `chair`", "基地妇联必须有主席（「联合会」表「主席」列或「主席团」表）"),
    (r"presidium lists", "主席团里有人重复"),
    (r"only a base federation", "只有基地妇联才有主席团副主席和联席会邀请嘉宾"),
    (r"is not a base federation", "所属基地必须是基地妇联"),
    (r"meeting slots overlap", "联席会时段重叠"),
    (r"overlaps", "与该场地的另一个开放时段重叠"),
    (r"names hosts but offers no", "填了可主办单位，但「场地开放时段」表中没有该场地的时段"),
    (r"has no `hosting`", "该妇联不在「主办参数」表中"),
    (r"hosts turns but has neither", "该妇联参加主办，但既没有联系人也没有主席"),
    (r"is below min_turns", "最多次数小于最少次数"),
    (r"must divide 12", "须能整除 12（1、2、3、4、6 或 12）"),
    (r"slot pattern|cannot parse slot|cannot read", "时段写法无法识别"),
    (r"is not HH:MM|not after its start", "时间不对（例：09:00-11:00）"),
    (r"latest_day is before", "最晚日早于最早日"),
    (r"at least one meeting slot", "至少要有一个联席会时段"),
    (r"slot \d+ does not exist", "没有这个联席会场次"),
)


def _zh(type_: str, ctx: dict, en: str) -> str:
    if type_ in _ZH_BY_TYPE:
        try:
            return _ZH_BY_TYPE[type_].format(**ctx)
        except (KeyError, IndexError):
            return _ZH_BY_TYPE[type_].split("{")[0].strip()
    for pattern, zh in _ZH_BY_TEXT:
        if re.search(pattern, en):
            return zh
    return ""


# -- the entry point -------------------------------------------------------------------


def _open(path: Path, problems: Problems) -> list[RawSheet]:
    if path.is_dir():
        return _read_folder(path, problems)
    if not path.exists():
        raise InputError(path, ["找不到文件或文件夹 / no such file or folder"])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xltx", ".xltm"):
        return _read_workbook(path, problems)
    if suffix == ".ods":
        return _read_ods(path, problems)
    if suffix == ".xls":
        return _read_xls(path, problems)
    if suffix == ".csv":
        raise InputError(path, ["请给出放 CSV 文件的文件夹（每张表一个文件，如 人员.csv），"
                                "而不是单个 CSV 文件 / give the folder of CSV files, one per "
                                "table, not a single CSV file"])
    raise InputError(path, ["不是 .xlsx/.ods/.xls 工作簿，也不是 CSV 文件夹 / not an .xlsx, .ods "
                            "or .xls workbook or a folder of CSV files"])


def _report_failures(failures: list[Failure], recs: dict[str, list[Record]],
                     problems: Problems) -> None:
    """Cell problems, with a hint when an id cell holds a name ("陈丽娟" for p-001)."""
    names: dict[str, dict[str, list[str]]] = {}
    for kind, key in (("person", "people"), ("town", "towns"), ("federation", "federations"),
                      ("venue", "venues")):
        table: dict[str, list[str]] = {}
        for rec in recs.get(key, []):
            if "name" in rec.values and "id" in rec.values:
                table.setdefault(rec.values["name"], []).append(rec.values["id"])
        names[kind] = table
    for f in failures:
        zh, en = f.error.zh, f.error.en
        refers = f.column.refers
        if refers and f.column.type in (S.ID, S.ID_LIST):
            items = [text_of(f.where.raw)] if f.column.type == S.ID \
                else split_list(f.where.raw)
            hints = [f"{n} 的编号是 {'、'.join(names[refers][n])}" for n in items
                     if n in names[refers]]
            if hints:
                zh += f"；「{_HINT_TABLE[refers]}」表中 " + "，".join(hints)
                en += "; write the id, not the name"
        problems.at(f.where, zh, en)


def load_tables(source: str | Path) -> Instance:
    """Read an instance from an .xlsx workbook or a folder of CSV files.

    Parameters
    ----------
    source
        An ``.xlsx`` file with one sheet per table (see :func:`write_template`), or a
        folder with one CSV file per table, named by the sheet's Chinese or English name
        (``人员.csv`` or ``people.csv``), in UTF-8 (with or without BOM) or GBK/GB18030.
        Headers may be Chinese or English; sheets/columns named ``说明``, ``备注…`` or
        ``#…`` are skipped.

    Returns
    -------
    Instance
        The validated instance.

    Raises
    ------
    InputError
        With every problem at once, each naming the sheet (or file), the row as the user
        sees it (header = row 1), the column as written, the value and a fix.
    """
    path = Path(source)
    problems = Problems()
    sheets = _open(path, problems)
    by_table: dict[str, RawSheet] = {}
    for sheet in sheets:
        if sheet.table.key in by_table:
            problems.plain(f"{sheet.source}: 与「{by_table[sheet.table.key].source}」是同一张表"
                           f"（{sheet.table.zh} / {sheet.table.key}），只能保留一个 / "
                           "the same table twice", _FIRST)
            continue
        by_table[sheet.table.key] = sheet
    is_folder = path.is_dir()
    for t in S.TABLES:
        if t.required and t.key not in by_table:
            what = (f"缺少文件 {t.zh}.csv（或 {t.key}.csv）" if is_folder
                    else f"缺少工作表「{t.zh}」（或 {t.key}）")
            problems.plain(f"{what} / the required table {t.key!r} is missing", _FIRST)
    failures: list[Failure] = []
    recs = {key: _parse_sheet(sheet, problems, failures) for key, sheet in by_table.items()}
    _report_failures(failures, recs, problems)

    builder = _Builder(problems)
    builder.settings(recs.get("settings"))
    builder.build(recs)
    instance = builder.validate() if builder.validatable else None
    if problems or instance is None:
        lines = problems.lines() or ["无法组成有效实例 / no valid instance"]
        raise InputError(path, lines)
    return instance
