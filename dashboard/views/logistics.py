"""Door delivery (配送) on the dashboard, for heads and community admins (``dashboard.manage_logistics``;
firm staff: 403, and a foreign id: 404, nothing written): the community's places (list, add, edit, import
from xlsx with a preview), a workshop's depot, vehicles and couriers, a worker's home, and a day's runs with
planning (排线), a run's finish and the last 30 days.

Addresses are personal data: a worker's home shows on her page to her head and community admin only; a
run's stops name the worker and her building, never her room; couriers' phones are masked in lists.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch.web import id_param, paginate, refused_text
from logistics import imports as place_imports
from logistics import selectors as logistics_reads
from logistics import services as logistics
from logistics.models import Depot, RunState, StopKind, StopState, Vehicle
from workshop import services as workshop_services

from .. import delivery_selectors as delivery
from .. import logistics_forms as lf
from .. import selectors
from .common import REFUSED, dashboard_view, page_context, query_without_page, require_perm

MISSED = (StopState.NOBODY_HOME, StopState.REFUSED, StopState.UNSCHEDULED)


def _firms(request: HttpRequest) -> list:
    return list(selectors.firms_for(request.scope))


# --- places (地点) ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@dashboard_view
def place_list(request: HttpRequest) -> HttpResponse:
    """The community's places with their points (paginated), and the form to add one."""
    require_perm(request, "manage_logistics")
    workshops = delivery.logistics_workshops(request.scope)
    form = lf.PlaceForm(request.POST or None, workshops=workshops, firms=_firms(request))
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                place, created = _place_save(request, form, form.picked("workshop"))
            except REFUSED as exc:
                error = refused_text(exc)
            else:
                done = _("已添加地点“%(p)s”。") if created else _("已更新地点“%(p)s”。")
                messages.success(request, done % {"p": place.name})
                return redirect("dashboard:places")
        else:
            error = _("请检查填写的内容。")
    page = paginate(request, delivery.places_for(request.scope))
    context = page_context(request, page=page, form=form, error=error, query=query_without_page(request))
    return render(request, "dashboard/places.html", context, status=400 if error else 200)


def _place_save(request: HttpRequest, form, workshop):
    d = form.cleaned_data
    return logistics.place_save(
        actor=request.user,
        workshop=workshop,
        name=d["name"],
        kind=d["kind"],
        lat=d["lat"],
        lng=d["lng"],
        firm=form.picked("firm"),
        note=d["note"],
    )


