"""The admin's lists over tables that grow with history count only what is filtered and never scan the
table for a date drill-down (issue 14: at 200,000 work reports each page counted the table twice and
scanned it for its dates)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dispatch import services
from dispatch.models import WorkReport
from tests.factories import UserFactory
from workshop import bigadmin

BIG_LISTS = [
    "admin:dispatch_workreport_changelist",
    "admin:dispatch_flowevent_changelist",
    "admin:dispatch_assignment_changelist",
    "admin:dispatch_inspectionresult_changelist",
    "admin:pay_payline_changelist",
    "admin:notices_notification_changelist",
]


@pytest.fixture
def reported(cast, issue_job):
    job = issue_job(quantity=60)
    services.job_accept(actor=cast.head, job=job)
    for n, worker in enumerate((cast.alice, cast.bob)):
        a = services.assignment_offer(job=job, worker=worker, pieces=30)
        services.assignment_accept(actor=worker.user, assignment=a)
        services.work_report(actor=worker.user, assignment=a, pieces=10, key=f"r{n}")
    return job


def _counts(sql: list[str]) -> list[str]:
    return [q for q in sql if "COUNT(" in q.upper()]


@pytest.mark.parametrize("name", BIG_LISTS)
def test_a_big_list_counts_once_and_has_no_date_drill_down(client, reported, name):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name))

    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(_counts(sql)) <= 1, _counts(sql)  # the page's own count, not also the whole table's
    assert not [q for q in sql if "DISTINCT" in q.upper() and ("TRUNC" in q.upper() or "CAST" in q.upper())]


def test_the_work_report_list_still_narrows_by_date(client, reported):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    response = client.get(reverse("admin:dispatch_workreport_changelist"))

    assert response.status_code == 200
    assert "at__gte=" in response.content.decode()  # the date filter's links (today, 7 days, month, year)


def test_an_unfiltered_list_on_postgresql_shows_the_planners_estimate(postgres_only, reported, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {WorkReport._meta.db_table}")
    monkeypatch.setattr(bigadmin, "ESTIMATE_ABOVE", 0)

    with CaptureQueriesContext(connection) as ctx:
        count = bigadmin.EstimatedCountPaginator(WorkReport.objects.order_by("pk"), 100).count

    assert count == 2
    assert not _counts([q["sql"] for q in ctx.captured_queries])


def test_a_filtered_list_is_counted_exactly(reported, monkeypatch):
    monkeypatch.setattr(bigadmin, "ESTIMATE_ABOVE", 0)

    paginator = bigadmin.EstimatedCountPaginator(WorkReport.objects.filter(pieces=10).order_by("pk"), 100)

    assert paginator.count == 2
