"""Spreadsheet input: the office's Excel workbooks and CSV folders, in and out.

- :func:`write_template` writes the .xlsx template (说明 sheet + one sheet per table).
- :func:`load_tables` reads an .xlsx or a folder of CSV files (UTF-8 or GBK/GB18030,
  Chinese or English headers) into a validated :class:`~xinglian.models.Instance`,
  reporting every problem with sheet, row, column and value.
- :func:`write_instance_workbook` / :func:`write_instance_csv` write an instance back
  into those sheets; :func:`write_instance_yaml` writes it as an instance YAML file.
- :func:`load_any` loads YAML/JSON, a workbook or a CSV folder alike.

The sheets themselves are declared in :mod:`.schema`.
"""

from __future__ import annotations

from pathlib import Path

from ..models.instance import Instance
from .reader import load_tables
from .template import example_instance, write_template
from .writer import (
    instance_yaml,
    write_instance_csv,
    write_instance_workbook,
    write_instance_yaml,
)

__all__ = [
    "example_instance",
    "instance_yaml",
    "is_tabular",
    "load_any",
    "load_tables",
    "write_instance_csv",
    "write_instance_workbook",
    "write_instance_yaml",
    "write_template",
]

TABULAR_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".ods", ".csv")


def is_tabular(path: str | Path) -> bool:
    """Whether ``path`` is meant for :func:`load_tables` (a workbook, a CSV file or a
    folder) rather than an instance YAML/JSON file."""
    path = Path(path)
    return path.is_dir() or path.suffix.lower() in TABULAR_SUFFIXES


def load_any(path: str | Path) -> Instance:
    """Load an instance from YAML/JSON, an .xlsx workbook or a folder of CSV files.

    Raises
    ------
    InputError
        For every problem at once (see :func:`load_tables` and
        :func:`~xinglian.models.io.load_instance`).
    """
    from ..models.io import InputError, _folder_hint, load_instance

    path = Path(path)
    if path.is_dir() and (path / "plan.json").is_file():
        raise InputError(path, [_folder_hint(path)])
    return load_tables(path) if is_tabular(path) else load_instance(path)
