"""Workers' wage slips on the dashboard (工资条): the head reads and answers their questions, and prints a
month's slips for their workshop. Heads and community admins, over the workshops they cover; a firm never
sees a slip (403), another workshop's question is a 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import services as flow
from dispatch.web import MAX_ID, id_param, refused_text
from pay.slips import wage_slips

from .. import pay_selectors as pay_reads
from .. import selectors
from .common import REFUSED, dashboard_view, page_context, require_perm


@require_GET
@dashboard_view
def slip_questions(request: HttpRequest) -> HttpResponse:
    """Workers' questions about their slips: those waiting first (each with an answer box), then the
    latest answered ones."""
    require_perm(request, "view_roster")
    waiting = list(selectors.slip_questions_for(request.scope))
    answered = list(
        selectors.slip_questions_for(request.scope, open_only=False)
        .filter(answer__isnull=False)
        .reverse()[:20]
    )
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    context = page_context(request, waiting=waiting, answered=answered, print_months=[last_month, this_month])
    return render(request, "dashboard/slip_questions.html", context)


@require_POST
@dashboard_view
def slip_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer one question (``dispatch.services.slip_reply``: the worker is told; a second answer to an
    answered question changes nothing)."""
    if pk > MAX_ID:
        raise Http404(_("没有这条工资条疑问。"))
    question = selectors.slip_question_get(request.scope, pk)
    require_perm(request, "manage_worker", question.worker)
    try:
        _answer, created = flow.slip_reply(
            actor=request.user, question=question, text=request.POST.get("text", "")
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        if created:
            text = _("已回复 %(w)s,对方会在手机上收到消息。")
            messages.success(request, text % {"w": question.worker.name})
        else:
            messages.info(request, _("这条疑问已经回复过了。"))
    return redirect("dashboard:slip_questions")


def _month(value: str) -> dt.date:
    """The month of a URL part (``pay_selectors.parse_month``), none after this one."""
    day = pay_reads.parse_month(value)
    if day > timezone.localdate():
        raise Http404(_("没有这个月份。"))
    return day


@require_GET
@dashboard_view
def slips_print(request: HttpRequest, month: str) -> HttpResponse:
    """A month's wage slips of the workers of the workshops the user covers (``?ws=`` narrows to one),
    one per printed page. A fixed number of queries however many workers."""
    require_perm(request, "view_roster")
    day = _month(month)
    workers = selectors.slip_workers(request.scope, day, id_param(request, "ws"))
    context = page_context(request, month=day, slips=wage_slips(workers, day), workers=workers)
    return render(request, "dashboard/slips_print.html", context)
