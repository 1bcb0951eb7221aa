"""Shared fixtures: a paired workshop (the cast), a real Redis check, and a real Celery worker.

The cast, after healthchecks' Alice/Bob/Charlie: ``head`` runs workshop ``ws``; ``clerk`` is staff of
``firm`` whose ``line`` is paired with ``ws``; ``alice``, ``bob`` and ``carol`` are workers of ``ws``;
``mallory`` is a worker of another workshop, ``eve`` staff of another firm.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from tests.factories import (
    FirmStaffFactory,
    LineFactory,
    PairingFactory,
    UserFactory,
    WorkerFactory,
    WorkshopFactory,
)


@dataclass
class Cast:
    ws: object
    head: object
    firm: object
    line: object
    pairing: object
    clerk: object
    alice: object
    bob: object
    carol: object
    mallory: object
    eve: object


@pytest.fixture(scope="session", autouse=True)
def _jinja_pages_report_their_context():
    """A page drawn by Jinja2 (config/jinja.py) tells the test client its template and context, as Django's
    own templates do under test (``django.test.utils.setup_test_environment``): ``response.context``."""
    from django.template.backends.jinja2 import Template
    from django.test.signals import template_rendered

    render = Template.render

    def instrumented(self, context=None, request=None):
        context = {} if context is None else context
        html = render(self, context, request)
        self.name = self.template.name
        template_rendered.send(sender=self, template=self, context=context)
        return html

    Template.render = instrumented
    yield
    Template.render = render


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The cast has eight users per test; the real hasher would spend seconds on each test's setup.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limit_counters():
    # The anonymous-POST counters (workshop.clientip) live in Redis across tests: each test starts at zero.
    try:
        client = redis.Redis.from_url(settings.CACHES["ratelimit"]["LOCATION"], socket_connect_timeout=0.2)
        keys = list(client.scan_iter("nuanxin-rl:*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass
    yield


@pytest.fixture(autouse=True)
def _outbox_fast_path_resumed():
    # A broker failure pauses the outbox's fast path for 5 s in this process: each test starts afresh.
    from outbox.services import resume_fast_path

    resume_fast_path()
    yield
    resume_fast_path()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    # A request through the locale middleware leaves its language active in the thread; the next test
    # starts in the default language whatever ran before it.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def cast(db) -> Cast:
    head = UserFactory(username="head")
    ws = WorkshopFactory(name="暖心坊", head=head)
    line = LineFactory(name="开关装配线")
    pairing = PairingFactory(firm=line.firm, workshop=ws, lines=[line])
    clerk = FirmStaffFactory(user=UserFactory(username="clerk"), firm=line.firm).user
    alice, bob, carol = (
        WorkerFactory(workshop=ws, user=UserFactory(username=n), name=n) for n in ("alice", "bob", "carol")
    )
    mallory = WorkerFactory(user=UserFactory(username="mallory"), name="mallory")
    eve = FirmStaffFactory(user=UserFactory(username="eve")).user
    return Cast(ws, head, line.firm, line, pairing, clerk, alice, bob, carol, mallory, eve)


def tomorrow(days: int = 7) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def issue_job(cast):
    """Issue a job as the clerk, returning the Job (on-commit tasks are not run)."""
    from dispatch import services

    def _issue(quantity: int = 300, rate: str = "0.0350", **kw):
        return services.job_issue(
            actor=cast.clerk,
            workshop=cast.ws,
            line=cast.line,
            title=kw.pop("title", "开关面板装配"),
            quantity=quantity,
            piece_rate=Decimal(rate),
            due_on=kw.pop("due_on", tomorrow()),
            **kw,
        )

    return _issue


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@pytest.fixture(scope="session")
def redis_server():
    """The real Redis broker that ``make test`` started. Missing Redis is a failure, never a skip."""
    client = redis_client()
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(
            f"Redis is not reachable at {settings.CELERY_BROKER_URL} ({exc}); run the suite with `make test`."
        )
    return client


@pytest.fixture
def celery_worker(transactional_db, redis_server):
    """A real Celery worker consuming from the real Redis broker, in a thread of this process."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    redis_server.flushdb()
    with start_worker(
        app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
        queues=["celery", "exports"],  # the flow's queue and the dashboard's exports queue
    ) as worker:
        yield worker
    redis_server.flushdb()


@pytest.fixture
def postgres_only():
    """Row locks and concurrent writers mean nothing on SQLite: these tests run on PostgreSQL (CI does)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run `make test` in CI, or with DATABASE_URL=postgres://...")


# --- browser tests: Debian chromium driven by Playwright -----------------------------------------------

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium under Playwright. Missing chromium is a failure, never a skip."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    path = os.environ.get("NUANXIN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "chromium is missing: run `make test` (it installs it), or: sudo apt-get install -y chromium"
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class Shots:
    """Saves a numbered screenshot of each page a test visits under artifacts/screenshots/<test>/."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.n = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def __call__(self, name: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _context(chromium, request, **kw):
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **kw)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.shots = Shots(page, ARTIFACTS / request.node.name)
    return context, page


@pytest.fixture
def phone(chromium, live_server, request):
    """A 360×640 phone page (touch, 2× pixels, zh-CN) on the live server; ``page.shots("name")`` saves."""
    context, page = _context(
        chromium,
        request,
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def desk(chromium, live_server, request):
    """A 1366×768 laptop page on the live server; ``page.shots("name")`` saves a screenshot."""
    context, page = _context(chromium, request, viewport={"width": 1366, "height": 768})
    page.base = live_server.url
    yield page
    context.close()
