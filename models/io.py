"""Reading instances and plans from disk, with errors a person can act on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .instance import Instance
from .plan import Plan

# libyaml's parser when PyYAML was built with it (several times faster on big instances).
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_INPUT_BYTES = 20 * 1024 * 1024
"""Instance, changes and workbook files larger than this are refused before reading
(override with the environment variable ``XINGLIAN_MAX_INPUT_MB``)."""

MAX_EXPANSION = 10
"""YAML aliases may repeat what they point to, but the expanded document may hold at
most this many times the values written (and at least ``_EXPANSION_FLOOR``) — a
"billion laughs" document of a few hundred bytes expands to 10^9."""
_EXPANSION_FLOOR = 100_000


def max_input_bytes() -> int:
    """The size limit for one input file, in bytes (see :data:`MAX_INPUT_BYTES`)."""
    import os

    try:
        return int(float(os.environ["XINGLIAN_MAX_INPUT_MB"]) * 1024 * 1024)
    except (KeyError, ValueError):
        return MAX_INPUT_BYTES


PLAN_DIR_FACTOR = 10
"""plan.json and instance.json of a plan directory (written by xinglian, and large for a
big instance's volunteering) may be this many times the input limit."""


def check_size(path: Path, limit: int | None = None) -> None:
    """Refuse a file larger than ``limit`` (default :func:`max_input_bytes`) before
    reading it."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # reading it reports the problem
    limit = limit or max_input_bytes()
    if size > limit:
        raise InputError(path, [
            f"文件太大（{size / 2**20:.1f} MB，上限 {limit / 2**20:.0f} MB） / the file is "
            f"{size / 2**20:.1f} MB, more than the {limit / 2**20:.0f} MB an instance may be; "
            "check that it is the right file (an instance of a whole county is under 1 MB), "
            "or raise the limit with the environment variable XINGLIAN_MAX_INPUT_MB"])


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader (libyaml's parser where available) that refuses a key given
    twice in one mapping and names impossible dates (30 February) with their line."""

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: construction reports it
                if first is not key_node:
                    raise yaml.constructor.ConstructorError(
                        None, None,
                        f"the key {key!r} is given twice in this mapping (first on line "
                        f"{first.start_mark.line + 1}); the second would silently replace the "
                        f"first: merge the two into one {key!r} or delete one",
                        key_node.start_mark)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node):  # type: ignore[no-untyped-def]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as e:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"{node.value!r} is not a date in the calendar ({e}); check the day and "
                f"month (YYYY-MM-DD)", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _expanded_size(data: Any, limit: int) -> int:
    """How many values ``data`` holds once every alias is expanded, counting shared
    objects once per reference but walking each only once; stops past ``limit``.

    Raises
    ------
    ValueError
        When a value contains itself (a recursive alias).
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(obj: Any) -> int:
        if not isinstance(obj, dict | list):
            return 1
        key = id(obj)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ValueError("recursive")
        active.add(key)
        total = 1
        for item in (obj.items() if isinstance(obj, dict) else obj):
            if isinstance(item, tuple):
                total += size(item[0]) + size(item[1])
            else:
                total += size(item)
            if total > limit:
                break
        active.discard(key)
        sizes[key] = total
        return total

    return size(data)


def _distinct_size(data: Any) -> int:
    seen: set[int] = set()
    stack, n = [data], 0
    while stack:
        obj = stack.pop()
        n += 1
        if isinstance(obj, dict | list):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            stack.extend(obj.keys() if isinstance(obj, dict) else obj)
            if isinstance(obj, dict):
                stack.extend(obj.values())
    return n


def _check_aliases(path: Path, data: Any) -> None:
    limit = max(_EXPANSION_FLOOR, MAX_EXPANSION * _distinct_size(data))
    try:
        expanded = _expanded_size(data, limit)
    except ValueError:
        raise InputError(path, [
            "a YAML alias (*name) refers to a value that contains it; an instance cannot "
            "be infinite: write the value out instead of the alias"]) from None
    except RecursionError:
        raise InputError(path, ["nested too deeply to be an instance"]) from None
    if expanded > limit:
        raise InputError(path, [
            f"its YAML aliases (*name) expand to more than {limit:,} values from what is "
            "written (an alias bomb, or aliases nested in aliases); write the repeated "
            "parts out, or use fewer nested aliases"])


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


class _DuplicateKey(ValueError):
    pass


class InputError(Exception):
    """Bad input: the message names the file, the key path, the value and a fix."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        n = len(problems)
        super().__init__(f"{self.path}: {n} problem{'s' if n != 1 else ''}\n{lines}")


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_DATE_TYPES = {"date_from_datetime_parsing", "date_parsing", "date_type",
               "date_from_datetime_inexact"}


