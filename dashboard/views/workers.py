"""The roster and a worker's page, with the managers' actions on a worker: add her, change her record, stop
her and bring her back (each audited, the record shown on her page), set a PIN, print a sign-in QR, revoke
the sign-in links."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch.models import AssignmentState
from dispatch.web import paginate, refused_text
from logistics.models import Residence
from tickets.qr import qr_svg
from workshop import selectors as workshop_reads
from workshop import services as workshop_services
from workshop.models import Employment, ProcessKind

from .. import delivery_selectors as delivery
from .. import forms, selectors
from .. import services as dash_services
from ..logistics_forms import ResidenceForm
from ..pay_forms import BankForm
from ..worker_forms import WorkerForm
from .common import REFUSED, dashboard_view, page_context, query_without_page, require_perm


@require_GET
@dashboard_view
def roster(request: HttpRequest) -> HttpResponse:
    """Workers: search by name, phone tail or pinyin initials; filter; open work and pay this year."""
    require_perm(request, "view_roster")
    scope = request.scope
    form = forms.RosterFilterForm(request.GET or None, scope=scope)
    # A bad filter (an unknown choice, a query over 50 characters) is left out and named on the page; the
    # others still apply (cleaned_data keeps every field that validated).
    form.is_valid()
    data = getattr(form, "cleaned_data", {})  # unbound (no query string): no filters
    filters = {k: v for k, v in data.items() if k != "q" and v not in (None, "")}
    if filters.get("workshop"):
        filters["workshop"] = filters["workshop"].pk
    workers = selectors.roster(scope, q=data.get("q", ""), filters=filters)
    page = paginate(request, workers)
    figures = selectors.roster_page_figures(list(page), year_start=forms.year_start())
    for w in page:
        w.figures = figures[w.pk]
    context = page_context(
        request,
        form=form,
        page=page,
        query=query_without_page(request),
        # Labels in the reader's language, translated once for the page rather than once per row.
        kinds={k: str(label) for k, label in ProcessKind.choices},
        employments={k: str(label) for k, label in Employment.choices},
        sees_low_income=scope.sees_low_income,
    )
    return render(request, "dashboard/roster.html", context)


@require_GET
@dashboard_view
def worker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A worker's page: contact (the managers need it), assignments, earnings by month, history, PIN and
    sign-in QR. The ID number stays masked; low-income status shows to community admins only."""
    worker = selectors.worker_get(request.scope, pk)
    require_perm(request, "view_worker", worker)
    year_start = forms.year_start()
    months = selectors.worker_earnings_by_month(worker)
    assignments = selectors.worker_assignments(worker)
    open_states = (AssignmentState.OFFERED, AssignmentState.ACCEPTED)
    context = page_context(
        request,
        worker=worker,
        assignments=assignments,
        open_shares=sum(1 for a in assignments if a.state in open_states),
        # Shares she accepted and has not finished, first-round and rework (返工) alike: once she is
        # stopped, the head deals with the rest of each on its job's page.
        held_shares=[a for a in assignments if a.rest_to_take_back or a.rest_to_pass_on],
        months=months,
        year_total=sum((amount for m, _n, amount in months if m >= year_start), 0),
        history=selectors.worker_history(worker),
        record=workshop_reads.worker_record(worker, sees_low_income=request.scope.sees_low_income),
        pin_form=forms.PinForm(),
        sees_low_income=request.scope.sees_low_income,
        kinds=dict(ProcessKind.choices),
        link_days=settings.NUANXIN_SIGNIN_LINK_DAYS,
        bank_form=BankForm(initial={"bank_name": worker.bank_name}),
        **_home(worker),
    )
    return render(request, "dashboard/worker_detail.html", context)


