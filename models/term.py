"""The rotating chair's term of work (轮值期间的工作): enterprise visits (走访联系企业) and a
signature activity (特色活动) in each period, with the base's regional chair (区域主席).

The seed: "轮值期间，由轮值主席配合区域主席组织开展策划特色活动、走访联系企业". An instance
lists one :class:`BaseTerm` per base under ``terms:``; a base without one has no term
duties (and an instance without ``terms`` plans exactly as before).

Everything derived here (which enterprises a base visits, which candidate days and
times a visit or an activity may use, the visit ids) is plain Python shared by the
solver, the checker, the pre-checks and the exporters, so that they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AwareDatetime, Field, model_validator

from .common import _HHMM, Frozen, Id, hhmm_minutes

# This module is imported by models/instance.py, so it cannot import it back: the
# instance, a venue and the work calendar are typed loosely, kinds compared by value.
Instance = Any
Venue = Any
WorkCalendar = Any

Weekday = Annotated[int, Field(ge=1, le=7)]
"""ISO weekday: 1 = Monday … 7 = Sunday."""


def _check_times(times: tuple[str, ...], what: str) -> None:
    for t in times:
        if not _HHMM.match(t):
            raise ValueError(f"{what}: {t!r} is not HH:MM (e.g. 09:30)")
    if not times:
        raise ValueError(f"{what}: at least one start time is needed")


class SignatureActivity(Frozen):
    """The signature activity (特色活动) a base holds in every period."""

    kind: str = Field(default="特色活动", min_length=1)
    """What it is, in words (e.g. 巾帼创业沙龙, 亲子阅读会)."""
    minutes: int = Field(default=120, gt=0, le=720)
    venues: tuple[Id, ...] = ()
    """Where it may take place. Empty: the base's own venues (Women's Home, Children's
    Home, Parents' School of its town) and the venues its enterprises opened."""
    weekdays: tuple[Weekday, ...] = (1, 2, 3, 4, 5)
    times: tuple[str, ...] = ("14:30",)
    working_days_only: bool = True
    """Only on working days (no statutory holiday; a make-up working day counts as one)."""

    @model_validator(mode="after")
    def _valid(self) -> SignatureActivity:
        _check_times(self.times, "times")
        for t in self.times:
            if hhmm_minutes(t) + self.minutes > 24 * 60:
                raise ValueError(f"times: an activity starting {t} would end after midnight")
        return self


class BaseTerm(Frozen):
    """The term duties of one base: its regional chair, the enterprise visits and the
    signature activity of every period (docs/rules.md: term_visits, signature_activity)."""

    base: Id
    regional_chair: Id
    """The regional chair (区域主席) who attends every visit and activity with the
    period's rotating chair; the same person may serve several bases."""
    enterprises: tuple[Id, ...] = ()
    """The federations visited. Empty: every enterprise federation whose parent is the
    base."""
    visits_per_year: int = Field(default=2, ge=0)
    """Each enterprise is visited this many times; visit k falls in round k (the year's
    periods cut into ``visits_per_year`` consecutive rounds), so no enterprise is
    visited twice before every other one once."""
    visit_minutes: int = Field(default=90, gt=0, le=720)
    visit_weekdays: tuple[Weekday, ...] = (1, 2, 3, 4, 5)
    visit_times: tuple[str, ...] = ("09:30", "14:30")
    activity: SignatureActivity | None = SignatureActivity()
    """None: no signature activity for this base."""

    @model_validator(mode="after")
    def _valid(self) -> BaseTerm:
        _check_times(self.visit_times, "visit_times")
        if len(set(self.enterprises)) != len(self.enterprises):
            raise ValueError("enterprises lists a federation twice")
        return self


# -- plan entries -----------------------------------------------------------------------


class TermVisit(Frozen):
    """One enterprise visit (plan.json ``term_visits``)."""

    id: str
    """``visit-<base>-<year>-p<period>-<enterprise>``."""
    base: str
    period: int
    enterprise: str
    start: AwareDatetime
    end: AwareDatetime
    town: str | None = None
    chair: str
    regional_chair: str
    contact: str | None = None
    """The enterprise's contact person (its hosting contact, else its chair)."""


class SignatureEvent(Frozen):
    """One period's signature activity (plan.json ``signature_activities``)."""

    id: str
    """``signature-<base>-<year>-p<period>``."""
    base: str
    period: int
    kind: str
    start: AwareDatetime
    end: AwareDatetime
    venue: str
    chair: str
    regional_chair: str


# -- derived data shared by solver, checker and exports ------------------------------


def visit_id(base: str, year: int, period: int, enterprise: str) -> str:
    return f"visit-{base}-{year}-p{period}-{enterprise}"


def signature_id(base: str, year: int, period: int) -> str:
    return f"signature-{base}-{year}-p{period}"


def term_of(instance: Instance, base: str) -> BaseTerm | None:
    table = instance.memo("_terms", lambda inst: {t.base: t for t in inst.terms})
    return table.get(base)


def visited(instance: Instance, term: BaseTerm) -> tuple[str, ...]:
    """The federations a base visits (``enterprises``, else its enterprise federations)."""
    if term.enterprises:
        return term.enterprises
    return tuple(f.id for f in instance.federations
                 if f.parent == term.base and f.kind == "enterprise")