def _child_code(data: Any, index: int) -> str | None:
    try:
        code = data["children"][index]["code"]
    except (KeyError, IndexError, TypeError):
        return None
    return str(code) if isinstance(code, str | int) else None


def _child_by_code(line: str, data: Any) -> str:
    """``children[3].town: …`` as ``children[3] (child c-017).town: …``."""
    import re

    m = re.match(r"children\[(\d+)\]", line)
    if m is None:
        return line
    code = _child_code(data, int(m[1]))
    who = f"child {code}" if code else "a child without a code"
    return f"{m[0]} ({who}){line[m.end():]}"


def describe_validation_error(err: ValidationError, data: Any = None) -> list[str]:
    """One line per problem: ``key.path: message (got value)``.

    A child's entry is named by its code only and its values are never echoed (a
    child's name, address and needs stay in the instance); ``data`` is the mapping that
    was validated, to find the code.
    """
    problems: list[str] = []
    for e in err.errors(include_url=False):
        raw_loc = tuple(p for p in e["loc"]
                        if not (isinstance(p, str) and p.startswith("function-")))
        loc = _loc(raw_loc)
        msg = e["msg"].removeprefix("Value error, ")
        if raw_loc[:1] == ("children",):
            if len(raw_loc) > 1 and isinstance(raw_loc[1], int):
                code = _child_code(data, raw_loc[1])
                who = f"child {code}" if code else "a child without a code"
                rest = _loc(raw_loc[2:]) if raw_loc[2:] else ""
                sep = "" if not rest or rest.startswith("[") else "."
                loc = f"children[{raw_loc[1]}] ({who}){sep}{rest}"
            if e["type"] == "extra_forbidden":
                problems.append(f"{loc}: unknown key (check the spelling; see `xinglian "
                                "schema instance`)")
            elif e["type"] == "missing":
                problems.append(f"{loc}: required key is missing")
            else:
                problems.append(f"{loc}: {msg} (value not shown: a child's entry stays "
                                "private)")
            continue
        if e["type"] in _DATE_TYPES:
            problems.append(f"{loc}: {_short(e.get('input'))} is not a date in the calendar; "
                            "write YYYY-MM-DD with a day that exists (February has 28 or 29)")
            continue
        if e["type"] == "extra_forbidden":
            problems.append(
                f"{loc}: unknown key (check the spelling; see `xinglian schema instance`)"
            )
        elif e["type"] == "missing":
            problems.append(f"{loc}: required key is missing")
        elif "\n" in msg or e["type"] == "value_error" and loc == "(top level)":
            problems.extend(_child_by_code(line, data) for line in msg.split("\n"))
        elif isinstance(e.get("input"), dict | list):
            problems.append(f"{loc}: {msg}")
        else:
            problems.append(f"{loc}: {msg} (got {_short(e.get('input'))})")
    return problems


#: No instance, plan or changes file nests deeper than this (a pin inside a list inside a
#: mapping is depth 4); deeper data is refused before validation, which would recurse.
MAX_DEPTH = 64


def _too_deep(data: Any) -> bool:
    """Whether ``data`` nests deeper than MAX_DEPTH. Checked without recursion (so the
    answer does not depend on the interpreter's recursion limit), and a node shared by
    YAML aliases is walked again only when reached deeper than before -- at most
    MAX_DEPTH times -- so an alias bomb costs linear time here, not its expansion."""
    deepest: dict[int, int] = {}
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if not isinstance(node, dict | list | tuple):
            continue
        if deepest.get(id(node), 0) >= depth:
            continue
        deepest[id(node)] = depth
        children = node.values() if isinstance(node, dict) else node
        stack.extend((v, depth + 1) for v in children)
    return False


