"""Generate the volunteering and caring-mother parts of instances/nanan-2027-full.yaml.

The YAML file is the source of truth; this script documents how its volunteering part
was made and can make it again. It is deterministic (seeded ``random.Random``), pure
Python + pyyaml, and does not import xinglian.

    python instances/tools/make_volunteering.py            # print a report, write nothing
    python instances/tools/make_volunteering.py --write    # rewrite the generated regions

What it writes (each between ``# >>> make_volunteering`` / ``# <<< make_volunteering``
markers, so that running it again replaces instead of duplicating):

* ``people``: four new caring mothers (执委, p-115..p-118) and 300 volunteers (v-001..v-300);
  ``caring_mother: true`` on the 执委 p-069..p-103 except p-070 (the volunteer-team captain)
  and p-084 (on maternity leave from July: she stepped down in 2027);
* ``volunteering``, ``travel``, ``activities`` (about 350), ``children`` (60), ``care``;
* ``history.care`` (2026 pairs), ``pins.volunteering`` (one pin);
* the new soft-rule weights under ``weights`` (their defaults, spelled out).

Everything is invented: people, phone numbers, children, addresses, activities.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
YAML_PATH = HERE.parent / "nanan-2027-full.yaml"
SEED = 2027
YEAR = 2027
MAX_TRAVEL = 60          # volunteering.max_travel_minutes
CARE_TRAVEL = 30         # care.max_travel_minutes
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# ---------------------------------------------------------------------------------------
# Geography: rough positions (km east, km north of 溪美街道, the city centre) of the towns;
# minutes = 10 + 1.1 * km, rounded to 5, between 15 and 70. Neighbouring towns come out
# at 15-30 minutes, the far corners (金淘 in the north-west, 水头 in the south) at 60-70.
# ---------------------------------------------------------------------------------------
TOWN_XY = {
    "ximei-st": (0, 0), "liucheng": (-3, -1), "meilin": (2, 3),
    "fengzhou": (12, 2), "ximei": (8, -4), "kangmei": (8, 8), "honglai": (10, 18),
    "shengxin": (4, -10), "guanqiao": (-2, -16), "luncang": (-6, -18), "shuitou": (-8, -27),
    "matou": (-14, 10), "shishan": (-18, 14), "jintao": (-26, 22),
}
BASE_TOWNS = ("ximei", "luncang", "shuitou", "shengxin", "guanqiao", "jintao", "honglai")


def travel_minutes(a: str, b: str) -> int:
    if a == b:
        return 0
    (xa, ya), (xb, yb) = TOWN_XY[a], TOWN_XY[b]
    km = math.hypot(xa - xb, ya - yb)
    return max(15, min(70, int(5 * round((10 + 1.1 * km) / 5))))


# ---------------------------------------------------------------------------------------
# Base data read from the hand-written part of the YAML
# ---------------------------------------------------------------------------------------

MARK_OPEN = "# >>> make_volunteering"
MARK_CLOSE = "# <<< make_volunteering"


def strip_generated(text: str) -> str:
    """The YAML without the generated regions and flags (what the script starts from)."""
    out, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(MARK_OPEN):
            skipping = True
            continue
        if line.lstrip().startswith(MARK_CLOSE):
            skipping = False
            continue
        if not skipping:
            out.append(line)
    text = "".join(out)
    text = text.replace(", caring_mother: true}", "}")
    text = re.sub(r"\n    caring_mother: true(?=\n)", "", text)
    return re.sub(r"\n{3,}", "\n\n", text)


def load_base(text: str) -> dict:
    return yaml.safe_load(strip_generated(text))


def day_sets(base: dict) -> tuple[set[dt.date], set[dt.date]]:
    cal = base["calendar"]
    holidays: set[dt.date] = set()
    for h in cal["holidays"]:
        d = h["start"]
        while d <= h["end"]:
            holidays.add(d)
            d += dt.timedelta(days=1)
    return holidays, set(cal["makeup_workdays"])


# ---------------------------------------------------------------------------------------
# Volunteers
# ---------------------------------------------------------------------------------------

SURNAMES = ("陈林黄王李张吴刘蔡洪郑苏许杨傅叶庄卓施潘詹吕颜邱萧柯戴曾彭谢周何郭卢方余骆尤侯"
            "江康韩胡董钟田沈罗魏姚")
FEMALE_GIVEN = (
    "丽娟", "秀英", "美玲", "雅琴", "淑珍", "丽华", "秀梅", "晓燕", "丽萍", "美华",
    "雪梅", "惠珍", "碧霞", "秀兰", "春燕", "玉兰", "丽琼", "晓丹", "雪莲", "秀珠",
    "婉清", "雅婷", "春兰", "秋香", "碧云", "美娇", "玉霞", "秋菊", "淑敏", "秀芳",
    "美娟", "秀玲", "雅丽", "婉婷", "丽芬", "碧莲", "晓霞", "雪芳", "春梅", "丽娜",
    "秀莲", "美玉", "丽霞", "婉如", "秀凤", "雅玲", "丽珠", "惠敏", "雅娟", "玉梅",
    "丽清", "美霞", "秀琼", "晓玲", "雅雯", "丽娥", "雅楠", "美琪", "雪芬", "桂香",
    "月娥", "素珍", "丽云", "金凤", "宝珠", "淑华", "秀云", "小燕", "丽娇", "艳红",
    "晓红", "佳慧", "静怡", "思琪", "欣怡", "诗琪", "梦婷", "佳琳", "雨萱", "晓彤",
    "佳怡", "雅欣", "静雯", "诗雨", "梓琳", "嘉欣", "慧琳", "晓琳", "丽芳", "燕玲",
    "凤英", "碧珠", "美珍", "秀娥", "月琴", "雪华", "春花", "秋月", "玉凤", "素梅",
    "银花", "丽卿", "惠玲", "惠芳", "惠娟", "淑芬", "淑娟", "艺婷", "婷婷", "晶晶",
    "莉莉", "燕燕", "阿香", "阿珠", "丽红", "美凤", "秀霞", "雅芳", "淑贞", "碧玉",
)
MALE_GIVEN = ("建国", "志强", "文斌", "明辉", "伟东", "国栋", "振宇", "俊杰", "永福", "金水")

VOLUNTEERS_PER_TOWN = {
    "ximei": 42, "luncang": 40, "shuitou": 40, "shengxin": 26, "guanqiao": 30, "jintao": 28,
    "honglai": 32, "ximei-st": 16, "liucheng": 8, "meilin": 8, "fengzhou": 8, "kangmei": 8,
    "shishan": 8, "matou": 6,
}
# (skill, how many volunteers have it); tea_art mostly in the tea towns
SKILL_POOL = (
    ("first_aid", 40), ("tutoring", 52), ("legal", 14), ("counselling", 18),
    ("photography", 26), ("driving", 32), ("cooking", 30), ("tea_art", 12),
    ("publicity", 30), ("elderly_care", 42), ("psychology", 16),
)
KINDS = ("volunteer_service", "epidemic_support", "civilised_city", "entrepreneurship",
         "military_family", "observation", "skill_competition", "salon", "training")

WEEKEND = ({"days": ["sat", "sun"], "start": "08:00", "end": "18:00"},)
PATTERNS = (  # (weight, weekly)
    (45, WEEKEND),
    (5, ({"days": ["sat"], "start": "08:00", "end": "18:00"},)),
    (5, ({"days": ["sun"], "start": "08:00", "end": "18:00"},)),
    (5, ({"days": ["sat", "sun"], "start": "08:00", "end": "12:00"},)),
    (10, ({"days": ["mon", "tue", "wed", "thu", "fri"], "start": "18:30", "end": "21:30"},
          {"days": ["sat", "sun"], "start": "08:00", "end": "18:00"})),
    (4, ({"days": ["mon", "tue", "wed", "thu", "fri"], "start": "18:30", "end": "21:30"},)),
    (3, ({"days": ["tue", "thu"], "start": "18:30", "end": "21:30"},
         {"days": ["sat"], "start": "08:00", "end": "18:00"})),
    (15, ({"days": list(WEEKDAYS), "start": "08:00", "end": "18:00"},)),
    (8, ({"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "18:00"},)),
)
# legal volunteers are practising lawyers and legal workers: free at weekends and evenings
LEGAL_PATTERNS = (WEEKEND, PATTERNS[4][1], PATTERNS[6][1])

AWAY = (  # (reason, first possible start, length in days)
    ("外出旅游", (3, 15), 7), ("外出旅游", (7, 10), 10), ("外出旅游", (10, 12), 6),
    ("教师资格证考试备考", (3, 1), 14), ("成人高考备考", (10, 1), 21),
    ("手术及术后康复", (4, 6), 40), ("手术及术后康复", (8, 16), 30),
    ("出差（外地参展）", (4, 14), 8), ("出差（外地参展）", (10, 13), 8),
    ("陪孩子高考", (6, 1), 10), ("照顾住院家人", (5, 17), 21), ("产假", (8, 1), 120),
)
TEA_EXPO = (dt.date(YEAR, 11, 18), dt.date(YEAR, 11, 22))
AWAY_HOMETOWN = ("春节返乡（江西）", "春节返乡（四川）", "春节返乡（贵州）", "春节返乡（湖南）")


def make_volunteers(base: dict, rng: random.Random) -> list[dict]:
    used_names = {p["name"] for p in base["people"]}
    feds_by_town: dict[str, list[str]] = defaultdict(list)
    for f in base["federations"]:
        if f["kind"] in ("base", "enterprise", "micro-home"):
            feds_by_town[f["town"]].append(f["id"])

    def name(male: bool) -> str:
        while True:
            s = rng.choice(SURNAMES)
            n = s + rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)
            if n not in used_names:
                used_names.add(n)
                return n

    towns = [t for t, n in VOLUNTEERS_PER_TOWN.items() for _ in range(n)]
    rng.shuffle(towns)
    vols: list[dict] = []
    male_at = set(rng.sample(range(len(towns)), 9))
    for i, town in enumerate(towns, start=1):
        male = i - 1 in male_at
        weights = [w for w, _ in PATTERNS]
        weekly = rng.choices([p for _, p in PATTERNS], weights)[0]
        v = {
            "id": f"v-{i:03d}",
            "name": name(male),
            "town": town,
            "federation": (rng.choice(feds_by_town[town]) if town in feds_by_town else None),
            "skills": [],
            "languages": ["普通话", "闽南语"],
            "weekly": [dict(w) for w in weekly],
            "max_activities_per_month": rng.choice((2, 3, 3, 4, 4, 4, 5, 6)),
            "max_hours_per_month": rng.choice((8, 10, 12, 12, 16, 16, 16, 20, 24)),
            "likes": [],
            "dislikes": [],
            "experienced": False,
            "phone": f"138000{2000 + i:05d}" if rng.random() < 0.55 else None,
            "unavailable": [],
            "male": male,
            "new_nanan": rng.random() < 0.12,   # 新南安人: no 闽南语, home for Spring Festival
        }
        if v["new_nanan"]:
            v["languages"] = ["普通话"]
        vols.append(v)
    # skills: draw holders per skill; tea_art goes to the tea towns first
    for skill, count in SKILL_POOL:
        pool = [v for v in vols if len(v["skills"]) < 2]
        if skill == "tea_art":
            tea = [v for v in pool if v["town"] in ("jintao", "shishan", "matou")]
            chosen = rng.sample(tea, min(count - 2, len(tea)))
            rest = [v for v in pool if v not in chosen]
            chosen += rng.sample(rest, count - len(chosen))
        else:
            chosen = rng.sample(pool, count)
        for v in chosen:
            v["skills"].append(skill)
    for v in vols:
        v["skills"].sort(key=[s for s, _ in SKILL_POOL].index)
        if "legal" in v["skills"]:
            v["weekly"] = [dict(w) for w in rng.choice(LEGAL_PATTERNS)]
    # experienced (can lead): about 15 %, spread over towns
    for v in rng.sample(vols, 46):
        v["experienced"] = True
    # likes / dislikes
    for v in vols:
        r = rng.random()
        if r < 0.30:
            v["likes"] = sorted(rng.sample(KINDS[:7], rng.choice((1, 1, 2))), key=KINDS.index)
        if rng.random() < 0.10:
            d = rng.choice([k for k in KINDS if k not in v["likes"]])
            v["dislikes"] = [d]
    # unavailable exceptions on about 10 %
    for v in rng.sample(vols, 31):
        if v["new_nanan"] and rng.random() < 0.7:
            start = dt.date(YEAR, 1, 28) + dt.timedelta(days=rng.randint(0, 5))
            v["unavailable"].append({"start": start, "end": start + dt.timedelta(
                days=rng.randint(18, 26)), "reason": rng.choice(AWAY_HOMETOWN)})
            continue
        reason, (m, d), length = rng.choice(AWAY)
        start = dt.date(YEAR, m, d) + dt.timedelta(days=rng.randint(0, 20))
        end = min(start + dt.timedelta(days=length - 1), dt.date(YEAR, 12, 31))
        v["unavailable"].append({"start": start, "end": end, "reason": reason})
    # the tea-art volunteers perform at the cross-strait tea expo in Xiamen (茶博会)
    for v in vols:
        if "tea_art" in v["skills"]:
            v["unavailable"] = [{"start": TEA_EXPO[0], "end": TEA_EXPO[1],
                                 "reason": "海峡两岸茶博会茶艺展演（厦门）"}]
    return vols


def minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def free(v: dict, day: dt.date, start: str, end: str) -> bool:
    s, e = minutes(start), minutes(end)
    wd = WEEKDAYS[day.weekday()]
    if v["weekly"] and not any(wd in w["days"] and minutes(w["start"]) <= s
                               and e <= minutes(w["end"]) for w in v["weekly"]):
        return False
    return not any(u["start"] <= day <= u["end"] for u in v["unavailable"])


def eligible(v: dict, act: dict, role: dict) -> bool:
    """`volunteer_eligible` of docs/rules.md, on the generator's dicts."""
    if role.get("skill") and role["skill"] not in v["skills"]:
        return False
    if role.get("language") and role["language"] not in v["languages"]:
        return False
    if travel_minutes(v["town"], act["_town"]) > MAX_TRAVEL:
        return False
    return free(v, act["date"], act["start"], act["end"])