@require_http_methods(["GET", "POST"])
@dashboard_view
def place_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a place's kind, point, firm and note (the name is its key: a new name is a new place)."""
    require_perm(request, "manage_logistics")
    place = delivery.place_get(request.scope, pk)
    workshops = [
        w
        for w in delivery.logistics_workshops(request.scope)
        if (w.county, w.subdistrict, w.community) == (place.county, place.subdistrict, place.community)
    ]
    if not workshops:
        raise Http404(_("没有这个地点。"))
    initial = {
        "workshop": str(workshops[0].pk),
        "name": place.name,
        "kind": place.kind,
        "lat": place.lat if place.lat is not None else "",
        "lng": place.lng if place.lng is not None else "",
        "firm": str(place.firm_id or ""),
        "note": place.note,
    }
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["name"], data["workshop"] = place.name, initial["workshop"]
    form = lf.PlaceForm(data, initial=initial, workshops=workshops[:1], firms=_firms(request))
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                _place_save(request, form, workshops[0])
            except REFUSED as exc:
                error = refused_text(exc)
            else:
                messages.success(request, _("已更新地点“%(p)s”。") % {"p": place.name})
                return redirect("dashboard:places")
        else:
            error = _("请检查填写的内容。")
    context = page_context(request, place=place, form=form, error=error)
    return render(request, "dashboard/place_edit.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
@dashboard_view
def place_import(request: HttpRequest) -> HttpResponse:
    """Import places from xlsx: upload → a preview naming every bad row and cell (nothing written) →
    confirm → every row written in one transaction, or none."""
    require_perm(request, "manage_logistics")
    workshops = delivery.logistics_workshops(request.scope)
    preview, error = None, ""
    form = lf.PlaceImportForm(workshops=workshops)
    if request.method == "POST" and "payload" in request.POST:
        workshop = delivery.logistics_workshop_get(request.scope, _int(request.POST.get("workshop")))
        try:
            cells = place_imports.payload_cells(request.POST["payload"], workshop)
            done = place_imports.places_import(
                actor=request.user, workshop=workshop, cells=cells, firms=_firms(request)
            )
        except REFUSED as exc:
            error = refused_text(exc)
        else:
            messages.success(
                request,
                _("已导入 %(n)d 个地点:新增 %(c)d 个,更新 %(u)d 个。")
                % {"n": len(done.rows), "c": done.created, "u": done.updated},
            )
            return redirect("dashboard:places")
    elif request.method == "POST":
        form = lf.PlaceImportForm(request.POST, request.FILES, workshops=workshops)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > place_imports.MAX_BYTES:
                    raise ValidationError(_("文件太大(超过2MB),请拆分后再导入。"))
                preview = place_imports.places_preview(
                    workshop=form.picked("workshop"), data=upload.read(), firms=_firms(request)
                )
            except ValidationError as exc:
                error = refused_text(exc)
        else:
            error = _("请选择社区和要导入的 .xlsx 文件。")
    bad = error or (preview is not None and not preview.ok)
    context = page_context(request, form=form, preview=preview, error=error)
    return render(request, "dashboard/place_import.html", context, status=400 if bad else 200)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- depot, vehicles, couriers (配送设置) ------------------------------------------------------------------


def _settings_page(request: HttpRequest, workshop, *, status: int = 200, error: str = "", **forms):
    depot = Depot.objects.filter(workshop=workshop).first()
    couriers = delivery.workshop_couriers(workshop)
    vehicles = list(Vehicle.objects.filter(workshop=workshop).select_related("courier").order_by("name"))
    editing = next((v for v in vehicles if v.pk == id_param(request, "vehicle")), None)
    depot_initial = {}
    if depot is not None:
        depot_initial = {
            "lat": depot.lat,
            "lng": depot.lng,
            "plan_at": f"{depot.plan_at:%H:%M}",
            "start_at": f"{depot.start_at:%H:%M}",
            "shift_min": depot.shift_min,
            "auto_plan": depot.auto_plan,
        }
    vehicle_initial = {}
    if editing is not None:
        vehicle_initial = {
            "name": editing.name,
            "kind": editing.kind,
            "capacity": editing.capacity,
            "speed_kmh": editing.speed_kmh,
            "courier": str(editing.courier_id or ""),
            "active": editing.active,
        }
    context = page_context(
        request,
        workshop=workshop,
        workshops=delivery.logistics_workshops(request.scope),
        depot=depot,
        vehicles=vehicles,
        couriers=couriers,
        editing=editing,
        error=error,
        depot_form=forms.get("depot_form") or lf.DepotForm(initial=depot_initial),
        vehicle_form=forms.get("vehicle_form") or lf.VehicleForm(initial=vehicle_initial, couriers=couriers),
        courier_form=forms.get("courier_form") or lf.CourierForm(),
    )
    return render(request, "dashboard/logistics_settings.html", context, status=status)


@require_GET
@dashboard_view
def logistics_settings(request: HttpRequest) -> HttpResponse:
    """A workshop's depot (its point, planning hour, start, longest run), vehicles and couriers."""
    require_perm(request, "manage_logistics")
    workshops = delivery.logistics_workshops(request.scope)
    if not workshops:
        return render(request, "dashboard/logistics_settings.html", page_context(request, workshop=None))
    pk = id_param(request, "workshop") or workshops[0].pk
    return _settings_page(request, delivery.logistics_workshop_get(request.scope, pk))


def _back(workshop) -> HttpResponse:
    return redirect(f"{reverse('dashboard:logistics_settings')}?workshop={workshop.pk}")


@require_POST
@dashboard_view
def depot_save(request: HttpRequest, ws: int) -> HttpResponse:
    require_perm(request, "manage_logistics")
    workshop = delivery.logistics_workshop_get(request.scope, ws)
    form = lf.DepotForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, workshop, status=400, error=_("请检查填写的内容。"), depot_form=form)
    d = form.cleaned_data
    try:
        logistics.depot_set(
            actor=request.user,
            workshop=workshop,
            lat=d["lat"],
            lng=d["lng"],
            plan_at=d["plan_at"],
            start_at=d["start_at"],
            shift_min=d["shift_min"],
            auto_plan=d["auto_plan"],
        )
    except REFUSED as exc:
        return _settings_page(request, workshop, status=400, error=refused_text(exc), depot_form=form)
    messages.success(request, _("配送设置已保存。"))
    return _back(workshop)


