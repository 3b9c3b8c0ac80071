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
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def describe_validation_error(err: ValidationError) -> list[str]:
    """One line per problem: ``key.path: message (got value)``."""
    problems: list[str] = []
    for e in err.errors(include_url=False):
        loc = _loc(
            tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        )
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            problems.append(
                f"{loc}: unknown key (check the spelling; see `xinglian schema instance`)"
            )
        elif e["type"] == "missing":
            problems.append(f"{loc}: required key is missing")
        elif "\n" in msg or e["type"] == "value_error" and loc == "(top level)":
            problems.extend(msg.split("\n"))
        else:
            problems.append(f"{loc}: {msg} (got {_short(e.get('input'))})")
    return problems


def read_mapping(path: Path) -> dict[str, Any]:
    """Parse a YAML or JSON file into a mapping, or raise :class:`InputError`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, ["file not found"]) from None
    except UnicodeDecodeError as e:
        raise InputError(
            path, [f"not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8"]
        ) from None
    except OSError as e:
        raise InputError(path, [f"cannot read: {e.strerror}"]) from None
    try:
        data = (json.loads(text) if path.suffix.lower() == ".json"
                else yaml.load(text, Loader=_YAML_LOADER))
    except json.JSONDecodeError as e:
        raise InputError(
            path, [f"line {e.lineno}, column {e.colno}: malformed JSON: {e.msg}"]
        ) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise InputError(path, [f"{where}malformed YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise InputError(
            path,
            [
                "expected a mapping of keys (id, year, people, ...) at the top, "
                f"got {type(data).__name__}"
            ],
        )
    return data


def _validated(model: type, path: Path):
    """Read ``path`` and validate it as ``model``, every problem in one InputError."""
    data = read_mapping(path)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise InputError(path, describe_validation_error(e)) from None


def load_instance(path: str | Path) -> Instance:
    """Load and validate an instance from YAML or JSON.

    Raises
    ------
    InputError
        For unreadable or malformed files and for every validation problem at once.
    """
    return _validated(Instance, Path(path))


def load_plan(plan_dir: str | Path) -> Plan:
    """Load plan.json of a plan directory (or a plan.json path)."""
    plan_dir = Path(plan_dir)
    return _validated(Plan, plan_dir / "plan.json" if plan_dir.is_dir() else plan_dir)
