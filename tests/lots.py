"""The hand-over of a finished job's lot in one call, for tests of what comes after (inspection, pay).

Before door delivery and collection a finished job went to inspection in one step (送检). Now the head writes
the lot's delivery note, it is sent, and the firm's clerk counts it in; ``hand_over`` does the three with the
real services, every piece counted as sent.
"""

from __future__ import annotations

from dispatch import services
from dispatch.models import Job, JobState
from logistics import services as logistics


def completed(job: Job | int) -> Job:
    """``job`` read afresh, which its last report completed (in_progress → completed in that report's
    transaction, the head told): the step a test once took with ``job_complete``. Fails when it is not
    completed."""
    job = Job.objects.get(pk=getattr(job, "pk", job))
    assert job.state == JobState.COMPLETED, f"job {job.pk} is {job.state}, not completed by its last report"
    return job


def left_done(job: Job | int) -> Job:
    """``job`` (completed by its last report) made a job whose work is all done while it is still in
    production: what the flow's sweep and the head's "complete" button still finish. Such a job is one
    whose completion was lost (a database restored from before it, say): the job is moved back and the
    completion's event and the head's message taken away. Returns it, read afresh."""
    from dispatch.models import FlowEvent
    from notices.models import Notification, NotificationKind

    job = completed(job)
    Job.objects.filter(pk=job.pk).update(state=JobState.IN_PROGRESS)
    FlowEvent.objects.filter(job=job, to_state=JobState.COMPLETED).delete()
    Notification.objects.filter(
        kind=NotificationKind.READY_TO_HAND_OVER, dedupe_key__startswith=f"complete:{job.pk}:"
    ).delete()
    return Job.objects.get(pk=job.pk)


def hand_over(job: Job | int, *, counted: int | None = None) -> Job:
    """Complete ``job`` if its work is done, write its lot's delivery note as its head, send it, and count it
    in as its firm's first staff member (``counted`` pieces; default: all sent). Returns the job, now
    inspecting."""
    job = Job.objects.select_related("workshop__head", "line__firm").get(pk=getattr(job, "pk", job))
    if job.state == JobState.IN_PROGRESS:
        job = services.job_complete(job=job)
    head = job.workshop.head
    clerk = job.line.firm.staff.select_related("user").order_by("pk").first().user
    note = logistics.note_prepare(actor=head, job=job)
    logistics.note_send(actor=head, note=note)
    logistics.note_receive(
        actor=clerk,
        note=note,
        pieces_counted=note.pieces_sent if counted is None else counted,
        confirm_short=counted is not None,  # a count the test chose, however short
    )
    job.refresh_from_db()
    return job
