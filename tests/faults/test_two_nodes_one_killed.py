"""Two Celery worker nodes with their own names on one PostgreSQL and one Redis; one is killed outright
(SIGKILL to its whole process group) while it holds the flow's tasks. The other node, with beat's sweeps,
carries every job to booked pay; then the dead node's messages come back (as Redis's visibility timeout
would return them an hour later) and change nothing: every invariant holds."""

from __future__ import annotations

import re
import time

import pytest
from django.db.models import F

from config.celery import app
from dispatch import services, tasks
from dispatch.models import Assignment, AssignmentState, Job, JobState
from dispatch.reports import check_invariants
from notices.models import Notification
from outbox.models import OutboxMessage
from pay.models import PayLine
from tests.lots import hand_over

pytestmark = [pytest.mark.faults, pytest.mark.celery]

JOBS = 12


def _beat_until(done, *, timeout: float, what: str) -> None:
    """Run beat's two recovery tasks every 2 s (as beat would, on a short grace) until ``done()``."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"the flow did not finish: {what}"
        tasks.sweep_stalled_flow.delay()
        tasks.replan_unassigned_jobs.delay()
        time.sleep(2)


def _received(node) -> int:
    return len(re.findall(rb"Task dispatch\.tasks\.\w+\[[^\]]+\] received", node.output()))


def test_the_flow_finishes_on_the_other_node_when_one_is_killed_mid_flow(
    nodes, cast, issue_job, redis_server
):
    a = nodes("node-a", "celery", concurrency=2)
    b = nodes("node-b", "celery", concurrency=2, env={"NUANXIN_SWEEP_GRACE_SECONDS": "2"})
    a.wait_ready()
    b.wait_ready()

    jobs = [issue_job(quantity=90, title=f"第{n}单") for n in range(JOBS)]
    for job in jobs:
        services.job_accept(actor=cast.head, job=job)
        if _received(a) >= 3 and a.proc.poll() is None:
            a.kill()  # in the middle of the flow: node A holds tasks it took and never finished
    deadline = time.monotonic() + 30
    while a.proc.poll() is None:
        assert time.monotonic() < deadline, "node A never took a task"
        if _received(a) >= 3:
            a.kill()
        time.sleep(0.05)
    held_at_kill = set(redis_server.hkeys("unacked"))  # node A's tasks in hand, and node B's of the moment
    assert _received(a) >= 3

    every = Job.objects.filter(pk__in=[j.pk for j in jobs])
    _beat_until(
        lambda: (
            not every.exclude(pieces_assigned=F("quantity")).exists()
            and not Notification.objects.filter(sent_at__isnull=True).exists()
        ),
        timeout=120,
        what="offers after the kill",
    )
    for offer in Assignment.objects.filter(job__in=every, state=AssignmentState.OFFERED).select_related(
        "worker__user"
    ):
        services.assignment_accept(actor=offer.worker.user, assignment=offer)
    for share in Assignment.objects.filter(job__in=every, state=AssignmentState.ACCEPTED).select_related(
        "worker__user"
    ):
        services.work_report(
            actor=share.worker.user, assignment=share, pieces=share.pieces_to_do, key=f"kill-{share.pk}"
        )
    _beat_until(lambda: not every.exclude(state=JobState.COMPLETED).exists(), timeout=120, what="completion")
    for job in jobs:
        job = hand_over(job)
        results = [services.ResultInput(s.pk, s.pieces, 0, 0) for s in job.assignments.filter(state="done")]
        services.job_inspect(actor=cast.clerk, job=job, results=results)
    _beat_until(lambda: not every.exclude(state=JobState.SETTLED).exists(), timeout=120, what="booking")
    booked = sorted(PayLine.objects.filter(assignment__job__in=every).values_list("pk", "amount"))

    # An hour later Redis returns what node A held; node A is back (systemd restarts it). Nothing changes.
    held = held_at_kill & set(redis_server.hkeys("unacked"))  # B has acked its own since: A's are left
    with app.connection_for_write() as conn:
        for tag in held:
            conn.default_channel.qos.restore_by_tag(tag)
    again = nodes("node-a2", "celery", concurrency=2)
    again.wait_ready()
    from config.celery import wait_until_idle

    wait_until_idle(timeout=60)  # the returned tasks ran (node B or A's successor took them) and were acked

    assert held  # the kill did catch tasks in hand
    assert redis_server.hlen("unacked") == 0
    assert sorted(PayLine.objects.filter(assignment__job__in=every).values_list("pk", "amount")) == booked
    assert sum(
        n for _, n in PayLine.objects.filter(assignment__job__in=every).values_list("pk", "pieces_passed")
    ) == (90 * JOBS)
    assert [c for c in check_invariants(jobs=every) if not c["ok"]] == []
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
