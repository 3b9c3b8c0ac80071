"""Uploaded data: a workbook, a zip of CSV files, YAML or JSON, read into an instance.

The file is saved in a private temporary directory of the workspace and read with the
same functions as ``xinglian import``, so the problems are the same sentences; each is
split into sheet, row, column, value and what to do, for the table on the data page.
A zip is unpacked with limits (number of files, total size, compression ratio) and never
outside its directory.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""The largest request body the server reads (a county's workbook is ~200 KB)."""
MAX_ZIP_FILES = 200
MAX_ZIP_TOTAL = 50 * 1024 * 1024
MAX_ZIP_RATIO = 200
SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls", ".zip", ".yaml", ".yml", ".json", ".csv")


class UploadError(Exception):
    """The upload cannot be read at all (wrong kind, too big, a bad zip)."""


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: str
    column: str
    value: str
    message: str


_PLACE = re.compile(
    r"^(?P<sheet>[^:：\s]+?)(?: 第(?P<row>\d+)行)?(?: 「(?P<col>[^」]+)」(?P<note>（[^）]*）)?)?"
    r": (?P<rest>.*)$", re.S)
_VALUE = re.compile(r"^(?P<v>'(?:[^']|'(?! ))*'|（空）|-?\d[\d.:\- ]*)\s+(?P<m>.*)$", re.S)
_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w.\[\]]*): (?P<m>.*?)(?: \(got (?P<v>.*)\))?$", re.S)


def split_problem(text: str) -> Problem:
    """A problem sentence of ``xinglian import`` (or of an instance file) in columns."""
    m = _PLACE.match(text)
    if m and (m.group("row") or m.group("col")):
        rest = m.group("rest")
        value = ""
        if m.group("col"):
            v = _VALUE.match(rest)
            if v:
                value, rest = v.group("v"), v.group("m")
        col = (m.group("col") or "") + (m.group("note") or "")
        return Problem(m.group("sheet"), m.group("row") or "", col, value, rest)
    k = _KEY.match(text)
    if k:
        return Problem("", "", k.group("key"), k.group("v") or "", k.group("m"))
    return Problem("", "", "", "", text)


def _safe_name(name: str) -> str:
    base = Path(name or "upload").name
    base = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", base)[:100]
    return base or "upload"


def _unzip(archive: Path, into: Path) -> Path:
    """Unpack the CSV files of ``archive`` into ``into`` (flattened), within the limits."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise UploadError("不是有效的 zip 文件 / not a valid zip file") from None
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_FILES:
            raise UploadError(f"zip 中文件过多（{len(infos)} 个，最多 {MAX_ZIP_FILES}）/ too many "
                              f"files in the zip ({len(infos)}, at most {MAX_ZIP_FILES})")
        total = sum(i.file_size for i in infos)
        packed = max(1, sum(i.compress_size for i in infos))
        if total > MAX_ZIP_TOTAL or total / packed > MAX_ZIP_RATIO:
            raise UploadError(f"zip 解压后过大（{total // 1024} KB）/ the zip expands to "
                              f"{total // 1024} KB, more than allowed "
                              f"({MAX_ZIP_TOTAL // 1024 // 1024} MB, ratio {MAX_ZIP_RATIO})")
        folder = into / "csv"
        folder.mkdir()
        seen: set[str] = set()
        for info in infos:
            raw = info.filename
            if info.flag_bits & 0x800 == 0:  # not flagged UTF-8: Windows zips use GBK
                try:
                    raw = info.filename.encode("cp437").decode("gbk")
                except (UnicodeDecodeError, UnicodeEncodeError):
                    raw = info.filename
            parts = PurePosixPath(raw.replace("\\", "/")).parts
            if not parts or parts[0] == "__MACOSX" or parts[-1].startswith("."):
                continue
            name = parts[-1]
            if not name.lower().endswith((".csv", ".txt")):
                continue
            if name in seen:
                raise UploadError(f"zip 中有两个同名文件 {name} / two files named {name}")
            seen.add(name)
            written = 0
            with zf.open(info) as src, open(folder / _safe_name(name), "wb") as dst:
                while chunk := src.read(65536):
                    written += len(chunk)
                    if written > MAX_ZIP_TOTAL:  # the header lied about the size
                        raise UploadError("zip 解压后过大 / the zip expands beyond the limit")
                    dst.write(chunk)
        if not seen:
            raise UploadError("zip 中没有 CSV 文件 / the zip holds no CSV files")
        return folder


def read_upload(filename: str, data_path: Path, scratch: Path):
    """Read an uploaded file (already saved at ``data_path``) into an instance.

    Returns
    -------
    (instance, None) or (None, list[Problem])

    Raises
    ------
    UploadError
        When the file is of a kind the workspace does not read, or a zip is unsafe.
    """
    from ..models import CalendarError, InputError, Timeline
    from ..tabular import load_any

    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadError(f"{_safe_name(filename)}: 只能上传工作簿（.xlsx、.ods、.xls）、"
                          f"CSV 文件的 zip、YAML 或 JSON / upload a workbook (.xlsx, .ods, "
                          f".xls), a zip of CSV files, YAML or JSON")
    work = Path(tempfile.mkdtemp(prefix=".upload-", dir=scratch))
    try:
        named = work / _safe_name(filename)
        shutil.copyfile(data_path, named)
        source = named
        if suffix == ".zip":
            source = _unzip(named, work)
        elif suffix == ".csv":
            folder = work / "csv"
            folder.mkdir()
            shutil.move(named, folder / named.name)
            source = folder
        try:
            inst = load_any(source)
            Timeline(inst)
        except InputError as e:
            return None, [split_problem(p) for p in e.problems]
        except CalendarError as e:
            return None, [Problem("", "", "", "", str(e))]
        return inst, None
    finally:
        shutil.rmtree(work, ignore_errors=True)
