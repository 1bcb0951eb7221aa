"""The flow's pages: plain function views for firm staff (/firm/) and workshop heads (/head/).

The workers' phone pages (/m/) live in the ``mobile`` app.

Every view needs a login and the page's role (else 403); every object is fetched through a selector
scoped by the user (a foreign id is a 404 and nothing is written). State changes are POST only, go
through ``dispatch.services``, and end in a redirect; a refused change becomes a message on the next page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workshop.models import PartnerFirm
from workshop.roles import firm_for, headed_workshops, role_of

from . import selectors, services
from .forms import InspectionNotesForm, InspectionRowForm, JobIssueForm, ReasonForm
from .models import IllegalTransition, JobState
from .web import redirect_back, refused_text

# Errors the services raise for a refused change; each is shown to the user, never a 500.
REFUSED = (ValidationError, IllegalTransition, PermissionDenied)

HOME_BY_ROLE = {
    "worker": "mobile:today",
    "head": "dashboard:home",
    "firm": "dashboard:home",
    "community_admin": "dashboard:home",
    "superuser": "admin:index",
}


# --- helpers -------------------------------------------------------------------------------------------


def _require_firm(request: HttpRequest) -> PartnerFirm:
    firm = firm_for(request.user)
    if firm is None:
        raise PermissionDenied(_("只有企业专员可以打开这个页面。"))
    return firm


def _require_head(request: HttpRequest) -> None:
    if not headed_workshops(request.user).exists():
        raise PermissionDenied(_("只有坊长可以打开这个页面。"))


# --- home ----------------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their role's start page; a user without a role gets a 403 page that says so."""
    role = role_of(request.user)
    if role is None:
        return render(request, "dispatch/no_role.html", status=403)
    return redirect(HOME_BY_ROLE[role])


# --- firm staff (企业专员) --------------------------------------------------------------------------------


@login_required
def firm_home(request: HttpRequest) -> HttpResponse:
    firm = _require_firm(request)
    jobs = selectors.jobs_for_firm(request.user)[:100]
    return render(request, "dispatch/firm_home.html", {"firm": firm, "jobs": jobs})


@login_required
def firm_job_new(request: HttpRequest) -> HttpResponse:
    """Issue a job (企业分发). A refused issue keeps the form filled in and says why."""
    firm = _require_firm(request)
    form = JobIssueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            job = services.job_issue(
                actor=request.user,
                workshop=d["workshop"],
                line=d["line"],
                title=d["title"],
                quantity=d["quantity"],
                piece_rate=d["piece_rate"],
                due_on=d["due_on"],
                instructions=d["instructions"],
            )
        except REFUSED as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(
                request, _("外发单 #%(id)s 已分发给 %(w)s。") % {"id": job.pk, "w": job.workshop.name}
            )
            return redirect("dispatch:firm_job", pk=job.pk)
    return render(request, "dispatch/firm_job_new.html", {"firm": firm, "form": form})


@login_required
def firm_job(request: HttpRequest, pk: int) -> HttpResponse:
    """One job for its firm: assignments, timeline, the inspection form and the cancel button when allowed."""
    firm = _require_firm(request)
    job = selectors.job_get_for_firm(request.user, pk)
    assignments = selectors.job_assignments(job)
    rows = []
    if job.state == JobState.INSPECTING:
        rows = [
            (a, InspectionRowForm(prefix=f"a{a.pk}", initial={"passed": a.pieces_uninspected}))
            for a in selectors.inspection_pending(assignments)
        ]
    context = {
        "firm": firm,
        "job": job,
        "assignments": assignments,
        "events": selectors.job_timeline(job, assignments),
        "inspection_rows": rows,
        "notes_form": InspectionNotesForm(),
        "can_cancel": job.state in (JobState.ISSUED, JobState.ACCEPTED),
    }
    return render(request, "dispatch/firm_job.html", context)


@require_POST
@login_required
def firm_job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _require_firm(request)
    job = selectors.job_get_for_firm(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.job_cancel(actor=request.user, job=job, reason=reason)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("外发单已取消。"))
    return redirect("dispatch:firm_job", pk=job.pk)


@require_POST
@login_required
def firm_job_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the firm's verdict (质检) for every assignment that waits for one."""
    _require_firm(request)
    job = selectors.job_get_for_firm(request.user, pk)
    pending = selectors.inspection_pending(selectors.job_assignments(job))
    forms = [(a, InspectionRowForm(request.POST, prefix=f"a{a.pk}")) for a in pending]
    notes = InspectionNotesForm(request.POST)
    if not notes.is_valid() or not all(f.is_valid() for _a, f in forms):
        messages.error(request, _("请为每位坊工填写合格、不合格和返工件数(不小于0的整数)。"))
        return redirect("dispatch:firm_job", pk=job.pk)
    results = [
        services.ResultInput(
            assignment_id=a.pk,
            passed=f.cleaned_data["passed"],
            rejected=f.cleaned_data["rejected"],
            rework=f.cleaned_data["rework"],
            reason=f.cleaned_data["reason"],
        )
        for a, f in forms
    ]
    try:
        services.job_inspect(actor=request.user, job=job, results=results, notes=notes.cleaned_data["notes"])
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("验收结果已提交,工资和返工会自动入账。"))
    return redirect("dispatch:firm_job", pk=job.pk)


# --- workshop head (坊长) ---------------------------------------------------------------------------------


@login_required
def head_home(request: HttpRequest) -> HttpResponse:
    _require_head(request)
    jobs = selectors.jobs_for_head(request.user)[:100]
    return render(request, "dispatch/head_home.html", {"jobs": jobs, "reason_form": ReasonForm()})


@login_required
def head_job(request: HttpRequest, pk: int) -> HttpResponse:
    _require_head(request)
    job = selectors.job_get_for_head(request.user, pk)
    assignments = selectors.job_assignments(job)
    context = {
        "job": job,
        "assignments": assignments,
        "events": selectors.job_timeline(job, assignments),
        "reason_form": ReasonForm(),
    }
    return render(request, "dispatch/head_job.html", context)


@require_POST
@login_required
def head_job_accept(request: HttpRequest, pk: int) -> HttpResponse:
    _require_head(request)
    job = selectors.job_get_for_head(request.user, pk)
    try:
        services.job_accept(actor=request.user, job=job)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("已接单:%(t)s。系统会把活派给合适的坊工。") % {"t": job.title})
    return redirect_back(request, reverse("dispatch:head_job", args=[job.pk]))


@require_POST
@login_required
def head_job_decline(request: HttpRequest, pk: int) -> HttpResponse:
    _require_head(request)
    job = selectors.job_get_for_head(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.job_decline(actor=request.user, job=job, reason=reason)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("已拒单:%(t)s。") % {"t": job.title})
    return redirect_back(request, reverse("dispatch:head_job", args=[job.pk]))