@require_POST
@dashboard_view
def vehicle_post(request: HttpRequest, ws: int) -> HttpResponse:
    """Add a vehicle, or update the one of that name."""
    require_perm(request, "manage_logistics")
    workshop = delivery.logistics_workshop_get(request.scope, ws)
    form = lf.VehicleForm(request.POST, couriers=delivery.workshop_couriers(workshop))
    if not form.is_valid():
        return _settings_page(request, workshop, status=400, error=_("请检查填写的内容。"), vehicle_form=form)
    d = form.cleaned_data
    try:
        vehicle = logistics.vehicle_save(
            actor=request.user,
            workshop=workshop,
            name=d["name"],
            kind=d["kind"],
            capacity=d["capacity"],
            speed_kmh=d["speed_kmh"],
            courier=form.picked("courier"),
            active=d["active"],
        )
    except REFUSED as exc:
        return _settings_page(request, workshop, status=400, error=refused_text(exc), vehicle_form=form)
    messages.success(request, _("车辆“%(v)s”已保存。") % {"v": vehicle.name})
    return _back(workshop)


@require_POST
@dashboard_view
def courier_add(request: HttpRequest, ws: int) -> HttpResponse:
    require_perm(request, "manage_logistics")
    workshop = delivery.logistics_workshop_get(request.scope, ws)
    form = lf.CourierForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, workshop, status=400, error=_("请检查填写的内容。"), courier_form=form)
    d = form.cleaned_data
    try:
        courier = workshop_services.courier_create(
            actor=request.user, workshop=workshop, name=d["name"], phone=d["phone"], pin=d["pin"]
        )
    except REFUSED as exc:
        return _settings_page(request, workshop, status=400, error=refused_text(exc), courier_form=form)
    messages.success(request, _("已添加配送员 %(c)s。") % {"c": courier.name})
    return _back(workshop)


@require_POST
@dashboard_view
def courier_pin(request: HttpRequest, pk: int) -> HttpResponse:
    """Reset a courier's 6-digit PIN (and lift a lockout of her phone)."""
    require_perm(request, "manage_logistics")
    courier = delivery.courier_get(request.scope, pk)
    try:
        workshop_services.courier_set_pin(
            actor=request.user, courier=courier, pin=request.POST.get("pin", "")
        )
    except REFUSED as exc:
        return _settings_page(request, courier.workshop, status=400, error=refused_text(exc))
    messages.success(request, _("%(c)s 的 PIN 已更新。") % {"c": courier.name})
    return _back(courier.workshop)


