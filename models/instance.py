"""The instance: everything a yearly plan is made from.

All models are frozen and forbid unknown keys, so that a typo in an instance file
("vice_chair" for "vice_chairs") is an error instead of a silently ignored key.
Each entity validates itself; every id that points somewhere is checked once, in
:meth:`Instance._check_references`, and errors name the key path and the value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from .common import _HHMM, DateRange, Frozen, Id
from .slots import Pattern, parse_pattern
from .term import BaseTerm
from .term import check_references as _check_term_references
from .volunteering import (
    Activity,
    CareHistory,
    CareRules,
    Child,
    TravelTime,
    VolunteerProfile,
    VolunteerRules,
)


class Town(Frozen):
    id: Id
    name: str = Field(min_length=1)


class Person(Frozen):
    id: Id
    name: str = Field(min_length=1)
    phone: str | None = None
    town: Id | None = None
    unavailable: tuple[DateRange, ...] = ()
    preferred_periods: tuple[Annotated[int, Field(ge=1)], ...] = ()
    """Rotation periods she would like to chair in (any base). Empty: no preference."""
    undesired_periods: tuple[Annotated[int, Field(ge=1)], ...] = ()
    """Rotation periods she would rather not chair in (soft; hard limits are `unavailable`)."""
    volunteer: VolunteerProfile | None = None
    """Set for members of the volunteer teams (巾帼志愿者)."""
    caring_mother: bool = False
    """A caring mother (爱心妈妈) who can be paired with children in difficulty."""

    def is_unavailable(self, day: dt.date) -> bool:
        return any(r.contains(day) for r in self.unavailable)


class FederationKind(StrEnum):
    BASE = "base"
    ENTERPRISE = "enterprise"
    MICRO_HOME = "micro-home"
    TOWN = "town"
    VILLAGE = "village"


class HostingParams(Frozen):
    """A federation's part in the shared-venue rota (轮流主办)."""

    weight: int = Field(default=1, ge=1)
    """Size weight for fair shares (e.g. female staff)."""
    min_turns: int = Field(default=0, ge=0)
    max_turns: int | None = Field(default=None, ge=0)
    contact: Id | None = None
    """The person who runs its turns (defaults to the federation's chair)."""

    @model_validator(mode="after")
    def _range(self) -> HostingParams:
        if self.max_turns is not None and self.max_turns < self.min_turns:
            raise ValueError(
                f"max_turns {self.max_turns} is below min_turns {self.min_turns}"
            )
        return self


class Federation(Frozen):
    """A women's federation. For ``kind: base`` the chair and vice-chairs form the
    rotating presidium (轮值主席团)."""

    id: Id
    name: str = Field(min_length=1)
    kind: FederationKind
    industry: str | None = None
    town: Id | None = None
    parent: Id | None = None
    """The base federation this one belongs to (its production chain)."""
    chair: Id | None = None
    vice_chairs: tuple[Id, ...] = ()
    invited: tuple[Id, ...] = ()
    """Base only: people invited to the joint meetings besides the chairs (e.g. the
    town's leader in charge)."""
    hosting: HostingParams | None = None
    """Set for federations that take turns hosting at shared venues."""

    @model_validator(mode="after")
    def _presidium_shape(self) -> Federation:
        if self.kind is FederationKind.BASE:
            if self.chair is None:
                raise ValueError("a base federation needs a `chair` (the presidium's chair)")
            if self.parent is not None:
                raise ValueError("a base federation has no `parent`")
            members = [self.chair, *self.vice_chairs]
            dup = sorted({m for m in members if members.count(m) > 1})
            if dup:
                raise ValueError(f"presidium lists {', '.join(dup)} twice")
        else:
            if self.vice_chairs:
                raise ValueError("only a base federation has `vice_chairs` (a presidium)")
            if self.invited:
                raise ValueError("only a base federation has `invited` meeting guests")
        return self

    @property
    def presidium(self) -> tuple[Id, ...]:
        """Chair first, then vice-chairs, in the order given."""
        return (self.chair, *self.vice_chairs) if self.chair else ()


