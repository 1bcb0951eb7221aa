"""A real Celery worker in its own process (prefork, so a killed child is replaced and its message
redelivered), on this test's database and the suite's Redis. For the fault tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from django.conf import settings
from django.db import connection

LAUNCH = """
import json, sys
from django.conf import settings
opts = json.loads(sys.argv[1])
settings.DATABASES["default"]["NAME"] = opts["db"]
if opts.get("sqlite_timeout") is not None:
    settings.DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = opts["sqlite_timeout"]
import django
django.setup()
import tests.taskruns.killer
from config.celery import app
app.worker_main([
    "worker", "-P", "prefork", "-c", str(opts["concurrency"]), "-Q", opts["queues"], "-n", opts["name"],
    "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip",
])
"""


class WorkerProcess:
    """``celery worker`` in a child process; ``stop()`` ends it (warm, then killed after ``grace`` s)."""

    def __init__(
        self,
        *,
        name: str,
        env: dict | None = None,
        concurrency: int = 1,
        queues: str = "celery,exports",
        sqlite_timeout: float | None = None,
    ):
        opts = {
            "db": connection.settings_dict["NAME"],
            "concurrency": concurrency,
            "queues": queues,
            "name": f"{name}@%h",
            "sqlite_timeout": sqlite_timeout,
        }
        # A file, not a pipe: a worker logging more than a pipe holds would block on it.
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, json.dumps(opts)],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )

    def stop(self, grace: float = 20.0) -> str:
        """Stop the worker and its children; returns the tail of its stderr (for a failing assertion)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]


def wait_for(check, *, timeout: float, every: float = 0.2):
    """Poll ``check()`` until it returns something true, and return it; AssertionError after ``timeout``
    seconds (a bound on a hang, never a measure)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"still not true after {timeout:.0f}s")
