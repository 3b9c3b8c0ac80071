"""One cell in, one value out (and back): the forms Chinese Excel users actually type.

Parsers take what openpyxl or the CSV reader hands over (``str``, ``int``, ``float``,
``bool``, ``datetime``, ``date``, ``time`` or ``None``) and return the instance's value,
or raise :class:`CellError` with a Chinese and an English reason. Formatters do the
inverse for the writer.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..models.instance import Id
from .schema import (
    ANY,
    BOOL,
    DATE,
    ENUM,
    ENUM_LIST,
    FALSE_WORDS,
    ID,
    ID_LIST,
    INT,
    INT_LIST,
    NO,
    STR,
    TEXT_LIST,
    TIME,
    TIME_LIST,
    TIME_SLOTS,
    TRUE_WORDS,
    WEEKDAY_GROUPS,
    WEEKDAY_LIST,
    WEEKDAYS,
    YES,
    Choice,
    norm_text,
)


class CellError(ValueError):
    """A cell that cannot be read; ``zh`` and ``en`` say why and how to fix it."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_RANGE = (20000, 80000)
"""Excel day serials accepted as dates: 1954-10-03 .. 2119-01-10."""
FORMULA_START = ("=", "+", "-", "@")
"""Text starting so would become a formula in a spreadsheet (CSV injection)."""

_ID = TypeAdapter(Id)
_SPLIT = re.compile(r"[,，、;；\s]+")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_HHMM = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_RANGE = re.compile(r"(\d{1,2}:\d{2})\s*[-–—~至到]\s*(\d{1,2}:\d{2})")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")

DATE_HINT = ("不是有效日期（例：2027-03-08 或 2027年3月8日）", "not a date")
INT_HINT = ("不是整数（例：40）", "not a whole number")


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(" \t\r\n\u3000\xa0"
                                                                         + _INVISIBLE))


def text_of(value: Any) -> str:
    """The text of a cell as the user sees it, trimmed (also full-width spaces).

    Numbers stored by Excel come back without a spurious ``.0``; a leading apostrophe
    that protects formula-looking text (written by :func:`csv_text`) is removed.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, dt.time):
        text = value.strftime("%H:%M")
    else:
        text = str(value)
    text = text.strip().strip(_INVISIBLE).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]
    return text


def _nfkc(value: Any) -> str:
    return unicodedata.normalize("NFKC", text_of(value)).strip()


def parse_str(value: Any) -> str:
    text = text_of(value)
    if _SCIENTIFIC.fullmatch(text):
        raise CellError("Excel 把它存成了科学计数法，原来的数字已丢失；"
                        "请把该列设为“文本”后重新输入",
                        "a number in scientific notation (digits lost); format the column "
                        "as text and type it again")
    return text


def parse_id(value: Any) -> str:
    text = _nfkc(value)
    try:
        return _ID.validate_python(text)
    except ValidationError:
        raise CellError("不是有效编号：只能用英文字母、数字和 - _ .，以字母或数字开头（例：p-001）",
                        "not an id (ASCII letters, digits, - _ . ; e.g. p-001)") from None


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError(*INT_HINT)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise CellError(*INT_HINT)
    text = _nfkc(value)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        text = text.replace(",", "")
    if re.fullmatch(r"[+-]?\d+(?:\.0+)?", text):
        return int(float(text)) if "." in text else int(text)
    raise CellError(*INT_HINT)


def _serial(n: float) -> dt.date:
    if not SERIAL_RANGE[0] <= n <= SERIAL_RANGE[1]:
        raise CellError(*DATE_HINT)
    return EXCEL_EPOCH + dt.timedelta(days=math.floor(n))


def parse_date(value: Any) -> dt.date:
    """``2027-03-08``, ``2027/3/8``, ``2027.3.8``, ``2027年3月8日``, ``20270308``, an Excel
    serial number (46454) or a date/datetime cell."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(*DATE_HINT)
    if isinstance(value, int | float):
        return _serial(value)
    text = _nfkc(value)
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        return _serial(float(text))
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text) or _DATE.fullmatch(text)
    if not m:
        raise CellError(*DATE_HINT)
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise CellError(*DATE_HINT) from None


