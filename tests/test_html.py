"""summary.html: parse the page back (html.parser and, as it is well-formed, ElementTree).

Fixture: tiny.yaml (2026) with hostile names -- p-a1 is ``<script>alert(1)</script>王``,
the venue v-ximei-hall is ``霞美 <b>&</b> 妇女之家`` -- and shared-venue hosting
(v-ximei-hall a Women's Home, fed-e1 hosting, contact p-e1). The hand-made plan has both
bases' six terms, two joint meetings (2026-03-10 and 2026-05-12) and three turns
(2026-03-14 themed, 2026-03-28, 2026-04-11). One test solves the bundled instance.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from xinglian.export.html import render_html
from xinglian.models.instance import Instance
from xinglian.models.plan import (
    Care,
    CarePair,
    CareVisit,
    Hosting,
    Meeting,
    Penalty,
    Plan,
    RotationTerm,
    SkippedSlot,
    SolveInfo,
    Volunteering,
)
from xinglian.models.timeline import period_bounds

DATA = Path(__file__).parent / "data"
TZ = ZoneInfo("Asia/Shanghai")
SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>王"
VENUE = "霞美 <b>&</b> 妇女之家"
CHAIRS = {
    "fed-ximei": ["p-a1", "p-shared", "p-a2", "p-a1", "p-shared", "p-a2"],
    "fed-shuinuan": ["p-b1", "p-b2", "p-shared", "p-b1", "p-b2", "p-b1"],
}
SECTIONS = ["overview", "rotation", "meetings", "hosting", "warnings", "care", "duties",
            "calendar", "fairness", "load", "rules", "skipped", "solve"]


def instance_data() -> dict:
    data = yaml.safe_load((DATA / "tiny.yaml").read_text(encoding="utf-8"))
    for p in data["people"]:
        if p["id"] == "p-a1":
            p["name"] = EVIL
    for fed in data["federations"]:
        if fed["id"] == "fed-e1":
            fed["hosting"] = {"weight": 3, "contact": "p-e1"}
    for venue in data["venues"]:
        if venue["id"] == "v-ximei-hall":
            venue["name"] = VENUE
            venue["kind"] = "womens_home"
            venue["slots"] = ["2nd and 4th Saturday 09:00-11:30"]
    return data


@pytest.fixture(scope="module")
def instance() -> Instance:
    return Instance.model_validate(instance_data())


def at(month: int, day: int, h: int, m: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, h, m, tzinfo=TZ)


def turn(month: int, day: int, theme: str | None = None) -> Hosting:
    return Hosting(id=f"host-v-ximei-hall-2026-{month:02d}-{day:02d}", venue="v-ximei-hall",
                   federation="fed-e1", start=at(month, day, 9), end=at(month, day, 11, 30),
                   theme=theme)


@pytest.fixture(scope="module")
def plan() -> Plan:
    rotation = [
        RotationTerm(base=base, period=t, start=s, end=e, chair=chair)
        for base, chairs in CHAIRS.items()
        for t, ((s, e), chair) in enumerate(zip(period_bounds(2026, 2), chairs, strict=True),
                                            start=1)
    ]
    return Plan(
        instance="tiny-2026", year=2026, generated_at=dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC),
        solve=SolveInfo(status="OPTIMAL", objective=40, bound=40.0, gap=0.0,
                        calendar_source="chinesecalendar 1.10"),
        rotation=tuple(rotation),
        meetings=(
            Meeting(id="mtg-fed-ximei-q1", base="fed-ximei", quarter=1,
                    start=at(3, 10, 14, 30), end=at(3, 10, 16, 30), venue="v-ximei-hall",
                    host="p-shared", attendees=("p-a1", "p-shared"), absent=("p-a2",)),
            Meeting(id="mtg-fed-shuinuan-q2", base="fed-shuinuan", quarter=2,
                    start=at(5, 12, 9), end=at(5, 12, 11), venue="v-lc-hall",
                    host="p-shared", attendees=("p-b1", "p-shared"), absent=("p-b2",)),
        ),
        hosting=(turn(3, 14, "三八妇女节"), turn(3, 28), turn(4, 11)),
        hosting_skipped=(SkippedSlot(id="host-v-ximei-hall-2026-05-09", venue="v-ximei-hall",
                                     start=at(5, 9, 9), end=at(5, 9, 11, 30),
                                     why="调休上班日 make-up working day"),),
        care=Care(visits=(CareVisit(id="visit-c-007-2026-q1-meet", mother="p-e1",
                                    child="c-007", kind="meet", start=at(2, 20, 10),
                                    end=at(2, 20, 11, 30)),)),
        penalties=(Penalty(rule="missed_attendance", weight=20, amount=2, cost=40,
                           worst=("<i>林秀英</i> 缺席",)),),
        warnings=("注意 <b>提示</b> & 核对",),
    )


@pytest.fixture(scope="module")
def page(instance, plan) -> str:
    return render_html(instance, plan, ["另一条提示"])


class Collector(HTMLParser):
    """Start tags with their attributes, and the text, in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def collect(page: str) -> Collector:
    c = Collector()
    c.feed(page)
    c.close()
    return c


