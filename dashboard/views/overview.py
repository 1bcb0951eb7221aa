"""The home page's figures and the rows behind them: KPI cards and charts (home), the flow board, and the
lists of jobs, pay lines and inspections the figures link to."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dispatch import reports
from dispatch.models import JOB_STAGES, STAGE_RANK, Inspection, JobState, reached_stage
from dispatch.web import id_param, paginate
from pay import money
from workshop.models import Employment

from .. import forms, selectors
from .common import dashboard_view, page_context, query_without_page

# --- home ----------------------------------------------------------------------------------------------


@require_GET
@dashboard_view
def home(request: HttpRequest) -> HttpResponse:
    """KPI cards and charts for the user's scope, over a date range (default: this year) and workshop, and
    the open jobs whose piece rate pays under the local minimum hourly wage (whatever their date)."""
    scope = request.scope
    form = forms.PeriodForm(request.GET or None, scope=scope)
    period = form.period()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), period.workshop_id)
    workers = selectors.workers_for(scope)
    if period.workshop_id:
        workers = workers.filter(workshop_id=period.workshop_id)
    today = timezone.localdate()
    shops, firm_id = selectors.job_cells(scope, period.workshop_id)
    figures = reports.dashboard_figures(
        jobs=jobs,
        workers=workers,
        start=period.start,
        end=period.end,
        today=today,
        workshop_ids=shops,
        firm_id=firm_id,
    )
    labels = dict(JobState.choices)
    charts = {
        "funnel": [{"state": s, "name": str(labels[s]), "value": n} for s, n in figures["funnel"]],
        "daily": figures["daily_pieces"],
        "savings": [
            {"name": name, "value": float(annual), "saving": float(saving)}
            for name, saving, annual, _p in figures["savings"]["by_firm"]
        ],
        "goal": float(figures["savings"]["goal"]),
        "labels": {
            "pieces": _("报工件数"),
            "savings": _("年化降本(元)"),
            "goal": _("目标"),
        },
    }
    query = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if period.workshop_id:
        query["ws"] = period.workshop_id
    month_start = today.replace(day=1)
    low_rate_rows, low_rate_total = selectors.low_rate_jobs(scope, jobs)
    context = page_context(
        request,
        form=form,
        period=period,
        todo=selectors.todo_counts(jobs, today=today),
        slip_questions=selectors.slip_questions_for(scope).count() if scope.manages_workers else 0,
        f=figures,
        charts=charts,
        query="&".join(f"{k}={v}" for k, v in query.items()),
        month_query=f"start={month_start.isoformat()}&end={today.isoformat()}"
        + (f"&ws={period.workshop_id}" if period.workshop_id else ""),
        # The auto-accepted jobs still being made, whenever they were issued (the list's widest range).
        auto_query=f"auto=on&start={today - dt.timedelta(days=3650):%Y-%m-%d}&end={today:%Y-%m-%d}",
        state_labels=labels,
        income_rows=[
            (Employment.FIXED, _("固定坊工"), figures["income"][Employment.FIXED]),
            (Employment.PART_TIME, _("兼职坊工"), figures["income"][Employment.PART_TIME]),
        ],
        low_rate_rows=low_rate_rows,
        low_rate_total=low_rate_total,
    )
    return render(request, "dashboard/home.html", context)


# --- the flow board and the job list -------------------------------------------------------------------


@require_GET
@dashboard_view
def board(request: HttpRequest) -> HttpResponse:
    """Jobs as cards in columns by state, with each role's actions on the cards."""
    scope = request.scope
    form = forms.JobFilterForm(request.GET or None, scope=scope)
    jobs = selectors.jobs_for(scope)
    ws_id = None
    q = ""
    if form.is_valid():
        ws_id = form.cleaned_data["ws"].pk if form.cleaned_data.get("ws") else None
        q = form.cleaned_data.get("q") or ""
    jobs = selectors.narrow_jobs(jobs, ws_id)
    if q:
        jobs = jobs.filter(title__icontains=q)
    columns, closed = selectors.board_columns(jobs)
    context = page_context(
        request,
        form=form,
        columns=columns,
        closed=closed,
        today=timezone.localdate(),
        cards_cap=selectors.BOARD_CARDS_PER_COLUMN,
    )
    return render(request, "dashboard/board.html", context)


