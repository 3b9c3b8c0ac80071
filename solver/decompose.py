"""Split a plan into parts that share no decision, so each is solved on its own.

The rotation and the joint meetings of all bases form one part. Each *hosting group*
(federations and venues linked by "may host at") is its own part unless something ties
it to another part:

- a slot of the group could clash in time with a joint meeting (its venue takes
  meetings, or a contact person of the group is expected at a meeting) -- then it is
  merged into the rotation part;
- a person is the contact of federations in two groups -- then those groups merge.

Each activity is tied to the volunteers who may staff it and to the other sessions of
its series (``series_change`` is one term over all of them); each child to her caring
mother; a person's hosting turns to her other duties. Visits of children whose mothers
have nothing else to do are bundled per pairing group (:func:`_bundle_care`).

Parts share no variable and no constraint, and the objective is a sum over parts, so
solving them apart gives the same optimum as solving them together, and the sums of
their objectives and bounds are the plan's.
"""

from __future__ import annotations

import datetime as dt

from ..models.hosting import HostIndex, contact_of, expand_slots
from ..models.instance import Instance
from ..models.plan import Plan
from ..models.timeline import Timeline
from . import volunteering
from .care import pairing_groups
from .context import Part
from .unionfind import UnionFind


def _meeting_times(instance: Instance, timeline: Timeline) -> dict[dt.date, list]:
    """Working days in some quarter's meeting window -> the meeting slots' times."""
    rules = instance.meetings
    out: dict[dt.date, list] = {}
    for q in range(1, 5):
        for d in timeline.days(*timeline.meeting_window(rules, q)):
            if timeline.calendar.is_workday(d):
                out[d] = [s.times() for s in rules.slots]
    return out


def decompose(instance: Instance, timeline: Timeline,
              care_pairs: dict[str, str] | None = None,
              previous: Plan | None = None) -> list[Part]:
    """The independent parts of the plan, rotation parts first.

    ``care_pairs`` (child -> mother, from stage 1) ties a child's visits to her mother's
    other duties; ``previous`` (re-planning) keeps a published volunteer team reachable.
    """
    slots = [s for s in expand_slots(instance, timeline.calendar) if s.usable]
    feds = [f for f in instance.federations if f.hosting is not None]
    venues = {v.id: v for v in instance.venues if v.slots}
    uf = UnionFind()
    # Rotation and meetings: a base with the people expected at its meetings and the
    # venues its meetings may use.
    for b in instance.bases:
        uf.find("b:" + b.id)
        for p in instance.meeting_attendees(b.id):
            uf.union("b:" + b.id, "p:" + p)
        for v in instance.meeting_venues(b.id):
            uf.union("b:" + b.id, "m:" + v)
    usable_venues = {s.venue for s in slots}
    hosts = HostIndex.of(instance)
    for vid in sorted(usable_venues):
        uf.find("v:" + vid)  # a venue nobody may host at is still a part: its slots count
        for f in hosts.at(venues[vid]):
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
    # A slot that could meet a joint meeting in time joins that meeting's base: through
    # the venue (when it takes meetings) or through a contact expected at the meeting.
    attendees = {p for b in instance.bases for p in instance.meeting_attendees(b.id)}
    if instance.bases:
        meeting_days = _meeting_times(instance, timeline)
        for s in slots:
            times = meeting_days.get(s.date, [])
            if not any(s.start < e and b < s.end for b, e in times):
                continue
            venue = venues[s.venue]
            if venue.meetings:
                uf.union("v:" + s.venue, "m:" + s.venue)
            for f in hosts.at(venue):
                c = contact_of(f)
                if c in attendees:
                    uf.union("v:" + s.venue, "p:" + c)
    _link_terms(instance, timeline, uf, slots, hosts, venues)
    # Volunteering and visits: an activity with the volunteers who may staff it, a
    # child's visits with her caring mother; those people's hosting turns join in.
    series: dict[str, str] = {}
    for a in instance.activities:
        uf.find("a:" + a.id)
        if a.series is not None:
            # series_change counts the distinct people over all sessions of a series:
            # one term, so one part, even when no volunteer could staff two sessions.
            uf.union("a:" + a.id, "a:" + series.setdefault(a.series, a.id))
        for r in a.roles:
            for pid in volunteering.pool(instance, a, r, previous):
                uf.union("a:" + a.id, "p:" + pid)
    for code, mother in sorted((care_pairs or {}).items()):
        uf.union("c:" + code, "p:" + mother)
    if previous is not None:
        # Re-planning: a published assignment or visit whose activity or child left the
        # instance is a change, counted by the part of the person who had it.
        acts = {a.id for a in instance.activities}
        kids = {c.code for c in instance.children}
        for v in previous.volunteering:
            if v.activity not in acts:
                uf.union("g:" + v.activity, "p:" + v.person)
        for cv in previous.care.visits:
            if cv.child not in kids:
                uf.union("h:" + cv.child, "p:" + cv.mother)
    busy = {p.id for p in instance.people if p.volunteer is not None or p.caring_mother}
    for f in feds:
        c = contact_of(f)
        if c in busy:
            uf.union("f:" + f.id, "p:" + c)
    # Federations that can host nowhere stay with a rotation part (their parent base's,
    # else the first), so that their min_turns is still enforced (and found infeasible).
    first = instance.bases[0].id if instance.bases else None
    for f in feds:
        if "f:" + f.id not in uf.parent:
            parent = f.parent if f.parent and "b:" + f.parent in uf.parent else first
            uf.union("f:" + f.id, "b:" + parent if parent else "f:" + f.id)
    members: dict[str, dict[str, set[str]]] = {}
    for key in list(uf.parent):
        kind, _, name = key.partition(":")
        if kind in "bvfacgh":
            members.setdefault(uf.find(key), {k: set() for k in "bvfacgh"})[kind].add(name)
    base_rank = {b.id: i for i, b in enumerate(instance.bases)}
    groups = sorted(_bundle_care(instance, list(members.values())), key=lambda g: (
        min((base_rank[b] for b in g["b"]), default=len(base_rank)),
        sorted(g["v"] | g["f"] | g["a"] | g["c"] | {"~"})[0]))
    n_rotation = sum(1 for g in groups if g["b"])
    n_volunteering = sum(1 for g in groups if g["a"] and not g["b"])
    n_care = sum(1 for g in groups if g["c"] and not g["b"])
    parts = []
    for g in groups:
        towns = sorted({instance.town_name(venues[v].town) for v in g["v"]})
        words = []
        if g["b"]:
            words.append("rotation" if n_rotation == 1 else
                         "rotation " + _label(instance, g["b"]))
        elif g["a"] or g["g"]:
            words.append("volunteering" if n_volunteering == 1 else
                         "volunteering " + _label(instance, {instance.activity_town(
                             instance.activity(a)) or "" for a in g["a"]}, towns=True))
        if (g["c"] or g["h"]) and not g["b"]:
            words.append("care" if n_care == 1 or g["a"] else
                         f"care {len(g['c'])} children")
        if g["v"] and not g["b"]:
            words.append("hosting " + "、".join(towns))
        parts.append(Part(
            " + ".join(words) or "hosting", bool(g["b"]), frozenset(g["v"]), frozenset(g["f"]),
            bool(g["a"] or g["g"]), bool(g["c"] or g["h"]),
            bases=frozenset(g["b"]), activities=frozenset(g["a"] | g["g"]),
            children=frozenset(g["c"] | g["h"])))
    return parts


