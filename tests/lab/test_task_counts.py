"""``make bench`` counts tasks sent and finished (``config.celery.TaskCounts``), so waiting for a cascade
of tasks ends with its last task, not after a quiet spell on the queues; a task lost on the way leaves the
counts unequal and the wait falls back to watching the queues."""

from __future__ import annotations

import threading

import pytest

from config.celery import TaskCounts, app, wait_until_idle

RAN = "tests:task-counts:ran"


@app.task(name="tests.task_counts.cascade", counted=False)
def cascade(n: int) -> None:
    """Sends the next link before it ends, as a flow task sends its follow-up."""
    TaskCounts.client().rpush(RAN, n)
    if n > 1:
        cascade.delay(n - 1)


def _counts(client) -> tuple[int, int]:
    sent, done = client.mget(TaskCounts.SENT, TaskCounts.DONE)
    return int(sent or 0), int(done or 0)


@pytest.fixture
def counting(settings, redis_server):
    settings.NUANXIN_COUNT_TASKS = True
    redis_server.delete(RAN, TaskCounts.SENT, TaskCounts.DONE)
    yield redis_server
    redis_server.delete(RAN, TaskCounts.SENT, TaskCounts.DONE)


def test_the_wait_ends_after_the_last_task_of_a_cascade(counting, celery_worker):
    cascade.delay(4)
    wait_until_idle(timeout=30)

    assert [int(x) for x in counting.lrange(RAN, 0, -1)] == [4, 3, 2, 1]
    assert _counts(counting) == (4, 4)


def test_a_lost_task_leaves_the_counts_unequal_and_the_wait_watches_the_queues(counting, celery_worker):
    counting.incr(TaskCounts.SENT)  # sent, and never finished: its worker was killed
    cascade.delay(2)
    done = threading.Event()
    threading.Thread(target=lambda: (wait_until_idle(timeout=30), done.set()), daemon=True).start()

    assert done.wait(30), "the wait did not end on the quiet queues"
    assert [int(x) for x in counting.lrange(RAN, 0, -1)] == [2, 1]
    assert _counts(counting) == (3, 2)


def test_tasks_run_inline_count_nothing(counting, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        cascade.delay(3)
    finally:
        app.conf.task_always_eager = False

    assert [int(x) for x in counting.lrange(RAN, 0, -1)] == [3, 2, 1]
    assert _counts(counting) == (0, 0)


def test_counting_is_off_unless_the_setting_is_on(settings, redis_server, celery_worker):
    settings.NUANXIN_COUNT_TASKS = False
    redis_server.delete(TaskCounts.SENT, TaskCounts.DONE)
    cascade.delay(1)
    wait_until_idle(timeout=30)

    assert _counts(redis_server) == (0, 0)
