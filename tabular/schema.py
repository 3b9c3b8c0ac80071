"""The sheets of the spreadsheet input, declared once.

Each :class:`Table` is one sheet of the workbook (or one CSV file of a folder). Each
:class:`Column` has the Chinese header the office sees, the English key that is also
accepted as a header, a type, whether it is required and a description in both
languages. :data:`SETTINGS` are the key/value rows of the 规则与权重 sheet (year, id,
rules, weights). The reader (:mod:`.reader`), the writer (:mod:`.writer`) and the
template (:mod:`.template`) are all driven by these declarations, so a new column is
added in exactly one place.
"""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from dataclasses import dataclass

from pydantic import BaseModel

from ..models.instance import (
    VENUE_KIND_ZH,
    ChangeWeights,
    FederationKind,
    HostingRules,
    MeetingRules,
    RotationRules,
    VenueKind,
    Weights,
)

# -- cell types ------------------------------------------------------------------------

STR = "str"
ID = "id"
INT = "int"
DATE = "date"
TIME = "time"
BOOL = "bool"
ENUM = "enum"
ID_LIST = "id_list"
INT_LIST = "int_list"
TIME_SLOTS = "time_slots"
ANY = "any"
"""The 值 column of the settings sheet: parsed later, by the setting's own type."""

TYPE_ZH = {
    STR: "文本",
    ID: "编号（英文字母、数字、- _ .）",
    INT: "整数",
    DATE: "日期（2027-03-08 / 2027/3/8 / 2027年3月8日）",
    TIME: "时间（09:00）",
    BOOL: "是/否",
    ENUM: "下拉选项",
    ID_LIST: "编号列表（用 、 , ； 或空格分隔）",
    INT_LIST: "整数列表（用 、 , ； 或空格分隔）",
    TIME_SLOTS: "时段列表（09:00-11:00、14:30-16:30）",
    ANY: "按设置项",
}
TYPE_EN = {
    STR: "text",
    ID: "id (ASCII letters, digits, - _ .)",
    INT: "whole number",
    DATE: "date",
    TIME: "time HH:MM",
    BOOL: "yes/no (是/否)",
    ENUM: "one of the listed values",
    ID_LIST: "list of ids",
    INT_LIST: "list of whole numbers",
    TIME_SLOTS: "list of HH:MM-HH:MM",
    ANY: "depends on the setting",
}

TRUE_WORDS = frozenset({"是", "true", "yes", "y", "1", "对", "√", "✓", "t"})
FALSE_WORDS = frozenset({"否", "false", "no", "n", "0", "错", "×", "✗", "f"})
YES, NO = "是", "否"


def norm_text(text: str) -> str:
    """Compare-form of a header, sheet name, setting key or choice: NFKC (full-width to
    half-width), no whitespace (also full-width spaces), no ``_``/``-``, lower case."""
    text = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"[\s_\-\u200b\ufeff]+", "", text).lower()


def norm_header(text: str) -> str:
    """Like :func:`norm_text`, also dropping a trailing ``*`` (required marker) and a
    trailing parenthesised note such as ``开始日期（必填）``."""
    text = unicodedata.normalize("NFKC", str(text)).strip()
    text = re.sub(r"\s*\*+\s*$", "", text)
    text = re.sub(r"\s*\([^()]*\)\s*$", "", text)
    return norm_text(text)


@dataclass(frozen=True)
class Choice:
    """One allowed value of an enum column: the model's ``value``, the Chinese ``label``
    written to sheets and offered in the dropdown, and other accepted spellings."""

    value: str
    label: str
    aliases: tuple[str, ...] = ()

    def spellings(self) -> tuple[str, ...]:
        return (self.value, self.label, *self.aliases)


class _Choices:
    """Enum helpers of a column or setting with ``choices``."""

    choices: tuple[Choice, ...]

    def choice(self, text: str) -> Choice | None:
        key = norm_text(text)
        for c in self.choices:
            if any(norm_text(s) == key for s in c.spellings()):
                return c
        return None

    def label(self, value: str) -> str:
        for c in self.choices:
            if c.value == value:
                return c.label
        return value