def tree(page: str) -> ET.Element:
    assert page.startswith("<!DOCTYPE html>\n")
    return ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))


def text_of(el: ET.Element) -> str:
    return "".join(el.itertext())


def by_id(root: ET.Element, ident: str) -> ET.Element:
    (found,) = [e for e in root.iter() if e.get("id") == ident]
    return found


def has_class(el: ET.Element, cls: str) -> bool:
    return cls in (el.get("class") or "").split()


# -- document ----------------------------------------------------------------------------


def test_document_head_is_utf8_chinese_and_print_ready(page):
    root = tree(page)
    assert root.tag == "html" and root.get("lang") == "zh-CN"
    head = root.find("head")
    assert head.find("meta").get("charset") == "utf-8"
    css = head.find("style").text
    assert "@page { size: A4 landscape; margin: 12mm; }" in css
    assert '"Noto Sans CJK SC"' in css and '"Microsoft YaHei"' in css
    assert "break-before: page" in css
    assert head.find("title").text == "小型测试实例 · 2026 年度计划"


def test_no_script_and_no_external_assets(page):
    tags = collect(page).tags
    assert not [t for t, _ in tags if t in ("script", "link", "img", "iframe", "object")]
    for _, attrs in tags:
        assert not any(k.startswith("on") for k in attrs)
        assert "src" not in attrs
        # Links only within the page (the table of contents).
        assert attrs.get("href", "#").startswith("#")


def test_has_every_section_in_print_order(page):
    ids = [e.get("id") for e in tree(page).iter() if e.tag in ("header", "section")]
    assert ids == SECTIONS


def test_rendering_is_deterministic(instance, plan, page):
    assert render_html(instance, plan, ["另一条提示"]) == page


# -- escaping ----------------------------------------------------------------------------


def test_hostile_names_are_escaped_not_markup(page):
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;王" in page
    assert "霞美 &lt;b&gt;&amp;&lt;/b&gt; 妇女之家" in page
    text = "".join(collect(page).text)
    assert EVIL in text and VENUE in text
    assert "<i>林秀英</i> 缺席" in text and "注意 <b>提示</b> & 核对" in text
    # Markup in names creates no elements.
    assert not [t for t, _ in collect(page).tags if t in ("i",)]


# -- content -----------------------------------------------------------------------------


def test_overview_leads_with_the_plan_and_solver_figures_come_last(page):
    root = tree(page)
    header = text_of(by_id(root, "overview"))
    # Generated 2026-01-05 08:00 UTC, shown in Beijing time.
    assert "2026-01-05 16:00（北京时间）" in header and "提示 2 条" in header
    assert "OPTIMAL" not in header and "objective" not in header
    solve = by_id(root, "solve")
    text = text_of(solve)
    assert "OPTIMAL" in text and "0.00%" in text and "chinesecalendar 1.10" in text
    assert [e.get("id") for e in root.iter("section")][-1] == "solve"
    # Every section is in the table of contents, in page order.
    (nav,) = by_id(root, "overview").iter("nav")
    toc = [a.get("href") for a in nav.iter("a")]
    assert toc == ["#" + i for i in SECTIONS[1:]]


