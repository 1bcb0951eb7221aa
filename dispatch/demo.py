"""Demo jobs for the demo workshop, so every page has something to show on first start.

Built through the same services as the pages (so the follow-up Celery tasks are queued too): one job
in production with part of its pieces reported, one offered to workers and waiting for their answer,
one just issued and waiting for the head. Each carries its line's bill of materials
(``materials.demo``); the two accepted jobs have their material received, and the workers in production
their kits. ``seed_demo_jobs`` only when the workshop has no jobs yet (a second run changes nothing);
``demo_jobs_create`` whatever it holds (``seed_demo`` calls it after loading a season of history).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from materials.demo import bom_for_line
from materials.quantities import kit_quantity
from materials.services import kit_issue, material_receive
from workshop.models import FirmStaff, Pairing, Workshop

from . import services
from .models import AssignmentState, Job


def _line_and_clerk(workshop: Workshop, index: int):
    pairing = Pairing.objects.filter(workshop=workshop).order_by("pk")[index]
    line = pairing.lines.order_by("pk").first()
    clerk = FirmStaff.objects.filter(firm=pairing.firm).select_related("user").first().user
    return line, clerk


def seed_demo_jobs(workshop: Workshop) -> int:
    """Create the three demo jobs unless the workshop already has jobs; returns how many it created."""
    if Job.objects.filter(workshop=workshop).exists():
        return 0
    return demo_jobs_create(workshop)


def demo_jobs_create(workshop: Workshop) -> int:
    """Create the three demo jobs of today, whatever the workshop holds (``seed_demo`` calls it on a
    fresh demo, after the season of history, so the planner sees the season); returns 3."""
    today = timezone.localdate()
    specs = [
        (1, "童装辅料缝制(领口包边)", 600, "0.5900", 6),
        (2, "礼盒包装(茶叶款)", 2400, "0.2200", 5),
        (3, "紧固件分拣装配", 1500, "0.2900", 4),
    ]
    jobs = []
    with transaction.atomic():
        for index, title, quantity, rate, lead in specs:
            line, clerk = _line_and_clerk(workshop, index)
            jobs.append(
                services.job_issue(
                    actor=clerk,
                    workshop=workshop,
                    line=line,
                    title=title,
                    quantity=quantity,
                    piece_rate=Decimal(rate),
                    due_on=today + dt.timedelta(days=lead),
                    instructions="按样品加工;线头剪净,每50件一扎,扎票朝外。",
                    bom=bom_for_line(line),
                )
            )
        in_production, offered, _waiting = jobs
        for job in (in_production, offered):
            services.job_accept(actor=workshop.head, job=job)
            for line in job.bom_lines.all():
                # A little over what the kits need.
                material_receive(
                    line=line,
                    quantity_received=kit_quantity(line, job.quantity + 50),
                    actor=workshop.head,
                    confirm_over=True,
                )
            services.job_plan_offers(job=job)
        for a in in_production.assignments.filter(state=AssignmentState.OFFERED).select_related(
            "worker__user"
        ):
            services.assignment_accept(actor=a.worker.user, assignment=a)
            kit_issue(assignment=a, actor=workshop.head)
            services.work_report(
                actor=a.worker.user, assignment=a, pieces=max(1, a.pieces // 3), key=f"demo-{a.pk}"
            )
    return len(jobs)
