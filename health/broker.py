"""Probes of the Redis broker with short socket timeouts, so a broker that never answers never hangs a
caller. No Django models here: the Celery app's ``worker_init`` handler (config/celery.py) uses it before
Django is set up.

Every probe takes the broker URL and a ``timeout`` in seconds (connect and read, default ``TIMEOUT``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

TIMEOUT = 0.5  # seconds: socket connect and read timeouts of every probe
REQUIRED_POLICY = "noeviction"
HEARTBEAT_KEY = "nuanxin-health:beat"  # unix time (seconds, float) of the last beat heartbeat


def client(url: str, timeout: float = TIMEOUT) -> redis.Redis:
    """A Redis client for ``url`` whose every call gives up after ``timeout`` seconds, never retried."""
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),  # redis-py retries 3 times by default: one try only
        health_check_interval=0,
    )


@dataclass
class BrokerProbe:
    """What one look at the broker found.

    ``reachable``: PING answered; ``error``: the exception's class name when not (never its text, which may
    carry the URL); ``policy``: ``maxmemory-policy`` or None when CONFIG GET is refused (managed Redis);
    ``aof``/``rdb_save``: persistence settings (None when unknown); ``round_trip_ms``: PING's time.
    """

    reachable: bool
    error: str = ""
    round_trip_ms: float | None = None
    policy: str | None = None
    aof: bool | None = None
    rdb_save: str | None = None

    @property
    def persistent(self) -> bool | None:
        """True when AOF is on or an RDB save schedule is set; None when unknown."""
        if self.aof is None and self.rdb_save is None:
            return None
        return bool(self.aof) or bool((self.rdb_save or "").strip())

    @property
    def policy_ok(self) -> bool:
        return self.policy == REQUIRED_POLICY


def _config(conn: redis.Redis, name: str) -> str | None:
    try:
        value = conn.config_get(name).get(name)
    except redis.ResponseError:  # CONFIG disabled or renamed (managed Redis): unknown, not a failure
        return None
    return value.decode() if isinstance(value, bytes) else value


def probe(url: str, timeout: float = TIMEOUT) -> BrokerProbe:
    """PING the broker at ``url`` and read its eviction policy and persistence settings.

    Returns a ``BrokerProbe``; never raises for a broker that is down, refuses or does not answer (each
    call is bounded by ``timeout`` seconds, so the whole probe by about 4 × ``timeout``, and an unreachable
    broker by one or two).
    """
    conn = client(url, timeout)
    try:
        started = time.monotonic()
        conn.ping()
        took = (time.monotonic() - started) * 1000
        policy = _config(conn, "maxmemory-policy")
        aof = _config(conn, "appendonly")
        save = _config(conn, "save")
    except (redis.RedisError, OSError) as exc:
        return BrokerProbe(reachable=False, error=type(exc).__name__)
    finally:
        conn.close()
    return BrokerProbe(
        reachable=True,
        round_trip_ms=round(took, 1),
        policy=policy,
        aof=None if aof is None else aof == "yes",
        rdb_save=save,
    )


def eviction_refusal(url: str, timeout: float = TIMEOUT) -> str | None:
    """The message a worker refuses to start with when the broker at ``url`` may evict keys (its
    ``maxmemory-policy`` is not ``noeviction``), or None when it is, or when it cannot be read (broker
    unreachable: the worker's own connection retries decide; CONFIG refused: unknown)."""
    found = probe(url, timeout)
    if not found.reachable or found.policy is None or found.policy_ok:
        return None
    return (
        f"Refusing to start: the Redis broker's maxmemory-policy is '{found.policy}', not 'noeviction'. "
        "Redis would silently drop queued tasks when memory runs short. Set `maxmemory-policy noeviction` "
        "in redis.conf (deploy/redis.conf) or run `redis-cli CONFIG SET maxmemory-policy noeviction`."
    )
