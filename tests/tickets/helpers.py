"""Helpers for the bundle-ticket tests: a share in hand with its tickets printed, and a job whose bundles
were all reported by ticket and sent for inspection, taken through the real services."""

from __future__ import annotations

from dispatch import services
from dispatch.models import Assignment, Job
from tests.lots import completed, hand_over
from tickets import services as tickets


def accepted_share(
    cast, issue_job, worker=None, pieces: int = 120, bundle_size: int = 50, **kw
) -> Assignment:
    """``worker``'s (alice's) accepted share of ``pieces`` of a new job (of ``quantity``, or ``pieces``)."""
    worker = worker or cast.alice
    job = issue_job(quantity=kw.pop("quantity", pieces), bundle_size=bundle_size, **kw)
    services.job_accept(actor=cast.head, job=job)
    a = services.assignment_offer(job=job, worker=worker, pieces=pieces)
    services.assignment_accept(actor=worker.user, assignment=a)
    a.refresh_from_db()
    return a


def printed_share(cast, issue_job, **kw):
    """An accepted share and its printed tickets (the head's first print)."""
    a = accepted_share(cast, issue_job, **kw)
    return a, tickets.tickets_print(actor=cast.head, assignment=a)


def bundled_job_in_inspection(cast, issue_job, pieces=(120, 60), bundle_size: int = 50) -> tuple[Job, list]:
    """A job shared by alice and bob (``pieces`` each), every bundle printed and reported by ticket, the
    job completed and sent for inspection. Returns the job and its tickets by share and number."""
    job = issue_job(quantity=sum(pieces), bundle_size=bundle_size)
    services.job_accept(actor=cast.head, job=job)
    all_tickets = []
    for worker, n in zip((cast.alice, cast.bob), pieces, strict=False):
        a = services.assignment_offer(job=job, worker=worker, pieces=n)
        services.assignment_accept(actor=worker.user, assignment=a)
        for t in tickets.tickets_print(actor=cast.head, assignment=a):
            tickets.ticket_report(actor=worker.user, ticket=t)
            t.refresh_from_db()
            all_tickets.append(t)
    completed(job)
    hand_over(job)
    job.refresh_from_db()
    return job, all_tickets
