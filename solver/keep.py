"""Re-planning at scale: keep the parts a change does not touch, without solving them.

A part of the new plan whose inputs are exactly those of a part of the published plan
(the same bases, venues, federations, activities and children, every one of them and
every person they involve unchanged, the same global rules) would be re-solved to the
published decisions: with zero changes possible, the change-minimising stage keeps
them all. So it is not built at all; its decisions, objective and bound are copied from
the published plan. Only the parts the change reaches are re-solved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from ..models.hosting import contact_of
from ..models.instance import Instance
from ..models.plan import PartInfo, Plan
from .context import Part
from .extract import PartPlan, PenaltyAmount
from .term import term_people
from .volunteering import eligible, pool

#: Instance fields holding entities (compared one by one); every other field is a
#: global rule or setting, and any difference there re-solves everything.
ENTITY_FIELDS = frozenset({"people", "federations", "venues", "activities", "children",
                           "history", "pins"})


# "hosting slot host-<venue>-<YYYY-MM-DD>[-HHMM] (...)" (solver/__init__.py: extract_part)
_SLOT = re.compile(r"hosting slot host-(.+)-\d{4}-\d{2}-\d{2}(?:-\d{4})? ")


def _child(c) -> dict | None:
    # plan directories keep children without name, address and needs (privacy)
    return None if c is None else c.model_dump(exclude={"name", "address", "needs"})


class _Index:
    """Both instances and the published plan, indexed for the comparisons."""

    def __init__(self, new: Instance, old: Instance, previous: Plan) -> None:
        self.new, self.old = new, old
        old_people = {p.id: p for p in old.people}
        self.changed_people = {p.id for p in new.people if old_people.get(p.id) != p}
        self.changed_people |= set(old_people) - {p.id for p in new.people}
        self.old_feds = {f.id: f for f in old.federations}
        self.old_venues = {v.id: v for v in old.venues}
        self.old_acts = {a.id: a for a in old.activities}
        self.old_children = {c.code: _child(c) for c in old.children}
        self.new_children = {c.code: _child(c) for c in new.children}
        self.people_of: dict[tuple[str, str], set[str]] = defaultdict(set)
        for t in previous.rotation:
            self.people_of["b", t.base].add(t.chair)
        for v in previous.volunteering:
            self.people_of["a", v.activity].add(v.person)
        for cv in previous.care.visits:
            self.people_of["c", cv.child].add(cv.mother)
        self.pairs = {p.child: p.mother for p in previous.care.pairs}
        self.history_new = _by_owner(new)
        self.history_old = _by_owner(old)

    def same_base(self, b: str) -> bool:
        new, old = self.new, self.old
        if self.old_feds.get(b) != new.federation(b):
            return False
        people = set(new.meeting_attendees(b)) | self.people_of["b", b]
        people |= term_people(new, b) | term_people(self.old, b)  # models/term.py
        if people & self.changed_people or new.meeting_attendees(b) != old.meeting_attendees(b):
            return False
        venues = new.meeting_venues(b)
        return (venues == old.meeting_venues(b)
                and all(self.old_venues.get(v) == new.venue(v) for v in venues)
                and self.history_new["b", b] == self.history_old["b", b])

    def same_hosting(self, venues, federations) -> bool:
        new = self.new
        for v in venues:
            if self.old_venues.get(v) != new.venue(v):
                return False
            if self.history_new["v", v] != self.history_old["v", v]:
                return False
        for f in federations:
            fed = new.federation(f)
            if self.old_feds.get(f) != fed or self.history_new["f", f] != self.history_old["f", f]:
                return False
            if contact_of(fed) in self.changed_people:
                return False
        return True

    def same_activity(self, aid: str, previous: Plan) -> bool:
        new = self.new
        if not new.has_activity(aid):
            return False  # cancelled: its published assignments change
        a = new.activity(aid)
        if self.old_acts.get(aid) != a or self.history_new["a", aid] != self.history_old["a", aid]:
            return False
        people = self.people_of["a", aid] | {p for r in a.roles
                                             for p in pool(new, a, r, previous)}
        return not people & self.changed_people

    def same_child(self, code: str, pairs: dict[str, str]) -> bool:
        if code not in self.new_children or self.old_children.get(code) != self.new_children[code]:
            return False
        mother = pairs.get(code)
        if mother is None or mother != self.pairs.get(code):
            return False
        return not ({mother} | self.people_of["c", code]) & self.changed_people


def _by_owner(inst: Instance) -> dict[tuple[str, str], list]:
    """History entries and pins by the entity they concern."""
    out: dict[tuple[str, str], list] = defaultdict(list)
    for h in inst.history.rotation:
        out["b", h.base].append(h)
    for h in inst.history.hosting:
        out["f", h.federation].append(h)
    for pin in inst.pins.rotation:
        out["b", pin.base].append(pin)
    for pin in inst.pins.meetings:
        out["b", pin.base].append(pin)
    for pin in inst.pins.hosting:
        out["v", pin.venue].append(pin)
    for pin in inst.pins.volunteering:
        out["a", pin.activity].append(pin)
    return out


def same_rules(new: Instance, old: Instance) -> bool:
    """Whether every global rule and setting (all but the entities) is unchanged."""
    return all(getattr(new, name) == getattr(old, name) for name in type(new).model_fields
               if name not in ENTITY_FIELDS)


#: Carrying pools over tries each changed person on every activity; past this many
#: changed people it is cheaper to work the pools out afresh.
MAX_CARRIED_CHANGES = 50


def carry_pools(new: Instance, old: Instance | None) -> None:
    """Re-planning: start the new instance's eligible-volunteer pools
    (``volunteering.eligible_pool``) from the published instance's, for every activity
    and venue that did not change, trying again only the people who did. The pools of
    a province take a minute to work out; a change touches a handful of people.
    Exact: eligibility depends on the activity, its venue's town, the person and the
    global rules, and a pool is carried only when the rules and the activity are the
    same."""
    cache = None if old is None else old._by_id.get("_volunteer_pools")
    if old is None or not cache or new._by_id.get("_volunteer_pools") \
            or not same_rules(new, old):
        return
    old_people = {p.id: p for p in old.people}
    changed = [p for p in new.people if old_people.get(p.id) != p]
    if len(changed) > MAX_CARRIED_CHANGES:
        return
    gone = (set(old_people) - {p.id for p in new.people}) | {p.id for p in changed}
    old_acts = {a.id: a for a in old.activities}
    old_venues = {v.id: v for v in old.venues}
    out: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for a in new.activities:
        if old_acts.get(a.id) != a or (a.venue is not None
                                       and old_venues.get(a.venue) != new.venue(a.venue)):
            continue
        town = new.activity_town(a)
        for r in a.roles:
            found = cache.get((a.id, r.role))
            if found is None:
                continue
            pool_ = [x for x in found if x[1] not in gone]
            pool_ += [(m, p.id) for p in changed
                      if (m := eligible(new, a, r, p, town)) is not None]
            out[a.id, r.role] = sorted(pool_)
    new._by_id["_volunteer_pools"] = out


def kept_parts(parts: list[Part], new: Instance, old: Instance | None, previous: Plan | None,
               pairs: dict[str, str]) -> dict[int, PartInfo]:
    """id(part) -> the published part's figures, for every part that can be kept."""
    if old is None or previous is None or not previous.solve.parts:
        return {}
    if not same_rules(new, old):
        return {}
    if [h for h in new.history.care] != [h for h in old.history.care]:
        return {}
    published = {p.key: p for p in previous.solve.parts
                 if p.key and p.status in ("OPTIMAL", "FEASIBLE")}
    index = _Index(new, old, previous)
    out: dict[int, PartInfo] = {}
    for part in parts:
        info = published.get(part.key)
        if info is None or part.bases is None or part.activities is None \
                or part.children is None:
            continue
        if (all(index.same_base(b) for b in part.bases)
                and index.same_hosting(part.venues, part.federations)
                and all(index.same_activity(a, previous) for a in part.activities)
                and all(index.same_child(c, pairs) for c in part.children)):
            out[id(part)] = info
    return out


