"""The dashboard (管理后台) at /dashboard/: plain function views for community admins, heads and firm staff.

Every view needs a login and a dashboard role (``dashboard_view``: anonymous → login, a worker or a user
without a role → 403). Objects come through ``dashboard.selectors`` scoped by the user (a foreign id is a
404 and nothing is written), then the action's django-rules permission is checked (visible but not
yours to change → 403). State changes are POST only, go through ``dispatch.services`` (or the
dashboard's services made of them), and end in a redirect; a refused change becomes a message.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch import reports
from dispatch import selectors as flow_selectors
from dispatch import services as flow
from dispatch.models import DISPATCHING_STATES, IllegalTransition, Inspection, JobState, PayLine
from dispatch.web import redirect_back, refused_text
from workshop import services as workshop_services
from workshop.models import Employment, ProcessKind
from workshop.roles import scope_for

from . import forms, selectors, services
from .models import Export, ExportStatus

REFUSED = (ValidationError, IllegalTransition, PermissionDenied)
PAGE_SIZE = 50


# --- helpers -------------------------------------------------------------------------------------------


def dashboard_view(view):
    """Login and a dashboard role required; puts the user's ``Scope`` on ``request.scope``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("dashboard.view_dashboard"):
            raise PermissionDenied(_("管理后台只对坊长、企业专员和社区管理员开放。"))
        request.scope = scope_for(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _require(request: HttpRequest, perm: str, obj=None) -> None:
    if not request.user.has_perm(f"dashboard.{perm}", obj):
        raise PermissionDenied(_("没有权限做这个操作。"))


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _ctx(request: HttpRequest, **kw) -> dict:
    scope = request.scope
    return {"scope": scope, "role": scope.role, "is_firm": scope.is_firm, **kw}


# --- home ----------------------------------------------------------------------------------------------


@require_GET
@dashboard_view
def home(request: HttpRequest) -> HttpResponse:
    """KPI cards and charts for the user's scope, over a date range (default: this year) and workshop."""
    scope = request.scope
    form = forms.PeriodForm(request.GET or None, scope=scope)
    period = form.period()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), period.workshop_id)
    workers = selectors.workers_for(scope)
    if period.workshop_id:
        workers = workers.filter(workshop_id=period.workshop_id)
    today = timezone.localdate()
    figures = reports.dashboard_figures(
        jobs=jobs, workers=workers, start=period.start, end=period.end, today=today
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
    context = _ctx(
        request,
        form=form,
        period=period,
        todo=selectors.todo_counts(jobs, today=today),
        f=figures,
        charts=charts,
        query="&".join(f"{k}={v}" for k, v in query.items()),
        month_query=f"start={month_start.isoformat()}&end={today.isoformat()}"
        + (f"&ws={period.workshop_id}" if period.workshop_id else ""),
        state_labels=labels,
        income_rows=[
            (Employment.FIXED, _("固定坊工"), figures["income"][Employment.FIXED]),
            (Employment.PART_TIME, _("兼职坊工"), figures["income"][Employment.PART_TIME]),
        ],
    )
    return render(request, "dashboard/home.html", context)


# --- the flow board and job lists ----------------------------------------------------------------------


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
    context = _ctx(
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
    """The jobs behind a figure: by state, issued in a period, sent on time or late, title search."""
    scope = request.scope
    form = forms.JobFilterForm(request.GET or None, scope=scope)
    period = form.period()
    lo, hi = period.bounds()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), period.workshop_id)
    data = form.cleaned_data if form.is_valid() else {}
    sent = data.get("sent")
    if sent:
        # The on-time figure's rows: first sent for inspection in the period, on time or late.
        ids = [pk for pk, ok in reports.first_sent(jobs, lo, hi) if ok == (sent == "on_time")]
        jobs = jobs.filter(pk__in=ids)
    else:
        jobs = jobs.filter(issued_at__gte=lo, issued_at__lt=hi)
    if data.get("state"):
        jobs = jobs.filter(state=data["state"])
    if data.get("q"):
        jobs = jobs.filter(title__icontains=data["q"])
    jobs = jobs.annotate(reported=Sum("assignments__pieces_reported")).order_by("-issued_at", "-id")
    context = _ctx(request, form=form, page=_page(request, jobs), query=_query_without_page(request))
    return render(request, "dashboard/job_list.html", context)


