"""Exports that do not finish: a task that gives up on a locked database fails its export (never left
running), the stale-run sweep fails one stuck in "running", and its owner, only, retries it from the page.
On SQLite, two exports at once through a real worker both finish while the file is locked."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from config.celery import ping
from dashboard import tasks
from dashboard.models import Export, ExportKind, ExportStatus
from outbox.models import OutboxMessage
from tests.workerproc import WorkerProcess, wait_for

pytestmark = pytest.mark.django_db


def _running(user, minutes_ago: int) -> Export:
    export = Export.objects.create(user=user, kind=ExportKind.JOBS)
    Export.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return export


def test_an_export_whose_task_gives_up_on_a_locked_database_is_failed_not_left_running(cast, monkeypatch):
    export = _running(cast.head, 0)

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(tasks.exports, "export_run", locked)
    assert tasks.run_export.apply((export.pk,), retries=tasks.EXPORT_RETRIES).get() == ExportStatus.FAILED

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.error


def test_a_waiting_export_shows_as_queued_not_running(cast, monkeypatch):
    export = _running(cast.head, 0)
    monkeypatch.setattr(
        tasks.exports, "export_run", lambda **kw: (_ for _ in ()).throw(OperationalError("x"))
    )

    with pytest.raises(OperationalError):  # called directly, the retry raises the error itself
        tasks.run_export(export.pk)

    assert Export.objects.get(pk=export.pk).status == ExportStatus.QUEUED


def test_the_sweep_fails_a_stale_running_export_and_leaves_a_fresh_one(cast, settings):
    settings.NUANXIN_EXPORT_STALE_MINUTES = 30
    stale, fresh = _running(cast.head, 31), _running(cast.head, 5)

    assert tasks.sweep_stale_exports.run() == 1
    assert tasks.sweep_stale_exports.run() == 0

    assert Export.objects.get(pk=stale.pk).status == ExportStatus.FAILED
    assert Export.objects.get(pk=fresh.pk).status == ExportStatus.RUNNING


def test_the_owner_retries_a_failed_export_from_its_page(cast, client):
    export = _running(cast.head, 60)
    tasks.sweep_stale_exports.run()
    client.force_login(cast.head)
    page = client.get(f"/dashboard/exports/{export.pk}/").content.decode()
    assert 'data-action="retry-export"' in page and "data-retry hidden" not in page
    assert client.get(f"/dashboard/exports/{export.pk}/status/").json()["retry"]

    response = client.post(f"/dashboard/exports/{export.pk}/retry/")
    assert response.status_code == 302
    client.post(f"/dashboard/exports/{export.pk}/retry/")  # a second press queues nothing more

    export.refresh_from_db()
    assert (export.status, export.error, export.rows_done) == (ExportStatus.QUEUED, "", 0)
    message = OutboxMessage.objects.get()
    assert (message.task_name, message.args) == ("dashboard.tasks.run_export", [export.pk])


def test_another_users_export_cannot_be_retried(cast, client):
    export = _running(cast.head, 60)
    tasks.sweep_stale_exports.run()
    client.force_login(cast.clerk)

    assert client.post(f"/dashboard/exports/{export.pk}/retry/").status_code == 404
    assert client.get(f"/dashboard/exports/{export.pk}/retry/").status_code == 405
    assert Export.objects.get(pk=export.pk).status == ExportStatus.FAILED
    assert not OutboxMessage.objects.exists()


@pytest.mark.faults
@pytest.mark.celery
def test_two_exports_at_once_on_sqlite_both_finish_while_the_file_is_locked(
    cast, transactional_db, redis_server
):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite file's write lock")
    redis_server.flushdb()
    # Two worker processes on the exports queue, each waiting at most 0.2 s for SQLite's write lock.
    worker = WorkerProcess(name="exports", concurrency=2, queues="exports", sqlite_timeout=0.2)
    lock = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        ping.apply_async(queue="exports", ignore_result=False).get(timeout=60)  # consuming
        exports = [Export.objects.create(user=cast.head, kind=ExportKind.JOBS) for _ in range(2)]
        lock.execute("BEGIN IMMEDIATE")  # another writer holds the file
        for export in exports:
            tasks.run_export.apply_async((export.pk,))
        # The task's first write (its delivery count) met the lock: it ran, failed, and waits to retry.
        wait_for(lambda: HIT_LOCK in _log(worker), timeout=30)
        lock.execute("ROLLBACK")
        wait_for(
            lambda: (
                Export.objects.filter(pk__in=[e.pk for e in exports], status=ExportStatus.DONE).count() == 2
            ),
            timeout=120,
        )
    finally:
        lock.close()  # an open transaction ends with it
        log = worker.stop()
        redis_server.flushdb()
    assert log.count(HIT_LOCK) >= 2, log


HIT_LOCK = "could not count delivery of dashboard.tasks.run_export"


def _log(worker: WorkerProcess) -> str:
    worker.log.seek(0)
    return worker.log.read().decode(errors="replace")
