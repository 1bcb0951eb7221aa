"""The impact report (增收降本) at /dashboard/impact/: figures only, for the county official (their
county), the community admin (their community's workshops), a head (their own workshop) and the superuser
(every workshop); the same tables as an xlsx at /dashboard/impact.xlsx.

No person is named and groups of one or two people are shown as "<3" (``dashboard.impact``). Firm staff
never see a worker's income, so they get a 403 like workers and users with no role.

The workbook is written in the request, not queued as an export: its rows are workshops, subdistricts and
groups (summed by the database in a few queries), not pay lines, and the county official may not POST (an
export is asked for by POST), so a GET that returns the file is the read-only way.
"""

from __future__ import annotations

import functools
import io

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pay import impact
from workshop.roles import scope_for

from ..impact import FEW, tables, write_impact_xlsx
from .common import page_context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def impact_view(view):
    """Login and a role that reads the impact report (``Scope.sees_impact``) required; puts the user's
    ``Scope`` on ``request.scope``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = scope_for(request.user)
        if not scope.sees_impact:
            raise PermissionDenied(_("增收降本报表只对县级人员、社区管理员和坊长开放。"))
        request.scope = scope
        return view(request, *args, **kwargs)

    return wrapper


def _report(request: HttpRequest) -> impact.ImpactReport:
    return impact.impact_report(request.scope.impact_workshops(), as_of=timezone.localdate())


@require_GET
@impact_view
def impact_page(request: HttpRequest) -> HttpResponse:
    """The report's tables as of today (Asia/Shanghai), with how each figure is defined."""
    report = _report(request)
    context = page_context(
        request,
        report=report,
        tables=tables(report),
        few=FEW,
        min_days=impact.MIN_DAYS,
        suppress_below=impact.SUPPRESS_BELOW,
    )
    return render(request, "dashboard/impact.html", context)


@require_GET
@impact_view
def impact_xlsx(request: HttpRequest) -> HttpResponse:
    """The same tables as the page, one sheet each (县汇总, 街道, 工坊, 分组, 月度)."""
    report = _report(request)
    out = io.BytesIO()
    write_impact_xlsx(out, report)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    name = f"nuanxin-impact-{report.as_of:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
