"""Paired firms: the list with pairing records, lines, volume and savings against the goal, one firm's
page, the head's choice of how the firm sees the workshop's workers (by name or by number), and the firm
directory by industry (企业名录)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dispatch import reports
from dispatch.web import refused_text
from pay import monthly
from workshop import industries
from workshop import selectors as workshop_selectors
from workshop.pairings import pairing_show_workers

from .. import forms, selectors
from .common import REFUSED, dashboard_view, page_context, require_perm


def _firm_savings(scope, period, firm_id: int | None = None) -> dict[int, tuple]:
    """{firm id: (saved, annualised, progress)} on the pay booked in ``period`` for the jobs ``scope``
    sees (narrowed to ``period``'s workshop and to ``firm_id``), from the month rollups."""
    shops, scope_firm = selectors.job_cells(scope, period.workshop_id)
    if scope_firm is not None and firm_id is not None and scope_firm != firm_id:
        return {}
    pay = monthly.job_pay(
        start=period.start, end=period.end, workshop_ids=shops, firm_id=scope_firm or firm_id
    )
    return {fid: row[1:] for fid, row in reports.savings_of(pay, days=period.days).items()}


@require_GET
@dashboard_view
def firm_list(request: HttpRequest) -> HttpResponse:
    """Paired firms with their pairing records (signed date, lines, auto-accept rule), volume and savings
    against the 180,000 yuan goal."""
    scope = request.scope
    form = forms.PeriodForm(request.GET or None, scope=scope)
    period = form.period()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), period.workshop_id)
    volumes = selectors.firm_volumes(jobs)
    savings = _firm_savings(scope, period)
    firms = list(selectors.firms_for(scope).annotate(n_lines=Count("lines", distinct=True)))
    pairings = selectors.pairing_rows(scope)
    by_firm: dict[int, list] = {}
    for p in pairings:
        by_firm.setdefault(p.firm_id, []).append(p)
    for firm in firms:
        firm.volume = volumes.get(firm.pk, {"jobs": 0, "issued": 0, "passed": 0})
        firm.saving = savings.get(firm.pk)
        firm.pairing_rows = by_firm.get(firm.pk, [])
    context = page_context(
        request, form=form, firms=firms, goal=reports.GOAL_SAVINGS_PER_FIRM_YUAN, period=period
    )
    return render(request, "dashboard/firm_list.html", context)


@require_GET
@dashboard_view
def firm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    firm = selectors.firm_get(scope, pk)
    form = forms.PeriodForm(request.GET or None, scope=scope)
    period = form.period()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), period.workshop_id).filter(line__firm=firm)
    pairings = [p for p in selectors.pairing_rows(scope) if p.firm_id == firm.pk]
    for p in pairings:
        p.managed = request.user.has_perm("dashboard.manage_pairing", p)
    context = page_context(
        request,
        form=form,
        firm=firm,
        lines=list(firm.lines.order_by("name")),
        pairings=pairings,
        changes=workshop_selectors.pairing_changes([p for p in pairings if p.managed]),
        volume=selectors.firm_volumes(jobs).get(firm.pk, {"jobs": 0, "issued": 0, "passed": 0}),
        saving=_firm_savings(scope, period, firm.pk).get(firm.pk),
        goal=reports.GOAL_SAVINGS_PER_FIRM_YUAN,
        jobs=list(jobs.order_by("-issued_at")[:20]),
        period=period,
    )
    return render(request, "dashboard/firm_detail.html", context)


@require_GET
@dashboard_view
def firm_directory(request: HttpRequest) -> HttpResponse:
    """The firms the user sees grouped by industry section (GB/T 4754-2017) with counts, filtered by
    section (``?industry=C``; ``none`` for firms not yet classified) and searched (``?q=``: name, pinyin,
    credit code, contact, phone tail). Firm staff see their own firm only."""
    q = request.GET.get("q", "")
    directory = workshop_selectors.firm_directory(
        request.scope, section=industries.section_param(request.GET.get("industry")), q=q
    )
    return render(request, "dashboard/firm_directory.html", page_context(request, q=q, directory=directory))


@require_POST
@dashboard_view
def pairing_workers(request: HttpRequest, pk: int) -> HttpResponse:
    """The head shows the workshop's workers to the pairing's firm by name or by number (``by``), kept as
    a ``PairingChange`` (``workshop.pairings.pairing_show_workers``). 404 for a pairing the user does not
    see, 403 for its firm's own staff."""
    pairing = selectors.pairing_get(request.scope, pk)
    require_perm(request, "manage_pairing", pairing)
    by = request.POST.get("by", "")
    try:
        pairing_show_workers(actor=request.user, pairing=pairing, by=by)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        if by == "number":
            text = _("%(f)s 现在只看到 %(w)s 坊工的编号(如“12号坊工”),看不到姓名。")
        else:
            text = _("%(f)s 现在看到 %(w)s 坊工的姓名。")
        messages.success(request, text % {"f": pairing.firm.name, "w": pairing.workshop.name})
    return redirect("dashboard:firm", pk=pairing.firm_id)
