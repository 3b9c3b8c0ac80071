"""The iCalendar exporter: parse the written files back, never compare strings.

Fixture plan (tiny.yaml, 2026, two-month periods): both bases get a term in each of
the 6 periods, and there are two joint meetings:

- fed-ximei Q1 on 2026-03-10 14:30-16:30 at v-ximei-hall, during period 2 whose chair
  is p-shared (the host); p-a2 is on maternity leave (absent);
- fed-shuinuan Q2 on 2026-05-12 09:00-11:00 at v-lc-hall, during period 3 whose chair
  is p-shared again, p-b2 absent.

The instance is tiny.yaml plus shared-venue hosting: v-ximei-hall becomes a Women's Home
(妇女之家) offering "2nd and 4th Saturday 09:00-11:30", and fed-e1 hosts turns there
(weight 3, contact p-e1, who is also its chair). The plan gives fed-e1 three turns:
2026-03-14 (三八妇女节), 2026-03-28 (no theme) and 2026-04-11 (a themed talk).
The hosting reminder is the default, 1440 minutes (the meetings' is 60).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import yaml

from xinglian.export.ics import (
    CalEvent,
    build_events,
    care_events,
    hosting_events,
    to_calendar,
    visit_festival,
    volunteer_uid,
    volunteering_events,
    write_calendars,
)
from xinglian.models.instance import Instance
from xinglian.models.plan import (
    Care,
    CarePair,
    CareVisit,
    Hosting,
    Meeting,
    Plan,
    RotationTerm,
    SolveInfo,
    Volunteering,
)
from xinglian.models.timeline import period_bounds

DATA = Path(__file__).parent / "data"
TZ = ZoneInfo("Asia/Shanghai")

CHAIRS = {
    "fed-ximei": ["p-a1", "p-shared", "p-a2", "p-a1", "p-shared", "p-a2"],
    "fed-shuinuan": ["p-b1", "p-b2", "p-shared", "p-b1", "p-b2", "p-b1"],
}


def tiny_data() -> dict:
    """tiny.yaml as data, with hosting: fed-e1 hosts at v-ximei-hall (a Women's Home)."""
    data = yaml.safe_load((DATA / "tiny.yaml").read_text(encoding="utf-8"))
    for fed in data["federations"]:
        if fed["id"] == "fed-e1":
            fed["hosting"] = {"weight": 3, "contact": "p-e1"}
    for venue in data["venues"]:
        if venue["id"] == "v-ximei-hall":
            venue["kind"] = "womens_home"
            venue["slots"] = ["2nd and 4th Saturday 09:00-11:30"]
    return data


@pytest.fixture(scope="module")
def instance() -> Instance:
    return Instance.model_validate(tiny_data())


def turn(day: int, month: int, theme: str | None = None, *, federation: str = "fed-e1",
         venue: str = "v-ximei-hall") -> Hosting:
    date = dt.date(2026, month, day)
    return Hosting(
        id=f"host-{venue}-{date.isoformat()}", venue=venue, federation=federation,
        start=dt.datetime.combine(date, dt.time(9, 0), tzinfo=TZ),
        end=dt.datetime.combine(date, dt.time(11, 30), tzinfo=TZ),
        theme=theme,
    )


TALK = "家庭教育讲座：好家风，代代传; 欢迎参加"
HOSTING = (turn(14, 3, "三八妇女节"), turn(28, 3), turn(11, 4, TALK))


def make_plan(generated_at: dt.datetime | None = None, hosting: tuple[Hosting, ...] = HOSTING,
              **meeting_changes) -> Plan:
    rotation = [
        RotationTerm(base=base, period=t, start=start, end=end, chair=chair)
        for base, chairs in CHAIRS.items()
        for t, ((start, end), chair) in enumerate(
            zip(period_bounds(2026, 2), chairs, strict=True), start=1
        )
    ]
    meetings = [
        Meeting(
            id="mtg-fed-ximei-q1", base="fed-ximei", quarter=1,
            start=dt.datetime(2026, 3, 10, 14, 30, tzinfo=TZ),
            end=dt.datetime(2026, 3, 10, 16, 30, tzinfo=TZ),
            venue="v-ximei-hall", host="p-shared",
            attendees=("p-a1", "p-shared", "p-e1", "p-t1"), absent=("p-a2",),
        ),
        Meeting(
            id="mtg-fed-shuinuan-q2", base="fed-shuinuan", quarter=2,
            start=dt.datetime(2026, 5, 12, 9, 0, tzinfo=TZ),
            end=dt.datetime(2026, 5, 12, 11, 0, tzinfo=TZ),
            venue="v-lc-hall", host="p-shared",
            attendees=("p-b1", "p-shared"), absent=("p-b2",),
        ),
    ]
    meetings = [m.model_copy(update=meeting_changes) for m in meetings]
    return Plan(
        instance="tiny-2026", year=2026, generated_at=generated_at,
        solve=SolveInfo(status="OPTIMAL"), rotation=tuple(rotation), meetings=tuple(meetings),
        hosting=tuple(hosting),
    )


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC))


@pytest.fixture
def written(instance, plan, tmp_path) -> dict[str, icalendar.Calendar]:
    paths = write_calendars(instance, plan, tmp_path)
    return {p.name: icalendar.Calendar.from_ical(p.read_bytes()) for p in paths}


def uids(cal: icalendar.Calendar) -> set[str]:
    return {str(e["UID"]) for e in cal.walk("VEVENT")}


def event(cal: icalendar.Calendar, uid: str) -> icalendar.Event:
    (found,) = [e for e in cal.walk("VEVENT") if str(e["UID"]) == uid]
    return found


MTG_XIMEI = "meeting-fed-ximei-2026-q1@xinglian"
MTG_SHUINUAN = "meeting-fed-shuinuan-2026-q2@xinglian"
HOST_0314 = "hosting-v-ximei-hall-2026-03-14-0900@xinglian"
HOST_0328 = "hosting-v-ximei-hall-2026-03-28-0900@xinglian"
HOST_0411 = "hosting-v-ximei-hall-2026-04-11-0900@xinglian"
HOSTS = {HOST_0314, HOST_0328, HOST_0411}