class VenueKind(StrEnum):
    MEETING_ROOM = "meeting_room"
    WOMENS_HOME = "womens_home"
    CHILDRENS_HOME = "childrens_home"
    PARENTS_SCHOOL = "parents_school"
    ENTERPRISE_OPEN = "enterprise_open"


VENUE_KIND_ZH = {
    VenueKind.MEETING_ROOM: "会议室",
    VenueKind.WOMENS_HOME: "妇女之家",
    VenueKind.CHILDRENS_HOME: "儿童之家",
    VenueKind.PARENTS_SCHOOL: "家长学校",
    VenueKind.ENTERPRISE_OPEN: "企业开放阵地",
}


class SlotSpec(Frozen):
    """Activity slots a venue offers: a pattern such as ``2nd and 4th Saturday
    09:00-11:30`` / ``每月第2、4个周六 09:00-11:30`` / ``2027-03-06 09:00-11:30``,
    optionally only in some months (e.g. school terms for a Parents' School)."""

    pattern: str
    months: tuple[Annotated[int, Field(ge=1, le=12)], ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"pattern": data} if isinstance(data, str) else data

    @field_validator("pattern")
    @classmethod
    def _parses(cls, v: str) -> str:
        parse_pattern(v)  # raises ValueError with examples
        return v

    @property
    def parsed(self) -> Pattern:
        return parse_pattern(self.pattern)


class HostEligibility(Frozen):
    """Who may host at a venue: federations of these bases' chains, of these towns, or
    these federations by id (any of the three)."""

    bases: tuple[Id, ...] = ()
    towns: tuple[Id, ...] = ()
    federations: tuple[Id, ...] = ()


class Venue(Frozen):
    id: Id
    name: str = Field(min_length=1)
    town: Id
    capacity: int = Field(gt=0)
    address: str | None = None
    kind: VenueKind = VenueKind.MEETING_ROOM
    owner: Id | None = None
    """The enterprise federation that opened the venue (``enterprise_open``)."""
    meetings: bool = True
    """Whether joint meetings may be held here."""
    closures: tuple[DateRange, ...] = ()
    slots: tuple[SlotSpec, ...] = ()
    """Activity slots offered for hosting turns (阵地共享)."""
    hosts: HostEligibility | None = None
    """Who may host here. Default: the owner for an enterprise-opened venue with an
    owner, else every hosting federation of the venue's town."""

    def is_closed(self, day: dt.date) -> bool:
        return any(r.contains(day) for r in self.closures)


class Holiday(Frozen):
    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Holiday:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class CalendarSource(StrEnum):
    AUTO = "auto"
    """`chinesecalendar` when it covers the year, else the instance's own table."""
    CHINESECALENDAR = "chinesecalendar"
    INSTANCE = "instance"


class HolidayCalendar(Frozen):
    """Statutory holidays and make-up working days (调休) of the plan year."""

    source: CalendarSource = CalendarSource.AUTO
    holidays: tuple[Holiday, ...] = ()
    makeup_workdays: tuple[dt.date, ...] = ()
    note: str = ""
    """Where the table comes from (e.g. the State Council notice), shown in the summary."""

    @property
    def has_table(self) -> bool:
        return bool(self.holidays)


class RotationRules(Frozen):
    period_months: int = Field(default=2, ge=1, le=12)
    max_unavailable_days: int = Field(default=14, ge=0)
    """A person cannot chair a period in which she is unavailable more days than this."""
    max_terms_per_person: int = Field(default=2, ge=1)
    """Hard cap on terms per person per year, over all bases together."""

    @field_validator("period_months")
    @classmethod
    def _divides_year(cls, v: int) -> int:
        if 12 % v:
            raise ValueError(f"period_months must divide 12 (1, 2, 3, 4, 6 or 12), got {v}")
        return v


class TimeSlot(Frozen):
    start: str
    end: str

    @model_validator(mode="after")
    def _valid(self) -> TimeSlot:
        for v in (self.start, self.end):
            if not _HHMM.match(v):
                raise ValueError(f"time {v!r} is not HH:MM (e.g. 09:00)")
        if self.end <= self.start:
            raise ValueError(f"slot ends at {self.end}, not after its start {self.start}")
        return self

    def times(self) -> tuple[dt.time, dt.time]:
        return dt.time.fromisoformat(self.start), dt.time.fromisoformat(self.end)


