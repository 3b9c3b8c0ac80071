"""The sheets of the spreadsheet input, declared once.

Each :class:`Table` is one sheet of the workbook (or one CSV file of a folder). Each
:class:`Column` has the Chinese header the office sees, the English key that is also
accepted as a header, a type, whether it is required and a description in both
languages. :data:`SETTINGS` are the key/value rows of the 规则与权重 sheet (year, id,
rules, weights). The reader (:mod:`.reader`), the writer (:mod:`.writer`) and the
template (:mod:`.template`) are all driven by these declarations, so a new column is
added in exactly one place.

The volunteer teams and the caring mothers have their own sheets: 志愿者 (a person's
volunteer profile), 志愿者时段 (her usual free times), 活动 and 活动岗位, 路程 (minutes
between towns), 爱心妈妈, 儿童 (children in difficulty: their name and address stay in
this sheet and the instance, never in a plan, calendar, summary or workbook), 节日,
历史结对 and 固定志愿.
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
from ..models.volunteering import ACTIVITY_KIND_ZH, CareRules, VolunteerRules

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
TEXT_LIST = "text_list"
"""Free texts (skills, languages, needs), separated by 、 , ; or a line break."""
TIME_LIST = "time_list"
WEEKDAY_LIST = "weekday_list"
"""Days of the week: 周六、周日 / sat, sun / 周一至周五 / 工作日 / 周末 / 每天."""
ENUM_LIST = "enum_list"
"""Several values of the column's choices (e.g. activity kinds)."""
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
    TEXT_LIST: "文本列表（用 、 , 或 ； 分隔）",
    TIME_LIST: "时间列表（10:00、15:00）",
    WEEKDAY_LIST: "星期列表（周六、周日；周一至周五；工作日；周末；每天）",
    ENUM_LIST: "下拉选项，可填多个（用 、 分隔）",
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
    TEXT_LIST: "list of texts",
    TIME_LIST: "list of HH:MM",
    WEEKDAY_LIST: "list of weekdays (mon..sun)",
    ENUM_LIST: "list of the listed values",
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
_KIND_ALIASES = {
    "volunteer_service": ("志愿服务活动", "志愿活动"),
    "epidemic_support": ("疫情防控志愿服务", "防疫"),
    "civilised_city": ("文明城市创建", "创城"),
    "entrepreneurship": ("创业", "创业辅导"),
    "military_family": ("拥军", "双拥"),
    "observation": ("观摩", "交流"),
    "skill_competition": ("竞赛", "技能比武", "比武"),
    "salon": ("沙龙活动",),
    "training": ("培训班",),
}
ACTIVITY_KINDS = tuple(
    Choice(k, zh, _KIND_ALIASES.get(k, ())) for k, zh in ACTIVITY_KIND_ZH.items()
)
WEEKDAYS = tuple(
    Choice(v, f"周{zh}", (f"星期{zh}", f"礼拜{zh}", zh, en, f"週{zh}",
                         *(("周天", "星期天", "礼拜天", "天") if v == "sun" else ())))
    for v, zh, en in (("mon", "一", "monday"), ("tue", "二", "tuesday"),
                      ("wed", "三", "wednesday"), ("thu", "四", "thursday"),
                      ("fri", "五", "friday"), ("sat", "六", "saturday"),
                      ("sun", "日", "sunday"))
)
WEEKDAY_GROUPS = {
    "每天": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    "每日": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    "全周": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    "daily": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    "工作日": ("mon", "tue", "wed", "thu", "fri"),
    "weekdays": ("mon", "tue", "wed", "thu", "fri"),
    "周末": ("sat", "sun"),
    "weekend": ("sat", "sun"),
    "weekends": ("sat", "sun"),
}
"""Words for several days at once (周天 / 星期天 are spelled out as aliases of sun)."""
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