# ---------------------------------------------------------------------------------------
# Activities
# ---------------------------------------------------------------------------------------

def R(role: str, lo: int, hi: int | None = None, skill: str | None = None,
      language: str | None = None) -> dict:
    r = {"role": role}
    if skill:
        r["skill"] = skill
    if language:
        r["language"] = language
    r["min"] = lo
    r["max"] = hi if hi is not None else lo
    return r


# Day types: we = weekend day, wd = working-day daytime, ev = working-day evening.
# Times: list of (start, end). Places: "base" (a base town), "any" (any town), a tuple of
# town ids, or "venue" (a meeting room / the city centre, weekends and evenings only).
TIMES_WE = (("08:30", "11:30"), ("09:00", "11:30"), ("09:00", "12:00"), ("14:30", "17:00"),
            ("14:00", "17:30"), ("09:30", "11:00"), ("15:00", "17:00"))
TIMES_WE_MORNING = (("08:30", "11:30"), ("09:00", "11:30"), ("09:30", "11:00"))
TIMES_WD = (("09:00", "11:30"), ("14:30", "17:00"), ("09:00", "12:00"), ("14:00", "16:30"))
TIMES_EV = (("19:00", "21:00"), ("19:00", "20:30"), ("19:30", "21:00"))

TEMPLATES: dict[str, list[dict]] = {
    "volunteer_service": [
        dict(title="{t}敬老院助老服务", day="we", times=TIMES_WE_MORNING, place="base",
             roles=[R("助老服务", 2, 3, "elderly_care", "闽南语"), R("现场服务", 1, 2)]),
        dict(title="{t}关爱留守儿童·陪伴成长", day="we", times=TIMES_WE, place="base",
             roles=[R("课业辅导", 1, 2, "tutoring"), R("现场服务", 1, 2)]),
        dict(title="{t}巾帼义诊与健康宣教", day="we", times=TIMES_WE_MORNING, place="any",
             roles=[R("急救保障", 1, 2, "first_aid"), R("现场服务", 1, 3)]),
        dict(title="{t}普法宣传进村居", day="we", times=TIMES_WE, place="any",
             roles=[R("法律咨询", 1, 1, "legal"), R("宣传报道", 1, 1, "publicity")]),
        dict(title="{t}婚姻家庭咨询服务日", day="we", times=TIMES_WE, place="any",
             roles=[R("家庭咨询", 1, 2, "counselling")]),
        dict(title="{t}心理健康进校园", day="wd", times=TIMES_WD, place="base",
             roles=[R("心理辅导", 1, 1, "psychology"), R("现场服务", 1, 1)]),
        dict(title="{t}爱心厨房·为环卫工人送午餐", day="we", times=(("10:00", "13:00"),),
             place="base", roles=[R("爱心厨房", 2, 3, "cooking"), R("送餐服务", 1, 2)]),
        dict(title="{t}图书漂流·亲子阅读", day="we", times=TIMES_WE, place="any",
             roles=[R("阅读陪伴", 2, 3)]),
        dict(title="{t}护河清溪·巾帼环保行", day="we", times=(("08:30", "11:00"),), place="base",
             roles=[R("现场服务", 3, 5)]),
        dict(title="{t}关爱新南安人子女课业辅导", day="ev", times=TIMES_EV,
             place=("ximei", "luncang", "shuitou", "guanqiao", "ximei-st"),
             roles=[R("课业辅导", 1, 2, "tutoring")]),
        dict(title="{t}反诈宣传进企业", day="ev", times=TIMES_EV, place="base",
             roles=[R("宣传讲解", 1, 1, "publicity"), R("现场服务", 1, 1)]),
        dict(title="{t}走访慰问孤寡老人", day="wd", times=TIMES_WD, place="base",
             roles=[R("助老服务", 1, 2, "elderly_care", "闽南语"), R("车辆保障", 1, 1, "driving")]),
        dict(title="{t}巾帼志愿服务集市", day="we", times=(("09:00", "12:00"),), place="any",
             roles=[R("现场服务", 3, 4), R("摄影记录", 1, 1, "photography")]),
    ],
    "epidemic_support": [
        dict(title="{t}登革热防控·清积水入户宣传", day="we", times=TIMES_WE_MORNING,
             place="base", roles=[R("入户宣传", 2, 3, None, "闽南语"), R("现场服务", 2, 3)]),
        dict(title="{t}疫苗接种点秩序引导", day="wd", times=(("08:30", "11:30"),), place="base",
             roles=[R("现场引导", 2, 3), R("急救保障", 1, 1, "first_aid")]),
        dict(title="{t}秋冬季呼吸道传染病防控宣传", day="we", times=TIMES_WE, place="any",
             roles=[R("防控宣传", 1, 2, "publicity"), R("现场服务", 1, 2)]),
    ],
    "civilised_city": [
        dict(title="{t}文明交通劝导", day="we", times=(("08:00", "10:00"), ("16:00", "18:00")),
             place="any", roles=[R("交通劝导", 3, 4)]),
        dict(title="{t}垃圾分类入户宣传", day="we", times=TIMES_WE_MORNING, place="any",
             roles=[R("入户宣传", 2, 3, None, "闽南语")]),
        dict(title="{t}清洁家园·美丽庭院创建", day="we", times=(("08:30", "11:00"),), place="any",
             roles=[R("现场服务", 4, 6), R("摄影记录", 1, 1, "photography")]),
        dict(title="{t}文明餐桌·光盘行动宣传", day="ev", times=(("18:30", "20:30"),),
             place=("ximei-st", "liucheng", "meilin", "ximei", "luncang", "shuitou", "honglai"),
             roles=[R("宣传劝导", 2, 2)]),
        dict(title="{t}背街小巷环境整治", day="we", times=(("08:30", "11:30"),), place="any",
             roles=[R("现场服务", 2, 3)]),
        dict(title="{t}文明创建问卷入户调查", day="we", times=TIMES_WE, place="any",
             roles=[R("入户调查", 1, 2, None, "闽南语"), R("宣传报道", 1, 1, "publicity")]),
    ],
    "entrepreneurship": [
        dict(title="巾帼创业沙龙·电商直播入门（{t}）", day="we", times=TIMES_WE, place="venue",
             roles=[R("直播指导", 1, 1, "publicity"), R("会务服务", 1, 2)]),
        dict(title="女性创业贷款政策宣讲（{t}）", day="ev", times=TIMES_EV, place="venue",
             roles=[R("政策解读", 1, 1, "legal"), R("会务服务", 1, 1)]),
        dict(title="返乡创业女性结对指导（{t}）", day="we", times=TIMES_WE, place="base",
             roles=[R("结对指导", 1, 2)]),
        dict(title="茶叶电商带货指导（{t}）", day="we", times=TIMES_WE, place=("jintao",),
             roles=[R("茶艺展示", 1, 1, "tea_art"), R("直播指导", 1, 1, "publicity")]),
        dict(title="巾帼创业项目路演服务（{t}）", day="we", times=TIMES_WE, place="venue",
             roles=[R("会务服务", 2, 2), R("摄影记录", 1, 1, "photography")]),
    ],
    "military_family": [
        dict(title="{t}走访慰问军属家庭", day="we", times=TIMES_WE_MORNING, place="any",
             roles=[R("走访慰问", 2, 3, None, "闽南语"), R("车辆保障", 1, 1, "driving"),
                    R("摄影记录", 1, 1, "photography")]),
        dict(title="{t}军嫂座谈会", day="we", times=(("14:30", "17:00"),), place="base",
             roles=[R("会务服务", 1, 2), R("家庭咨询", 1, 1, "counselling")]),
        dict(title="{t}送健康进军属家庭", day="we", times=TIMES_WE_MORNING, place="any",
             roles=[R("健康服务", 1, 1, "first_aid"), R("助老服务", 1, 1, "elderly_care")]),
    ],
    "observation": [
        dict(title="赴{t}观摩交流·产业妇联阵地建设", day="we", times=(("09:00", "12:00"),
             ("14:00", "17:00")), place="base",
             roles=[R("接待讲解", 1, 1, "publicity"), R("车辆保障", 1, 2, "driving"),
                    R("会务服务", 1, 1)]),
        dict(title="赴{t}观摩交流·巾帼志愿服务", day="wd", times=(("09:00", "11:30"),
             ("14:30", "17:00")), place="base",
             roles=[R("接待讲解", 1, 1, "publicity"), R("会务服务", 1, 2)]),
    ],
    "skill_competition": [
        dict(title="{t}茶艺技能竞赛", day="we", times=(("09:00", "12:00"),),
             place=("jintao", "shishan"),
             roles=[R("茶艺评委", 1, 2, "tea_art"), R("赛务服务", 2, 3)]),
        dict(title="{t}家政服务技能竞赛", day="we", times=(("09:00", "12:00"), ("14:00", "17:00")),
             place="base", roles=[R("技能评委", 1, 2, "elderly_care"), R("赛务服务", 1, 2)]),
        dict(title="{t}电商直播技能大赛", day="we", times=(("14:00", "17:30"),), place="base",
             roles=[R("技能评委", 1, 1, "publicity"), R("赛务服务", 1, 2),
                    R("摄影记录", 1, 1, "photography")]),
        dict(title="{t}巾帼厨艺大赛", day="we", times=(("09:00", "12:00"),), place="base",
             roles=[R("技能评委", 1, 2, "cooking"), R("赛务服务", 1, 2)]),
        dict(title="{t}女职工急救技能比武", day="we", times=(("14:00", "17:00"),), place="base",
             roles=[R("技能评委", 1, 2, "first_aid"), R("赛务服务", 1, 2)]),
    ],
    "salon": [
        dict(title="家庭教育沙龙（{t}）", day="we", times=TIMES_WE, place="venue",
             roles=[R("主持分享", 1, 1, "counselling"), R("会务服务", 1, 1)]),
        dict(title="女企业家读书沙龙（{t}）", day="ev", times=TIMES_EV, place="venue",
             roles=[R("会务服务", 1, 2)]),
        dict(title="心理减压沙龙（{t}）", day="we", times=TIMES_WE, place="venue",
             roles=[R("心理辅导", 1, 1, "psychology"), R("会务服务", 1, 1)]),
        dict(title="茶香女性沙龙（{t}）", day="we", times=TIMES_WE, place=("jintao", "shishan"),
             roles=[R("茶艺展示", 1, 1, "tea_art"), R("会务服务", 1, 1)]),
    ],
    "training": [
        dict(title="巾帼志愿者急救技能培训（{t}）", day="we", times=TIMES_WE, place="venue",
             roles=[R("急救教员", 1, 2, "first_aid"), R("会务服务", 1, 1)]),
        dict(title="巾帼志愿者骨干培训（{t}）", day="we", times=TIMES_WE, place="venue",
             roles=[R("会务服务", 1, 2)]),
        dict(title="反家暴法律知识培训（{t}）", day="ev", times=TIMES_EV, place="venue",
             roles=[R("法律讲师", 1, 1, "legal"), R("会务服务", 1, 1)]),
        dict(title="志愿服务摄影宣传培训（{t}）", day="we", times=TIMES_WE, place="venue",
             roles=[R("摄影讲师", 1, 1, "photography"), R("会务服务", 1, 1)]),
    ],
}