@require_http_methods(["GET", "POST"])
@dashboard_view
def job_new(request: HttpRequest) -> HttpResponse:
    """Firm staff issue a job (企业分发) with an optional sample photo."""
    _require(request, "issue_job")
    form = forms.JobIssueForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            job = flow.job_issue(
                actor=request.user,
                workshop=d["workshop"],
                line=d["line"],
                title=d["title"],
                quantity=d["quantity"],
                piece_rate=d["piece_rate"],
                due_on=d["due_on"],
                instructions=d["instructions"],
                process_kind=d["process_kind"] or None,
                photo=d.get("photo"),
            )
        except REFUSED as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(
                request, _("外发单 #%(id)s 已分发给 %(w)s。") % {"id": job.pk, "w": job.workshop.name}
            )
            return redirect("dashboard:job", pk=job.pk)
    return render(request, "dashboard/job_new.html", _ctx(request, form=form))


# --- one job -------------------------------------------------------------------------------------------


@require_GET
@dashboard_view
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A job with its facts, photo, assignments, inspections and its FlowEvent timeline, and the actions
    the user's role may take on it now."""
    job = selectors.job_get(request.scope, pk)
    assignments = selectors.job_assignments(job)
    inspections = list(selectors.with_result_sums(job.inspections.select_related("inspector")))
    reported = sum(a.pieces_reported for a in assignments)
    job.reported = reported  # the actions partial offers 完工送检 once everything is reported
    context = _ctx(
        request,
        job=job,
        assignments=assignments,
        inspections=inspections,
        events=flow_selectors.job_timeline(job, assignments),
        reported=reported,
        pending=len(flow_selectors.inspection_pending(assignments)),
        can_firm=request.user.has_perm("dashboard.inspect_job", job),
    )
    return render(request, "dashboard/job_detail.html", context)


@require_GET
@dashboard_view
def job_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's sample photo, served only to those who see the job (not a public media URL)."""
    job = selectors.job_get(request.scope, pk)
    _require(request, "view_photo", job)
    if not job.photo:
        raise Http404(_("没有照片。"))
    response = FileResponse(job.photo.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _job_action(request: HttpRequest, pk: int, perm: str, act, done: str) -> HttpResponse:
    """A one-click move on a job from its page or the board: check ``perm`` on the job, run
    ``act(job, reason)`` (the form's optional reason), say ``done`` (``%(t)s`` is the job's title) or why
    the move was refused, and go back where the user came from."""
    job = selectors.job_get(request.scope, pk)
    _require(request, perm, job)
    form = forms.ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        act(job, reason)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, done % {"t": job.title})
    return redirect_back(request, reverse("dashboard:job", args=[job.pk]))


@require_POST
@dashboard_view
def job_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(
        request,
        pk,
        "accept_job",
        lambda job, _reason: flow.job_accept(actor=request.user, job=job),
        _("已接单:%(t)s。系统会把活派给合适的坊工。"),
    )


@require_POST
@dashboard_view
def job_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(
        request,
        pk,
        "accept_job",
        lambda job, reason: flow.job_decline(actor=request.user, job=job, reason=reason),
        _("已拒单:%(t)s。"),
    )