class MeetingRules(Frozen):
    slots: tuple[TimeSlot, ...] = (
        TimeSlot(start="09:00", end="11:00"),
        TimeSlot(start="14:30", end="16:30"),
    )
    reminder_minutes: int = Field(default=1440, ge=0)
    """Lead time of the calendar alarm (VALARM) for meetings; 0 for none."""
    earliest_day: int = Field(default=1, ge=1, le=92)
    """Earliest day of the quarter (1 = first day) a meeting may be held."""
    latest_day: int = Field(default=92, ge=1, le=92)
    max_travel_minutes: int | None = Field(default=120, ge=0)
    """A meeting's venue lies at most this many minutes (``travel``) from the base's
    town; None: any venue. Keeps a county's meetings in the county."""

    @model_validator(mode="after")
    def _window(self) -> MeetingRules:
        if self.latest_day < self.earliest_day:
            raise ValueError("latest_day is before earliest_day")
        if not self.slots:
            raise ValueError("at least one meeting slot is needed")
        spans = sorted(s.times() for s in self.slots)
        for (s1, e1), (s2, _) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                raise ValueError(
                    f"meeting slots overlap ({s1:%H:%M}-{e1:%H:%M} and one starting {s2:%H:%M})"
                )
        return self


class HostingRules(Frozen):
    min_gap_days: int = Field(default=14, ge=1)
    """Two turns of one federation are at least this many days apart."""
    allow_empty: bool = False
    """Whether a slot may stay without a host (each empty slot is then penalised and
    listed in `unfilled`)."""
    reminder_minutes: int = Field(default=1440, ge=0)


class Theme(Frozen):
    """A themed activity held at every venue of a kind, on the usable slot nearest its
    date within ``window_days`` (e.g. 三八妇女节 at each Women's Home)."""

    id: Id
    name: str = Field(min_length=1)
    venue_kind: VenueKind
    date: dt.date
    window_days: int = Field(default=14, ge=0)


class Weights(Frozen):
    """Weights of the soft rules; 0 switches a rule off. See docs/rules.md."""

    back_to_back: int = Field(default=100, ge=0)
    short_gap: int = Field(default=10, ge=0)
    uneven_terms: int = Field(default=20, ge=0)
    undesired_period: int = Field(default=30, ge=0)
    not_preferred_period: int = Field(default=5, ge=0)
    missed_attendance: int = Field(default=20, ge=0)
    meeting_outside_town: int = Field(default=5, ge=0)
    late_meeting: int = Field(default=1, ge=0)
    hosting_share: int = Field(default=10, ge=0)
    hosting_carry_over: int = Field(default=5, ge=0)
    hosting_spread: int = Field(default=3, ge=0)
    hosting_outside_town: int = Field(default=5, ge=0)
    theme_off_date: int = Field(default=1, ge=0)
    empty_slot: int = Field(default=50, ge=0)
    unfilled_role: int = Field(default=100, ge=0)
    volunteer_overload: int = Field(default=5, ge=0)
    disliked_kind: int = Field(default=10, ge=0)
    travel_time: int = Field(default=1, ge=0)
    series_change: int = Field(default=3, ge=0)
    no_lead: int = Field(default=30, ge=0)
    care_new_mother: int = Field(default=50, ge=0)
    care_outside_town: int = Field(default=5, ge=0)
    festival_off_date: int = Field(default=2, ge=0)
    # the rotating chair's term of work (models/term.py)
    visit_spread: int = Field(default=3, ge=0)
    regional_chair_load: int = Field(default=3, ge=0)
    late_signature_activity: int = Field(default=1, ge=0)


class ChangeWeights(Frozen):
    """Cost of changing a published decision when re-planning (moving a rotation term
    costs more than swapping a hosting turn)."""

    rotation_term: int = Field(default=10, ge=0)
    meeting: int = Field(default=5, ge=0)
    hosting_turn: int = Field(default=2, ge=0)
    volunteer: int = Field(default=1, ge=0)
    """Per volunteer assignment added or removed."""
    care_visit: int = Field(default=1, ge=0)
    care_pair: int = Field(default=20, ge=0)
    term_visit: int = Field(default=2, ge=0)
    """Per enterprise visit moved (its day, time or attendees)."""
    signature_activity: int = Field(default=3, ge=0)


