"""Two 40,000-line exports run on the exports worker while six messages go out: each message is delivered
by the flow's worker within 2 s, because exports have their own queue and process (as in ``make run`` and
deploy/systemd). Before the queues were split, two large exports held every message for 23 s."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.utils import timezone

from dashboard.models import Export, ExportKind, ExportStatus
from lab import benchdata
from notices.models import Notification
from notices.services import notify
from outbox.services import outbox_enqueue

pytestmark = [pytest.mark.faults, pytest.mark.celery]


def test_six_messages_are_delivered_within_2_s_while_two_40000_line_exports_run(nodes):
    world = benchdata.make_pay_lines(lines=40_000, workers=200)
    flow = nodes("flow", "celery", concurrency=2)
    exports = nodes("exports", "exports", concurrency=1)
    flow.wait_ready()
    exports.wait_ready()

    params = {"from": world.start.isoformat(), "to": world.end.isoformat()}
    made = []
    for _ in range(2):
        with transaction.atomic():
            export = Export.objects.create(user=world.head, kind=ExportKind.PAY_LINES, params=params)
            outbox_enqueue("dashboard.tasks.run_export", args=(export.pk,))
        made.append(export.pk)
    deadline = time.monotonic() + 60
    while not Export.objects.filter(pk__in=made, status=ExportStatus.RUNNING).exists():
        assert time.monotonic() < deadline, "no export started"
        time.sleep(0.1)

    sent_at = {}
    for n in range(6):
        with transaction.atomic():  # six changes, as six requests would make them
            note = notify(
                recipient=world.head,
                kind="job_accepted",
                params={"w": "基准坊", "t": f"第{n + 1}单"},
                dedupe_key=f"fault-six-{n}",
            )
        sent_at[note.pk] = timezone.now()
        time.sleep(0.3)
    deadline = time.monotonic() + 10
    while (
        Notification.objects.filter(pk__in=sent_at, sent_at__isnull=True).exists()
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)

    delays = {
        pk: (delivered - sent_at[pk]).total_seconds() if delivered else None
        for pk, delivered in Notification.objects.filter(pk__in=sent_at).values_list("pk", "sent_at")
    }
    still_running = Export.objects.filter(pk__in=made).exclude(status=ExportStatus.DONE).count()
    assert still_running >= 1, "the exports finished before the messages: the test proved nothing"
    assert all(d is not None and d < 2.0 for d in delays.values()), delays

    deadline = time.monotonic() + 300
    while (
        Export.objects.filter(pk__in=made)
        .exclude(status__in=(ExportStatus.DONE, ExportStatus.FAILED))
        .exists()
    ):
        assert time.monotonic() < deadline, "the exports did not finish"
        time.sleep(0.5)
    assert (
        list(Export.objects.filter(pk__in=made).values_list("status", "rows_done"))
        == [(ExportStatus.DONE, 40_000)] * 2
    )
