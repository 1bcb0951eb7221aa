"""What an operator and a monitor need to know about a running Nuanxin, one function per part.

Each ``check_*`` function returns a ``Result``: ``name``, ``status`` (``"ok"``, ``"warn"`` or ``"fail"``)
and ``detail``, a dict of plain numbers, booleans and short words (ages in seconds, counts, the broker's
policy) that is safe to show on the public ``/healthz`` page: never a person's data, a host name, a URL or
an exception's text. A ``"fail"`` makes ``/healthz`` answer 503 and ``manage.py health`` exit 1; a
``"warn"`` is reported and does neither.

Every broker call has socket timeouts of ``health.broker.TIMEOUT`` (0.5 s) and the workers' broadcast
waits ``WORKER_TIMEOUT`` (1 s), so ``run_all`` returns in about 2 s even when the broker accepts
connections and never answers (the checks that need the broker are then skipped, not waited for).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection

from outbox.services import broker_url, oldest_unsent_age, short_timeout_connection

from . import broker

OK, WARN, FAIL = "ok", "warn", "fail"
_RANK = {OK: 0, WARN: 1, FAIL: 2}
WORKER_TIMEOUT = 1.0  # seconds: how long the workers' broadcast waits for answers
# kombu's Redis transport keeps a list per priority step besides the plain one (config.celery too).
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


@dataclass
class Result:
    """One check's outcome: ``status`` is ``"ok"``, ``"warn"`` or ``"fail"``."""

    name: str
    status: str
    detail: dict = field(default_factory=dict)


def queue_names() -> list[str]:
    """The queues workers must consume (``CELERY_TASK_QUEUES``: ``celery`` for the flow, ``exports``)."""
    return [q.name for q in settings.CELERY_TASK_QUEUES] or [settings.CELERY_TASK_DEFAULT_QUEUE]


def _unreachable(name: str, found: broker.BrokerProbe, status: str = FAIL) -> Result:
    return Result(name, status, {"skipped": "broker unreachable", "error": found.error})


def check_broker(found: broker.BrokerProbe | None = None) -> Result:
    """The broker answers PING, and its ``maxmemory-policy`` is ``noeviction`` (any other policy lets
    Redis drop queued tasks silently). Fail when unreachable or evicting; warn when the policy cannot be
    read (CONFIG refused). Detail: ``reachable``, ``round_trip_ms``, ``maxmemory_policy``."""
    found = found or broker.probe(broker_url())
    if not found.reachable:
        return Result("broker", FAIL, {"reachable": False, "error": found.error})
    detail = {"reachable": True, "round_trip_ms": found.round_trip_ms, "maxmemory_policy": found.policy}
    if found.policy is None:
        return Result("broker", WARN, detail)
    return Result("broker", OK if found.policy_ok else FAIL, detail)


def check_persistence(found: broker.BrokerProbe | None = None) -> Result:
    """Redis keeps the queues across a restart: AOF on or an RDB save schedule set. Required (fail when
    off or unknown) only when ``NUANXIN_REQUIRE_BROKER_PERSISTENCE`` is true; otherwise reported as ok.
    Detail: ``required``, ``aof``, ``rdb_save`` (bool: a schedule is set), ``persistent``."""
    required = settings.NUANXIN_REQUIRE_BROKER_PERSISTENCE
    found = found or broker.probe(broker_url())
    if not found.reachable:
        return _unreachable("persistence", found, FAIL if required else WARN)
    persistent = found.persistent
    detail = {
        "required": required,
        "aof": found.aof,
        "rdb_save": None if found.rdb_save is None else bool(found.rdb_save.strip()),
        "persistent": persistent,
    }
    if persistent:
        return Result("persistence", OK, detail)
    if required:
        return Result("persistence", FAIL, detail)
    return Result("persistence", OK if persistent is False else WARN, detail)


def check_database() -> Result:
    """The default database answers ``SELECT 1``. Fail on any database error. Detail: ``vendor``,
    ``round_trip_ms``."""
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return Result("database", FAIL, {"vendor": connection.vendor, "error": type(exc).__name__})
    took = round((time.monotonic() - started) * 1000, 1)
    return Result("database", OK, {"vendor": connection.vendor, "round_trip_ms": took})


def check_workers(found: broker.BrokerProbe | None = None, timeout: float = WORKER_TIMEOUT) -> Result:
    """Live Celery workers, and per queue how many consume it (a broadcast answered within ``timeout``
    seconds). Fail when a queue has no consumer: its tasks would wait for ever. Detail: ``workers``
    (count), ``consumers`` ({queue: count})."""
    found = found or broker.probe(broker_url())
    if not found.reachable:
        return _unreachable("workers", found)
    consumers = {name: 0 for name in queue_names()}
    try:
        with short_timeout_connection(broker.TIMEOUT) as conn:
            replies = current_app.control.inspect(timeout=timeout, connection=conn).active_queues() or {}
    except Exception as exc:  # noqa: BLE001 - a broker that fails mid-broadcast: no answer, never a crash
        return Result("workers", FAIL, {"workers": None, "error": type(exc).__name__})
    for queues in replies.values():
        for queue in queues or []:
            name = queue.get("name")
            consumers[name] = consumers.get(name, 0) + 1
    detail = {"workers": len(replies), "consumers": consumers}
    return Result("workers", OK if all(consumers.values()) else FAIL, detail)


