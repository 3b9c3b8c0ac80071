#!/usr/bin/env python3
"""Check .ics files with libical's RFC 5545 / RFC 5546 (iTIP) restriction check.

    python scripts/check_ics.py PLAN_DIR_OR_FILES...

Every ``*.ics`` under each directory argument (``calendars/`` and ``updates/`` of a plan
directory, a published ``SITE/feeds/``) is parsed with libical (Debian: ``libical3``,
loaded with ctypes, no compiler needed), then ``icalrestriction_check`` runs on it; libical
records each problem as an ``X-LIC-ERROR`` property, which is printed with the file name.
Exit 0 when no file has a problem, 1 otherwise, 2 when libical cannot be loaded (a
missing library is a failure, never a skip).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path

LIBRARY_NAMES = ("libical.so.3", "libical.so")


class LibicalMissing(RuntimeError):
    """libical cannot be loaded (install Debian's ``libical3``)."""


def load_libical() -> ctypes.CDLL:
    """libical, with the few functions used here typed."""
    names = list(LIBRARY_NAMES)
    found = ctypes.util.find_library("ical")
    if found:
        names.append(found)
    lib = None
    for name in names:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    if lib is None:
        raise LibicalMissing(
            "libical is not installed (Debian/Ubuntu: apt-get install libical3)")
    lib.icalparser_parse_string.restype = ctypes.c_void_p
    lib.icalparser_parse_string.argtypes = [ctypes.c_char_p]
    lib.icalrestriction_check.restype = ctypes.c_int
    lib.icalrestriction_check.argtypes = [ctypes.c_void_p]
    lib.icalcomponent_count_errors.restype = ctypes.c_int
    lib.icalcomponent_count_errors.argtypes = [ctypes.c_void_p]
    lib.icalcomponent_as_ical_string_r.restype = ctypes.c_void_p
    lib.icalcomponent_as_ical_string_r.argtypes = [ctypes.c_void_p]
    lib.icalcomponent_free.restype = None
    lib.icalcomponent_free.argtypes = [ctypes.c_void_p]
    lib.icalmemory_free_buffer.restype = None
    lib.icalmemory_free_buffer.argtypes = [ctypes.c_void_p]
    lib.icalerror_set_errors_are_fatal.restype = None
    lib.icalerror_set_errors_are_fatal.argtypes = [ctypes.c_int]
    lib.icalerror_set_errors_are_fatal(0)
    return lib


_ERROR = re.compile(r"^X-LIC-ERROR[^:]*:(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Report:
    path: str
    problems: tuple[str, ...]


def check_bytes(lib: ctypes.CDLL, data: bytes, name: str = "<bytes>") -> Report:
    """libical's parse errors and restriction-check problems of one calendar."""
    comp = lib.icalparser_parse_string(data)
    if not comp:
        return Report(name, ("libical could not parse the file",))
    try:
        lib.icalrestriction_check(comp)
        count = lib.icalcomponent_count_errors(comp)
        raw = lib.icalcomponent_as_ical_string_r(comp)
        try:
            text = ctypes.string_at(raw).decode("utf-8", "replace") if raw else ""
        finally:
            if raw:
                lib.icalmemory_free_buffer(raw)
    finally:
        lib.icalcomponent_free(comp)
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    problems = tuple(m.strip() for m in _ERROR.findall(unfolded))
    if count and not problems:
        problems = (f"{count} error(s) reported by libical",)
    return Report(name, problems)


def ics_files(args: list[str]) -> list[Path]:
    out: list[Path] = []
    for arg in args:
        p = Path(arg)
        out.extend(sorted(p.rglob("*.ics")) if p.is_dir() else [p])
    return out


def check_paths(args: list[str]) -> list[Report]:
    lib = load_libical()
    return [check_bytes(lib, path.read_bytes(), str(path)) for path in ics_files(args)]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        reports = check_paths(args)
    except LibicalMissing as e:
        print(f"check_ics: {e}", file=sys.stderr)
        return 2
    if not reports:
        print("check_ics: no .ics files found", file=sys.stderr)
        return 1
    bad = [r for r in reports if r.problems]
    for r in bad:
        for p in r.problems:
            print(f"{r.path}: {p}")
    total = sum(len(r.problems) for r in bad)
    print(f"libical restriction check: {len(reports)} file(s), {len(bad)} with problems, "
          f"{total} problem(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
