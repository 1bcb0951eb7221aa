"""Delivery notes (送货单): the head writes one per lot of a finished job, a courier (or the head) takes it to
the firm, and the firm's clerk counts what arrived. Only the firm's count sends the lot to inspection.

A lot is every finished piece at the workshop and not yet handed over: a home share's pieces once a courier
collected them, any other share's once reported. Pieces still at a worker's home are named on the note
(``pieces_expected`` − ``pieces_sent``). What the firm counts is kept beside what was sent; a difference is
shown to both sides and never edited away. Locks the note, then the job (through ``dispatch.services``).
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dispatch.models import IllegalTransition, Job, JobState
from dispatch.services import check_firm_staff, job_hand_over, lock_job, receive
from materials.models import BomLine
from materials.services import material_return_to_firm
from notices.models import NotificationKind
from notices.services import notify
from tickets.models import BundleTicket, TicketState
from tickets.selectors import with_shown_state

from ..models import DeliveryNote, DeliveryNoteLine, DeliveryNoteMaterial, NoteState
from ..selectors import job_goods, note_shares
from .common import check_manager, move

MAX_COUNT_FACTOR = 10
# A count this far below what was sent (more than 1 in 100 of it, and more than SHORT_FREE pieces), or a
# count of 0, is taken only with ``confirm_short``: a count cannot be undone, and a trial's "0" (a slip of
# the thumb) marked a whole lot of 2,570 pieces short, and every worker in it unpaid.
SHORT_FREE = 5
# A later trial: 222 short of 2,220 (a tenth, the first bound) was taken without a word, about ¥166 of
# workers' wages; a real count is off by a few pieces, not by hundreds.
SHORT_SHARE = 100


@transaction.atomic
def note_prepare(
    *,
    actor,
    job: Job | int,
    returned: Mapping[int, Decimal | str] | None = None,
    partial: bool = False,
) -> DeliveryNote:
    """Write the delivery note of ``job``'s next lot: every share's pieces at the workshop not yet handed
    over, its bundles (reported tickets), and leftover material returned to the firm with it (``returned``:
    BOM line id → quantity, store → firm in the ledger). The job must be ready to hand over (completed);
    one note at a time is open. While pieces are still at a worker's home the note is refused, naming her,
    unless ``partial`` says the head sends what is here now: the firm inspects only the pieces handed
    over, and the rest go as a later lot once collected. ``actor``: the head or a community admin.

    Locks the job. Raises PermissionDenied, ValidationError (nothing at the workshop yet, a note still
    open, the job not finished), IllegalTransition."""
    job = lock_job(job)
    check_manager(actor, job.workshop_id)
    if job.state != JobState.COMPLETED:
        raise ValidationError(
            _("外发单现在是“%(s)s”,全部报工(待交货)后才能开送货单。") % {"s": job.get_state_display()}
        )
    # One read for both: a note still open, and the last lot's number (the next note's is one more).
    notes = DeliveryNote.objects.filter(job=job).aggregate(
        open=Count("pk", filter=~Q(state=NoteState.RECEIVED)), last=Max("lot")
    )
    if notes["open"]:
        raise ValidationError(_("这张单还有一张送货单没有点收,请等企业点收后再开下一张。"))
    rows = [(a, g) for a, g in job_goods(job) if g.at_workshop > 0 or g.expected > 0]
    sent = sum(g.at_workshop for _a, g in rows)
    if sent == 0:
        away = sorted({a.worker.name for a, g in rows if g.uncollected})
        raise ValidationError(
            _("还没有收回的货,不能开送货单。还在坊工家里:%(w)s") % {"w": "、".join(away) or "—"}
        )
    away = sorted({a.worker.name for a, g in rows if g.uncollected})
    if away and not partial:
        raise ValidationError(
            _("还有件在坊工家里没收回:%(w)s。等配送员收回再开单;要先送在工坊的,勾选“先送在工坊的”再开。")
            % {"w": "、".join(away)}
        )
    bundles = _bundles_by_share(job)
    lines = []
    for a, g in rows:
        if g.at_workshop <= 0:
            continue
        by_size = math.ceil(g.at_workshop / max(job.bundle_size, 1))
        # Bundles by their tickets where they were printed, else by the job's bundle size.
        b = min(bundles[a.pk], by_size) if a.pk in bundles else by_size
        lines.append(DeliveryNoteLine(assignment=a, pieces=g.at_workshop, bundles=b))
    # The lines are counted before the note is written, so it is written whole (an UPDATE of its
    # bundles followed the INSERT before).
    note = DeliveryNote.objects.create(
        job=job,
        lot=(notes["last"] or 0) + 1,
        token=secrets.token_urlsafe(16)[:22],
        pieces_sent=sent,
        bundles_sent=sum(x.bundles for x in lines),
        pieces_expected=sum(g.expected for _a, g in rows),
        prepared_by=actor,
    )
    for x in lines:
        x.note = note
    DeliveryNoteLine.objects.bulk_create(lines)
    for line_id, q in (returned or {}).items():
        if str(q).strip() in ("", "0"):
            continue
        line = BomLine.objects.filter(pk=line_id, job=job).first()
        if line is None:
            raise ValidationError(_("有一项物料不是这张单的。"))
        moved = material_return_to_firm(
            line=line,
            quantity_returned=q,
            actor=actor,
            note=gettext_noop("随送货单退回"),
            key=f"note:{note.pk}:{line.pk}",
        )
        DeliveryNoteMaterial.objects.create(note=note, line=line, quantity=moved.quantity)
    return note


def _bundles_by_share(job: Job) -> dict[int, int]:
    """Bundle tickets shown reported (``tickets.selectors.with_shown_state``: scanned, or covered by the
    reports made with the phone's form) per share, not yet on an earlier note (the first ones count first)."""
    reported: dict[int, int] = {}
    shown = with_shown_state(BundleTicket.objects.filter(job=job)).filter(shown_state=TicketState.REPORTED)
    for a_id in shown.values_list("assignment_id", flat=True):
        reported[a_id] = reported.get(a_id, 0) + 1
    for a_id, b in DeliveryNoteLine.objects.filter(note__job=job).values_list("assignment_id", "bundles"):
        reported[a_id] = max(reported.get(a_id, 0) - b, 0)
    return reported


@transaction.atomic
def note_send(*, actor, note: DeliveryNote | int) -> DeliveryNote:
    """The lot leaves for the firm without a courier's run (the head takes it, or the firm fetches it):
    prepared → sent, and the job is handed over. ``actor``: the head or a community admin. Raises
    PermissionDenied, IllegalTransition (sent already)."""
    note = DeliveryNote.objects.select_for_update().get(
        pk=note.pk if isinstance(note, DeliveryNote) else note
    )
    job = Job.objects.only("workshop_id").get(pk=note.job_id)
    check_manager(actor, job.workshop_id)
    move(note, NoteState.SENT, sent_by=actor, sent_at=timezone.now())
    job_hand_over(job=note.job_id, actor=actor, note=gettext_noop("坊长送货"), shares=note_shares(note))
    return note


@transaction.atomic
def note_receive(
    *,
    actor,
    note: DeliveryNote | int,
    pieces_counted,
    bundles_counted=None,
    remark: str = "",
    confirm_over: bool = False,
    confirm_short: bool = False,
) -> DeliveryNote:
    """The firm's clerk counts what arrived (点收): sent → received, and the job goes to inspection. The
    count is kept beside what was sent; a difference is recorded, shown to both sides, and the head is told.
    ``pieces_counted``: int 0..10 × sent; more than were sent only with ``confirm_over`` (a typo is likelier
    than a gift: 300 typed for 250 is refused in words until the clerk says the count is right); 0, or
    short by more than 1 in 100 of what was sent (and more than ``SHORT_FREE``), only with
    ``confirm_short``; a minus sign ("-0") is refused.
    ``bundles_counted``: int ≥ 0 or None; more than ``bundles_sent`` (when the note says how many) only
    with ``confirm_over`` too. ``actor``: the firm's staff.

    Locks the note, then the job (read once, with its line and its workshop's head, in the lock's
    statement). Raises PermissionDenied (not the job's firm), ValidationError (a bad count; counted
    already; not sent yet)."""
    note = DeliveryNote.objects.select_for_update().get(
        pk=note.pk if isinstance(note, DeliveryNote) else note
    )
    job = lock_job(note.job_id, related=("line", "workshop__head"))
    check_firm_staff(actor, job)
    if note.state == NoteState.RECEIVED:
        raise ValidationError(_("这张送货单已经点收过了(%(n)d 件)。") % {"n": note.pieces_counted})
    if note.state != NoteState.SENT:
        raise ValidationError(_("这批货还没有送出,请等工坊送到后再点收。"))
    counted = _count(pieces_counted, note.pieces_sent * MAX_COUNT_FACTOR, _("件数"))
    if counted > note.pieces_sent and not confirm_over:
        raise ValidationError(
            {
                "pieces_counted": _(
                    "点收 %(c)d 件比送出的 %(s)d 件还多 %(d)d 件。"
                    "如果确实点清是这么多,请勾选“确认多收”再提交。"
                )
                % {"c": counted, "s": note.pieces_sent, "d": counted - note.pieces_sent}
            }
        )
    short = note.pieces_sent - counted
    far_short = counted == 0 or short > max(SHORT_FREE, note.pieces_sent // SHORT_SHARE)
    if short > 0 and far_short and not confirm_short:
        raise ValidationError(
            {
                "pieces_counted": _(
                    "点收 %(c)d 件比送出的 %(s)d 件少 %(d)d 件,点收后不能改,少的件不算工钱。"
                    "如果确实点清只有这么多,请勾选“确认少收”再提交。"
                )
                % {"c": counted, "s": note.pieces_sent, "d": short}
            }
        )
    bundles = None if bundles_counted in (None, "") else _count(bundles_counted, 100_000, _("扎数"))
    if bundles is not None and note.bundles_sent and bundles > note.bundles_sent and not confirm_over:
        raise ValidationError(
            {
                "bundles_counted": _(
                    "点收 %(c)d 扎比送出的 %(s)d 扎还多 %(d)d 扎。"
                    "如果确实点清是这么多,请勾选“确认多收”再提交。"
                )
                % {"c": bundles, "s": note.bundles_sent, "d": bundles - note.bundles_sent}
            }
        )
    # The clerk's own words, shown to the head: no control or direction-override characters.
    remark = "".join(c for c in (remark or "") if c.isprintable()).strip()[:200]
    move(
        note,
        NoteState.RECEIVED,
        pieces_counted=counted,
        bundles_counted=bundles,
        counted_note=remark,
        received_by=actor,
        received_at=timezone.now(),
    )
    try:
        receive(job, actor=actor, note=remark, pieces_short=max(0, note.pieces_sent - counted))
    except IllegalTransition as e:
        raise ValidationError(str(e)) from None
    if job.workshop.head_id is not None:
        notify(
            recipient=job.workshop.head,
            kind=NotificationKind.LOT_RECEIVED,
            params={"t": job.title, "l": note.lot, "s": note.pieces_sent, "c": counted},
            link=f"/dashboard/jobs/{job.pk}/",
            dedupe_key=f"note-received:{note.pk}",
        )
    return note


def _count(value, top: int, what: str) -> int:
    text = str(value).strip()
    if text.startswith(("-", "－")):  # "-0" is 0 to int(): a count never has a minus sign
        raise ValidationError(_("%(w)s要填 0 或正整数。") % {"w": what})
    try:
        n = int(text)
    except (TypeError, ValueError):
        raise ValidationError(_("%(w)s要填整数。") % {"w": what}) from None
    if n < 0 or n > top:
        raise ValidationError(_("%(w)s不对:%(n)d。") % {"w": what, "n": n})
    return n