@require_POST
@dashboard_view
def job_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The head sends the finished goods for inspection (送检)."""
    return _job_action(
        request,
        pk,
        "submit_job",
        lambda job, _reason: flow.job_send_for_inspection(actor=request.user, job=job),
        _("已送检:%(t)s,等待企业验收。"),
    )


@require_POST
@dashboard_view
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_action(
        request,
        pk,
        "cancel_job",
        lambda job, reason: flow.job_cancel(actor=request.user, job=job, reason=reason),
        _("外发单已取消。"),
    )


def _parse_shares(post, workers) -> tuple[dict[int, int], dict[int, str], list[str]]:
    """Read ``w<worker id>`` piece counts for the workshop's ``workers``: (shares, raw values, errors)."""
    shares, raw, errors = {}, {}, []
    for w in workers:
        wid = w.pk
        value = (post.get(f"w{wid}") or "").strip()
        raw[wid] = value
        if value in ("", "0"):
            continue
        if not value.isdigit():
            errors.append(_("%(w)s:请输入不小于0的整数件数。") % {"w": w.name})
            continue
        shares[wid] = int(value)
    # Pieces typed for someone who is not a row (another workshop's worker, one who left): refuse the
    # split rather than offer the rest without a word. With no valid share at all, the service says so.
    known = {f"w{w.pk}" for w in workers}
    stray = [
        k for k in post if re.fullmatch(r"w\d+", k) and k not in known and post[k].strip() not in ("", "0")
    ]
    if stray and shares:
        errors.append(_("有坊工不属于此工坊或已离岗。"))
    return shares, raw, errors


