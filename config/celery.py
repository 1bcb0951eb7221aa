"""The Celery app. Settings come from Django settings under the ``CELERY_`` prefix."""

import os
import sys

from celery import Celery, signals

from health.broker import eviction_refusal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every task counts its deliveries in the database and refuses one too many (taskruns.base).
app = Celery("nuanxin", task_cls="taskruns.base:CountedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def refuse_an_evicting_broker(sender=None, **kwargs) -> None:
    """A worker exits (status 1) before consuming when the broker's ``maxmemory-policy`` is not
    ``noeviction``: an evicting Redis drops queued tasks silently (issue 14). A broker not reachable yet is
    left to the worker's own connection retries, and looked at again once connected (below). SystemExit,
    since Celery logs and ignores a handler's ordinary exceptions."""
    refusal = eviction_refusal(app.conf.broker_url)
    if refusal:
        print(refusal, file=sys.stderr, flush=True)
        raise SystemExit(1)


@signals.worker_ready.connect
def refuse_an_evicting_broker_once_connected(sender=None, **kwargs) -> None:
    """The same look when the worker has connected (a broker that came up after the worker, or was
    reconfigured): a warm shutdown with status 1."""
    refuse_an_evicting_broker(sender)


@signals.celeryd_after_setup.connect
def log_our_lines_once(sender=None, **kwargs) -> None:
    """In a ``celery worker`` process, the ``nuanxin`` logger writes through its own handler
    (settings.LOGGING) and not again through the handler Celery puts on the root logger: each line once
    in ``var/worker.log`` (a trial found every message logged twice)."""
    import logging

    ours = logging.getLogger("nuanxin")
    if ours.handlers:
        ours.propagate = False


@app.task(name="nuanxin.ping", ignore_result=False, counted=False)
def ping() -> str:
    """Round trip used to prove a real worker is consuming before a run starts."""
    return "pong"


def _queue_keys() -> list[str]:
    names = [q.name for q in app.amqp.queues.values()] or ["celery"]
    # kombu's Redis transport keeps a list per priority step besides the plain one.
    return [n + suffix for n in names for suffix in ("", "\x06\x163", "\x06\x166", "\x06\x169")]


class TaskCounts:
    """Tasks sent and tasks finished, two counters in the broker's Redis, kept when the setting
    ``NUANXIN_COUNT_TASKS`` is on: ``before_task_publish`` adds a send in the process that sends (a
    request, the driver, or a task sending the next one before it ends), ``task_postrun`` a finish in the
    worker (a task run inline, in eager mode, sends nothing and counts nothing). Every task a finished task
    sent is counted before that finish, so equal counts with empty queues mean the cascade is over; a task
    lost on the way (a killed worker) leaves them unequal for good, and ``wait_until_idle`` then falls back
    to watching the queues. A Redis error while counting is ignored: counting never fails a send."""

    SENT, DONE = "nuanxin:tasks:sent", "nuanxin:tasks:done"
    _client = None
    _pid = None

    @classmethod
    def client(cls):
        import redis

        if cls._pid != os.getpid():  # a client made before the worker forked shares its socket: make anew
            url = app.conf.broker_url
            cls._client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
            cls._pid = os.getpid()
        return cls._client

    @classmethod
    def on(cls) -> bool:
        from django.conf import settings

        return getattr(settings, "NUANXIN_COUNT_TASKS", False)

    @classmethod
    def add(cls, key: str) -> None:
        try:
            cls.client().incr(key)
        except Exception:  # noqa: BLE001 - a count lost only slows wait_until_idle down to its quiet rule
            pass

    @classmethod
    def equal(cls, client) -> bool:
        sent, done = client.mget(cls.SENT, cls.DONE)
        return int(sent or 0) == int(done or 0)


@signals.before_task_publish.connect
def count_sent(sender=None, **kwargs) -> None:
    if TaskCounts.on():
        TaskCounts.add(TaskCounts.SENT)


@signals.task_postrun.connect
def count_done(sender=None, task=None, **kwargs) -> None:
    if TaskCounts.on() and not getattr(getattr(task, "request", None), "is_eager", False):
        TaskCounts.add(TaskCounts.DONE)


def wait_until_idle(timeout: float = 120.0, settle: float = 0.05, quick: float = 0.005) -> None:
    """Block until no task is queued or in flight on the broker (Redis), or raise TimeoutError.

    With ``acks_late`` a delivered task stays in kombu's ``unacked`` hash until it returns, and any task it
    enqueues is pushed before that; so an empty queue and an empty ``unacked`` hash, seen 4 times in a row,
    mean the cascade of work has finished. With ``TaskCounts`` kept (``NUANXIN_COUNT_TASKS``), as many
    tasks finished as were sent, with the queues empty, mean it at once: looked at every ``quick`` seconds
    instead of ``settle``, it ends the wait within a few milliseconds of the last task (the quiet rule alone
    waits at least 150 ms). Used by ``simulate``, ``bench`` and the integration tests.
    """
    import time

    import redis

    client = redis.Redis.from_url(app.conf.broker_url)
    keys = _queue_keys()
    counted = TaskCounts.on()
    pause = quick if counted else settle
    # Quiet for as long as four looks ``settle`` apart (≥ 150 ms): kombu moves a message from the queue to
    # ``unacked`` in two steps, and on a loaded machine the gap between them can outlast one look.
    quiet_looks = round(4 * settle / pause)
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        pending = sum(client.llen(k) for k in keys) + client.hlen("unacked")
        quiet = quiet + 1 if pending == 0 else 0
        if quiet and counted and TaskCounts.equal(client):
            return
        if quiet >= quiet_looks:
            return
        time.sleep(pause)
    raise TimeoutError(f"Celery still busy after {timeout:.0f}s: is a worker running?")


def require_worker(timeout: float = 30.0) -> None:
    """Raise RuntimeError unless a real worker answers a ping task through the broker in time."""
    try:
        ping.apply_async().get(timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - any failure means no worker
        raise RuntimeError(
            f"No Celery worker answered through {app.conf.broker_url} within {timeout:.0f}s "
            f"({type(exc).__name__}). Start one: .venv/bin/celery -A config worker"
        ) from exc


def worker_slots(timeout: float = 1.0) -> int | None:
    """How many tasks the running workers can take at once (their pools' processes or threads, added up),
    or None when none answers the broadcast within ``timeout`` seconds. ``simulate`` warns above 1: two
    slots run a step's follow-ups in a racing order."""
    try:
        stats = app.control.inspect(timeout=timeout).stats() or {}
    except Exception:  # noqa: BLE001 - a broker that does not answer control commands: unknown
        return None
    slots = [s.get("pool", {}).get("max-concurrency") for s in stats.values()]
    return sum(n for n in slots if isinstance(n, int)) if slots else None


@app.task(name="nuanxin.noop", ignore_result=False, counted=False)
def noop() -> None:
    """Does nothing: the benchmark's yardstick for what one task costs through the broker."""
