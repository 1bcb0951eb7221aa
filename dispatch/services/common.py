"""What every service of the flow shares: moving a state, its flow event, the job lock, the actor checks,
input checks, and the firm's messages.

Lock order, to avoid deadlocks: the job row first, then its assignments.
"""

from __future__ import annotations

import functools

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.services import notify
from workshop.frozen import Frozen, frozen
from workshop.models import FirmStaff, Workshop
from workshop.roles import firm_for, is_head_of

from ..models import (
    ASSIGNMENT_TRANSITIONS,
    JOB_TRANSITIONS,
    Assignment,
    FlowEvent,
    Job,
    furthest_stage,
    swap_state,
)


def _unsaved_event(obj, *, job: Job, from_state: str, to_state: str, actor, note: str) -> FlowEvent:
    """The ``FlowEvent`` of ``obj`` moving ``from_state → to_state``, not yet saved (the content type is
    cached by Django after its first read); an anonymous or missing ``actor`` is the system."""
    return FlowEvent(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        job=job,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:300],
    )


def event(obj, *, job: Job, from_state: str, to_state: str, actor=None, note: str = "") -> FlowEvent:
    """Write the ``FlowEvent`` of ``obj`` (a job or an assignment) moving ``from_state → to_state``; an
    anonymous or missing ``actor`` is the system. One INSERT."""
    moved = _unsaved_event(obj, job=job, from_state=from_state, to_state=to_state, actor=actor, note=note)
    moved.save(force_insert=True)
    return moved


def events(moves, *, job: Job | None = None, actor=None) -> list[FlowEvent]:
    """``event`` of several moves in one INSERT: ``moves`` are (obj, from_state, to_state, note), all of
    ``job``, or (obj, from_state, to_state, note, job) each of its own (the offers of one plan over several
    jobs). Returns the events, saved, in that order."""
    return FlowEvent.objects.bulk_create(
        [
            _unsaved_event(obj, job=own[0] if own else job, from_state=f, to_state=t, actor=actor, note=note)
            for obj, f, t, note, *own in moves
        ]
    )


def move(obj, target: str, *, job: Job, actor=None, note: str = "", **fields) -> FlowEvent:
    """Compare-and-swap ``obj.state`` to ``target`` (through its transitions map), set ``fields`` in the same
    update and record the event, which it returns; raise IllegalTransition if the map refuses it or a
    concurrent move won."""
    transitions = JOB_TRANSITIONS if isinstance(obj, Job) else ASSIGNMENT_TRANSITIONS
    label = _("外发单") if isinstance(obj, Job) else _("派工")
    if isinstance(obj, Job):
        fields.setdefault("updated_at", timezone.now())
        # Kept in the same UPDATE: the furthest stage so far (a job never moved before counts its state).
        reached = furthest_stage(obj.reached or obj.state, target)
        if reached != obj.reached:
            fields["reached"] = reached
    current = swap_state(obj, transitions, label, target, **fields)
    return event(obj, job=job, from_state=current, to_state=target, actor=actor, note=note)


def lock_job(job: Job | int, *, related: tuple[str, ...] = ()) -> Job:
    """The job row, locked for this transaction (``select_for_update``), read afresh.

    The lock reads the bare job row, with no join: its line, firm and workshop load on first use (most
    services read none of them, and a join would build three model instances per lock for nothing). When
    ``job`` is an instance whose line or workshop was already loaded (``select_related``), those are kept.
    ``related``: the relations a caller will read anyway (``select_related`` names, e.g. ``"line"``),
    joined into the lock's one statement instead. On PostgreSQL only the job row is locked, as it was with
    ``of=("self",)`` before: no service relies on a lock of the line, firm or workshop row (a
    workshop-wide section locks its own rows, e.g. the depot or the pay period).
    """
    pk = job.pk if isinstance(job, Job) else job
    locked = _one(_job_lock(tuple(related))(pk), Job)
    if isinstance(job, Job):
        joined = {r.split("__", 1)[0] for r in related}  # read with the lock just now: those stay
        for name in ("line", "workshop"):
            if name in joined:
                continue
            cached = job._state.fields_cache.get(name)
            if cached is not None and cached.pk == getattr(locked, f"{name}_id"):
                setattr(locked, name, cached)
    return locked