class HistoryTerm(Frozen):
    base: Id
    year: int
    period: int = Field(ge=1)
    chair: Id


class HostingHistory(Frozen):
    federation: Id
    year: int
    turns: int = Field(ge=0)


class History(Frozen):
    rotation: tuple[HistoryTerm, ...] = ()
    hosting: tuple[HostingHistory, ...] = ()
    """Hosting turns per federation in earlier years (carry-over)."""
    care: tuple[CareHistory, ...] = ()
    """Last years' caring-mother pairs (a child is not handed to a new mother lightly)."""


class RotationPin(Frozen):
    base: Id
    period: int = Field(ge=1)
    chair: Id
    reason: str = ""
    """Why the decision is fixed (shown in the summary)."""


class MeetingPin(Frozen):
    base: Id
    quarter: int = Field(ge=1, le=4)
    date: dt.date | None = None
    venue: Id | None = None
    slot: int | None = Field(default=None, ge=1)
    """1-based index into `meetings.slots`."""
    reason: str = ""


class HostingPin(Frozen):
    venue: Id
    date: dt.date
    federation: Id
    start: str | None = None
    """HH:MM, needed only when the venue offers two slots that day."""
    reason: str = ""


class VolunteeringPin(Frozen):
    activity: Id
    person: Id
    role: str
    reason: str = ""


class Pins(Frozen):
    rotation: tuple[RotationPin, ...] = ()
    meetings: tuple[MeetingPin, ...] = ()
    hosting: tuple[HostingPin, ...] = ()
    volunteering: tuple[VolunteeringPin, ...] = ()