def _home(worker) -> dict:
    """Her home (personal data: this page is her head's and her community admin's only) and its form."""
    residence = Residence.objects.filter(worker=worker).select_related("place").first()
    initial = {}
    if residence is not None:
        initial = {
            "place": str(residence.place_id or ""),
            "room": residence.room,
            "home_from": f"{residence.home_from:%H:%M}" if residence.home_from else "",
            "home_until": f"{residence.home_until:%H:%M}" if residence.home_until else "",
        }
    places = list(delivery.community_places(worker.workshop))
    return {"residence": residence, "residence_form": ResidenceForm(initial=initial, places=places)}


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
    require_perm(request, "manage_worker", worker)
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
    """A printable sign-in QR for the worker: the one-tap link ``/m/t/<token>/`` as an SVG QR code that
    scales into its box whole, quiet zone included (``tickets.qr``).

    POST, since issuing a link may create the worker's link nonce; the page is not cached. A stopped
    worker's is refused back on her page, in words.
    """
    worker = selectors.worker_get(request.scope, pk)
    require_perm(request, "manage_worker", worker)
    try:
        token = workshop_services.signin_link_issue(actor=request.user, worker=worker)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
        return redirect("dashboard:worker", pk=worker.pk)
    url = request.build_absolute_uri(reverse("mobile:token_login", args=[token]))
    svg = qr_svg(url)
    expires = timezone.localdate() + dt.timedelta(days=settings.NUANXIN_SIGNIN_LINK_DAYS)
    response = render(
        request,
        "dashboard/worker_qr.html",
        page_context(request, worker=worker, url=url, svg=svg, expires=expires),
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@dashboard_view
def worker_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    worker = selectors.worker_get(request.scope, pk)
    require_perm(request, "manage_worker", worker)
    try:
        workshop_services.signin_link_revoke(actor=request.user, worker=worker)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("%(w)s 之前打印的登录二维码已全部作废。") % {"w": worker.name})
    return redirect("dashboard:worker", pk=worker.pk)


@require_POST
@dashboard_view
def worker_bank(request: HttpRequest, pk: int) -> HttpResponse:
    """Her bank account and bank for the transfer list (代发工资); shown masked but for the last 4."""
    worker = selectors.worker_get(request.scope, pk)
    require_perm(request, "manage_worker", worker)
    form = BankForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        if not data:
            raise ValidationError(_("开户行最多60字,账号请填数字。"))
        # The page never shows the whole number: a blank box keeps it, unless 清除 is ticked.
        account = data["bank_account"] or worker.bank_account
        name = data["bank_name"]
        if data["clear"]:
            account, name = "", ""
        workshop_services.worker_set_bank(
            actor=request.user, worker=worker, bank_account=account, bank_name=name
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("%(w)s 的收款账号已保存。") % {"w": worker.name})
    return redirect(reverse("dashboard:worker", args=[worker.pk]) + "#bank")


def _form_page(request: HttpRequest, form: WorkerForm, *, worker=None, workshops=(), status: int = 200):
    context = page_context(request, form=form, worker=worker, workshops=workshops)
    return render(request, "dashboard/worker_form.html", context, status=status)


def _workshop_of_form(request: HttpRequest, workshops: list):
    """The workshop a new worker joins: the one posted, which must be one of the user's (else 404), or the
    user's only workshop."""
    posted = request.POST.get("workshop", "")
    if not posted and len(workshops) == 1:
        return workshops[0]
    for w in workshops:
        if str(w.pk) == posted:
            return w
    raise Http404(_("没有这个工坊。"))


