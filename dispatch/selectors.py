"""The flow's reads that the staff dashboard shares: what a firm may issue on, a job's inspection
queue and its timeline. Scoping a job to its user is the dashboard's (``dashboard.selectors``); the
workers' own reads are ``mobile.selectors``."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from workshop.models import ProductionLine, Worker, Workshop

from .models import Assignment, AssignmentState, FlowEvent, Job, JobState

# --- firm staff (企业专员) -----------------------------------------------------------------------------


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


# --- one job's details, for a user already scoped to it ---------------------------------------------------


def inspection_pending(assignments: list[Assignment]) -> list[Assignment]:
    """The ``assignments`` that wait for the firm's verdict (质检): done, with uninspected pieces."""
    return [a for a in assignments if a.state == AssignmentState.DONE and a.pieces_to_inspect > 0]


def _actor_label(user, label: Callable[[Worker], str]) -> str:
    if user is None:
        return _("系统自动")
    # A worker's username may be a phone number: show their name (or what ``label`` shows), never the login.
    try:
        return label(user.worker)
    except ObjectDoesNotExist:
        return user.get_full_name() or user.get_username()


def _name(worker: Worker) -> str:
    return worker.name


def job_timeline(
    job: Job,
    assignments: list[Assignment] | None = None,
    *,
    label: Callable[[Worker], str] = _name,
    share_notes: bool = True,
) -> list[FlowEvent]:
    """``job``'s flow events, oldest first, each with display attributes added.

    Adds ``subject`` (外发单, or 派工 with the worker's name when ``assignments`` is given), ``from_label``,
    ``to_label`` (the states' words) and ``actor_label`` (a worker shows by name, the system as 系统自动).
    ``label`` says how a worker is shown (her name; a firm's scope may show her number:
    ``Scope.worker_label``; a note that names a worker is the caller's to pass through ``Scope.unname``).
    With ``share_notes`` False the notes of the shares' events are blanked: they
    hold the planner's reasons (本月收入偏低 · 居家加工) and a worker's own words when she declines, which
    speak of her income and situation (the firm's view). One query: actor and the actor's worker row are
    joined.
    """
    job_states = dict(JobState.choices)
    assignment_states = dict(AssignmentState.choices)
    names = {a.pk: label(a.worker) for a in assignments or []}
    events = list(job.events.select_related("content_type", "actor", "actor__worker"))
    for e in events:
        if e.content_type.model == "job":
            labels = job_states
            e.subject = _("外发单")
        else:
            labels = assignment_states
            name = names.get(e.object_id)
            e.subject = _("派工") + (f" · {name}" if name else f" #{e.object_id}")
            if not share_notes:
                e.note = ""
        e.from_label = labels.get(e.from_state, e.from_state)
        e.to_label = labels.get(e.to_state, e.to_state)
        e.actor_label = _actor_label(e.actor, label)
    return events
