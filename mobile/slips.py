"""The worker's wage slip on her phone (工资条): this month's and any past month's, read aloud, printable;
she says it is right (我看过了,没问题) or asks her head about it.

Only her own slip: the month is the only thing in the URL, and every figure comes from
``pay.slips.wage_slip`` for the signed-in worker. A month not yet begun, or a past month with nothing on
it, is a 404. Posts go through services and end in a redirect with a message in words.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import services as flow
from pay import services as pay
from pay.slips import has_slip, slip_months, wage_slip
from workshop.models import Worker

from . import views
from .forms import SlipQuestionForm


def _page(request: HttpRequest, worker: Worker, day: dt.date, form: SlipQuestionForm | None = None):
    months = slip_months(worker)
    slip = wage_slip(worker, day)
    if day not in {m.month for m in months} and not slip.questions and slip.seen_at is None:
        raise Http404(_("这个月没有工资条。"))
    form = form or SlipQuestionForm(initial={"key": views._report_key()})
    context = {
        "slip": slip,
        "months": months,
        "form": form,
        "is_current": day == timezone.localdate().replace(day=1),
    }
    status = 400 if form.errors else 200
    return views._render_phone_page(
        request, worker, "mobile/slip.html", context, tab="earnings", status=status
    )


@require_GET
@views.worker_required
def slip(request: HttpRequest, worker: Worker, year: int | None = None, month: int | None = None):
    """This month's wage slip (``/m/slip/``) or a past month's (``/m/slip/YYYY-MM/``): pay by job,
    corrections with the month they correct, bonuses and deductions with reasons, the total, whether it
    is paid and whether she has confirmed it, her questions with the head's answers; the list of months."""
    return _page(request, worker, views.url_month(year, month))


def _back(day: dt.date):
    return redirect("mobile:slip_month", day.year, day.month)


def _posted_month(worker: Worker, year: int, month: int) -> dt.date:
    """The month of a post about a slip; a 404 as its page is, for a month with no slip (the service
    refuses it too)."""
    day = views.url_month(year, month)
    if not has_slip(worker, day):
        raise Http404(_("这个月没有工资条。"))
    return day


@require_POST
@views.worker_required
def slip_seen(request: HttpRequest, worker: Worker, year: int, month: int) -> HttpResponse:
    """She has read the month's slip and it is right (``pay.services.slip_mark_seen``, idempotent)."""
    day = _posted_month(worker, year, month)
    try:
        _note, created = pay.slip_mark_seen(worker=worker, month=day, actor=request.user)
    except views.REFUSED as exc:
        messages.error(request, views._refused_text(exc))
    else:
        if created:
            # The page says 好了: before it: no second "好的" (an English reader saw "Done: Done:").
            month = dateformat.format(day, _("Y年n月"))
            messages.success(request, _("您确认了 %(m)s 的工资条。") % {"m": month})
        else:
            messages.info(request, _("您已经确认过这个月的工资条了。"))
    return _back(day)


@require_POST
@views.worker_required
def slip_ask(request: HttpRequest, worker: Worker, year: int, month: int) -> HttpResponse:
    """She asks her head about the month's slip (``dispatch.services.slip_question``: the head is told;
    the form's key makes a double tap ask once). Errors in words beside the box (400)."""
    day = _posted_month(worker, year, month)
    form = SlipQuestionForm(request.POST)
    if form.is_valid():
        try:
            _note, created = flow.slip_question(
                actor=request.user,
                worker=worker,
                month=day,
                text=form.cleaned_data["text"],
                key=form.cleaned_data["key"],
            )
        except views.REFUSED as exc:
            form.add_error(None, views._refused_text(exc))
        else:
            if created:
                messages.success(request, _("已经告诉坊长了。坊长回复后,会在“消息”里告诉您。"))
            else:
                messages.info(request, _("这个问题刚才已经发给坊长了,没有重复。"))
            return _back(day)
    return _page(request, worker, day, form)
