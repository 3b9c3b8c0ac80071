"""Who has a feed: the people, venues and federations of a plan directory's instance,
with the names and roles that the admin page and the QR cards print."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from ..models import load_instance
from ..models.instance import FederationKind, Instance

KIND_ZH = {"person": "个人", "venue": "场地", "federation": "妇联"}


@dataclass(frozen=True)
class Subject:
    kind: str
    id: str
    name: str
    role: str = ""
    has_calendar: bool = False
    """Whether the plan directory has a ``calendars/<kind>-<id>.ics`` for it."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.id)


def person_roles(instance: Instance) -> dict[str, str]:
    """person id -> her roles in Chinese (e.g. ``霞美片区产业基地妇联 副主席、爱心妈妈``)."""
    roles: dict[str, list[str]] = {}

    def add(pid: str | None, text: str) -> None:
        if pid is not None and text not in roles.setdefault(pid, []):
            roles[pid].append(text)

    for fed in instance.federations:
        if fed.kind is FederationKind.BASE:
            add(fed.chair, f"{fed.name} 主席")
            for pid in fed.vice_chairs:
                add(pid, f"{fed.name} 副主席")
            for pid in fed.invited:
                add(pid, f"{fed.name} 联席会列席")
        else:
            add(fed.chair, f"{fed.name} 主席")
        if fed.hosting is not None and fed.hosting.contact is not None:
            add(fed.hosting.contact, f"{fed.name} 轮流主办联系人")
    for person in instance.people:
        if person.volunteer is not None:
            add(person.id, "巾帼志愿者")
        if person.caring_mother:
            add(person.id, "爱心妈妈")
    return {pid: "、".join(texts) for pid, texts in roles.items()}


_cache: dict[tuple, list[Subject]] = {}
_lock = threading.Lock()


def subjects(plan_dir: Path) -> list[Subject]:
    """Every person, venue and federation of ``plan_dir/instance.json`` (by kind, then
    id), cached while the file is unchanged."""
    path = Path(plan_dir) / "instance.json"
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    with _lock:
        if key in _cache:
            return _cache[key]
    instance = load_instance(path)
    cal_dir = Path(plan_dir) / "calendars"
    have = {p.name for p in cal_dir.glob("*.ics")} if cal_dir.is_dir() else set()
    roles = person_roles(instance)
    out = [Subject("person", p.id, p.name, roles.get(p.id, ""), f"person-{p.id}.ics" in have)
           for p in sorted(instance.people, key=lambda p: p.id)]
    out += [Subject("venue", v.id, v.name, "场地", f"venue-{v.id}.ics" in have)
            for v in sorted(instance.venues, key=lambda v: v.id)]
    out += [Subject("federation", f.id, f.name, "妇联", f"federation-{f.id}.ics" in have)
            for f in sorted(instance.federations, key=lambda f: f.id)]
    with _lock:
        _cache.clear()
        _cache[key] = out
    return out