def test_rotation_table_shows_every_chair_by_name(instance, plan, page):
    table = by_id(tree(page), "rotation").find(".//table")
    body = table.find("tbody").findall("tr")
    names = {p.id: p.name for p in instance.people}
    grid = {text_of(r[0]): [text_of(c) for c in r[1:]] for r in body}
    assert list(grid) == [b.name for b in instance.bases]
    for t in plan.rotation:
        assert grid[instance.federation(t.base).name][t.period - 1] == names[t.chair]
    heads = [text_of(th) for th in table.find("thead").iter("th")]
    assert heads[1:] == [f"第{k}期（{2 * k - 1}–{2 * k}月）" for k in range(1, 7)]


def test_calendar_counts_meetings_and_turns_per_day(plan, page):
    cal = by_id(tree(page), "calendar").find(".//table")
    rows = cal.find("tbody").findall("tr")
    assert len(rows) == 31 and all(len(r) == 13 for r in rows)

    def cell(month: int, day: int) -> ET.Element:
        return rows[day - 1][month]

    def badges(el: ET.Element, cls: str) -> list[str]:
        return [text_of(s) for s in el.iter("span") if has_class(s, cls)]

    assert badges(cell(3, 10), "bm") == ["1"] and badges(cell(5, 12), "bm") == ["1"]
    assert badges(cell(3, 14), "bt") == ["1"] and badges(cell(3, 14), "star") == ["★"]
    assert badges(cell(3, 28), "star") == []
    total_m = sum(int(x) for r in rows for c in r for x in badges(c, "bm"))
    total_t = sum(int(x) for r in rows for c in r for x in badges(c, "bt"))
    assert (total_m, total_t) == (len(plan.meetings), len(plan.hosting))
    # 2026-01-01 is 元旦; 2026-02-30 does not exist.
    assert has_class(cell(1, 1), "hol") and "元旦" in cell(1, 1).get("title")
    assert has_class(cell(2, 30), "nd")
    assert "联席会 14:30 霞美片区产业基地妇联 @ " + VENUE in cell(3, 10).get("title")


def test_fairness_chart_has_one_bar_per_hosting_federation(instance, page):
    svg = by_id(tree(page), "fairness").find(f".//{SVG}svg")
    bars = [r for r in svg.iter(f"{SVG}rect") if has_class(r, "bar")]
    hosting = [f.id for f in instance.federations if f.hosting is not None]
    assert [b.get("data-federation") for b in bars] == hosting
    # fed-e1 has 3 turns: the bar is 3 units of the axis long.
    assert float(bars[0].get("width")) > 0
    assert "3 / " in text_of(svg)


def test_soft_rules_load_skipped_and_care(page):
    root = tree(page)
    rules = text_of(by_id(root, "rules"))
    assert "联席会缺席人次" in rules and "joint-meeting absences" in rules and "40" in rules
    assert "missed_attendance" not in page
    load = text_of(by_id(root, "load"))
    assert "黄美玲" in load and "p-shared" in load
    skipped = text_of(by_id(root, "skipped"))
    assert "2026-05-09" in skipped and "调休上班日" in skipped
    care = text_of(by_id(root, "care"))
    assert "c-007" in care and "张晓燕" in care


def test_warnings_list_plan_and_extra_notes(page):
    items = [text_of(li) for li in by_id(tree(page), "warnings").iter("li")]
    assert items == ["注意 <b>提示</b> & 核对", "另一条提示"]


def test_sections_without_data_say_so_or_are_left_out(instance):
    bare = Plan(instance="tiny-2026", year=2026, solve=SolveInfo(status="FEASIBLE"))
    root = tree(render_html(instance, bare))
    ids = [e.get("id") for e in root.iter() if e.tag in ("header", "section")]
    # No volunteering or care visits and nobody has a duty: no care or duties section.
    assert ids == [i for i in SECTIONS if i not in ("care", "duties")]
    assert "无 none" in text_of(by_id(root, "warnings"))
    assert re.search(r"—", text_of(by_id(root, "rotation")))


