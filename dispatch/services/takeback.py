"""What the head does with the rest of a share its worker will not make (she was stopped, fell ill, went
away): a first-round share's rest goes back to the job to be offered again (收回剩余, ``share_take_back``);
a rework share's rest goes to another worker of the workshop, as rework (转给别人返工, ``rework_pass_on``).
Either way the share is cut to what she reported (done) or withdrawn when she reported nothing, its
``pieces_taken_back`` counting what left her, and she is told why in her own language.

Each service runs in ``transaction.atomic`` and locks the job row, then the share (``lock_assignment``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy

from notices.models import NotificationKind
from notices.services import notify, notify_many
from pay import rollups
from workshop.models import Worker, WorkPlace
from workshop.roles import scope_for

from ..models import (
    DISPATCHING_STATES,
    Assignment,
    AssignmentKind,
    AssignmentState,
    DeliveryMode,
    Job,
)
from .assignments import release
from .common import event, lock_assignment, move

# What each of the two says when the share is not one it handles: (the other kind, not open, stale rest).
_TAKE_BACK_WORDS = (
    gettext_lazy("返工的派工不能收回,请用“转给别人返工”交给别的坊工。"),
    gettext_lazy("只有坊工已接下、还在做的派工可以收回剩余;这份派工现在是“%(s)s”。"),
    gettext_lazy("%(w)s 现在还差 %(n)d 件,和页面上的不一样(可能刚刚又报了工)。请刷新后再收回。"),
)
_PASS_ON_WORDS = (
    gettext_lazy("首轮派工没做的件请用“收回剩余”:件数回到单上,再派给别人。"),
    gettext_lazy("只有坊工已接下、还在做的返工可以转给别人;这份派工现在是“%(s)s”。"),
    ngettext_lazy(
        "%(w)s 现在还差 %(n)d 件返工,和页面上的不一样(可能刚刚又报了工)。请刷新后再转。",
        "%(w)s 现在还差 %(n)d 件返工,和页面上的不一样(可能刚刚又报了工)。请刷新后再转。",
        "n",
    ),
)


def _reason(reason: str, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": missing})
    if len(reason) > 200:
        raise ValidationError({"reason": _("原因最多 200 个字。")})
    return reason


def _check(actor, job: Job, assignment: Assignment, kind: str, rest: int, words: tuple) -> int:
    """Refuse in words what the head may not take from ``assignment`` (locked): an actor who does not
    manage its worker (PermissionDenied), a share not of ``kind``, a job out of production, a share not
    accepted (pressed twice: already cut), a ``rest`` that is not what is left (a report since). Returns
    the pieces left."""
    if not scope_for(actor).manages(assignment.worker):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))
    other_kind, not_open, stale = words
    if assignment.kind != kind:
        raise ValidationError(str(other_kind))
    if job.state not in DISPATCHING_STATES:
        raise ValidationError(_("这张外发单已不在生产中,派工不能收回。"))
    if assignment.state != AssignmentState.ACCEPTED:
        # Pressed twice, or an offer not yet taken (it expires, or the stop closes it): said in words.
        raise ValidationError(not_open % {"s": assignment.get_state_display()})
    left = assignment.pieces_to_do
    if rest != left:
        raise ValidationError(stale % {"w": assignment.worker.name, "n": left})
    return left


# A take-back's flow event says how many pieces that move took back, before the head's reason:
# "收回 70 件 · 坊工停用". Stored in Chinese with the figure filled in, shown in the reader's language and
# counted in English by ``dispatch.templatetags.stored_words`` (whose ngettext makes it a msgid).
TAKE_BACK_NOTE = "收回 %(n)d 件"
# The same for a rework share's rest passed on (the new share's own event says 转给别人返工).
PASS_ON_NOTE = "转出返工 %(n)d 件"


def _cut(
    actor, job: Job, assignment: Assignment, left: int, reason: str, words: str = TAKE_BACK_NOTE
) -> dict:
    """Cut the locked ``assignment`` to what she reported (done) or withdraw it when she reported nothing,
    ``left`` pieces more counted taken back, with the count and the head's ``reason`` on the flow event
    (``words``: ``TAKE_BACK_NOTE``, "收回 70 件 · 坊工停用", or ``PASS_ON_NOTE``). Returns her
    message (``SHARE_TAKEN_BACK``), for the caller to send."""
    made = assignment.pieces_reported
    # A share may be taken back twice (a head's correction reopened it): the count adds up (the share is
    # locked), and each take-back has its own message, keyed by the total so far.
    taken_back = assignment.pieces_taken_back + left
    note = f"{words % {'n': left}} · {reason}"
    if made:
        move(
            assignment,
            AssignmentState.DONE,
            job=job,
            actor=actor,
            note=note,
            pieces=made,
            pieces_taken_back=taken_back,
            done_at=timezone.now(),
        )
        rollups.share_done(assignment)  # with the done_at the move set on it
    else:
        move(
            assignment,
            AssignmentState.WITHDRAWN,
            job=job,
            actor=actor,
            note=note,
            pieces_taken_back=taken_back,
        )
    return {
        "recipient": assignment.worker.user,
        "kind": NotificationKind.SHARE_TAKEN_BACK,
        "params": {"t": job.title, "n": left, "why": reason},
        "link": f"/m/a/{assignment.pk}/",
        "dedupe_key": f"share-taken-back:{assignment.pk}:{assignment.pieces_taken_back}",
    }


@transaction.atomic
def share_take_back(*, actor, assignment: Assignment | int, rest: int, reason: str) -> Assignment:
    """The head (or a community admin over the workshop) takes back the pieces of a first-round share a
    worker accepted and has not made (收回剩余: she was stopped, fell ill, went away), and they go back to
    the job to be offered to others, planned again after commit. ``rest`` (int): the pieces the head saw still
    to make, which must still be so (a report since changes it: refused, so nothing she just made is taken).
    ``reason``: the head's words (required, up to 200 characters), on the flow event and in the worker's
    message (``SHARE_TAKEN_BACK``, in her language, after commit).

    With pieces reported, the share is cut to them and done (its made pieces go on to hand-over,
    inspection and pay as any done share's, and the job completes when it was its last open share); with
    none, it is withdrawn (已收回). ``pieces_taken_back`` keeps the count; the planner does not offer her
    this job again (``planning.refusals``). Materials she holds stay on her account until handed back
    (the job's materials page). Locks the job, then the share. Raises PermissionDenied (neither the
    workshop's head nor a community admin over it), ValidationError in words (a rework share: see
    ``rework_pass_on``; a job no longer in production, a share not accepted or already taken back, a stale
    ``rest``, no reason)."""
    reason = _reason(reason, _("请写明收回的原因,坊工会看到。"))
    job, assignment = lock_assignment(assignment)
    left = _check(actor, job, assignment, AssignmentKind.FIRST, rest, _TAKE_BACK_WORDS)
    told = _cut(actor, job, assignment, left, reason)
    release(job, left)
    notify(**told)
    return assignment


@transaction.atomic
def rework_pass_on(
    *, actor, assignment: Assignment | int, worker: Worker | int, rest: int, reason: str
) -> Assignment:
    """The head (or a community admin over the workshop) hands the pieces of a rework share (返工) its
    worker has not reworked to ``worker``, another active worker of the job's workshop (转给别人返工: she
    was stopped, fell ill, went away). Returns the new rework share, ``worker``'s, accepted.

    The old share is cut as ``share_take_back`` cuts one (done with what she reported, or withdrawn;
    ``pieces_taken_back`` counts the rest; her message ``SHARE_TAKEN_BACK``). The new share holds the rest
    (``rest``, int: what the head saw still to rework, which must still be so), due no sooner than
    tomorrow, with the firm's reason of the old one and ``handed_from`` it: the inspection result allows
    one rework share (``rework_of``), the one its booking made. Like any rework share it is reported,
    handed over, inspected and paid as hers, and it holds none of the job's first-round pieces; the
    replacement parts issued for the old one stay on its worker's account until handed back. ``worker``
    is told in her language (``REWORK_PASSED``), after commit. ``reason``: the head's words (required, up
    to 200 characters), on both flow events and in the old worker's message.

    Locks the job, then the share. Raises PermissionDenied (neither the workshop's head nor a community
    admin over it), ValidationError in words (a first-round share, a job no longer in production, a share
    not accepted or already passed on, a stale ``rest``, no reason, ``worker`` not an active worker of
    the workshop or the share's own)."""
    reason = _reason(reason, _("请写明转交的原因,坊工会看到。"))
    job, assignment = lock_assignment(assignment)
    left = _check(actor, job, assignment, AssignmentKind.REWORK, rest, _PASS_ON_WORDS)
    worker_id = worker.pk if isinstance(worker, Worker) else worker
    taker = Worker.objects.select_related("user").filter(pk=worker_id, workshop_id=job.workshop_id).first()
    if taker is None:
        # Another workshop's worker (or none): not named, only refused.
        raise ValidationError({"worker": _("只能转给本工坊在岗的坊工。")})
    if not taker.active:
        words = _("%(w)s 已停用,不能接返工。请选一位在岗的坊工。")
        raise ValidationError({"worker": words % {"w": taker.name}})
    if taker.pk == assignment.worker_id:
        words = _("这份返工本来就在 %(w)s 手上,请选别的坊工。")
        raise ValidationError({"worker": words % {"w": taker.name}})
    told = _cut(actor, job, assignment, left, reason, PASS_ON_NOTE)
    now = timezone.now()
    passed_on = Assignment.objects.create(
        job=job,
        worker=taker,
        kind=AssignmentKind.REWORK,
        handed_from=assignment,
        pieces=left,
        due_on=max(assignment.due_on, timezone.localdate() + dt.timedelta(days=1)),
        delivery=DeliveryMode.HOME if taker.work_place == WorkPlace.HOME else DeliveryMode.PICKUP,
        state=AssignmentState.ACCEPTED,
        reasons=assignment.reasons,
        responded_at=now,
    )
    event(
        passed_on,
        job=job,
        from_state="",
        to_state=AssignmentState.ACCEPTED,
        actor=actor,
        note=f"{gettext_noop('转给别人返工')} · {reason}",
    )
    notify_many(
        [
            told,
            {
                "recipient": taker.user,
                "kind": NotificationKind.REWORK_PASSED,
                "params": {"t": job.title, "n": left, "r": assignment.reasons},
                "link": f"/m/a/{passed_on.pk}/",
                "dedupe_key": f"rework-passed:{passed_on.pk}",
            },
        ]
    )
    return passed_on
