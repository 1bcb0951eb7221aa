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
from pathlib import Path

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
