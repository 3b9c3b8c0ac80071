"""Input and output data: the instance, the plan, the year's timeline."""

from .instance import (
    CalendarSource,
    DateRange,
    Federation,
    FederationKind,
    Holiday,
    HolidayCalendar,
    Instance,
    Person,
    Town,
    Venue,
    Weights,
)
from .io import InputError, load_instance, load_plan
from .plan import Meeting, Penalty, Plan, RotationTerm, SolveInfo
from .timeline import CalendarError, Timeline, WorkCalendar, work_calendar

__all__ = [
    "CalendarError",
    "CalendarSource",
    "DateRange",
    "Federation",
    "FederationKind",
    "Holiday",
    "HolidayCalendar",
    "InputError",
    "Instance",
    "Meeting",
    "Penalty",
    "Person",
    "Plan",
    "RotationTerm",
    "SolveInfo",
    "Timeline",
    "Town",
    "Venue",
    "Weights",
    "WorkCalendar",
    "load_instance",
    "load_plan",
    "work_calendar",
]