COUNTS = {"volunteer_service": 116, "epidemic_support": 20, "civilised_city": 60,
          "entrepreneurship": 30, "military_family": 22, "observation": 22,
          "skill_competition": 22, "salon": 14, "training": 14}
# plus 34 series sessions (volunteer_service) and 3 deliberate impossible demands

# Months of some kinds (epidemic: dengue season and the winter wave; military families:
# Spring Festival, 八一, 国庆)
KIND_MONTHS = {
    "epidemic_support": {"登革热": (6, 7, 8, 9, 10), "疫苗": (3, 4, 10, 11), "呼吸道": (1, 11, 12)},
}
MILITARY_WINDOWS = ((dt.date(YEAR, 1, 16), dt.date(YEAR, 2, 4)),
                    (dt.date(YEAR, 7, 17), dt.date(YEAR, 8, 8)),
                    (dt.date(YEAR, 9, 18), dt.date(YEAR, 9, 30)))

VENUES_FOR_ACTIVITIES = ("v-ximei-techstation", "v-luncang-talent", "v-luncang-gov",
                         "v-hongyi-party", "v-guanqiao-gov", "v-jintao-tea", "v-honglai-park",
                         "v-city-center", "v-city-center", "v-city-center",
                         "v-liucheng-parents")

# The three deliberately impossible demands (see the YAML comment above `activities:`).
IMPOSSIBLE = (
    # 1. legal advice in remote 金淘 on a working-day morning: every volunteer with the
    #    `legal` skill is a practising lawyer free only at weekends / in the evening.
    dict(kind="volunteer_service", title="金淘镇茶农法律咨询进村（工作日上午）",
         date=dt.date(YEAR, 4, 14), start="09:30", end="11:30", town="jintao",
         roles=[R("法律咨询", 1, 1, "legal"), R("现场服务", 1, 2)], key="legal"),
    # 2. an English interpreter for foreign stone buyers at 水头: no volunteer speaks English.
    dict(kind="observation", title="水头石材外商观摩接待（英语翻译）",
         date=dt.date(YEAR, 3, 20), start="09:00", end="12:00", venue="v-hongyi-party",
         roles=[R("英语翻译", 1, 1, None, "英语"), R("接待讲解", 1, 1, "publicity"),
                R("会务服务", 1, 2)], key="english"),
    # 3. a tea-art salon in 金淘 on the weekend of the cross-strait tea expo (茶博会,
    #    11-18..22): every volunteer with the `tea_art` skill performs at the expo.
    dict(kind="salon", title="茶香女性沙龙（金淘镇·茶博会周末）",
         date=dt.date(YEAR, 11, 20), start="14:30", end="17:00", venue="v-jintao-tea",
         roles=[R("茶艺展示", 1, 1, "tea_art"), R("会务服务", 1, 1)], key="tea"),
)