# -- files -----------------------------------------------------------------------------


def test_writes_all_and_one_file_per_person_venue_federation_with_events(written):
    # People: 7 in tiny.yaml, all have a term or a meeting (p-e1, p-t1 only attend).
    # Venues: both host a meeting. Federations: both bases, and fed-e1 (parent fed-ximei)
    # through the ximei meeting, and fed-town-ximei (the town federation of ximei, whose
    # chair is invited to the joint meeting). Hosting turns (fed-e1 at v-ximei-hall,
    # contact p-e1) add no file: all three already have one.
    assert sorted(written) == [
        "all.ics",
        "federation-fed-e1.ics", "federation-fed-shuinuan.ics",
        "federation-fed-town-ximei.ics", "federation-fed-ximei.ics",
        "person-p-a1.ics", "person-p-a2.ics", "person-p-b1.ics", "person-p-b2.ics",
        "person-p-e1.ics", "person-p-shared.ics", "person-p-t1.ics",
        "venue-v-lc-hall.ics", "venue-v-ximei-hall.ics",
    ]


def test_write_returns_sorted_paths_inside_out_dir(instance, plan, tmp_path):
    paths = write_calendars(instance, plan, tmp_path)
    assert paths == sorted(paths)
    assert all(p.parent == tmp_path for p in paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in paths]


def test_every_file_has_exactly_one_shanghai_vtimezone(written):
    for name, cal in written.items():
        tzs = cal.walk("VTIMEZONE")
        assert [str(t["TZID"]) for t in tzs] == ["Asia/Shanghai"], name
        assert cal.get_missing_tzids() == set(), name


def test_calendar_properties(written):
    cal = written["person-p-shared.ics"]
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == "-//xinglian//星链排班//ZH"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    # Published calendars, not iTIP messages: METHOD:PUBLISH would need an ORGANIZER.
    assert "METHOD" not in cal
    assert str(cal["X-WR-CALNAME"]) == "黄美玲 的星链日程"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Shanghai"


def test_all_day_only_calendar_still_has_vtimezone(written):
    # p-a2 chairs fed-ximei in periods 3 and 6 and is absent from the Q1 meeting:
    # her calendar has all-day events only, yet carries the VTIMEZONE.
    cal = written["person-p-a2.ics"]
    assert all(not isinstance(e.decoded("DTSTART"), dt.datetime) for e in cal.walk("VEVENT"))
    assert len(cal.walk("VTIMEZONE")) == 1


# -- times -----------------------------------------------------------------------------


def test_no_floating_times(written):
    for name, cal in written.items():
        for e in cal.walk("VEVENT"):
            start, end = e.decoded("DTSTART"), e.decoded("DTEND")
            if isinstance(start, dt.datetime):
                assert start.tzinfo is not None and end.tzinfo is not None, name
                assert e["DTSTART"].params["TZID"] == "Asia/Shanghai"
                assert e["DTEND"].params["TZID"] == "Asia/Shanghai"
            else:
                assert type(end) is dt.date, name


def test_rotation_terms_are_all_day_with_exclusive_end(written, plan):
    cal = written["all.ics"]
    for term in plan.rotation:
        e = event(cal, f"rotation-{term.base}-2026-p{term.period}@xinglian")
        assert e.decoded("DTSTART") == term.start
        # Period 1 is 2026-01-01..02-28, so DTEND is 03-01 (RFC 5545: exclusive).
        assert e.decoded("DTEND") == term.end + dt.timedelta(days=1)
        assert str(e["TRANSP"]) == "TRANSPARENT"
    p1 = event(cal, "rotation-fed-ximei-2026-p1@xinglian")
    assert p1.decoded("DTEND") == dt.date(2026, 3, 1)


def test_meeting_times_are_local_not_utc(written):
    e = event(written["all.ics"], MTG_XIMEI)
    assert e.decoded("DTSTART") == dt.datetime(2026, 3, 10, 14, 30, tzinfo=TZ)
    assert e.decoded("DTSTART").utcoffset() == dt.timedelta(hours=8)
    assert e.decoded("DTEND") == dt.datetime(2026, 3, 10, 16, 30, tzinfo=TZ)
    assert str(e["TRANSP"]) == "OPAQUE"


