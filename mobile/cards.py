"""What a share's card says beside its figures (Today, the share's page, an offer answered): the due day in
words and the offer's pay, worked out once per page for each share shown."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dispatch.models import AssignmentState
from pay import money

# A share she still answers or works on: only such a share can be late. A finished one (done: all
# reported, then handed over, inspected, paid) or one no longer hers (declined, expired) just had a due day.
DUE_STATES = (AssignmentState.OFFERED, AssignmentState.ACCEPTED)


def due_text(due_on: dt.date, today: dt.date, *, running: bool = True) -> str:
    """The due day in words: "6月1日,还有 3 天" / 今天要交 / 明天要交 / 已经过期 N 天 for a share still
    running; the day alone ("6月1日") for one that is not (a finished share is never "overdue"). The day
    in the reader's date format, as her other dates ("Dec 1" in English, not "12/1")."""
    days = (due_on - today).days
    when = dateformat.format(due_on, _("n月j日"))
    if not running:
        return when
    if days < 0:
        late = ngettext("%(when)s,已经过期 %(n)d 天", "%(when)s,已经过期 %(n)d 天", -days)
        return late % {"when": when, "n": -days}
    if days == 0:
        return _("%(when)s,今天要交") % {"when": when}
    if days == 1:
        return _("%(when)s,明天要交") % {"when": when}
    return ngettext("%(when)s,还有 %(n)d 天", "%(when)s,还有 %(n)d 天", days) % {"when": when, "n": days}


def annotate(a, *, today: dt.date, now: dt.datetime) -> None:
    """Words and figures the templates show for one assignment ``a`` (its job joined): ``due_text``,
    ``offer_yuan`` (Decimal yuan, all pieces passed at her rate) and ``answer_late`` (an offer past its
    deadline at ``now``); ``today`` is the Asia/Shanghai date."""
    a.due_text = due_text(a.due_on, today, running=a.state in DUE_STATES)
    a.offer_yuan = money.wage_amount(a.pieces, a.job.worker_rate)
    a.answer_late = a.state == AssignmentState.OFFERED and a.expires_at is not None and a.expires_at < now
