"""Fixtures shared by the flow's tests."""

from __future__ import annotations

import threading

import pytest
from celery.app.task import Task


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, tuple]]:
    """Tasks that would have been sent to the broker after commit, as (name, args), in order; nothing is
    sent, so tests that commit (the races) need no Redis."""
    sent: list[tuple[str, tuple]] = []
    lock = threading.Lock()

    def fake_apply_async(self, args=None, kwargs=None, **options):
        with lock:
            sent.append((self.name, tuple(args or ())))

    monkeypatch.setattr(Task, "apply_async", fake_apply_async)
    return sent
