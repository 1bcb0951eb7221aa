"""The two lists' pages (/lists/, staff) and the public transparency board (/open/<workshop id>/).

Every /lists/ view needs a login (anonymous → the login page) and a role on the lists (a worker or a user
without one → 403); a page or action the role does not have is a 403. Objects come through
``matching.selectors`` scoped by the user: a foreign id is a 404 and nothing is written. State changes
are POST only, go through ``matching.services``, and end in a redirect; a refused change becomes a
message on the next page. The spreadsheet import's pages are ``matching.import_views``.

The board is public, uses no session and no cookie, may be cached by browsers and proxies for five
minutes, and answers a matching ``If-None-Match`` with 304.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch.web import PAGE_SIZE, id_param, paginate, redirect_back, refused_text
from pay import money
from workshop import industries
from workshop import selectors as workshop_selectors
from workshop.models import ProcessKind, WishStatus
from workshop.roles import scope_for
from workshop.text import joined

from . import forms, search, selectors, services
from .models import (
    DEMAND_TRANSITIONS,
    OPEN_DEMAND_STATES,
    OPEN_WISH_STATES,
    WISH_TRANSITIONS,
    DemandStatus,
    IllegalStatusChange,
)

REFUSED = (ValidationError, IllegalStatusChange, PermissionDenied)


# --- helpers -------------------------------------------------------------------------------------------


def lists_view(view):
    """Login and a role on the lists required; puts the user's ``workshop.roles.Scope`` on
    ``request.scope``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = scope_for(request.user)
        if not scope.is_staff_role:
            raise PermissionDenied(_("只有社区管理员、坊长和企业专员可以打开两清单。"))
        request.scope = scope
        return view(request, *args, **kwargs)

    return wrapper


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _ctx(request: HttpRequest, tab: str, **kw) -> dict:
    return {"scope": request.scope, "tab": tab, "kinds": ProcessKind.choices, **kw}


def _labels(choices) -> dict[str, str]:
    return {k: str(v) for k, v in choices}


# --- home ----------------------------------------------------------------------------------------------


@require_GET
@lists_view
def home(request: HttpRequest) -> HttpResponse:
    """The lists start at the demand list (the one page every role on the lists has)."""
    return redirect("matching:demands")


# --- search and the firm directory (搜索、企业名录) ---------------------------------------------------------


@require_GET
@lists_view
def search_page(request: HttpRequest) -> HttpResponse:
    """One box for demands, wishes, workers and firms: by Chinese text, pinyin initials or spelling, or a
    phone tail, within the user's scope (``matching.search``), grouped by kind, each linking to its page."""
    q = request.GET.get("q", "")
    results = search.search_all(request.scope, q)
    return render(request, "matching/search.html", _ctx(request, "search", q=q, results=results))


@require_GET
@lists_view
def firm_directory(request: HttpRequest) -> HttpResponse:
    """The firms the user sees, by industry (GB/T 4754-2017 sections) with counts, filtered by section
    (``?industry=C``; ``none`` for firms not yet classified) and searched (``?q=``), each with its open
    demands."""
    scope = request.scope
    q = request.GET.get("q", "")
    directory = workshop_selectors.firm_directory(
        scope,
        section=industries.section_param(request.GET.get("industry")),
        q=q,
        firms=search.directory_firms(scope, today=timezone.localdate()),
    )
    return render(request, "matching/firms.html", _ctx(request, "firms", q=q, directory=directory))


# --- demand list (需求清单) ----------------------------------------------------------------------------


@require_GET
@lists_view
def demand_list(request: HttpRequest) -> HttpResponse:
    """Demands in the user's scope, filtered by status (default: open ones) and workshop."""
    scope = request.scope
    qs = selectors.demands_for(scope)
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.filter(status__in=OPEN_DEMAND_STATES)
    elif status in DemandStatus.values:
        qs = qs.filter(status=status)
    ws = id_param(request, "ws")
    if ws is not None:
        qs = qs.filter(workshop_id=ws)
    q = request.GET.get("q", "")
    qs = search.demands_matching(qs, q)
    sections = search.demand_sections(qs)
    industry = industries.section_param(request.GET.get("industry"))
    if industry is not None:
        qs = qs.filter(firm__industry=industry)
    page = paginate(request, qs.order_by("-updated_at", "-pk"))
    context = _ctx(
        request,
        "demands",
        page=page,
        status=status,
        statuses=DemandStatus.choices,
        ws="" if ws is None else str(ws),
        workshops=selectors.workshops_for(scope),
        can_add=scope.is_admin or scope.is_firm,
        q=q,
        sections=sections,
        industry=industry,
    )
    return render(request, "matching/demand_list.html", context)