def reached_months(new: Instance, old: Instance | None, previous: Plan | None
                   ) -> frozenset[tuple[int, int]] | None:
    """Re-planning: the (year, month)s holding an activity the change reaches -- one that
    is new, cancelled, moved or edited, or whose published volunteers or pool include a
    person who changed in a way that matters that month (``_person_months``) -- at its
    old date and its new one. None when the global rules or the history changed
    (everything is reached).

    Outside these months the volunteering is exactly as it was: no hard rule ties two
    months' assignments together (headcounts are per activity, loads per month, double
    bookings per day), so a fewest-changes repair need not change anything there
    (solver/replan.py ``stage_one``)."""
    if old is None or previous is None or not same_rules(new, old) \
            or new.history != old.history:
        return None
    index = _Index(new, old, previous)
    old_people = {p.id: p for p in old.people}
    new_people = {p.id: p for p in new.people}
    changed = {pid: _person_months(old_people.get(pid), new_people.get(pid))
               for pid in index.changed_people}
    months: set[tuple[int, int]] = set()
    for a in new.activities:
        ym = (a.date.year, a.date.month)
        if ym in months:
            continue
        if index.old_acts.get(a.id) != a \
                or index.history_new["a", a.id] != index.history_old["a", a.id]:
            months.add(ym)
            continue
        people = index.people_of["a", a.id] | {p for r in a.roles
                                               for p in pool(new, a, r, previous)}
        if any(changed[p] is None or ym in changed[p] for p in people & changed.keys()):
            months.add(ym)
    new_ids = {a.id for a in new.activities}
    for aid, a in index.old_acts.items():
        if aid not in new_ids or new.activity(aid).date != a.date:
            months.add((a.date.year, a.date.month))
    return frozenset(months)


