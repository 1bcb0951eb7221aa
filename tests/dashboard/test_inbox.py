"""The staff's messages on the dashboard: the head reads what the flow told her, in her page's language,
opens one (marked read, to the job), and never sees or marks another user's."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from dispatch import services, tasks
from notices.models import Notification, NotificationKind


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
