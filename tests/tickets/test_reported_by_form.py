"""A worker who reports her pieces with the phone's form instead of scanning: her share's bundle tickets
count as reported on the head's job page, first bundles first, as many as those pieces fill whole (the
flow knows nothing of tickets: it is a read, nothing of the ticket is written)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from dispatch.models import WorkReport
from dispatch.services import report_undo, work_report
from tests.tickets.helpers import printed_share
from tickets import services as tickets
from tickets.models import BundleTicket
from tickets.selectors import sheet_tickets, ticket_summaries, with_shown_state

pytestmark = pytest.mark.django_db


def _summary(page: str, a) -> str:
    found = re.search(rf'data-ticket-summary="{a.pk}">([^<]+)<', page)
    return found.group(1) if found else ""


def _form_report(client, a, pieces: int, key: str, **extra):
    return client.post(f"/m/a/{a.pk}/report/", {"pieces": pieces, "key": key, **extra})


def test_bundles_reported_with_the_form_are_no_longer_to_report_on_the_heads_job_page(
    client, cast, issue_job
):
    a, printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)  # bundles of 50, 50 and 20
    client.force_login(cast.alice.user)

    assert _form_report(client, a, 60, "form-1").status_code == 302  # the first bundle and 10 of the next
    client.force_login(cast.head)
    page = client.get(f"/dashboard/jobs/{a.job_id}/").content.decode()

    assert _summary(page, a) == "待报工 2 张 · 已报工 1 张"
    assert "作废未报工的 2 张,重新打印" in page
    # Nothing was scanned: the firm has no bundle to inspect by ticket yet.
    assert 'data-link="bundles"' not in page
    assert list(BundleTicket.objects.values_list("state", flat=True)) == ["open"] * 3  # nothing written

    client.force_login(cast.alice.user)
    _form_report(client, a, 60, "form-2", confirmed=1)  # the last pieces: she confirms she is done
    client.force_login(cast.head)
    page = client.get(f"/dashboard/jobs/{a.job_id}/").content.decode()

    a.refresh_from_db()
    assert a.pieces_reported == 120
    assert _summary(page, a) == "待报工 0 张 · 已报工 3 张"


def test_scanned_and_form_reports_together_cover_the_bundles_in_order(cast, issue_job):
    a, printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    tickets.ticket_report(actor=cast.alice.user, ticket=printed[1])  # the second bundle, scanned
    work_report(actor=cast.alice.user, assignment=a, pieces=50, key="form-1")  # then 50 with the form

    summary = ticket_summaries(a.job)[a.pk]
    assert (summary.open, summary.reported, summary.scanned, summary.open_pieces) == (1, 2, 1, 20)
    assert [t.number for t in sheet_tickets(a)] == [3]  # the sheet prints only what is still to report


def test_pieces_reported_before_the_print_do_not_cover_its_tickets(cast, issue_job):
    a, _printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    work_report(actor=cast.alice.user, assignment=a, pieces=20, key="form-1")
    tickets.tickets_reprint(actor=cast.head, assignment=a, run=1)  # 100 still to do: bundles of 50 and 50

    summary = ticket_summaries(a.job)[a.pk]
    assert (summary.open, summary.reported, summary.void, summary.run) == (2, 0, 3, 2)


def test_a_reprint_keeps_the_bundles_the_form_reported_and_voids_only_those_to_report(cast, issue_job):
    a, printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    work_report(actor=cast.alice.user, assignment=a, pieces=50, key="form-1")

    new = tickets.tickets_reprint(actor=cast.head, assignment=a, run=1)

    states = dict(BundleTicket.objects.filter(run=1).values_list("number", "state"))
    assert states == {1: "open", 2: "void", 3: "void"}
    assert [t.pieces for t in new] == [50, 20]
    summary = ticket_summaries(a.job)[a.pk]
    assert (summary.open, summary.reported, summary.void) == (2, 1, 2)


def test_an_undone_form_report_puts_its_bundle_back_to_report(cast, issue_job):
    a, _printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    report, _ = work_report(actor=cast.alice.user, assignment=a, pieces=50, key="form-1")
    assert ticket_summaries(a.job)[a.pk].reported == 1

    report_undo(actor=cast.alice.user, report=report)

    assert WorkReport.objects.filter(reverses=report).exists()
    assert ticket_summaries(a.job)[a.pk].reported == 0


def test_a_bundle_her_form_already_covers_says_so_when_she_scans_it_and_offers_no_button(
    client, cast, issue_job
):
    a, (first, second, third) = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    client.force_login(cast.alice.user)
    _form_report(client, a, 60, "form-1")  # covers the first bundle; 10 of the second

    covered = client.get(f"/m/b/{first.token}/").content.decode()
    still_open = client.get(f"/m/b/{second.token}/").content.decode()

    assert "您之前报的件数已经把它算上了" in covered
    assert "这一扎做完了" not in covered and f"/m/b/{first.token}/done/" not in covered
    assert 'data-bundle-state="reported"' in covered
    # 60 still to do: the third bundle's 20 and 40 of the second, which its button reports.
    assert 'data-key="bundle-left">40</span> 件没报' in still_open
    assert "这一扎做完了(40 件)" in still_open


def test_tapping_a_bundle_her_form_already_covers_is_refused_in_words_and_counts_nothing(
    client, cast, issue_job
):
    a, (first, *_rest) = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    client.force_login(cast.alice.user)
    _form_report(client, a, 60, "form-1")
    before = (WorkReport.objects.count(), list(BundleTicket.objects.values_list("state", flat=True)))

    page = client.post(f"/m/b/{first.token}/done/", follow=True).content.decode()

    assert "这一扎的件数您之前已经报过了" in page
    a.refresh_from_db()
    assert a.pieces_reported == 60  # not 110
    assert (WorkReport.objects.count(), list(BundleTicket.objects.values_list("state", flat=True))) == before


def test_the_service_refuses_a_ticket_report_for_a_bundle_shown_reported(cast, issue_job):
    a, printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    work_report(actor=cast.alice.user, assignment=a, pieces=60, key="form-1")  # covers the first bundle

    with pytest.raises(ValidationError, match="之前已经报过了"):
        tickets.ticket_report(actor=cast.alice.user, ticket=printed[0])

    a.refresh_from_db()
    assert a.pieces_reported == 60
    assert not BundleTicket.objects.filter(state="reported").exists()


def _pieces_left(a) -> list[tuple[int, str, int]]:
    tickets_shown = with_shown_state(BundleTicket.objects.filter(assignment=a)).order_by("run", "number")
    return [(t.number, t.shown_state, t.pieces_left) for t in tickets_shown]


def test_a_bundle_her_form_covers_in_part_holds_only_the_pieces_still_to_do(cast, issue_job):
    a, _printed = printed_share(cast, issue_job, pieces=120, bundle_size=50)  # bundles of 50, 50 and 20
    work_report(actor=cast.alice.user, assignment=a, pieces=90, key="form-1")  # 30 left

    assert _pieces_left(a) == [(1, "reported", 0), (2, "open", 10), (3, "open", 20)]


def test_scanning_the_bundles_left_after_her_form_reports_finishes_her_share_exactly(client, cast, issue_job):
    a, (first, second, third) = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    client.force_login(cast.alice.user)
    _form_report(client, a, 90, "form-1")  # the first bundle and 40 of the second: 30 left

    page = client.get(f"/m/b/{second.token}/").content.decode()
    assert 'data-key="bundle-pieces">50<' in page  # the bundle as printed
    assert 'data-key="bundle-left">10</span> 件没报' in page  # what she still has to report of it
    assert "这一扎做完了(10 件)" in page

    page = client.post(f"/m/b/{second.token}/done/", follow=True).content.decode()
    assert "第 2/3 扎的 10 件已经记上。" in page
    assert "最多还能报" not in page
    page = client.post(f"/m/b/{third.token}/done/", follow=True).content.decode()
    assert "第 3/3 扎的 20 件已经记上。" in page

    a.refresh_from_db()
    assert (a.pieces_reported, a.state) == (120, "done")
    assert list(WorkReport.objects.filter(assignment=a).order_by("pk").values_list("pieces", flat=True)) == [
        90,
        10,
        20,
    ]
    assert _pieces_left(a) == [(1, "reported", 0), (2, "reported", 0), (3, "reported", 0)]


def test_a_whole_bundle_still_to_report_shows_no_pieces_left_line(client, cast, issue_job):
    a, (first, *_rest) = printed_share(cast, issue_job, pieces=120, bundle_size=50)
    client.force_login(cast.alice.user)

    page = client.get(f"/m/b/{first.token}/").content.decode()

    assert "这一扎做完了(50 件)" in page
    assert "bundle-left" not in page