@require_http_methods(["GET", "POST"])
@lists_view
def demand_new(request: HttpRequest) -> HttpResponse:
    """Enter a firm's need (firm staff: their own firm, for paired workshops; community admins: any firm)."""
    scope = request.scope
    _require(scope.is_admin or scope.is_firm, _("只有企业专员或社区管理员可以登记企业需求。"))
    form = forms.DemandForm(
        request.POST or None, workshops=selectors.workshops_for(scope), firms=selectors.firms_for(scope)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            demand = services.demand_create(
                actor=request.user, workshop=d["workshop"], firm=d["firm"], **form.demand_fields()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(request, _("已登记企业需求。"))
            return redirect("matching:demand", pk=demand.pk)
    return render(request, "matching/demand_form.html", _ctx(request, "demands", form=form, demand=None))


@require_GET
@lists_view
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One demand: its facts, history, and (for community admins and heads) the suggested residents and
    workers with their reasons; community admins record outcomes from here."""
    scope = request.scope
    demand = selectors.demand_get(scope, pk)
    residents, workers = selectors.suggestions_for_demand(scope, demand)
    moves = DEMAND_TRANSITIONS.get(demand.status, frozenset())
    if not scope.is_admin:
        moves = {to for to in moves if (demand.status, to) in services.FIRM_MOVES}
    labels = _labels(DemandStatus.choices)
    can_edit = selectors.can_edit_demand(scope, demand)
    context = _ctx(
        request,
        "demands",
        demand=demand,
        events=selectors.demand_events(scope, demand),
        residents=residents,
        workers=workers,
        can_edit=can_edit,
        status_form=forms.StatusForm(choices=[(m, labels[m]) for m in DemandStatus.values if m in moves])
        if can_edit and moves
        else None,
    )
    return render(request, "matching/demand_detail.html", context)


@require_http_methods(["GET", "POST"])
@lists_view
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    demand = selectors.demand_get(scope, pk)
    _require(selectors.can_edit_demand(scope, demand), _("只有这家企业的专员或本社区的社区管理员可以修改。"))
    form = forms.DemandForm(request.POST or None, instance=demand)
    if request.method == "POST" and form.is_valid():
        try:
            services.demand_update(actor=request.user, demand=demand, **form.demand_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("matching:demand", pk=demand.pk)
    return render(request, "matching/demand_form.html", _ctx(request, "demands", form=form, demand=demand))


@require_POST
@lists_view
def demand_status(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    demand = selectors.demand_get(scope, pk)
    _require(selectors.can_edit_demand(scope, demand), _("只有本社区的社区管理员可以记录对接结果。"))
    form = forms.StatusForm(request.POST, choices=DemandStatus.choices)
    if not form.is_valid():
        messages.error(request, _("请选择要改成的状态。"))
    else:
        try:
            services.demand_set_status(
                actor=request.user, demand=demand, to=form.cleaned_data["to"], note=form.cleaned_data["note"]
            )
        except REFUSED as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(request, _("状态已更新。"))
    return redirect_back(request, f"/lists/demands/{demand.pk}/")


# --- supply list (供给清单) ----------------------------------------------------------------------------


@require_GET
@lists_view
def supply_list(request: HttpRequest) -> HttpResponse:
    """Residents' wishes (filtered by status, default: open ones) and current workers' spare hours."""
    scope = request.scope
    _require(scope.sees_supply, _("只有社区管理员和坊长可以查看供给清单。"))
    qs = selectors.wishes_for(scope)
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.filter(status__in=OPEN_WISH_STATES)
    elif status in WishStatus.values:
        qs = qs.filter(status=status)
    ws = id_param(request, "ws")
    workshop_ids = None
    if ws is not None:
        qs = qs.filter(workshop_id=ws)
        workshop_ids = [ws]
    q = request.GET.get("q", "")
    page = paginate(request, search.wishes_matching(qs, q).order_by("-updated_at", "-pk"))
    spare = selectors.spare_workers(scope, workshop_ids=workshop_ids, q=q)
    context = _ctx(
        request,
        "supply",
        page=page,
        status=status,
        statuses=WishStatus.choices,
        ws="" if ws is None else str(ws),
        workshops=selectors.workshops_for(scope),
        spare=spare[:PAGE_SIZE],
        spare_total=len(spare),
        q=q,
    )
    return render(request, "matching/supply_list.html", context)


@require_http_methods(["GET", "POST"])
@lists_view
def wish_new(request: HttpRequest) -> HttpResponse:
    """A community admin enters a resident's wish (same phone: the entry is updated)."""
    scope = request.scope
    _require(scope.is_admin, _("只有社区管理员可以录入就业意向。"))
    form = forms.WishEntryForm(request.POST or None, workshops=selectors.workshops_for(scope))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            wish, created = services.wish_enter(
                actor=request.user,
                name=d["name"],
                phone=d["phone"].as_e164,
                skills=d["skills"],
                hours_per_week=d["hours_per_week"],
                work_place=d["work_place"],
                area=d["area"],
                workshop=d["workshop"],
                low_income=d["low_income"],
                consent=d["consent"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(request, _("已录入。") if created else _("这个手机号已登记过,已更新。"))
            return redirect("matching:wish", pk=wish.pk)
    return render(request, "matching/wish_form.html", _ctx(request, "supply", form=form))


@require_GET
@lists_view
def wish_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One resident's wish: details, history, suggested demands; community admins record the outcome
    and enrol from here. The low-income declaration shows to community admins only."""
    scope = request.scope
    _require(scope.sees_supply, _("只有社区管理员和坊长可以查看供给清单。"))
    wish = selectors.wish_get(scope, pk)
    today = timezone.localdate()
    suggestions = (
        selectors.suggestions_for_wish(scope, wish, today=today) if wish.status in OPEN_WISH_STATES else []
    )
    status_form = enrol_form = None
    if scope.is_admin:
        labels = _labels(WishStatus.choices)
        moves = WISH_TRANSITIONS.get(wish.status, frozenset()) - {WishStatus.ENROLLED}
        demands = selectors.open_demands(selectors.demands_for(scope), today=today)
        if moves:
            status_form = forms.WishStatusForm(
                choices=[(m, labels[m]) for m in WishStatus.values if m in moves], demands=demands
            )
        if WishStatus.ENROLLED in WISH_TRANSITIONS.get(wish.status, frozenset()):
            enrol_form = forms.EnrolForm(
                workshops=selectors.workshops_for(scope),
                demands=demands,
                initial={"workshop": wish.workshop_id},
            )
    context = _ctx(
        request,
        "supply",
        wish=wish,
        events=selectors.wish_events(scope, wish),
        suggestions=suggestions,
        status_form=status_form,
        enrol_form=enrol_form,
        record=_record_of(wish),
        skills=joined(str(label) for value, label in ProcessKind.choices if value in (wish.skills or [])),
    )
    return render(request, "matching/wish_detail.html", context)


def _record_of(wish):
    """The wish's list record (source, worker), or None for a wish left on /m/join/ and not yet handled."""
    try:
        return wish.list_record
    except ObjectDoesNotExist:
        return None


@require_POST
@lists_view
def wish_status(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope
    _require(scope.is_admin, _("只有社区管理员可以记录对接结果。"))
    wish = selectors.wish_get(scope, pk)
    demands = selectors.demands_for(scope)
    form = forms.WishStatusForm(request.POST, choices=WishStatus.choices, demands=demands)
    if not form.is_valid():
        messages.error(request, _("请选择要改成的状态。"))
    else:
        d = form.cleaned_data
        try:
            services.wish_set_status(
                actor=request.user, wish=wish, to=d["to"], note=d["note"], demand=d.get("demand")
            )
        except REFUSED as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(request, _("状态已更新。"))
    return redirect_back(request, f"/lists/supply/{wish.pk}/")


@require_POST
@lists_view
def wish_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol the resident as a worker; the head then sets their PIN on the dashboard."""
    scope = request.scope
    _require(scope.is_admin, _("只有社区管理员可以办理入坊。"))
    wish = selectors.wish_get(scope, pk)
    form = forms.EnrolForm(
        request.POST, workshops=selectors.workshops_for(scope), demands=selectors.demands_for(scope)
    )
    if not form.is_valid():
        messages.error(request, _("请选择工坊和用工类型。"))
    else:
        d = form.cleaned_data
        try:
            worker = services.wish_enrol(
                actor=request.user,
                wish=wish,
                workshop=d["workshop"],
                employment=d["employment"],
                demand=d.get("demand"),
                note=d["note"],
            )
        except REFUSED as exc:
            messages.error(request, refused_text(exc))
        else:
            messages.success(
                request,
                _("%(name)s 已入坊(%(ws)s)。请坊长为其设置6位 PIN,之后即可用手机号登录。")
                % {"name": worker.name, "ws": worker.workshop.name},
            )
    return redirect("matching:wish", pk=wish.pk)


# --- the public transparency board (公开透明) ------------------------------------------------------------


@require_GET
@cache_control(public=True, max_age=300)
def board(request: HttpRequest, workshop_id: int) -> HttpResponse:
    """A workshop's open demands and its last six months in totals. No personal data: no names, phones
    or low-income flags; firms by name only. No session is read, so the page is the same for everyone."""
    workshop = selectors.board_workshop(workshop_id)
    today = timezone.localdate()
    months = selectors.board_months(workshop, today=today)
    context = {
        "workshop": workshop,
        "demands": selectors.board_demands(workshop, today=today),
        "months": months,
        "total_pieces": sum(m.pieces for m in months),
        "total_wages": money.to_yuan(sum((m.wages for m in months), Decimal("0"))),
        "total_paid": money.to_yuan(sum((m.paid for m in months), Decimal("0"))),
        "today": today,
    }
    response = render(request, "matching/board.html", context)
    # An ETag of the page itself: a browser or proxy holding it gets a 304 while nothing changed.
    set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=response)
