"""Celery tasks that route the flow. Each takes ids (never objects or personal data), re-fetches,
re-checks state, does nothing when its work is already done, then calls a service. Safe to redeliver.

Transient database errors (a locked SQLite file, a PostgreSQL serialization failure) are retried with
backoff, at most 5 times.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.db.models import CharField, Exists, F, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_noop

from notices.models import Notification, NotificationKind
from notices.services import notify
from notices.tasks import redeliver_stalled
from workshop.models import Pairing, Workshop
from workshop.uploads import phone_copy_make

from . import minwage, services
from .models import (
    TO_OFFER,
    Assignment,
    AssignmentState,
    IllegalTransition,
    Inspection,
    Job,
    JobState,
)

logger = logging.getLogger("nuanxin.tasks")

RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


@shared_task(**RETRY)
def on_job_issued(job_id: int) -> str:
    """Tell the head about a new job and apply the pairing's auto-accept rule. Returns what it did."""
    # The firm's name is in the message: its row comes with the job's (a query of its own before).
    job = Job.objects.select_related("workshop", "workshop__head", "line__firm").filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.workshop.head_id:
        notify(
            recipient=job.workshop.head,
            kind=NotificationKind.JOB_ISSUED,
            params={"f": job.line.firm.name, "t": job.title, "n": job.quantity},
            link=f"/dashboard/jobs/{job.pk}/",
            dedupe_key=f"issued:{job.pk}",
        )
    if job.state != JobState.ISSUED:
        return "already-handled"
    pairing = Pairing.objects.filter(firm_id=job.line.firm_id, workshop_id=job.workshop_id).first()
    lead_days = (job.due_on - timezone.localdate()).days
    if pairing and pairing.auto_accepts(quantity=job.quantity, lead_days=lead_days):
        try:
            services.job_accept(actor=None, job=job, note=gettext_noop("自动接单规则"), by_rule=pairing)
        except IllegalTransition:
            return "already-handled"
        return "auto-accepted"
    return "notified"


@shared_task(**RETRY)
def make_job_photo_copy(job_id: int) -> str:
    """Make the phone-sized copy of the job's photo once (``workshop.uploads.phone_copy_make``); a
    repeat finds it made. Returns ``"missing"`` (no job or no photo), ``"exists"``, ``"made"``,
    ``"too-big"`` or ``"unreadable"``."""
    job = Job.objects.filter(pk=job_id).only("pk", "photo").first()
    if job is None or not job.photo:
        return "missing"
    return phone_copy_make(job.photo)


@shared_task(**RETRY)
def plan_job_offers(job_id: int) -> int:
    """Offer the job's unassigned pieces to suitable workers, planned together with the other open jobs
    of its workshop (``services.workshop_plan_offers``). Returns how many offers it made; 0 when nothing
    is left to offer, as for the later tasks of a burst that the first one planned (the job's check is part
    of the statement that locks the workshop's jobs: ``services.job_workshop_plan_offers``)."""
    return len(services.job_workshop_plan_offers(job=job_id))


@shared_task(**RETRY)
def plan_workshop_offers(workshop_id: int) -> int:
    """Offer the unassigned pieces of every open job of the workshop. Returns how many offers it made."""
    return len(services.workshop_plan_offers(workshop=workshop_id))


@shared_task(**RETRY)
def expire_stale_offers(now: str | None = None) -> int:
    """Expire offers unanswered by their deadline (``now``: ISO datetime, default the current time) and
    offer their pieces to others. Returns how many offers it expired."""
    at = parse_datetime(now) if now else timezone.now()
    expired = 0
    stale = Assignment.objects.filter(state=AssignmentState.OFFERED, expires_at__lte=at).order_by("pk")
    for pk in stale.values_list("pk", flat=True):
        try:
            services.assignment_expire(assignment=pk, now=at)
            expired += 1
        except (IllegalTransition, ValidationError):
            continue  # answered meanwhile
    return expired


@shared_task(**RETRY)
def replan_unassigned_jobs() -> int:
    """Queue planning for every workshop with a dispatching job whose pieces are not all offered (workers'
    capacity frees up as they report). Returns how many workshops it queued."""
    ids = list(
        Job.objects.filter(TO_OFFER).order_by("workshop_id").values_list("workshop_id", flat=True).distinct()
    )
    for pk in ids:
        plan_workshop_offers.delay(pk)
    return len(ids)


@shared_task(**RETRY)
def finish_job_if_done(job_id: int) -> str:
    """When every assignment of a job is done, complete it: ready to hand over (待交货), and the head is
    told. The lot goes to inspection only when the firm counts it in (``logistics``). Returns
    ``"completed"``, ``"not-ready"`` (work still open) or ``"nothing"`` (no such job, or not in production:
    completed already, say).

    The job is read once, by the service's lock: only a job in production can complete (any other state is
    refused with IllegalTransition), so a read before the lock to check that was a second read."""
    try:
        services.job_complete(job=job_id)
    except (Job.DoesNotExist, IllegalTransition):
        return "nothing"
    except ValidationError:
        return "not-ready"
    return "completed"