def _link_terms(instance: Instance, timeline: Timeline, uf: UnionFind, slots, hosts,
                venues) -> None:
    """The term duties of a base (models/term.py) go with its rotation: its regional
    chair, the contacts of the enterprises it visits and the venues of its signature
    activity join the base; so does a hosting slot that could clash (travel included)
    with a term duty of a base whose attendee is the contact of one of its hosts."""
    from ..models.term import activity_venues, allowed_day, term_of, term_people, visited
    if not instance.terms:
        return
    cal = timeline.calendar
    travel = instance.travel_minutes
    # per base: its attendees and its duties as (weekdays, working only, [(s, e, town)])
    duties: list[tuple[set[str], list]] = []
    for b in instance.bases:
        term = term_of(instance, b.id)
        if term is None:
            continue
        people = term_people(instance, b.id) | set(b.presidium)
        for p in sorted(people):
            uf.union("b:" + b.id, "p:" + p)
        kinds = []
        towns = {instance.federation(e).town for e in visited(instance, term)}
        spans = [(m, m + term.visit_minutes, t) for m in map(_hhmm, term.visit_times)
                 for t in towns]
        kinds.append((term.visit_weekdays, True, spans))
        if term.activity is not None:
            act = term.activity
            where = activity_venues(instance, term)
            for v in where:
                uf.union("b:" + b.id, "m:" + v)
            vt = {instance.venue(v).town for v in where}
            kinds.append((act.weekdays, act.working_days_only,
                          [(m, m + act.minutes, t) for m in map(_hhmm, act.times) for t in vt]))
        duties.append((people, kinds))
    for s in slots:
        town = venues[s.venue].town
        s0, s1 = s.start.hour * 60 + s.start.minute, s.end.hour * 60 + s.end.minute
        contacts = {contact_of(f): f for f in hosts.at(venues[s.venue])}
        for people, kinds in duties:
            if not people & contacts.keys():
                continue
            if any(allowed_day(s.date, wd, cal, wo) and any(
                    s0 < e + travel(t, town) and st - travel(t, town) < s1 for st, e, t in spans)
                   for wd, wo, spans in kinds):
                for c in people & contacts.keys():
                    uf.union("v:" + s.venue, "p:" + c)


def _hhmm(value: str) -> int:
    h, m = value.split(":")
    return int(h) * 60 + int(m)


def _bundle_care(instance: Instance, groups: list[dict[str, set[str]]]
                 ) -> list[dict[str, set[str]]]:
    """Merge the parts that are only some children's visits into one part per pairing
    group (children who share candidate mothers: care.pairing_groups).

    They are independent of each other, and each is a few dozen variables: one model
    apiece would spend more on building and starting models than on solving them (a
    province has thousands). The pairing group is fixed by the instance, not by the
    plan, so a re-plan bundles them the same way and keeps the bundles nothing touched.
    """
    group_of = {code: k for k, codes in enumerate(pairing_groups(instance)) for code in codes}
    out: list[dict[str, set[str]]] = []
    bundles: dict[int, dict[str, set[str]]] = {}
    for g in groups:
        if not g["c"] or any(g[k] for k in "bvfag"):
            out.append(g)
            continue
        k = min(group_of.get(c, -1) for c in g["c"])
        if k not in bundles:
            bundles[k] = {kind: set() for kind in g}
            out.append(bundles[k])
        for kind, names in g.items():
            bundles[k][kind] |= names
    return out


def _label(instance: Instance, ids: set[str], towns: bool = False) -> str:
    """A short place label: the first towns (of bases, or the towns themselves)."""
    names = sorted({instance.town_name(t) if towns else
                    instance.town_name(instance.federation(t).town) for t in ids} - {""})
    return "、".join(names[:3]) + ("…" if len(names) > 3 else "")
