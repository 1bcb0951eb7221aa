"""Bundle tickets (扎票/菲票) on the dashboard: the head prints a share's tickets (an A4 label sheet or
thermal labels) and reprints them; the firm's inspector records a verdict per bundle by scanning and
submits them as the job's inspection; both sides see every bundle of a job, from its worker to the pay
line and the rework it led to."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch.models import AssignmentState, JobState
from dispatch.web import refused_text
from tickets import selectors as ticket_reads
from tickets import services as ticket_services
from tickets.qr import qr_svg

from .. import forms, selectors
from .common import REFUSED, dashboard_view, page_context, require_perm

SIZES = ("a4", "thermal")
SHOWS = ("name", "number")
A4_PER_PAGE = 24  # 3 × 8 labels of 70 × 37 mm, the common A4 label sheet


def _choice(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else allowed[0]


def _sheet_url(job_pk: int, assignment_pk: int, size: str, show: str) -> str:
    url = reverse("dashboard:ticket_sheet", args=[job_pk, assignment_pk])
    return f"{url}?size={size}&show={show}"


@require_POST
@dashboard_view
def ticket_print(request: HttpRequest, pk: int, assignment: int) -> HttpResponse:
    """The head prints a share's tickets (first print, or the same open tickets again), or reprints
    them (``run`` posted: the run the head saw; voids the unreported ones), then opens the sheet."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "print_tickets", job)
    share = selectors.job_assignment_get(job, assignment)
    size = _choice(request.POST.get("size"), SIZES)
    show = _choice(request.POST.get("show"), SHOWS)
    run = request.POST.get("run", "")
    try:
        if run.isdigit():
            ticket_services.tickets_reprint(actor=request.user, assignment=share, run=int(run))
            messages.success(request, _("旧的未报工扎票已作废,请打印新的扎票并换掉旧票。"))
        else:
            ticket_services.tickets_print(actor=request.user, assignment=share)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
        return redirect("dashboard:job", pk=job.pk)
    return redirect(_sheet_url(job.pk, share.pk, size, show))


@require_GET
@dashboard_view
def ticket_sheet(request: HttpRequest, pk: int, assignment: int) -> HttpResponse:
    """The printable sheet of a share's open tickets: ``?size=a4`` (3 × 8 labels of 70 × 37 mm on A4) or
    ``?size=thermal`` (one 50 × 30 mm label per page), each with its QR code, the job's title, the
    bundle's number ("3/8"), its pieces and the worker's name or number (``?show=name|number``)."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "print_tickets", job)
    share = selectors.job_assignment_get(job, assignment)
    size = _choice(request.GET.get("size"), SIZES)
    show = _choice(request.GET.get("show"), SHOWS)
    tickets = ticket_reads.sheet_tickets(share)
    if not tickets:
        if share.state == AssignmentState.ACCEPTED:
            messages.info(request, _("这个派工没有待报工的扎票,请先打印。"))
        else:
            # A share taken back whole, done, or never taken: nothing to print, said as what it is (a
            # trial was told to print a share the head had taken back, and the print was then refused).
            messages.info(
                request,
                _("这份派工现在是“%(s)s”,没有要打印的扎票。") % {"s": share.get_state_display()},
            )
        return redirect("dashboard:job", pk=job.pk)
    for t in tickets:
        t.url = request.build_absolute_uri(reverse("mobile:bundle", args=[t.token]))
        t.svg = qr_svg(t.url)
    per_page = A4_PER_PAGE if size == "a4" else 1
    pages = [tickets[i : i + per_page] for i in range(0, len(tickets), per_page)]
    context = page_context(
        request,
        job=job,
        share=share,
        pages=pages,
        tickets=tickets,
        size=size,
        show=show,
        sizes={s: _sheet_url(job.pk, share.pk, s, show) for s in SIZES},
        shows={s: _sheet_url(job.pk, share.pk, size, s) for s in SHOWS},
    )
    response = render(request, "dashboard/ticket_sheet.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@dashboard_view
def job_bundles(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's bundles (按扎): every reported bundle with its worker, verdict, pay line and rework, for the
    head and the firm. While the job is being inspected the firm's staff scan (or type) a ticket
    (``?t=``), record its verdict (POST ``action=verdict``) and submit all of them (``action=submit``)."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "view_bundles", job)
    can_inspect = job.state == JobState.INSPECTING and request.user.has_perm("dashboard.inspect_job", job)
    here = reverse("dashboard:job_bundles", args=[job.pk])
    if request.method == "POST":
        require_perm(request, "inspect_job", job)
        return _bundles_post(request, job, here)
    scanned = request.GET.get("t", "")
    found, scan_error = None, ""
    if can_inspect and scanned:
        found = ticket_reads.ticket_for_job(job, ticket_reads.token_from_scan(scanned))
        if found is None:
            scan_error = _("找不到这张扎票,或者它不是这张外发单的。")
    bundles = ticket_reads.job_bundles(job)
    waiting = ticket_reads.waiting_for_verdict(bundles) if can_inspect else []
    context = page_context(
        request,
        job=job,
        bundles=bundles,
        can_inspect=can_inspect,
        waiting=len(waiting),
        judged=sum(1 for t in waiting if t.has_verdict),
        found=found,
        scanned=scanned,
        scan_error=scan_error,
        verdict_form=forms.BundleVerdictForm(initial={"passed": found.pieces} if found else None),
    )
    return render(request, "dashboard/job_bundles.html", context, status=404 if scan_error else 200)


def _bundles_post(request: HttpRequest, job, here: str) -> HttpResponse:
    action = request.POST.get("action")
    if action == "submit":
        try:
            ticket_services.bundle_inspection_submit(
                actor=request.user, job=job, notes=request.POST.get("notes", "").strip()[:2000]
            )
        except REFUSED as exc:
            messages.error(request, refused_text(exc))
            return redirect(here)
        messages.success(request, _("按扎验收结果已提交,工资和返工会自动入账。"))
        return redirect("dashboard:job", pk=job.pk)
    token = ticket_reads.token_from_scan(request.POST.get("token", ""))
    form = forms.BundleVerdictForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请填写不小于0的整数件数。"))
        d = form.cleaned_data
        ticket = ticket_services.bundle_verdict_record(
            actor=request.user,
            job=job,
            token=token,
            passed=d["passed"],
            rejected=d["rejected"],
            rework=d["rework"],
            reason=d["reason"],
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
        return redirect(f"{here}?t={token}" if token else here)
    messages.success(
        request,
        _("%(w)s 第 %(n)s 扎:合格 %(p)d 件,不合格 %(r)d 件(返工 %(k)d 件)。请扫下一扎。")
        % {
            "w": request.scope.worker_label(ticket.assignment.worker),
            "n": f"{ticket.number}/{ticket.count}",
            "p": ticket.pieces_passed,
            "r": ticket.pieces_rejected,
            "k": ticket.pieces_rework,
        },
    )
    return redirect(here)