@require_POST
@dashboard_view
def courier_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop a courier (``stop`` posted, with the ``reason``: she can no longer sign in, no run is planned
    for her) or bring her back (恢复在岗, with the PIN she had); each kept on her record. A refusal goes
    back to the settings page with its words as a message, nothing written: a reload there does not post
    again (a trial stayed on this URL after an empty reason)."""
    require_perm(request, "manage_logistics")
    courier = delivery.courier_get(request.scope, pk)
    action = request.POST.get("stop")
    if action not in ("1", "0"):
        messages.error(request, _("请点“停用”或“恢复在岗”。"))
        return _back(courier.workshop)
    stopping = action == "1"
    change = workshop_services.courier_deactivate if stopping else workshop_services.courier_reactivate
    try:
        change(actor=request.user, courier=courier, reason=request.POST.get("reason", ""))
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
        return _back(courier.workshop)
    if stopping:
        messages.success(request, _stopped_words(courier) % {"c": courier.name})
    else:
        messages.success(request, _("%(c)s 已恢复在岗,可以用原来的 PIN 登录。") % {"c": courier.name})
    return _back(courier.workshop)


def _stopped_words(courier) -> str:
    """What the head does next about the stopped courier's runs today: by whether she has any, and whether
    one already set off (its rest is handed over) or none did (the day is planned again)."""
    states = delivery.courier_run_states(courier, timezone.localdate())
    if RunState.UNDER_WAY in states:
        return _(
            "%(c)s 已停用:不能再登录,也不会再排配送。"
            "%(c)s 今天的趟次已经出发,请到配送趟次页把没走完的站交给别的配送员。"
        )
    if RunState.PLANNED in states:
        return _(
            "%(c)s 已停用:不能再登录,也不会再排配送。今天排给 %(c)s 的趟次还没出发,请到配送趟次页重新排线。"
        )
    return _("%(c)s 已停用:不能再登录,也不会再排配送。")


# --- a worker's home (住址) ---------------------------------------------------------------------------------


@require_POST
@dashboard_view
def worker_residence(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a worker lives (a place of her community, unit and room) and when she is usually home."""
    worker = selectors.worker_get(request.scope, pk)
    require_perm(request, "manage_worker", worker)
    form = lf.ResidenceForm(request.POST, places=list(delivery.community_places(worker.workshop)))
    if not form.is_valid():
        # Each field's own words (a room of 51 characters is not a place missing from the list).
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("dashboard:worker", pk=worker.pk)
    d = form.cleaned_data
    try:
        logistics.residence_set(
            actor=request.user,
            worker=worker,
            place=form.picked("place"),
            room=d["room"],
            home_from=d["home_from"],
            home_until=d["home_until"],
        )
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, _("%(w)s 的住址已保存。") % {"w": worker.name})
    return redirect("dashboard:worker", pk=worker.pk)


# --- runs (配送趟次) ----------------------------------------------------------------------------------------


# Runs are looked up this far back and planned this far ahead; any other date is a typo, not a day.
RUN_DAYS_BACK, RUN_DAYS_AHEAD = 3660, 14


def _day(value: str | None) -> dt.date:
    today = timezone.localdate()
    if value is None:
        return today
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Http404(_("日期不对。")) from None
    if not today - dt.timedelta(days=RUN_DAYS_BACK) <= day <= today + dt.timedelta(days=RUN_DAYS_AHEAD):
        raise Http404(_("日期不对。"))
    return day


def _clock(start: dt.time, minutes: int | None) -> str:
    if minutes is None:
        return ""
    at = dt.datetime.combine(dt.date.min, start) + dt.timedelta(minutes=minutes)
    return f"{at:%H:%M}"


@require_GET
@dashboard_view
def runs_day(request: HttpRequest, day: str | None = None) -> HttpResponse:
    """The day's runs of every workshop the user covers: vehicle, courier, state, distance and time, the
    stops in order with their planned clock times and outcomes, the unscheduled stops with their reason,
    exceptions marked; the plan and finish buttons; the last 30 days. A fixed number of queries."""
    require_perm(request, "manage_logistics")
    the_day = _day(day)
    workshops = delivery.logistics_workshops(request.scope)
    ids = [w.pk for w in workshops]
    runs = logistics_reads.workshop_runs(ids, the_day)
    depots = {d.workshop_id: d for d in Depot.objects.filter(workshop_id__in=ids)}
    collected: Counter = Counter()  # pieces collected by stop
    by_share = logistics_reads.collected_pieces(stop__run__in=[r.pk for r in runs])
    for (stop_id, _share), n in by_share.items():
        collected[stop_id] += n
    for run in runs:
        depot = depots.get(run.workshop_id)
        run.km = f"{run.distance_m / 1000:.1f}"
        start = logistics_reads.run_start(run, depot.start_at if depot else None).time()
        for stop in run.ordered:
            stop.arrive_at = _clock(start, stop.arrive_min)
            stop.short = _short(stop, collected)
            # Set off too late for her home hours (``logistics.run_start``): the time stays, with the reason.
            late = stop.reason == logistics.LATE_FOR_HOURS
            stop.late = logistics_reads.stop_reason(stop) if late else ""
            stop.exception = stop.state in MISSED or stop.short is not None or bool(stop.late)
        for stop in run.unscheduled:
            stop.reason_text = logistics_reads.stop_reason(stop)
            stop.exception = True
    # A stopped courier's run under way today can be handed to one of these (none on another day).
    free = delivery.couriers_free(ids, runs) if the_day == timezone.localdate() else {}
    for w in workshops:
        w.day_runs = [r for r in runs if r.workshop_id == w.pk]
        w.free_couriers = free.get(w.pk, [])
        for r in w.day_runs:
            r.to_hand_over = (
                the_day == timezone.localdate()
                and r.state == RunState.UNDER_WAY
                and r.courier is not None
                and not r.courier.active
            )
        w.has_depot = w.pk in depots
        # The service refuses a new plan once a run set off: no button that is always refused (a trial).
        w.set_off = any(r.state != RunState.PLANNED for r in w.day_runs)
    context = page_context(
        request,
        day=the_day,
        today=timezone.localdate(),
        prev_day=the_day - dt.timedelta(days=1),
        next_day=the_day + dt.timedelta(days=1),
        workshops=workshops,
        history=logistics_reads.run_history(ids, days=30),
        under_way=RunState.UNDER_WAY,
    )
    return render(request, "dashboard/runs.html", context)


