"""The dashboard's writes: each is one transaction made of ``dispatch.services`` steps, nothing more.

- ``dispatch_shares``: the head's edited split, offered in one transaction (and the job accepted first
  when it is still issued): every share is offered, or none is; a share the head left as planned keeps
  the planner's reasons (``share_reasons``).
- ``worker_stop``: a worker stopped (停用) and her unanswered offers closed, their pieces offered to others.
- ``inspect_lot``: a verdict on a whole delivered lot (per lot, 按批验收) split over the assignments in
  proportion to their pieces (``split_proportionally``), then recorded by ``dispatch.services.job_inspect``.

Errors are the services' own: ``ValidationError`` (bad input, in Chinese), ``IllegalTransition``,
``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dispatch import planning
from dispatch import services as flow
from dispatch.models import Assignment, AssignmentState, Inspection, Job, JobState
from dispatch.services import check_head
from dispatch.services.inspections import LOT_NOTE
from tickets import services as tickets
from workshop import services as workshop_services
from workshop.models import Worker


def split_proportionally(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` pieces (int ≥ 0) over ``weights`` (ints ≥ 0, sum ≥ total) in proportion, as whole
    pieces that sum to ``total`` exactly, never above a weight (largest remainder method).

    Each part starts at ⌊total·w/W⌋; the pieces left over go one each to the largest remainders, ties to
    the larger weight, then to the earlier position, so the split is deterministic.
    ``split_proportionally(5, [100, 100, 50]) == [2, 2, 1]``.
    """
    whole = sum(weights)
    if total < 0 or any(w < 0 for w in weights) or total > whole:
        raise ValueError("total must be between 0 and the sum of the weights")
    if total == 0:
        return [0] * len(weights)
    parts = [total * w // whole for w in weights]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-((total * weights[i]) % whole), -weights[i], i))
    for i in order:
        if left == 0:
            break
        if parts[i] < weights[i]:
            parts[i] += 1
            left -= 1
    return parts


# A share's reasons when the head changed the plan: stored as msgids, joined with the planner's own words.
HEAD_SHARE = gettext_noop("坊长派工")
HEAD_CHANGED = gettext_noop("坊长调整件数")
REASONS_SEPARATOR = " · "  # as ``dispatch.templatetags.stored_words`` splits them


def share_reasons(planned: Sequence[planning.Share], wanted: Mapping[int, int]) -> dict[int, str]:
    """The reasons each share of the head's split carries (worker id → words as stored msgids).

    ``planned`` is the planner's split of the same pieces (``planning.plan_shares``), ``wanted`` the
    head's (worker id → pieces). A share the head left at its planned pieces keeps the planner's reasons
    as they are; one whose pieces she changed says so before the planner's reasons (坊长调整件数 · …); a
    worker the planner did not pick gets 坊长派工. So editing 3 of 11 shares leaves the other 8 explained.
    """
    by_worker = {s.worker_id: s for s in planned}
    reasons = {}
    for wid, pieces in wanted.items():
        share = by_worker.get(wid)
        if share is None:
            reasons[wid] = HEAD_SHARE
        elif share.pieces == pieces:
            reasons[wid] = share.reasons or HEAD_SHARE
        else:
            reasons[wid] = REASONS_SEPARATOR.join(r for r in (HEAD_CHANGED, share.reasons) if r)
    return reasons


@transaction.atomic
def dispatch_shares(*, actor, job: Job, shares: Mapping[int, int], note: str = "") -> list[Assignment]:
    """Offer the head's split of ``job``: ``shares`` maps worker id → pieces (ints; zeros are skipped).

    An issued job is accepted first (``job_accept``: the pieces left unassigned are planned by the system
    after commit, as for a plain accept). All offers are made in one transaction with
    ``dispatch.services.offer_many``, which bounds the job's assigned pieces by its quantity, so a
    concurrent planner can never over-assign: if it won some pieces first, the whole split is refused.
    Each share's reasons come from ``share_reasons`` against the plan the page showed (planned again
    here, before the job is accepted, from the same facts). Raises ValidationError (no pieces, a worker
    not of the workshop, more than the unassigned pieces), IllegalTransition, PermissionDenied.
    """
    wanted = {int(wid): int(n) for wid, n in shares.items() if int(n) != 0}
    if any(n < 0 for n in wanted.values()):
        raise ValidationError(_("件数不能为负数。"))
    if not wanted:
        raise ValidationError(_("请至少给一位坊工派件。"))
    check_head(actor, job)
    reasons = share_reasons(planning.plan_shares(job, today=timezone.localdate()), wanted)
    if job.state == JobState.ISSUED:
        job = flow.job_accept(actor=actor, job=job, note=note or gettext_noop("坊长接单并派工"))
    job.refresh_from_db(fields=["pieces_assigned", "state"])
    if sum(wanted.values()) > job.pieces_unassigned:
        raise ValidationError(
            _("派工合计 %(s)d 件,超过未派的 %(n)d 件。")
            % {"s": sum(wanted.values()), "n": job.pieces_unassigned}
        )
    workers = {
        w.pk: w for w in Worker.objects.filter(pk__in=wanted, workshop_id=job.workshop_id, active=True)
    }
    if set(workers) != set(wanted):
        raise ValidationError(_("有坊工不属于此工坊或已停用。"))
    # One plan of the job's shares (``offer_jobs``): one bounded update of the job, one read of the
    # workers' open offers, the offers, events and messages together; not a lock and a read per worker.
    return flow.offer_many(
        flow.lock_job(job), [(workers[wid], n, reasons[wid]) for wid, n in wanted.items()], actor=actor
    )


def lot_results(
    *, pending: Sequence[Assignment], rejected: int, rework: int, reason: str = ""
) -> list[flow.ResultInput]:
    """Split a lot verdict over the lot's ``pending`` assignments (each with uninspected pieces).

    The lot is every uninspected piece; ``rejected`` of them failed (int, 0..lot) and ``rework`` of the
    rejected go back (int, 0..rejected). Rejected pieces are split over the assignments in proportion to
    their uninspected pieces, then rework over the rejected parts, both by ``split_proportionally``;
    passed = uninspected − rejected per assignment. Raises ValidationError for numbers out of range.
    """
    sizes = [a.pieces_to_inspect for a in pending]
    lot = sum(sizes)
    if not (0 <= rejected <= lot) or not (0 <= rework <= rejected):
        raise ValidationError(_("整批 %(n)d 件:不合格应在 0 到 %(n)d 之间,返工不能多于不合格。") % {"n": lot})
    rejected_parts = split_proportionally(rejected, sizes)
    rework_parts = split_proportionally(rework, rejected_parts)
    return [
        flow.ResultInput(
            assignment_id=a.pk,
            passed=size - rj,
            rejected=rj,
            rework=rw,
            reason=reason if rj else "",
        )
        for a, size, rj, rw in zip(pending, sizes, rejected_parts, rework_parts, strict=True)
    ]


@transaction.atomic
def inspect_lot(
    *, actor, job: Job, rejected: int, rework: int, reason: str = "", notes: str = ""
) -> Inspection:
    """Record a per-lot inspection (按批验收) of ``job``: see ``lot_results``; then ``job_inspect``.

    The assignments are read under the job's row lock (taken by ``job_inspect``'s own lock first here),
    so the split covers exactly the pieces the inspection records.
    """
    locked = Job.objects.select_for_update(of=("self",)).get(pk=job.pk)
    pending = [
        a
        for a in Assignment.objects.select_related("worker").filter(job=locked, state=AssignmentState.DONE)
        if a.pieces_to_inspect > 0
    ]
    if not pending:
        raise ValidationError(_("没有待验收的件数。"))
    results = lot_results(pending=pending, rejected=rejected, rework=rework, reason=reason)
    # Stored in Chinese, its figures filled in, and shown in each reader's language (``stored_words``); the
    # clerk's own words follow as typed.
    lot_note = LOT_NOTE % {"n": sum(a.pieces_to_inspect for a in pending), "r": rejected, "w": rework}
    notes = " ".join((notes or "").split())
    return flow.job_inspect(actor=actor, job=job, results=results, notes=notes, lot_note=lot_note)


@transaction.atomic
def share_take_back(*, actor, assignment: Assignment, rest: int, reason: str) -> Assignment:
    """The head takes back what a worker has not made of her share (``dispatch.services.share_take_back``)
    and, in the same transaction, the share's bundle tickets for those pieces are voided
    (``tickets.services.tickets_void_to_do``): a printed ticket of a taken-back bundle says it is void
    when scanned, not "already reported". Raises what the flow's service raises; nothing is written then.
    """
    flow.lock_assignment(assignment)
    tickets.tickets_void_to_do(assignment)
    return flow.share_take_back(actor=actor, assignment=assignment, rest=rest, reason=reason)


@transaction.atomic
def rework_pass_on(*, actor, assignment: Assignment, worker: int, rest: int, reason: str) -> Assignment:
    """The head hands what a worker has not reworked of her rework share to another worker
    (``dispatch.services.rework_pass_on``) and, in the same transaction, the share's bundle tickets for
    those pieces are voided, as for a take-back. Returns the new share. Raises what the flow's service
    raises; nothing is written then."""
    flow.lock_assignment(assignment)
    tickets.tickets_void_to_do(assignment)
    return flow.rework_pass_on(actor=actor, assignment=assignment, worker=worker, rest=rest, reason=reason)


@transaction.atomic
def worker_stop(*, actor, worker: Worker, reason: str = "") -> list[Assignment]:
    """Stop a worker (``workshop.services.worker_deactivate``: no sign-in, no new work) and close her
    unanswered offers in the same transaction (``dispatch.services.offers_withdraw_stopped``), so their
    pieces go to others now rather than when the offers time out. Returns the closed offers. Raises the
    services' ValidationError (already stopped) and PermissionDenied; nothing is written on either."""
    workshop_services.worker_deactivate(actor=actor, worker=worker, reason=reason)
    return flow.offers_withdraw_stopped(worker=worker, actor=actor)
