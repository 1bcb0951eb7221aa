"""A ``celery worker`` writes each of our log lines once: a trial found every message in var/worker.log
twice, once through our handler and again through the one Celery puts on the root logger."""

from __future__ import annotations

from notices.models import Notification
from tests.workerproc import WorkerProcess, wait_for


def test_the_worker_logs_each_message_it_sends_once(transactional_db, redis_server, cast, issue_job):
    redis_server.flushdb()
    worker = WorkerProcess(name="log-once", queues="celery", loglevel="INFO")
    try:
        worker.wait_ready()
        issue_job(quantity=50)  # the worker tells the head, and sends the message itself

        def sent():
            return Notification.objects.filter(kind="job_issued", sent_at__isnull=False).first()

        note = wait_for(sent, timeout=30)
        line = f"notification {note.pk} kind=job_issued"
        wait_for(lambda: line in worker.output().decode(), timeout=10)
        assert worker.output().decode().count(line) == 1
    finally:
        worker.stop()
        redis_server.flushdb()