@require_http_methods(["GET", "POST"])
@dashboard_view
def job_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """The head's dispatch (派工): the planned split of the unassigned pieces, editable per worker with
    the totals checked as you type (and again here on the server), offered in one transaction. An issued
    job is accepted in the same transaction."""
    job = selectors.job_get(request.scope, pk)
    _require(request, "dispatch_job", job)
    if job.state not in (JobState.ISSUED, *DISPATCHING_STATES) or job.pieces_unassigned <= 0:
        messages.info(request, _("这个外发单现在没有待派的件数。"))
        return redirect("dashboard:job", pk=job.pk)
    workers = selectors.dispatch_workers(job)
    errors: list[str] = []
    raw: dict[int, str] = {}
    if request.method == "POST":
        shares, raw, errors = _parse_shares(request.POST, workers)
        if not errors:
            try:
                made = services.dispatch_shares(actor=request.user, job=job, shares=shares)
            except REFUSED as exc:
                errors.append(refused_text(exc))
            else:
                messages.success(
                    request,
                    _("已派出 %(n)d 份工,共 %(p)d 件,等待坊工接受。")
                    % {"n": len(made), "p": sum(a.pieces for a in made)},
                )
                return redirect("dashboard:job", pk=job.pk)
    # The plan (the optimiser's run) only for the page: shown fresh, or again with what the head typed.
    rows = selectors.dispatch_plan(job, workers=workers)
    for row in rows:
        row["value"] = raw.get(row["worker"].pk, "") if request.method == "POST" else row["planned"] or ""
    planned_total = sum(r["planned"] for r in rows)
    context = _ctx(
        request,
        job=job,
        rows=rows,
        errors=errors,
        planned_total=planned_total,
        unassigned=job.pieces_unassigned,
    )
    return render(request, "dashboard/job_dispatch.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@dashboard_view
def job_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """Firm staff record the inspection (质检): per assignment, or per lot (split in proportion, see
    ``dashboard.services.lot_results``); rejected pieces can go back as rework (返工)."""
    job = selectors.job_get(request.scope, pk)
    _require(request, "inspect_job", job)
    pending = flow_selectors.inspection_pending(selectors.job_assignments(job))
    if job.state != JobState.INSPECTING or not pending:
        messages.info(request, _("这个外发单现在没有待验收的件数。"))
        return redirect("dashboard:job", pk=job.pk)
    mode = request.POST.get("mode", "assignment") if request.method == "POST" else "assignment"
    data = request.POST if request.method == "POST" else None
    rows = [
        (
            a,
            forms.InspectionRowForm(
                data if mode == "assignment" else None,
                prefix=f"a{a.pk}",
                initial={"passed": a.pieces_uninspected},
            ),
        )
        for a in pending
    ]
    lot_form = forms.LotInspectionForm(data if mode == "lot" else None)
    error = ""
    if request.method == "POST":
        try:
            if mode == "lot":
                if not lot_form.is_valid():
                    raise ValidationError(lot_form.errors.get("__all__") or _("请填写不小于0的整数件数。"))
                d = lot_form.cleaned_data
                services.inspect_lot(
                    actor=request.user,
                    job=job,
                    rejected=d["rejected"],
                    rework=d["rework"],
                    reason=d["reason"],
                    notes=d["notes"],
                )
            else:
                if not all(f.is_valid() for _a, f in rows):
                    raise ValidationError(_("请为每位坊工填写合格、不合格和返工件数(不小于0的整数)。"))
                results = [
                    flow.ResultInput(
                        assignment_id=a.pk,
                        passed=f.cleaned_data["passed"],
                        rejected=f.cleaned_data["rejected"],
                        rework=f.cleaned_data["rework"],
                        reason=f.cleaned_data["reason"],
                    )
                    for a, f in rows
                ]
                flow.job_inspect(
                    actor=request.user,
                    job=job,
                    results=results,
                    notes=request.POST.get("notes", "").strip()[:2000],
                )
        except REFUSED as exc:
            error = refused_text(exc)
        else:
            messages.success(request, _("验收结果已提交,工资和返工会自动入账。"))
            return redirect("dashboard:job", pk=job.pk)
    context = _ctx(
        request,
        job=job,
        rows=rows,
        lot_form=lot_form,
        lot_total=sum(a.pieces_uninspected for a in pending),
        mode=mode,
        error=error,
    )
    return render(request, "dashboard/job_inspect.html", context, status=400 if error else 200)


# --- roster --------------------------------------------------------------------------------------------


@require_GET
@dashboard_view
def roster(request: HttpRequest) -> HttpResponse:
    """Workers: search by name, phone tail or pinyin initials; filter; open work and pay this year."""
    _require(request, "view_roster")
    scope = request.scope
    form = forms.RosterFilterForm(request.GET or None, scope=scope)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {k: v for k, v in data.items() if k != "q" and v not in (None, "")}
    if filters.get("workshop"):
        filters["workshop"] = filters["workshop"].pk
    workers = selectors.roster(scope, q=data.get("q", ""), filters=filters)
    page = _page(request, workers)
    figures = selectors.roster_page_figures(list(page), year_start=forms.year_start())
    for w in page:
        w.figures = figures[w.pk]
    context = _ctx(
        request,
        form=form,
        page=page,
        query=_query_without_page(request),
        kinds=dict(ProcessKind.choices),
        sees_low_income=scope.sees_low_income,
    )
    return render(request, "dashboard/roster.html", context)


@require_GET
@dashboard_view
def worker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A worker's page: contact (the managers need it), assignments, earnings by month, history, PIN and
    sign-in QR. The ID number stays masked; low-income status shows to community admins only."""
    worker = selectors.worker_get(request.scope, pk)
    _require(request, "view_worker", worker)
    year_start = forms.year_start()
    months = selectors.worker_earnings_by_month(worker)
    context = _ctx(
        request,
        worker=worker,
        assignments=selectors.worker_assignments(worker),
        months=months,
        year_total=sum((amount for m, _n, amount in months if m >= year_start), 0),
        history=selectors.worker_history(worker),
        pin_form=forms.PinForm(),
        sees_low_income=request.scope.sees_low_income,
        kinds=dict(ProcessKind.choices),
        link_days=settings.NUANXIN_SIGNIN_LINK_DAYS,
    )
    return render(request, "dashboard/worker_detail.html", context)


def _random_pin() -> str:
    while True:
        pin = f"{secrets.randbelow(10**6):06d}"
        try:
            return workshop_services.validate_pin(pin)
        except ValidationError:
            continue


@require_POST
@dashboard_view
def worker_pin(request: HttpRequest, pk: int) -> HttpResponse:
    """Set or reset a worker's 6-digit PIN: the one typed, or a random one shown once to the manager."""
    worker = selectors.worker_get(request.scope, pk)
    _require(request, "manage_worker", worker)
    form = forms.PinForm(request.POST)
    generated = form.is_valid() and form.cleaned_data["generate"]
    pin = _random_pin() if generated else request.POST.get("pin", "")
    try:
        workshop_services.worker_set_pin(actor=request.user, worker=worker, pin=pin)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        if generated:
            messages.success(
                request, _("%(w)s 的新 PIN 是 %(p)s,请当面告诉本人。") % {"w": worker.name, "p": pin}
            )
        else:
            messages.success(request, _("%(w)s 的 PIN 已更新。") % {"w": worker.name})
    return redirect("dashboard:worker", pk=worker.pk)


@require_POST
@dashboard_view
def worker_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable sign-in QR for the worker: the one-tap link ``/m/t/<token>/`` as an SVG QR code.

    POST, since issuing a link may create the worker's link nonce; the page is not cached.
    """
    worker = selectors.worker_get(request.scope, pk)
    _require(request, "manage_worker", worker)
    token = workshop_services.signin_link_issue(actor=request.user, worker=worker)
    url = request.build_absolute_uri(reverse("mobile:token_login", args=[token]))
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    expires = timezone.localdate() + dt.timedelta(days=settings.NUANXIN_SIGNIN_LINK_DAYS)
    response = render(
        request,
        "dashboard/worker_qr.html",
        _ctx(request, worker=worker, url=url, svg=mark_safe(svg), expires=expires),  # noqa: S308 - segno's own SVG
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@dashboard_view
def worker_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    worker = selectors.worker_get(request.scope, pk)
    _require(request, "manage_worker", worker)
    try:
        workshop_services.signin_link_revoke(actor=request.user, worker=worker)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("%(w)s 之前打印的登录二维码已全部作废。") % {"w": worker.name})
    return redirect("dashboard:worker", pk=worker.pk)


# --- firms, lines, pairings ----------------------------------------------------------------------------


def _firm_savings(period, jobs) -> dict[int, tuple]:
    """{firm id: (saved, annualised, progress)} on the pay booked in ``period`` for ``jobs``."""
    pay = PayLine.objects.filter(
        assignment__job__in=jobs, booked_on__gte=period.start, booked_on__lte=period.end
    )
    return {fid: row[1:] for fid, row in reports.savings_by_firm(pay, days=period.days).items()}


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
    savings = _firm_savings(period, jobs)
    firms = list(selectors.firms_for(scope).annotate(n_lines=Count("lines", distinct=True)))
    pairings = selectors.pairing_rows(scope)
    by_firm: dict[int, list] = {}
    for p in pairings:
        by_firm.setdefault(p.firm_id, []).append(p)
    for firm in firms:
        firm.volume = volumes.get(firm.pk, {"jobs": 0, "issued": 0, "passed": 0})
        firm.saving = savings.get(firm.pk)
        firm.pairing_rows = by_firm.get(firm.pk, [])
    context = _ctx(request, form=form, firms=firms, goal=reports.GOAL_SAVINGS_PER_FIRM_YUAN, period=period)
    return render(request, "dashboard/firm_list.html", context)


@require_GET
@dashboard_view
def firm_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    firm = selectors.firm_get(scope, pk)
    form = forms.PeriodForm(request.GET or None, scope=scope)
    period = form.period()
    jobs = selectors.narrow_jobs(selectors.jobs_for(scope), period.workshop_id).filter(line__firm=firm)
    context = _ctx(
        request,
        form=form,
        firm=firm,
        lines=list(firm.lines.order_by("name")),
        pairings=[p for p in selectors.pairing_rows(scope) if p.firm_id == firm.pk],
        volume=selectors.firm_volumes(jobs).get(firm.pk, {"jobs": 0, "issued": 0, "passed": 0}),
        saving=_firm_savings(period, jobs).get(firm.pk),
        goal=reports.GOAL_SAVINGS_PER_FIRM_YUAN,
        jobs=list(jobs.order_by("-issued_at")[:20]),
        period=period,
    )
    return render(request, "dashboard/firm_detail.html", context)


# --- rows behind the figures: pay lines and inspections ------------------------------------------------


@require_GET
@dashboard_view
def pay_list(request: HttpRequest) -> HttpResponse:
    """Pay lines booked in a period (firm staff: their statement's rows, 对账单), with the total."""
    scope = request.scope
    form = forms.PayFilterForm(request.GET or None, scope=scope)
    period = form.period()
    data = form.cleaned_data if form.is_valid() else {}
    lines = selectors.pay_lines_for(scope).filter(booked_on__gte=period.start, booked_on__lte=period.end)
    if period.workshop_id:
        lines = lines.filter(assignment__job__workshop_id=period.workshop_id)
    if data.get("employment") and scope.manages_workers:
        lines = lines.filter(worker__employment=data["employment"])
    if data.get("low_income") in ("1", "0") and scope.sees_low_income:
        lines = lines.filter(worker__low_income=data["low_income"] == "1")
    if request.GET.get("worker", "").isdigit() and scope.manages_workers:
        lines = lines.filter(worker_id=int(request.GET["worker"]))
    totals = lines.aggregate(amount=Sum("amount"), pieces=Sum("pieces_passed"), n=Count("id"))
    lines = lines.select_related("worker", "assignment__job", "assignment__job__line__firm").order_by(
        "-booked_on", "-id"
    )
    context = _ctx(
        request, form=form, page=_page(request, lines), totals=totals, query=_query_without_page(request)
    )
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
    context = _ctx(request, form=form, page=_page(request, inspections), query=_query_without_page(request))
    return render(request, "dashboard/inspection_list.html", context)


# --- exports -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@dashboard_view
def export_list(request: HttpRequest) -> HttpResponse:
    """My exports, and the form for a new one. A new export is queued on the ``exports`` Celery queue
    after commit; this request returns at once."""
    from . import tasks

    _require(request, "export")
    form = forms.ExportForm(request.POST or None, scope=request.scope)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            params = {"from": d["start"].isoformat(), "to": d["end"].isoformat()}
            if d.get("ws"):
                params["workshop"] = d["ws"].pk
            export = Export.objects.create(user=request.user, kind=d["kind"], params=params)
            tasks.run_export.delay_on_commit(export.pk)
            return redirect("dashboard:export", pk=export.pk)
        messages.error(request, " ".join(form.non_field_errors()) or _("请检查导出条件。"))
    exports = list(selectors.exports_for(request.user)[:20])
    return render(request, "dashboard/export_list.html", _ctx(request, form=form, exports=exports))


@require_GET
@dashboard_view
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.export_get(request.user, pk)
    _require(request, "view_export", export)
    return render(request, "dashboard/export_detail.html", _ctx(request, export=export))


def _export_status(export: Export) -> dict:
    return {
        "id": export.pk,
        "status": export.status,
        "status_label": str(export.get_status_display()),
        "rows_done": export.rows_done,
        "rows_total": export.rows_total,
        "percent": export.percent,
        "error": export.error,
        "download": reverse("dashboard:export_download", args=[export.pk])
        if export.status == ExportStatus.DONE
        else None,
    }


@require_GET
@dashboard_view
def export_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The export's progress as JSON, polled by the progress bar: status, rows, percent, download URL."""
    export = selectors.export_get(request.user, pk)
    _require(request, "view_export", export)
    response = JsonResponse(_export_status(export))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@dashboard_view
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.export_get(request.user, pk)
    _require(request, "view_export", export)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404(_("文件还没有生成。"))
    name = _("暖心坊-%(kind)s-%(id)s.xlsx") % {"kind": export.get_kind_display(), "id": export.pk}
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)
