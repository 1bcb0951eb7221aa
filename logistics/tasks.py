"""Logistics' Celery tasks: each day's planning at each workshop's hour. Tasks take ids, re-check, and call
a service; a second run finds the day planned and does nothing."""

from __future__ import annotations

from celery import shared_task
from django.core.exceptions import ValidationError
from django.utils import timezone

from . import services
from .models import Run

RETRY = {"autoretry_for": (ConnectionError, TimeoutError), "retry_backoff": True, "max_retries": 3}


@shared_task(**RETRY)
def plan_workshop_runs(workshop_id: int) -> str:
    """Plan today's runs of one workshop unless some run of today exists (planned by the head or before)."""
    if Run.objects.filter(workshop_id=workshop_id, day=timezone.localdate()).exists():
        return "planned-already"
    try:
        plan = services.runs_plan(workshop=workshop_id)
    except ValidationError:
        return "cannot-plan"
    return f"{plan.stops} stops, {len(plan.unscheduled)} unscheduled"


@shared_task(**RETRY)
def plan_due_runs() -> int:
    """Queue planning for every workshop whose planning hour has passed today with no run yet. Returns how
    many it queued."""
    due = services.runs_plan_due()
    for pk in due:
        plan_workshop_runs.delay(pk)
    return len(due)
