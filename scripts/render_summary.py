#!/usr/bin/env python3
"""Render a plan's summary.html to PDF (and optionally PNG) with headless Chromium.

    python scripts/render_summary.py PLAN/summary.html OUT.pdf [--png OUT.png]

Uses Debian's ``chromium`` (``/usr/bin/chromium``; override with ``--chromium`` or the
``CHROMIUM`` environment variable). CJK text needs a CJK font, e.g. Debian's
``fonts-noto-cjk``; without one, Chinese renders as boxes. Each run uses a fresh,
temporary profile and no network. Exits non-zero with a message when Chromium is
missing, fails, or writes no (or an empty, or a non-PDF) file.

``--window-size 390,844`` shows the page as a phone does (tables as cards, the hosting
grid as a list per venue). The tests drive the same Chromium through Playwright instead
(tests/test_html.py: screenshots at 390 and 1600 px into tmp/artifacts/, overflow checks,
an A4 landscape PDF).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

COMMON_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)


class RenderError(Exception):
    pass


def find_chromium(explicit: str | None) -> str:
    for c in (explicit, os.environ.get("CHROMIUM"), "/usr/bin/chromium"):
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return c
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RenderError(
        "Chromium not found: install it (Debian: apt-get install -y chromium fonts-noto-cjk) "
        "or pass --chromium PATH")


def run_chromium(chromium: str, html: Path, extra: list[str], out: Path,
                 timeout: float) -> None:
    """One headless run with a fresh profile; ``out`` must exist and be non-empty after."""
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="xinglian-chromium-") as profile:
        cmd = [chromium, *COMMON_FLAGS, f"--user-data-dir={profile}", *extra, html.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            raise RenderError(f"Chromium did not finish within {timeout:g} s") from None
        except OSError as e:
            raise RenderError(f"cannot run {chromium}: {e.strerror or e}") from None
    if not out.is_file() or out.stat().st_size == 0:
        tail = "\n".join((proc.stderr or "").strip().splitlines()[-8:])
        raise RenderError(f"Chromium (exit {proc.returncode}) wrote no {out.name}"
                          + (f":\n{tail}" if tail else ""))


def render(html: Path, pdf: Path, png: Path | None = None, *, chromium: str | None = None,
           window_size: str = "1600,1100", timeout: float = 120.0) -> None:
    if not html.is_file():
        raise RenderError(f"{html}: no such file")
    exe = find_chromium(chromium)
    html = html.resolve()
    pdf = pdf.resolve()
    pdf.parent.mkdir(parents=True, exist_ok=True)
    # --no-pdf-header-footer is the current name; older Chromium knew the second one.
    run_chromium(exe, html, [f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
                             "--print-to-pdf-no-header"], pdf, timeout)
    with pdf.open("rb") as f:
        if f.read(5) != b"%PDF-":
            raise RenderError(f"{pdf} is not a PDF (it does not start with %PDF)")
    if png is not None:
        png = png.resolve()
        png.parent.mkdir(parents=True, exist_ok=True)
        run_chromium(exe, html, [f"--screenshot={png}", f"--window-size={window_size}"],
                     png, timeout)
        with png.open("rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                raise RenderError(f"{png} is not a PNG")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("html", type=Path, help="the plan's summary.html")
    ap.add_argument("pdf", type=Path, help="PDF to write (A4 landscape)")
    ap.add_argument("--png", type=Path, help="also write a screenshot (screen layout)")
    ap.add_argument("--window-size", default="1600,1100",
                    help="screenshot size WIDTH,HEIGHT in pixels (default 1600,1100)")
    ap.add_argument("--chromium", help="Chromium executable (default /usr/bin/chromium)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per Chromium run")
    args = ap.parse_args(argv)
    try:
        render(args.html, args.pdf, args.png, chromium=args.chromium,
               window_size=args.window_size, timeout=args.timeout)
    except RenderError as e:
        print(f"render_summary: {e}", file=sys.stderr)
        return 1
    written = [args.pdf] + ([args.png] if args.png else [])
    for p in written:
        print(f"wrote {p} ({p.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