class Instance(Frozen):
    """A whole planning problem for one year."""

    id: Id
    name: str = ""
    year: int = Field(ge=2000, le=2100)
    timezone: Literal["Asia/Shanghai"] = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    calendar: HolidayCalendar = HolidayCalendar()
    rotation: RotationRules = RotationRules()
    meetings: MeetingRules = MeetingRules()
    hosting: HostingRules = HostingRules()
    weights: Weights = Weights()
    change_weights: ChangeWeights = ChangeWeights()
    towns: tuple[Town, ...] = ()
    people: tuple[Person, ...] = ()
    federations: tuple[Federation, ...] = ()
    venues: tuple[Venue, ...] = ()
    themes: tuple[Theme, ...] = ()
    volunteering: VolunteerRules = VolunteerRules()
    activities: tuple[Activity, ...] = ()
    travel: tuple[TravelTime, ...] = ()
    children: tuple[Child, ...] = ()
    care: CareRules = CareRules()
    terms: tuple[BaseTerm, ...] = ()
    """The rotating chair's term of work per base (models/term.py)."""
    history: History = History()
    pins: Pins = Pins()

    # Derived from the fields once, after validation; equal instances have equal indices.
    _by_id: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)

    def _ids(self) -> dict[str, dict[str, Any]]:
        # ``self._by_id`` goes through pydantic's __getattr__ (about 3 us); the slot
        # behind it is read directly: model building looks people up ~50,000 times.
        return self.__pydantic_private__["_by_id"]  # type: ignore[index]

    # -- derived views -------------------------------------------------------------

    @property
    def periods(self) -> int:
        return 12 // self.rotation.period_months

    @property
    def bases(self) -> tuple[Federation, ...]:
        cached = self._ids().get("_bases")
        if cached is None:
            cached = self._ids()["_bases"] = {
                "all": tuple(f for f in self.federations if f.kind is FederationKind.BASE)}
        return cached["all"]

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Instance:
        """A copy; with ``update``, validated again (pydantic's own copy skips validation,
        which would leave the id indices and cross-reference checks stale)."""
        if update:
            data = {name: getattr(self, name) for name in type(self).model_fields}
            return type(self).model_validate({**data, **update})
        return super().model_copy(deep=deep)

    def person(self, pid: str) -> Person:
        return self._ids()["people"][pid]

    def federation(self, fid: str) -> Federation:
        return self._ids()["federations"][fid]

    def venue(self, vid: str) -> Venue:
        return self._ids()["venues"][vid]

    def town(self, tid: str) -> Town:
        return self._ids()["towns"][tid]

    def activity(self, aid: str) -> Activity:
        return self._activities()[aid]

    def has_activity(self, aid: str) -> bool:
        return aid in self._activities()

    def _activities(self) -> dict[str, Activity]:
        table = self._ids().get("_activities")
        if table is None:
            table = self._ids()["_activities"] = {a.id: a for a in self.activities}
        return table

    def travel_minutes(self, a: str | None, b: str | None) -> int:
        """Minutes between two towns (0 within a town; the default when not listed)."""
        if a is None or b is None or a == b:
            return 0
        table = self._ids().get("_travel")
        if table is None:
            table = self._ids()["_travel"] = {}
            for t in self.travel:
                table[t.a, t.b] = table[t.b, t.a] = t.minutes
        return table.get((a, b), self.volunteering.default_travel_minutes)

    def activity_town(self, activity: Activity) -> str | None:
        if activity.town is not None:
            return activity.town
        return self.venue(activity.venue).town if activity.venue else None

    def town_name(self, tid: str | None) -> str:
        return self.town(tid).name if tid and tid in self._ids()["towns"] else (tid or "")

    def _fed_raw(self, fid: str) -> Federation:
        """Lookup usable during validation (before the indices exist)."""
        return next(f for f in self.federations if f.id == fid)

    def memo(self, key: str, build: Callable[[Instance], Any]) -> Any:
        """``build(self)``, computed once per instance (instances are immutable): the
        indexes the solver, the pre-checks, the exports and the baseline share."""
        value = self._ids().get(key)
        if value is None:
            value = self._ids()[key] = build(self)
        return value

    def towns_within(self, town: str | None, minutes: int | None) -> frozenset | None:
        """The towns (and None: no town) that may lie within ``minutes`` of ``town``, or
        None when any town may (unlisted pairs are ``default_travel_minutes`` apart and
        that is within reach). A superset: callers still check ``travel_minutes``. Lets
        a province's lookups try a town's listed neighbours instead of every town."""
        if town is None or minutes is None or \
                self.volunteering.default_travel_minutes <= minutes:
            return None
        table = self._ids().get("_neighbours")
        if table is None:
            table = self._ids()["_neighbours"] = {}
            for t in self.travel:
                table.setdefault(t.a, set()).add(t.b)
                table.setdefault(t.b, set()).add(t.a)
        return frozenset({town, None, *table.get(town, ())})

    def meeting_venues(self, base_id: str, any_size: bool = False) -> tuple[str, ...]:
        """Venues a base's joint meeting may use: they take meetings, seat every expected
        attendee (unless ``any_size``: every venue in reach) and lie within
        ``meetings.max_travel_minutes`` of the base's town."""
        key = (base_id, any_size)
        cache = self._ids().setdefault("_meeting_venues", {})
        if key not in cache:
            need = len(self.meeting_attendees(base_id))
            town, reach = self.federation(base_id).town, self.meetings.max_travel_minutes
            near = self.towns_within(town, reach)
            if near is None:
                venues = list(self.venues)
            else:
                by_town = self._ids().get("_venues_by_town")
                if by_town is None:
                    by_town = self._ids()["_venues_by_town"] = {}
                    for k, v in enumerate(self.venues):
                        by_town.setdefault(v.town, []).append(k)
                venues = [self.venues[k] for k in sorted(k for t in near
                                                         for k in by_town.get(t, ()))]
            cache[key] = tuple(
                v.id for v in venues
                if (any_size or (v.meetings and v.capacity >= need))
                and (reach is None or self.travel_minutes(town, v.town) <= reach))
        return cache[key]

    def meeting_attendees(self, base_id: str) -> tuple[str, ...]:
        """Who is expected at a base's joint meeting (联席会), in a stable order.

        The presidium, the chairs of the federations of the base's chain, the chair
        of the town federation of the base's town, and the base's invited guests.
        """
        cache = self._ids().setdefault("_attendees", {})
        if base_id in cache:
            return cache[base_id]
        index = self._ids().get("_chairs")
        if index is None:  # one pass over the federations, for every base
            index = self._ids()["_chairs"] = {"parent": {}, "town": {}}
            for f in self.federations:
                if f.parent and f.chair:
                    index["parent"].setdefault(f.parent, []).append(f.chair)
                if f.kind is FederationKind.TOWN and f.town and f.chair:
                    index["town"].setdefault(f.town, []).append(f.chair)
        base = self.federation(base_id)
        out: list[str] = list(base.presidium)
        out += index["parent"].get(base_id, [])
        out += index["town"].get(base.town, []) if base.town else []
        out.extend(base.invited)
        cache[base_id] = tuple(dict.fromkeys(out))
        return cache[base_id]
        if not cache:  # one pass over the federations for every base
            children: dict[str, list[str]] = {}
            town_chairs: dict[str, list[str]] = {}
            for f in self.federations:
                if f.parent and f.chair:
                    children.setdefault(f.parent, []).append(f.chair)
                if f.kind is FederationKind.TOWN and f.town and f.chair:
                    town_chairs.setdefault(f.town, []).append(f.chair)
            for base in self.bases:
                out: list[str] = list(base.presidium)
                out += children.get(base.id, [])
                out += town_chairs.get(base.town, []) if base.town else []
                out.extend(base.invited)
                cache[base.id] = tuple(dict.fromkeys(out))
        return cache[base_id]

    # -- validation ----------------------------------------------------------------

    @model_validator(mode="after")
    def _check_references(self) -> Instance:
        errors: list[str] = []

        def unique(name: str, items: tuple) -> set[str]:
            seen: set[str] = set()
            for i, e in enumerate(items):
                if e.id in seen:
                    errors.append(f"{name}[{i}].id: duplicate id {e.id!r}; ids must be unique")
                seen.add(e.id)
            return seen

        towns = unique("towns", self.towns)
        people = unique("people", self.people)
        feds = unique("federations", self.federations)
        venues = unique("venues", self.venues)
        bases = {f.id for f in self.federations if f.kind is FederationKind.BASE}

        def ref(path: str, value: str | None, known: set[str], what: str) -> None:
            if value is not None and value not in known:
                hint = f" (known: {', '.join(sorted(known)[:8])}{'…' if len(known) > 8 else ''})"
                errors.append(f"{path}: unknown {what} {value!r}{hint if known else ''}")

        n_periods = self.periods
        for i, p in enumerate(self.people):
            ref(f"people[{i}].town", p.town, towns, "town")
            for key in ("preferred_periods", "undesired_periods"):
                for v in getattr(p, key):
                    if v > n_periods:
                        errors.append(
                            f"people[{i}].{key}: period {v} does not exist "
                            f"(the year has periods 1..{n_periods})"
                        )
            for j, r in enumerate(p.unavailable):
                if r.end.year < self.year or r.start.year > self.year:
                    errors.append(
                        f"people[{i}].unavailable[{j}]: {r.start}..{r.end} lies outside {self.year}"
                    )
        for i, f in enumerate(self.federations):
            ref(f"federations[{i}].town", f.town, towns, "town")
            ref(f"federations[{i}].chair", f.chair, people, "person")
            for j, v in enumerate(f.vice_chairs):
                ref(f"federations[{i}].vice_chairs[{j}]", v, people, "person")
            for j, v in enumerate(f.invited):
                ref(f"federations[{i}].invited[{j}]", v, people, "person")
            if f.parent is not None:
                if f.parent not in feds:
                    ref(f"federations[{i}].parent", f.parent, feds, "federation")
                elif f.parent not in bases:
                    errors.append(
                        f"federations[{i}].parent: {f.parent!r} is not a base federation "
                        "(kind: base)"
                    )
        for i, f in enumerate(self.federations):
            if f.hosting is not None:
                ref(f"federations[{i}].hosting.contact", f.hosting.contact, people, "person")
                if f.hosting.contact is None and f.chair is None:
                    errors.append(
                        f"federations[{i}].hosting: {f.id!r} hosts turns but has neither a "
                        "`hosting.contact` nor a `chair` to run them; add one"
                    )
        for i, v in enumerate(self.venues):
            ref(f"venues[{i}].town", v.town, towns, "town")
            ref(f"venues[{i}].owner", v.owner, feds, "federation")
            if v.hosts is not None:
                if not v.slots:
                    errors.append(f"venues[{i}].hosts: {v.id!r} names hosts but offers no "
                                  "`slots`; add its activity slots or drop `hosts`")
                for j, b in enumerate(v.hosts.bases):
                    ref(f"venues[{i}].hosts.bases[{j}]", b, bases, "base federation")
                for j, t in enumerate(v.hosts.towns):
                    ref(f"venues[{i}].hosts.towns[{j}]", t, towns, "town")
                for j, fid in enumerate(v.hosts.federations):
                    ref(f"venues[{i}].hosts.federations[{j}]", fid, feds, "federation")
                    if fid in feds and self._fed_raw(fid).hosting is None:
                        errors.append(
                            f"venues[{i}].hosts.federations[{j}]: {fid!r} has no `hosting` "
                            "parameters (weight, min/max turns, contact); add them"
                        )
            spans: dict[dt.date, list[tuple[dt.time, dt.time, int]]] = {}
            for j, spec in enumerate(v.slots):
                pat = spec.parsed
                for day in pat.dates(self.year, spec.months):
                    for (s0, e0, k) in spans.get(day, []):
                        if pat.start < e0 and s0 < pat.end:
                            errors.append(
                                f"venues[{i}].slots[{j}]: {spec.pattern!r} overlaps "
                                f"slots[{k}] on {day} ({s0:%H:%M}-{e0:%H:%M}); a venue "
                                "holds one activity at a time -- change a time or a day"
                            )
                            break
                    else:
                        spans.setdefault(day, []).append((pat.start, pat.end, j))
                        continue
                    break
            for j, r in enumerate(v.closures):
                if r.end.year < self.year or r.start.year > self.year:
                    errors.append(
                        f"venues[{i}].closures[{j}]: {r.start}..{r.end} lies outside {self.year}"
                    )
        acts: set[str] = set()
        for i, a in enumerate(self.activities):
            if a.id in acts:
                errors.append(f"activities[{i}].id: duplicate id {a.id!r}; ids must be unique")
            acts.add(a.id)
            ref(f"activities[{i}].town", a.town, towns, "town")
            ref(f"activities[{i}].venue", a.venue, venues, "venue")
            if a.date.year != self.year:
                errors.append(f"activities[{i}].date: {a.date} is not in {self.year}")
        for i, t in enumerate(self.travel):
            ref(f"travel[{i}].a", t.a, towns, "town")
            ref(f"travel[{i}].b", t.b, towns, "town")
        for i, p in enumerate(self.people):
            if p.volunteer is not None:
                ref(f"people[{i}].volunteer.federation", p.volunteer.federation, feds,
                    "federation")
        for i, vp in enumerate(self.pins.volunteering):
            ref(f"pins.volunteering[{i}].activity", vp.activity, acts, "activity")
            ref(f"pins.volunteering[{i}].person", vp.person, people, "person")
        codes: set[str] = set()
        for i, c in enumerate(self.children):
            if c.code in codes:
                errors.append(f"children[{i}].code: duplicate code {c.code!r}")
            codes.add(c.code)
            ref(f"children[{i}].town", c.town, towns, "town")
        mothers = {p.id for p in self.people if p.caring_mother}
        if self.children and not mothers:
            errors.append("children: there are children but no caring mother "
                          "(people[].caring_mother: true)")
        for i, h in enumerate(self.history.care):
            ref(f"history.care[{i}].child", h.child, codes, "child")
            ref(f"history.care[{i}].mother", h.mother, people, "person")
            if h.year >= self.year:
                errors.append(
                    f"history.care[{i}].year: {h.year} is not before the plan year {self.year}")
        if self.children and self.care.festivals_per_year > len(self.care.festivals):
            errors.append(
                f"care.festivals_per_year: {self.care.festivals_per_year} festival visits a "
                f"year but only {len(self.care.festivals)} festivals are listed under "
                f"care.festivals; add festivals (春节, 元宵, 六一, 中秋, 重阳…) or lower it")
        for i, f in enumerate(self.care.festivals):
            if f.date.year != self.year:
                errors.append(f"care.festivals[{i}].date: {f.date} is not in {self.year}")
        for i, th in enumerate(self.themes):
            if th.date.year != self.year:
                errors.append(f"themes[{i}].date: {th.date} is not in {self.year}")
        for i, hh in enumerate(self.history.hosting):
            ref(f"history.hosting[{i}].federation", hh.federation, feds, "federation")
            if hh.year >= self.year:
                errors.append(
                    f"history.hosting[{i}].year: {hh.year} is not before the plan year {self.year}"
                )
        for i, hp in enumerate(self.pins.hosting):
            ref(f"pins.hosting[{i}].venue", hp.venue, venues, "venue")
            ref(f"pins.hosting[{i}].federation", hp.federation, feds, "federation")
            if hp.date.year != self.year:
                errors.append(f"pins.hosting[{i}].date: {hp.date} is not in {self.year}")
            if hp.start is not None and not _HHMM.match(hp.start):
                errors.append(f"pins.hosting[{i}].start: {hp.start!r} is not HH:MM")
        for i, h in enumerate(self.history.rotation):
            ref(f"history.rotation[{i}].base", h.base, bases, "base federation")
            ref(f"history.rotation[{i}].chair", h.chair, people, "person")
            if h.year >= self.year:
                errors.append(
                    f"history.rotation[{i}].year: {h.year} is not before the plan year {self.year}"
                )
        for i, pin in enumerate(self.pins.rotation):
            ref(f"pins.rotation[{i}].base", pin.base, bases, "base federation")
            ref(f"pins.rotation[{i}].chair", pin.chair, people, "person")
            if pin.period > n_periods:
                errors.append(
                    f"pins.rotation[{i}].period: {pin.period} does not exist "
                    f"(the year has periods 1..{n_periods})"
                )
            if pin.base in bases and pin.chair in people:
                base = next(f for f in self.federations if f.id == pin.base)
                if pin.chair not in base.presidium:
                    errors.append(
                        f"pins.rotation[{i}].chair: {pin.chair!r} is not on the presidium of "
                        f"{pin.base!r} ({', '.join(base.presidium)})"
                    )
        seen_pins: set[tuple[str, int]] = set()
        for i, pin in enumerate(self.pins.rotation):
            if (pin.base, pin.period) in seen_pins:
                errors.append(
                    f"pins.rotation[{i}]: base {pin.base!r} period {pin.period} is pinned twice"
                )
            seen_pins.add((pin.base, pin.period))
        for i, mp in enumerate(self.pins.meetings):
            ref(f"pins.meetings[{i}].base", mp.base, bases, "base federation")
            ref(f"pins.meetings[{i}].venue", mp.venue, venues, "venue")
            if mp.date is not None and (mp.date.year != self.year or
                                        (mp.date.month - 1) // 3 + 1 != mp.quarter):
                errors.append(
                    f"pins.meetings[{i}].date: {mp.date} is not in quarter {mp.quarter} of "
                    f"{self.year}"
                )
            if mp.slot is not None and mp.slot > len(self.meetings.slots):
                errors.append(
                    f"pins.meetings[{i}].slot: {mp.slot} does not exist "
                    f"(meetings.slots has {len(self.meetings.slots)})"
                )
        for i, h in enumerate(self.calendar.holidays):
            if h.start.year != self.year and h.end.year != self.year:
                errors.append(
                    f"calendar.holidays[{i}] ({h.name}): {h.start}..{h.end} lies outside "
                    f"{self.year}"
                )
        _check_term_references(self, errors)
        if errors:
            raise ValueError("\n".join(errors))
        self._by_id = {
            name: {e.id: e for e in getattr(self, name)}
            for name in ("towns", "people", "federations", "venues")
        }
        return self
