"""Against a real Redis whose eviction policy may drop queued tasks, a real ``celery worker`` process
refuses to start (non-zero exit, the reason in its output) and ``manage.py check`` reports health.E001."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.health.conftest import ThrowawayRedis, free_port

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"


def _env(redis_url: str) -> dict[str, str]:
    return {**os.environ, "REDIS_URL": redis_url}


def _manage(command: str, redis_url: str) -> subprocess.CompletedProcess:
    """``manage.py <command>`` in a fresh process whose broker is ``redis_url``."""
    return subprocess.run(
        [sys.executable, "manage.py", command],
        cwd=ROOT,
        env=_env(redis_url),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_worker_refuses_to_start_on_an_evicting_broker(evicting_redis):
    run = subprocess.run(
        [str(CELERY), "-A", "config", "worker", "-P", "solo", "-Q", "celery,exports", "-l", "INFO"],
        cwd=ROOT,
        env=_env(evicting_redis.url()),
        capture_output=True,
        text=True,
        timeout=30,  # generous on a loaded machine: it exits in a few seconds (TimeoutExpired fails the test)
    )

    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "maxmemory-policy is 'allkeys-lru', not 'noeviction'" in output
    assert "Refusing to start" in output
    assert evicting_redis.client.keys("_kombu.binding.*") == []  # it never declared a queue


def test_a_worker_started_before_its_broker_refuses_once_it_connects_to_an_evicting_one(tmp_path):
    port = free_port()
    worker = subprocess.Popen(
        [str(CELERY), "-A", "config", "worker", "-P", "solo", "-Q", "celery,exports", "-l", "INFO"],
        cwd=ROOT,
        env=_env(f"redis://127.0.0.1:{port}/0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    retrying = threading.Event()

    def read() -> None:
        for line in worker.stdout:
            lines.append(line)
            if "Cannot connect" in line:
                retrying.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    server = None
    try:
        assert retrying.wait(timeout=30), "".join(lines)  # up, and retrying: nothing listens yet
        server = ThrowawayRedis(tmp_path, "--save", "", "--maxmemory-policy", "allkeys-lru", port=port)
        worker.wait(timeout=45)
        reader.join(timeout=5)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        if server:
            server.close()
    output = "".join(lines)

    assert worker.returncode != 0, output
    assert "Refusing to start: the Redis broker's maxmemory-policy is 'allkeys-lru'" in output


def test_manage_py_check_reports_e001_on_an_evicting_broker(evicting_redis):
    run = _manage("check", evicting_redis.url())

    assert run.returncode != 0
    assert "health.E001" in run.stdout + run.stderr


def test_manage_py_health_still_reports_on_an_evicting_broker(evicting_redis):
    run = _manage("health", evicting_redis.url())

    assert run.returncode == 1
    assert "health.E001" not in run.stdout + run.stderr  # the system checks did not stop it
    broker_line = next(line for line in run.stdout.splitlines() if line.startswith("broker"))
    assert broker_line.split()[1] == "fail" and "maxmemory_policy allkeys-lru" in broker_line


def test_a_worker_starts_on_a_noeviction_broker(volatile_redis, tmp_path):
    """The refusal's counterpart: the same command on a noeviction Redis runs until stopped."""
    proc = subprocess.Popen(
        [str(CELERY), "-A", "config", "worker", "-P", "solo", "-Q", "celery,exports", "-l", "INFO"],
        cwd=ROOT,
        env=_env(volatile_redis.url()),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()

    def watch() -> None:
        for line in proc.stdout:
            if " ready." in line:
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        came_up = ready.wait(timeout=30)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    assert came_up
