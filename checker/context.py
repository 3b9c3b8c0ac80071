"""What every checker rule needs to know about one (instance, plan) pair.

The checker does not trust the solver nor, where it is cheap, the shared helpers of
``models/timeline.py``: period and quarter bounds and the expected attendees of a joint
meeting are recomputed here from the text of docs/rules.md, so that a bug in one place is
caught by the other. Only the working-day calendar (holidays and make-up working days) is
taken from :func:`xinglian.models.timeline.work_calendar`, which is where that knowledge
lives, and the slots a venue offers from ``models.hosting.expand_slots`` (see
``checker/hosting.py`` for what is re-derived about hosting).

Everything here tolerates a bad plan: unknown ids, missing or duplicate entries never
raise; they are described in plain words so that the rules can report them.
"""

from __future__ import annotations

import calendar as _monthcal
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from ..models.instance import Federation, FederationKind, Instance, Person, Venue
from ..models.plan import CareVisit, Hosting, Meeting, Plan, RotationTerm
from ..models.timeline import CalendarError, WorkCalendar, work_calendar
from ..models.volunteering import Activity, Child
from .slots import OfferedSlot, PlacedTheme, offered_slots, place_themes

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def month_bounds(year: int, first_month: int, months: int) -> tuple[dt.date, dt.date]:
    """Inclusive bounds of ``months`` months starting with ``first_month`` of ``year``."""
    last_month = first_month + months - 1
    last_day = _monthcal.monthrange(year, last_month)[1]
    return dt.date(year, first_month, 1), dt.date(year, last_month, last_day)


def expected_attendees(instance: Instance, base: Federation) -> tuple[str, ...]:
    """``A_b`` of docs/rules.md, recomputed from its definition.

    The presidium, the chairs of the federations whose ``parent`` is the base, the chair
    of the town federation of the base's town, and ``invited``; in this order, no repeats.
    """
    out: list[str] = [base.chair, *base.vice_chairs] if base.chair else []
    out += [f.chair for f in instance.federations if f.parent == base.id and f.chair]
    if base.town is not None:
        out += [
            f.chair
            for f in instance.federations
            if f.kind == FederationKind.TOWN and f.town == base.town and f.chair
        ]
    out += list(base.invited)
    return tuple(dict.fromkeys(out))