@require_GET
@dashboard_view
def job_list(request: HttpRequest) -> HttpResponse:
    """The jobs behind a figure: by state, issued in a period, sent on time or late, title search, the
    ones the pairing's auto-accept rule took (``auto``)."""
    scope = request.scope
    form = forms.JobFilterForm(request.GET or None, scope=scope)
    period = form.period()
    lo, hi = period.bounds()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), period.workshop_id)
    data = form.usable()
    sent = data.get("sent")
    if sent:
        # The on-time figure's rows: first sent for inspection in the period, on time or late.
        ids = [pk for pk, ok in reports.first_sent(jobs, lo, hi) if ok == (sent == "on_time")]
        jobs = jobs.filter(pk__in=ids)
    else:
        jobs = jobs.filter(issued_at__gte=lo, issued_at__lt=hi)
    if data.get("state"):
        jobs = jobs.filter(state=data["state"])
    if data.get("reached"):
        # The funnel's rows: every job that got at least this far (its furthest stage, else its state).
        later = JOB_STAGES[STAGE_RANK[data["reached"]] :]
        jobs = jobs.annotate(stage=reached_stage()).filter(stage__in=later)
    if data.get("q"):
        jobs = jobs.filter(title__icontains=data["q"])
    if data.get("auto"):
        jobs = jobs.filter(auto_accept_rule__isnull=False)
    jobs = jobs.annotate(reported=Sum("assignments__pieces_reported")).order_by("-issued_at", "-id")
    context = page_context(
        request, form=form, page=paginate(request, jobs), query=query_without_page(request)
    )
    return render(request, "dashboard/job_list.html", context)


# --- rows behind the figures: pay lines and inspections ------------------------------------------------


@require_GET
@dashboard_view
def pay_list(request: HttpRequest) -> HttpResponse:
    """Pay lines booked in a period (firm staff: their statement's rows, 对账单), with the total."""
    scope = request.scope
    form = forms.PayFilterForm(request.GET or None, scope=scope)
    period = form.period()
    data = form.usable()
    lines = selectors.pay_lines_for(scope).filter(booked_on__gte=period.start, booked_on__lte=period.end)
    if period.workshop_id:
        lines = lines.filter(assignment__job__workshop_id=period.workshop_id)
    if data.get("employment") and scope.manages_workers:
        lines = lines.filter(worker__employment=data["employment"])
    if data.get("low_income") in ("1", "0") and scope.sees_low_income:
        lines = lines.filter(worker__low_income=data["low_income"] == "1")
    worker_id = id_param(request, "worker")
    if worker_id is not None and scope.manages_workers:
        lines = lines.filter(worker_id=worker_id)
    totals = lines.aggregate(amount=Sum("amount"), pieces=Sum("pieces_passed"), n=Count("id"))
    if scope.is_firm:
        # The firm's statement rows are at its own rate (加工费), never the worker's rate or pay.
        totals["amount"] = selectors.firm_amount_total(lines)
    lines = lines.select_related("worker", "assignment__job", "assignment__job__line__firm").order_by(
        "-booked_on", "-id"
    )
    page = paginate(request, lines)
    if scope.is_firm:
        for line in page:
            line.rate = line.assignment.job.piece_rate
            line.amount = money.firm_amount(line.pieces_passed, line.rate)
    context = page_context(request, form=form, page=page, totals=totals, query=query_without_page(request))
    return render(request, "dashboard/pay_list.html", context)


@require_GET
@dashboard_view
def inspection_list(request: HttpRequest) -> HttpResponse:
    """Inspections recorded in a period with their passed, rejected and rework pieces (the pass rate's
    rows)."""
    scope = request.scope
    form = forms.PeriodForm(request.GET or None, scope=scope)
    period = form.period()
    lo, hi = period.bounds()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), period.workshop_id)
    inspections = selectors.with_result_sums(
        Inspection.objects.filter(job__in=jobs.values("pk"), at__gte=lo, at__lt=hi).select_related(
            "job", "inspector", "job__line__firm"
        )
    ).order_by("-at", "-id")
    context = page_context(
        request, form=form, page=paginate(request, inspections), query=query_without_page(request)
    )
    return render(request, "dashboard/inspection_list.html", context)
