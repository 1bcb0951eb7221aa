"""Fixtures for the bundle-ticket tests: the flow's stub of the broker, for the races that commit."""

from tests.dispatch.conftest import published  # noqa: F401 - a fixture, used by name
