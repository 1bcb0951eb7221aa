"""A courier's one tap per stop (到户打勾): delivered, collected (with counts and bundle tickets), handed
over, nobody home, or refused.

Each check-off carries a key made on the phone when she tapped: a check-off kept on the phone while offline
and sent again when the network is back (or twice) counts once. Counts go straight into the materials
ledger (a kit: courier → worker; leftovers picked up: worker → courier) and into ``Collection`` rows (the
finished pieces); a collection short of what was reported is flagged to the head. Locks the stop's run,
the stop, then the shares (assignments) it collects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from dispatch.models import Assignment, IllegalTransition
from dispatch.services import hand_over, lock_job
from materials.models import BomLine, MovementKind
from materials.services import courier_move
from notices.models import NotificationKind
from notices.services import notify
from tickets.models import BundleTicket, TicketState
from tickets.selectors import with_shown_state
from workshop.roles import scope_for

from ..models import DONE_STATE, Collection, NoteState, Run, RunState, Stop, StopKind, StopState
from ..selectors import kits, note_shares
from .common import check_courier_of, move
from .runs import run_start

DONE, NOBODY_HOME, REFUSED = "done", "nobody_home", "refused"
OUTCOMES = (DONE, NOBODY_HOME, REFUSED)
MAX_KEY = 64


@dataclass(frozen=True)
class CheckOff:
    """What the courier tapped at a stop: ``outcome`` (done, nobody_home, refused); for a collection, the
    pieces she counted per share (``counts``: assignment id → int ≥ 0; a share not named: its tickets'
    pieces, else what was expected) and the bundle tickets she scanned (``tickets``: tokens); material
    handed back (``returned``: BOM line id → quantity); ``reason`` (words, needed for a refusal)."""

    outcome: str
    counts: Mapping[int, int] | None = None
    tickets: Sequence[str] = ()
    returned: Mapping[int, Decimal | str] | None = None
    reason: str = ""


@transaction.atomic
def stop_check(*, actor, stop: Stop | int, check: CheckOff, key: str) -> tuple[Stop, bool]:
    """Check off one stop of the courier's run today. Returns (stop, True) when this call did it, (stop,
    False) when ``key`` did it before (a check-off sent twice counts once: nothing more is written).

    A stop not on her run today is refused (PermissionDenied) and nothing is written; so is a stop already
    checked off under another key (ValidationError), counts above what was to be collected, a ticket not of
    the stop's shares or collected already, a refusal without a reason. A run still planned is started first
    (its kits are loaded). Raises PermissionDenied, ValidationError."""
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationError(_("提交有误,请刷新页面再点一次。"))
    if check.outcome not in OUTCOMES:
        raise ValidationError(_("请选择送到、收回、没人在家或拒收。"))
    stop_id = stop.pk if isinstance(stop, Stop) else stop
    # The stop's run, found through the stop and locked in one statement (its id was a read of its own).
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("courier")
        .filter(stops__pk=stop_id)
        .first()
    )
    if run is None:
        raise ValidationError(_("找不到这一站。"))
    stop = Stop.objects.select_for_update().get(pk=stop_id)
    mine = scope_for(actor).courier
    if stop.key == key and mine is not None and run.courier_id == mine.pk:
        # Sent again (kept on the phone offline, perhaps past midnight): it was recorded the first time.
        return stop, False
    check_courier_of(actor, run)
    if stop.seq is None:
        raise ValidationError(_("这一站没有排进今天的路线。"))
    if stop.state != StopState.PENDING:
        raise ValidationError(
            _("这一站已经是“%(s)s”了,不能再改;有出入请告诉坊长。") % {"s": stop.get_state_display()}
        )
    if run.state == RunState.PLANNED:
        run = run_start(actor=actor, run=run)
    if run.state != RunState.UNDER_WAY:
        raise ValidationError(_("这趟已经结束了。"))
    lines = list(stop.lines.select_related("assignment", "assignment__worker", "assignment__job", "note"))
    reason = (check.reason or "").strip()[:200]
    if check.outcome == DONE:
        if stop.kind == StopKind.DELIVER:
            _deliver(run, stop, lines, actor)
        elif stop.kind == StopKind.COLLECT:
            _collect(run, stop, lines, actor, check)
        else:
            _hand_over(stop, lines, actor)
        target = DONE_STATE[stop.kind]
    else:
        if check.outcome == REFUSED and not reason:
            raise ValidationError(_("请说一下为什么拒收。"))
        target = StopState.NOBODY_HOME if check.outcome == NOBODY_HOME else StopState.REFUSED
    try:
        # No savepoint: the IntegrityError is turned into an error that rolls the whole check-off back.
        with transaction.atomic(savepoint=False):
            move(stop, target, key=key, done_at=timezone.now(), done_by=actor, courier_note=reason)
    except IntegrityError:
        raise ValidationError(_("这次提交和另一站重复了,请刷新页面。")) from None
    if target in (StopState.NOBODY_HOME, StopState.REFUSED):
        _tell_head(run, stop, reason)
    return stop, True


def _deliver(run: Run, stop: Stop, lines, actor) -> None:
    """Each share's kit from the courier's vehicle to the worker (courier → worker)."""
    for sl, bom, q in kits(lines):
        courier_move(
            kind=MovementKind.DELIVER,
            line=bom,
            courier=run.courier,
            worker=stop.worker,
            quantity_moved=q,
            actor=actor,
            assignment=sl.assignment,
            key=f"deliver:{sl.pk}:{bom.pk}",
            reason=gettext_noop("送料上门"),
        )


def _collect(run: Run, stop: Stop, lines, actor, check: CheckOff) -> None:
    """The finished pieces of each share, counted at the door, and the tickets scanned; what the worker
    hands back of her material. Refuses counts above what is still at her home."""
    shares = {sl.assignment_id for sl in lines}
    counts = {int(k): v for k, v in (check.counts or {}).items()}
    if set(counts) - set(shares):
        raise ValidationError(_("有一项不是这一站要收的。"))
    locked = {
        a.pk: a for a in Assignment.objects.select_for_update().filter(pk__in=sorted(shares)).order_by("pk")
    }
    done = dict(
        Collection.objects.filter(assignment_id__in=shares)
        .values_list("assignment_id")
        .annotate(n=Sum("pieces"))
        .values_list("assignment_id", "n")
    )
    tickets = _tickets(check.tickets, shares)
    by_share: dict[int, list[BundleTicket]] = {}
    for t in tickets:
        by_share.setdefault(t.assignment_id, []).append(t)
    if not any(counts.values()) and not tickets and all(a_id in counts for a_id in shares):
        raise ValidationError(_("一件都没收到?请点“没人在家”或“拒收”。"))
    collected: list[Collection] = []
    for a_id in sorted(shares):
        a = locked[a_id]
        left = a.pieces_reported - done.get(a_id, 0)
        scanned = by_share.get(a_id, [])
        scanned_pieces = sum(t.pieces for t in scanned)
        n = counts.get(a_id, scanned_pieces if scanned else left)
        try:
            n = int(n)
        except (TypeError, ValueError):
            raise ValidationError(_("件数要填整数。")) from None
        if n < 0 or n > left:
            raise ValidationError(
                ngettext(
                    "%(w)s 还有 %(n)d 件没收,不能收 %(c)d 件。",
                    "%(w)s 还有 %(n)d 件没收,不能收 %(c)d 件。",
                    left,
                )
                % {"w": a.worker.name, "n": left, "c": n}
            )
        if scanned_pieces > n:
            raise ValidationError(
                _("扫了 %(s)d 件的扎票,却只数了 %(c)d 件,请再数一下。") % {"s": scanned_pieces, "c": n}
            )
        rest = n
        for t in scanned:
            collected.append(Collection(stop=stop, assignment=a, ticket=t, pieces=t.pieces, by=actor))
            rest -= t.pieces
        if rest > 0:
            collected.append(Collection(stop=stop, assignment=a, ticket=None, pieces=rest, by=actor))
        if n < left and run.workshop.head_id is not None:
            notify(
                recipient=run.workshop.head,
                kind=NotificationKind.COLLECTION_SHORT,
                params={"w": a.worker.name, "t": a.job.title, "r": left, "c": n},
                link=f"/dashboard/runs/{run.day:%Y-%m-%d}/",
                dedupe_key=f"collect-short:{stop.pk}:{a_id}",
            )
    _collected(collected)
    for line_id, q in (check.returned or {}).items():
        line = BomLine.objects.filter(pk=line_id, job_id__in={sl.assignment.job_id for sl in lines}).first()
        if line is None:
            raise ValidationError(_("有一项物料不是这一站的。"))
        if str(q).strip() in ("", "0"):
            continue
        courier_move(
            kind=MovementKind.PICK_UP,
            line=line,
            courier=run.courier,
            worker=stop.worker,
            quantity_moved=q,
            actor=actor,
            key=f"pickup:{stop.pk}:{line.pk}",
            reason=gettext_noop("上门收回余料"),
        )


def _tickets(tokens: Sequence[str], shares) -> list[BundleTicket]:
    tokens = sorted({(t or "").strip() for t in tokens if (t or "").strip()})
    if not tokens:
        return []
    found = list(with_shown_state(BundleTicket.objects.filter(token__in=tokens).select_related("collection")))
    if len(found) != len(tokens):
        raise ValidationError(_("有一张扎票认不出来,请再扫一次。"))
    for t in found:
        if t.assignment_id not in shares:
            raise ValidationError(_("扎票 %(r)d-%(n)d 不是这一站的。") % {"r": t.run, "n": t.number})
        if t.shown_state != TicketState.REPORTED:  # reported by scanning, or covered by the form's reports
            raise ValidationError(_("扎票 %(r)d-%(n)d 还没有报工。") % {"r": t.run, "n": t.number})
        if hasattr(t, "collection"):
            raise ValidationError(_("扎票 %(r)d-%(n)d 已经收过了。") % {"r": t.run, "n": t.number})
    return found


def _collected(rows: list[Collection]) -> None:
    """Write a stop's collections in one INSERT. No savepoint: a bundle another courier's confirmation
    collected first (the ticket is unique) turns into an error that rolls the whole check-off back, so
    it counts once."""
    try:
        with transaction.atomic(savepoint=False):
            Collection.objects.bulk_create(rows)
    except IntegrityError:
        raise ValidationError(_("这一扎刚刚已经有人收过了,请刷新页面。")) from None


def _hand_over(stop: Stop, lines, actor) -> None:
    """Each lot's delivery note is sent (已送出) and its job handed over (已交货): the firm counts it next.

    The note is moved first, by its compare-and-swap (prepared → sent), which locks its row as the lock
    read before it did (the note, then the job: the lock order); a note sent already (by the head, or
    another check-off that got there first) is left as it is. Then the job is locked and handed over in
    this transaction (no savepoint of its own)."""
    for sl in lines:
        note = sl.note
        try:
            move(note, NoteState.SENT, sent_by=actor, sent_at=timezone.now())
        except IllegalTransition:
            continue
        hand_over(
            lock_job(note.job_id), actor=actor, note=gettext_noop("配送员交到企业"), shares=note_shares(note)
        )


def _tell_head(run: Run, stop: Stop, reason: str) -> None:
    head = run.workshop.head
    if head is None:
        return
    who = stop.worker.name if stop.worker_id else stop.firm.name
    notify(
        recipient=head,
        kind=NotificationKind.STOP_MISSED,
        params={"w": who, "d": run.day.isoformat(), "why": reason},
        link=f"/dashboard/runs/{run.day:%Y-%m-%d}/",
        dedupe_key=f"stop-missed:{stop.pk}",
    )
