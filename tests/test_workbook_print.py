"""The plan workbook printed the way offices print it: through LibreOffice to PDF.

The bundled organisers-only instance (instances/nanan-2027.yaml: 7 bases, 441 hosting
turns at 20-odd venues) is solved, written as a workbook and converted by LibreOffice
(``soffice --headless --convert-to pdf``, Debian's ``libreoffice-calc-nogui``); the PDF
is read back with pdfminer.six (text lines with their boxes and font sizes, in points,
origin at the bottom left of the page).

Issue 15 found the header and footer clipped (a 0.6" top margin under a 0.5" header), the
Chinese text in a Japanese face (the workbook named Calibri) and the hosting grid printed
at about 6 pt (twelve month columns fitted to one page wide).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from xinglian.export.workbook import FONT_NAME, MARGINS, write_plan_workbook

ROOT = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

if SOFFICE is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs LibreOffice: apt-get install -y libreoffice-calc-nogui")
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)

from pdfminer.high_level import extract_pages  # noqa: E402
from pdfminer.layout import LTChar, LTTextContainer, LTTextLine  # noqa: E402

INCH = 72.0


def soffice_convert(src: Path, fmt: str, out_dir: Path, profile: Path) -> Path:
    """Convert ``src`` with a fresh LibreOffice profile (no clash with a running one)."""
    proc = subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", fmt, "--outdir", str(out_dir), str(src)],
        capture_output=True, text=True, timeout=240, check=False)
    out = out_dir / f"{src.stem}.{fmt}"
    assert out.is_file(), f"soffice wrote no {out.name}: {proc.stdout} {proc.stderr}"
    return out


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    sizes: tuple[float, ...]
    fonts: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...]


def read_pdf(path: Path) -> list[Page]:
    pages = []
    for i, layout in enumerate(extract_pages(str(path)), start=1):
        lines = []
        for box in layout:
            if not isinstance(box, LTTextContainer):
                continue
            for line in box:
                if not isinstance(line, LTTextLine) or not line.get_text().strip():
                    continue
                chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
                lines.append(Line(line.get_text().strip(), line.x0, line.y0, line.x1, line.y1,
                                  tuple(round(c.size, 2) for c in chars),
                                  tuple(c.fontname for c in chars)))
        pages.append(Page(i, layout.width, layout.height, tuple(lines)))
    return pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> tuple[Path, list[Page], str]:
    from xinglian.export.summary import plan_warnings
    from xinglian.models import load_instance
    from xinglian.solver import solve

    inst = load_instance(ROOT / "instances" / "nanan-2027.yaml")
    result = solve(inst, time_limit=30, workers=2, seed=0)
    assert result.plan is not None
    tmp = tmp_path_factory.mktemp("print")
    xlsx = write_plan_workbook(inst, result.plan, tmp / "plan.xlsx",
                               plan_warnings(inst, result.plan, result.plan.solve.calendar_source))
    pdf = soffice_convert(xlsx, "pdf", tmp, tmp / "lo-profile")
    artifacts = Path(os.environ.get("XINGLIAN_ARTIFACTS", ROOT / "tmp" / "artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf, artifacts / "plan-workbook.pdf")
    title = openpyxl.load_workbook(xlsx).properties.title
    return xlsx, read_pdf(pdf), title


HEADER = re.compile(r".+ · (?P<sheet>\S+)$")
FOOTER = re.compile(r"^第 (\d+) 页，共 (\d+) 页$")


def header_and_footer(page: Page, title: str) -> tuple[Line, Line, list[Line]]:
    heads = [ln for ln in page.lines if ln.text.startswith(f"{title} · ")]
    feet = [ln for ln in page.lines if FOOTER.match(ln.text)]
    assert len(heads) == 1, (page.number, [ln.text for ln in page.lines[:3]])
    assert len(feet) == 1, page.number
    body = [ln for ln in page.lines if ln not in (heads[0], feet[0])]
    return heads[0], feet[0], body


def test_margins_leave_room_for_header_and_footer():
    # Excel and LibreOffice place the header at `header` from the edge and the table at
    # `top`: the difference must hold a header line (9 pt) and some air.
    assert (MARGINS["top"] - MARGINS["header"]) * INCH >= 9 + 12
    assert (MARGINS["bottom"] - MARGINS["footer"]) * INCH >= 9 + 12


def test_every_page_has_its_header_and_footer_inside_the_page_clear_of_the_table(printed):
    _, pages, title = printed
    assert len(pages) > 10
    for page in pages:
        head, foot, body = header_and_footer(page, title)
        assert FOOTER.match(foot.text).groups() == (str(page.number), str(len(pages)))
        # Inside the page, with room to spare (a printer cannot print the last few mm).
        assert head.y1 <= page.height - 0.2 * INCH, (page.number, head)
        assert foot.y0 >= 0.2 * INCH, (page.number, foot)
        assert head.x0 >= 0 and head.x1 <= page.width
        if body:
            # Nothing of the table under the header or over the footer.
            assert head.y0 > max(ln.y1 for ln in body), (page.number, head.text)
            assert foot.y1 < min(ln.y0 for ln in body), (page.number, foot.text)
            # At least a few points of white between header and table.
            assert head.y0 - max(ln.y1 for ln in body) >= 3, page.number


def test_hosting_grid_prints_a_quarter_per_page_at_a_readable_size(printed):
    _, pages, title = printed
    grid = [p for p in pages
            if HEADER.match(header_and_footer(p, title)[0].text)["sheet"] == "阵地主办"]
    assert len(grid) >= 4
    quarters = []
    for page in grid:
        _, _, body = header_and_footer(page, title)
        sizes = [s for ln in body for s in ln.sizes]
        assert min(sizes) >= 8, (page.number, min(sizes))
        # The header row: venue, kind, town and the three months of one quarter.
        months = sorted(int(m) for ln in body for m in re.findall(r"^(\d+)月$", ln.text))
        assert months in ([1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]), (page.number, months)
        assert any(ln.text == "场地" for ln in body), page.number
        quarters.append(months[0] // 3 + 1)
    # Down the venues first, then over to the next quarter.
    assert quarters == sorted(quarters) and set(quarters) == {1, 2, 3, 4}


def test_every_sheet_prints_its_table_at_8_pt_or_more(printed):
    # Fitted to one page wide, a wide sheet shrinks: its wrapped columns are narrowed
    # until it fits at about 80 % (11 pt text at about 9 pt).
    _, pages, title = printed
    smallest: dict[str, float] = {}
    for page in pages:
        head, _, body = header_and_footer(page, title)
        sheet = HEADER.match(head.text)["sheet"]
        sizes = [s for ln in body for s in ln.sizes]
        if sizes:
            smallest[sheet] = min(smallest.get(sheet, 99.0), min(sizes))
    assert {"联席会", "阵地主办", "主办明细", "主办公平"} <= set(smallest)
    assert {k: v for k, v in smallest.items() if v < 8} == {}


def test_chinese_prints_in_a_cjk_face_never_a_fallback(printed):
    _, pages, _ = printed
    cjk_fonts = {f for page in pages for ln in page.lines
                 for ch, f in zip((c for c in ln.text if not c.isspace()), ln.fonts,
                                  strict=False)
                 if "\u4e00" <= ch <= "\u9fff"}
    assert cjk_fonts and all("CJK" in f for f in cjk_fonts), cjk_fonts


def test_the_workbook_names_a_simplified_chinese_font_that_libreoffice_resolves(printed,
                                                                                 tmp_path):
    xlsx, _, _ = printed
    book = openpyxl.load_workbook(xlsx)
    for ws in book.worksheets:
        for row in ws.iter_rows(max_row=3):
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == FONT_NAME, (ws.title, cell.coordinate)
                    # No theme scheme (Excel would use the theme's Calibri), GB2312 charset.
                    assert cell.font.scheme is None and cell.font.charset == 134
    styles = zipfile.ZipFile(xlsx).read("xl/styles.xml").decode()
    assert "Calibri" not in styles
    # LibreOffice's own reading of the workbook: the Asian font of the cells is the SC
    # family by name, not its default Asian font.
    fods = soffice_convert(xlsx, "fods", tmp_path, tmp_path / "lo-profile").read_text(
        encoding="utf-8")
    asian = set(re.findall(r'style:font-name-asian="([^"]+)"', fods))
    faces = dict(re.findall(r'<style:font-face style:name="([^"]+)" svg:font-family="([^"]+)"',
                            fods))
    families = {faces.get(a, a).replace("&apos;", "").strip("'") for a in asian}
    assert FONT_NAME in families
    assert not any("JP" in f or "KR" in f or "TC" in f for f in families), families
