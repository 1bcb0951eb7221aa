"""A real Celery worker in its own process (prefork, so a killed child is replaced and its message
redelivered), on this test's database and the suite's Redis, with its own node name and queues: the
worker the fault tests start, stop, or kill outright (several at once for the two-node test)."""

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
    f"--loglevel={opts['loglevel']}", "--without-heartbeat", "--without-mingle", "--without-gossip",
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
        loglevel: str = "WARNING",
    ):
        self.name = name
        opts = {
            "db": connection.settings_dict["NAME"],
            "concurrency": concurrency,
            "queues": queues,
            "name": f"{name}@%h",
            "sqlite_timeout": sqlite_timeout,
            "loglevel": loglevel,
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

    def output(self) -> bytes:
        """What the worker has logged so far (its stderr). Read with ``pread``: the worker writes through the
        same open file, so moving its offset here would make it write over what it wrote."""
        fd = self.log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the worker says it is ready (``loglevel="INFO"``); AssertionError if it exits first or
        is not ready within ``timeout`` seconds."""

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"worker {self.name} exited: {self.output()[-3000:]!r}")
            return b" ready." in self.output()

        wait_for(ready, timeout=timeout, every=0.2)

    def kill(self) -> None:
        """SIGKILL the whole process group (the main process and its pool), as a power cut would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self, grace: float = 20.0) -> str:
        """Stop the worker and its children; returns the tail of its stderr (for a failing assertion)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.output().decode(errors="replace")[-3000:]


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
