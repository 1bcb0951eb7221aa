"""How well a person fits a need (人岗相适配): a simple score out of 100, and its reasons in words.

Pure functions on plain values, so the score is the same wherever it is shown and can be read off the
page: each reason carries its points.

=====================  ======  ==========================================================================
reason                 points  when
=====================  ======  ==========================================================================
技能匹配                 40     the person does the need's process kind
零基础可学               15     instead of the above, when the need takes beginners
时间合适                 25     their free hours a week cover one person's share of the need
时间部分合适             10     instead, they cover at least half of it
可居家 / 到坊做          15     the place suits both sides (a home worker for a need that allows home work)
本坊                     10     they signed up at, or work for, the need's workshop
低收入优先               10     low-income (community admins only: for anyone else the points are not
                                counted either, so the order of the list does not give the flag away)
=====================  ======  ==========================================================================

A person who lacks the skill for a need that does not take beginners, or who has no free hours, is not
suggested at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from dispatch.priors import hours_for

POINTS = {"skill": 40, "learn": 15, "time": 25, "time_part": 10, "place": 15, "local": 10, "low_income": 10}
FULL_WEEK_HOURS = 40  # one person's share of a need is never counted above a full working week


@dataclass(frozen=True)
class Need:
    """A demand as the score sees it. ``hours_per_person``: hours a week one person would work on it."""

    kind: str
    beginners_ok: bool
    home_ok: bool
    hours_per_person: float
    workshop_id: int


@dataclass(frozen=True)
class Person:
    """A resident or a worker as the score sees them. ``hours``: free hours a week (spare, for workers)."""

    skills: frozenset[str]
    hours: float
    home: bool
    workshop_id: int | None
    low_income: bool = False


@dataclass(frozen=True)
class Fit:
    score: int
    reasons: tuple[str, ...]  # in words, with points: "技能匹配 +40"
    cautions: tuple[str, ...] = ()

    @property
    def reasons_text(self) -> str:
        return " · ".join(self.reasons)


def hours_per_person(
    *, kind: str, pieces_per_week: int | None, hours_per_week: int | None, people: int | None
) -> float:
    """One person's hours a week on a need: its hours (or its pieces at the standard time a piece of its
    kind takes, ``dispatch.priors.hours_for``) over the people it needs, at most a full week."""
    if hours_per_week:
        total = float(hours_per_week)
    elif pieces_per_week:
        total = hours_for(pieces_per_week, kind)
    else:
        total = 0.0
    return min(total / max(people or 1, 1), FULL_WEEK_HOURS)


def fit(need: Need, person: Person, *, show_low_income: bool) -> Fit | None:
    """The score (0–100) and reasons of ``person`` for ``need``; None when they should not be suggested.

    ``show_low_income`` is true for community admins only; otherwise the low-income points are neither
    counted nor named.
    """
    if person.hours <= 0:
        return None
    score = 0
    reasons: list[str] = []
    cautions: list[str] = []
    if need.kind in person.skills:
        score += POINTS["skill"]
        reasons.append(_("技能匹配") + f" +{POINTS['skill']}")
    elif need.beginners_ok:
        score += POINTS["learn"]
        reasons.append(_("零基础可学") + f" +{POINTS['learn']}")
    else:
        return None
    want = need.hours_per_person
    if want <= 0 or person.hours >= want:
        score += POINTS["time"]
        reasons.append(_("时间合适") + f" +{POINTS['time']}")
    elif person.hours >= want / 2:
        score += POINTS["time_part"]
        reasons.append(_("时间部分合适") + f" +{POINTS['time_part']}")
        cautions.append(_("每周约%(h)d小时,少于所需%(w)d小时") % {"h": person.hours, "w": round(want)})
    else:
        cautions.append(_("每周约%(h)d小时,少于所需%(w)d小时") % {"h": person.hours, "w": round(want)})
    if person.home and need.home_ok:
        score += POINTS["place"]
        reasons.append(_("可居家") + f" +{POINTS['place']}")
    elif not person.home:
        score += POINTS["place"]
        reasons.append(_("到坊做") + f" +{POINTS['place']}")
    else:
        cautions.append(_("想在家做,这份活需到坊"))
    if person.workshop_id == need.workshop_id:
        score += POINTS["local"]
        reasons.append(_("本坊") + f" +{POINTS['local']}")
    if show_low_income and person.low_income:
        score += POINTS["low_income"]
        reasons.append(_("低收入优先") + f" +{POINTS['low_income']}")
    return Fit(score=score, reasons=tuple(reasons), cautions=tuple(cautions))
