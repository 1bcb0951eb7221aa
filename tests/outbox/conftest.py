"""Fixtures of the outbox's tests: the real Redis queue's messages, and a broker that never answers."""

from __future__ import annotations

import json
import socket
import threading

import pytest
from celery import current_app


def queued_ids(client, queue: str = "celery") -> list[str]:
    """The Celery task ids waiting in ``queue`` on the real Redis broker, in the order a worker takes them."""
    return [json.loads(raw)["headers"]["id"] for raw in reversed(client.lrange(queue, 0, -1))]


class HungBroker:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers a byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _serve(self) -> None:
        self.sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)  # held open, never read from or written to

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def broker_at():
    """``broker_at(url)`` points the Celery app's broker at ``url`` for the test; put back afterwards."""
    before = current_app.conf.broker_url

    def point(url: str) -> None:
        current_app.conf.broker_url = url

    yield point
    current_app.conf.broker_url = before


@pytest.fixture
def hung_broker():
    server = HungBroker()
    yield server
    server.close()
