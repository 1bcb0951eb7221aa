"""The courier's phone pages (配送员手机端) under ``/m/run/``: today's run, one tap per stop, a scanned
bundle.

Same rules as the worker's pages (``mobile.views``): plain function views and plain form posts that work
without JavaScript; a signed-in active courier only (anonymous → ``/m/login/?next=…``, a worker or any other
role → a 403 page that says so); every stop comes through a selector scoped to her run today, so another
courier's stop, or another day's, is a 404 and nothing is written. The writes are the logistics services'.

The stop forms also answer ``static/mobile/m-run.js``, which keeps a check-off made without network on the
phone and sends it later: a request that asks for JSON (``Accept: application/json``) gets
``{"ok": true, "message", "state"}`` or ``{"ok": false, "error"}`` (400/404) instead of a redirect or a
page. Each stop form carries its own key, so a check-off sent twice counts once (``stop_check``).
"""

from __future__ import annotations

import functools
import uuid

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dispatch.models import IllegalTransition
from dispatch.services.jobs import MAX_JOB_PIECES
from dispatch.web import refused_text
from logistics import selectors as logistics_reads
from logistics import services as logistics
from logistics.models import StopKind, StopState
from workshop.models import Courier
from workshop.roles import courier_for

from . import courier_selectors, views

REFUSED = (ValidationError, IllegalTransition, PermissionDenied)
OUTCOMES = {"done": logistics.DONE, "nobody_home": logistics.NOBODY_HOME, "refused": logistics.REFUSED}


def courier_required(view):
    """Pass the signed-in active ``Courier`` to ``view``; send anyone else to sign in, or to a 403 page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("mobile:login"))
        courier = courier_for(request.user)
        if courier is None:
            return render(request, "mobile/not_courier.html", status=403)
        return view(request, courier, *args, **kwargs)

    return wrapped


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _key() -> str:
    # A fresh key per rendered stop form: the same check-off sent twice (offline, then again) counts once.
    return uuid.uuid4().hex


def _render_run(request: HttpRequest, courier: Courier, *, refused=None, status: int = 200) -> HttpResponse:
    """Today's run. ``refused``: (stop id, words, the posted form) of a check-off just refused: its form
    shows the words and what she typed, under the key she sent (nothing was written with it)."""
    run = courier_selectors.courier_run_page(courier)
    ticked = {request.GET.get("t", "")} - {""}
    stops = run.ordered if run is not None else []
    for s in stops:
        s.key = _key()
        s.error = ""
        s.reason_typed = ""
        typed = {}
        if refused is not None and refused[0] == s.pk:
            s.error, posted = refused[1], refused[2]
            s.key = posted.get("key", "")[:64] or s.key
            s.reason_typed = posted.get("reason", "")[:200]
            typed = {k: posted.get(k, "") for k in posted}
            ticked = set(posted.getlist("ticket"))
        for sl in s.lines.all():
            sl.count_value = typed.get(f"n{sl.assignment_id}", sl.pieces) if sl.assignment_id else ""
            for t in sl.open_tickets:
                t.ticked = t.token in ticked
    context = {
        "courier": courier,
        "run": run,
        "stops": stops,
        "pending": sum(1 for s in stops if s.pending),
        "today": timezone.localdate(),
    }
    response = render(request, "mobile/courier_run.html", context, status=status)
    # The service worker keeps the last copy of this page for a dead network, for today only.
    response["X-Run-Day"] = timezone.localdate().isoformat()
    return response


@never_cache
@require_GET
@courier_required
def run(request: HttpRequest, courier: Courier) -> HttpResponse:
    """Today's run: its stops in order, each with what to hand over or collect and one form to check it
    off. ``?t=<token>``: a scanned bundle ticket, ticked in its stop's form."""
    return _render_run(request, courier)


def _run_move(request: HttpRequest, courier: Courier, service, done: str) -> HttpResponse:
    """Start or finish her run of today with ``service`` (idempotent), then back to the run page with
    ``done`` or the refusal in words. No run today: 404."""
    run = logistics_reads.courier_runs(courier).first()
    if run is None:
        raise Http404(_("今天没有排给您的路线。"))
    try:
        service(actor=request.user, run=run)
    except REFUSED as exc:
        messages.error(request, refused_text(exc))
    else:
        messages.success(request, done)
    return redirect("mobile:run")


@require_POST
@courier_required
def run_start(request: HttpRequest, courier: Courier) -> HttpResponse:
    """出发/装车: the run is under way and the kits are on her vehicle (idempotent)."""
    return _run_move(request, courier, logistics.run_start, _("出发了。要送的料已经记在您车上,一路小心。"))