# -- volunteering and caring mothers ---------------------------------------------------------
#
# Volunteers p-a1 (the <script> name), p-b1, p-b2 (experienced) and p-t1 (none assigned);
# act-1 (2026-07-04, roles 急救 min 1 and 宣讲 min 2) has p-b2 and p-a1, act-2 (2026-07-18,
# 宣讲 min 1) has p-a1: p-a1 carries 2 activities, p-b2 1, p-b1 and p-t1 none. Fair line
# k = ceil((1 + 2 + 1) / 4) = 1. Child c-007 (ximei, named 王小明 in the instance) is
# paired with p-e1, c-008 (luncang) with p-t1; c-007 was p-t1's last year.


@pytest.fixture(scope="module")
def vc_instance() -> Instance:
    data = instance_data()
    for p in data["people"]:
        if p["id"] in ("p-a1", "p-b1", "p-b2", "p-t1"):
            p["volunteer"] = {"experienced": p["id"] == "p-b2", "federation": "fed-shuinuan"}
        if p["id"] in ("p-e1", "p-t1"):
            p["caring_mother"] = True
    data["activities"] = [
        {"id": "act-1", "kind": "volunteer_service", "title": "<i>防溺水</i>宣传",
         "date": "2026-07-04", "start": "09:00", "end": "11:30", "venue": "v-ximei-hall",
         "roles": [{"role": "急救"}, {"role": "宣讲", "min": 2}]},
        {"id": "act-2", "kind": "training", "title": "急救培训", "date": "2026-07-18",
         "start": "14:00", "end": "16:00", "town": "luncang", "roles": [{"role": "宣讲"}]},
    ]
    data["children"] = [
        {"code": "c-007", "name": "王小明", "address": "某村1号", "town": "ximei", "age": 9},
        {"code": "c-008", "name": "李小红", "address": "某村2号", "town": "luncang", "age": 7},
    ]
    data["care"] = {"festivals": [{"name": "六一", "date": "2026-06-01"},
                                  {"name": "中秋", "date": "2026-09-25"}]}
    data["history"]["care"] = [{"mother": "p-t1", "child": "c-007", "year": 2025}]
    return Instance.model_validate(data)


@pytest.fixture(scope="module")
def vc_page(vc_instance, plan) -> str:
    vc = plan.model_copy(update={
        "volunteering": (Volunteering(activity="act-1", person="p-b2", role="急救"),
                         Volunteering(activity="act-1", person="p-a1", role="宣讲"),
                         Volunteering(activity="act-2", person="p-a1", role="宣讲")),
        "care": Care(pairs=(CarePair(mother="p-e1", child="c-007"),
                            CarePair(mother="p-t1", child="c-008")),
                     visits=plan.care.visits)})
    return render_html(vc_instance, vc)


def test_volunteering_section_comes_before_care(vc_page):
    ids = [e.get("id") for e in tree(vc_page).iter() if e.tag in ("header", "section")]
    assert ids == SECTIONS[:5] + ["volunteering"] + SECTIONS[5:]


def test_volunteer_load_chart_counts_every_volunteer_once(vc_page):
    section = by_id(tree(vc_page), "volunteering")
    bars = [r for r in section.iter(f"{SVG}rect") if has_class(r, "vbar")]
    # Two volunteers with 0 activities, one with 1, one with 2.
    assert {int(b.get("data-activities")): int(b.get("data-volunteers")) for b in bars} == {
        0: 2, 1: 1, 2: 1}
    # Over the fair line k = 1: the bar of 2 activities is drawn in the "over" colour.
    colours = {b.get("data-activities"): b.get("fill") for b in bars}
    assert colours["2"] != colours["1"] == colours["0"]
    assert "平均线 k = 1" in text_of(section)


def test_volunteering_roster_and_busiest(vc_page):
    section = by_id(tree(vc_page), "volunteering")
    text = text_of(section)
    assert "<i>防溺水</i>宣传" in text and "急救培训" in text
    assert "宣讲：" + EVIL in text and "缺1" in text  # 宣讲 of act-1 needs 2
    assert "带队：李淑芬" in text  # p-b2 is experienced
    tables = section.findall(".//table")
    busiest = [[text_of(c) for c in r] for r in tables[1].find("tbody").findall("tr")]
    assert busiest[0][0] == f"{EVIL} p-a1" and busiest[0][2] == "2"
    assert not [t for t, _ in collect(vc_page).tags if t == "i"]