def workshop_of(job: Job) -> Workshop:
    """The job's workshop with its head joined, read once per job instance (one query when not loaded)."""
    ws = job._state.fields_cache.get("workshop")
    if ws is None or (ws.head_id is not None and "head" not in ws._state.fields_cache):
        ws = Workshop.objects.select_related("head").get(pk=job.workshop_id)
        job.workshop = ws
    return ws


def lock_assignment(assignment: Assignment | int) -> tuple[Job, Assignment]:
    """The assignment's job, then the assignment (the lock order), both locked, the worker joined."""
    if isinstance(assignment, Assignment):
        pk, job_id = assignment.pk, assignment.job_id  # an assignment never moves to another job
    else:
        pk = assignment
        job_id = Assignment.objects.values_list("job_id", flat=True).get(pk=pk)
    job = lock_job(job_id)
    return job, _one(_assignment_lock(pk), Assignment)


@frozen(int)
def _assignment_lock(pk):
    return Assignment.objects.select_for_update(of=("self",)).select_related("worker").filter(pk=pk)


@functools.cache
def _job_lock(related: tuple[str, ...]) -> Frozen:
    """The lock's read for ``related`` joins, compiled once (``workshop.frozen``): every step of the flow
    takes it, and its compile cost more than the database's answer (issue 15)."""

    def build(pk):
        if related:
            return Job.objects.select_for_update(of=("self",)).select_related(*related).filter(pk=pk)
        return Job.objects.select_for_update().filter(pk=pk)

    return Frozen(build, [int])


def _one(rows: list, model):
    """The one row of a read by primary key; ``model.DoesNotExist`` when there is none (as ``get``)."""
    if not rows:
        raise model.DoesNotExist(f"{model.__name__} matching query does not exist.")
    return rows[0]


def positive_int(value, field: str) -> int:
    """``value`` as an int > 0 (a whole number of pieces); ValidationError on ``field`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, float) or isinstance(value, bool):
                raise ValueError
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise ValidationError({field: _("请输入整数件数。")}) from None
    if value <= 0:
        raise ValidationError({field: _("件数必须大于0。")})
    return value


def check_firm_staff(actor, job_or_line) -> None:
    """PermissionDenied unless ``actor`` is staff of the firm of the job (or line)."""
    firm = firm_for(actor)
    line = job_or_line.line if isinstance(job_or_line, Job) else job_or_line
    if firm is None or firm.pk != line.firm_id:
        raise PermissionDenied(_("只有该企业的专员可以操作。"))


def check_head(actor, job: Job, *, system: bool = False) -> None:
    """PermissionDenied unless ``actor`` heads the job's workshop. ``actor=None`` is the system (a Celery
    task or the auto-accept rule), allowed only where the service says so (``system=True``): a person's
    request always names its user."""
    if actor is None:
        if system:
            return
        raise PermissionDenied(_("只有本工坊坊长可以操作。"))
    if not is_head_of(actor, job.workshop_id):
        raise PermissionDenied(_("只有本工坊坊长可以操作。"))


def check_party(actor, job: Job, *, system: bool = False) -> None:
    """PermissionDenied unless ``actor`` heads the job's workshop or is staff of its firm: the two sides of
    a settlement. ``actor=None`` is the system, allowed only with ``system=True``."""
    if actor is None and system:
        return
    firm = firm_for(actor)
    if firm is not None and firm.pk == job.line.firm_id:
        return
    check_head(actor, job)


def check_worker(actor, assignment: Assignment) -> None:
    """PermissionDenied unless ``actor`` is the assignment's worker."""
    if actor is None or assignment.worker.user_id != actor.pk:
        raise PermissionDenied(_("只能处理自己的派工。"))


def notify_firm(job: Job, *, kind: str, params: dict, key: str) -> None:
    """A message of ``kind`` to every staff member of the job's firm, once per ``key`` and person."""
    # The firm's staff through the job's line, in one query (the line and firm rows are not needed).
    for staff in FirmStaff.objects.filter(firm__lines=job.line_id).select_related("user").order_by("pk"):
        notify(
            recipient=staff.user,
            kind=kind,
            params=params,
            link=f"/dashboard/jobs/{job.pk}/",
            dedupe_key=f"{key}:{staff.user_id}",
        )