def test_fixed_offset_datetimes_from_plan_json_are_written_with_tzid(instance, tmp_path):
    # A plan read back from plan.json has "+08:00" offsets, not a ZoneInfo.
    plus8 = dt.timezone(dt.timedelta(hours=8))
    plan = make_plan(start=dt.datetime(2026, 3, 10, 14, 30, tzinfo=plus8),
                     end=dt.datetime(2026, 3, 10, 16, 30, tzinfo=plus8))
    reread = Plan.model_validate_json(plan.model_dump_json())
    write_calendars(instance, reread, tmp_path)
    cal = icalendar.Calendar.from_ical((tmp_path / "all.ics").read_bytes())
    e = event(cal, MTG_XIMEI)
    assert e["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert e.decoded("DTSTART") == dt.datetime(2026, 3, 10, 14, 30, tzinfo=TZ)


def test_naive_meeting_time_is_refused(instance):
    plan = make_plan(start=dt.datetime(2026, 3, 10, 14, 30), end=dt.datetime(2026, 3, 10, 16, 30))
    with pytest.raises(ValueError, match="no time zone"):
        build_events(instance, plan)


def test_dtstamp_is_generated_at_in_utc(written):
    e = event(written["all.ics"], MTG_XIMEI)
    assert e.decoded("DTSTAMP") == dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    assert e.decoded("LAST-MODIFIED") == dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    assert e["DTSTAMP"].to_ical().endswith(b"Z")


# -- UIDs ------------------------------------------------------------------------------


def test_uids_unique_within_each_file(written):
    for name, cal in written.items():
        events = cal.walk("VEVENT")
        assert len(uids(cal)) == len(events), name
    # 2 bases x 6 periods + 2 meetings + 3 hosting turns.
    assert len(written["all.ics"].walk("VEVENT")) == 17


def test_uids_depend_on_what_the_event_is_not_on_when_it_was_made(instance):
    a = build_events(instance, make_plan(dt.datetime(2026, 1, 5, tzinfo=dt.UTC)))
    b = build_events(instance, make_plan(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
    c = build_events(instance, make_plan(None))
    assert [e.uid for e in a] == [e.uid for e in b] == [e.uid for e in c]
    assert a == b == c
    assert {MTG_XIMEI, MTG_SHUINUAN, "rotation-fed-shuinuan-2026-p6@xinglian"} | HOSTS <= {
        e.uid for e in a
    }


def test_uid_is_kept_when_the_meeting_moves(instance):
    moved = make_plan(start=dt.datetime(2026, 3, 17, 9, 0, tzinfo=TZ),
                      end=dt.datetime(2026, 3, 17, 11, 0, tzinfo=TZ))
    assert MTG_XIMEI in {e.uid for e in build_events(instance, moved)}


def test_events_sorted_by_start_then_uid(instance, plan):
    events = build_events(instance, plan)
    # Period 1 of both bases start on 2026-01-01 (same start): ordered by UID.
    assert [e.uid for e in events[:2]] == [
        "rotation-fed-shuinuan-2026-p1@xinglian", "rotation-fed-ximei-2026-p1@xinglian",
    ]
    keys = [
        (e.start if isinstance(e.start, dt.datetime)
         else dt.datetime.combine(e.start, dt.time(0), tzinfo=TZ), e.uid)
        for e in events
    ]
    assert keys == sorted(keys)


def test_duplicate_uid_in_one_calendar_is_refused():
    e = CalEvent(uid="x@xinglian", summary="一", start=dt.date(2026, 1, 1),
                 end=dt.date(2026, 1, 2))
    with pytest.raises(ValueError, match="x@xinglian"):
        to_calendar([e, e], "测试", stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


# -- text ------------------------------------------------------------------------------


def test_rotation_text(written):
    e = event(written["all.ics"], "rotation-fed-ximei-2026-p1@xinglian")
    assert str(e["SUMMARY"]) == "轮值主席：陈丽华（霞美片区产业基地妇联 第1期）"
    desc = str(e["DESCRIPTION"])
    assert desc.splitlines() == [
        "轮值期：2026年1月1日至2月28日",
        "基地产业：电子光伏/机械",
        "职责：配合区域主席策划特色活动、走访联系企业、帮助困难妇女儿童",
    ]
    assert [str(c) for c in e["CATEGORIES"].cats] == ["轮值主席"]


def test_meeting_text_names_people_not_ids(written):
    e = event(written["all.ics"], MTG_XIMEI)
    assert str(e["SUMMARY"]) == "霞美片区产业基地妇联 第1季度联席会"
    assert str(e["LOCATION"]) == "霞美镇妇女之家会议室，霞美镇"
    assert str(e["DESCRIPTION"]).split("\n") == [
        "主持：黄美玲",
        "参会：陈丽华、黄美玲、张晓燕、吴春梅",
        "请假：林秀英",
    ]
    assert "p-" not in str(e["DESCRIPTION"])


def test_special_characters_survive_the_round_trip(tmp_path):
    # Commas, semicolons, backslashes and newlines must be escaped per RFC 5545 and come
    # back exactly; long Chinese lines are folded without splitting a character.
    tricky = "主持：陈丽华, 副：林秀英; 备注\\路径\n第二行：" + "、".join(["黄美玲"] * 30)
    e = CalEvent(
        uid="t@xinglian", summary="联席会；议题，一", location="霞美镇; 三楼, 东侧",
        description=tricky, categories=("联席会", "a,b"),
        start=dt.datetime(2026, 3, 10, 9, tzinfo=TZ), end=dt.datetime(2026, 3, 10, 11, tzinfo=TZ),
    )
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    data = to_calendar([e], "名称, 含; 逗号", stamp=stamp).to_ical()
    assert max(len(line) for line in data.split(b"\r\n")) <= 75
    back = icalendar.Calendar.from_ical(data)
    (ev,) = back.walk("VEVENT")
    assert str(ev["DESCRIPTION"]) == tricky
    assert str(ev["SUMMARY"]) == "联席会；议题，一"
    assert str(ev["LOCATION"]) == "霞美镇; 三楼, 东侧"
    assert [str(c) for c in ev["CATEGORIES"].cats] == ["联席会", "a,b"]
    assert str(back["X-WR-CALNAME"]) == "名称, 含; 逗号"


def test_address_is_part_of_the_location(instance, plan):
    venues = [
        v.model_copy(update={"address": "霞美镇金光路1号"}) if v.id == "v-ximei-hall"
        else v.model_copy(update={"address": "湖滨路8号"})
        for v in instance.venues
    ]
    inst = type(instance).model_validate({**instance.model_dump(), "venues": venues})
    by_uid = {e.uid: e for e in build_events(inst, plan)}
    # The town is said once: not repeated when the address already names it.
    assert by_uid[MTG_XIMEI].location == "霞美镇妇女之家会议室，霞美镇金光路1号"
    assert by_uid[MTG_SHUINUAN].location == "仑苍镇政府三楼会议室，仑苍镇湖滨路8号"
    # Hosting turns are located like meetings.
    assert by_uid[HOST_0314].location == "霞美镇妇女之家会议室，霞美镇金光路1号"


# -- alarms ----------------------------------------------------------------------------


def test_meeting_alarm_is_reminder_minutes_before(written, tmp_path):
    # tiny.yaml: meetings.reminder_minutes = 60.
    e = event(written["all.ics"], MTG_XIMEI)
    (alarm,) = e.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert str(alarm["DESCRIPTION"])
    assert alarm.decoded("TRIGGER") == -dt.timedelta(minutes=60)
    # Written as minutes (what the instance says), not re-expressed as -PT1H.
    assert b"TRIGGER:-PT60M\r\n" in (tmp_path / "all.ics").read_bytes()


def test_rotation_terms_have_no_alarm(written):
    e = event(written["all.ics"], "rotation-fed-ximei-2026-p1@xinglian")
    assert e.walk("VALARM") == []


def test_no_alarm_when_reminder_is_zero(instance, plan, tmp_path):
    inst = instance.model_copy(update={
        "meetings": instance.meetings.model_copy(update={"reminder_minutes": 0}),
        "hosting": instance.hosting.model_copy(update={"reminder_minutes": 0}),
    })
    assert all(e.alarm_minutes is None for e in build_events(inst, plan))
    write_calendars(inst, plan, tmp_path)
    cal = icalendar.Calendar.from_ical((tmp_path / "all.ics").read_bytes())
    assert cal.walk("VALARM") == []


def test_meeting_and_hosting_reminders_are_independent(instance, plan):
    # Silencing the meetings' alarm leaves the hosting turns' alarm alone.
    inst = instance.model_copy(
        update={"meetings": instance.meetings.model_copy(update={"reminder_minutes": 0})}
    )
    by_uid = {e.uid: e for e in build_events(inst, plan)}
    assert by_uid[MTG_XIMEI].alarm_minutes is None
    assert {by_uid[u].alarm_minutes for u in HOSTS} == {1440}


def test_a_day_of_reminder_is_written_in_minutes():
    e = CalEvent(uid="a@xinglian", summary="会", alarm_minutes=1440,
                 start=dt.datetime(2026, 3, 10, 9, tzinfo=TZ),
                 end=dt.datetime(2026, 3, 10, 11, tzinfo=TZ))
    data = to_calendar([e], "x", stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)).to_ical()
    assert b"TRIGGER:-PT1440M\r\n" in data
    back = icalendar.Calendar.from_ical(data)
    assert back.walk("VALARM")[0].decoded("TRIGGER") == -dt.timedelta(days=1)


# -- who gets what ---------------------------------------------------------------------


def test_host_and_attendees_get_the_meeting_absent_person_does_not(written):
    assert MTG_XIMEI in uids(written["person-p-shared.ics"])  # host
    assert MTG_XIMEI in uids(written["person-p-e1.ics"])  # enterprise chair attends
    assert MTG_XIMEI in uids(written["person-p-t1.ics"])  # town chair attends
    assert MTG_XIMEI not in uids(written["person-p-a2.ics"])  # 请假
    assert MTG_SHUINUAN not in uids(written["person-p-b2.ics"])  # 请假
    assert MTG_SHUINUAN not in uids(written["person-p-a1.ics"])  # other base


def test_person_file_holds_her_terms_only(written):
    # p-a1 chairs fed-ximei in periods 1 and 4 and attends the ximei Q1 meeting.
    assert uids(written["person-p-a1.ics"]) == {
        "rotation-fed-ximei-2026-p1@xinglian",
        "rotation-fed-ximei-2026-p4@xinglian",
        MTG_XIMEI,
    }


def test_venue_files_hold_their_meetings_and_hosting_turns(written):
    assert uids(written["venue-v-ximei-hall.ics"]) == {MTG_XIMEI} | HOSTS
    assert uids(written["venue-v-lc-hall.ics"]) == {MTG_SHUINUAN}
    assert str(written["venue-v-lc-hall.ics"]["X-WR-CALNAME"]) == "仑苍镇政府三楼会议室 的星链日程"


def test_federation_files(written):
    ximei = uids(written["federation-fed-ximei.ics"])
    assert ximei == {f"rotation-fed-ximei-2026-p{t}@xinglian" for t in range(1, 7)} | {MTG_XIMEI}
    # fed-e1's parent is fed-ximei: it sees the ximei meeting, not the terms; and its
    # own hosting turns, which its base does not get.
    assert uids(written["federation-fed-e1.ics"]) == {MTG_XIMEI} | HOSTS
    assert MTG_XIMEI not in uids(written["federation-fed-shuinuan.ics"])


def test_all_ics_holds_every_event(written, instance, plan):
    assert uids(written["all.ics"]) == {e.uid for e in build_events(instance, plan)}


# -- hosting turns (阵地共享 · 轮流主办) -------------------------------------------------


def test_hosting_turn_is_on_contact_venue_and_federation_calendars(written):
    for name in ("all.ics", "person-p-e1.ics", "venue-v-ximei-hall.ics",
                 "federation-fed-e1.ics"):
        assert uids(written[name]) >= HOSTS, name
    # The contact (p-e1) gets her turns and the meeting she attends, nothing else.
    assert uids(written["person-p-e1.ics"]) == {MTG_XIMEI} | HOSTS
    # Not the base of the host's chain, nor anyone else.
    for name, cal in written.items():
        if name not in ("all.ics", "person-p-e1.ics", "venue-v-ximei-hall.ics",
                        "federation-fed-e1.ics"):
            assert not HOSTS & uids(cal), name


def test_hosting_uid_names_venue_date_and_start_time(instance, plan):
    got = {e.uid for e in hosting_events(instance, plan)}
    assert got == HOSTS
    pattern = re.compile(r"^hosting-v-ximei-hall-\d{4}-\d{2}-\d{2}-\d{4}@xinglian$")
    assert all(pattern.match(u) for u in got)


def test_hosting_uid_is_kept_when_the_slot_changes_hands(instance, tmp_path):
    # A re-plan gives the 03-14 slot to the town federation: same UID (phones update
    # the event), new SUMMARY, and it moves to the new host's and contact's calendars.
    # fed-town-ximei has no hosting contact, so its chair p-t1 runs the turn.
    replanned = make_plan(hosting=(turn(14, 3, "三八妇女节", federation="fed-town-ximei"),
                                   *HOSTING[1:]))
    before = {e.uid: e for e in build_events(instance, make_plan())}
    after = {e.uid: e for e in build_events(instance, replanned)}
    assert set(after) == set(before)
    assert after[HOST_0314].summary != before[HOST_0314].summary
    assert after[HOST_0314].summary == "【妇女之家】三八妇女节 · 霞美镇妇联 轮值主办"

    write_calendars(instance, replanned, tmp_path)
    cal = icalendar.Calendar.from_ical((tmp_path / "all.ics").read_bytes())
    assert str(event(cal, HOST_0314)["SUMMARY"]) == "【妇女之家】三八妇女节 · 霞美镇妇联 轮值主办"

    def file_uids(name: str) -> set[str]:
        return uids(icalendar.Calendar.from_ical((tmp_path / name).read_bytes()))

    assert HOST_0314 in file_uids("person-p-t1.ics")
    assert HOST_0314 in file_uids("federation-fed-town-ximei.ics")
    assert HOST_0314 not in file_uids("person-p-e1.ics")
    assert HOST_0314 not in file_uids("federation-fed-e1.ics")


def test_hosting_uid_uses_local_time_whatever_the_offset(instance):
    # From plan.json ("+08:00") or in UTC, 09:00 in Shanghai is still slot 0900.
    utc = dt.datetime(2026, 3, 14, 1, 0, tzinfo=dt.UTC)
    moved = HOSTING[0].model_copy(update={"start": utc, "end": utc + dt.timedelta(hours=2.5)})
    plan = make_plan(hosting=(moved, *HOSTING[1:]))
    reread = Plan.model_validate_json(plan.model_dump_json())
    for p in (plan, reread):
        by_uid = {e.uid: e for e in hosting_events(instance, p)}
        assert set(by_uid) == HOSTS
        assert by_uid[HOST_0314].start == dt.datetime(2026, 3, 14, 9, 0, tzinfo=TZ)


def test_hosting_text(written):
    e = event(written["all.ics"], HOST_0314)
    assert str(e["SUMMARY"]) == "【妇女之家】三八妇女节 · 某光伏企业妇联 轮值主办"
    assert str(e["LOCATION"]) == "霞美镇妇女之家会议室，霞美镇"
    assert str(e["DESCRIPTION"]).split("\n") == [
        "主办：某光伏企业妇联",
        "联系人：张晓燕",
        "场地：霞美镇妇女之家会议室（妇女之家，容纳20人）",
        "主题：三八妇女节",
    ]
    assert [str(c) for c in e["CATEGORIES"].cats] == ["轮值主办"]
    assert str(e["TRANSP"]) == "OPAQUE"
    assert str(e["STATUS"]) == "CONFIRMED"


def test_hosting_without_theme(written):
    e = event(written["all.ics"], HOST_0328)
    assert str(e["SUMMARY"]) == "【妇女之家】某光伏企业妇联 轮值主办"
    assert not any(line.startswith("主题") for line in str(e["DESCRIPTION"]).split("\n"))


def test_hosting_theme_round_trips(written):
    # Commas, semicolons and a colon in the theme are escaped and come back exactly.
    e = event(written["all.ics"], HOST_0411)
    assert str(e["SUMMARY"]) == f"【妇女之家】{TALK} · 某光伏企业妇联 轮值主办"
    assert str(e["DESCRIPTION"]).split("\n")[-1] == f"主题：{TALK}"


def test_hosting_times_carry_tzid(written):
    e = event(written["venue-v-ximei-hall.ics"], HOST_0314)
    assert e["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert e["DTEND"].params["TZID"] == "Asia/Shanghai"
    assert e.decoded("DTSTART") == dt.datetime(2026, 3, 14, 9, 0, tzinfo=TZ)
    assert e.decoded("DTEND") == dt.datetime(2026, 3, 14, 11, 30, tzinfo=TZ)


def test_hosting_alarm_is_the_hosting_reminder(written, instance, tmp_path):
    assert instance.hosting.reminder_minutes == 1440  # the default; meetings use 60
    for name in ("all.ics", "person-p-e1.ics"):
        (alarm,) = event(written[name], HOST_0314).walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER") == -dt.timedelta(minutes=1440)
    inst = instance.model_copy(
        update={"hosting": instance.hosting.model_copy(update={"reminder_minutes": 90})}
    )
    write_calendars(inst, make_plan(), tmp_path)
    data = (tmp_path / "person-p-e1.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    (alarm,) = event(cal, HOST_0314).walk("VALARM")
    assert alarm.decoded("TRIGGER") == -dt.timedelta(minutes=90)
    assert b"TRIGGER:-PT90M\r\n" in data


def test_no_hosting_alarm_when_hosting_reminder_is_zero(instance):
    inst = instance.model_copy(
        update={"hosting": instance.hosting.model_copy(update={"reminder_minutes": 0})}
    )
    events = hosting_events(inst, make_plan())
    assert events and all(e.alarm_minutes is None for e in events)


def test_hosting_contact_overrides_chair_and_phone_is_shown():
    data = tiny_data()
    for fed in data["federations"]:
        if fed["id"] == "fed-e1":
            fed["hosting"]["contact"] = "p-t1"
    for person in data["people"]:
        if person["id"] == "p-t1":
            person["phone"] = "13800000001"
    inst = Instance.model_validate(data)
    (e, *_) = hosting_events(inst, make_plan())
    assert e.people == ("p-t1",)  # the contact, not the chair p-e1
    assert e.federations == ("fed-e1",)
    assert e.venues == ("v-ximei-hall",)
    assert "联系人：吴春梅（电话：13800000001）" in e.description.split("\n")


def test_hosting_without_any_contact_is_on_nobodys_calendar(tmp_path):
    # A federation without hosting params or chair (possible in a hand-edited plan):
    # the turn is on the venue's and the federation's calendars, no person's.
    data = tiny_data()
    data["federations"].append({"id": "fed-v1", "name": "某村妇联", "kind": "village",
                                "town": "ximei"})
    inst = Instance.model_validate(data)
    plan = make_plan(hosting=(turn(14, 3, federation="fed-v1"),))
    (e,) = hosting_events(inst, plan)
    assert e.people == ()
    assert "联系人" not in e.description
    paths = {p.name for p in write_calendars(inst, plan, tmp_path)}
    assert {"venue-v-ximei-hall.ics", "federation-fed-v1.ics"} <= paths
    for name in paths - {"all.ics", "venue-v-ximei-hall.ics", "federation-fed-v1.ics"}:
        cal = icalendar.Calendar.from_ical((tmp_path / name).read_bytes())
        assert HOST_0314 not in uids(cal), name


def test_hosting_order_in_the_plan_does_not_matter(instance):
    a = build_events(instance, make_plan(hosting=HOSTING))
    b = build_events(instance, make_plan(hosting=tuple(reversed(HOSTING))))
    assert a == b


@pytest.mark.parametrize(("field", "value"), [("venue", "v-nowhere"),
                                              ("federation", "fed-nowhere")])
def test_unknown_id_in_hosting_is_a_clear_error(instance, field, value):
    bad = make_plan(hosting=(HOSTING[0].model_copy(update={field: value}),))
    with pytest.raises(ValueError, match=value):
        build_events(instance, bad)


def test_naive_hosting_time_is_refused(instance):
    naive = HOSTING[0].model_copy(update={"start": dt.datetime(2026, 3, 14, 9, 0),
                                          "end": dt.datetime(2026, 3, 14, 11, 30)})
    with pytest.raises(ValueError, match="no time zone"):
        build_events(instance, make_plan(hosting=(naive,)))


# -- determinism and re-planning -------------------------------------------------------


def test_two_writes_are_byte_identical(instance, plan, tmp_path):
    a = write_calendars(instance, plan, tmp_path / "a")
    b = write_calendars(instance, plan, tmp_path / "b")
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name


def test_plan_without_generated_at_gets_a_fixed_stamp(instance, tmp_path):
    write_calendars(instance, make_plan(None), tmp_path)
    cal = icalendar.Calendar.from_ical((tmp_path / "all.ics").read_bytes())
    stamps = {e.decoded("DTSTAMP") for e in cal.walk("VEVENT")}
    assert stamps == {dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}


def test_cancelled_event_with_higher_sequence_is_published(instance, plan, tmp_path):
    events = build_events(instance, plan)
    cancelled = [
        replace(e, status="CANCELLED", sequence=1)
        if e.uid == MTG_SHUINUAN else e
        for e in events
    ]
    write_calendars(instance, plan, tmp_path, events=cancelled)
    cal = icalendar.Calendar.from_ical((tmp_path / "person-p-b1.ics").read_bytes())
    e = event(cal, MTG_SHUINUAN)
    assert str(e["STATUS"]) == "CANCELLED"
    assert e.decoded("SEQUENCE") == 1
    assert str(event(cal, "rotation-fed-shuinuan-2026-p1@xinglian")["STATUS"]) == "CONFIRMED"


def test_unknown_person_in_plan_is_a_clear_error(instance):
    bad = make_plan(host="p-nobody")
    with pytest.raises(ValueError, match="p-nobody"):
        build_events(instance, bad)


def test_mixed_or_reversed_bounds_are_refused():
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    mixed = CalEvent(uid="m@xinglian", summary="混", start=dt.date(2026, 1, 1),
                     end=dt.datetime(2026, 1, 2, tzinfo=TZ))
    backwards = CalEvent(uid="b@xinglian", summary="反", start=dt.date(2026, 1, 2),
                         end=dt.date(2026, 1, 2))
    with pytest.raises(ValueError, match="both be"):
        to_calendar([mixed], "x", stamp=stamp)
    with pytest.raises(ValueError, match="not after"):
        to_calendar([backwards], "x", stamp=stamp)


# -- volunteering (巾帼志愿者) and caring mothers (爱心妈妈) ---------------------------------
#
# tiny_data() plus: volunteers p-b2 (fed-shuinuan, experienced), p-t1 (fed-town-ximei) and
# p-a1 (no federation); act-1 防溺水宣传 on 2026-07-04 09:00-11:30 at v-ximei-hall with
# roles 急救 (p-b2) and 宣讲 (p-t1); act-2 拥军优属慰问 on 2026-08-01 14:00-16:00 in
# luncang (no venue), lead required, 慰问 held by p-a1 alone. Child c-007 (ximei) and
# c-008 (luncang) are paired with p-e1; festivals 六一 and 中秋. Reminders: volunteering
# 120 minutes, care 30.

VOL_ACT1_B2 = "volunteer-act-1-p-b2@xinglian"
VOL_ACT1_T1 = "volunteer-act-1-p-t1@xinglian"
VOL_ACT2_A1 = "volunteer-act-2-p-a1@xinglian"
MEET_007 = "visit-c-007-2026-q1-meet1@xinglian"
FEST_007 = "visit-c-007-2026-f2@xinglian"
TALK_008 = "visit-c-008-2026-q2-talk1@xinglian"


def care_data() -> dict:
    data = tiny_data()
    profiles = {"p-b2": {"federation": "fed-shuinuan", "experienced": True},
                "p-t1": {"federation": "fed-town-ximei"}, "p-a1": {}}
    for p in data["people"]:
        if p["id"] in profiles:
            p["volunteer"] = profiles[p["id"]]
        if p["id"] == "p-e1":
            p["caring_mother"] = True
    data["volunteering"] = {"reminder_minutes": 120}
    data["activities"] = [
        {"id": "act-1", "kind": "volunteer_service", "title": "防溺水宣传; 安全, 第一",
         "date": "2026-07-04", "start": "09:00", "end": "11:30", "venue": "v-ximei-hall",
         "roles": [{"role": "急救"}, {"role": "宣讲", "max": 2}]},
        {"id": "act-2", "kind": "military_family", "title": "拥军优属慰问", "date": "2026-08-01",
         "start": "14:00", "end": "16:00", "town": "luncang", "lead_required": True,
         "roles": [{"role": "慰问", "min": 2}]},
    ]
    data["children"] = [
        {"code": "c-007", "name": "王小明", "address": "霞美镇某村1号", "town": "ximei", "age": 9},
        {"code": "c-008", "name": "李小红", "address": "仑苍镇某村2号", "town": "luncang",
         "age": 12},
    ]
    data["care"] = {"reminder_minutes": 30,
                    "festivals": [{"name": "六一儿童节", "date": "2026-06-01"},
                                  {"name": "中秋节", "date": "2026-09-25"}]}
    return data


@pytest.fixture(scope="module")
def care_instance() -> Instance:
    return Instance.model_validate(care_data())


def visit(vid: str, child: str, kind: str, start: dt.datetime, minutes: int) -> CareVisit:
    return CareVisit(id=vid, mother="p-e1", child=child, kind=kind, start=start,
                     end=start + dt.timedelta(minutes=minutes))


VOLUNTEERING = (
    Volunteering(activity="act-1", person="p-t1", role="宣讲"),
    Volunteering(activity="act-1", person="p-b2", role="急救"),
    Volunteering(activity="act-2", person="p-a1", role="慰问"),
)
VISITS = (
    visit("visit-c-007-2026-q1-meet1", "c-007", "meet",
          dt.datetime(2026, 2, 21, 10, tzinfo=TZ), 90),
    visit("visit-c-007-2026-f2", "c-007", "festival",
          dt.datetime(2026, 9, 26, 10, tzinfo=TZ), 120),
    visit("visit-c-008-2026-q2-talk1", "c-008", "talk",
          dt.datetime(2026, 4, 18, 19, 30, tzinfo=TZ), 45),
)


def care_plan(volunteering=VOLUNTEERING, visits=VISITS) -> Plan:
    return make_plan(dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)).model_copy(update={
        "volunteering": tuple(volunteering),
        "care": Care(pairs=(CarePair(mother="p-e1", child="c-007"),
                            CarePair(mother="p-e1", child="c-008")), visits=tuple(visits))})


@pytest.fixture
def care_written(care_instance, tmp_path) -> dict[str, icalendar.Calendar]:
    paths = write_calendars(care_instance, care_plan(), tmp_path)
    return {p.name: icalendar.Calendar.from_ical(p.read_bytes()) for p in paths}


def test_one_volunteer_event_per_assignment_with_stable_uids(care_instance):
    events = volunteering_events(care_instance, care_plan())
    assert {e.uid for e in events} == {VOL_ACT1_B2, VOL_ACT1_T1, VOL_ACT2_A1}
    assert volunteer_uid("act-1", "p-b2") == VOL_ACT1_B2
    # The order of the plan's rows does not matter; the time of solving neither.
    again = volunteering_events(care_instance, care_plan(volunteering=reversed(VOLUNTEERING)))
    assert sorted(events, key=lambda e: e.uid) == sorted(again, key=lambda e: e.uid)


def test_volunteer_event_text_round_trips(care_written):
    e = event(care_written["all.ics"], VOL_ACT1_T1)
    assert str(e["SUMMARY"]) == "【志愿服务】防溺水宣传; 安全, 第一 · 宣讲"
    assert str(e["LOCATION"]) == "霞美镇妇女之家会议室，霞美镇"
    assert str(e["DESCRIPTION"]).split("\n") == [
        "活动：防溺水宣传; 安全, 第一（志愿服务）",
        "岗位：宣讲",
        "同队：李淑芬（急救）",  # team in role order
        "带队：李淑芬",  # p-b2 is experienced
    ]
    assert [str(c) for c in e["CATEGORIES"].cats] == ["巾帼志愿者"]
    assert e.decoded("DTSTART") == dt.datetime(2026, 7, 4, 9, 0, tzinfo=TZ)
    assert e.decoded("DTEND") == dt.datetime(2026, 7, 4, 11, 30, tzinfo=TZ)
    assert e["DTSTART"].params["TZID"] == "Asia/Shanghai"
    (alarm,) = e.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -dt.timedelta(minutes=120)


def test_activity_without_venue_is_located_by_town_and_says_the_lead_is_missing(care_written):
    e = event(care_written["all.ics"], VOL_ACT2_A1)
    assert str(e["SUMMARY"]) == "【拥军优属】拥军优属慰问 · 慰问"
    assert str(e["LOCATION"]) == "仑苍镇"
    assert str(e["DESCRIPTION"]).split("\n") == [
        "活动：拥军优属慰问（拥军优属）", "岗位：慰问", "带队：暂缺（本活动需有经验的志愿者带队）"]


def test_volunteer_events_go_to_her_federation_and_the_venue(care_instance, care_written):
    by_uid = {e.uid: e for e in volunteering_events(care_instance, care_plan())}
    assert by_uid[VOL_ACT1_B2].people == ("p-b2",)
    assert by_uid[VOL_ACT1_B2].federations == ("fed-shuinuan",)
    assert by_uid[VOL_ACT1_B2].venues == ("v-ximei-hall",)
    assert by_uid[VOL_ACT2_A1].federations == () and by_uid[VOL_ACT2_A1].venues == ()
    assert VOL_ACT1_B2 in uids(care_written["federation-fed-shuinuan.ics"])
    assert VOL_ACT1_T1 in uids(care_written["federation-fed-town-ximei.ics"])
    assert {VOL_ACT1_B2, VOL_ACT1_T1} <= uids(care_written["venue-v-ximei-hall.ics"])
    assert VOL_ACT1_T1 not in uids(care_written["person-p-b2.ics"])


def test_care_visit_events_name_the_child_by_code(care_written):
    cal = care_written["person-p-e1.ics"]
    assert {MEET_007, FEST_007, TALK_008} <= uids(cal)
    meet = event(cal, MEET_007)
    assert str(meet["SUMMARY"]) == "爱心妈妈 · 见一次面 · 儿童 c-007"
    assert str(meet["LOCATION"]) == "霞美镇"
    assert str(meet["DESCRIPTION"]).split("\n")[:3] == [
        "爱心妈妈：张晓燕", "结对儿童：c-007", "内容：见一次面"]
    assert str(event(cal, TALK_008)["SUMMARY"]) == "爱心妈妈 · 谈一次心 · 儿童 c-008"
    assert str(event(cal, TALK_008)["LOCATION"]) == "仑苍镇"
    fest = event(cal, FEST_007)
    assert str(fest["SUMMARY"]) == "爱心妈妈 · 过一次节 · 儿童 c-007"
    # -f2: the second festival of care.festivals.
    assert "节日：中秋节（9月25日）" in str(fest["DESCRIPTION"]).split("\n")
    (alarm,) = meet.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -dt.timedelta(minutes=30)
    for name, cal in care_written.items():
        data = cal.to_ical().decode("utf-8")
        assert "王小明" not in data and "某村" not in data, name


def test_care_visits_are_on_the_mothers_calendar_only(care_instance, care_written):
    for e in care_events(care_instance, care_plan()):
        assert (e.people, e.venues, e.federations) == (("p-e1",), (), ())
    for name, cal in care_written.items():
        if name not in ("all.ics", "person-p-e1.ics"):
            assert not {MEET_007, FEST_007, TALK_008} & uids(cal), name


def test_festival_of_a_visit_without_index_is_the_nearest_in_its_window(care_instance):
    odd = VISITS[1].model_copy(update={"id": "visit-hand-made"})
    assert visit_festival(care_instance, odd).name == "中秋节"
    assert visit_festival(care_instance, VISITS[0]) is None


def test_no_volunteer_or_care_alarm_when_reminders_are_zero(care_instance):
    inst = care_instance.model_copy(update={
        "volunteering": care_instance.volunteering.model_copy(update={"reminder_minutes": 0}),
        "care": care_instance.care.model_copy(update={"reminder_minutes": 0})})
    events = volunteering_events(inst, care_plan()) + care_events(inst, care_plan())
    assert events and all(e.alarm_minutes is None for e in events)


@pytest.mark.parametrize(("make", "needle"), [
    (lambda: care_plan(volunteering=[Volunteering(activity="act-9", person="p-a1",
                                                  role="x")]), "act-9"),
    (lambda: care_plan(volunteering=[Volunteering(activity="act-1", person="p-zz",
                                                  role="宣讲")]), "p-zz"),
    (lambda: care_plan(visits=[VISITS[0].model_copy(update={"child": "c-999"})]), "c-999"),
])
def test_unknown_activity_person_or_child_is_a_clear_error(care_instance, make, needle):
    with pytest.raises(ValueError, match=needle):
        build_events(care_instance, make())


def test_moved_visit_keeps_its_uid_and_a_swap_cancels_the_old_volunteers_event(
        care_instance, tmp_path):
    write_calendars(care_instance, care_plan(), tmp_path / "v1")
    moved = VISITS[0].model_copy(update={"start": dt.datetime(2026, 2, 28, 10, tzinfo=TZ),
                                         "end": dt.datetime(2026, 2, 28, 11, 30, tzinfo=TZ)})
    swapped = (Volunteering(activity="act-1", person="p-a1", role="宣讲"), *VOLUNTEERING[1:])
    write_calendars(care_instance, care_plan(volunteering=swapped, visits=(moved, *VISITS[1:])),
                    tmp_path / "v2", previous_dir=tmp_path / "v1", updates_dir=tmp_path / "up")

    def cal(name: str) -> icalendar.Calendar:
        return icalendar.Calendar.from_ical((tmp_path / name).read_bytes())

    meet = event(cal("v2/person-p-e1.ics"), MEET_007)
    assert meet.decoded("SEQUENCE") == 1
    assert meet.decoded("DTSTART") == dt.datetime(2026, 2, 28, 10, tzinfo=TZ)
    assert event(cal("v2/person-p-e1.ics"), TALK_008).decoded("SEQUENCE") == 0
    gone = event(cal("v2/person-p-t1.ics"), VOL_ACT1_T1)
    assert str(gone["STATUS"]) == "CANCELLED"
    assert "volunteer-act-1-p-a1@xinglian" in uids(cal("up/person-p-a1.ics"))


def test_each_file_is_byte_for_byte_what_to_calendar_writes(instance, plan, tmp_path):
    # write_calendars renders each event once for all the files that carry it.
    from xinglian.export.ics import calendar_files

    write_calendars(instance, plan, tmp_path)
    files = calendar_files(instance, plan)
    assert len(files) > 3
    for name, (cal_name, group) in files.items():
        expected = to_calendar(group, cal_name, stamp=plan.generated_at, tz=instance.timezone)
        assert (tmp_path / name).read_bytes() == expected.to_ical(), name


@pytest.mark.parametrize("rewrite", ["lf-line-ends", "re-serialised"])
def test_a_previous_version_rewritten_by_another_tool_keeps_its_events_unchanged(
        instance, plan, tmp_path, rewrite):
    # The previous files are compared event by event; one re-saved with other line ends
    # or by another writer is still the same events: nothing is sent again or cancelled.
    write_calendars(instance, plan, tmp_path / "v1")
    for path in (tmp_path / "v1").glob("*.ics"):
        data = path.read_bytes()
        if rewrite == "lf-line-ends":
            data = data.replace(b"\r\n", b"\n")
        else:
            data = icalendar.Calendar.from_ical(data).to_ical()
        path.write_bytes(data)
    later = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    write_calendars(instance, plan, tmp_path / "v2", previous_dir=tmp_path / "v1", now=later)
    for path in (tmp_path / "v2").glob("*.ics"):
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        for ev in cal.walk("VEVENT"):
            assert ev.decoded("SEQUENCE") == 0 and str(ev["STATUS"]) != "CANCELLED", path.name
            assert ev.decoded("DTSTAMP") != later