def _hhmm(h: int, m: int) -> str:
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise CellError("不是时间（例：09:00）", "not a time (HH:MM)")
    return f"{h:02d}:{m:02d}"


def parse_time(value: Any) -> str:
    """``09:00``, ``9:00``, ``9：00``, a time cell or Excel's day fraction -> ``HH:MM``."""
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return _hhmm(value.hour, value.minute)
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return _hhmm(minutes // 60, minutes % 60)
    m = _HHMM.fullmatch(_nfkc(value))
    if not m or (m[3] and int(m[3])):
        raise CellError("不是时间（例：09:00）", "not a time (HH:MM)")
    return _hhmm(int(m[1]), int(m[2]))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _nfkc(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError("应填 是 或 否", "expected 是 or 否 (yes/no, true/false, 1/0)")


def parse_enum(value: Any, choices: tuple[Choice, ...], finder) -> str:
    choice = finder(text_of(value))
    if choice is None:
        raise CellError(f"不是可选值（可选：{'、'.join(c.label for c in choices)}）",
                        f"not one of: {', '.join(c.value for c in choices)}")
    return choice.value


def split_list(value: Any) -> list[str]:
    return [p for p in _SPLIT.split(unicodedata.normalize("NFKC", text_of(value))) if p]


def parse_id_list(value: Any) -> list[str]:
    out = []
    for item in split_list(value):
        try:
            out.append(parse_id(item))
        except CellError as e:
            raise CellError(f"'{item}' {e.zh}", e.en) from None
    return out


def parse_int_list(value: Any) -> list[int]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [parse_int(value)]
    out = []
    for item in split_list(value):
        try:
            out.append(parse_int(item))
        except CellError:
            raise CellError(f"'{item}' 不是整数（例：3、4）",
                            "not a list of whole numbers (e.g. 3、4)") from None
    return out


def parse_time_slots(value: Any) -> list[dict[str, str]]:
    """``09:00-11:00、14:30-16:30`` -> ``[{start, end}, ...]`` (checked by the model)."""
    text = unicodedata.normalize("NFKC", text_of(value))
    slots = [{"start": parse_time(a), "end": parse_time(b)} for a, b in _RANGE.findall(text)]
    rest = _SPLIT.sub("", _RANGE.sub("", text))
    if rest or not slots:
        raise CellError("不是时段列表（例：09:00-11:00、14:30-16:30）",
                        "not a list of time ranges (e.g. 09:00-11:00, 14:30-16:30)")
    return slots


_TEXT_SPLIT = re.compile(r"[,，、;；\r\n]+")
NONE_WORDS = frozenset({"无", "none", "—"})
"""A list cell holding only one of these is an empty list (written for an empty list
whose default is not empty, e.g. a volunteer's languages)."""
_DAY_RANGE = re.compile(r"(.+?)\s*(?:至|到|~|–|—|-)\s*(.+)")


def _is_none_word(value: Any) -> bool:
    return isinstance(value, str) and norm_text(value) in NONE_WORDS


def parse_text_list(value: Any) -> list[str]:
    """Free texts separated by 、 , ; or line breaks (spaces belong to the text);
    ``无`` alone is the empty list."""
    text = unicodedata.normalize("NFKC", text_of(value))
    if norm_text(text) in NONE_WORDS:
        return []
    return [t.strip() for t in _TEXT_SPLIT.split(text) if t.strip()]


def parse_time_list(value: Any) -> list[str]:
    """``10:00、15:00`` -> ``["10:00", "15:00"]``; ``无`` alone is the empty list."""
    if _is_none_word(value):
        return []
    if isinstance(value, dt.time | dt.datetime) or (isinstance(value, float) and 0 <= value < 1):
        return [parse_time(value)]
    out = []
    for item in split_list(value):
        try:
            out.append(parse_time(item))
        except CellError:
            raise CellError(f"'{item}' 不是时间（例：10:00、15:00）",
                            "not a list of times (e.g. 10:00, 15:00)") from None
    return out


def parse_enum_list(value: Any, choices: tuple[Choice, ...], finder) -> list[str]:
    out = []
    for item in parse_text_list(value):
        choice = finder(item)
        if choice is None:
            raise CellError(f"'{item}' 不是可选值（可选：{'、'.join(c.label for c in choices)}）",
                            f"not one of: {', '.join(c.value for c in choices)}")
        out.append(choice.value)
    return out


def _weekday(token: str) -> str | None:
    key = norm_text(token)
    for c in WEEKDAYS:
        if any(norm_text(sp) == key for sp in c.spellings()):
            return c.value
    return None


def parse_weekday_list(value: Any) -> list[str]:
    """``周六、周日``, ``sat, sun``, ``周一至周五``, ``mon-fri``, ``工作日``, ``周末``,
    ``每天`` -> weekday keys in the order written; ``无`` alone is the empty list."""
    if _is_none_word(value):
        return []
    order = [c.value for c in WEEKDAYS]
    out: list[str] = []
    for item in split_list(value):
        key = norm_text(item)
        group = next((days for word, days in WEEKDAY_GROUPS.items() if norm_text(word) == key),
                     None)
        if group is not None:
            out += group
            continue
        day = _weekday(item)
        if day is not None:
            out.append(day)
            continue
        m = _DAY_RANGE.fullmatch(item)
        first, last = (_weekday(m[1]), _weekday(m[2])) if m else (None, None)
        if first is None or last is None:
            raise CellError(f"'{item}' 不是星期（例：周六、周日；周一至周五；工作日；周末）",
                            "not a weekday (e.g. sat, sun; mon-fri)")
        i, j = order.index(first), order.index(last)
        out += [order[(i + k) % 7] for k in range((j - i) % 7 + 1)]
    return out


def parse_cell(type_: str, value: Any, choices: tuple[Choice, ...] = (), finder=None) -> Any:
    """Parse a non-blank cell of ``type_`` (one of the schema's cell types)."""
    if type_ == ANY:
        return value
    if type_ == STR:
        return parse_str(value)
    if type_ == ID:
        return parse_id(value)
    if type_ == INT:
        return parse_int(value)
    if type_ == DATE:
        return parse_date(value)
    if type_ == TIME:
        return parse_time(value)
    if type_ == BOOL:
        return parse_bool(value)
    if type_ == ENUM:
        return parse_enum(value, choices, finder)
    if type_ == ID_LIST:
        return parse_id_list(value)
    if type_ == INT_LIST:
        return parse_int_list(value)
    if type_ == TIME_SLOTS:
        return parse_time_slots(value)
    if type_ == TEXT_LIST:
        return parse_text_list(value)
    if type_ == TIME_LIST:
        return parse_time_list(value)
    if type_ == WEEKDAY_LIST:
        return parse_weekday_list(value)
    if type_ == ENUM_LIST:
        return parse_enum_list(value, choices, finder)
    raise AssertionError(f"unknown cell type {type_!r}")


# -- the other way ---------------------------------------------------------------------


def cell_value(type_: str, value: Any, label=None, english: bool = False) -> Any:
    """The value to put in a cell (xlsx: dates stay dates, numbers stay numbers) or
    ``None`` for an empty cell. ``label`` maps an enum value to its Chinese label."""
    if value is None or value == "" or value == () or value == []:
        return None
    if hasattr(value, "value") and not isinstance(value, str | int):  # an Enum member
        value = value.value
    if type_ == BOOL:
        return ("true" if value else "false") if english else (YES if value else NO)
    if type_ == ENUM:
        value = str(value)
        return value if english or label is None else label(value)
    sep = ", " if english else "、"
    if isinstance(value, str) and type_ in (TEXT_LIST, TIME_LIST, WEEKDAY_LIST, ENUM_LIST):
        return value  # e.g. 无 for an empty list whose default is not empty
    if type_ in (ID_LIST, INT_LIST, TEXT_LIST, TIME_LIST):
        return sep.join(str(v) for v in value)
    if type_ in (ENUM_LIST, WEEKDAY_LIST):
        return sep.join(str(v) if english or label is None else label(str(v)) for v in value)
    if type_ == TIME_SLOTS:
        return sep.join(f"{s.start}-{s.end}" for s in value)
    if type_ in (INT, DATE):
        return value
    return str(value)


def csv_text(value: Any) -> str:
    """A cell's text in a CSV file. Formula-looking text gets a leading apostrophe so
    that a spreadsheet shows it as text (the reader removes it again)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text
