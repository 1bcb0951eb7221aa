"""The worker's phone pages (坊工手机端) under ``/m/``: plain function views, plain form posts.

Each page works without JavaScript; the script only adds the +/- buttons, "读给我听" and the offline
page. A worker's page needs a signed-in active worker (anonymous → ``/m/login/?next=…``, another role →
a 403 page that says so); every object comes through a selector scoped to that worker, so another
worker's id is a 404 and nothing is written. Changes are POST only, go through services, and end in a
redirect with a message in words.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch.models import AssignmentState, IllegalTransition
from dispatch.services import materials as flow_materials
from dispatch.web import refused_text
from logistics import services as logistics
from materials import selectors as material_reads
from notices import selectors as inbox_reads
from notices import services as notices
from pay import money
from tickets import selectors as ticket_reads
from tickets import services as ticket_services
from tickets.models import TicketState
from workshop import services as people
from workshop.auth import STOPPED, lockout_response, stopped_in_session
from workshop.models import Worker, Workshop
from workshop.prepared import prepared_reads
from workshop.roles import courier_for, worker_for
from workshop.text import sane_date
from workshop.validators import mask_phone

from . import cards, photos, selectors
from .forms import CONSENT_TEXT, MaterialProblemForm, PinLoginForm, WishForm

REFUSED = (ValidationError, IllegalTransition, PermissionDenied)
SESSION_NONCE = "worker_signin_nonce"
# Bump when the offline page changes: the service worker then fetches it again.
SW_VERSION = "2"


# --- helpers -------------------------------------------------------------------------------------------


def worker_required(view):
    """Pass the signed-in active ``Worker`` to ``view``; send anyone else to sign in, or to a 403 page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("mobile:login"))
        worker = worker_for(request.user)
        if worker is None:
            if courier_for(request.user) is not None:
                # A courier's phone pages are her run's: a worker's link (/m/, a message) lands there.
                return redirect("mobile:run")
            return render(request, "mobile/not_worker.html", status=403)
        signed_in_with = request.session.get(SESSION_NONCE)
        if signed_in_with and signed_in_with != worker.signin_nonce:
            # The head revoked the sign-in links (a lost phone): sessions begun before end too.
            logout(request)
            messages.info(request, _("坊长已让旧的登录码失效,请重新登录。"))
            return redirect_to_login(request.get_full_path(), reverse("mobile:login"))
        return view(request, worker, *args, **kwargs)

    return wrapped


def _render_phone_page(
    request: HttpRequest,
    worker: Worker,
    template: str,
    context: dict,
    tab: str = "",
    status: int = 200,
    using: str | None = None,
):
    """Render a signed-in page: every one shows the unread count (one query). ``using="jinja2"`` for the
    pages drawn by Jinja2 (``jinja2/mobile/``: Today, Earnings, Messages; ``config/jinja.py``)."""
    context = {"worker": worker, "unread": inbox_reads.unread_count(request.user), "tab": tab, **context}
    return render(request, template, context, status=status, using=using)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """The form's or link's ``next`` when it is a page of ours under /m/, else ``fallback``."""
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if (
        nxt.startswith("/m/")
        and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})
        and not nxt.startswith(("/m/t/", "/m/logout/"))
    ):
        return nxt
    return fallback


def _refused_text(exc: Exception) -> str:
    """``dispatch.web.refused_text`` in a worker's words for a move lost to a change of state."""
    if isinstance(exc, IllegalTransition):
        labels = dict(AssignmentState.choices)
        return _("这份活现在是“%(cur)s”,请看下面的最新情况。") % {"cur": labels.get(exc.current, exc.current)}
    return refused_text(exc)


def _report_key() -> str:
    # A fresh key per rendered form: the same form posted twice (double tap, retry) counts once.
    return uuid.uuid4().hex


def _start_worker_session(request: HttpRequest, worker: Worker, backend: str | None = None) -> None:
    """Sign ``worker`` in for weeks, remembering the sign-in links' nonce: revoking them ends this too."""
    login(request, worker.user, backend=backend)
    request.session.set_expiry(settings.NUANXIN_WORKER_SESSION_DAYS * 86400)
    request.session[SESSION_NONCE] = worker.signin_nonce


