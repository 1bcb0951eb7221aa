"""Someone trying Nuanxin already has something on port 8000: ``make run PORT=8001`` serves on 8001, and a
port that is not a number or is taken is said before Redis, migrations or the demo are started.

The script runs with a REDIS_URL nobody answers: had it gone past the port check, it would stop at the
Redis check (with its own words), never reach the database or start a server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
NOBODY = "redis://127.0.0.1:1/0"


def run_script(port: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORT": port, "REDIS_URL": NOBODY}
    return subprocess.run(
        ["bash", "scripts/run.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("port", ["http", "0", "65536", "80a", "-1"])
def test_a_port_that_is_not_a_number_is_refused_before_anything_starts(port):
    done = run_script(port)

    assert done.returncode == 1
    assert f"PORT={port} is not a port number" in done.stderr
    assert "REDIS_URL" not in done.stderr + done.stdout


def test_a_taken_port_is_said_before_anything_starts():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        done = run_script(str(port))

    assert done.returncode == 1
    assert f"Port {port} is taken" in done.stderr and "make run PORT=" in done.stderr
    assert "REDIS_URL" not in done.stderr + done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("args, port", [(["PORT=8001"], "8001"), ([], "8000")])
def test_make_run_hands_its_port_to_the_script(args, port):
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "MAKEFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert f"PORT='{port}' bash scripts/run.sh" in done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_on_a_fresh_clone_a_wrong_port_is_said_before_anything_is_installed(tmp_path):
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "MAKEFLAGS", "MAKELEVEL")}
    done = subprocess.run(
        ["make", "run", "PORT=abc", f"VENV={venv}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode != 0
    assert "PORT=abc is not a port number" in done.stderr
    assert not venv.exists()  # nothing was installed first


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class _Got:
    status: int
    body: str


def _get(port: int, path: str) -> _Got:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
            return _Got(r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        return _Got(e.code, e.read().decode())


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_stop_from_another_terminal_stops_the_web_server_worker_and_beat(tmp_path):
    """A head closed the terminal make run ran in (or runs it in the background): make stop ends it, and
    with it the web server, the Celery worker and beat it started; a second make stop finds nothing."""
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dropped = ("PORT", "MAKEFLAGS", "MAKELEVEL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    # Its own database and its own Redis database: its worker and beat must not take the suite's tasks,
    # nor leave beat's for the suite's worker.
    broker = urlunsplit(urlsplit(os.environ["REDIS_URL"])._replace(path="/7"))
    env |= {"PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}", "REDIS_URL": broker}
    run = subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 240
        while not _answers(port):
            assert run.poll() is None, run.stdout.read()
            assert time.monotonic() < deadline, "make run did not serve within 240 s"
            time.sleep(0.5)
        # The demo shows its users' pages: a wrong address is the 404 page in Chinese, not Django's
        # English debug page; the styles are still served.
        missing = _get(port, "/no-such-page/")
        assert missing.status == 404 and "找不到页面" in missing.body and "Django" not in missing.body
        assert _get(port, "/static/css/site.css").status == 200
        pid = int((ROOT / "var" / "run.pid").read_text())
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 4, children  # two workers, beat, the web server

        stop = subprocess.run(["make", "stop"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

        assert stop.returncode == 0 and f"Stopped make run (pid {pid})" in stop.stdout, (
            stop.stdout + stop.stderr
        )
        assert run.wait(timeout=30) == 0, run.stdout.read()  # a stop asked for, not "Error 143"
        assert not _answers(port)
        assert not any(Path(f"/proc/{c}").exists() for c in children), children
        assert not (ROOT / "var" / "run.pid").exists()
        again = subprocess.run(
            ["make", "stop"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert again.returncode == 0 and "nothing to stop" in again.stdout
    finally:
        if run.poll() is None:
            run.terminate()
            run.wait(timeout=30)
        import redis

        redis.Redis.from_url(broker).flushdb()