def check_queues(found: broker.BrokerProbe | None = None) -> Result:
    """How many tasks wait in each queue on the broker (LLEN, priority lists included). Warn when one holds
    more than ``NUANXIN_HEALTH_QUEUE_WARN`` tasks. Detail: ``depths`` ({queue: count}), ``warn_above``."""
    found = found or broker.probe(broker_url())
    if not found.reachable:
        return _unreachable("queues", found, WARN)
    limit = settings.NUANXIN_HEALTH_QUEUE_WARN
    conn = broker.client(broker_url())
    try:
        pipe = conn.pipeline(transaction=False)
        names = queue_names()
        for name in names:
            for suffix in _PRIORITY_SUFFIXES:
                pipe.llen(name + suffix)
        lengths = pipe.execute()
    except Exception as exc:  # noqa: BLE001 - redis or socket errors: unknown depths
        return Result("queues", WARN, {"depths": None, "error": type(exc).__name__})
    finally:
        conn.close()
    step = len(_PRIORITY_SUFFIXES)
    depths = {name: sum(lengths[i * step : (i + 1) * step]) for i, name in enumerate(names)}
    status = WARN if any(n > limit for n in depths.values()) else OK
    return Result("queues", status, {"depths": depths, "warn_above": limit})


def check_outbox() -> Result:
    """The oldest outbox message not yet sent to the broker (``outbox.services.oldest_unsent_age``). Warn
    when it has waited longer than ``NUANXIN_HEALTH_OUTBOX_WARN_S`` seconds: the relay is not keeping up
    or the broker refuses. Detail: ``oldest_unsent_s`` (None when all are sent), ``warn_above_s``."""
    limit = settings.NUANXIN_HEALTH_OUTBOX_WARN_S
    try:
        age = oldest_unsent_age()
    except DatabaseError as exc:
        return Result("outbox", FAIL, {"oldest_unsent_s": None, "error": type(exc).__name__})
    seconds = None if age is None else round(age.total_seconds(), 1)
    status = WARN if seconds is not None and seconds > limit else OK
    return Result("outbox", status, {"oldest_unsent_s": seconds, "warn_above_s": limit})


def check_beat(found: broker.BrokerProbe | None = None, workers: Result | None = None) -> Result:
    """The last heartbeat of the beat schedule (``health.tasks.beat_heartbeat``, every 30 s, run by a
    worker): warn when none was seen or it is older than ``NUANXIN_HEALTH_BEAT_WARN_S`` seconds (beat or
    every worker of the ``celery`` queue is down). Detail: ``last_beat_s`` (age, None if never),
    ``warn_above_s``, and when it warns, ``cause``: ``"no_worker"`` when ``workers`` (``check_workers``'s
    result) found no consumer of the ``celery`` queue, which runs the heartbeat (a trial found beat
    blamed while only the worker was down), else ``"beat"``."""
    limit = settings.NUANXIN_HEALTH_BEAT_WARN_S
    found = found or broker.probe(broker_url())
    if not found.reachable:
        return _unreachable("beat", found, WARN)
    conn = broker.client(broker_url())
    try:
        raw = conn.get(broker.HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001 - redis or socket errors: unknown
        return Result("beat", WARN, {"last_beat_s": None, "error": type(exc).__name__})
    finally:
        conn.close()
    try:
        age = round(max(0.0, time.time() - float(raw)), 1) if raw is not None else None
    except ValueError:
        age = None
    status = OK if age is not None and age <= limit else WARN
    detail = {"last_beat_s": age, "warn_above_s": limit}
    if status == WARN:
        consumers = (workers.detail.get("consumers") or {}) if workers is not None else {}
        detail["cause"] = "no_worker" if consumers.get("celery") == 0 else "beat"
    return Result("beat", status, detail)


def run_all() -> dict:
    """Every check, the broker probed once. Returns ``{"status": worst status, "checks": [{"name",
    "status", "detail"}, ...], "took_ms": float}``; ``status`` is ``"fail"`` when any check fails."""
    started = time.monotonic()
    found = broker.probe(broker_url())
    workers = check_workers(found)
    results = [
        check_broker(found),
        check_persistence(found),
        check_database(),
        workers,
        check_queues(found),
        check_outbox(),
        check_beat(found, workers),
    ]
    worst = max((r.status for r in results), key=_RANK.__getitem__)
    return {
        "status": worst,
        "checks": [asdict(r) for r in results],
        "took_ms": round((time.monotonic() - started) * 1000, 1),
    }


_last: tuple[float, dict] | None = None  # (time.monotonic() when made, report) of this process


def cached_report(max_age: float) -> dict:
    """``run_all()``'s report, reused for ``max_age`` seconds in this process, so a monitor or a visitor
    polling ``/healthz`` cannot keep the web processes busy with broadcasts (0: always afresh)."""
    global _last
    now = time.monotonic()
    if max_age > 0 and _last is not None and now - _last[0] < max_age:
        return _last[1]
    report = run_all()
    _last = (time.monotonic(), report)
    return report
