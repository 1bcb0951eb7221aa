"""Reporting pieces on the phone (报工) and taking a typo back (撤销): the report form's post, the confirm
step before a report far above her usual or one that finishes the share, and the undo button's post.

The report form's key is rendered with the page and carried through the confirm step unchanged, so the
same report posted twice (a double tap on either screen, a retry) counts once. The undo is
``dispatch.services.report_undo``: her own last report, within ``NUANXIN_REPORT_UNDO_MINUTES`` and before
the lot leaves; a second tap on an undone report shows it undone, not an error.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dispatch import services as flow
from dispatch.models import AssignmentState
from dispatch.web import MAX_ID
from workshop.models import Worker

from . import selectors, views
from .forms import ReportForm


def _report(request: HttpRequest, a, form: ReportForm) -> bool:
    """Report through the service and say how it went; True when this report finished the share."""
    try:
        report, created = flow.work_report(
            actor=request.user, assignment=a, pieces=form.cleaned_data["pieces"], key=form.cleaned_data["key"]
        )
    except views.REFUSED as exc:
        messages.error(request, views._refused_text(exc))
        return False
    if not created:
        messages.info(request, _("这次报工刚才已经记上了,没有重复计数。"))
        return False
    if a.pieces_reported + report.pieces >= a.pieces:
        n = a.pieces
        done = ngettext(
            "全部做完了!共 %(n)d 件,等企业验收后工资入账。",
            "全部做完了!共 %(n)d 件,等企业验收后工资入账。",
            n,
        )
        messages.success(request, done % {"n": n})
        return True
    n = report.pieces
    recorded = ngettext("这次的 %(n)d 件已经记上。", "这次的 %(n)d 件已经记上。", n)
    messages.success(request, recorded % {"n": n})
    return False


def _confirm_reasons(worker: Worker, a, pieces: int, key: str) -> dict | None:
    """What the confirm screen says, or None to report at once: a report more than twice her usual size
    (``selectors.unusually_large``), or one that finishes the share. A key already used is a retry of a
    report made: it goes straight through (and counts once)."""
    if a.state != AssignmentState.ACCEPTED or not 0 < pieces <= a.pieces_to_do:
        return None  # the service refuses it in words
    if selectors.report_key_used(worker, key):
        return None
    usual = selectors.unusually_large(pieces, selectors.usual_report_sizes(worker))
    finishes = pieces == a.pieces_to_do
    if usual is None and not finishes:
        return None
    return {"usual": int(usual + 0.5) if usual is not None else None, "finishes": finishes}


@require_POST
@views.worker_required
def assignment_report(request: HttpRequest, worker: Worker, pk: int) -> HttpResponse:
    """Report pieces done (报工); also the "全部做完了" button, whose form carries the pieces still to do
    as the page showed them. A report far above her usual, or one that finishes the share, first shows a
    confirm screen (确定 / 改一下) that posts the same pieces and key back with ``confirmed=1``. The form's
    key makes a double submit count once."""
    a = selectors.assignment_for_worker(worker, pk)
    back = views._safe_next(request, reverse("mobile:assignment", args=[a.pk]))
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    pieces, key = form.cleaned_data["pieces"], form.cleaned_data["key"]
    if request.POST.get("confirmed") != "1":
        reasons = _confirm_reasons(worker, a, pieces, key)
        if reasons is not None:
            context = {"a": a, "pieces": pieces, "key": key, "next": back, "action": request.path, **reasons}
            return views._render_phone_page(request, worker, "mobile/report_confirm.html", context)
    if _report(request, a, form):
        # A finished share leaves Today at once, and its 10-minute undo (撤销) is on its own page: she
        # lands there, so a mistaken "全部做完了" can still be taken back (a trial found only the
        # browser's back button led to it).
        return redirect("mobile:assignment", a.pk)
    return redirect(back)


@require_POST
@views.worker_required
def report_undo(request: HttpRequest, worker: Worker, pk: int, report: int) -> HttpResponse:
    """Undo her last report on the share (撤销刚才报的 N 件): ``dispatch.services.report_undo``. Refused in
    words once the window is over or the lot has left; a report already undone by her says so (a double
    tap is not an error). 404 for another worker's share or a report not of this share."""
    a = selectors.assignment_for_worker(worker, pk)
    if report > MAX_ID:
        raise Http404(_("没有这次报工。"))
    target = selectors.share_report(a, report)
    back = reverse("mobile:assignment", args=[a.pk])
    if target.undone:
        n = target.pieces
        already = ngettext("刚才报的 %(n)d 件已经撤销了。", "刚才报的 %(n)d 件已经撤销了。", n)
        messages.info(request, already % {"n": n})
        return redirect(back)
    try:
        flow.report_undo(actor=request.user, report=target)
    except views.REFUSED as exc:
        messages.error(request, views._refused_text(exc))
    else:
        n = target.pieces
        undone = ngettext(
            "刚才报的 %(n)d 件已经撤销,请重新报正确的件数。",
            "刚才报的 %(n)d 件已经撤销,请重新报正确的件数。",
            n,
        )
        messages.success(request, undone % {"n": n})
    return redirect(back)
