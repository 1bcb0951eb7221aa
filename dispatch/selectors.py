"""The flow's reads, each scoped by the user who asks (after healthchecks' ``_get_check_for_user``).

A ``*_get_for_*`` selector raises ``Http404`` for an object that is not the user's: a foreign id looks
exactly like a missing one. List selectors return querysets (lazy) or lists with their related rows
already joined, so a page costs the same number of queries whatever the number of rows.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from workshop.models import ProductionLine, Workshop

from .models import (
    Assignment,
    AssignmentState,
    FlowEvent,
    Job,
    JobState,
    Notification,
    PayLine,
)

# --- firm staff (企业专员) -----------------------------------------------------------------------------


def jobs_for_firm(user) -> QuerySet[Job]:
    """Jobs on the lines of ``user``'s firm, newest first, with workshop and line joined.

    Empty for a user who is not firm staff.
    """
    return Job.objects.filter(line__firm__staff__user=user).select_related("workshop", "line", "line__firm")


def job_get_for_firm(user, pk: int) -> Job:
    """The job ``pk`` if it is on a line of ``user``'s firm; ``Http404`` otherwise."""
    job = jobs_for_firm(user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("没有这个外发单。"))
    return job


def workshops_for_issue(user) -> QuerySet[Workshop]:
    """Workshops in an active pairing with ``user``'s firm: where the firm may issue jobs."""
    return (
        Workshop.objects.filter(pairings__firm__staff__user=user, pairings__active=True)
        .distinct()
        .order_by("county", "community", "name")
    )


def lines_for_issue(user) -> QuerySet[ProductionLine]:
    """Active lines of ``user``'s firm that belong to at least one active pairing."""
    return (
        ProductionLine.objects.filter(firm__staff__user=user, active=True, pairings__active=True)
        .select_related("firm")
        .distinct()
        .order_by("name")
    )


# --- workshop head (坊长) ------------------------------------------------------------------------------


def jobs_for_head(user) -> QuerySet[Job]:
    """Jobs issued to the workshops ``user`` heads, newest first, with workshop, line and firm joined."""
    return Job.objects.filter(workshop__head=user).select_related("workshop", "line", "line__firm")


def job_get_for_head(user, pk: int) -> Job:
    """The job ``pk`` if it was issued to a workshop ``user`` heads; ``Http404`` otherwise."""
    job = jobs_for_head(user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("没有这个外发单。"))
    return job


# --- worker (坊工) -------------------------------------------------------------------------------------


def assignments_for_worker(user) -> QuerySet[Assignment]:
    """The assignments of ``user``'s active worker record, soonest due first, with job, line and firm joined.

    Empty for a user who is not an active worker.
    """
    return Assignment.objects.filter(worker__user=user, worker__active=True).select_related(
        "worker", "job", "job__line", "job__line__firm"
    )


def assignment_get_for_worker(user, pk: int) -> Assignment:
    """The assignment ``pk`` if it is ``user``'s own; ``Http404`` otherwise (another worker's included)."""
    assignment = assignments_for_worker(user).filter(pk=pk).first()
    if assignment is None:
        raise Http404(_("没有这个派工。"))
    return assignment


def open_assignments_for_worker(user) -> tuple[list[Assignment], list[Assignment]]:
    """``(offers, in_hand)``: ``user``'s offered and accepted assignments, read in one query."""
    rows = list(
        assignments_for_worker(user).filter(state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED))
    )
    offers = [a for a in rows if a.state == AssignmentState.OFFERED]
    in_hand = [a for a in rows if a.state == AssignmentState.ACCEPTED]
    return offers, in_hand


def pay_lines_for_worker(user, *, limit: int = 10) -> list[PayLine]:
    """``user``'s most recent pay lines (amounts in yuan), newest first, with the job joined."""
    return list(
        PayLine.objects.filter(worker__user=user).select_related("assignment", "assignment__job")[:limit]
    )


def unread_notifications(user, *, limit: int = 10) -> list[Notification]:
    """``user``'s newest unread inbox notifications."""
    return list(Notification.objects.filter(recipient=user, read_at__isnull=True)[:limit])


def unread_count(user) -> int:
    """How many of ``user``'s inbox notifications are unread (0 for an anonymous user)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


# --- one job's details, for a user already scoped to it ---------------------------------------------------


def job_assignments(job: Job) -> list[Assignment]:
    """All assignments of ``job`` (the caller has scoped ``job`` to the user), with the worker joined."""
    return list(job.assignments.select_related("worker"))


def inspection_pending(assignments: list[Assignment]) -> list[Assignment]:
    """The ``assignments`` that wait for the firm's verdict (质检): done, with uninspected pieces."""
    return [a for a in assignments if a.state == AssignmentState.DONE and a.pieces_uninspected > 0]


def _actor_label(user) -> str:
    if user is None:
        return _("系统自动")
    # A worker's username may be a phone number: show their name, never the login.
    try:
        return user.worker.name
    except ObjectDoesNotExist:
        return user.get_full_name() or user.get_username()


def job_timeline(job: Job, assignments: list[Assignment] | None = None) -> list[FlowEvent]:
    """``job``'s flow events, oldest first, each with display attributes added.

    Adds ``subject`` (外发单, or 派工 with the worker's name when ``assignments`` is given), ``from_label``,
    ``to_label`` (the states' words) and ``actor_label`` (a worker shows by name, the system as 系统自动).
    One query: actor and the actor's worker row are joined.
    """
    job_states = dict(JobState.choices)
    assignment_states = dict(AssignmentState.choices)
    names = {a.pk: a.worker.name for a in assignments or []}
    events = list(job.events.select_related("content_type", "actor", "actor__worker"))
    for e in events:
        if e.content_type.model == "job":
            labels = job_states
            e.subject = _("外发单")
        else:
            labels = assignment_states
            name = names.get(e.object_id)
            e.subject = _("派工") + (f" · {name}" if name else f" #{e.object_id}")
        e.from_label = labels.get(e.from_state, e.from_state)
        e.to_label = labels.get(e.to_state, e.to_state)
        e.actor_label = _actor_label(e.actor)
    return events