VOLUNTEERS = Table("volunteers", "志愿者", (
    _C("person", "人员编号", ID, True,
       "志愿者的人员编号（见「人员」表）；在此表中的人就是巾帼志愿者",
       "person id (a row makes her a volunteer)", refers="person"),
    _C("federation", "所属妇联", ID, False, "所属妇联编号（可空），她的志愿活动也进该妇联的日历",
       "her federation (optional)", path="people.volunteer.federation", refers="federation"),
    _C("skills", "技能", TEXT_LIST, False,
       "如 first_aid、tutoring、psychology、driving、photography（与「活动岗位」的所需技能一致）",
       "skills (as named in the activity roles)", path="people.volunteer.skills"),
    _C("languages", "语言", TEXT_LIST, False,
       "如 普通话、闽南语；不填为 普通话；填 无 表示不填语言",
       "languages (default 普通话; 无 for none)", path="people.volunteer.languages"),
    _C("max_activities_per_month", "每月最多活动数", INT, False, "不填为 4",
       "max activities per month (default 4)", path="people.volunteer.max_activities_per_month"),
    _C("max_hours_per_month", "每月最多小时数", INT, False, "不填为 16",
       "max hours per month (default 16)", path="people.volunteer.max_hours_per_month"),
    _C("likes", "喜欢的活动类型", ENUM_LIST, False, "可填多个，如 志愿服务、拥军优属",
       "activity kinds she likes", choices=ACTIVITY_KINDS, path="people.volunteer.likes"),
    _C("dislikes", "不喜欢的活动类型", ENUM_LIST, False, "可填多个；尽量不安排",
       "kinds she dislikes", choices=ACTIVITY_KINDS, path="people.volunteer.dislikes"),
    _C("experienced", "可带队", BOOL, False, "是：有经验，可带队；不填为 否",
       "experienced, can lead (default no)", path="people.volunteer.experienced"),
), "巾帼志愿者：每人一行（人员信息见「人员」表）", "volunteers, one row each")

VOLUNTEER_WEEKLY = Table("volunteer_weekly", "志愿者时段", (
    _C("person", "人员编号", ID, True, "志愿者的人员编号（须在「志愿者」表中）", "person id",
       refers="person"),
    _C("days", "星期", WEEKDAY_LIST, True, "如 周六、周日；周一至周五；工作日；周末；每天",
       "weekdays", choices=WEEKDAYS, path="people.volunteer.weekly.days"),
    _C("start", "开始时间", TIME, True, "如 08:00", "from HH:MM",
       path="people.volunteer.weekly.start"),
    _C("end", "结束时间", TIME, True, "如 18:00", "until HH:MM",
       path="people.volunteer.weekly.end"),
), "志愿者通常有空的时段，一人可有多行；没有时段的志愿者视为随时有空（例外填「不可用时间」表）",
    "when a volunteer is usually free (none: any time)")

ACTIVITIES = Table("activities", "活动", (
    _C("id", "编号", ID, True, "活动编号，如 act-001", "activity id", path="activities.id",
       aliases=("活动编号",)),
    _C("kind", "类型", ENUM, True,
       "志愿服务、疫情防控、文明创建、创业指导、拥军优属、观摩交流、技能竞赛、沙龙、培训",
       "activity kind", choices=ACTIVITY_KINDS, path="activities.kind"),
    _C("title", "名称", STR, True, "活动名称，会显示在日历上", "title", path="activities.title"),
    _C("date", "日期", DATE, True, "活动日期", "date", path="activities.date"),
    _C("start", "开始时间", TIME, True, "如 09:00", "start HH:MM", path="activities.start"),
    _C("end", "结束时间", TIME, True, "如 11:30", "end HH:MM", path="activities.end"),
    _C("town", "镇街", ID, False, "活动所在镇街编号（镇街和场地至少填一个）", "town id",
       path="activities.town", refers="town"),
    _C("venue", "场地编号", ID, False, "活动场地编号（可空；不填镇街时用场地所在镇街）", "venue id",
       path="activities.venue", refers="venue"),
    _C("lead_required", "需要带队", BOOL, False, "是：须有一名可带队的志愿者；不填为 否",
       "needs an experienced lead (default no)", path="activities.lead_required"),
    _C("series", "系列", ID, False, "同一系列（如每周的课业辅导）尽量由同一批人参加，填系列编号",
       "series id (same people preferred)", path="activities.series"),
), "志愿服务活动，每场一行；岗位填在「活动岗位」表", "volunteer activities, one row each")