def read_mapping(path: Path, max_bytes: int | None = None) -> dict[str, Any]:
    """Parse a YAML or JSON file into a mapping, or raise :class:`InputError`.

    Every file is treated as hostile (the same loader serves web uploads): a size limit
    before reading, duplicate keys refused, aliases bounded, impossible dates named.
    """
    if path.is_dir():
        raise InputError(path, [_folder_hint(path)])
    if path.suffix.lower() in _OTHER_SPREADSHEETS and path.is_file():
        raise InputError(path, [_other_format(path)])
    check_size(path, max_bytes)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, ["file not found"]) from None
    except UnicodeDecodeError as e:
        raise InputError(path, [_not_text_hint(path, e)]) from None
    except OSError as e:
        raise InputError(path, [f"cannot read: {e.strerror}"]) from None
    try:
        data = (json.loads(text, object_pairs_hook=_reject_duplicates)
                if path.suffix.lower() == ".json" else yaml.load(text, Loader=_Loader))
    except json.JSONDecodeError as e:
        raise InputError(
            path, [f"line {e.lineno}, column {e.colno}: malformed JSON: {e.msg}"]
        ) from None
    except _DuplicateKey as e:
        raise InputError(path, [f"the key {e.args[0]!r} is given twice in one object; the "
                                "second would silently replace the first: merge them or "
                                "delete one"]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        if "nesting depth" in problem or "exceeded" in problem:
            # libyaml's own limit (newer builds stop at 1000 levels)
            raise InputError(path, [f"{where}nested too deeply to be an instance"]) from None
        if isinstance(e, yaml.constructor.ConstructorError):
            if "could not determine a constructor" in problem:
                problem += ("; an instance holds plain values only: remove the !!tag (tags "
                            "that build objects are refused)")
            raise InputError(path, [f"{where}{problem}"]) from None
        raise InputError(path, [f"{where}malformed YAML: {problem}; check that line and the "
                                "one before it: indent with spaces (never tabs), a space "
                                "after each colon, quotes and brackets closed"]) from None
    except RecursionError:
        raise InputError(path, ["nested too deeply to be an instance"]) from None
    except ValueError as e:  # e.g. an integer of thousands of digits
        what = ("a number has thousands of digits" if "digits" in str(e)
                else f"a value cannot be read ({str(e)[:100]})")
        raise InputError(path, [f"{what}; check the numbers in the file (a year is four "
                                "digits)"]) from None
    if data is None:
        raise InputError(path, ["the file is empty (or only comments): an instance starts "
                                "with id:, year: and people: (see `xinglian template` or "
                                "`xinglian schema instance`)"])
    if not isinstance(data, dict):
        raise InputError(
            path,
            [
                "expected a mapping of keys (id, year, people, ...) at the top, "
                f"got {type(data).__name__}"
            ],
        )
    _check_aliases(path, data)
    if _too_deep(data):
        raise InputError(path, ["nested too deeply to be an instance"])
    return data


def _folder_hint(path: Path) -> str:
    if (path / "plan.json").is_file():
        inst = path / "instance.json"
        also = (f"; to plan again from the instance it was made from, pass {inst}"
                if inst.is_file() else "")
        return (f"this is a plan directory (it holds plan.json), not an instance: give the "
                f"instance file (YAML, JSON, workbook or CSV folder){also}")
    return "a folder, not an instance file (YAML or JSON)"


_OTHER_SPREADSHEETS = {
    ".et": "a WPS 表格 (.et) file", ".ett": "a WPS 表格 template (.ett)",
    ".xlsb": "an Excel binary workbook (.xlsb)", ".numbers": "an Apple Numbers file",
    ".fods": "a flat OpenDocument spreadsheet (.fods)", ".wps": "a WPS document",
}


def _other_format(path: Path) -> str:
    return (f"{_OTHER_SPREADSHEETS[path.suffix.lower()]}, which xinglian does not read: save "
            "it as an Excel workbook (.xlsx) — 文件 → 另存为 → Excel 工作簿（*.xlsx）")


def _not_text_hint(path: Path, e: UnicodeDecodeError) -> str:
    head = path.open("rb").read(8)
    if head.startswith(b"PK"):
        return ("a zip file (a workbook?), not YAML/JSON text: give it a .xlsx or .ods "
                "name, or save the instance as YAML")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Office file (.xls?), not YAML/JSON text: give it the .xls name"
    return f"not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8"


def _validated(model: type, path: Path, max_bytes: int | None = None):
    """Read ``path`` and validate it as ``model``, every problem in one InputError."""
    data = read_mapping(path, max_bytes)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise InputError(path, describe_validation_error(e, data)) from None


def load_instance(path: str | Path, *, max_bytes: int | None = None) -> Instance:
    """Load and validate an instance from YAML or JSON (at most ``max_bytes``, default
    :func:`max_input_bytes`).

    Raises
    ------
    InputError
        For unreadable or malformed files and for every validation problem at once.
    """
    return _validated(Instance, Path(path), max_bytes)


def load_plan(plan_dir: str | Path) -> Plan:
    """Load plan.json of a plan directory (or a plan.json path)."""
    plan_dir = Path(plan_dir)
    return _validated(Plan, plan_dir / "plan.json" if plan_dir.is_dir() else plan_dir,
                      PLAN_DIR_FACTOR * max_input_bytes())