SERIES = (
    dict(id="ser-shuitou-saturday-class", title="水头镇周六儿童课堂", weekday=5,
         first=dt.date(YEAR, 3, 6), n=10, start="14:30", end="16:30", venue="v-shuitou-children",
         lead=True, roles=[R("课业辅导", 2, 3, "tutoring"), R("现场服务", 1, 2)]),
    dict(id="ser-luncang-sunday-reading", title="仑苍镇周日亲子阅读", weekday=6,
         first=dt.date(YEAR, 9, 5), n=8, start="09:30", end="11:00", venue="v-luncang-children",
         lead=False, roles=[R("阅读陪伴", 2, 3)]),
    dict(id="ser-jintao-summer-class", title="金淘镇留守儿童暑期课堂", weekday=5,
         first=dt.date(YEAR, 7, 3), n=8, start="09:00", end="11:30", venue="v-jintao-children",
         lead=True, roles=[R("课业辅导", 2, 3, "tutoring"), R("安全教育", 1, 1)]),
    dict(id="ser-ximei-friday-reading", title="霞美镇周五晚亲子共读", weekday=4,
         first=dt.date(YEAR, 10, 15), n=8, start="19:00", end="20:30", venue="v-ximei-children",
         lead=False, roles=[R("阅读陪伴", 1, 2), R("课业辅导", 1, 1, "tutoring")]),
)