@require_http_methods(["GET", "POST"])
@dashboard_view
def worker_new(request: HttpRequest) -> HttpResponse:
    """Add a worker to one of the user's workshops (the head's own; a community admin's community's): her
    record, and a PIN for the phone pages (typed, or a random one shown once). Refused: firm staff (403),
    another's workshop (404); bad input comes back on the form, field by field, and nothing is written."""
    require_perm(request, "add_worker")
    scope = request.scope
    workshops = list(selectors.workshops_for(scope))
    form = WorkerForm(request.POST or None, adding=True, sees_low_income=scope.sees_low_income)
    if request.method != "POST":
        return _form_page(request, form, workshops=workshops)
    workshop = _workshop_of_form(request, workshops)
    if form.is_valid():
        generated = not form.cleaned_data["pin"]
        pin = _random_pin() if generated else form.cleaned_data["pin"]
        try:
            worker, warnings = workshop_services.worker_add(
                actor=request.user, workshop=workshop, details=form.details(), pin=pin
            )
        except REFUSED as exc:
            form.take_errors(exc)
        else:
            if generated:
                text = _("已登记 %(w)s。%(w)s 的 PIN 是 %(p)s,请当面告诉本人(只显示这一次)。")
                messages.success(request, text % {"w": worker.name, "p": pin})
            else:
                messages.success(request, _("已登记 %(w)s,PIN 已按您填的设置。") % {"w": worker.name})
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("dashboard:worker", pk=worker.pk)
    else:
        form.also_check(actor=request.user)
    return _form_page(request, form, workshops=workshops, status=400)


@require_http_methods(["GET", "POST"])
@dashboard_view
def worker_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a worker's record (audited: each change old → new, personal data masked). Her ID number is
    never shown whole: a blank box keeps it. Low-income status is on the form for community admins only."""
    worker = selectors.worker_get(request.scope, pk)
    require_perm(request, "manage_worker", worker)
    sees = request.scope.sees_low_income
    initial = {
        "name": worker.name,
        "phone": str(worker.phone.national_number) if worker.phone else "",
        "employment": worker.employment,
        "work_place": worker.work_place,
        "skills": list(worker.skills or []),
        "hours_per_week": worker.hours_per_week,
        "home_area": worker.home_area,
        "joined_on": worker.joined_on,
        "low_income": worker.low_income if sees else False,
    }
    form = WorkerForm(
        request.POST or None,
        initial=initial,
        adding=False,
        sees_low_income=sees,
        id_on_file=worker.id_number_masked,
    )
    if request.method != "POST":
        return _form_page(request, form, worker=worker)
    if form.is_valid():
        try:
            worker, warnings = workshop_services.worker_edit(
                actor=request.user, worker=worker, details=form.details()
            )
        except REFUSED as exc:
            form.take_errors(exc)
        else:
            messages.success(request, _("%(w)s 的资料已保存。") % {"w": worker.name})
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("dashboard:worker", pk=worker.pk)
    else:
        form.also_check(actor=request.user, worker=worker)
    return _form_page(request, form, worker=worker, status=400)


@require_POST
@dashboard_view
def worker_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop a worker (停用): no sign-in, no new work; her history and pay stay. Audited, with the reason."""
    worker = selectors.worker_get(request.scope, pk)
    require_perm(request, "manage_worker", worker)
    try:
        closed = dash_services.worker_stop(
            actor=request.user, worker=worker, reason=request.POST.get("reason", "")
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("%(w)s 已停用:不能再登录,系统也不会再派活。") % {"w": worker.name})
        if closed:
            messages.info(
                request,
                ngettext(
                    "%(w)s 还没答复的 %(n)d 个派工已收回,件数回到单上,系统会派给有空的坊工。",
                    "%(w)s 还没答复的 %(n)d 个派工已收回,件数回到单上,系统会派给有空的坊工。",
                    len(closed),
                )
                % {"w": worker.name, "n": len(closed)},
            )
    return redirect("dashboard:worker", pk=worker.pk)


@require_POST
@dashboard_view
def worker_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring a stopped worker back (恢复在岗), audited."""
    worker = selectors.worker_get(request.scope, pk)
    require_perm(request, "manage_worker", worker)
    try:
        workshop_services.worker_reactivate(
            actor=request.user, worker=worker, reason=request.POST.get("reason", "")
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("%(w)s 已恢复在岗,可以用原来的 PIN 登录。") % {"w": worker.name})
    return redirect("dashboard:worker", pk=worker.pk)
