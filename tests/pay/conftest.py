"""The statement's month, built with the real services."""

from __future__ import annotations

import pytest

from tests.statement_month import build_month


@pytest.fixture
def month(cast, issue_job):
    """Builds the statement's month (``tests.statement_month``) when called."""
    return lambda: build_month(cast, issue_job)
