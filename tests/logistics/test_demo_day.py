"""The demo workshop's day of door delivery and collection: planned twice, the same runs in the same order."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from dispatch import services
from logistics import services as logistics
from logistics.demo import seed_demo_logistics
from logistics.models import Stop, StopState
from workshop.demo import seed_demo
from workshop.models import WorkPlace


def _order(plan) -> list[tuple[int, int, str, int | None]]:
    return [(r.vehicle_id, s.seq, s.kind, s.worker_id) for r in plan.runs for s in r.planned_stops]


def test_the_demo_days_plan_is_the_same_on_two_runs_and_every_home_worker_is_visited_or_listed(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ws = seed_demo().workshop
    seed_demo_logistics(ws)
    head = ws.head
    clerk_of = {p.firm_id: p.firm.staff.first().user for p in ws.pairings.select_related("firm")}
    pairing = ws.pairings.select_related("firm").first()
    line = pairing.firm.lines.first()
    home = list(ws.workers.filter(work_place=WorkPlace.HOME, active=True).order_by("pk"))
    job = services.job_issue(
        actor=clerk_of[pairing.firm_id],
        workshop=ws,
        line=line,
        title="演示日",
        process_kind=line.process_kind,
        quantity=40 * len(home),
        piece_rate="0.0500",
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    services.job_accept(actor=head, job=job)
    for worker in home:
        a = services.assignment_offer(job=job, worker=worker, pieces=40)
        services.assignment_accept(actor=worker.user, assignment=a)
        services.work_report(actor=worker.user, assignment=a, pieces=40, key=uuid.uuid4().hex)

    # Planned in the morning (the demo's home hours count from the depot's start whatever the clock says).
    morning = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(7, 0)))
    first = logistics.runs_plan(workshop=ws, actor=head, now=morning)
    again = logistics.runs_plan(workshop=ws, actor=head, now=morning)

    assert _order(first) == _order(again) and len(_order(first)) > 0
    visited = {s.worker_id for r in again.runs for s in r.planned_stops}
    left = {s.worker_id for s in again.unscheduled}
    assert visited | left == {w.pk for w in home} and not visited & left
    assert all(s.reason for s in Stop.objects.filter(state=StopState.UNSCHEDULED))
