"""A job's lots and their delivery notes (送货单) on the dashboard: the head writes the next lot's note (with
leftover material returned), sends it when it leaves without a courier's run, and prints it with its QR; the
firm's clerk counts what arrived (点收), which sends the lot to inspection. A difference between what was
sent and what was counted is shown to both sides as both figures.

Who: the head of the job's workshop (``dashboard.hand_over``) writes and sends; the
firm's staff of the job's firm (``dashboard.receive_lot``) count; both sides read. A firm sees pieces and
bundles, not where a worker lives nor what she earns.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dispatch.models import JobState
from dispatch.web import refused_text
from logistics import selectors as lots
from logistics import services as logistics
from logistics.models import DeliveryNote, NoteState
from materials import selectors as material_reads
from tickets.qr import qr_svg

from .. import selectors
from .common import REFUSED, dashboard_view, page_context, require_perm


def _note_url(request: HttpRequest, note: DeliveryNote) -> str:
    return request.build_absolute_uri(reverse("dashboard:note_by_token", args=[note.token]))


@require_http_methods(["GET", "POST"])
@dashboard_view
def job_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's lots: where each share's finished pieces are (reported, collected, handed over), the
    delivery notes by lot with what was sent and what the firm counted, and the forms the reader may use
    now: write the next note (head), send it (head), count it in (firm)."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "view_lots", job)
    can_hand_over = request.user.has_perm("dashboard.hand_over", job)
    can_receive = request.user.has_perm("dashboard.receive_lot", job)
    error = ""
    typed = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        # The wrong role's POST is a 403 before anything is read or written.
        require_perm(request, "receive_lot" if action == "receive" else "hand_over", job)
        try:
            done = _post(request, job, action)
        except REFUSED as exc:
            error = refused_text(exc)
            if action == "receive":
                # The count form comes back with what the clerk typed, not the figures sent (a trial's
                # 3 bundles came back as the 2 sent, and were counted so once she ticked 确认多收).
                typed = {
                    k: request.POST.get(k, "")
                    for k in ("note", "pieces_counted", "bundles_counted", "remark")
                }
        else:
            messages.success(request, done)
            return redirect("dashboard:job_notes", pk=job.pk)
    notes = lots.job_notes(job)
    goods = lots.job_goods(job) if not request.scope.is_firm else []
    accounts = material_reads.job_accounts(job) if can_hand_over and job.state == JobState.COMPLETED else []
    context = page_context(
        request,
        job=job,
        notes=notes,
        goods=goods,
        away=sum(g.uncollected for _a, g in goods),
        returnable=[acc for acc in accounts if acc.in_store > 0],
        can_prepare=can_hand_over and job.state == JobState.COMPLETED,
        can_hand_over=can_hand_over,
        can_receive=can_receive,
        error=error,
        typed=typed,
        sent=NoteState.SENT,
        prepared=NoteState.PREPARED,
    )
    return render(request, "dashboard/job_notes.html", context, status=400 if error else 200)


def _post(request: HttpRequest, job, action: str) -> str:
    """Do ``action`` (prepare, send, receive) for a user whose permission the view has checked."""
    if action == "prepare":
        returned = {
            int(k.removeprefix("return_")): v
            for k, v in request.POST.items()
            if k.startswith("return_") and k.removeprefix("return_").isdigit() and v.strip()
        }
        note = logistics.note_prepare(
            actor=request.user, job=job, returned=returned, partial=request.POST.get("partial") == "on"
        )
        return _("已开第 %(l)d 批送货单:%(n)d 件。") % {"l": note.lot, "n": note.pieces_sent}
    note = get_object_or_404(DeliveryNote, job=job, pk=_int(request.POST.get("note")))
    if action == "send":
        logistics.note_send(actor=request.user, note=note)
        return _("第 %(l)d 批已送出,等企业点收。") % {"l": note.lot}
    if action == "receive":
        note = logistics.note_receive(
            actor=request.user,
            note=note,
            pieces_counted=request.POST.get("pieces_counted", ""),
            bundles_counted=request.POST.get("bundles_counted", "") or None,
            remark=request.POST.get("remark", ""),
            confirm_over=request.POST.get("confirm_over") == "on",
            confirm_short=request.POST.get("confirm_short") == "on",
        )
        done = _("已点收第 %(l)d 批:%(c)d 件,可以验收了。") % {"l": note.lot, "c": note.pieces_counted}
        if note.difference:
            # "少 2 件" or "多 2 件", not "差 -2 件" (a double negative, found in a trial).
            words = (
                _("比送出的 %(s)d 件少 %(d)d 件,已记下,双方都看得到。")
                if note.difference < 0
                else _("比送出的 %(s)d 件多 %(d)d 件,已记下,双方都看得到。")
            )
            done += " " + words % {"s": note.pieces_sent, "d": abs(note.difference)}
        return done
    raise Http404(_("没有这个操作。"))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(_("没有这张送货单。")) from None


@require_GET
@dashboard_view
def note_print(request: HttpRequest, pk: int, note: int) -> HttpResponse:
    """The delivery note to print (A4): the lot's shares by worker number, pieces and bundles, materials
    returned, signatures, and a QR that opens the note for the firm's clerk to count it in."""
    job = selectors.job_get(request.scope, pk)
    require_perm(request, "view_lots", job)
    found = lots.job_notes(job, pk=note)
    if not found:
        raise Http404(_("没有这张送货单。"))
    note = found[0]
    url = _note_url(request, note)
    context = page_context(request, job=job, note=note, url=url, qr=qr_svg(url))
    return render(request, "dashboard/note_print.html", context)


@require_GET
@dashboard_view
def note_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """Where the printed note's QR leads: the note's job page, for someone who sees the job; else 404."""
    note = DeliveryNote.objects.filter(token=token).only("job_id").first()
    if note is None:
        raise Http404(_("没有这张送货单。"))
    job = selectors.job_get(request.scope, note.job_id)
    return redirect(f"{reverse('dashboard:job_notes', args=[job.pk])}#note-{note.pk}")
