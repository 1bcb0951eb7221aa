"""The workshop's rule for material lost beyond the allowance (物料超耗扣款规则) and applying it to a job.

The head sets the rule (a new row each time; the old stay on record) and, on a job's materials page,
deducts by it; a community admin reads the rule; a firm and a worker never reach these pages (the worker
reads the rule on her wage slip). Refusals in words, nothing written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dispatch import services as flow
from dispatch.web import refused_text
from pay import services as pay
from pay.models import PayLine

from .. import selectors
from .common import REFUSED, dashboard_view, pay_workshop, require_perm


@require_POST
@dashboard_view
def loss_rule_set(request: HttpRequest) -> HttpResponse:
    """The head sets her workshop's rule: share %, cap per job (yuan), the rule in words."""
    ws = pay_workshop(request)
    if not request.scope.heads(ws.pk):
        raise PermissionDenied(_("只有本工坊坊长可以设置扣款规则。"))
    try:
        pay.loss_rule_set(
            workshop=ws,
            share_pct=request.POST.get("share_pct", ""),
            cap_yuan=request.POST.get("cap_yuan", ""),
            text=request.POST.get("text", ""),
            actor=request.user,
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("扣款规则已更新,坊工在工资条上能看到。"))
    return redirect(reverse("dashboard:pay_adjustments") + "?" + urlencode({"ws": ws.pk}))


@require_POST
@dashboard_view
def job_loss_deduct(request: HttpRequest, pk: int) -> HttpResponse:
    """Deduct by the rule what each worker of the job lost beyond the allowance (once per worker and
    material); the head of the job's workshop only."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "move_materials", job)
    try:
        lines = flow.material_loss_deduct(actor=request.user, job=job)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        if lines:
            messages.success(
                request,
                _("已按规则记扣款 %(n)d 笔,计入坊工当月工资条。") % {"n": len(lines)},
            )
        else:
            messages.info(request, _("没有新的超耗要扣(已扣过的不会重复扣)。"))
    return redirect("dashboard:job_materials", pk=job.pk)


@require_POST
@dashboard_view
def adjustment_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """The head takes back a bonus or deduction booked by mistake, with a reason (a new line; the old
    stays)."""
    ws = pay_workshop(request)
    line = get_object_or_404(PayLine, pk=pk, worker__workshop=ws)
    try:
        _reversal, created = flow.pay_adjust_reverse(
            line=line,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            key=request.POST.get("key", ""),
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        if created:
            messages.success(request, _("已撤销这笔 %(a)s 元,计入当前未关账的月份。") % {"a": line.amount})
        else:
            messages.info(request, _("这笔已经撤销过了,没有重复记。"))
    return redirect(reverse("dashboard:pay_adjustments") + "?" + urlencode({"ws": ws.pk}))
