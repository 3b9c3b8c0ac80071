"""Scale instances: K counties shaped like the bundled full instance.

Each county is a copy of ``nanan-2027-full.yaml`` with every id prefixed by the county
(``k003-p-014``) and its own draws, from the county's seed, of what changes from one
place to another: unavailability dates move by up to a month, preferences are
re-drawn, last year's chairs are rotated. Counties share no person, venue or federation
and lie far apart (travel between them is ``default_travel_minutes = 180``), so a plan of
K counties decomposes into K times the parts of one. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

from ..models.instance import Instance
from ..models.io import load_instance

FULL = Path(__file__).parent / "nanan-2027-full.yaml"

# Keys whose values are ids (or lists of ids) of towns, people, federations, venues,
# activities, children or themes; everything else is copied as is.
_ID_KEYS = {
    "id", "town", "chair", "vice_chairs", "invited", "parent", "owner", "contact", "base",
    "venue", "federation", "federations", "bases", "towns", "person", "mother", "child",
    "code", "activity", "a", "b", "series",
    "regional_chair", "enterprises", "venues",  # terms (models/term.py)
}


def _prefix(value: Any, pre: str) -> Any:
    if isinstance(value, str):
        return pre + value
    if isinstance(value, list):
        return [pre + v for v in value]
    return value


def _rename(node: Any, pre: str) -> Any:
    if isinstance(node, dict):
        return {k: (_prefix(v, pre) if k in _ID_KEYS and v is not None else _rename(v, pre))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rename(x, pre) for x in node]
    return node


def _shift(day: str, days: int, year: int) -> str:
    d = dt.date.fromisoformat(day) + dt.timedelta(days=days)
    d = min(max(d, dt.date(year, 1, 1)), dt.date(year, 12, 31))
    return d.isoformat()


def _pinned_people(base: dict) -> set[str]:
    """People whose availability a pin depends on: a pinned chair, the contact of a
    pinned host, a pinned volunteer. Moving their dates could make the pin impossible."""
    pins = base.get("pins", {})
    contacts = {f["id"]: (f.get("hosting") or {}).get("contact") or f.get("chair")
                for f in base.get("federations", [])}
    out = {p["chair"] for p in pins.get("rotation", [])}
    out |= {contacts.get(p["federation"]) for p in pins.get("hosting", [])}
    out |= {p["person"] for p in pins.get("volunteering", [])}
    return out - {None}


def county(base: dict, k: int, seed: int) -> dict[str, list]:
    """The list-valued sections of county ``k`` (1-based)."""
    rng = random.Random(seed * 100_003 + k)
    pre = f"k{k:03d}-"
    year = base["year"]
    out: dict[str, list] = {}
    people = []
    fixed = _pinned_people(base)
    for p in base.get("people", []):
        p = dict(p)
        spans = []
        for r in p.get("unavailable", []) if p["id"] not in fixed else ():
            move = rng.randint(-30, 30)
            start, end = _shift(str(r["start"]), move, year), _shift(str(r["end"]), move, year)
            spans.append({**r, "start": start, "end": end})
        if spans:
            p["unavailable"] = spans  # (a pinned person keeps her dates: the pin holds)
        if p.get("preferred_periods"):
            p["preferred_periods"] = sorted(rng.sample(range(1, 7), len(p["preferred_periods"])))
        people.append(p)
    out["people"] = people
    for key in ("towns", "federations", "venues", "activities", "travel", "children",
                "terms"):
        out[key] = list(base.get(key, []))
    history = base.get("history", {})
    rotation = [dict(h) for h in history.get("rotation", [])]
    by_base: dict[str, list[dict]] = {}
    for h in rotation:
        by_base.setdefault(h["base"], []).append(h)
    for terms in by_base.values():  # last year's order, rotated by a county draw
        chairs = [t["chair"] for t in terms]
        turn = rng.randrange(len(chairs)) if chairs else 0
        for t, c in zip(terms, chairs[turn:] + chairs[:turn], strict=True):
            t["chair"] = c
    out["history.rotation"] = rotation
    out["history.hosting"] = list(history.get("hosting", []))
    out["history.care"] = list(history.get("care", []))
    pins = base.get("pins", {})
    for key in ("rotation", "meetings", "hosting", "volunteering"):
        out[f"pins.{key}"] = list(pins.get(key, []))
    renamed = {key: _rename(value, pre) for key, value in out.items()}
    for town in renamed["towns"]:
        town["name"] = f"{town['name']}（{k}县）"
    return renamed


def generate(scale: int, seed: int = 0) -> Instance:
    """An instance of ``scale`` counties (validated)."""
    if scale < 1:
        raise ValueError("--scale must be at least 1")
    base = yaml.load(FULL.read_text(encoding="utf-8"),
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    data: dict[str, Any] = {k: v for k, v in base.items()
                            if k not in ("people", "towns", "federations", "venues", "themes",
                                         "activities", "travel", "children", "history",
                                         "pins", "terms")}
    data["id"] = f"scale-{scale}-seed-{seed}"
    data["name"] = f"星链工程 {scale} 县规模实例（种子 {seed}）"
    data["volunteering"] = {**base.get("volunteering", {}), "default_travel_minutes": 180}
    merged: dict[str, list] = {}
    for k in range(1, scale + 1):
        for key, items in county(base, k, seed).items():
            merged.setdefault(key, []).extend(items)
    for key in ("people", "towns", "federations", "venues", "activities", "travel",
                "children", "terms"):
        data[key] = merged[key]
    # Themes (三八妇女节 at every Women's Home...) are the same in every county: a theme
    # applies to every venue of its kind, so it is listed once, not once per county.
    data["themes"] = base.get("themes", [])
    data["history"] = {"rotation": merged["history.rotation"],
                       "hosting": merged["history.hosting"], "care": merged["history.care"]}
    data["pins"] = {key: merged[f"pins.{key}"]
                    for key in ("rotation", "meetings", "hosting", "volunteering")}
    return Instance.model_validate(data)


def write(instance: Instance, path: Path) -> Path:
    """Write as YAML (temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    text = yaml.dump(instance.model_dump(mode="json", exclude_defaults=True),
                     Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                     allow_unicode=True, sort_keys=False, width=100)
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = ["FULL", "county", "generate", "load_instance", "write"]
