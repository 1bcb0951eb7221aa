"""Bundle tickets' services: printing a share's tickets, reprinting, reporting a bundle in one tap, and
the rules the database holds (one report per ticket, bundle size > 0)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dispatch import services
from dispatch.models import Assignment, AssignmentState, Job, WorkReport
from tests.lots import completed, hand_over
from tests.tickets.helpers import accepted_share, printed_share
from tickets import services as tickets
from tickets.models import BundleTicket, TicketState

pytestmark = pytest.mark.django_db


def test_bundle_sizes_split_pieces_and_the_last_bundle_holds_the_remainder():
    assert tickets.bundle_sizes(120, 50) == [50, 50, 20]
    assert tickets.bundle_sizes(100, 50) == [50, 50]
    assert tickets.bundle_sizes(7, 50) == [7]
    assert tickets.bundle_sizes(0, 50) == []


def test_a_share_prints_one_ticket_per_bundle_of_the_jobs_size(cast, issue_job):
    a, printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)

    assert [(t.number, t.count, t.pieces) for t in printed] == [(1, 3, 50), (2, 3, 50), (3, 3, 20)]
    assert all(t.state == TicketState.OPEN and t.run == 1 and t.printed_by == cast.head for t in printed)
    assert all(t.job_id == a.job_id and t.assignment_id == a.pk for t in printed)
    tokens = [t.token for t in printed]
    assert len(set(tokens)) == 3
    assert all(len(tok) == 16 and tok != str(t.pk) for tok, t in zip(tokens, printed, strict=True))


def test_the_bundle_size_defaults_to_50(cast, issue_job):
    job = issue_job(quantity=10)
    assert job.bundle_size == 50


def test_printing_again_returns_the_same_open_tickets(cast, issue_job):
    a, first = printed_share(cast, issue_job)

    again = tickets.tickets_print(actor=cast.head, assignment=a)

    assert [t.pk for t in again] == [t.pk for t in first]
    assert BundleTicket.objects.count() == 3


@pytest.mark.parametrize("who", ["other_head", "clerk", "eve", "alice"])
def test_only_the_head_of_the_jobs_workshop_prints_tickets(cast, issue_job, who):
    a = accepted_share(cast, issue_job)
    actor = {
        "other_head": cast.mallory.workshop.head,
        "clerk": cast.clerk,
        "eve": cast.eve,
        "alice": cast.alice.user,
    }[who]

    with pytest.raises(PermissionDenied):
        tickets.tickets_print(actor=actor, assignment=a)
    with pytest.raises(PermissionDenied):
        tickets.tickets_reprint(actor=actor, assignment=a, run=0)
    assert not BundleTicket.objects.exists()


def test_a_share_not_yet_accepted_has_no_tickets_to_print(cast, issue_job):
    job = issue_job(quantity=100)
    services.job_accept(actor=cast.head, job=job)
    offered = services.assignment_offer(job=job, worker=cast.alice, pieces=100)

    with pytest.raises(ValidationError, match="已接下"):
        tickets.tickets_print(actor=cast.head, assignment=offered)
    assert not BundleTicket.objects.exists()


def test_a_reprint_voids_the_unreported_tickets_and_prints_the_pieces_still_to_do(cast, issue_job):
    a, (one, two, three) = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    tickets.ticket_report(actor=cast.alice.user, ticket=one)

    new = tickets.tickets_reprint(actor=cast.head, assignment=a, run=1)

    assert [(t.run, t.number, t.count, t.pieces) for t in new] == [(2, 1, 2, 50), (2, 2, 2, 20)]
    states = dict(BundleTicket.objects.values_list("pk", "state"))
    assert states[one.pk] == TicketState.REPORTED  # already reported: stays
    assert states[two.pk] == states[three.pk] == TicketState.VOID
    assert BundleTicket.objects.get(pk=two.pk).voided_at is not None
    assert not {t.token for t in new} & {one.token, two.token, three.token}


def test_a_reprint_from_a_stale_page_voids_nothing(cast, issue_job):
    a, _first = printed_share(cast, issue_job)
    second = tickets.tickets_reprint(actor=cast.head, assignment=a, run=1)

    again = tickets.tickets_reprint(actor=cast.head, assignment=a, run=1)  # a double click on "reprint"

    assert [t.pk for t in again] == [t.pk for t in second]
    assert BundleTicket.objects.filter(state=TicketState.OPEN).count() == 3
    assert BundleTicket.objects.filter(state=TicketState.VOID).count() == 3


def test_a_worker_reports_a_bundle_and_a_second_scan_counts_nothing(cast, issue_job):
    a, (one, *_rest) = printed_share(cast, issue_job)

    ticket, counted = tickets.ticket_report(actor=cast.alice.user, ticket=one)
    again, counted_again = tickets.ticket_report(actor=cast.alice.user, ticket=one.pk)

    assert counted and not counted_again
    a.refresh_from_db()
    assert a.pieces_reported == 50
    report = WorkReport.objects.get()
    assert report.key == f"bundle:{one.pk}" and report.pieces == 50 and report.reported_by == cast.alice.user
    assert ticket.report == report and again.report_id == report.pk
    assert BundleTicket.objects.get(pk=one.pk).state == TicketState.REPORTED


def test_the_last_bundle_finishes_the_share(cast, issue_job):
    a, printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)

    for t in printed:
        tickets.ticket_report(actor=cast.alice.user, ticket=t)

    a.refresh_from_db()
    assert a.pieces_reported == 120 and a.state == AssignmentState.DONE


def test_a_void_ticket_is_refused_in_words_and_nothing_is_written(cast, issue_job):
    a, (one, *_rest) = printed_share(cast, issue_job)
    tickets.tickets_reprint(actor=cast.head, assignment=a, run=1)

    with pytest.raises(ValidationError, match="作废"):
        tickets.ticket_report(actor=cast.alice.user, ticket=one)
    assert not WorkReport.objects.exists()
    a.refresh_from_db()
    assert a.pieces_reported == 0


@pytest.mark.parametrize("who", ["bob", "mallory", "head", "clerk"])
def test_another_persons_scan_of_a_ticket_counts_nothing(cast, issue_job, who):
    _a, (one, *_rest) = printed_share(cast, issue_job)
    actor = {"bob": cast.bob.user, "mallory": cast.mallory.user, "head": cast.head, "clerk": cast.clerk}[who]

    with pytest.raises(PermissionDenied):
        tickets.ticket_report(actor=actor, ticket=one)
    assert not WorkReport.objects.exists()
    assert BundleTicket.objects.get(pk=one.pk).state == TicketState.OPEN


def test_a_ticket_of_a_share_no_longer_in_hand_is_refused(cast, issue_job):
    a, (one, two, three) = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    # The worker reported everything on the share's own page instead: the share is done.
    services.work_report(actor=cast.alice.user, assignment=a, pieces=120, key="by-hand")

    # Her report covers every bundle: each is shown reported, and scanning one counts it no second time.
    with pytest.raises(ValidationError, match="之前已经报过了"):
        tickets.ticket_report(actor=cast.alice.user, ticket=one)
    assert WorkReport.objects.count() == 1


def test_a_ticket_her_form_covers_in_part_reports_only_the_rest(cast, issue_job):
    a, (one, two, three) = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    services.work_report(actor=cast.alice.user, assignment=a, pieces=90, key="by-hand")

    # The 90 cover the first bundle and 40 of the second: the 30 still to do are 10 of the second and
    # the third's 20. Scanning the second reported its 50 and was refused ("最多还能报 30 件").
    ticket, counted = tickets.ticket_report(actor=cast.alice.user, ticket=two)

    assert counted and ticket.report.pieces == 10
    assert BundleTicket.objects.get(pk=two.pk).state == TicketState.REPORTED
    a.refresh_from_db()
    assert a.pieces_to_do == 20
    tickets.ticket_report(actor=cast.alice.user, ticket=three)
    a.refresh_from_db()
    assert (a.pieces_reported, a.state) == (120, AssignmentState.DONE)


def test_a_share_fully_reported_has_nothing_to_print(cast, issue_job):
    a = accepted_share(cast, issue_job, pieces=120)
    services.work_report(actor=cast.alice.user, assignment=a, pieces=120, key="by-hand")

    with pytest.raises(ValidationError):
        tickets.tickets_print(actor=cast.head, assignment=a)


def test_a_rework_share_prints_its_own_tickets(cast, issue_job):
    a, printed = printed_share(cast, issue_job, pieces=60, bundle_size=50)
    for t in printed:
        tickets.ticket_report(actor=cast.alice.user, ticket=t)
    job = a.job
    completed(job)
    hand_over(job)
    inspection = services.job_inspect(
        actor=cast.clerk,
        job=job,
        results=[services.ResultInput(assignment_id=a.pk, passed=40, rejected=20, rework=20, reason="脱线")],
    )
    services.inspection_book(inspection=inspection)
    rework = Assignment.objects.get(kind="rework")

    reprinted = tickets.tickets_print(actor=cast.head, assignment=rework)

    assert [(t.number, t.pieces) for t in reprinted] == [(1, 20)]


def test_one_report_per_ticket_is_enforced_by_the_database(cast, issue_job):
    _a, (one, two, _three) = printed_share(cast, issue_job)
    report, _ = tickets.ticket_report(actor=cast.alice.user, ticket=one)
    report = report.report

    with pytest.raises(IntegrityError), transaction.atomic():
        BundleTicket.objects.filter(pk=two.pk).update(
            state=TicketState.REPORTED, report=report, reported_at=report.at
        )


def test_a_reported_ticket_without_its_report_is_refused_by_the_database(cast, issue_job):
    _a, (one, *_rest) = printed_share(cast, issue_job)

    with pytest.raises(IntegrityError), transaction.atomic():
        BundleTicket.objects.filter(pk=one.pk).update(state=TicketState.REPORTED)


@pytest.mark.parametrize("size", [0, -5, "x"])
def test_a_job_with_no_pieces_per_bundle_is_refused(cast, issue_job, size):
    with pytest.raises(ValidationError):
        issue_job(quantity=100, bundle_size=size)
    assert not Job.objects.exists()


def test_the_database_refuses_a_bundle_size_of_zero(cast, issue_job):
    job = issue_job(quantity=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.filter(pk=job.pk).update(bundle_size=0)
