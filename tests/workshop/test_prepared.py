"""A worker's Today, Earnings and Messages prepare their reads on PostgreSQL (workshop.prepared): planned
once per connection instead of at every request (a county worker's Earnings spent 2 of its 9 ms planning
one statement). What she sees is the same, every statement is still counted, and nothing outside those
pages is prepared."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dispatch.models import Job
from tests.mobile.conftest import accepted_job, in_hand, inspect_and_book, offer, report
from workshop.prepared import prepared

pytestmark = pytest.mark.django_db


def _prepared_statements() -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cur.fetchall()]


def _deallocate_all() -> None:
    connection.ensure_connection()
    connection.connection.execute("DEALLOCATE ALL")
    connection.connection._prepared.clear()


@pytest.mark.usefixtures("postgres_only")
def test_her_pages_read_through_prepared_statements_and_show_the_same(client, cast, issue_job):
    offer(accepted_job(cast, issue_job), cast.alice)
    report(in_hand(accepted_job(cast, issue_job), cast.alice, 5), 2)
    client.force_login(cast.alice.user)
    shown = {}
    for url, read in (
        ("/m/", 'FROM "dispatch_assignment"'),  # her shares
        ("/m/earnings/", 'FROM "pay_workermonth"'),  # her months
        ("/m/inbox/", 'SELECT "dispatch_notification"."id"'),  # her messages
    ):
        _deallocate_all()
        shown[url] = client.get(url).content.decode()
        statements = _prepared_statements()
        assert any(read in s for s in statements), url
        # Signing in (the session and her user) is not one of the page's own reads.
        assert not any('FROM "django_session"' in s for s in statements)
    # The same page again: the same HTML but for the CSRF token's mask.
    for url, html in shown.items():
        again = client.get(url).content.decode()
        assert _without_tokens(again) == _without_tokens(html)


@pytest.mark.usefixtures("postgres_only")
def test_a_prepared_read_is_still_counted_and_gives_the_same_rows(cast, issue_job):
    accepted_job(cast, issue_job)
    _deallocate_all()
    plain = list(Job.objects.filter(workshop=cast.ws).values_list("pk", "title"))
    with CaptureQueriesContext(connection) as seen, prepared():
        for _ in range(3):
            assert list(Job.objects.filter(workshop=cast.ws).values_list("pk", "title")) == plain
    assert len(seen.captured_queries) == 3
    assert sum('FROM "dispatch_job"' in s for s in _prepared_statements()) == 1
    # Outside the block, nothing new is prepared.
    list(Job.objects.filter(title="x").values_list("pk"))
    assert not any('"title" = $1' in s for s in _prepared_statements())


@pytest.mark.usefixtures("postgres_only")
def test_her_booked_and_reworked_shares_and_a_past_month_read_the_same_prepared(client, cast, issue_job):
    """Server-bound statements fail where client-bound ones do not (a value whose type the server cannot
    tell): her pages with every kind of row, a past month too, read prepared as they did before."""
    job = accepted_job(cast, issue_job, quantity=10)
    a = in_hand(job, cast.alice, 10)
    report(a, 10)
    inspect_and_book(cast, job, {a.pk: (7, 3, 2, "色差")})  # a rework share, a pay line, a reason
    offer(accepted_job(cast, issue_job), cast.alice)
    client.force_login(cast.alice.user)
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    urls = ("/m/", "/m/earnings/", f"/m/earnings/{last}/", "/m/inbox/")
    with override_settings(DB_PREPARE=False):
        plain = {url: _without_tokens(client.get(url).content.decode()) for url in urls}
    _deallocate_all()
    for url in urls:
        assert _without_tokens(client.get(url).content.decode()) == plain[url], url
    assert len(_prepared_statements()) >= 5
    assert "色差" in plain["/m/earnings/"] and "返工" in plain["/m/"]


@pytest.mark.usefixtures("postgres_only")
def test_staff_pages_prepare_nothing_and_a_failure_inside_leaves_the_connection_as_it_was(client, cast):
    client.force_login(cast.head)
    _deallocate_all()
    assert client.get("/dashboard/").status_code == 200
    assert _prepared_statements() == []
    cursor_class = type(connection.cursor().cursor)
    with pytest.raises(ZeroDivisionError), prepared():
        list(Job.objects.values_list("pk"))
        1 / 0  # noqa: B018
    assert type(connection.cursor().cursor) is cursor_class
    assert connection.connection.prepare_threshold is None


def test_on_sqlite_the_block_changes_nothing(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own check; PostgreSQL's are above")
    connection.ensure_connection()
    before = type(connection.cursor().cursor)
    with prepared():
        assert type(connection.cursor().cursor) is before


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