ACTIVITY_ROLES = Table("activity_roles", "活动岗位", (
    _C("activity", "活动编号", ID, True, "活动编号（见「活动」表）", "activity id"),
    _C("role", "岗位", STR, True, "如 现场服务、急救、摄影记录", "role",
       path="activities.roles.role"),
    _C("skill", "所需技能", STR, False, "须有此技能（见「志愿者」表的技能）；不填为不限",
       "required skill (empty: anyone)", path="activities.roles.skill"),
    _C("language", "所需语言", STR, False, "须会此语言，如 闽南语；不填为不限",
       "required language (empty: any)", path="activities.roles.language"),
    _C("min", "最少人数", INT, False, "至少几人；不填为 1", "minimum people (default 1)",
       path="activities.roles.min"),
    _C("max", "最多人数", INT, False, "至多几人；不填为等于最少人数",
       "maximum (default: the minimum)", path="activities.roles.max"),
), "每场活动需要的岗位和人数，一个岗位一行", "roles an activity needs, one row each")

TRAVEL = Table("travel", "路程", (
    _C("a", "镇街甲", ID, True, "镇街编号", "town id", path="travel.a", refers="town"),
    _C("b", "镇街乙", ID, True, "镇街编号", "town id", path="travel.b", refers="town"),
    _C("minutes", "分钟", INT, True, "单程车程（分钟，双向相同）", "minutes one way",
       path="travel.minutes"),
), "镇街之间的车程；未列出的按「规则与权重」的默认车程", "travel minutes between towns")

CARING_MOTHERS = Table("caring_mothers", "爱心妈妈", (
    _C("person", "人员编号", ID, True, "爱心妈妈的人员编号（见「人员」表），每人一行",
       "person id of a caring mother", path="people.caring_mother", refers="person"),
), "可以与困境儿童结对的爱心妈妈", "caring mothers (may be paired with children)")

CHILDREN = Table("children", "儿童", (
    _C("code", "代码", ID, True,
       "儿童代码，如 c-001；计划、日历、摘要里只出现代码", "child code (the only thing exported)",
       path="children.code", aliases=("儿童代码",)),
    _C("name", "姓名", STR, False, "仅供本单位留档，不会出现在任何日历、计划或摘要中",
       "name (kept here only; never exported)", path="children.name"),
    _C("address", "地址", STR, False, "仅供本单位留档，不会出现在任何日历、计划或摘要中",
       "address (kept here only; never exported)", path="children.address"),
    _C("town", "镇街", ID, True, "所在镇街编号（日历中只显示镇街）", "town id",
       path="children.town", refers="town"),
    _C("age", "年龄", INT, True, "年龄（0–18）", "age", path="children.age"),
    _C("needs", "需求", TEXT_LIST, False, "如 学业辅导、心理疏导、亲情陪伴（不导出）",
       "needs (never exported)", path="children.needs"),
), "困境儿童（隐私：姓名、地址、需求只留在本表）",
    "children in difficulty (name and address stay here)")

FESTIVALS = Table("festivals", "节日", (
    _C("name", "名称", STR, True, "如 春节、六一儿童节、中秋节", "name",
       path="care.festivals.name"),
    _C("date", "日期", DATE, True, "节日日期", "date", path="care.festivals.date"),
    _C("window_days", "窗口天数", INT, False, "过节走访可在节日前后几天内；不填为 3",
       "days before/after (default 3)", path="care.festivals.window_days"),
), "爱心妈妈陪孩子“过一次节”的节日", "festivals for the caring mothers' festival visits")

HISTORY_CARE = Table("history_care", "历史结对", (
    _C("mother", "爱心妈妈", ID, True, "往年结对的爱心妈妈人员编号", "mother's person id",
       path="history.care.mother", refers="person"),
    _C("child", "儿童代码", ID, True, "儿童代码", "child code", path="history.care.child"),
    _C("year", "年份", INT, True, "往年年份，如 2026", "year", path="history.care.year"),
), "往年的爱心妈妈结对（孩子尽量不换妈妈）", "caring-mother pairs of earlier years")

PIN_VOLUNTEERING = Table("pin_volunteering", "固定志愿", (
    _C("activity", "活动编号", ID, True, "活动编号", "activity id",
       path="pins.volunteering.activity"),
    _C("person", "人员编号", ID, True, "已商定参加的志愿者人员编号", "person id",
       path="pins.volunteering.person", refers="person"),
    _C("role", "岗位", STR, True, "她担任的岗位（见「活动岗位」表）", "role",
       path="pins.volunteering.role"),
    _C("reason", "原因", STR, False, _REASON, "why it is fixed", path="pins.volunteering.reason"),
), "已商定的志愿者安排", "volunteering assignments fixed in advance")

