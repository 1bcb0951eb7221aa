"""Material moves that tell someone: the head learns when a worker's loss of a material passes its allowance
(at the end of her share, or when he writes off what she still holds), and when a worker reports a shortage
or a damaged part from her phone.

The ledger (``materials.services``) knows nothing of people's messages, and messages (``notices``) nothing
of materials: the two are independent layers, so what joins them lives here, above both. Each runs in the
caller's transaction or its own; the messages go out after commit.
"""

from __future__ import annotations

from django.db import transaction

from materials import selectors as material_reads
from materials import services as ledger
from materials.models import BomLine, MaterialProblem, Movement, ProblemKind
from materials.quantities import shown
from notices.models import Notification, NotificationKind
from notices.services import notify
from workshop.models import Workshop

from ..models import Assignment, Job
from .common import check_head, check_worker


def _materials_link(job_id: int) -> str:
    return f"/dashboard/jobs/{job_id}/materials/"


def _head_of(job: Job):
    return Workshop.objects.select_related("head").get(pk=job.workshop_id).head


def material_loss_flag(*, job: Job, worker, write_off: Movement | None = None) -> list[Notification]:
    """Tell the head of ``job``'s workshop when ``worker``'s loss of a material (issued − consumed − returned
    − scrapped) passes the line's allowed loss (损耗率).

    Without ``write_off`` (her share just finished): every material, once her work on the job is done
    (``WorkerMaterial.above_allowance``), once per material and worker. With ``write_off`` (a movement to
    lost just written): that material, done or not (``over_allowance``), once per write-off. Runs in the
    caller's transaction; returns the messages made or found (none when the job has no materials, the
    workshop has no head, or she is within the allowance). Five queries when something is flagged, one
    for a job without materials."""
    accounts = material_reads.job_accounts(job)
    flagged = []
    for acc in accounts:
        if write_off is not None and acc.line.pk != write_off.line_id:
            continue
        mine = next((w for w in acc.workers if w.worker_id == worker.pk), None)
        if mine is None or not (mine.over_allowance if write_off is not None else mine.above_allowance):
            continue
        flagged.append((acc.line, mine))
    if not flagged:
        return []
    head = _head_of(job)
    if head is None:
        return []
    notes = []
    for line, mine in flagged:
        rate = mine.loss_rate
        if write_off is not None:
            key = f"material-loss:off:{write_off.pk}"
        else:
            key = f"material-loss:{line.pk}:{worker.pk}"
        notes.append(
            notify(
                recipient=head,
                kind=NotificationKind.MATERIAL_LOSS,
                params={
                    "t": job.title,
                    "w": mine.name,
                    "m": line.material,
                    "q": shown(line, mine.loss),
                    "h": shown(line, mine.holds),
                    "u": line.unit,  # the code: said in the reader's language (``notices.messages.UNITS``)
                    "r": f"{rate}%" if rate is not None else "—",
                    "a": f"{line.loss_pct}%",
                },
                link=_materials_link(job.pk),
                dedupe_key=key,
            )
        )
    return notes


@transaction.atomic
def material_write_off_flagged(
    *, actor, job: Job, line: BomLine, worker, reason: str = "", key: str | None = None
) -> Movement | None:
    """The head writes off what ``worker`` still holds of ``line`` as lost (核销损耗,
    ``materials.services.material_write_off``) and, when that puts her loss above the allowance, gets
    the message that says so (``material_loss_flag``), in one transaction. Raises PermissionDenied unless
    ``actor`` heads the job's workshop; ValidationError from the ledger. Idempotent on ``key``."""
    check_head(actor, job)
    moved = ledger.material_write_off(line=line, worker=worker, actor=actor, reason=reason, key=key)
    if moved is not None:
        material_loss_flag(job=job, worker=worker, write_off=moved)
    return moved


@transaction.atomic
def material_problem_send(
    *,
    actor,
    assignment: Assignment,
    line: BomLine,
    kind: str,
    quantity,
    note: str = "",
    photo=None,
    key: str,
) -> tuple[MaterialProblem, bool]:
    """A worker reports a shortage or a damaged part on her share (``materials.services.
    material_problem_report``: nothing moves in the ledger) and her head gets a message linking to the
    job's materials page, once per report. Raises PermissionDenied unless ``actor`` is the share's worker;
    ValidationError in words. Idempotent on ``key``: (problem, False) for a report already made."""
    check_worker(actor, assignment)
    problem, created = ledger.material_problem_report(
        assignment=assignment,
        line=line,
        kind=kind,
        quantity_reported=quantity,
        note=note,
        photo=photo,
        key=key,
    )
    if created:
        job = assignment.job
        head = _head_of(job)
        if head is not None:
            notify(
                recipient=head,
                kind=(
                    NotificationKind.MATERIAL_SHORT
                    if kind == ProblemKind.SHORT
                    else NotificationKind.MATERIAL_DAMAGED
                ),
                params={
                    "t": job.title,
                    "w": assignment.worker.name,
                    "m": line.material,
                    "q": shown(line, problem.quantity),
                    "u": line.unit,  # the code: said in the reader's language (``notices.messages.UNITS``)
                    "why": problem.note,
                },
                link=_materials_link(job.pk),
                dedupe_key=f"material-problem:{problem.pk}",
            )
    return problem, created