@dataclass
class Ctx:
    """One (instance, plan) pair, indexed for the rules."""

    instance: Instance
    plan: Plan
    calendar: WorkCalendar | None = None
    calendar_error: str | None = None
    year: int = field(init=False)
    n_periods: int = field(init=False)
    tz: ZoneInfo = field(init=False)
    periods: dict[int, tuple[dt.date, dt.date]] = field(init=False)
    quarters: dict[int, tuple[dt.date, dt.date]] = field(init=False)
    people: dict[str, Person] = field(init=False)
    bases: dict[str, Federation] = field(init=False)
    feds: dict[str, Federation] = field(init=False)
    venues: dict[str, Venue] = field(init=False)
    expected: dict[str, tuple[str, ...]] = field(init=False)
    terms_by: dict[tuple[str, int], list[RotationTerm]] = field(init=False)
    chair_of: dict[tuple[str, int], str] = field(init=False)
    activities: dict[str, Activity] = field(init=False)
    children: dict[str, Child] = field(init=False)

    def __post_init__(self) -> None:
        inst = self.instance
        self.year = inst.year
        pm = inst.rotation.period_months
        self.n_periods = 12 // pm
        self.tz = ZoneInfo(inst.timezone)
        self.periods = {
            t: month_bounds(self.year, (t - 1) * pm + 1, pm) for t in range(1, self.n_periods + 1)
        }
        self.quarters = {q: month_bounds(self.year, (q - 1) * 3 + 1, 3) for q in range(1, 5)}
        self.cache: dict = {}  # indices built once per check (checker/volunteering.py)
        self.people = {p.id: p for p in inst.people}
        self.bases = {f.id: f for f in inst.federations if f.kind == FederationKind.BASE}
        self.feds = {f.id: f for f in inst.federations}
        self.venues = {v.id: v for v in inst.venues}
        self.expected = {b.id: expected_attendees(inst, b) for b in self.bases.values()}
        self.terms_by = defaultdict(list)
        for term in self.plan.rotation:
            self.terms_by[(term.base, term.period)].append(term)
        # chair(b, t) for the soft rules: the first term of a known (base, period); the
        # hard rules report missing and duplicate terms.
        self.chair_of = {
            key: terms[0].chair
            for key, terms in self.terms_by.items()
            if key[0] in self.bases and key[1] in self.periods
        }
        self.activities = {a.id: a for a in inst.activities}
        self.children = {c.code: c for c in inst.children}

    @classmethod
    def for_check(cls, instance: Instance, plan: Plan, calendar: WorkCalendar | None) -> Ctx:
        error = None
        if calendar is None:
            try:
                calendar = work_calendar(instance)
            except CalendarError as e:
                error = str(e)
        return cls(instance, plan, calendar, error)

    # -- plain words ---------------------------------------------------------------

    def who(self, pid: str) -> str:
        p = self.people.get(pid)
        return f"{p.name} ({pid})" if p else f"{pid!r} (not a person of the instance)"

    def base_name(self, bid: str) -> str:
        b = self.bases.get(bid)
        if b is not None:
            return b.name
        other = next((f for f in self.instance.federations if f.id == bid), None)
        if other is not None:
            return f"{other.name} ({bid}, not a base federation)"
        return f"{bid!r} (not a base federation of the instance)"

    def venue_name(self, vid: str) -> str:
        v = self.venues.get(vid)
        return v.name if v else f"{vid!r} (not a venue of the instance)"

    def fed_name(self, fid: str) -> str:
        f = self.feds.get(fid)
        return f"{f.name} ({fid})" if f else f"{fid!r} (not a federation of the instance)"

    def hosting_label(self, h: Hosting) -> str:
        s, e = self.local(h.start), self.local(h.end)
        end = f"{e:%H:%M}" if e.date() == s.date() else f"{e:%Y-%m-%d %H:%M}"
        return (
            f"{h.id} of {self.fed_name(h.federation)} at {self.venue_name(h.venue)} "
            f"({s:%Y-%m-%d %H:%M}-{end})"
        )

    def slot_label(self, s: OfferedSlot) -> str:
        return (
            f"{s.id} ({self.venue_name(s.venue)}, {self.day_label(s.date)} "
            f"{s.start:%H:%M}-{s.end:%H:%M})"
        )

    def activity_label(self, aid: str) -> str:
        """``title (id, date HH:MM-HH:MM)``."""
        a = self.activities.get(aid)
        if a is None:
            return f"{aid!r} (not an activity of the instance)"
        return f"{a.title} ({aid}, {a.date} {a.start}-{a.end})"

    def child_label(self, code: str) -> str:
        """A child by code only: her name and address never leave the instance."""
        if code in self.children:
            return f"child {code}"
        return f"child {code!r} (not a child of the instance)"

    def visit_label(self, v: CareVisit) -> str:
        s, e = self.local(v.start), self.local(v.end)
        end = f"{e:%H:%M}" if e.date() == s.date() else f"{e:%Y-%m-%d %H:%M}"
        return f"{v.id} ({v.kind}, {s:%Y-%m-%d %H:%M}-{end})"

    def period_label(self, t: int) -> str:
        if t not in self.periods:
            return f"period {t}"
        s, e = self.periods[t]
        return f"period {t} ({s}..{e})"

    def quarter_label(self, q: int) -> str:
        if q not in self.quarters:
            return f"quarter {q}"
        s, e = self.quarters[q]
        return f"quarter {q} ({s}..{e})"

    @staticmethod
    def day_label(day: dt.date) -> str:
        return f"{day} ({_WEEKDAYS[day.weekday()]})"

    def meeting_label(self, m: Meeting) -> str:
        s, e = self.local(m.start), self.local(m.end)
        end = f"{e:%H:%M}" if e.date() == s.date() else f"{e:%Y-%m-%d %H:%M}"
        return f"{m.id} of {self.base_name(m.base)} ({s:%Y-%m-%d %H:%M}-{end})"

    # -- time ----------------------------------------------------------------------

    def local(self, moment: dt.datetime) -> dt.datetime:
        """The moment in the instance's time zone; a naive datetime is taken as local."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def day(self, m: Meeting) -> dt.date:
        return self.local(m.start).date()

    def held(self, end: dt.datetime) -> bool:
        """Whether an event ending at ``end`` was over before the day a re-planned plan
        was made from (``derived_from.today``): history, kept as it was published -- its
        host or chair then, who need not be the period's chair now."""
        d = self.plan.derived_from
        return d is not None and d.today is not None and self.local(end).date() < d.today

    def presidium(self, base: str) -> tuple[str, ...]:
        """The members who may chair ``base`` (empty for an unknown base)."""
        fed = self.feds.get(base)
        return tuple(fed.presidium) if fed is not None else ()

    def period_of(self, day: dt.date) -> int | None:
        return next((t for t, (s, e) in self.periods.items() if s <= day <= e), None)

    def quarter_of(self, day: dt.date) -> int | None:
        return next((q for q, (s, e) in self.quarters.items() if s <= day <= e), None)

    def window(self, q: int) -> tuple[dt.date, dt.date]:
        """The allowed days of quarter ``q``: ``[earliest_day, latest_day]``, clipped."""
        qs, qe = self.quarters[q]
        rules = self.instance.meetings
        start = qs + dt.timedelta(days=rules.earliest_day - 1)
        end = min(qs + dt.timedelta(days=rules.latest_day - 1), qe)
        return start, end

    def activity_span(self, a: Activity) -> tuple[dt.datetime, dt.datetime]:
        """The activity's start and end in the instance's time zone."""
        return (
            dt.datetime.combine(a.date, dt.time.fromisoformat(a.start), self.tz),
            dt.datetime.combine(a.date, dt.time.fromisoformat(a.end), self.tz),
        )

    # -- places --------------------------------------------------------------------

    def activity_town(self, a: Activity) -> str | None:
        """Its ``town``, else its venue's town (docs: volunteer_eligible)."""
        if a.town is not None:
            return a.town
        venue = self.venues.get(a.venue) if a.venue is not None else None
        return venue.town if venue is not None else None

    def person_town(self, pid: str) -> str | None:
        p = self.people.get(pid)
        return p.town if p is not None else None

    def travel(self, a: str | None, b: str | None) -> int:
        """Minutes between two towns; a missing town counts as 0 (docs)."""
        return self.instance.travel_minutes(a, b)

    # -- availability --------------------------------------------------------------

    def unavailable_on(self, pid: str, day: dt.date) -> str | None:
        """``None`` when available (or unknown); else the reason (maybe empty)."""
        p = self.people.get(pid)
        if p is None:
            return None
        for r in p.unavailable:
            if r.start <= day <= r.end:
                return r.reason
        return None

    def is_unavailable(self, pid: str, day: dt.date) -> bool:
        return self.unavailable_on(pid, day) is not None

    def unavailable_days(self, pid: str, start: dt.date, end: dt.date) -> tuple[int, list[str]]:
        """Days of ``start..end`` the person is unavailable, and the reasons given."""
        p = self.people.get(pid)
        if p is None:
            return 0, []
        count, reasons = 0, []
        day = start
        while day <= end:
            hit = [r for r in p.unavailable if r.start <= day <= r.end]
            if hit:
                count += 1
                reasons += [r.reason for r in hit if r.reason and r.reason not in reasons]
            day += dt.timedelta(days=1)
        return count, reasons

    def slots(self) -> list[tuple[dt.time, dt.time]]:
        return [s.times() for s in self.instance.meetings.slots]

    # -- hosting -------------------------------------------------------------------

    @property
    def offers_slots(self) -> bool:
        return any(v.slots for v in self.instance.venues)

    @cached_property
    def hosting_slots(self) -> list[OfferedSlot] | None:
        """Every offered slot with its obstacles; ``None`` when no calendar is known
        (and some venue offers slots)."""
        if not self.offers_slots:
            return []
        if self.calendar is None:
            return None
        return offered_slots(self.instance, self.calendar)

    @cached_property
    def slot_by_id(self) -> dict[str, OfferedSlot]:
        return {s.id: s for s in self.hosting_slots or []}

    @cached_property
    def themes_placed(self) -> dict[str, PlacedTheme]:
        """slot id -> the theme placed there."""
        return place_themes(self.instance, self.hosting_slots or [])

    @cached_property
    def turns(self) -> dict[str, list[Hosting]]:
        """federation id -> its hosting turns, by start; an entry repeated with the same
        id counts once (the repeat is reported by ``hosting_slot``)."""
        out: dict[str, dict[str, Hosting]] = defaultdict(dict)
        for h in self.plan.hosting:
            out[h.federation].setdefault(h.id, h)
        return {
            fid: sorted(by_id.values(), key=lambda h: (self.local(h.start), h.id))
            for fid, by_id in out.items()
        }