_WEEKDAY_NUMBERS = "星期，用数字：1=周一 … 7=周日（如 2、4）"

TERMS = Table("terms", "轮值工作", (
    _C("base", "基地", ID, True, "基地妇联编号，每个基地一行", "base federation id",
       path="terms.base", refers="federation"),
    _C("regional_chair", "区域主席", ID, True, "区域主席的人员编号（可兼任多个基地）",
       "regional chair's person id", path="terms.regional_chair", refers="person"),
    _C("enterprises", "走访企业", ID_LIST, False, "被走访的联合会编号；不填为该基地所有企业妇联",
       "federations visited (empty: the base's enterprise federations)",
       path="terms.enterprises", refers="federation"),
    _C("visits_per_year", "每年走访次数", INT, False,
       "每家企业每年走访几次，分轮均匀安排；不填为 2",
       "visits per enterprise and year (default 2)", path="terms.visits_per_year"),
    _C("visit_minutes", "走访时长", INT, False, "每次走访分钟数；不填为 90",
       "minutes per visit (default 90)", path="terms.visit_minutes"),
    _C("visit_weekdays", "走访星期", INT_LIST, False, _WEEKDAY_NUMBERS + "；不填为 1–5",
       "ISO weekdays 1=Mon..7=Sun (default 1-5)", path="terms.visit_weekdays"),
    _C("visit_times", "走访开始时间", TIME_LIST, False, "如 09:30、14:30（不填即此两项）",
       "start times (default 09:30, 14:30)", path="terms.visit_times"),
), "轮值期间的工作：区域主席与企业走访（每个基地一行）",
    "the rotating chair's term: regional chair and enterprise visits, one row per base")

TERM_ACTIVITIES = Table("term_activities", "特色活动", (
    _C("base", "基地", ID, True, "基地妇联编号（须在「轮值工作」表中）；没有行的基地不办特色活动",
       "base federation id (a base without a row holds none)", refers="federation"),
    _C("kind", "活动名称", STR, False, "如 巾帼科技创新沙龙；不填为 特色活动", "what it is",
       path="terms.activity.kind"),
    _C("minutes", "时长", INT, False, "分钟；不填为 120", "minutes (default 120)",
       path="terms.activity.minutes"),
    _C("venues", "场地", ID_LIST, False,
       "可用场地编号；不填为本镇妇女之家、儿童之家、家长学校和本基地企业开放阵地",
       "venue ids (empty: the base's own)", path="terms.activity.venues", refers="venue"),
    _C("weekdays", "星期", INT_LIST, False, _WEEKDAY_NUMBERS + "；不填为 1–5",
       "ISO weekdays (default 1-5)", path="terms.activity.weekdays"),
    _C("times", "开始时间", TIME_LIST, False, "如 14:30", "start times (default 14:30)",
       path="terms.activity.times"),
    _C("working_days_only", "仅工作日", BOOL, False, "是：只在工作日（不填为 是）",
       "working days only (default yes)", path="terms.activity.working_days_only"),
), "每个基地每期一场特色活动（每个基地一行）",
    "the signature activity each period, one row per base")

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
    VOLUNTEERS, VOLUNTEER_WEEKLY, ACTIVITIES, ACTIVITY_ROLES, TRAVEL, CARING_MOTHERS, CHILDREN,
    FESTIVALS, HISTORY_CARE, PIN_VOLUNTEERING, TERMS, TERM_ACTIVITIES,
)
TABLE_BY_KEY = {t.key: t for t in TABLES}