def test_care_section_shows_pairs_and_quarters_by_code(vc_page):
    section = by_id(tree(vc_page), "care")
    text = text_of(section)
    assert "结对 2 对" in text and "c-007" in text and "c-008" in text
    assert "王小明" not in vc_page and "某村" not in vc_page
    pairs = section.findall(".//table")[1]
    rows = [[text_of(c) for c in r] for r in pairs.find("tbody").findall("tr")]
    # By mother's name: 吴春梅 (p-t1) before 张晓燕 (p-e1).
    assert rows[0][:4] == ["吴春梅 p-t1", "c-008", "仑苍镇", "新结对"]
    assert rows[1][:4] == ["张晓燕 p-e1", "c-007", "霞美镇", "更换（上年 吴春梅）"]
    assert rows[1][4] == "2-20"  # the meet of the fixture plan
    quarters = section.findall(".//table")[0]
    q1 = [text_of(c) for c in quarters.find("tbody").findall("tr")[0]]
    assert q1 == ["Q1", "1", "0", "0", "1"]


# -- a solved plan of the bundled instance ---------------------------------------------------


@pytest.fixture(scope="module")
def solved_default():
    from xinglian.cli import default_instance
    from xinglian.export.summary import plan_warnings
    from xinglian.models import load_instance
    from xinglian.solver import solve

    inst = load_instance(default_instance().with_name("nanan-2027.yaml"))  # organisers only
    result = solve(inst, time_limit=30, workers=2)
    assert result.plan is not None
    notes = plan_warnings(inst, result.plan, result.plan.solve.calendar_source)
    return inst, result.plan, render_html(inst, result.plan, notes)


def test_default_plan_page(solved_default):
    inst, solved, page = solved_default
    root = tree(page)
    rotation = text_of(by_id(root, "rotation"))
    for t in solved.rotation:
        assert inst.person(t.chair).name in rotation
    bars = [r for r in by_id(root, "fairness").iter(f"{SVG}rect") if has_class(r, "bar")]
    assert len(bars) == sum(1 for f in inst.federations if f.hosting is not None)
    assert "<script" not in page


def test_duty_cards_list_every_duty_of_a_person(solved_default):
    inst, solved, page = solved_default
    root = tree(page)
    contact = {f.id: (f.hosting.contact or f.chair) for f in inst.federations if f.hosting}
    for person in ("p-001", contact[solved.hosting[0].federation]):
        card = by_id(root, f"person-{person}")
        items = [text_of(li) for li in card.iter("li")]
        terms = [t for t in solved.rotation if t.chair == person]
        hosted = [m for m in solved.meetings if m.host == person]
        attended = [m for m in solved.meetings if person in m.attendees and m.host != person]
        away = [m for m in solved.meetings if person in m.absent]
        turns = [h for h in solved.hosting if contact.get(h.federation) == person]
        assert len(items) == len(terms) + len(hosted) + len(attended) + len(away) + len(turns)
        for t in terms:
            assert any(li.startswith(f"{t.start:%Y-%m-%d} 至 {t.end:%Y-%m-%d}") for li in items)
        for h in turns:
            assert any(li.startswith(f"{h.start:%Y-%m-%d}") and inst.venue(h.venue).name in li
                       for li in items)


def test_hosting_has_a_grid_and_a_list_per_venue_with_the_same_turns(solved_default):
    inst, solved, page = solved_default
    section = by_id(tree(page), "hosting")
    (grid,) = [d for d in section.iter("div") if has_class(d, "hosting-grid")]
    (lst,) = [d for d in section.iter("div") if has_class(d, "hosting-list")]
    in_grid = sum(1 for d in grid.iter("div") if has_class(d, "tn"))
    in_list = sum(1 for s in lst.iter("span") if has_class(s, "t"))
    assert in_grid == in_list == len(solved.hosting)


# -- in a real browser: Debian's Chromium through Playwright ----------------------------------

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("XINGLIAN_ARTIFACTS",
                                Path(__file__).resolve().parents[1] / "tmp" / "artifacts"))

