"""A reader's inbox is read from an index on (recipient, newest first): at county size (2.1 M messages)
the page must not sort everyone's history, or even hers, to show 50."""

from __future__ import annotations

import pytest
from django.db import connection

from notices.models import Notification
from notices.selectors import inbox_for_user
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_inbox_query_walks_the_newest_first_index_without_a_sort(postgres_only):
    readers = [UserFactory(username=f"reader{n}") for n in range(20)]
    Notification.objects.bulk_create(
        Notification(
            recipient=readers[n % 20], kind="job_accepted", params={"w": "x", "t": "y"}, dedupe_key=f"i{n}"
        )
        for n in range(4000)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Notification._meta.db_table}")
    query = Notification.objects.filter(recipient=readers[3])[:50]

    plan = query.explain()

    assert "notice_inbox_newest_idx" in plan, plan
    assert "Sort" not in plan, plan
    assert [n.pk for n in inbox_for_user(readers[3])] == sorted(
        Notification.objects.filter(recipient=readers[3]).values_list("pk", flat=True), reverse=True
    )[:50]
