"""Corrections (更正) from the job page: the head corrects one of a share's reports or takes back what a
worker has not made of her share (收回剩余), or hands what she has not reworked of a rework share to
another worker (转给别人返工); the head or the job's firm staff correct a booked inspection
result. Each is a reversal row plus a new row, written by
``dispatch.services`` with who, when and why; a refused correction is said in words and nothing is
written. A report or result of another job (or of a job one does not see) is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dispatch import services as flow
from dispatch.models import Assignment, InspectionResult, WorkReport
from dispatch.web import refused_text
from materials.models import BomLine

from .. import pay_forms, selectors
from .. import services as dash_services
from .common import REFUSED, dashboard_view, require_perm


def _correct(request: HttpRequest, job, form, call, *, done, anchor: str) -> HttpResponse:
    """Run one correction service (``call(cleaned_data)``) from a posted ``form``: a refusal or a bad form
    becomes a message in words (nothing written): a bad form's own, each said once (a count too large is
    not a missing reason); success ``done(cleaned_data, what the call returned)``; back to the job page."""
    if not form.is_valid():
        messages.error(request, " ".join(dict.fromkeys(e for errors in form.errors.values() for e in errors)))
    else:
        try:
            made = call(form.cleaned_data)
        except REFUSED as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(request, done(form.cleaned_data, made))
    return redirect(reverse("dashboard:job", args=[job.pk]) + anchor)


@require_POST
@dashboard_view
def report_correct(request: HttpRequest, pk: int, report: int) -> HttpResponse:
    """The head corrects a report to the pieces typed (0 cancels it), with a reason."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "correct_report", job)
    row = WorkReport.objects.filter(pk=report, assignment__job=job).first()
    if row is None:
        raise Http404(_("没有这次报工。"))
    return _correct(
        request,
        job,
        pay_forms.ReportCorrectForm(request.POST),
        lambda d: flow.report_correct(actor=request.user, report=row, pieces=d["pieces"], reason=d["reason"]),
        done=lambda d, _made: (
            _("报工已更正:%(a)d → %(b)d 件。坊工会收到通知。") % {"a": row.pieces, "b": d["pieces"]}
        ),
        anchor="#reports",
    )


def _taken_back_words(job, name: str, pieces: int) -> str:
    """What the head reads after a take-back: where the pieces went, and (when the job has materials)
    that what the worker holds of them is hers to take in on the materials page."""
    back = _(
        "已收回 %(w)s 还没做的 %(n)d 件,件数回到单上待派:有空的坊工会收到派工,没人有空时请在派工页安排。"
    )
    words = [back % {"w": name, "n": pieces}]
    if BomLine.objects.filter(job=job).exists():
        words.append(_("%(w)s 手上这单的物料请到物料页登记交回。") % {"w": name})
    return " ".join(words)


def _share_of(job, share: int) -> Assignment:
    """The share ``share`` of ``job``, with its worker; Http404 for another job's or an unknown id."""
    row = Assignment.objects.select_related("worker").filter(pk=share, job=job).first()
    if row is None:
        raise Http404(_("没有这个派工。"))
    return row


@require_POST
@dashboard_view
def share_take_back(request: HttpRequest, pk: int, share: int) -> HttpResponse:
    """The head takes back the pieces of a share its worker has not made (``rest`` as she saw it), with a
    reason; they go back to the job and are offered to others."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "take_back_share", job)
    row = _share_of(job, share)
    return _correct(
        request,
        job,
        pay_forms.ShareTakeBackForm(request.POST),
        lambda d: dash_services.share_take_back(
            actor=request.user, assignment=row, rest=d["rest"], reason=d["reason"]
        ),
        done=lambda d, _made: _taken_back_words(job, row.worker.name, d["rest"]),
        anchor=f"#share-{row.pk}",
    )


@require_POST
@dashboard_view
def rework_pass_on(request: HttpRequest, pk: int, share: int) -> HttpResponse:
    """The head hands the pieces of a rework share its worker has not reworked (``rest`` as she saw it)
    to another active worker of the workshop, with a reason (转给别人返工)."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "take_back_share", job)
    row = _share_of(job, share)
    return _correct(
        request,
        job,
        pay_forms.ReworkPassOnForm(request.POST),
        lambda d: dash_services.rework_pass_on(
            actor=request.user, assignment=row, worker=d["worker"], rest=d["rest"], reason=d["reason"]
        ),
        done=lambda d, passed_on: _passed_on_words(job, row.worker.name, passed_on),
        anchor=f"#share-{row.pk}",
    )


def _passed_on_words(job, name: str, share: Assignment) -> str:
    """What the head reads after passing rework on: who has it now, and (when the job has materials) that
    the replacement parts stay with the first worker until handed back, the new one's to be issued."""
    passed = ngettext(
        "%(w)s 还没返工的 %(n)d 件已交给 %(o)s 返工,对方会收到通知。",
        "%(w)s 还没返工的 %(n)d 件已交给 %(o)s 返工,对方会收到通知。",
        share.pieces,
    )
    words = [passed % {"w": name, "n": share.pieces, "o": share.worker.name}]
    if BomLine.objects.filter(job=job).exists():
        words.append(
            _("%(w)s 手上这单的物料请到物料页登记交回;%(o)s 返工要用的料请在物料页补发。")
            % {"w": name, "o": share.worker.name}
        )
    return " ".join(words)


@require_POST
@dashboard_view
def result_correct(request: HttpRequest, pk: int, result: int) -> HttpResponse:
    """The head or the firm's staff correct a booked inspection result to passed + rejected pieces, with
    a reason; the pay difference is booked in the open month."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "correct_result", job)
    row = InspectionResult.objects.filter(pk=result, inspection__job=job).first()
    if row is None:
        raise Http404(_("没有这条验收结果。"))
    return _correct(
        request,
        job,
        pay_forms.ResultCorrectForm(request.POST),
        lambda d: flow.result_correct(
            actor=request.user, result=row, passed=d["passed"], rejected=d["rejected"], reason=d["reason"]
        ),
        done=lambda d, _made: (
            _("验收结果已更正:合格 %(a)d → %(b)d 件。工资差额计入当前未关账的月份。")
            % {"a": row.pieces_passed, "b": d["passed"]}
        ),
        anchor="#results",
    )
