"""Pay months (结算) for the workshop's head and the community admin: the months, one month's review per
worker, closing it (关账), marking it paid (发放: cash against a printed signature sheet, or a bank
transfer list), and bonuses and deductions (奖励/扣款).

A firm never reaches these pages (403), nor does a worker (no dashboard). A workshop comes by ``ws`` (a
community admin chooses; a head has hers): one not theirs is a 404 and nothing is written. Money forms
carry a hidden key made when drawn, so a double submit records once; a paid worker's lines are locked.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch import services as flow
from dispatch.web import refused_text
from pay import money
from pay import services as pay
from pay.models import PayMethod
from workshop.models import Workshop
from workshop.text import joined

from .. import pay_forms
from .. import pay_selectors as reads
from ..exports import transfer_plan, write_xlsx
from .common import REFUSED, dashboard_view, page_context, pay_workshop, require_perm, row_id


def _month_url(ws: Workshop, month) -> str:
    return reverse("dashboard:pay_period", args=[f"{month:%Y-%m}"]) + "?" + urlencode({"ws": ws.pk})


# --- the months ----------------------------------------------------------------------------------------


@require_GET
@dashboard_view
def period_list(request: HttpRequest) -> HttpResponse:
    """The workshop's pay months, newest first: total, workers, closed or open, how many paid."""
    ws = pay_workshop(request)
    months = reads.month_list(ws, today=timezone.localdate())
    context = page_context(request, ws=ws, workshops=request.pay_workshops, months=months)
    return render(request, "dashboard/pay_periods.html", context)


@require_GET
@dashboard_view
def period_detail(request: HttpRequest, month: str) -> HttpResponse:
    """One month: per worker piece wages, corrections (labelled with the month they correct), bonuses,
    deductions, total, paid or not; what keeps the month from closing; the close and pay forms; the
    payouts made, with their signature sheet or transfer list."""
    first = reads.parse_month(month)
    ws = pay_workshop(request)
    period = reads.period_get(ws, first)
    closed = period is not None and period.closed_at is not None
    rows = reads.month_review(ws, first, period)
    unpaid = [r for r in rows if not r.paid and r.total > 0]
    context = page_context(
        request,
        ws=ws,
        workshops=request.pay_workshops,
        month=first,
        period=period,
        closed=closed,
        rows=rows,
        total=money.yuan_sum(r.total for r in rows),
        unpaid=unpaid,
        unpaid_total=money.yuan_sum(r.total for r in unpaid),
        no_account=[r.worker for r in unpaid if not r.worker.bank_account],
        blockers=[] if closed else flow.open_inspections(ws.pk, first),
        batches=reads.period_batches(period),
        adjustments=list(reads.adjustments(ws, first)),
        pay_form=pay_forms.PayoutForm(initial={"method": PayMethod.CASH}),
        is_current=first == timezone.localdate().replace(day=1),
    )
    return render(request, "dashboard/pay_period.html", context)