# Everything that sticks out of the viewport, except what is inside a scroll box (which
# scrolls on its own), and each table's scroll box.
OVERFLOW_JS = """(w) => {
  const out = {outside: [], tables: []};
  const box = (el) => { const r = el.getBoundingClientRect();
                        return {left: r.left, right: r.right, width: r.width}; };
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const scroller = el.parentElement && el.parentElement.closest('.scroll');
    if (scroller) continue;
    if (r.right > w + 0.5 || r.left < -0.5)
      out.outside.push(el.tagName + '.' + el.className + ' ' + (el.textContent || '').slice(0, 30));
  }
  for (const t of document.querySelectorAll('table')) {
    const r = t.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const s = t.closest('.scroll');
    const cs = s ? getComputedStyle(s) : null;
    out.tables.push({cls: t.className, table: box(t), scroll: s ? box(s) : null,
                     overflowX: cs ? cs.overflowX : null});
  }
  return out;
}"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium (apt-get install -y chromium fonts-noto-cjk)")
        pytest.skip("no /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM))
        yield b
        b.close()


def open_page(browser, html: str, width: int, tmp_path: Path, name: str, shot: bool = True):
    """The page in a new tab ``width`` CSS pixels wide; with ``shot``, a full-page
    screenshot in the artifacts directory (to look at; the assertions are the tests')."""
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto(path.as_uri())
    if shot:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"summary-{name}-{width}.png"), full_page=True)
    return page


@pytest.mark.parametrize("which", ["nanan-2027", "volunteers-and-care"])
def test_at_phone_width_nothing_overflows_and_tables_scroll_in_their_box(
        browser, solved_default, vc_page, tmp_path, which):
    html = solved_default[2] if which == "nanan-2027" else vc_page
    page = open_page(browser, html, 390, tmp_path, which)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        found = page.evaluate(OVERFLOW_JS, 390)
        assert found["outside"] == []
        assert found["tables"]
        for t in found["tables"]:
            assert t["scroll"] is not None, t
            assert t["scroll"]["left"] >= -0.5 and t["scroll"]["right"] <= 390.5, t
            if t["table"]["right"] > t["scroll"]["right"] + 0.5:
                assert t["overflowX"] == "auto", t  # wider than its box: it scrolls there
        # Lists of things reflow into cards: no sideways scrolling to read a meeting.
        for t in found["tables"]:
            if "cards" in t["cls"].split():
                assert t["table"]["right"] <= t["scroll"]["right"] + 0.5, t
        # The hosting grid becomes a list per venue, in a readable size.
        if which == "nanan-2027":
            assert not page.locator("#hosting .hosting-grid").is_visible()
            lst = page.locator("#hosting .hosting-list")
            assert lst.is_visible()
            size = page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                                 "'#hosting .hosting-list span.t')).fontSize)")
            assert size >= 13
            assert page.locator("#duties .person").first.is_visible()
    finally:
        page.close()


def test_at_desktop_width_the_hosting_grid_shows_and_nothing_overflows(
        browser, solved_default, tmp_path):
    page = open_page(browser, solved_default[2], 1600, tmp_path, "nanan-2027")
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 1600
        assert page.evaluate(OVERFLOW_JS, 1600)["outside"] == []
        assert page.locator("#hosting .hosting-grid").is_visible()
        assert not page.locator("#hosting .hosting-list").is_visible()
    finally:
        page.close()


def test_prints_a4_landscape_with_the_grid(browser, solved_default, tmp_path):
    from pdfminer.pdfpage import PDFPage

    page = open_page(browser, solved_default[2], 1600, tmp_path, "print", shot=False)
    try:
        page.emulate_media(media="print")
        assert page.locator("#hosting .hosting-grid").is_visible()
        assert not page.locator("#hosting .hosting-list").is_visible()
        assert not page.locator("nav.toc").is_visible()
        pdf = ARTIFACTS / "summary-nanan-2027.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    finally:
        page.close()
    with pdf.open("rb") as f:  # the page boxes only: no layout analysis of the text
        sizes = {(round(p.mediabox[2] - p.mediabox[0]), round(p.mediabox[3] - p.mediabox[1]))
                 for p in PDFPage.get_pages(f)}
    assert sizes == {(842, 595)}  # A4 landscape in points
