"""The example environment in deploy/ passes Django's deployment checks with no warning, and the
development defaults do not (so the test would notice an example that stopped setting them). The checks
include the broker's (health.system): they run against a real Redis started from deploy/redis.conf."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "nuanxin.env.example"


def _example_env() -> dict[str, str]:
    values = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def _check_deploy(extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NUANXIN_"))}
    env.update(extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_example_environment_passes_check_deploy_with_no_warning(durable_redis):
    result = _check_deploy({**_example_env(), "REDIS_URL": durable_redis.url()})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_the_https_settings_check_deploy_names_what_is_missing(durable_redis):
    env = {**_example_env(), "REDIS_URL": durable_redis.url()}
    for key in list(env):
        if key.startswith("DJANGO_SECURE") or key == "NUANXIN_BEHIND_TLS_PROXY":
            del env[key]

    result = _check_deploy(env)

    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stdout + result.stderr


def test_the_example_environment_never_enables_debug_or_the_dev_secret():
    env = _example_env()

    assert env["DJANGO_DEBUG"] == "false"
    assert len(env["DJANGO_SECRET_KEY"]) >= 50 and not env["DJANGO_SECRET_KEY"].startswith("dev-only")
    assert all(origin.startswith("https://") for origin in env["DJANGO_CSRF_TRUSTED_ORIGINS"].split(","))


def test_the_example_environment_requires_a_persistent_broker(volatile_redis):
    result = _check_deploy({**_example_env(), "REDIS_URL": volatile_redis.url()})

    assert result.returncode != 0
    assert "health.E002" in result.stdout + result.stderr
