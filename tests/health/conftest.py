"""Fixtures of the health tests: a fresh report every time, a real Redis that evicts, a hung broker."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from health import checks
from tests.outbox.conftest import broker_at, hung_broker  # noqa: F401 - fixtures shared with the outbox's

DEPLOY_REDIS_CONF = Path(__file__).resolve().parents[2] / "deploy" / "redis.conf"


@pytest.fixture(autouse=True)
def _report_never_reused(settings):
    # /healthz reuses a report for a few seconds in production; every test here looks afresh.
    settings.NUANXIN_HEALTHZ_CACHE_S = 0
    checks._last = None
    yield
    checks._last = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayRedis:
    """A real redis-server on a free port, with the given extra arguments (after the config file ``conf``,
    when given); killed by ``close()``."""

    def __init__(self, tmp_path, *args: str, conf: str | None = None, port: int | None = None):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: run the suite with `make test`.")
        self.port = port or free_port()
        self.proc = subprocess.Popen(
            [
                binary,
                *([conf] if conf else []),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(tmp_path),
                *args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        for _ in range(100):
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        self.close()
        pytest.fail(f"redis-server did not start on port {self.port}")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def close(self) -> None:
        self.proc.kill()  # a throwaway: nothing to save (SIGTERM may wait on an AOF rewrite)
        self.proc.wait(timeout=10)


@pytest.fixture
def evicting_redis(tmp_path):
    """A real Redis with ``maxmemory-policy allkeys-lru``: the broker a worker must refuse."""
    server = ThrowawayRedis(tmp_path, "--save", "", "--appendonly", "no", "--maxmemory-policy", "allkeys-lru")
    yield server
    server.close()


@pytest.fixture
def volatile_redis(tmp_path):
    """A real Redis with ``noeviction`` and no persistence at all (no AOF, no RDB saves)."""
    server = ThrowawayRedis(tmp_path, "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction")
    yield server
    server.close()


@pytest.fixture
def durable_redis(tmp_path):
    """A real Redis started from deploy/redis.conf itself (``noeviction``, an append-only file): the broker
    the deployment runs, not a copy of its settings."""
    server = ThrowawayRedis(tmp_path, conf=str(DEPLOY_REDIS_CONF))
    yield server
    server.close()


def by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}
