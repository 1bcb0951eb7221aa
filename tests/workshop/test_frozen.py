"""A worker's busiest reads are compiled to SQL once per process (workshop.frozen) and then run with her
values: the rows are the ones the queryset gives (dates, times, Decimals, model rows), on SQLite and on
PostgreSQL, every statement is still counted, and a read whose SQL would change with the values, or that
hides a clock, is refused the first time it is used."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch.models import Assignment, Inspection, InspectionResult
from mobile.selectors import _month_results_of
from notices.selectors import unread_count
from pay import monthly
from pay.models import PayLine
from tests.mobile.conftest import accepted_job, in_hand, inspect_and_book, offer, report
from workshop.dates import local_midnight, month_start, next_month
from workshop.frozen import Frozen, FrozenQueryError, frozen

pytestmark = pytest.mark.django_db


def _month(day: dt.date) -> tuple:
    first = month_start(day)
    nxt = next_month(first)
    return first, nxt, local_midnight(first), local_midnight(nxt)


def test_her_month_of_results_reads_as_its_queryset_this_month_and_last(cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=20)
    a, b = in_hand(job, cast.alice, 10), in_hand(job, cast.bob, 10)
    report(a, 10)
    report(b, 10)
    # alice: 7 passed, 3 rejected (2 sent back for rework); bob: nothing passed (no pay line).
    inspect_and_book(cast, job, {a.pk: (7, 3, 2, "色差"), b.pk: (0, 10, 0, "划伤")})
    today = timezone.localdate()
    for worker in (cast.alice, cast.bob, cast.carol):
        for day in (today, month_start(today) - dt.timedelta(days=1)):
            args = (worker.pk, *_month(day))
            assert _month_results_of(*args) == list(_month_results_of.build(*args))
    rows = _month_results_of(cast.alice.pk, *_month(today))
    paid = PayLine.objects.get(worker=cast.alice).amount
    assert [(r[5], r[6], r[7], r[8], r[9], r[10]) for r in rows] == [(10, 7, 3, 2, "色差", paid)]
    (bob_row,) = _month_results_of(cast.bob.pk, *_month(today))
    assert bob_row[6] == 0 and bob_row[9] == "划伤" and bob_row[10] is None
    assert _month_results_of(cast.alice.pk, *_month(month_start(today) - dt.timedelta(days=1))) == []


def test_her_months_and_her_unread_count_are_hers(cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=10)
    a = in_hand(job, cast.alice, 10)
    report(a, 10)
    inspect_and_book(cast, job, {a.pk: (10, 0, 0, "")})
    (month, pieces, amount) = monthly.months_of(cast.alice.pk)[0]
    paid = PayLine.objects.get(worker=cast.alice).amount
    assert (month, pieces, amount) == (month_start(timezone.localdate()), 10, paid)
    assert monthly.months_of(cast.bob.pk) == []
    assert monthly.months_of(cast.alice.pk, limit=1) == monthly.months_of(cast.alice.pk)
    offer(accepted_job(cast, issue_job), cast.bob)
    assert unread_count(cast.bob.user) >= 1
    assert unread_count(cast.carol.user) == 0
    from notices.models import Notification

    for user in (cast.alice.user, cast.bob.user, cast.head):
        assert unread_count(user) == Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def test_model_rows_and_flat_values_come_back_as_django_gives_them(cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=20)
    in_hand(job, cast.alice, 10)

    @frozen(int, dt.date)
    def shares(worker_id, due):
        return Assignment.objects.filter(worker_id=worker_id, due_on__gte=due).order_by("pk")

    @frozen(int)
    def share_ids(worker_id):
        return Assignment.objects.filter(worker_id=worker_id).order_by("pk").values_list("pk", flat=True)

    (row,) = shares(cast.alice.pk, timezone.localdate())
    plain = Assignment.objects.get(pk=row.pk)
    assert isinstance(row, Assignment) and row._state.adding is False and row._state.db == "default"
    assert (row.pieces, row.due_on, row.offered_at, row.state) == (
        plain.pieces,
        plain.due_on,
        plain.offered_at,
        plain.state,
    )
    assert shares(cast.alice.pk, job.due_on + dt.timedelta(days=1)) == []
    assert share_ids(cast.alice.pk) == [plain.pk] and share_ids(cast.bob.pk) == []


def test_each_run_is_one_counted_statement_and_the_sql_is_made_once(cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=10)
    a = in_hand(job, cast.alice, 10)
    report(a, 10)
    inspect_and_book(cast, job, {a.pk: (10, 0, 0, "")})
    calls = []

    def build(worker_id):
        calls.append(worker_id)
        return InspectionResult.objects.filter(assignment__worker_id=worker_id).values_list("pieces_passed")

    read = Frozen(build, [int])
    with CaptureQueriesContext(connection) as seen:
        for worker in (cast.alice, cast.bob, cast.alice):
            read(worker.pk)
    assert len(seen.captured_queries) == 3
    assert len(calls) == 2  # built twice, with two sets of stand-ins, at the first use only
    assert read(cast.alice.pk) == [(10,)]


def test_a_read_whose_sql_or_values_would_be_baked_in_is_refused():
    @frozen(int)
    def with_a_clock(worker_id):
        return Assignment.objects.filter(worker_id=worker_id, offered_at__lte=timezone.now()).values_list(
            "pk"
        )

    @frozen(int)
    def ignoring_its_value(worker_id):
        return Assignment.objects.filter(worker_id=1).values_list("pk")

    @frozen(int)
    def a_list_of_its_length(n):
        return Assignment.objects.filter(worker_id__in=list(range(abs(n) % 3 + 1))).values_list("pk")

    @frozen(int)
    def with_a_second_read(workshop_id):
        return Inspection.objects.filter(job__workshop_id=workshop_id).prefetch_related("results")

    for read, words in (
        (with_a_clock, "changes by itself"),
        (ignoring_its_value, "not at all"),
        (a_list_of_its_length, "SQL changes"),
        (with_a_second_read, "no prefetch_related"),
    ):
        with pytest.raises(FrozenQueryError, match=words):
            read(1)
    with pytest.raises(TypeError, match="takes 1 values, got 2"):
        ignoring_its_value(1, 2)


def test_her_open_shares_come_with_their_job_firm_and_collected_pieces(cast, issue_job):
    from mobile.selectors import _open_shares_of, _uninspected_shares_of

    job = accepted_job(cast, issue_job, quantity=30)
    a = in_hand(job, cast.alice, 10)
    report(a, 4)
    offer(accepted_job(cast, issue_job, title="包装盒折叠"), cast.alice)

    def seen(rows):
        return sorted(
            (r.pk, r.state, r.pieces_reported, r.job.title, r.job.line.firm.name, r.pieces_collected)
            for r in rows
        )

    for read in (_open_shares_of, _uninspected_shares_of):
        for worker in (cast.alice, cast.bob):
            assert seen(read(worker.pk)) == seen(read.build(worker.pk))
    mine = seen(_open_shares_of(cast.alice.pk))
    expected = [("accepted", 4, "开关面板装配"), ("offered", 0, "包装盒折叠")]
    assert [(r[1], r[2], r[3]) for r in mine] == expected
    assert {r[4] for r in mine} == {cast.firm.name} and {r[5] for r in mine} == {0}
    assert [r[0] for r in seen(_uninspected_shares_of(cast.alice.pk))] == [a.pk]


def test_a_share_id_no_database_holds_is_not_found_not_an_error(client, cast, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 10)
    client.force_login(cast.alice.user)
    assert client.get(f"/m/a/{a.pk}/").status_code == 200
    for pk in (10**20, 2**63, 0):
        assert client.get(f"/m/a/{pk}/").status_code == 404
        assert client.post(f"/m/a/{pk}/report/", {"pieces": 1, "key": "k"}).status_code == 404
    client.force_login(cast.bob.user)
    assert client.get(f"/m/a/{a.pk}/").status_code == 404  # hers, not his