def _person_months(old, new) -> set[tuple[int, int]] | None:
    """The months in which a person's change can matter: those of the days she became
    available or unavailable, when nothing else about her changed; None otherwise."""
    if old is None or new is None \
            or old.model_copy(update={"unavailable": ()}) \
            != new.model_copy(update={"unavailable": ()}):
        return None
    months: set[tuple[int, int]] = set()
    for r in set(old.unavailable) ^ set(new.unavailable):
        if (r.end - r.start).days > 800:
            return None  # a range of years: not worth walking day by day
        day = r.start
        while day <= r.end:
            months.add((day.year, day.month))
            day += dt.timedelta(days=1)
    return months


class Published:
    """The published plan's decisions grouped by what owns them (base, venue, activity,
    child), so that each kept part takes its own without scanning the whole plan."""

    def __init__(self, previous: Plan) -> None:
        self.plan = previous
        self.rotation: dict[str, list] = defaultdict(list)
        self.meetings: dict[str, list] = defaultdict(list)
        self.hosting: dict[str, list] = defaultdict(list)
        self.volunteering: dict[str, list] = defaultdict(list)
        self.visits: dict[str, list] = defaultdict(list)
        self.unfilled_activity: dict[str, list] = defaultdict(list)
        self.unfilled_venue: dict[str, list] = defaultdict(list)
        for t in previous.rotation:
            self.rotation[t.base].append(t)
        for m in previous.meetings:
            self.meetings[m.base].append(m)
        for h in previous.hosting:
            self.hosting[h.venue].append(h)
        for v in previous.volunteering:
            self.volunteering[v.activity].append(v)
        for cv in previous.care.visits:
            self.visits[cv.child].append(cv)
        for u in previous.unfilled:
            if u.kind == "role" and u.activity:
                self.unfilled_activity[u.activity].append(u)
            elif u.kind == "hosting_slot" and u.venue:
                self.unfilled_venue[u.venue].append(u)
            elif not u.kind:  # a plan written before `kind` existed: read its words
                if u.what.startswith("activity "):
                    self.unfilled_activity[u.what.split(" ")[1]].append(u)
                slot = _SLOT.match(u.what)
                if slot:
                    self.unfilled_venue[slot.group(1)].append(u)


def kept_pieces(part: Part, published: Published, info: PartInfo, instance: Instance
                ) -> PartPlan:
    """The published decisions of a kept part (in the published plan's order)."""
    bases, venues = sorted(part.bases or ()), sorted(part.venues)
    acts, kids = sorted(part.activities or ()), sorted(part.children or ())
    weights = instance.weights.model_dump()
    return PartPlan(
        rotation=[t for b in bases for t in published.rotation.get(b, ())],
        meetings=[m for b in bases for m in published.meetings.get(b, ())],
        hosting=[h for v in venues for h in published.hosting.get(v, ())],
        unfilled=([u for a in acts for u in published.unfilled_activity.get(a, ())]
                  + [u for v in venues for u in published.unfilled_venue.get(v, ())]),
        volunteering=[v for a in acts for v in published.volunteering.get(a, ())],
        visits=[v for c in kids for v in published.visits.get(c, ())],
        term_visits=[v for v in published.plan.term_visits if v.base in (part.bases or ())],
        signatures=[s for s in published.plan.signature_activities
                    if s.base in (part.bases or ())],
        penalties=[PenaltyAmount(rule, weights.get(rule, 0), amount)
                   for rule, amount in sorted(info.penalties.items())],
    )
