"""The hand-over of a finished job's lot in one call, for tests of what comes after (inspection, pay).

Before door delivery and collection a finished job went to inspection in one step (送检). Now the head writes
the lot's delivery note, it is sent, and the firm's clerk counts it in; ``hand_over`` does the three with the
real services, every piece counted as sent.
"""

from __future__ import annotations

from dispatch import services
from dispatch.models import Job, JobState
from logistics import services as logistics


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
        actor=clerk, note=note, pieces_counted=note.pieces_sent if counted is None else counted
    )
    job.refresh_from_db()
    return job
