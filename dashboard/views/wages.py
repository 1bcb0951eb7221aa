"""The community admin's minimum-wage setting (最低工资标准): the part-time minimum hourly wage of their
community, its history, and a form that appends a new setting (never edits an old one)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dispatch.web import refused_text
from workshop import selectors as workshop_reads
from workshop import wage_services

from .. import forms
from .common import REFUSED, dashboard_view, page_context, require_perm


@require_http_methods(["GET", "POST"])
@dashboard_view
def min_wage(request: HttpRequest) -> HttpResponse:
    """The figures in force today for the admin's community (a superuser: the default for every
    workshop), where they come from (this community, the county, or the default), every row set for this
    community, and a form for a new row. Community admins only (403 for heads and firm staff)."""
    require_perm(request, "set_min_wage")
    place = workshop_reads.minimum_wage_place(request.user)
    if place is None:
        raise PermissionDenied(_("只有社区管理员可以设置最低工资标准。"))
    county, subdistrict, community = place
    today = timezone.localdate()
    current = workshop_reads.minimum_wage_for_place(
        county=county, subdistrict=subdistrict, community=community, on=today
    )
    initial = {"effective_from": today}
    if current is not None:
        initial |= {
            "tier": current.tier,
            "tier1_hourly": current.tier1_hourly,
            "tier2_hourly": current.tier2_hourly,
            "tier3_hourly": current.tier3_hourly,
        }
    form = forms.MinWageForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            wage_services.minimum_wage_add(actor=request.user, **form.cleaned_data)
        except REFUSED as exc:
            error = refused_text(exc)
        else:
            messages.success(request, _("已保存新的最低工资标准,原有记录保留在历史中。"))
            return redirect("dashboard:min_wage")
    context = page_context(
        request,
        form=form,
        error=error,
        place=" ".join(p for p in place if p),
        current=current,
        inherited=current is not None and current.level < (2 if community else 0),
        history=workshop_reads.minimum_wage_history(
            county=county, subdistrict=subdistrict, community=community
        ),
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/min_wage.html", context, status=status)
