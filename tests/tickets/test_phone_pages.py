"""The phone page a bundle ticket's QR opens (``/m/b/<token>/``): the bundle for its own worker, reported
in one tap, counted once; an unknown, foreign or void ticket refused in words with nothing written."""

from __future__ import annotations

import pytest

from dispatch.models import Assignment, WorkReport
from tests.tickets.helpers import printed_share
from tickets import services as tickets
from tickets.models import BundleTicket, TicketState

pytestmark = pytest.mark.django_db


@pytest.fixture
def share(cast, issue_job):
    return printed_share(cast, issue_job, pieces=120, bundle_size=50)


def _written() -> tuple:
    return (
        WorkReport.objects.count(),
        list(Assignment.objects.order_by("pk").values_list("pieces_reported", "state")),
        list(BundleTicket.objects.order_by("pk").values_list("state", "report_id")),
    )


def test_a_scanned_ticket_opens_the_bundle_for_its_worker(client, cast, share):
    _a, (one, *_rest) = share
    client.force_login(cast.alice.user)

    page = client.get(f"/m/b/{one.token}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "开关面板装配" in html and "扎票:第 1/3 扎" in html
    assert 'data-key="bundle-pieces">50<' in html
    assert "这一扎做完了(50 件)" in html
    assert f'action="/m/b/{one.token}/done/"' in html


def test_one_tap_reports_the_bundle_and_a_second_tap_counts_nothing(client, cast, share):
    a, (one, *_rest) = share
    client.force_login(cast.alice.user)

    first = client.post(f"/m/b/{one.token}/done/", follow=True)
    second = client.post(f"/m/b/{one.token}/done/", follow=True)

    assert "第 1/3 扎的 50 件已经记上" in first.content.decode()
    assert "已经报过工了,没有重复计数" in second.content.decode()
    assert "再扫也不会重复计数" in second.content.decode()
    a.refresh_from_db()
    assert a.pieces_reported == 50
    assert WorkReport.objects.get().key == f"bundle:{one.pk}"


def test_an_unknown_token_is_refused_in_words_and_nothing_is_written(client, cast, share):
    client.force_login(cast.alice.user)
    before = _written()

    for response in (client.get("/m/b/NoSuchTicket0000/"), client.post("/m/b/NoSuchTicket0000/done/")):
        assert response.status_code == 404
        assert "找不到这张扎票" in response.content.decode()
    assert _written() == before


@pytest.mark.parametrize("who", ["bob", "mallory"])
def test_another_workers_ticket_is_refused_like_an_unknown_one(client, cast, share, who):
    _a, (one, *_rest) = share
    client.force_login(getattr(cast, who).user)
    before = _written()

    page = client.get(f"/m/b/{one.token}/")
    tapped = client.post(f"/m/b/{one.token}/done/")

    assert page.status_code == tapped.status_code == 404
    assert "找不到这张扎票" in page.content.decode()
    assert "开关面板装配" not in page.content.decode()  # nothing of the bundle leaks
    assert _written() == before


def test_a_void_ticket_says_so_in_words_and_counts_nothing(client, cast, share):
    a, (one, *_rest) = share
    tickets.tickets_reprint(actor=cast.head, assignment=a, run=1)
    client.force_login(cast.alice.user)
    before = _written()

    page = client.get(f"/m/b/{one.token}/")
    tapped = client.post(f"/m/b/{one.token}/done/", follow=True)

    assert page.status_code == 410
    assert "这张扎票已经作废了" in page.content.decode()
    assert "这一扎做完了" not in page.content.decode()
    assert "已经作废了(坊长重新打印过)" in tapped.content.decode()
    assert _written() == before


def test_a_scan_before_signing_in_goes_to_sign_in_and_back_to_the_bundle(client, cast, share):
    _a, (one, *_rest) = share

    response = client.get(f"/m/b/{one.token}/")

    assert response.status_code == 302
    assert response["Location"] == f"/m/login/?next=/m/b/{one.token}/"


def test_the_head_scanning_a_ticket_gets_the_workers_only_page(client, cast, share):
    _a, (one, *_rest) = share
    client.force_login(cast.head)
    before = _written()

    assert client.get(f"/m/b/{one.token}/").status_code == 403
    assert client.post(f"/m/b/{one.token}/done/").status_code == 403
    assert _written() == before


def test_reporting_is_post_only(client, cast, share):
    _a, (one, *_rest) = share
    client.force_login(cast.alice.user)

    assert client.get(f"/m/b/{one.token}/done/").status_code == 405
    assert BundleTicket.objects.get(pk=one.pk).state == TicketState.OPEN


@pytest.mark.parametrize("bundle_size", [50, 5])
def test_the_bundle_page_costs_fixed_queries_however_many_bundles_the_share_has(
    client, cast, issue_job, django_assert_num_queries, bundle_size
):
    a, (one, *_rest) = printed_share(cast, issue_job, pieces=120, bundle_size=bundle_size)
    client.force_login(cast.alice.user)
    client.post(f"/m/a/{a.pk}/report/", {"pieces": 60, "key": "form-1"})  # her form covers the first bundles

    # session, user with her worker row, the ticket with its share, job and shown state, unread
    with django_assert_num_queries(4):
        page = client.get(f"/m/b/{one.token}/")

    assert 'data-bundle-state="reported"' in page.content.decode()