README_NAMES = ("说明", "readme")
"""Sheets the reader skips: the template's instructions."""
RESERVED_NAMES: tuple[str, ...] = ()
"""Sheet names kept for later parts (skipped by the reader); none at present."""
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
    ``说明``, ``备注…``, ``#…`` (and, for sheets, any :data:`RESERVED_NAMES`)."""
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
    ("volunteering", VolunteerRules, "志愿"),
    ("care", CareRules, "关爱"),
)
_TABLE_FIELDS = {"care.festivals"}
"""Group fields that have their own sheet rather than a settings row."""
_LIST_SETTINGS = {
    "meetings.slots": TIME_SLOTS,
    "care.meet_times": TIME_LIST,
    "care.talk_times": TIME_LIST,
    "care.festival_times": TIME_LIST,
    "care.visit_days": WEEKDAY_LIST,
}

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
    "meetings.max_travel_minutes": ("联席会场地最远路程分钟数",
                                    "会场离基地所在镇街的最长路程；默认 120；留空为不限",
                                    "max travel minutes from the base's town to the venue"),
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
    "weights.unfilled_role": ("权重·志愿岗位缺人", "每缺一人", "missing people below a role's min"),
    "weights.volunteer_overload": ("权重·志愿者负担超过平均线", "超过平均活动数的场数",
                                   "assignments above the fair line"),
    "weights.disliked_kind": ("权重·安排了不喜欢的活动类型", "", "assignments to a disliked kind"),
    "weights.travel_time": ("权重·志愿者路程", "每 15 分钟车程", "travel, per 15 minutes"),
    "weights.series_change": ("权重·系列活动换人", "", "different people across a series"),
    "weights.no_lead": ("权重·需要带队却无人带队", "", "activities without a needed lead"),
    "weights.care_new_mother": ("权重·儿童更换上年的爱心妈妈", "", "child handed to a new mother"),
    "weights.care_outside_town": ("权重·爱心妈妈跨镇结对", "", "pairs across towns"),
    "weights.festival_off_date": ("权重·过节走访偏离节日", "与节日相差的天数",
                                  "festival visit days off the festival"),
    "volunteering.max_travel_minutes": ("志愿者最远车程分钟数", "单程超过此车程不派；默认 60",
                                        "max one-way travel for a volunteer"),
    "volunteering.default_travel_minutes": ("默认车程分钟数",
                                            "「路程」表未列出的两镇之间；默认 45",
                                            "travel between towns not in the travel sheet"),
    "volunteering.reminder_minutes": ("志愿活动提前提醒分钟数", "日历提醒提前量；默认 1440",
                                      "calendar alarm lead time for activities"),
    "care.max_children_per_mother": ("每位爱心妈妈最多结对儿童数", "默认 2",
                                     "max children per caring mother"),
    "care.max_travel_minutes": ("爱心妈妈最远车程分钟数", "只与此车程内的儿童结对；默认 30",
                                "max travel between a mother and her child"),
    "care.meet_per_quarter": ("每季度见面次数", "见一次面；默认 1", "meets per quarter"),
    "care.talk_per_quarter": ("每季度谈心次数", "谈一次心；默认 1", "talks per quarter"),
    "care.festivals_per_year": ("每年过节次数", "过一次节（在「节日」表的不同节日）；默认 2",
                                "festival visits per year"),
    "care.meet_times": ("见面开始时间", "如 10:00、15:00", "start times of meets"),
    "care.meet_minutes": ("见面分钟数", "默认 90", "minutes of a meet"),
    "care.talk_times": ("谈心开始时间", "如 19:30", "start times of talks"),
    "care.talk_minutes": ("谈心分钟数", "默认 45", "minutes of a talk"),
    "care.festival_times": ("过节走访开始时间", "如 10:00", "start times of festival visits"),
    "care.festival_minutes": ("过节走访分钟数", "默认 120", "minutes of a festival visit"),
    "care.visit_days": ("见面谈心的星期", "如 周六、周日（过节走访按节日窗口）",
                        "weekdays of meets and talks"),
    "care.reminder_minutes": ("关爱走访提前提醒分钟数", "日历提醒提前量；默认 1440",
                              "calendar alarm lead time for visits"),
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
            if key in _TABLE_FIELDS:
                continue
            zh, dzh, den = _SETTING_TEXT.get(key, (f"{group_zh}·{name}", "", ""))
            type_ = _LIST_SETTINGS.get(key) or _scalar_type(field.annotation) or STR
            if not dzh:
                dzh = f"默认 {field.default}" if not field.is_required() else ""
            choices = WEEKDAYS if type_ == WEEKDAY_LIST else ()
            out.append(Setting(key, zh, type_, False, dzh, den, choices))
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