def make_activities(base: dict, vols: list[dict], rng: random.Random) -> list[dict]:
    holidays, makeup = day_sets(base)
    town_zh = {t["id"]: t["name"] for t in base["towns"]}
    venue_town = {v["id"]: v["town"] for v in base["venues"]}
    venue_name = {v["id"]: v["name"] for v in base["venues"]}
    all_days = [dt.date(YEAR, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    ok_days = [d for d in all_days if d not in holidays and d not in makeup]
    days = {
        "we": [d for d in ok_days if d.weekday() >= 5],
        "wd": [d for d in ok_days if d.weekday() < 5],
        "ev": [d for d in ok_days if d.weekday() < 5],
    }
    load: Counter = Counter()          # (date) -> Σ min already placed
    venue_busy: set = set()            # (venue, date)
    town_day: Counter = Counter()      # (town, date) -> activities
    seen: set = set()                  # (town, date, title template)

    def pool_free(act: dict) -> int:
        return sum(1 for v in vols if travel_minutes(v["town"], act["_town"]) <= MAX_TRAVEL
                   and free(v, act["date"], act["start"], act["end"]))

    def comfortable(act: dict) -> bool:
        for r in act["roles"]:
            n = sum(1 for v in vols if eligible(v, act, r))
            if n < max(3, 3 * r["min"]):
                return False
        if act.get("lead_required"):
            lead = sum(1 for v in vols if v["experienced"]
                       and any(eligible(v, act, r) for r in act["roles"]))
            if lead < 3:
                return False
        need = sum(r["min"] for r in act["roles"]) + load[act["date"], act["_region"]]
        return need <= 0.25 * pool_free(act)

    def region(town: str) -> str:
        return {"jintao": "nw", "shishan": "nw", "matou": "nw", "shuitou": "s", "luncang": "s",
                "guanqiao": "s", "shengxin": "s", "honglai": "ne", "kangmei": "ne"}.get(town, "c")

    acts: list[dict] = []

    def place(kind: str, tpl: dict) -> dict:
        for attempt in range(600):
            if attempt and attempt % 200 == 0:   # this demand does not fit: another template
                tpl = rng.choice(TEMPLATES[kind])
            if tpl["place"] == "venue":
                venue = rng.choice(VENUES_FOR_ACTIVITIES)
                town = venue_town[venue]
            else:
                venue = None
                choices = (BASE_TOWNS if tpl["place"] == "base" else
                           tuple(TOWN_XY) if tpl["place"] == "any" else tpl["place"])
                town = rng.choice(choices)
            pool = days["we" if venue and tpl["day"] == "wd" else tpl["day"]]
            title = tpl["title"]
            if kind == "military_family":
                lo, hi = rng.choice(MILITARY_WINDOWS)
                pool = [d for d in pool if lo <= d <= hi]
            elif kind == "epidemic_support":
                months = next(m for k, m in KIND_MONTHS["epidemic_support"].items() if k in title)
                pool = [d for d in pool if d.month in months]
            date = rng.choice(pool)
            start, end = rng.choice(tpl["times"])
            if venue and (venue, date) in venue_busy:
                continue
            if town_day[town, date] >= 2 or (town, date, title) in seen:
                continue   # at most two activities a day in one town, never the same twice
            where = (venue_name[venue].split("（")[0] if venue == "v-city-center"
                     else town_zh[town])
            act = {
                "kind": kind, "title": title.format(t=where), "date": date,
                "start": start, "end": end, "roles": [dict(r) for r in tpl["roles"]],
                "_town": town, "_region": region(town),
            }
            if venue:
                act["venue"] = venue
            else:
                act["town"] = town
            if kind in ("observation", "skill_competition", "training") or rng.random() < 0.22:
                act["lead_required"] = rng.random() < 0.75 or kind == "skill_competition"
            if not act.get("lead_required"):
                act.pop("lead_required", None)
            if comfortable(act):
                load[date, act["_region"]] += sum(r["min"] for r in act["roles"])
                town_day[town, date] += 1
                seen.add((town, date, title))
                if venue:
                    venue_busy.add((venue, date))
                return act
        raise RuntimeError(f"could not place {kind} {tpl['title']}")

    for kind, n in COUNTS.items():
        tpls = TEMPLATES[kind]
        for i in range(n):
            tpl = tpls[i % len(tpls)] if i < len(tpls) else rng.choice(tpls)
            acts.append(place(kind, tpl))

    for s in SERIES:
        d, k = s["first"], 0
        while k < s["n"]:
            if d.weekday() == s["weekday"] and d not in holidays and d not in makeup:
                k += 1
                roles = [dict(r) for r in s["roles"]]
                if s["id"] == "ser-luncang-sunday-reading" and k in (1, s["n"]):
                    roles.append(R("摄影记录", 1, 1, "photography"))
                act = {"kind": "volunteer_service", "title": f"{s['title']}·第{k}课",
                       "date": d, "start": s["start"], "end": s["end"], "venue": s["venue"],
                       "roles": roles, "series": s["id"], "_town": venue_town[s["venue"]],
                       "_region": region(venue_town[s["venue"]])}
                if s["lead"]:
                    act["lead_required"] = True
                if not comfortable(act):
                    raise RuntimeError(f"series session not comfortable: {act['title']} {d}")
                load[d, act["_region"]] += sum(r["min"] for r in roles)
                acts.append(act)
            d += dt.timedelta(days=7)

    for spec in IMPOSSIBLE:
        act = {k: (v if k != "roles" else [dict(r) for r in v]) for k, v in spec.items()}
        act["_town"] = act.get("town") or venue_town[act["venue"]]
        act["_region"] = region(act["_town"])
        act["lead_required"] = act["key"] != "tea"
        acts.append(act)

    acts.sort(key=lambda a: (a["date"], a["start"], a["_town"], a["title"]))
    for i, a in enumerate(acts, start=1):
        a["id"] = f"act-{i:03d}"
    return acts


# ---------------------------------------------------------------------------------------
# Children and caring mothers
# ---------------------------------------------------------------------------------------

MOTHERS_EXISTING = [f"p-{i:03d}" for i in range(69, 104) if i not in (70, 84)]
NEW_MOTHERS = (   # 执委 added as caring mothers in 2027
    {"id": "p-115", "name": "许婉华", "town": "shengxin", "phone": "13800001115",
     "note": "省新镇基地执委"},
    {"id": "p-116", "name": "郭素琴", "town": "honglai", "note": "洪濑镇基地执委"},
    {"id": "p-117", "name": "卢美凤", "town": "guanqiao", "phone": "13800001117",
     "note": "官桥镇基地执委"},
    {"id": "p-118", "name": "康丽珠", "town": "shuitou", "note": "弘一石业基地执委"},
)
LEFT_MOTHERS = ("p-084", "p-015")   # 2026 caring mothers who stepped down in 2027
CHILDREN_PER_TOWN = {"ximei": 9, "luncang": 9, "shuitou": 10, "shengxin": 7, "guanqiao": 8,
                     "jintao": 9, "honglai": 8}
CHILD_SURNAMES = "陈林黄王李张吴刘蔡洪郑苏许杨傅叶庄施潘詹颜邱柯戴曾谢周郭"
CHILD_GIVEN = ("梓涵", "宇轩", "欣怡", "子墨", "雨桐", "浩然", "思彤", "俊熙", "佳琪", "诗涵",
               "一诺", "沐阳", "语嫣", "梓睿", "可馨", "晨曦", "嘉怡", "子轩", "若曦", "雅琪",
               "博文", "锦程", "心怡", "书瑶", "天佑", "思源", "紫萱", "宏宇", "芷若", "安琪")
VILLAGES = {   # invented village names (虚构)
    "ximei": ("霞东", "后垵", "溪园"), "luncang": ("仑东", "塘美", "上林"),
    "shuitou": ("石湖", "岭前", "埔园"), "shengxin": ("新岭", "满山", "演坂"),
    "guanqiao": ("桥东", "竹林", "内厝"), "jintao": ("茶岭", "云峰", "溪后"),
    "honglai": ("濑西", "梅峰", "郭前"),
}
NEEDS = ("学业辅导", "心理疏导", "生活照料", "亲情陪伴", "安全教育")


def make_children(rng: random.Random) -> list[dict]:
    kids, used = [], set()
    n = 0
    for town, count in CHILDREN_PER_TOWN.items():
        for _ in range(count):
            n += 1
            while True:
                name = rng.choice(CHILD_SURNAMES) + rng.choice(CHILD_GIVEN)
                if name not in used:
                    used.add(name)
                    break
            age = rng.randint(4, 16)
            needs = sorted(rng.sample(NEEDS, rng.choice((1, 2, 2, 3))), key=NEEDS.index)
            if age <= 6 and "学业辅导" in needs:
                needs.remove("学业辅导")
                needs = needs or ["生活照料"]
            kids.append({
                "code": f"c-{n:03d}", "name": name,
                "address": (f"南安市{town_label(town)}{rng.choice(VILLAGES[town])}村"
                            f"{rng.randint(1, 12)}组{rng.randint(1, 80)}号"),
                "town": town, "age": age, "needs": needs,
            })
    return kids


def town_label(town: str) -> str:
    return {"ximei": "霞美镇", "luncang": "仑苍镇", "shuitou": "水头镇", "shengxin": "省新镇",
            "guanqiao": "官桥镇", "jintao": "金淘镇", "honglai": "洪濑镇"}[town]


def min_cost_pairing(kids, mothers, town_of, near) -> dict[str, str]:
    """Every child with one mother within CARE_TRAVEL, at most two per mother, least
    total travel: min-cost flow by successive shortest paths (Bellman-Ford)."""
    nodes = ["S", "T", *[k["code"] for k in kids], *mothers]
    edges: list[list] = []          # [u, v, cap, cost]
    adj: dict = defaultdict(list)

    def add(u, v, cap, cost):
        adj[u].append(len(edges))
        edges.append([u, v, cap, cost])
        adj[v].append(len(edges))
        edges.append([v, u, 0, -cost])

    for k in kids:
        add("S", k["code"], 1, 0)
        for m in near(k):
            add(k["code"], m, 1, travel_minutes(town_of[m], k["town"]))
    for m in mothers:
        add(m, "T", 2, 0)
    for _ in kids:
        dist = {n: math.inf for n in nodes}
        prev: dict = {}
        dist["S"] = 0
        for _ in range(len(nodes)):
            changed = False
            for i, (u, v, cap, cost) in enumerate(edges):
                if cap > 0 and dist[u] + cost < dist[v]:
                    dist[v] = dist[u] + cost
                    prev[v] = i
                    changed = True
            if not changed:
                break
        if dist["T"] == math.inf:
            raise RuntimeError("the caring mothers cannot take every child")
        v = "T"
        while v != "S":
            i = prev[v]
            edges[i][2] -= 1
            edges[i ^ 1][2] += 1
            v = edges[i][0]
    codes = {k["code"] for k in kids}
    return {u: v for u, v, cap, _ in edges[::2] if u in codes and cap == 0}


def make_history(base: dict, kids: list[dict], rng: random.Random) -> list[dict]:
    """2026 pairs for 45 children. First a pairing of all 60 children of least total
    travel (so most pairs are within one town), so that keeping every 2026 pair
    still leaves room for the other children in 2027; 42 of its pairs become the 2026
    history, and three children get a 2026 mother who stepped down (LEFT_MOTHERS)."""
    town_of = {p["id"]: p["town"] for p in base["people"]}
    for m in NEW_MOTHERS:
        town_of[m["id"]] = m["town"]
    mothers = MOTHERS_EXISTING + [m["id"] for m in NEW_MOTHERS]

    def near(k: dict) -> list[str]:
        return [m for m in mothers if travel_minutes(town_of[m], k["town"]) <= CARE_TRAVEL]

    full = min_cost_pairing(kids, mothers, town_of, near)
    picked = [k for k in kids if int(k["code"][2:]) % 4 != 0][:45]
    left = {"ximei": ["p-084", "p-084"], "luncang": ["p-015"]}
    pairs = []
    for k in picked:
        mother = left[k["town"]].pop() if left.get(k["town"]) else full[k["code"]]
        pairs.append({"mother": mother, "child": k["code"], "year": 2026})
    return pairs


# ---------------------------------------------------------------------------------------
# Checks (the same as tests/test_default_instance.py, on the generator's data)
# ---------------------------------------------------------------------------------------

class MaxFlow:
    """Dinic's algorithm (small, pure Python)."""

    def __init__(self) -> None:
        self.graph: dict = defaultdict(list)

    def add(self, u, v, cap: int) -> None:
        self.graph[u].append([v, cap, len(self.graph[v])])
        self.graph[v].append([u, 0, len(self.graph[u]) - 1])

    def run(self, s, t) -> int:
        flow = 0
        while True:
            level = {s: 0}
            queue = [s]
            for u in queue:
                for v, cap, _ in self.graph[u]:
                    if cap > 0 and v not in level:
                        level[v] = level[u] + 1
                        queue.append(v)
            if t not in level:
                return flow
            nxt = dict.fromkeys(self.graph, 0)
            while f := self._augment(level, nxt, s, t, 10 ** 9):
                flow += f

    def _augment(self, level: dict, nxt: dict, u, t, f: int) -> int:
        if u == t:
            return f
        while nxt[u] < len(self.graph[u]):
            e = self.graph[u][nxt[u]]
            v, cap, rev = e
            if cap > 0 and level.get(v) == level[u] + 1:
                d = self._augment(level, nxt, v, t, min(f, cap))
                if d:
                    e[1] -= d
                    self.graph[v][rev][1] += d
                    return d
            nxt[u] += 1
        return 0


def staffing_flow(vols: list[dict], acts: list[dict]) -> tuple[int, int]:
    """Conservative simultaneous staffing: each role's `min` from eligible volunteers, a
    volunteer at most one activity a day and min(max_activities, max_hours // 4) a month.
    Returns (flow, Σ min capped at the eligible count)."""
    g = MaxFlow()
    need = 0
    for a in acts:
        for r in a["roles"]:
            el = [v for v in vols if eligible(v, a, r)]
            want = min(r["min"], len(el))
            need += want
            if not want:
                continue
            node = ("r", a["id"], r["role"])
            g.add("S", node, want)
            for v in el:
                g.add(node, ("d", v["id"], a["date"]), 1)
    days = {u for u in list(g.graph) if isinstance(u, tuple) and u[0] == "d"}
    by_id = {v["id"]: v for v in vols}
    months = set()
    for (_, vid, day) in days:
        g.add(("d", vid, day), ("m", vid, day.month), 1)
        months.add((vid, day.month))
    for vid, m in months:
        v = by_id[vid]
        g.add(("m", vid, m), "T", min(v["max_activities_per_month"],
                                      v["max_hours_per_month"] // 4))
    return g.run("S", "T"), need


def report(base: dict, vols: list[dict], acts: list[dict], kids: list[dict],
           history: list[dict]) -> None:
    print(f"volunteers {len(vols)}, activities {len(acts)}, children {len(kids)}")
    print("kinds", dict(Counter(a["kind"] for a in acts)))
    print("sum min", sum(r["min"] for a in acts for r in a["roles"]))
    short = []
    for a in acts:
        for r in a["roles"]:
            n = sum(1 for v in vols if eligible(v, a, r))
            if n < r["min"]:
                short.append((a["id"], a["title"], r["role"], r["min"], n))
    print("roles with fewer eligible than min:")
    for s in short:
        print("  ", s)
    flow, need = staffing_flow(vols, acts)
    print(f"conservative staffing flow {flow} of {need}")
    town_of = {p["id"]: p["town"] for p in base["people"]}
    for m in NEW_MOTHERS:
        town_of[m["id"]] = m["town"]
    mothers = MOTHERS_EXISTING + [m["id"] for m in NEW_MOTHERS]
    for town in CHILDREN_PER_TOWN:
        near = [m for m in mothers if travel_minutes(town_of[m], town) <= CARE_TRAVEL]
        print(f"  {town}: children {CHILDREN_PER_TOWN[town]}, mothers within "
              f"{CARE_TRAVEL} min {len(near)} (capacity {2 * len(near)})")
    print(f"history.care pairs {len(history)}")


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------

def q(s: str) -> str:
    return f'"{s}"'


def flow_list(xs) -> str:
    return "[" + ", ".join(xs) + "]"


def render_weekly(ws: list[dict]) -> str:
    return flow_list(
        f"{{days: {flow_list(w['days'])}, start: {q(w['start'])}, end: {q(w['end'])}}}"
        for w in ws)


def render_people(vols: list[dict]) -> str:
    out = [f"  {MARK_OPEN}: people (instances/tools/make_volunteering.py)\n"]
    out.append("  # ---- 新增爱心妈妈（基地执委）" + "-" * 49 + "\n")
    for m in NEW_MOTHERS:
        phone = f", phone: {q(m['phone'])}" if m.get("phone") else ""
        out.append(f"  - {{id: {m['id']}, name: {m['name']}, town: {m['town']}{phone}, "
                   f"caring_mother: true}}   # {m['note']}\n")
    out.append(
        "\n  # ---- 巾帼志愿者（v-001..v-300；均为新增人员，不担任主席团、联席会或主办联系人）--\n"
        "  # weekly = 通常有空的时段；unavailable = 例外（外出、备考、手术等）。\n")
    for v in vols:
        out.append(f"  - id: {v['id']}\n    name: {v['name']}\n    town: {v['town']}\n")
        if v["phone"]:
            out.append(f"    phone: {q(v['phone'])}\n")
        if v["unavailable"]:
            out.append("    unavailable:\n")
            for u in v["unavailable"]:
                out.append(f"      - {{start: {u['start']}, end: {u['end']}, "
                           f"reason: {u['reason']}}}\n")
        out.append("    volunteer:\n")
        if v["federation"]:
            out.append(f"      federation: {v['federation']}\n")
        if v["skills"]:
            out.append(f"      skills: {flow_list(v['skills'])}\n")
        out.append(f"      languages: {flow_list(v['languages'])}\n")
        out.append(f"      weekly: {render_weekly(v['weekly'])}\n")
        out.append(f"      max_activities_per_month: {v['max_activities_per_month']}\n")
        out.append(f"      max_hours_per_month: {v['max_hours_per_month']}\n")
        if v["likes"]:
            out.append(f"      likes: {flow_list(v['likes'])}\n")
        if v["dislikes"]:
            out.append(f"      dislikes: {flow_list(v['dislikes'])}\n")
        if v["experienced"]:
            out.append("      experienced: true\n")
    out.append(f"  {MARK_CLOSE}: people\n")
    return "".join(out)


def render_role(r: dict) -> str:
    parts = [f"role: {r['role']}"]
    if r.get("skill"):
        parts.append(f"skill: {r['skill']}")
    if r.get("language"):
        parts.append(f"language: {r['language']}")
    parts.append(f"min: {r['min']}")
    parts.append(f"max: {r['max']}")
    return "{" + ", ".join(parts) + "}"


def render_sections(base: dict, acts: list[dict], kids: list[dict]) -> str:
    out = [f"{MARK_OPEN}: sections (instances/tools/make_volunteering.py)\n"]
    out.append(
        "volunteering:                # 巾帼志愿者服务队\n"
        "  max_travel_minutes: 60     # 单程车程超过 60 分钟不派\n"
        "  default_travel_minutes: 45 # 下表未列出的两镇之间\n"
        "  reminder_minutes: 1440     # 提前一天提醒\n\n")
    out.append(
        "# 镇街之间单程车程（分钟，双向相同；同镇为 0）。按各镇大致位置估算：相邻镇街 15–30\n"
        "# 分钟，跨市域（金淘—水头等）40–70 分钟。\n"
        "travel:\n")
    towns = [t["id"] for t in base["towns"]]
    for i, a in enumerate(towns):
        row = [f"{{a: {a}, b: {b}, minutes: {travel_minutes(a, b)}}}" for b in towns[i + 1:]]
        out.extend(f"  - {r}\n" for r in row)
    out.append(
        "\n# 志愿活动（2027 年）。法定节假日和调休上班日不安排；多数在周末，部分在工作日白天\n"
        "# 或晚上。roles: 每个岗位的人数下限 min / 上限 max，skill / language 为必需的技能、\n"
        "# 语言；lead_required: 需要有经验的志愿者带队；series: 同一系列课堂（尽量同一批人）。\n"
        "#\n"
        "# 故意无法满足的需求（测试 unfilled 用；tests/test_default_instance.py 核对恰好是"
        "这些）：\n")
    for a in acts:
        if a.get("key"):
            why = {
                "legal": "法律咨询（legal）：工作日上午在金淘，具备法律技能的志愿者都是执业律师，"
                         "只在周末或晚上有空",
                "english": "英语翻译（language: 英语）：志愿者中无人会英语",
                "tea": "茶艺展示（tea_art）：具备茶艺技能的志愿者 11 月 18–22 日都在厦门"
                       "海峡两岸茶博会茶艺展演",
            }[a["key"]]
            out.append(f"#   {a['id']} {a['title']}（{a['date']}）：{why}\n")
    out.append("activities:\n")
    for a in acts:
        head = (f"  - {{id: {a['id']}, kind: {a['kind']}, title: {a['title']}, date: {a['date']}, "
                f"start: {q(a['start'])}, end: {q(a['end'])},\n")
        where = f"venue: {a['venue']}" if a.get("venue") else f"town: {a['town']}"
        extra = []
        if a.get("series"):
            extra.append(f"series: {a['series']}")
        if a.get("lead_required"):
            extra.append("lead_required: true")
        mid = "     " + ", ".join([where, *extra]) + ",\n"
        roles = "     roles: [" + ", ".join(render_role(r) for r in a["roles"]) + "]}\n"
        out.append(head + mid + roles)
    out.append(
        "\n# 困境儿童（爱心妈妈结对帮扶）。姓名、住址均为虚构，仅供妇联内部记录，任何日历、\n"
        "# plan.json、汇总和表格中只出现编号（c-001…）。\n"
        "children:\n")
    for k in kids:
        out.append(f"  - {{code: {k['code']}, name: {k['name']}, address: {k['address']}, "
                   f"town: {k['town']}, age: {k['age']}, needs: {flow_list(k['needs'])}}}\n")
    out.append(
        "\ncare:                        # 爱心妈妈：见一次面、谈一次心、过一次节\n"
        "  max_children_per_mother: 2\n"
        "  max_travel_minutes: 30     # 只与 30 分钟车程内的孩子结对\n"
        "  meet_per_quarter: 1        # 每季度见一次面\n"
        "  talk_per_quarter: 1        # 每季度谈一次心\n"
        "  festivals_per_year: 2      # 每年陪孩子过两个节\n"
        "  festivals:\n"
        "    - {name: 春节, date: 2027-02-06, window_days: 5}\n"
        "    - {name: 元宵节, date: 2027-02-20, window_days: 3}\n"
        "    - {name: 六一儿童节, date: 2027-06-01, window_days: 3}\n"
        "    - {name: 中秋节, date: 2027-09-15, window_days: 3}\n"
        "    - {name: 重阳节, date: 2027-10-08, window_days: 3}\n")
    out.append(f"{MARK_CLOSE}: sections\n\n")
    return "".join(out)


def render_history(pairs: list[dict]) -> str:
    out = [f"  {MARK_OPEN}: history.care\n"
           "  # 2026 年爱心妈妈结对（45 名儿童）。许丽娜（p-084，7 月起产假）和苏丽萍（p-015，\n"
           "  # 9 月起产假）2027 年不再担任爱心妈妈，她们结对的 3 名孩子需要重新结对。\n"
           "  care:\n"]
    for p in pairs:
        out.append(f"    - {{mother: {p['mother']}, child: {p['child']}, year: {p['year']}}}\n")
    out.append(f"  {MARK_CLOSE}: history.care\n")
    return "".join(out)


def render_pin(pin: dict) -> str:
    return (f"  {MARK_OPEN}: pins.volunteering\n"
            "  volunteering:\n"
            f"    # {pin['comment']}\n"
            f"    - {{activity: {pin['activity']}, person: {pin['person']}, role: {pin['role']},\n"
            f"       reason: {pin['reason']}}}\n"
            f"  {MARK_CLOSE}: pins.volunteering\n")


NEW_WEIGHTS = (f"  {MARK_OPEN}: weights\n"
               "  unfilled_role: 100\n  volunteer_overload: 5\n  disliked_kind: 10\n"
               "  travel_time: 1\n  series_change: 3\n  no_lead: 30\n  care_new_mother: 50\n"
               "  care_outside_town: 5\n  festival_off_date: 2\n"
               f"  {MARK_CLOSE}: weights\n")


def make_pin(vols: list[dict], acts: list[dict]) -> dict:
    first = next(a for a in acts if a.get("series") == "ser-shuitou-saturday-class")
    role = first["roles"][0]
    cands = [v for v in vols if eligible(v, first, role) and v["town"] == "shuitou"
             and v["experienced"] and not v["male"]]
    cands = cands or [v for v in vols if eligible(v, first, role) and v["town"] == "shuitou"
                      and not v["male"]]
    v = cands[0]
    return {"activity": first["id"], "person": v["id"], "role": role["role"],
            "comment": f"{v['name']}是水头镇周六儿童课堂的发起人，第 1 课由她主讲。",
            "reason": "周六儿童课堂发起人，第1课由她主讲"}


def splice(text: str, base: dict, vols, acts, kids, history, pin) -> str:
    text = strip_generated(text)
    # caring mothers among the existing people
    for pid in MOTHERS_EXISTING:
        flow = re.compile(r"(\n  - \{id: " + pid + r", [^\n]*?)\}")
        if flow.search(text):
            text = flow.sub(r"\1, caring_mother: true}", text, count=1)
            continue
        block = re.compile(r"(\n  - id: " + pid + r"[^\n]*\n    name: [^\n]*\n    town: [^\n]*)")
        assert block.search(text), pid
        text = block.sub(r"\1\n    caring_mother: true", text, count=1)
    # weights
    if "unfilled_role:" not in text:
        text = text.replace("  empty_slot: 50\n", "  empty_slot: 50\n" + NEW_WEIGHTS, 1)
    text = text.replace("\nfederations:\n", "\n" + render_people(vols) + "\nfederations:\n", 1)
    text = text.replace("\nhistory:\n", "\n" + render_sections(base, acts, kids)
                        + "history:\n", 1)
    text = text.replace("\n\npins:\n", "\n" + render_history(history) + "\npins:\n", 1)
    if not text.endswith("\n"):
        text += "\n"
    text += render_pin(pin)
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite instances/nanan-2027-full.yaml")
    args = ap.parse_args(argv)
    text = YAML_PATH.read_text(encoding="utf-8")
    base = load_base(text)
    rng = random.Random(SEED)
    vols = make_volunteers(base, rng)
    acts = make_activities(base, vols, rng)
    kids = make_children(rng)
    history = make_history(base, kids, rng)
    pin = make_pin(vols, acts)
    report(base, vols, acts, kids, history)
    out = splice(text, base, vols, acts, kids, history, pin)
    if args.write:
        YAML_PATH.write_text(out, encoding="utf-8")
        print(f"wrote {YAML_PATH} ({len(out.encode('utf-8'))} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