def contact(instance: Instance, enterprise: str) -> str | None:
    """The person an enterprise's visits need: its hosting contact, else its chair."""
    fed = instance.federation(enterprise)
    if fed.hosting is not None and fed.hosting.contact:
        return fed.hosting.contact
    return fed.chair


def round_of(period: int, periods: int, rounds: int) -> int:
    """The round (1..rounds) a period belongs to: the periods cut into ``rounds``
    consecutive runs as evenly as possible."""
    return (period - 1) * rounds // periods + 1


def round_periods(k: int, periods: int, rounds: int) -> list[int]:
    return [t for t in range(1, periods + 1) if round_of(t, periods, rounds) == k]


def allowed_day(day: dt.date, weekdays: tuple[int, ...], calendar: WorkCalendar,
                working_only: bool = True) -> bool:
    return day.isoweekday() in weekdays and (not working_only or calendar.is_workday(day))


def activity_venues(instance: Instance, term: BaseTerm) -> tuple[str, ...]:
    """Where a base's signature activity may take place."""
    act = term.activity
    if act is None:
        return ()
    if act.venues:
        return act.venues
    base = instance.federation(term.base)
    members, by_town, by_owner = instance.memo("_term_venues", _venue_index)
    found = list(by_town.get(base.town, ()))
    for owner in (term.base, *members.get(term.base, ())):
        found += by_owner.get(owner, ())
    return tuple(vid for _, vid in sorted(found))


def _venue_index(instance: Instance) -> tuple[dict, dict, dict]:
    """For :func:`activity_venues`, built once (a province has thousands of venues):
    base -> the federations under it; town -> its Women's Home, Children's Home and
    Parents' School; owner -> the venues it opened; venues as (instance order, id)."""
    members: dict = {}
    for f in instance.federations:
        if f.parent is not None:
            members.setdefault(f.parent, []).append(f.id)
    by_town: dict = {}
    by_owner: dict = {}
    shared = ("womens_home", "childrens_home", "parents_school")
    for k, v in enumerate(instance.venues):
        if v.kind in shared:
            by_town.setdefault(v.town, []).append((k, v.id))
        elif v.kind == "enterprise_open":
            by_owner.setdefault(v.owner, []).append((k, v.id))
    return members, by_town, by_owner


def venue_busy(instance: Instance, venue: Venue, day: dt.date, start: int, end: int,
               offered: dict) -> str | None:
    """Why the venue cannot hold a signature activity at ``start..end`` (minutes) on
    ``day``, or None: closed, an offered (usable) hosting slot or an activity held there
    at an overlapping time. ``offered`` maps (venue, date) to usable slots' minute spans
    (hosting turns fill them: the activity does not take a hosting turn's place)."""
    if venue.is_closed(day):
        return "closed"
    for s, e in offered.get((venue.id, day), ()):
        if start < e and s < end:
            return "hosting slot"
    held = instance.memo("_activities_by_venue_day", _activities_by_venue_day)
    for a in held.get((venue.id, day), ()):
        s, e = a.minutes
        if start < e and s < end:
            return f"activity {a.id}"
    return None


def _activities_by_venue_day(instance: Instance) -> dict[tuple[str, dt.date], list]:
    out: dict[tuple[str, dt.date], list] = {}
    for a in instance.activities:
        if a.venue is not None:
            out.setdefault((a.venue, a.date), []).append(a)
    return out


def check_references(instance: Instance, errors: list[str]) -> None:
    """Cross-references of ``terms`` (called from Instance._check_references)."""
    people = {p.id for p in instance.people}
    feds = {f.id: f for f in instance.federations}
    venues = {v.id for v in instance.venues}
    seen: set[str] = set()
    for i, t in enumerate(instance.terms):
        where = f"terms[{i}]"
        base = feds.get(t.base)
        if base is None or base.kind != "base":
            errors.append(f"{where}.base: {t.base!r} is not a base federation (kind: base)")
        if t.base in seen:
            errors.append(f"{where}.base: {t.base!r} has two term entries")
        seen.add(t.base)
        if t.regional_chair not in people:
            errors.append(f"{where}.regional_chair: unknown person {t.regional_chair!r}")
        for j, e in enumerate(t.enterprises):
            if e not in feds:
                errors.append(f"{where}.enterprises[{j}]: unknown federation {e!r}")
            elif feds[e].chair is None and (feds[e].hosting is None
                                            or feds[e].hosting.contact is None):
                errors.append(f"{where}.enterprises[{j}]: {e!r} has no chair or hosting "
                              "contact to receive the visits; add one")
        if t.visits_per_year > instance.periods:
            errors.append(f"{where}.visits_per_year: {t.visits_per_year} visits a year but "
                          f"only {instance.periods} periods (at most one per period)")
        if t.activity is not None:
            for j, v in enumerate(t.activity.venues):
                if v not in venues:
                    errors.append(f"{where}.activity.venues[{j}]: unknown venue {v!r}")


def term_people(instance: Instance, base: str) -> set[str]:
    """Who a base's term duties involve besides its presidium: the regional chair and
    the contacts of the visited enterprises."""
    term = term_of(instance, base)
    if term is None:
        return set()
    out = {term.regional_chair}
    for e in visited(instance, term):
        if e in instance._by_id["federations"]:
            c = contact(instance, e)
            if c is not None:
                out.add(c)
    return out
