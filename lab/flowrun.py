"""One job's whole flow driven the way people drive it (``run_flow``: issue, accept, take and report, hand
over, count in, inspect, pay), for ``make bench``'s rates and ``make bench-county``'s SQL statements per job
(``flow_statements``: every statement the flow sends, counted by Django in this process, with its tasks run
inline)."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch import services
from dispatch.models import Assignment, AssignmentState, Job, JobState
from lab.courierday import drive_day, next_free_day
from logistics import services as logistics
from logistics.models import DeliveryNote, NoteState
from workshop.models import FirmStaff, ProductionLine


def run_flow(ws, n: int, tag: str, wait) -> tuple[float, int]:
    """Take ``n`` jobs of 120 pieces from issue to booked pay, the people's steps in phases (issue all,
    accept all, take and report every offer, hand every lot over, inspect all), calling
    ``wait(timeout=...)`` after each phase for the tasks to finish. Returns (elapsed seconds, jobs settled).

    The hand-over is part of the timed flow, through the real services, so the ratio to no-op tasks counts
    the work it adds: a run collects the home shares' pieces (on the first free run day: the lab's runs
    are on days of their own, see ``lab.courierday``), the head writes each job's delivery note, the next
    day's run hands the notes over at the firms' gates, and each firm's clerk counts its lots in."""
    lines = list(ProductionLine.objects.filter(pairings__workshop=ws).distinct().order_by("pk"))
    clerks = {s.firm_id: s.user for s in FirmStaff.objects.select_related("user")}
    started = time.perf_counter()
    ids = []
    for i in range(n):
        line = lines[i % len(lines)]
        job = services.job_issue(
            actor=clerks[line.firm_id],
            workshop=ws,
            line=line,
            title=f"{tag} {i}",
            quantity=120,
            piece_rate=Decimal("0.3000"),
            due_on=timezone.localdate() + timezone.timedelta(days=5),
        )
        ids.append(job.pk)
    wait(timeout=300)
    for job in Job.objects.filter(pk__in=ids, state=JobState.ISSUED):
        services.job_accept(actor=ws.head, job=job)
    wait(timeout=300)
    offers = Assignment.objects.filter(job_id__in=ids, state=AssignmentState.OFFERED).select_related(
        "worker__user"
    )
    for a in offers:
        services.assignment_accept(actor=a.worker.user, assignment=a)
        services.work_report(actor=a.worker.user, assignment=a, pieces=a.pieces, key=f"{tag}-{a.pk}")
    wait(timeout=300)
    day = next_free_day(ws)
    drive_day(ws, day, actor=ws.head, key=f"{tag}-collect")
    for job in Job.objects.filter(pk__in=ids, state=JobState.COMPLETED):
        logistics.note_prepare(actor=ws.head, job=job)
    drive_day(ws, day + timezone.timedelta(days=1), actor=ws.head, key=f"{tag}-handover")
    for note in DeliveryNote.objects.filter(job_id__in=ids, state=NoteState.SENT).select_related("job__line"):
        logistics.note_receive(
            actor=clerks[note.job.line.firm_id], note=note, pieces_counted=note.pieces_sent
        )
    wait(timeout=300)
    for job in Job.objects.filter(pk__in=ids, state=JobState.INSPECTING):
        results = [
            services.ResultInput(a.pk, a.pieces_to_inspect, 0, 0)
            for a in job.assignments.filter(state=AssignmentState.DONE)
        ]
        services.job_inspect(actor=clerks[job.line.firm_id], job=job, results=results)
    wait(timeout=300)
    elapsed = time.perf_counter() - started
    return elapsed, Job.objects.filter(pk__in=ids, state=JobState.SETTLED).count()


# Statements that read or write rows; the rest are transaction control (BEGIN, COMMIT, SAVEPOINT, RELEASE),
# which SQLite's backend sends and logs and PostgreSQL's mostly does not.
DATA_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")

PHASES = ("issue", "accept", "take_and_report", "hand_over", "inspect_and_pay")


def flow_statements(ws, n: int = 10, tag: str = "count") -> dict:
    """SQL statements ``n`` jobs of 120 pieces cost from issue to booked pay in workshop ``ws``, with every
    Celery task run inline (eager) in this process so its statements count too. Returns ``per_job`` (float,
    every statement), ``data_per_job`` (SELECT, INSERT, UPDATE, DELETE only), ``total``, ``by_phase``
    (statements per job in each of ``PHASES``), ``by_kind`` (per job, by the statement's first word:
    SELECT, INSERT, UPDATE, SAVEPOINT …) and ``settled`` (jobs that reached 已结算). The driver's own
    few reads (which jobs are in which state) are counted too, once per phase."""
    from config.celery import app

    marks: list[int] = []
    # Django keeps the last 9,000 statements; once that log is full a capture sees none, so start it empty.
    connection.queries_log.clear()
    app.conf.task_always_eager = True
    try:
        with CaptureQueriesContext(connection) as ctx:
            _elapsed, settled = run_flow(ws, n, tag, lambda timeout: marks.append(len(ctx.captured_queries)))
    finally:
        app.conf.task_always_eager = False
    queries = ctx.captured_queries
    bounds = [0, *marks]
    by_phase = {
        name: round((bounds[i + 1] - bounds[i]) / n, 1)
        for i, name in enumerate(PHASES)
        if i + 1 < len(bounds)
    }
    kinds = Counter(q["sql"].split(None, 1)[0].upper() for q in queries)
    data = sum(kinds[k] for k in DATA_STATEMENTS)
    return {
        "per_job": round(len(queries) / n, 1),
        "data_per_job": round(data / n, 1),
        "total": len(queries),
        "by_phase": by_phase,
        "by_kind": {k: round(v / n, 1) for k, v in kinds.most_common()},
        "settled": settled,
    }