def _short(stop, collected: dict[int, int]) -> int | None:
    """Pieces a collection stop brought back fewer than expected (None: not a short collection)."""
    if stop.kind != StopKind.COLLECT or stop.state != StopState.COLLECTED:
        return None
    expected = sum(line.pieces for line in stop.lines.all())
    missing = expected - collected.get(stop.pk, 0)
    return missing if missing > 0 else None


@require_POST
@dashboard_view
def runs_plan(request: HttpRequest, day: str) -> HttpResponse:
    """Plan (排线) a workshop's runs of the day; a refusal (no depot, no vehicle, a run under way) is
    shown in words, as are the stops left unscheduled and the shares waiting for material."""
    require_perm(request, "manage_logistics")
    the_day = _day(day)
    workshop = delivery.logistics_workshop_get(request.scope, _int(request.POST.get("workshop")))
    back = redirect("dashboard:runs_day", day=the_day.isoformat())
    if the_day < timezone.localdate():
        messages.error(request, _("不能给过去的日子排线。"))
        return back
    try:
        plan = logistics.runs_plan(workshop=workshop, day=the_day, actor=request.user)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
        return back
    if plan.runs:
        messages.success(
            request,
            _("%(w)s 已排线:%(r)d 趟,%(s)d 站。")
            % {"w": workshop.name, "r": len(plan.runs), "s": plan.stops},
        )
    else:
        messages.info(request, _("%(w)s 这一天没有要送、要收或要交的货。") % {"w": workshop.name})
    if plan.unscheduled:
        messages.warning(request, _("%(n)d 站没有排上,原因见下面。") % {"n": len(plan.unscheduled)})
    for words in plan.waiting:
        messages.warning(request, words)
    return back


@require_POST
@dashboard_view
def run_finish(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a run under way (the courier is back, her phone could not): everything on the vehicle goes
    back to the store."""
    require_perm(request, "manage_logistics")
    run = delivery.run_get(request.scope, pk)
    try:
        logistics.run_finish(actor=request.user, run=run)
    except REFUSED as exc:
        messages.error(request, refused_text(exc, states=RunState))
    else:
        messages.success(request, _("这趟配送已完成,车上的料已回库。"))
    return redirect("dashboard:runs_day", day=run.day.isoformat())


@require_POST
@dashboard_view
def run_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand a run under way whose courier was stopped to another active courier of its workshop (交接): its
    remaining stops go on her phone; what was done stays done."""
    require_perm(request, "manage_logistics")
    run = delivery.run_get(request.scope, pk)
    back = redirect("dashboard:runs_day", day=run.day.isoformat())
    picked = _int(request.POST.get("courier"))
    courier = next((c for c in delivery.workshop_couriers(run.workshop_id) if c.pk == picked), None)
    if courier is None:
        messages.error(request, _("请选一位本工坊在岗的配送员。"))
        return back
    try:
        logistics.run_hand_over(actor=request.user, run=run, courier=courier)
    except REFUSED as exc:
        messages.error(request, refused_text(exc, states=RunState))
    else:
        messages.success(
            request, _("这趟没走完的站已经交给 %(c)s,对方的手机上就能看到。") % {"c": courier.name}
        )
    return back
