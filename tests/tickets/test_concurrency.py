"""Bundle tickets raced for real on PostgreSQL (threads with their own connections, released together at
a barrier; see tests/dispatch/test_concurrency.py): two scans of one ticket at once give one report, and
a scan racing a reprint either reports the bundle or is refused as void, never both."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from dispatch.models import Assignment, WorkReport
from tests.dispatch.test_concurrency import race
from tests.tickets.helpers import printed_share
from tickets import services as tickets
from tickets.models import BundleTicket, TicketState


def test_two_scans_of_one_ticket_at_once_give_one_report(
    postgres_only, transactional_db, cast, issue_job, published
):
    share, (one, *_rest) = printed_share(cast, issue_job, pieces=120, bundle_size=50)

    outcomes = race(
        lambda: tickets.ticket_report(actor=cast.alice.user, ticket=one.pk),
        lambda: tickets.ticket_report(actor=cast.alice.user, ticket=one.pk),
    )

    assert all(kind == "ok" for kind, _value in outcomes), outcomes
    assert sorted(counted for _kind, (_ticket, counted) in outcomes) == [False, True]
    assert WorkReport.objects.filter(assignment=share).count() == 1
    assert Assignment.objects.get(pk=share.pk).pieces_reported == 50
    ticket = BundleTicket.objects.get(pk=one.pk)
    assert ticket.state == TicketState.REPORTED and ticket.report.key == f"bundle:{one.pk}"


def test_many_scans_of_a_shares_tickets_at_once_count_each_bundle_once(
    postgres_only, transactional_db, cast, issue_job, published
):
    share, printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)

    outcomes = race(
        *[lambda t=t: tickets.ticket_report(actor=cast.alice.user, ticket=t.pk) for t in printed * 2]
    )

    assert all(kind == "ok" for kind, _value in outcomes), outcomes
    assert sum(counted for _kind, (_ticket, counted) in outcomes) == 3
    share.refresh_from_db()
    assert share.pieces_reported == 120 and share.state == "done"
    assert WorkReport.objects.filter(assignment=share).count() == 3


def test_a_scan_racing_a_reprint_reports_the_bundle_or_is_refused_as_void(
    postgres_only, transactional_db, cast, issue_job, published
):
    share, (one, *_rest) = printed_share(cast, issue_job, pieces=120, bundle_size=50)

    scan, reprint = race(
        lambda: tickets.ticket_report(actor=cast.alice.user, ticket=one.pk),
        lambda: tickets.tickets_reprint(actor=cast.head, assignment=share.pk, run=1),
    )

    assert reprint[0] == "ok", reprint
    share.refresh_from_db()
    on_open = sum(
        BundleTicket.objects.filter(assignment=share, state="open").values_list("pieces", flat=True)
    )
    if scan[0] == "ok":  # the scan went first: the reprint covers the 70 pieces left
        assert share.pieces_reported == 50 and on_open == 70
        assert BundleTicket.objects.get(pk=one.pk).state == TicketState.REPORTED
    else:  # the reprint went first: the old ticket is void and counts nothing
        assert isinstance(scan[1], ValidationError)
        assert share.pieces_reported == 0 and on_open == 120
        assert BundleTicket.objects.get(pk=one.pk).state == TicketState.VOID
    assert share.pieces_reported + on_open == share.pieces
