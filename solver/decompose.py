"""Split a plan into parts that share no decision, so each is solved on its own.

The rotation and the joint meetings of all bases form one part. Each *hosting group*
(federations and venues linked by "may host at") is its own part unless something ties
it to another part:

- a slot of the group could clash in time with a joint meeting (its venue takes
  meetings, or a contact person of the group is expected at a meeting) -- then it is
  merged into the rotation part;
- a person is the contact of federations in two groups -- then those groups merge.

Parts share no variable and no constraint, and the objective is a sum over parts, so
solving them apart gives the same optimum as solving them together, and the sums of
their objectives and bounds are the plan's.
"""

from __future__ import annotations

import datetime as dt

from ..models.hosting import contact_of, eligible, expand_slots
from ..models.instance import Instance
from ..models.timeline import Timeline
from .context import Part


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def _meeting_times(instance: Instance, timeline: Timeline) -> dict[dt.date, list]:
    """Working days in some quarter's meeting window -> the meeting slots' times."""
    rules = instance.meetings
    out: dict[dt.date, list] = {}
    for q in range(1, 5):
        for d in timeline.days(*timeline.meeting_window(rules, q)):
            if timeline.calendar.is_workday(d):
                out[d] = [s.times() for s in rules.slots]
    return out


def decompose(instance: Instance, timeline: Timeline) -> list[Part]:
    """The independent parts of the plan, the rotation part first."""
    slots = [s for s in expand_slots(instance, timeline.calendar) if s.usable]
    feds = [f for f in instance.federations if f.hosting is not None]
    venues = {v.id: v for v in instance.venues if v.slots}
    uf = _UnionFind()
    rotation = "rotation"
    uf.find(rotation)
    usable_venues = {s.venue for s in slots}
    for vid in sorted(usable_venues):
        uf.find("v:" + vid)  # a venue nobody may host at is still a part: its slots count
        for f in feds:
            if eligible(instance, venues[vid], f):
                uf.union("f:" + f.id, "v:" + vid)
    # Contacts shared between federations tie their groups together.
    by_contact: dict[str, list[str]] = {}
    for f in feds:
        c = contact_of(f)
        if c is not None:
            by_contact.setdefault(c, []).append(f.id)
    for ids in by_contact.values():
        for other in ids[1:]:
            uf.union("f:" + ids[0], "f:" + other)
    # Anything that could meet a joint meeting in time joins the rotation part.
    if instance.bases:
        attendees = {p for b in instance.bases for p in instance.meeting_attendees(b.id)}
        meeting_days = _meeting_times(instance, timeline)
        for s in slots:
            times = meeting_days.get(s.date, [])
            if not any(s.start < e and b < s.end for b, e in times):
                continue
            venue = venues[s.venue]
            contacts = {contact_of(f) for f in feds if eligible(instance, venue, f)}
            if instance.venue(s.venue).meetings or contacts & attendees:
                uf.union("v:" + s.venue, rotation)
    # Volunteering and the caring mothers' visits: one part, tied to the rotation part
    # when one of its people attends joint meetings, and to a hosting group when one of
    # them is a contact person there.
    attendees_all = {p for b in instance.bases for p in instance.meeting_attendees(b.id)}
    contacts = {contact_of(f): f.id for f in feds if contact_of(f)}
    volunteers = {p.id for p in instance.people if p.volunteer is not None}
    mothers = {p.id for p in instance.people if p.caring_mother}
    for node, people, present in (("volunteering", volunteers, bool(instance.activities)),
                                  ("care", mothers, bool(instance.children))):
        if not present:
            continue
        uf.find(node)
        if people & attendees_all:
            uf.union(node, rotation)
        for p, fid in contacts.items():
            if p in people:
                uf.union(node, "f:" + fid)
    if instance.activities and instance.children and volunteers & mothers:
        uf.union("volunteering", "care")
    # Federations that can host nowhere stay with the rotation part, so that their
    # min_turns is still enforced (and found infeasible).
    for f in feds:
        if "f:" + f.id not in uf.parent:
            uf.union("f:" + f.id, rotation)
    groups: dict[str, tuple[set[str], set[str], list[bool]]] = {}
    for key in list(uf.parent):
        root = uf.find(key)
        vs, fs, flags = groups.setdefault(root, (set(), set(), [False, False, False]))
        if key == rotation:
            flags[0] = True
        elif key == "volunteering":
            flags[1] = True
        elif key == "care":
            flags[2] = True
        else:
            (vs if key.startswith("v:") else fs).add(key[2:])
    root_rot = uf.find(rotation)
    rot_vs, rot_fs, rot_flags = groups.pop(root_rot)
    parts = [Part("rotation", True, frozenset(rot_vs), frozenset(rot_fs), rot_flags[1],
                  rot_flags[2])]
    for vs, fs, flags in sorted(groups.values(),
                                key=lambda g: sorted(g[0] | g[1] | {"~"})[0]):
        towns = sorted({instance.town_name(venues[v].town) for v in vs})
        words = [w for w, on in (("volunteering", flags[1]), ("care", flags[2])) if on]
        if vs:
            words.append("hosting " + "、".join(towns))
        parts.append(Part(" + ".join(words), False, frozenset(vs), frozenset(fs), flags[1],
                          flags[2]))
    return parts
