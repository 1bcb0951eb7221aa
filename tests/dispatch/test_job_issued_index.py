"""The home page's jobs issued in a period, counted by state, are read from the (workshop, issued_at)
index that carries the state: at county size (15,000 jobs in a year) the page must not read the job table
for a count (issue 15)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from dispatch.models import Job


@pytest.mark.django_db
def test_jobs_by_state_in_a_period_walk_the_workshop_issued_index(postgres_only, cast, issue_job):
    job = issue_job(quantity=10)
    fields = {f.attname: getattr(job, f.attname) for f in Job._meta.concrete_fields if f.attname != "id"}
    Job.objects.bulk_create(Job(**fields) for _ in range(3000))
    with connection.cursor() as cursor:
        # Three years of issuing: a job a day or so (issued_at is set on adding, so it is moved after).
        cursor.execute("UPDATE dispatch_job SET issued_at = issued_at - (id % 1000) * interval '1 day'")
        cursor.execute("ANALYZE dispatch_job")
    now = timezone.now()
    in_month = Job.objects.filter(
        workshop_id__in=[cast.ws.pk], issued_at__gte=now - dt.timedelta(days=30), issued_at__lt=now
    )
    query = in_month.order_by().values_list("state").annotate(n=Count("id"))

    plan = query.explain()

    assert "job_workshop_issued" in plan, plan
    assert dict(query) == {"issued": in_month.count()} and in_month.count() < 200
