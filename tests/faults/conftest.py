"""Fixtures of the fault tests: real Celery worker processes on PostgreSQL, stopped after each test."""

from __future__ import annotations

import pytest

from tests.workerproc import WorkerProcess


@pytest.fixture
def nodes(transactional_db, redis_server, postgres_only):
    """``nodes(name, queues, concurrency=…, env=…)`` starts a worker process logging at INFO (its node name
    ``name@host``); every one is stopped after the test, with the broker emptied."""
    redis_server.flushdb()
    started: list[WorkerProcess] = []

    def start(name: str, queues: str, **kw) -> WorkerProcess:
        node = WorkerProcess(name=name, queues=queues, loglevel="INFO", **kw)
        started.append(node)
        return node

    yield start
    for node in started:
        node.stop()
    redis_server.flushdb()