# --- sign in / out -------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Phone + PIN, for a worker (→ Today) or a courier (→ today's run). Wrong tries are counted by
    django-axes; the page says how many are left."""
    nxt = _safe_next(request, reverse("mobile:today"))
    if request.user.is_authenticated and worker_for(request.user) is not None:
        return redirect(nxt)
    if request.user.is_authenticated and courier_for(request.user) is not None:
        return redirect(_safe_next(request, reverse("mobile:run")))
    form = PinLoginForm(request.POST or None)
    # Signed in on this phone before she was stopped: say why the page asks again (a trial: bounced here
    # without a word, she learned it only at her next PIN).
    error = STOPPED if request.method == "GET" and stopped_in_session(request) else ""
    if error:
        logout(request)  # the stale session goes: it names someone who may no longer sign in
    if request.method == "POST" and form.is_valid():
        phone, pin = form.cleaned_data["phone"], form.cleaned_data["pin"]
        user = authenticate(request, phone=phone, pin=pin)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, None, {"phone": phone})
        if user is not None and courier_for(user) is not None:
            # A courier (配送员) signs in the same way and lands on today's run.
            login(request, user)
            request.session.set_expiry(settings.NUANXIN_WORKER_SESSION_DAYS * 86400)
            return redirect(_safe_next(request, reverse("mobile:run")))
        if user is not None:
            _start_worker_session(request, user.worker)
            return redirect(nxt)
        left = settings.AXES_FAILURE_LIMIT - getattr(request, "axes_failures_since_start", 0)
        if getattr(request, "nuanxin_stopped", False):
            error = STOPPED
        else:
            error = (
                _("手机号或 PIN 不对,请再试一次。")
                + " "
                + (
                    ngettext(
                        "再错 %(n)d 次,要等 %(m)d 分钟才能再试。",
                        "再错 %(n)d 次,要等 %(m)d 分钟才能再试。",
                        left,
                    )
                    % {"n": left, "m": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
                )
            )
    return render(request, "mobile/login.html", {"form": form, "next": nxt, "error": error})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("已退出。下次用手机号和 PIN 登录,或扫坊长给的登录码。"))
    return redirect("mobile:login")


@never_cache
@require_GET
def token_login(request: HttpRequest, token: str) -> HttpResponse:
    """The one-tap sign-in link (``/m/t/<token>/``, printed as a QR code by the head)."""
    worker = people.signin_token_worker(token)
    if worker is None:
        stopped = people.signin_token_stopped(token)
        context = {"stopped": stopped, "stopped_words": STOPPED}
        response = render(request, "mobile/token_invalid.html", context, status=400)
    else:
        _start_worker_session(request, worker, backend="workshop.auth.PinBackend")
        response = redirect(_safe_next(request, reverse("mobile:today")))
    # The token is a key: never send it on as a referrer.
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Today ---------------------------------------------------------------------------------------------


@worker_required
@prepared_reads
def today(request: HttpRequest, worker: Worker) -> HttpResponse:
    """Offers (accept or decline), work in hand (report), rework apart, and today's and this month's pay."""
    today, now = timezone.localdate(), timezone.now()
    data = selectors.today_for_worker(worker, today=today)
    for a in data.offers + data.in_hand + data.rework:
        cards.annotate(a, today=today, now=now)
    return _render_phone_page(request, worker, "mobile/today.html", {"d": data}, tab="today", using="jinja2")


# --- when she is home (在家时间) --------------------------------------------------------------------------

# The simple choices a worker picks from: (value, from, until); "any": no window.
HOME_HOURS = {
    "morning": ("08:00", "12:00"),
    "afternoon": ("13:00", "17:00"),
    "day": ("08:00", "17:00"),
    "any": (None, None),
}


def _home_hours_choice(home_from, home_until) -> str:
    now = (f"{home_from:%H:%M}" if home_from else None, f"{home_until:%H:%M}" if home_until else None)
    return next((k for k, v in HOME_HOURS.items() if v == now), "other" if home_from else "any")


@require_http_methods(["GET", "POST"])
@worker_required
def home_hours(request: HttpRequest, worker: Worker) -> HttpResponse:
    """When she is home for the courier (送料、收货上门): morning, afternoon, all day or any time
    (``logistics.services.home_hours_set``). Another time set by the head shows as it is."""
    if request.method == "POST":
        choice = request.POST.get("hours", "")
        if choice not in HOME_HOURS:
            messages.error(request, _("请选一个在家时间。"))
            return redirect("mobile:home_hours")
        try:
            logistics.home_hours_set(
                actor=request.user, home_from=HOME_HOURS[choice][0], home_until=HOME_HOURS[choice][1]
            )
        except REFUSED as exc:
            messages.error(request, _refused_text(exc))
            return redirect("mobile:home_hours")
        messages.success(request, _("在家时间记好了,配送员会在这个时间上门。"))
        return redirect("mobile:today")
    hours = selectors.home_hours_of(worker)
    context = {"current": _home_hours_choice(*hours), "hours": hours}
    return _render_phone_page(request, worker, "mobile/home_hours.html", context, tab="today")


# --- one assignment ------------------------------------------------------------------------------------


@worker_required
def assignment(request: HttpRequest, worker: Worker, pk: int) -> HttpResponse:
    """What to make, the photo, rate, pay so far, the report control and the finished button, her reports
    (an undone one struck through) and, for a few minutes after a report, the button that undoes it; the
    scan target of a bundle ticket's QR code."""
    a = selectors.assignment_for_worker(worker, pk)
    history = selectors.assignment_history(a)
    now = timezone.now()
    cards.annotate(a, today=timezone.localdate(), now=now)
    a.report_key = _report_key()
    a.finish_key = _report_key()
    materials = material_reads.share_materials(worker, a.job_id)
    if a.state == AssignmentState.WITHDRAWN and not any(held for _line, held in materials):
        materials = []  # an offer taken back before she took it: nothing of hers to give back
    context = {
        "a": a,
        "history": history,
        "reports": selectors.report_history(a, worker=worker, now=now),
        "pending_yuan": money.wage_amount(a.pieces_uninspected, a.job.worker_rate),
        "where": selectors.whereabouts(a),
        "materials": materials,
        "can_report_material": a.state in MATERIAL_STATES,
    }
    return _render_phone_page(request, worker, "mobile/assignment.html", context)


