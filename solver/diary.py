"""The construction's bookings (solver/construct.py): everybody's duties by day, with the
travel time between towns, and what each venue holds."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ..models.instance import Instance


class Diary:
    """Everybody's duties by (person, day): ``(start, end, town)`` in minutes."""

    def __init__(self, inst: Instance) -> None:
        self.travel = inst.travel_minutes
        self.people = {p.id: p for p in inst.people}
        self.year = inst.year
        self.off: dict[str, frozenset[dt.date]] = {}
        self.booked: dict[tuple[str, dt.date], list[tuple[int, int, str | None]]] = \
            defaultdict(list)

    def free(self, pid: str, day: dt.date, start: int, end: int, town: str | None) -> bool:
        """Whether ``start..end`` of ``day`` in ``town`` leaves every booked duty of the
        person the travel time between the two towns, before and after."""
        for s, e, where in self.booked.get((pid, day), ()):
            gap = self.travel(town, where)
            if start < e + gap and s < end + gap:
                return False
        return True

    def away(self, pid: str, day: dt.date) -> bool:
        """Whether the person is unavailable that day (``unavailable``)."""
        off = self.off.get(pid)
        if off is None:  # her unavailable days of the plan year, once
            first, last = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
            spans = [(max(r.start, first), min(r.end, last))
                     for r in self.people[pid].unavailable]
            off = self.off[pid] = frozenset(s + dt.timedelta(days=k) for s, e in spans
                                            for k in range((e - s).days + 1))
        return day in off if day.year == self.year else self.people[pid].is_unavailable(day)

    def book(self, pid: str, day: dt.date, start: int, end: int, town: str | None) -> None:
        self.booked[pid, day].append((start, end, town))

    def unbook(self, pid: str, day: dt.date, start: int, end: int, town: str | None) -> None:
        self.booked[pid, day].remove((start, end, town))


class Rooms:
    """What each venue holds by day: ``(start, end)`` minutes."""

    def __init__(self) -> None:
        self.booked: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)

    def free(self, vid: str, day: dt.date, start: int, end: int) -> bool:
        return all(not (start < e and s < end) for s, e in self.booked.get((vid, day), ()))

    def book(self, vid: str, day: dt.date, start: int, end: int) -> None:
        self.booked[vid, day].append((start, end))