@require_POST
@courier_required
def run_finish(request: HttpRequest, courier: Courier) -> HttpResponse:
    """回到工坊: the run is done; what is still on her vehicle goes back to the store (idempotent)."""
    return _run_move(
        request, courier, logistics.run_finish, _("今天的路线结束了,车上剩下的料已经记回仓库。辛苦了!")
    )


def _check_off(request: HttpRequest, stop) -> logistics.CheckOff:
    """The posted form as a ``CheckOff``; a count that is not a whole number, or above ``MAX_JOB_PIECES``,
    is refused in words."""
    outcome = OUTCOMES.get(request.POST.get("outcome", ""))
    if outcome is None:
        raise ValidationError(_("请点“送到了”“收回了”“交货了”“没人在家”或“拒收”中的一个。"))
    counts = {}
    if stop.kind == StopKind.COLLECT and outcome == logistics.DONE:
        for sl in stop.lines.all():
            raw = request.POST.get(f"n{sl.assignment_id}", "").strip()
            if raw == "":
                continue
            if raw[:1] in "-−" and raw[1:].strip().isdecimal():  # "-5": a sign, said as such (a trial)
                raise ValidationError(_("%(t)s 的件数不能是负数。") % {"t": sl.assignment.job.title})
            if not raw.isdecimal():  # not isdigit(): int() refuses the superscript "²" it lets through
                raise ValidationError(_("%(t)s 的件数要填整数。") % {"t": sl.assignment.job.title})
            digits = raw.lstrip("0")
            # A share is at most a job: a longer number is a slip of the thumb, and said so.
            if len(digits) > len(str(MAX_JOB_PIECES)) or int(digits or "0") > MAX_JOB_PIECES:
                raise ValidationError(
                    _("%(t)s 的件数太大了,请看一下是不是多按了几个数字。") % {"t": sl.assignment.job.title}
                )
            counts[sl.assignment_id] = int(raw)
    return logistics.CheckOff(
        outcome=outcome,
        counts=counts,
        tickets=request.POST.getlist("ticket")[:200] if outcome == logistics.DONE else (),
        reason=request.POST.get("reason", "")[:200],
    )


def _done_words(stop, created: bool) -> str:
    if not created:
        return _("第 %(n)d 站刚才已经记上了,没有重复。") % {"n": stop.seq}
    return _("第 %(n)d 站(%(who)s):%(state)s。") % {
        "n": stop.seq,
        "who": stop.worker.name if stop.worker_id else stop.firm.name,
        "state": stop.get_state_display(),
    }


@require_POST
@courier_required
def stop_check(request: HttpRequest, courier: Courier, pk: int) -> HttpResponse:
    """Check off one stop of her run today (one tap): ``outcome`` done / nobody_home / refused, the counts
    (``n<assignment id>``) and ticked ``ticket`` tokens of a collection, the ``reason`` of a refusal and the
    form's ``key``. Refused → the run page again with the words at that stop (400), nothing written."""
    stop = logistics_reads.courier_stop(courier, pk)
    if stop is None:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": _("这一站不在您今天的路线上。")}, status=404)
        raise Http404(_("这一站不在您今天的路线上。"))
    try:
        check = _check_off(request, stop)
        stop, created = logistics.stop_check(
            actor=request.user, stop=stop, check=check, key=request.POST.get("key", "")
        )
    except REFUSED as exc:
        words = refused_text(exc)
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": words}, status=400)
        return _render_run(request, courier, refused=(pk, words, request.POST), status=400)
    words = _done_words(stop, created)
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": words, "state": stop.state, "created": created})
    if created and stop.state in (StopState.NOBODY_HOME, StopState.REFUSED):
        messages.info(request, words + " " + _("已告诉坊长。"))
    else:
        messages.success(request, words)
    return redirect(reverse("mobile:run") + f"#stop-{stop.pk}")


# --- a scanned bundle ticket ---------------------------------------------------------------------------


@never_cache
@require_GET
def bundle(request: HttpRequest, token: str) -> HttpResponse:
    """``/m/b/<token>/``, a bundle ticket's QR: a courier sees the bundle and, when it is to be collected on
    her run today, a button that opens her run with it ticked; everyone else gets the worker's page."""
    courier = courier_for(request.user) if request.user.is_authenticated else None
    if courier is None:
        return views.bundle(request, token)
    ticket, stop = courier_selectors.courier_ticket(courier, token)
    context = {"courier": courier, "t": ticket, "stop": stop}
    if ticket is None:
        return render(request, "mobile/courier_bundle.html", context, status=404)
    ticket.collected = hasattr(ticket, "collection")  # the reverse one-to-one: a Collection row or none
    return render(request, "mobile/courier_bundle.html", context)
