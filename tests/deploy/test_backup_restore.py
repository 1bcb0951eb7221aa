"""The deploy walk-through on this machine: the units' commands run as systemd would run them, a backup
taken, the database dropped, restored, and the restored site shows the same totals (deploy/try-deploy.sh)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.faults
def test_a_backup_restored_into_a_dropped_database_shows_the_same_totals(postgres_only):
    # The script's own environment (deploy/nuanxin.env.example), not the test run's: pytest's browser
    # tests set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly warns about.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NUANXIN_"))}
    result = subprocess.run(
        ["bash", "deploy/try-deploy.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )

    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    before = next(line for line in out.splitlines() if line.startswith("before: "))
    after = next(line for line in out.splitlines() if line.startswith("after:  "))
    assert before.removeprefix("before: ") == after.removeprefix("after:  ")
    assert "wages " in before and "jobs 0 " not in before
    assert "OK: backup taken, database dropped, restored, the same totals" in out