@require_POST
@dashboard_view
def period_close(request: HttpRequest, month: str) -> HttpResponse:
    """Close the month (关账): refused in words while an inspection of it is open, naming the jobs."""
    first = reads.parse_month(month)
    ws = pay_workshop(request)
    try:
        period = flow.period_close(
            actor=request.user, workshop=ws, month=first, early=request.POST.get("early") == "1"
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(
            request,
            _("%(m)s 已关账,工资合计 %(t)s 元。此后的更正和调整计入下个月。")
            % {"m": f"{first:%Y-%m}", "t": period.total_yuan},
        )
    return redirect(_month_url(ws, first))


@require_POST
@dashboard_view
def period_pay(request: HttpRequest, month: str) -> HttpResponse:
    """Mark the closed month paid (发放) for the ticked workers (all unpaid when none is ticked), by cash
    or transfer. The hidden key makes a double submit record once; a worker already paid is refused by
    name and nothing is written."""
    first = reads.parse_month(month)
    ws = pay_workshop(request)
    period = reads.period_get(ws, first)
    form = pay_forms.PayoutForm(request.POST)
    if period is None or period.closed_at is None:
        messages.error(request, _("%(m)s 还没关账,关账核对后才能发放。") % {"m": f"{first:%Y-%m}"})
        return redirect(_month_url(ws, first))
    if not form.is_valid():
        messages.error(request, _("请选发放方式后再提交。"))
        return redirect(_month_url(ws, first))
    worker_ids = form.worker_ids()
    if worker_ids is None:
        # None ticked: everyone still unpaid (the service's "all" would count those paid in an earlier
        # batch too, and refuse them).
        worker_ids = [r.worker.pk for r in reads.payout_rows(period)] or None
    try:
        batch, created = pay.payout_mark_paid(
            period=period,
            method=form.cleaned_data["method"],
            actor=request.user,
            key=form.cleaned_data["key"],
            worker_ids=worker_ids,
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        if created:
            messages.success(
                request,
                _("已记为%(how)s发放:%(n)d 人,合计 %(t)s 元。")
                % {"how": batch.get_method_display(), "n": batch.payouts.count(), "t": batch.total_yuan},
            )
        else:
            messages.info(request, _("这次发放已经记录过了,没有重复发放。"))
    return redirect(_month_url(ws, first))


def _closed_period(request: HttpRequest, month: str):
    first = reads.parse_month(month)
    ws = pay_workshop(request)
    period = reads.period_get(ws, first)
    if period is None or period.closed_at is None:
        return ws, first, None, None
    raw = row_id(request.GET.get("batch"))
    batch = reads.batch_get(period, raw) if raw is not None else None
    return ws, first, period, batch


@require_GET
@dashboard_view
def period_sheet(request: HttpRequest, month: str) -> HttpResponse:
    """The printable cash signature sheet (签字表) of a payout (``batch``), or of what is still unpaid in the
    closed month: 序号, 姓名, 金额, a column to sign, blank lines, the total."""
    ws, first, period, batch = _closed_period(request, month)
    if period is None:
        messages.error(request, _("%(m)s 还没关账,关账核对后才能打印签字表。") % {"m": f"{first:%Y-%m}"})
        return redirect(_month_url(ws, first))
    rows = reads.payout_rows(period, batch)
    context = page_context(
        request,
        ws=ws,
        month=first,
        batch=batch,
        rows=rows,
        total=money.yuan_sum(r.amount for r in rows),
        blanks=range(3),
        back=_month_url(ws, first),
    )
    return render(request, "dashboard/pay_sheet.html", context)


@require_GET
@dashboard_view
def period_transfer(request: HttpRequest, month: str) -> HttpResponse:
    """The bank transfer list (代发工资 xlsx) of a payout (``batch``), or of what is still unpaid in the
    closed month; whole account and ID numbers (the bank needs them), amounts to the fen. Refused,
    naming them, while anyone on it has no account (a bank takes no row without one; the month's page
    warns before the link), as paying by transfer is."""
    ws, first, period, batch = _closed_period(request, month)
    if period is None:
        messages.error(request, _("%(m)s 还没关账,关账核对后才能导出转账清单。") % {"m": f"{first:%Y-%m}"})
        return redirect(_month_url(ws, first))
    rows = reads.payout_rows(period, batch)
    lacking = [r.worker.name for r in rows if not r.worker.bank_account]
    if lacking:
        messages.error(
            request,
            _("这些人没有收款账号,转账清单没有导出:%(names)s。请先在坊工页填写账号,或先给他们发现金。")
            % {"names": joined(lacking)},
        )
        return redirect(_month_url(ws, first))
    out = io.BytesIO()
    write_xlsx(out, transfer_plan(rows, month=first))
    out.seek(0)
    name = _("代发工资-%(ws)s-%(m)s.xlsx") % {"ws": ws.pk, "m": f"{first:%Y%m}"}
    response = FileResponse(out, as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response


# --- bonuses and deductions ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@dashboard_view
def adjustment_list(request: HttpRequest) -> HttpResponse:
    """Bonuses and deductions of a month (``month``, default this one) and the form to add one: a worker
    of the workshop, bonus (准时奖/质量奖/其他) or deduction, amount, the reason she reads. Recorded once per
    drawn form (its hidden key); refused in words with nothing written, each beside the field it is
    about."""
    ws = pay_workshop(request)
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("month", "")
    first = reads.parse_month(raw) if raw else today.replace(day=1)
    workers = ws.workers.filter(active=True).order_by("name", "pk")
    form = pay_forms.AdjustmentForm(request.POST if request.method == "POST" else None, workers=workers)
    error = ""
    if request.method == "POST":
        if form.is_valid():
            worker = form.cleaned_data["worker"]
            require_perm(request, "adjust_pay", worker)
            try:
                line, created = flow.pay_adjust(
                    worker=worker,
                    amount=form.cleaned_data["amount"],
                    actor=request.user,
                    key=form.cleaned_data["key"],
                    **form.service_args(),
                )
            except REFUSED as exc:
                error = _field_errors(form, exc)
            else:
                if created:
                    messages.success(
                        request,
                        _("已为 %(w)s 记%(k)s %(a)s 元,计入 %(m)s。")
                        % {
                            "w": worker.name,
                            "k": line.get_kind_display(),
                            "a": money.to_yuan(abs(line.amount)),
                            "m": f"{line.month:%Y-%m}",
                        },
                    )
                else:
                    messages.info(request, _("这笔调整已经记录过了,没有重复记。"))
                url = (
                    reverse("dashboard:pay_adjustments")
                    + "?"
                    + urlencode({"ws": ws.pk, "month": f"{line.month:%Y-%m}"})
                )
                return redirect(url)
    context = page_context(
        request,
        ws=ws,
        workshops=request.pay_workshops,
        month=first,
        open_month=pay.open_month(ws.pk, today),
        adjust_max=pay.ADJUSTMENT_MAX_YUAN,
        form=form,
        error=error,
        lines=list(reads.adjustments(ws, first)),
        loss_rules=list(ws.loss_rules.select_related("created_by").order_by("-created_at", "-id")[:5]),
        can_set_rule=request.scope.heads(ws.pk),
    )
    return render(
        request, "dashboard/pay_adjustments.html", context, status=400 if error or form.errors else 200
    )


def _field_errors(form, exc: Exception) -> str:
    """Put a refusal's words on the form's fields they name (the amount, the reason); return the rest in
    words, for the top of the form."""
    if not isinstance(exc, ValidationError) or not hasattr(exc, "error_dict"):
        return refused_text(exc)
    rest = []
    for field, errors in exc.error_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        else:
            rest.extend(ValidationError(errors).messages)
    return " ".join(rest)
