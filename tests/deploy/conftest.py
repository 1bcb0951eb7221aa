"""Fixtures of the deploy tests: the health tests' real Redis servers (one from deploy/redis.conf)."""

from tests.health.conftest import durable_redis, volatile_redis  # noqa: F401 - shared fixtures
