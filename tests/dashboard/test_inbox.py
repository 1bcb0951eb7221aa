"""The staff's messages on the dashboard: the head reads what the flow told her, in her page's language,
opens one (marked read, to the job), and never sees or marks another user's. Every desk role (head, firm
clerk, community admin, county official, superuser) has the inbox, with its unread count beside 消息 in
the header and the navigation."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from dispatch import services, tasks
from notices.models import Notification, NotificationKind
from notices.services import notify
from tests.factories import CommunityAdminFactory, UserFactory
from workshop.models import CountyOfficial


def test_the_head_reads_a_new_job_in_her_language_and_opens_it(client, cast, issue_job):
    job = issue_job(quantity=120, title="布袋缝边")
    tasks.on_job_issued.run(job.pk)
    client.force_login(cast.head)

    page = client.get("/dashboard/inbox/").content.decode()
    assert f"{cast.firm.name} 新外发单:布袋缝边 120 件" in page
    client.cookies["django_language"] = "en"
    assert (
        f"New job from {cast.firm.name}: 布袋缝边, 120 pieces"
        in client.get("/dashboard/inbox/").content.decode()
    )

    note = Notification.objects.get(recipient=cast.head, kind=NotificationKind.JOB_ISSUED)
    response = client.post(f"/dashboard/inbox/{note.pk}/")
    assert response["Location"] == f"/dashboard/jobs/{job.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_firm_hears_that_the_job_was_accepted(client, cast, issue_job):
    job = issue_job(quantity=120, title="布袋缝边")
    with translation.override("en"):
        services.job_accept(actor=cast.head, job=job)
    client.force_login(cast.clerk)

    assert f"{cast.ws.name} 已接单:布袋缝边" in client.get("/dashboard/inbox/").content.decode()


def test_anothers_message_is_a_404_and_stays_unread(client, cast, issue_job):
    job = issue_job(quantity=120)
    tasks.on_job_issued.run(job.pk)
    note = Notification.objects.get(recipient=cast.head)
    client.force_login(cast.clerk)

    assert client.post(f"/dashboard/inbox/{note.pk}/").status_code == 404
    assert f"{cast.firm.name} 新外发单" not in client.get("/dashboard/inbox/").content.decode()
    client.post("/dashboard/inbox/read-all/")
    note.refresh_from_db()
    assert note.read_at is None


def test_workers_have_no_dashboard_inbox(client, cast):
    client.force_login(cast.alice.user)

    assert client.get("/dashboard/inbox/").status_code == 403


def test_the_inbox_costs_the_same_queries_for_3_or_30_messages(client, cast, issue_job):
    client.force_login(cast.head)
    counts = []
    for n in (3, 30):
        for i in range(n - Notification.objects.filter(recipient=cast.head).count()):
            tasks.on_job_issued.run(issue_job(quantity=100 + i).pk)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/dashboard/inbox/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def _message_for(user, key: str) -> Notification:
    return notify(
        recipient=user,
        kind=NotificationKind.READY_FOR_INSPECTION,
        params={"t": "布袋缝边"},
        link="/dashboard/",
        dedupe_key=key,
    )


def _badge(page: str, where: str) -> str | None:
    """The unread count shown beside 消息 in the header (``where="inbox-top"``) or the navigation."""
    link = re.search(rf'data-nav="{where}"[^>]*>.*?</a>', page, re.S)
    assert link, where
    count = re.search(r'data-unread="(\d+)"', link.group(0))
    return count.group(1) if count else None


@pytest.mark.parametrize("who", ["head", "clerk", "admin", "county", "superuser"])
def test_every_desk_role_reads_its_own_messages_with_the_unread_count_in_the_header(client, cast, who):
    user = {
        "head": cast.head,
        "clerk": cast.clerk,
        "admin": CommunityAdminFactory().user if who == "admin" else None,
        "county": CountyOfficial.objects.create(user=UserFactory(), county="海盐县").user
        if who == "county"
        else None,
        "superuser": UserFactory(is_superuser=True, is_staff=True) if who == "superuser" else None,
    }[who]
    _message_for(user, f"mine-{who}")
    _message_for(cast.bob.user, f"not-mine-{who}")
    client.force_login(user)
    start = "/dashboard/impact/" if who == "county" else "/dashboard/"

    page = client.get(start).content.decode()
    assert _badge(page, "inbox-top") == "1" and _badge(page, "inbox") == "1"
    inbox = client.get("/dashboard/inbox/")
    assert inbox.status_code == 200
    assert len(inbox.context["notes"]) == 1 and inbox.context["notes"][0].recipient_id == user.pk

    assert client.post("/dashboard/inbox/read-all/").status_code == 302

    page = client.get(start).content.decode()
    assert _badge(page, "inbox-top") is None and _badge(page, "inbox") is None
    assert Notification.objects.filter(recipient=cast.bob.user, read_at__isnull=True).exists()


def test_the_county_official_marks_only_her_own_messages_and_posts_nothing_else(client, cast):
    official = CountyOfficial.objects.create(user=UserFactory(), county="海盐县").user
    mine, heads = _message_for(official, "county-1"), _message_for(cast.head, "head-1")
    client.force_login(official)

    assert client.post(f"/dashboard/inbox/{heads.pk}/").status_code == 404
    assert client.post(f"/dashboard/inbox/{mine.pk}/").status_code == 302
    assert client.post(f"/dashboard/workers/{cast.alice.pk}/pin/", {"pin": "482915"}).status_code == 403

    mine.refresh_from_db()
    heads.refresh_from_db()
    assert mine.read_at is not None and heads.read_at is None
