"""Building blocks shared by the instance models."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", min_length=1, max_length=64),
]
"""Ids are ASCII so that they can be used in file names and calendar UIDs."""

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DateRange(Frozen):
    """An inclusive date range ``start..end`` with an optional reason."""

    start: dt.date
    end: dt.date
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}; swap them")
        return self

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def days(self) -> list[dt.date]:
        n = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(n)]


@functools.cache
def hhmm_minutes(value: str) -> int:
    """Minutes after midnight of an ``HH:MM`` string."""
    h, m = value.split(":")
    return int(h) * 60 + int(m)
