"""Bulk rows for the export benchmark and tests: a workshop whose settled jobs carry N pay lines.

Rows are written with ``bulk_create`` in batches (a batch of jobs with their assignments, inspections,
results and pay lines at a time), so making 100,000 pay lines is quick and keeps little in memory. The
rows are consistent with the flow's constraints (reported = pieces = passed; one pay line per result),
but no FlowEvents are written: these jobs exist to be exported, not to be replayed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from dispatch import flowdays
from dispatch.models import (
    Assignment,
    AssignmentState,
    FlowEvent,
    Inspection,
    InspectionResult,
    Job,
    JobState,
    WorkReport,
)
from pay import money, rollups
from pay.models import PayLine, PayPeriod
from workshop.models import Employment, Pairing, PartnerFirm, ProcessKind, ProductionLine, Worker, Workshop

# Text that a spreadsheet would run as a formula if written as is: the export must escape it.
TRICKY_TITLES = ('=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1:A2)", "礼盒包装")


@dataclass
class BenchWorld:
    tag: str
    head: object
    workshop: Workshop
    firm: PartnerFirm
    lines: int
    start: dt.date
    end: dt.date


def _credit_code() -> str:
    body = "91330424MA" + "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(7))
    return body + uscc.calc_check_digit(body)


def make_pay_lines(
    *, lines: int, workers: int = 200, batch_jobs: int = 20, tag: str | None = None
) -> BenchWorld:
    """Create a workshop (its head is the export's user) with ``workers`` workers and settled jobs whose
    pay lines number exactly ``lines``, booked over the last 60 days. Returns what was made."""
    tag = tag or secrets.token_hex(4)
    user_model = get_user_model()
    workers = max(1, min(workers, lines))
    today = timezone.localdate()
    start = today - dt.timedelta(days=59)
    with transaction.atomic():
        head = user_model.objects.create(username=f"bench-head-{tag}")
        clerk = user_model.objects.create(username=f"bench-clerk-{tag}")
        workshop = Workshop.objects.create(
            name=f"基准坊{tag}", community="基准社区", subdistrict="基准街道", county="基准县", head=head
        )
        firm = PartnerFirm.objects.create(name=f"基准企业{tag}", credit_code=_credit_code())
        line = ProductionLine.objects.create(
            firm=firm,
            name="基准线",
            process_kind=ProcessKind.PACKAGING,
            inhouse_cost_per_piece=Decimal("0.30"),
        )
        pairing = Pairing.objects.create(firm=firm, workshop=workshop, signed_on=start)
        pairing.lines.add(line)
        users = user_model.objects.bulk_create(
            [user_model(username=f"bench-{tag}-{i}") for i in range(workers)], batch_size=1000
        )
        base = 19_000_000_000 + secrets.randbelow(900_000) * 10_000
        people = Worker.objects.bulk_create(
            [
                Worker(
                    user=u,
                    workshop=workshop,
                    name=("=张" if i % 50 == 0 else "张") + str(i),
                    phone=f"+86{base + i}",
                    id_number="",
                    employment=Employment.FIXED if i % 3 else Employment.PART_TIME,
                    low_income=i % 9 == 0,
                    skills=[ProcessKind.PACKAGING],
                )
                for i, u in enumerate(users)
            ],
            batch_size=1000,
        )
    made = 0
    n_jobs = -(-lines // workers)
    rate = Decimal("0.2200")
    for first in range(0, n_jobs, batch_jobs):
        with transaction.atomic():
            jobs = Job.objects.bulk_create(
                [
                    Job(
                        workshop=workshop,
                        line=line,
                        title=TRICKY_TITLES[j % len(TRICKY_TITLES)] + f" #{j}",
                        process_kind=ProcessKind.PACKAGING,
                        quantity=workers * 10,
                        pieces_assigned=workers * 10,
                        piece_rate=rate,
                        due_on=today,
                        state=JobState.SETTLED,
                        issued_by=clerk,
                    )
                    for j in range(first, min(first + batch_jobs, n_jobs))
                ]
            )
            rows = []
            for job in jobs:
                for w in people:
                    if made + len(rows) >= lines:
                        break
                    rows.append((job, w))
            assignments = Assignment.objects.bulk_create(
                [
                    Assignment(
                        job=job,
                        worker=w,
                        pieces=10,
                        pieces_reported=10,
                        pieces_handed_over=10,
                        pieces_passed=10,
                        due_on=today,
                        state=AssignmentState.DONE,
                    )
                    for job, w in rows
                ],
                batch_size=2000,
            )
            inspections = {
                i.job_id: i
                for i in Inspection.objects.bulk_create(
                    [Inspection(job=job, inspector=clerk, booked_at=timezone.now()) for job in jobs]
                )
            }
            results = InspectionResult.objects.bulk_create(
                [
                    InspectionResult(
                        inspection=inspections[a.job_id],
                        assignment=a,
                        pieces_submitted=10,
                        pieces_passed=10,
                        pieces_rejected=0,
                    )
                    for a in assignments
                ],
                batch_size=2000,
            )
            PayLine.objects.bulk_create(
                [
                    PayLine(
                        worker_id=a.worker_id,
                        assignment=a,
                        inspection=inspections[a.job_id],
                        result=r,
                        pieces_passed=10,
                        rate=rate,
                        amount=money.wage_amount(10, rate),
                        booked_on=start + dt.timedelta(days=(made + k) % 60),
                    )
                    for k, (a, r) in enumerate(zip(assignments, results, strict=True))
                ],
                batch_size=2000,
            )
            made += len(assignments)
    rollups.rollups_rebuild([workshop.pk])  # the pay lines went in by bulk_create: sum them by month
    flowdays.flowdays_rebuild([workshop.pk])  # and the reports, results and events: by day
    return BenchWorld(tag, head, workshop, firm, made, start, today)


def delete_world(world: BenchWorld) -> None:
    """Remove everything ``make_pay_lines`` made (children first: the flow's foreign keys protect)."""
    jobs = Job.objects.filter(workshop=world.workshop)
    with transaction.atomic():
        PayLine.objects.filter(assignment__job__in=jobs)._raw_delete(PayLine.objects.db)
        InspectionResult.objects.filter(inspection__job__in=jobs)._raw_delete(InspectionResult.objects.db)
        Inspection.objects.filter(job__in=jobs)._raw_delete(Inspection.objects.db)
        WorkReport.objects.filter(assignment__job__in=jobs).delete()
        FlowEvent.objects.filter(job__in=jobs).delete()
        Assignment.objects.filter(job__in=jobs)._raw_delete(Assignment.objects.db)
        jobs._raw_delete(Job.objects.db)
        PayPeriod.objects.filter(workshop=world.workshop).delete()
        Pairing.objects.filter(workshop=world.workshop).delete()
        user_ids = list(Worker.objects.filter(workshop=world.workshop).values_list("user_id", flat=True))
        Worker.objects.filter(workshop=world.workshop).delete()
        ProductionLine.objects.filter(firm=world.firm).delete()
        world.firm.delete()
        world.workshop.delete()
        get_user_model().objects.filter(pk__in=user_ids).delete()
        get_user_model().objects.filter(
            username__in=[f"bench-head-{world.tag}", f"bench-clerk-{world.tag}"]
        ).delete()
