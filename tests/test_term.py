"""The rotating chair's term of work (docs/rules.md: term_visits, term_visit_attendance,
signature_activity, term_no_double_booking; visit_spread, regional_chair_load,
late_signature_activity): one small instance per rule, with the expectation derived by
hand. Plan year 2026 (covered by chinesecalendar); every solved plan goes through the
independent checker and its recomputed score must equal the solver's objective.
"""

from __future__ import annotations

import datetime as dt

import pytest

from xinglian.checker import check, score
from xinglian.models import Instance
from xinglian.solver import solve

SOFT_OFF = {
    "back_to_back": 0, "short_gap": 0, "uneven_terms": 0, "undesired_period": 0,
    "not_preferred_period": 0, "missed_attendance": 0, "meeting_outside_town": 0,
    "late_meeting": 0, "visit_spread": 0, "regional_chair_load": 0,
    "late_signature_activity": 0,
}


def make(*, bases=None, enterprises=None, terms=None, people=None, weights=None,
         **extra) -> Instance:
    """Base ``A`` (presidium a1, a2, a3) in 霞美 with enterprises e1, e2 (chairs x1, x2);
    regional chair r. Visits once a year on Tuesdays 09:30 (90 min); the signature
    activity at the Women's Home on weekdays 14:30 (120 min)."""
    bases = bases or {"A": ("a1", "a2", "a3")}
    enterprises = enterprises or {"e1": "A", "e2": "A"}
    ids = sorted({p for ms in bases.values() for p in ms} | {"r"}
                 | {f"x{e[1:]}" for e in enterprises} | set(people or {}))
    if terms is None:
        terms = [{"base": b, "regional_chair": "r", "visits_per_year": 1,
                  "visit_weekdays": [2], "visit_times": ["09:30"],
                  "activity": {"kind": "亲子阅读会", "venues": [f"wh-{b}"]}} for b in bases]
    data = {
        "id": "term", "year": 2026, "calendar": {"source": "chinesecalendar"},
        "rotation": {"max_terms_per_person": 6},
        "towns": [{"id": "town", "name": "霞美镇"}, {"id": "far", "name": "金淘镇"}],
        "people": [{"id": p, "name": f"成员{p}", "town": "town", **(people or {}).get(p, {})}
                   for p in ids],
        "federations": [
            {"id": b, "name": f"{b}基地妇联", "kind": "base", "town": "town",
             "chair": ms[0], "vice_chairs": list(ms[1:])} for b, ms in bases.items()
        ] + [{"id": e, "name": f"{e}企业妇联", "kind": "enterprise", "town": "town",
              "parent": b, "chair": f"x{e[1:]}"} for e, b in enterprises.items()],
        "venues": [{"id": "hall", "name": "会议室", "town": "town", "capacity": 30}]
        + [{"id": f"wh-{b}", "name": f"{b}妇女之家", "town": "town", "capacity": 30,
            "kind": "womens_home", "meetings": False} for b in bases],
        "terms": terms,
        "weights": {**SOFT_OFF, **(weights or {})},
    }
    data.update(extra)
    return Instance.model_validate(data)