# A share's material can be reported short or damaged while she works on it, or after (a part found bad).
MATERIAL_STATES = (AssignmentState.ACCEPTED, AssignmentState.DONE)


@require_http_methods(["GET", "POST"])
@worker_required
def assignment_material(request: HttpRequest, worker: Worker, pk: int) -> HttpResponse:
    """Tell the head that material is short or a part is damaged (缺料 / 零件坏了) on one's share, with an
    optional photo: nothing moves in the materials ledger (the head counts and issues), the head gets a
    message. The form's key makes a double tap count once. 404 for another worker's share or a job
    without supplied materials."""
    a = selectors.assignment_for_worker(worker, pk)
    held = material_reads.share_materials(worker, a.job_id)
    if not held:
        raise Http404(_("这份活没有企业来料。"))
    back = reverse("mobile:assignment", args=[a.pk])
    if a.state not in MATERIAL_STATES:
        messages.info(request, _("接下这份活以后,才能报材料的问题。"))
        return redirect(back)
    form = MaterialProblemForm(
        request.POST or None,
        request.FILES or None,
        lines=[b for b, _q in held],
        initial={"key": _report_key()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            _problem, created = flow_materials.material_problem_send(
                actor=request.user,
                assignment=a,
                line=d["line"],
                kind=d["kind"],
                quantity=d["quantity"],
                note=d["note"],
                photo=d.get("photo"),
                key=d["key"],
            )
        except REFUSED as exc:
            form.add_error(None, _refused_text(exc))
        else:
            if created:
                messages.success(request, _("已经告诉坊长了,坊长会来清点、补料。"))
            else:
                messages.info(request, _("这次上报刚才已经记上了,没有重复。"))
            return redirect(back)
    response = _render_phone_page(request, worker, "mobile/material_report.html", {"a": a, "form": form})
    if form.errors:
        response.status_code = 400
    return response


@require_GET
@worker_required
def assignment_photo(request: HttpRequest, worker: Worker, pk: int) -> HttpResponse:
    """The job's photo for this worker only (no public media URL): phone-sized unless ``?full=1``."""
    a = selectors.assignment_for_worker(worker, pk)
    if not a.job.photo:
        raise Http404(_("这份活没有照片。"))
    data, content_type = photos.photo_bytes(a.job.photo, full=request.GET.get("full") == "1")
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- a bundle ticket (扎票) -------------------------------------------------------------------------------


def _bundle_ticket(request: HttpRequest, worker: Worker, token: str):
    """The worker's own ticket, or the phone's "no such ticket" page (404) for an unknown or foreign one."""
    try:
        return ticket_reads.ticket_for_worker(worker, token), None
    except Http404:
        return None, _render_phone_page(request, worker, "mobile/bundle_missing.html", {}, status=404)


@never_cache
@require_GET
@worker_required
def bundle(request: HttpRequest, worker: Worker, token: str) -> HttpResponse:
    """A scanned bundle ticket (``/m/b/<token>/``): the job, the bundle's number and pieces (and those
    still to report when her form reports covered part of it), and one button that reports the bundle
    done. A ticket shown reported (scanned, or covered by the pieces she reported with the form:
    ``tickets.selectors.with_shown_state``) says so with no button; a void one says so in words (410)."""
    ticket, refused = _bundle_ticket(request, worker, token)
    if refused:
        return refused
    a = ticket.assignment
    a.job = ticket.job
    cards.annotate(a, today=timezone.localdate(), now=timezone.now())
    status = 410 if ticket.state == TicketState.VOID else 200
    context = {"t": ticket, "a": a}
    return _render_phone_page(request, worker, "mobile/bundle.html", context, status=status)


@require_POST
@worker_required
def bundle_report(request: HttpRequest, worker: Worker, token: str) -> HttpResponse:
    """Report the whole bundle done (one tap): the ticket's pieces not yet reported, counted once however
    often it is tapped or scanned (``tickets.services.ticket_report``)."""
    ticket, refused = _bundle_ticket(request, worker, token)
    if refused:
        return refused
    try:
        ticket, counted = ticket_services.ticket_report(actor=request.user, ticket=ticket)
    except REFUSED as exc:
        messages.error(request, _refused_text(exc))
    else:
        if not counted:
            messages.info(request, _("这一扎已经报过工了,没有重复计数。"))
        else:
            p = ticket.report.pieces  # less than the bundle's when her form reports covered part of it
            recorded = ngettext("第 %(n)s 扎的 %(p)d 件已经记上。", "第 %(n)s 扎的 %(p)d 件已经记上。", p)
            messages.success(request, recorded % {"n": f"{ticket.number}/{ticket.count}", "p": p})
    return redirect("mobile:bundle", token=ticket.token)


# --- Earnings ------------------------------------------------------------------------------------------


@worker_required
@prepared_reads
def earnings(request: HttpRequest, worker: Worker, year: int | None = None, month: int | None = None):
    """This month (or ``/m/earnings/YYYY-MM/``): per job reported, passed, rejected, rate, pay; booked vs
    still under inspection; totals that are the sums of the lines shown."""
    data = selectors.earnings_for_worker(worker, month=url_month(year, month))
    # Her slip exists for the months with pay booked and for this month (mobile.slips); another month's
    # earnings page (before she joined, say) offers no link to a slip that would be a 404.
    has_slip = data.month in {m for m, _total in data.months}
    return _render_phone_page(
        request,
        worker,
        "mobile/earnings.html",
        {"e": data, "months": _month_links(data.months), "has_slip": has_slip},
        tab="earnings",
        using="jinja2",
    )


def url_month(year: int | None, month: int | None) -> dt.date:
    """The first day of the month a phone page's URL names (``/m/earnings/2026-08/``, ``/m/slip/…``), this
    month's when it names none. ``Http404`` for a month that is not a date, lies in the future, or before
    ``workshop.text.EARLIEST_DATE`` (year 1 overflowed the time-zone arithmetic into a 500)."""
    today = timezone.localdate()
    if year is None:
        return today.replace(day=1)
    try:
        day = sane_date(dt.date(year, month, 1))
    except (ValueError, ValidationError):
        raise Http404(_("没有这个月份。")) from None
    if day > today:
        raise Http404(_("没有这个月份。"))
    return day


def _month_links(months) -> list[tuple[dt.date, str, str]]:
    """Her months (``(first day, yuan)``, newest first) as ``(first day, link, "2026年12月:86.40 元")``,
    made here once for the page: three years of months through the template's url, date and blocktranslate
    tags were a third of the page's time (issue 15). The words are the template's own msgids."""
    month_format = _("Y年n月")
    words = _("%(m)s:%(y)s 元")
    link = reverse("mobile:earnings_month", args=[2000, 1])
    return [
        (
            m,
            link.replace("2000-01", f"{m.year:04d}-{m.month:02d}"),
            words % {"m": dateformat.format(m, month_format), "y": total},
        )
        for m, total in months
    ]


# --- Inbox ---------------------------------------------------------------------------------------------


@worker_required
@prepared_reads
def inbox(request: HttpRequest, worker: Worker) -> HttpResponse:
    notes = inbox_reads.inbox_for_user(request.user)
    # What each message's row shows, made here once for the page: the date in her language's format (the
    # format translated once, each date formatted directly, not through the template's date filter and
    # its format lookups) and the open link from one reversed URL. The template's per-row lookups were
    # most of a 50-message page's time (issue 15).
    date_format = _("n月j日 H:i")
    marker = 987654321
    open_url = reverse("mobile:inbox_open", args=[marker])
    for n in notes:
        n.when = dateformat.format(timezone.localtime(n.created_at), date_format)
        n.open_url = open_url.replace(str(marker), str(n.pk))
    context = {"notes": notes}
    return _render_phone_page(request, worker, "mobile/inbox.html", context, tab="inbox", using="jinja2")


@require_POST
@worker_required
def inbox_open(request: HttpRequest, worker: Worker, pk: int) -> HttpResponse:
    """Mark one message read and go where it points (a page of ours under /m/ only)."""
    link = inbox_reads.notification_link(request.user, pk)
    notices.notifications_mark_read(user=request.user, notification_id=pk)
    if link.startswith("/m/") and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("mobile:inbox")


@require_POST
@worker_required
def inbox_read_all(request: HttpRequest, worker: Worker) -> HttpResponse:
    n = notices.notifications_mark_read(user=request.user)
    messages.success(request, _("%(n)d 条消息标为已读。") % {"n": n})
    return redirect("mobile:inbox")


# --- Wish to work (public) -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """A resident leaves a wish to work; it lands on the supply list as new (same phone: updated)."""
    workshop = None
    w = request.POST.get("w") or request.GET.get("w") or ""
    if w.isdigit():
        workshop = Workshop.objects.filter(pk=int(w)).first()
    form = WishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            people.work_wish_submit(
                name=d["name"],
                phone=d["phone"].as_e164,
                skills=d["skills"],
                hours_per_week=d["hours_per_week"],
                work_place=d["work_place"],
                area=d["area"],
                low_income=d["low_income"],
                consent=d["consent"],
                workshop=workshop,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            request.session["wish_phone"] = mask_phone(d["phone"])
            return redirect("mobile:join_done")
    context = {"form": form, "consent_text": CONSENT_TEXT, "workshop": workshop}
    return render(request, "mobile/join.html", context)


@require_GET
def join_done(request: HttpRequest) -> HttpResponse:
    return render(request, "mobile/join_done.html", {"phone_masked": request.session.get("wish_phone", "")})


# --- installable app: manifest, service worker, offline page -------------------------------------------


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("暖心坊 · 坊工"),
        "short_name": _("暖心坊"),
        "lang": "zh-CN",
        "start_url": "/m/",
        "scope": "/m/",
        "display": "standalone",
        "background_color": "#fffaf5",
        "theme_color": "#9a3412",
        "icons": [
            {"src": static("mobile/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("mobile/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("mobile/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(
        request, "mobile/sw.js", {"version": SW_VERSION}, content_type="text/javascript; charset=utf-8"
    )
    # The browser must look for a new worker script on every visit.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "mobile/offline.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A page left open too long (or cookies cleared): say so in words and offer the way back; the
    workers' wording on their phone pages, the staff's elsewhere."""
    if request.path.startswith("/m/"):
        return render(request, "mobile/csrf_failure.html", status=403)
    return render(request, "csrf_failure.html", status=403)
