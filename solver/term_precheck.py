"""Pre-checks of the rotating chair's term of work (called by solver/precheck.py): the
certain conflicts named in words before any solve."""

from __future__ import annotations

from ..models.term import activity_venues, allowed_day, contact, round_periods, venue_busy, visited
from .term import _minutes, offered_spans


def prechecks(instance, timeline, Message) -> list:  # noqa: N803
    """Certain conflicts of the term duties, in words: the regional chair or an
    enterprise's contact away on every allowed day of a visit's round or an activity's
    period, or no venue free for an activity in a period. ``Message`` is
    solver.precheck.Message (passed in: precheck imports this module)."""
    out: list = []
    if not instance.terms:
        return out
    cal, T = timeline.calendar, instance.periods
    offered = None

    def label(periods: list[int]) -> tuple[str, str]:
        if len(periods) == 1:
            return f"period {periods[0]}", f"第{periods[0]}期"
        return (f"periods {periods[0]}-{periods[-1]}", f"第{periods[0]}至{periods[-1]}期")

    for term in instance.terms:
        base = instance.federation(term.base)
        rc = instance.person(term.regional_chair)
        rounds = [round_periods(k, T, term.visits_per_year)
                  for k in range(1, term.visits_per_year + 1)]
        for periods in rounds:
            days = [d for t in periods for d in timeline.days(*timeline.periods[t - 1])
                    if allowed_day(d, term.visit_weekdays, cal)]
            en, zh = label(periods)
            if visited(instance, term) and all(rc.is_unavailable(d) for d in days):
                out.append(Message(
                    f"the regional chair of {base.name} ({rc.name}, {rc.id}) is away for all of "
                    f"{en}: no day is left for its enterprise visits; shorten her "
                    f"unavailability or name another regional chair",
                    f"{base.name}的区域主席{rc.name}在{zh}全部不能到岗，企业走访无法安排；"
                    f"请缩短其不可用时段或更换区域主席"))
                continue
            for e in visited(instance, term):
                who = contact(instance, e)
                if who is None:
                    continue
                person = instance.person(who)
                if all(rc.is_unavailable(d) or person.is_unavailable(d) for d in days):
                    fed = instance.federation(e)
                    out.append(Message(
                        f"{fed.name} ({e}): its contact {person.name} ({who}) is away on every "
                        f"allowed visit day of {en} that the regional chair of {base.name} is "
                        f"free; allow more weekdays or shorten an unavailability",
                        f"{fed.name}（{e}）：联系人{person.name}在{zh}区域主席有空的每个走访日都"
                        f"不能到岗；请增加可走访的星期或缩短不可用时段"))
        act = term.activity
        if act is None:
            continue
        if offered is None:
            offered = offered_spans(instance, cal)
        venues = [instance.venue(v) for v in activity_venues(instance, term)]
        for t in range(1, T + 1):
            days = [d for d in timeline.days(*timeline.periods[t - 1])
                    if allowed_day(d, act.weekdays, cal, act.working_days_only)]
            if all(rc.is_unavailable(d) for d in days):
                out.append(Message(
                    f"the regional chair of {base.name} ({rc.name}, {rc.id}) is away for all of "
                    f"period {t}: its signature activity cannot be held",
                    f"{base.name}的区域主席{rc.name}在第{t}期全部不能到岗，特色活动无法举办"))
                continue
            free = any(venue_busy(instance, v, d, _minutes(h), _minutes(h) + act.minutes,
                                  offered) is None
                       for d in days if not rc.is_unavailable(d)
                       for h in act.times for v in venues)
            if not free:
                out.append(Message(
                    f"{base.name} ({base.id}): in period {t} none of its activity venues is free "
                    f"(closed, a hosting slot or an activity) on an allowed day; add a venue or "
                    f"a day",
                    f"{base.name}（{base.id}）：第{t}期没有可用的特色活动场地（关闭、主办时段或"
                    f"已有活动）；请增加场地或日期"))
    return out