@dataclass(frozen=True)
class Column(_Choices):
    key: str
    """English key (also accepted as the header)."""
    zh: str
    """Chinese header."""
    type: str
    required: bool = False
    desc_zh: str = ""
    desc_en: str = ""
    choices: tuple[Choice, ...] = ()
    aliases: tuple[str, ...] = ()
    """Other accepted headers."""
    path: str | None = None
    """The instance field it fills (dotted, without indices), for the coverage test;
    None for a column that only links a row to its owner (e.g. 人员编号)."""
    refers: str | None = None
    """What an id in it names: person, town, federation or venue (for hints)."""

    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.key, *self.aliases)


@dataclass(frozen=True)
class Table:
    key: str
    """English sheet name (also the CSV file name ``<key>.csv``)."""
    zh: str
    """Chinese sheet name (also the CSV file name ``<zh>.csv``)."""
    columns: tuple[Column, ...]
    desc_zh: str
    desc_en: str
    required: bool = False

    def column(self, header: str) -> Column | None:
        key = norm_header(header)
        for c in self.columns:
            if any(norm_header(h) == key for h in c.headers()):
                return c
        return None

    def col(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Setting(_Choices):
    """One row of the 规则与权重 sheet."""

    key: str
    """Dotted path into the instance, e.g. ``rotation.period_months``."""
    zh: str
    type: str
    required: bool = False
    desc_zh: str = ""
    desc_en: str = ""
    choices: tuple[Choice, ...] = ()


# -- enum choices ----------------------------------------------------------------------

FEDERATION_KINDS = (
    Choice(FederationKind.BASE.value, "基地妇联", ("产业基地妇联", "片区产业基地妇联", "基地")),
    Choice(FederationKind.ENTERPRISE.value, "企业妇联", ("企业",)),
    Choice(FederationKind.MICRO_HOME.value, "妇女微家", ("微家", "micro_home", "microhome")),
    Choice(FederationKind.TOWN.value, "乡镇(街道)妇联",
           ("乡镇妇联", "镇妇联", "街道妇联", "镇街妇联", "乡镇街道妇联")),
    Choice(FederationKind.VILLAGE.value, "村妇联", ("村", "社区妇联", "村(社区)妇联")),
)
_VENUE_ALIASES = {
    VenueKind.MEETING_ROOM: ("会议室场地",),
    VenueKind.WOMENS_HOME: ("妇女之家活动室",),
    VenueKind.CHILDRENS_HOME: ("儿童之家活动室",),
    VenueKind.PARENTS_SCHOOL: (),
    VenueKind.ENTERPRISE_OPEN: ("企业开放", "企业阵地", "企业自有阵地"),
}
VENUE_KINDS = tuple(
    Choice(k.value, VENUE_KIND_ZH[k], _VENUE_ALIASES[k]) for k in VenueKind
)
ROLES = (
    Choice("chair", "主席", ("主任",)),
    Choice("vice_chair", "副主席", ("vice", "vicechair", "副主任")),
)
HOST_SCOPES = (
    Choice("base", "基地", ("基地妇联", "产业链", "bases")),
    Choice("town", "镇街", ("镇", "乡镇", "街道", "towns")),
    Choice("federation", "联合会", ("妇联", "单位", "企业妇联", "federations")),
    Choice("none", "无", ("无人", "nobody", "不开放")),
)
LANGUAGES = (Choice("zh", "中文", ("汉语", "chinese")), Choice("en", "英文", ("english",)))
TIMEZONES = (Choice("Asia/Shanghai", "Asia/Shanghai", ("北京时间", "东八区")),)
CALENDAR_SOURCES = (
    Choice("auto", "自动", ("自动选择",)),
    Choice("chinesecalendar", "chinesecalendar", ("chinese_calendar",)),
    Choice("instance", "节假日表", ("本表", "本实例", "本工作簿")),
)

# -- tables ----------------------------------------------------------------------------

_REASON = "原因或说明（可空），会显示在日历和计划摘要里"


def _C(key: str, zh: str, type_: str, required: bool = False, desc_zh: str = "",
       desc_en: str = "", **kw) -> Column:
    return Column(key, zh, type_, required, desc_zh, desc_en, **kw)


TOWNS = Table("towns", "镇街", (
    _C("id", "编号", ID, True, "镇街编号，如 ximei（霞美镇）；其他表用它指代该镇街",
       "town id, e.g. ximei", path="towns.id", aliases=("镇街编号",)),
    _C("name", "名称", STR, True, "镇街名称，如 霞美镇", "town name", path="towns.name",
       aliases=("镇街名称",)),
), "镇、街道", "towns and subdistricts", required=True)

PEOPLE = Table("people", "人员", (
    _C("id", "编号", ID, True, "人员编号，如 p-001；其他表都用编号指代此人",
       "person id, e.g. p-001", path="people.id", aliases=("人员编号",)),
    _C("name", "姓名", STR, True, "姓名", "name", path="people.name", aliases=("名字",)),
    _C("phone", "电话", STR, False,
       "手机号（可空）。请把此列设为文本格式，以免 Excel 改成科学计数法",
       "phone (optional; keep the column as text)", path="people.phone",
       aliases=("手机", "手机号", "联系电话")),
    _C("town", "镇街", ID, False, "所在镇街编号（见「镇街」表）", "town id",
       path="people.town", refers="town", aliases=("镇街编号",)),
    _C("preferred_periods", "希望轮值期次", INT_LIST, False,
       "希望担任轮值主席的期次（两个月一期，1–6），多个用 、 分隔，如 3、4；不填为无偏好",
       "rotation periods she would like to chair", path="people.preferred_periods"),
    _C("undesired_periods", "不希望轮值期次", INT_LIST, False,
       "尽量不排轮值主席的期次，如 2、3（硬性不可用请填「不可用时间」表）",
       "rotation periods she would rather not chair", path="people.undesired_periods"),
), "所有人员：主席团成员、企业妇联主席、镇分管领导、联系人等", "people", required=True)

UNAVAILABILITY = Table("unavailability", "不可用时间", (
    _C("person", "人员编号", ID, True, "人员编号（见「人员」表）", "person id", refers="person"),
    _C("start", "开始日期", DATE, True, "开始日期（含当天）", "first day",
       path="people.unavailable.start"),
    _C("end", "结束日期", DATE, True, "结束日期（含当天）", "last day",
       path="people.unavailable.end"),
    _C("reason", "原因", STR, False, "如 产假、参展、培训、返乡", "reason",
       path="people.unavailable.reason"),
), "人员请假、外出、产假等不可用时段，一人可有多行",
    "when a person is unavailable (one row per range)")

FEDERATIONS = Table("federations", "联合会", (
    _C("id", "编号", ID, True, "妇联编号，如 fed-ximei", "federation id",
       path="federations.id", aliases=("联合会编号", "妇联编号")),
    _C("name", "名称", STR, True, "妇联全称", "name", path="federations.name"),
    _C("kind", "类型", ENUM, True,
       "基地妇联（有轮值主席团）、企业妇联、妇女微家、乡镇(街道)妇联、村妇联",
       "base, enterprise, micro-home, town or village", choices=FEDERATION_KINDS,
       path="federations.kind"),
    _C("industry", "行业", STR, False, "所属行业，如 光伏、水暖厨卫", "industry",
       path="federations.industry"),
    _C("town", "镇街", ID, False, "所在镇街编号", "town id", path="federations.town",
       refers="town"),
    _C("parent", "所属基地", ID, False,
       "企业妇联、妇女微家、村妇联所属基地妇联的编号（产业链）；基地妇联本身不填",
       "the base federation it belongs to", path="federations.parent", refers="federation"),
    _C("chair", "主席", ID, False,
       "主席的人员编号；基地妇联的主席就是主席团主席（也可在「主席团」表填写）",
       "chair's person id", path="federations.chair", refers="person"),
), "各级妇联：基地妇联、企业妇联、妇女微家、乡镇(街道)妇联、村妇联", "federations",
    required=True)

PRESIDIUM = Table("presidium", "主席团", (
    _C("base", "基地编号", ID, True, "基地妇联编号", "base federation id", refers="federation"),
    _C("person", "人员编号", ID, True, "主席团成员的人员编号", "person id",
       path="federations.vice_chairs", refers="person"),
    _C("role", "职务", ENUM, True, "主席 或 副主席；每个基地一名主席", "chair or vice_chair",
       choices=ROLES),
    _C("order", "顺序", INT, False, "副主席的先后顺序（1、2、3…）；不填按行的先后",
       "order of the vice-chairs (optional; default: row order)"),
), "基地妇联轮值主席团：主席与副主席，每人一行",
    "presidium of each base federation, one member a row")

INVITED = Table("invited", "邀请嘉宾", (
    _C("base", "基地编号", ID, True, "基地妇联编号", "base federation id", refers="federation"),
    _C("people", "人员编号", ID_LIST, True,
       "受邀参加该基地联席会的人员编号（如镇分管领导），可填多个", "person ids",
       path="federations.invited", refers="person"),
), "联席会邀请嘉宾（主席团和产业链各妇联主席之外）", "people invited to a base's joint meetings")

HOSTING = Table("hosting", "主办参数", (
    _C("federation", "联合会编号", ID, True, "参加阵地轮流主办的妇联编号", "federation id",
       refers="federation"),
    _C("weight", "权重", INT, False, "规模权重（如女职工人数），按比例分配主办次数；不填为 1",
       "size weight for fair shares (default 1)", path="federations.hosting.weight"),
    _C("min_turns", "最少次数", INT, False, "全年至少主办次数；不填为 0", "minimum turns",
       path="federations.hosting.min_turns"),
    _C("max_turns", "最多次数", INT, False, "全年至多主办次数；不填为不限", "maximum turns",
       path="federations.hosting.max_turns"),
    _C("contact", "联系人", ID, False, "负责主办的人员编号；不填为该妇联主席",
       "contact person (default: the chair)", path="federations.hosting.contact",
       refers="person"),
), "参加阵地轮流主办的妇联，每个一行（不在此表的不主办）",
    "federations that take turns hosting at shared venues")

VENUES = Table("venues", "场地", (
    _C("id", "编号", ID, True, "场地编号，如 v-ximei-hall", "venue id", path="venues.id",
       aliases=("场地编号",)),
    _C("name", "名称", STR, True, "场地名称", "name", path="venues.name"),
    _C("kind", "类型", ENUM, False,
       "会议室、妇女之家、儿童之家、家长学校、企业开放阵地；不填为会议室",
       "venue kind (default meeting_room)", choices=VENUE_KINDS, path="venues.kind"),
    _C("town", "镇街", ID, True, "所在镇街编号", "town id", path="venues.town", refers="town"),
    _C("capacity", "容纳人数", INT, True, "最多容纳人数（联席会人数不能超过）", "capacity",
       path="venues.capacity", aliases=("容量",)),
    _C("address", "地址", STR, False, "地址（可空）", "address", path="venues.address"),
    _C("owner", "开放企业", ID, False, "企业开放阵地：开放它的企业妇联编号", "owner federation",
       path="venues.owner", refers="federation"),
    _C("meetings", "可开联席会", BOOL, False, "是否可以在此召开联席会；不填为 是",
       "joint meetings may be held here (default yes)", path="venues.meetings"),
), "场地：会议室与阵地（妇女之家、儿童之家、家长学校、企业开放阵地）", "venues",
    required=True)

VENUE_SLOTS = Table("venue_slots", "场地开放时段", (
    _C("venue", "场地编号", ID, True, "场地编号", "venue id", refers="venue"),
    _C("pattern", "时段", STR, True,
       "如 每月第2、4个周六 09:00-11:30、每周六 15:00-17:00、2027-03-06 09:00-11:30",
       "slot pattern, e.g. '2nd and 4th Saturday 09:00-11:30'", path="venues.slots.pattern"),
    _C("months", "月份", INT_LIST, False,
       "只在这些月份开放，如家长学校学期内 3、4、5、6、9、10、11、12；不填为全年",
       "only in these months (default: all year)", path="venues.slots.months"),
), "阵地的活动场次（轮流主办），一个场地可有多行", "activity slots a venue offers")

VENUE_CLOSURES = Table("venue_closures", "场地闭馆", (
    _C("venue", "场地编号", ID, True, "场地编号", "venue id", refers="venue"),
    _C("start", "开始日期", DATE, True, "闭馆开始日期（含当天）", "first day",
       path="venues.closures.start"),
    _C("end", "结束日期", DATE, True, "闭馆结束日期（含当天）", "last day",
       path="venues.closures.end"),
    _C("reason", "原因", STR, False, "如 装修改造", "reason", path="venues.closures.reason"),
), "场地闭馆（装修等）时段", "venue closures")

VENUE_HOSTS = Table("venue_hosts", "可主办单位", (
    _C("venue", "场地编号", ID, True, "场地编号", "venue id", refers="venue"),
    _C("by", "范围", ENUM, True,
       "基地：该基地产业链上的妇联；镇街：该镇街的妇联；联合会：指定妇联；无：谁都不能主办",
       "base, town, federation or none", choices=HOST_SCOPES, path="venues.hosts"),
    _C("ids", "编号", ID_LIST, False, "基地、镇街或妇联的编号，可填多个；范围为「无」时不填",
       "ids (several allowed)", path="venues.hosts"),
), "谁可以在该场地主办活动。场地不在此表时：企业开放阵地由开放企业主办，其他由本镇主办单位轮流主办",
    "who may host at a venue (default: the owner, or the venue's town)")

THEMES = Table("themes", "主题活动", (
    _C("id", "编号", ID, True, "主题编号，如 th-womens-day", "theme id", path="themes.id"),
    _C("name", "名称", STR, True, "如 三八国际妇女节", "name", path="themes.name"),
    _C("venue_kind", "场地类型", ENUM, True, "在每个该类型阵地上举办", "venue kind",
       choices=VENUE_KINDS, path="themes.venue_kind"),
    _C("date", "日期", DATE, True, "节日日期，放在离它最近的可用场次", "date",
       path="themes.date"),
    _C("window_days", "窗口天数", INT, False, "最多提前或推后的天数；不填为 14",
       "days before/after allowed (default 14)", path="themes.window_days"),
), "主题活动（节日），放在各该类阵地离节日最近的场次", "themed activities")

HOLIDAYS = Table("holidays", "节假日", (
    _C("name", "名称", STR, True, "如 春节", "name", path="calendar.holidays.name"),
    _C("start", "开始日期", DATE, True, "放假第一天", "first day", path="calendar.holidays.start"),
    _C("end", "结束日期", DATE, True, "放假最后一天", "last day", path="calendar.holidays.end"),
), "法定节假日放假安排（按国务院办公厅通知）", "statutory holidays of the plan year")

MAKEUP_WORKDAYS = Table("makeup_workdays", "调休上班", (
    _C("date", "日期", DATE, True, "调休上班的周末日期", "make-up working day",
       path="calendar.makeup_workdays"),
), "调休上班日（周末上班）", "make-up working days (调休)")

HISTORY_ROTATION = Table("history_rotation", "历史轮值", (
    _C("base", "基地编号", ID, True, "基地妇联编号", "base federation id",
       path="history.rotation.base", refers="federation"),
    _C("year", "年份", INT, True, "往年年份，如 2026", "year", path="history.rotation.year"),
    _C("period", "期次", INT, True, "期次（1–6）", "period", path="history.rotation.period"),
    _C("chair", "轮值主席", ID, True, "当期轮值主席的人员编号", "chair's person id",
       path="history.rotation.chair", refers="person"),
), "往年各期轮值主席（用于连任、轮换顺序）", "rotating chairs of earlier years")

HISTORY_HOSTING = Table("history_hosting", "历史主办", (
    _C("federation", "联合会编号", ID, True, "妇联编号", "federation id",
       path="history.hosting.federation", refers="federation"),
    _C("year", "年份", INT, True, "往年年份", "year", path="history.hosting.year"),
    _C("turns", "主办次数", INT, True, "当年主办次数", "turns hosted",
       path="history.hosting.turns"),
), "往年阵地主办次数（结转公平份额）", "hosting turns of earlier years")

PIN_ROTATION = Table("pin_rotation", "固定轮值", (
    _C("base", "基地编号", ID, True, "基地妇联编号", "base federation id",
       path="pins.rotation.base", refers="federation"),
    _C("period", "期次", INT, True, "期次（1–6）", "period", path="pins.rotation.period"),
    _C("chair", "轮值主席", ID, True, "已商定的轮值主席人员编号（须为主席团成员）",
       "chair's person id", path="pins.rotation.chair", refers="person"),
    _C("reason", "原因", STR, False, _REASON, "why it is fixed", path="pins.rotation.reason"),
), "已商定、不能改动的轮值主席", "rotation decisions fixed in advance")

PIN_MEETINGS = Table("pin_meetings", "固定联席会", (
    _C("base", "基地编号", ID, True, "基地妇联编号", "base federation id",
       path="pins.meetings.base", refers="federation"),
    _C("quarter", "季度", INT, True, "季度（1–4）", "quarter", path="pins.meetings.quarter"),
    _C("date", "日期", DATE, False, "已定的日期（可空）", "date (optional)",
       path="pins.meetings.date"),
    _C("venue", "场地编号", ID, False, "已定的场地（可空）", "venue id (optional)",
       path="pins.meetings.venue", refers="venue"),
    _C("slot", "场次", INT, False, "第几个联席会时段（见「规则与权重」的联席会时段，1 起）",
       "1-based meeting slot (optional)", path="pins.meetings.slot"),
    _C("reason", "原因", STR, False, _REASON, "why it is fixed", path="pins.meetings.reason"),
), "已商定的联席会日期、场地或时段", "joint meetings fixed in advance")

PIN_HOSTING = Table("pin_hosting", "固定主办", (
    _C("venue", "场地编号", ID, True, "场地编号", "venue id", path="pins.hosting.venue",
       refers="venue"),
    _C("date", "日期", DATE, True, "场次日期", "date", path="pins.hosting.date"),
    _C("federation", "联合会编号", ID, True, "主办妇联编号", "federation id",
       path="pins.hosting.federation", refers="federation"),
    _C("start", "开始时间", TIME, False, "场地当天有两个场次时填开始时间，如 09:00",
       "HH:MM, only when the venue has two slots that day", path="pins.hosting.start"),
    _C("reason", "原因", STR, False, _REASON, "why it is fixed", path="pins.hosting.reason"),
), "已商定的阵地主办安排", "hosting turns fixed in advance")

SETTINGS_TABLE = Table("settings", "规则与权重", (
    _C("key", "设置项", STR, True, "设置项名称（中文或英文键，见本表）", "setting (Chinese or key)",
       aliases=("项目", "名称", "setting")),
    _C("value", "值", ANY, False, "设置值；不填用默认值", "value (empty: default)",
       aliases=("设置值", "数值")),
    _C("note", "说明", ANY, False, "设置项的说明（导入时忽略）", "description (ignored)",
       aliases=("description", "描述")),
), "计划编号、年度和各项规则、权重；每项一行", "plan id, year, rules and weights, key/value rows",
    required=True)

TABLES: tuple[Table, ...] = (
    SETTINGS_TABLE, TOWNS, PEOPLE, UNAVAILABILITY, FEDERATIONS, PRESIDIUM, INVITED, HOSTING,
    VENUES, VENUE_SLOTS, VENUE_CLOSURES, VENUE_HOSTS, THEMES, HOLIDAYS, MAKEUP_WORKDAYS,
    HISTORY_ROTATION, HISTORY_HOSTING, PIN_ROTATION, PIN_MEETINGS, PIN_HOSTING,
)
TABLE_BY_KEY = {t.key: t for t in TABLES}

README_NAMES = ("说明", "readme")
"""Sheets the reader skips: the template's instructions."""
RESERVED_NAMES = ("活动", "activities", "志愿者", "volunteers", "儿童", "children")
"""Planned for later parts (activities, volunteers, children in difficulty): skipped by
the reader for now, so that a workbook may already carry them."""
IGNORED_PREFIXES = ("#", "备注", "note", "~$")
"""Sheets, files and columns whose name starts so are the user's own notes."""


def find_table(name: str) -> Table | None:
    """The table a sheet or CSV file (without ``.csv``) is, by Chinese or English name."""
    key = norm_text(name)
    for t in TABLES:
        if key in (norm_text(t.zh), norm_text(t.key)):
            return t
    return None


def is_skipped_name(name: str, *, sheet: bool = True) -> bool:
    """Whether a sheet/file (or, with ``sheet=False``, a column) is the user's own:
    ``说明``, ``备注…``, ``#…`` (and, for sheets, the reserved 活动/志愿者/儿童)."""
    key = norm_text(name)
    skipped = {norm_text(n) for n in (*README_NAMES, *(RESERVED_NAMES if sheet else ()))}
    return key in skipped or any(key.startswith(norm_text(p)) for p in IGNORED_PREFIXES) \
        or not key


# -- settings --------------------------------------------------------------------------

_GROUPS: tuple[tuple[str, type[BaseModel], str], ...] = (
    ("rotation", RotationRules, "轮值"),
    ("meetings", MeetingRules, "联席会"),
    ("hosting", HostingRules, "主办"),
    ("weights", Weights, "权重"),
    ("change_weights", ChangeWeights, "调整代价"),
)

_SETTING_TEXT: dict[str, tuple[str, str, str]] = {
    # key: (Chinese label, Chinese description, English description)
    "rotation.period_months": ("轮值周期月数", "每期几个月（须能整除 12）；默认 2，全年 6 期",
                               "months per rotation period"),
    "rotation.max_unavailable_days": ("每期最多不可用天数",
                                      "一期内不可用超过此天数者不排该期轮值主席；默认 14",
                                      "max unavailable days to chair a period"),
    "rotation.max_terms_per_person": ("每人每年最多轮值期数", "各基地合计；默认 2",
                                      "max terms per person per year"),
    "meetings.slots": ("联席会时段", "可开联席会的时段，如 09:00-11:00、14:30-16:30",
                       "meeting time slots"),
    "meetings.reminder_minutes": ("联席会提前提醒分钟数",
                                  "日历提醒提前量；0 为不提醒；默认 1440（一天）",
                                  "calendar alarm lead time for meetings"),
    "meetings.earliest_day": ("联席会最早日", "季度第几天起可开会（1 为季度第一天）",
                              "earliest day of the quarter"),
    "meetings.latest_day": ("联席会最晚日", "季度第几天前开会（最大 92）",
                            "latest day of the quarter"),
    "hosting.min_gap_days": ("主办最少间隔天数", "同一妇联两次主办至少相隔的天数；默认 14",
                             "min days between two turns of one federation"),
    "hosting.allow_empty": ("允许场次无人主办", "是：排不满时可空着（记入未主办）；默认 否",
                            "slots may stay without a host"),
    "hosting.reminder_minutes": ("主办活动提前提醒分钟数", "日历提醒提前量；默认 1440",
                                 "calendar alarm lead time for hosting turns"),
    "weights.back_to_back": ("权重·同一基地连任两期", "同一人在同一基地连续两期轮值",
                             "back-to-back terms"),
    "weights.short_gap": ("权重·轮值间隔过短", "按先后轮换：久未轮值者优先",
                          "short gap between terms"),
    "weights.uneven_terms": ("权重·轮值期数不均", "同一主席团成员轮值期数之差", "uneven terms"),
    "weights.undesired_period": ("权重·排在不希望的期次", "", "term in an undesired period"),
    "weights.not_preferred_period": ("权重·未排在希望的期次", "", "term outside preferred periods"),
    "weights.missed_attendance": ("权重·联席会缺席人数", "", "absent expected attendees"),
    "weights.meeting_outside_town": ("权重·联席会不在本镇", "", "meeting outside the base's town"),
    "weights.late_meeting": ("权重·联席会偏晚", "离季度可开会首日的周数", "late meeting (weeks)"),
    "weights.hosting_share": ("权重·主办次数偏离份额", "按权重的公平份额",
                              "turns off the fair share"),
    "weights.hosting_carry_over": ("权重·结转往年主办次数", "两年合计的公平份额",
                                   "two-year share with history"),
    "weights.hosting_spread": ("权重·主办集中在某季度", "最忙季度与最闲季度之差",
                               "turns bunched in one quarter"),
    "weights.hosting_outside_town": ("权重·到外镇主办", "", "turns in another town"),
    "weights.theme_off_date": ("权重·主题活动偏离节日", "与节日相差的天数",
                               "theme days off its date"),
    "weights.empty_slot": ("权重·场次无人主办", "仅当允许场次无人主办", "slots without a host"),
    "change_weights.rotation_term": ("调整代价·改动轮值", "重新排班时改动已公布轮值主席的代价",
                                     "cost of changing a published rotation term"),
    "change_weights.meeting": ("调整代价·改动联席会", "重新排班时改动已公布联席会的代价",
                               "cost of moving a published meeting"),
    "change_weights.hosting_turn": ("调整代价·改动主办", "重新排班时改动已公布主办安排的代价",
                                    "cost of changing a published hosting turn"),
}


def _scalar_type(annotation) -> str | None:
    if annotation is bool:
        return BOOL
    if annotation is int:
        return INT
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _scalar_type(args[0]) if len(args) == 1 else None
    return None


def _group_settings() -> list[Setting]:
    out: list[Setting] = []
    for group, model, group_zh in _GROUPS:
        for name, field in model.model_fields.items():
            key = f"{group}.{name}"
            zh, dzh, den = _SETTING_TEXT.get(key, (f"{group_zh}·{name}", "", ""))
            type_ = (TIME_SLOTS if key == "meetings.slots"
                     else _scalar_type(field.annotation) or STR)
            if not dzh:
                dzh = f"默认 {field.default}" if not field.is_required() else ""
            out.append(Setting(key, zh, type_, False, dzh, den))
    return out


SETTINGS: tuple[Setting, ...] = (
    Setting("id", "计划编号", ID, True, "实例编号（英文字母、数字、-），如 nanan-2027",
            "instance id"),
    Setting("name", "计划名称", STR, False, "计划全称", "plan name"),
    Setting("year", "年度", INT, True, "计划年度，如 2027", "plan year"),
    Setting("timezone", "时区", ENUM, False, "固定为 Asia/Shanghai（北京时间）", "time zone",
            TIMEZONES),
    Setting("language", "语言", ENUM, False, "日历和摘要的语言：中文 或 英文；默认 中文",
            "language of calendars and summary", LANGUAGES),
    Setting("calendar.source", "节假日来源", ENUM, False,
            "自动：chinesecalendar 覆盖该年时用它，否则用「节假日」表；节假日表：只用本工作簿的表",
            "holiday source: auto, chinesecalendar or instance", CALENDAR_SOURCES),
    Setting("calendar.note", "节假日说明", STR, False, "节假日表的出处（如国务院办公厅通知）",
            "where the holiday table comes from"),
    *_group_settings(),
)


def find_setting(text: str) -> Setting | None:
    key = norm_text(text)
    for s in SETTINGS:
        if key in (norm_text(s.zh), norm_text(s.key)):
            return s
    return None


def model_paths() -> set[str]:
    """Every instance path the sheets fill (for the coverage test)."""
    paths = {c.path for t in TABLES for c in t.columns if c.path}
    paths |= {s.key for s in SETTINGS}
    return paths