@shared_task(**RETRY)
def book_inspection(inspection_id: int) -> str:
    """Book pay lines, create rework and notify for one inspection; a second delivery changes nothing."""
    inspection = Inspection.objects.filter(pk=inspection_id).first()
    if inspection is None:
        return "missing"
    if inspection.booked_at is not None:
        return "already-booked"
    services.inspection_book(inspection=inspection)  # the row, so the service does not read it again
    return "booked"


@shared_task(**RETRY)
def sweep_stalled_flow() -> dict[str, int]:
    """Redo follow-up work whose task was never queued (the broker was down when a change was saved):
    issued jobs not yet handled, finished jobs not yet completed, inspections not yet booked,
    notifications not yet delivered, when older than ``NUANXIN_SWEEP_GRACE_SECONDS`` (default 120). The
    outbox relay sends what a broker outage held back; this sweep recovers work lost in flight, as when a
    whole worker is killed with tasks in hand (beat runs it every 2 minutes, so the flow goes on within about
    4); an issued job whose head was told is left to the head (a worker killed between telling her and
    applying the pairing's auto-accept rule leaves the job for her to accept by hand). Every task it sends
    is idempotent, so sending one twice is harmless. Each is sent under a fixed task
    id (``sweep-<task>-<pk>``), so the deliveries of the same work on every sweep add up in ``taskruns`` and
    work that never finishes (killed by its time limit each time) is refused after
    ``NUANXIN_TASK_MAX_DELIVERIES`` instead of being sent again without end. Returns how many of each it
    sent."""
    before = timezone.now() - dt.timedelta(seconds=settings.NUANXIN_SWEEP_GRACE_SECONDS)
    sent = {"issued": 0, "finished": 0, "inspections": 0, "notifications": 0}
    # An issued job whose head was told already had its follow-up (the head has yet to answer): sending it
    # again every sweep only spent a message id (the notice's INSERT finding its key) and a delivery count.
    told = Notification.objects.filter(
        kind=NotificationKind.JOB_ISSUED,
        dedupe_key=Concat(Value("issued:"), Cast(OuterRef("pk"), CharField())),
    )
    stalled = Job.objects.filter(state=JobState.ISSUED, issued_at__lte=before).exclude(
        Exists(told), workshop__head__isnull=False
    )
    for pk in stalled.values_list("pk", flat=True):
        on_job_issued.apply_async((pk,), task_id=f"sweep-on_job_issued-{pk}")
        sent["issued"] += 1
    done = Job.objects.filter(
        state=JobState.IN_PROGRESS, pieces_assigned=F("quantity"), updated_at__lte=before
    ).exclude(assignments__state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED))
    for pk in done.values_list("pk", flat=True).distinct():
        finish_job_if_done.apply_async((pk,), task_id=f"sweep-finish_job_if_done-{pk}")
        sent["finished"] += 1
    for pk in Inspection.objects.filter(booked_at__isnull=True, at__lte=before).values_list("pk", flat=True):
        book_inspection.apply_async((pk,), task_id=f"sweep-book_inspection-{pk}")
        sent["inspections"] += 1
    sent["notifications"] = redeliver_stalled(before)
    return sent


@shared_task(**RETRY)
def close_pay_periods(month: str | None = None) -> int:
    """Close every workshop's pay month of ``month`` (ISO date in the month; default: last month) through
    ``services.period_close``. A workshop with an inspection of that month still open is left open and
    tried again on the next run (daily); a closed one is left as it is; one set up after that month is
    skipped. Returns how many are closed."""
    if month:
        first = dt.date.fromisoformat(month).replace(day=1)
    else:
        first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    closed = 0
    for ws_id in Workshop.objects.order_by("pk").values_list("pk", flat=True):
        try:
            # A month named by the operator may be the running one; the daily run closes last month.
            services.period_close(actor=None, workshop=ws_id, month=first, early=bool(month))
        except ValidationError as exc:
            if exc.code != "before_first_month":  # a workshop set up since has no such month
                logger.info("pay month %s of workshop %s left open: inspections pending", first, ws_id)
            continue
        closed += 1
    return closed


@shared_task(**RETRY)
def take_day_speeds() -> int:
    """Take the day's median speeds of every workshop (``minwage.median_speeds``, kept in ``SpeedDay``)
    before anyone opens a page: 04:30 daily, Asia/Shanghai, by beat, so the first home page of the day reads
    them instead of learning a county's workers' speeds itself. Idempotent: a second run on the same day
    reads the kept rows and writes nothing. Returns how many workshops."""
    ids = list(Workshop.objects.order_by("pk").values_list("pk", flat=True))
    minwage.median_speeds(ids)
    return len(ids)
