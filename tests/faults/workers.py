"""Real Celery worker processes for the fault tests: started with the same command lines as ``make run``
and deploy/systemd (a worker per queue), against this test run's database and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def database_url() -> str:
    """The URL of the database this test run uses (the test database, not the development one)."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{port}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


class WorkerNode:
    """One ``celery -A config worker`` process with its own node name, queues and log file."""

    def __init__(self, name: str, queues: str, *, concurrency: int = 1, log_dir: Path, extra=(), env=None):
        self.name, self.log = name, log_dir / f"{name}.log"
        env_extra = env
        env = dict(os.environ, DATABASE_URL=database_url(), REDIS_URL=settings.CELERY_BROKER_URL)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(env_extra or {})
        self.proc = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "-Q",
                queues,
                "-n",
                f"{name}@%h",
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                *extra,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b" ready." in self.log.read_bytes():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"worker {self.name} exited: {self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"worker {self.name} not ready in {timeout} s: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group (the main process and its pool children), as a power cut would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
