"""The client side of ``make bench-county``: signed-in sessions, concurrent clients against a running web
server, pages timed against the bare view in the same round, and the shift-end burst of reports.

Times are seconds (wall clock, ``time.perf_counter``), rates requests per second; every figure the
command prints is a ratio of two measured here in the same round. Sessions are written straight into
the session store (what ``django.contrib.auth.login`` writes), since signing 5,000 workers in through
the PIN page would measure password hashing, not the pages.
"""

from __future__ import annotations

import http.client
import secrets
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

BACKEND = "workshop.auth.UserBackend"


@dataclass(frozen=True)
class Page:
    """A page to time: its name in the table (worker pages start ``worker_``), its path, and the users
    the clients sign in as (one per client, reused round-robin)."""

    name: str
    path: str
    user_ids: Sequence[int]


@dataclass
class Timing:
    """One page's requests in one round: latencies (s), wall time (s), requests that failed."""

    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0
    errors: int = 0

    @property
    def p95(self) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))] if xs else float("nan")

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


def sessions_for(user_ids: Sequence[int]) -> dict[int, str]:
    """A signed-in session key for each user id (what ``login`` stores), written in bulk."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    users = get_user_model().objects.in_bulk(list(user_ids))
    out = {}
    for uid in user_ids:
        s = store()
        s[SESSION_KEY] = str(uid)
        s[BACKEND_SESSION_KEY] = BACKEND
        s[HASH_SESSION_KEY] = users[uid].get_session_auth_hash()
        s.create()
        out[uid] = s.session_key
    return out


class Clients:
    """``n`` client threads, each with its own connection to ``host:port``, each request sent with the
    session cookie of the user it is for and a CSRF cookie (the token is sent back with a POST)."""

    def __init__(self, host: str, port: int, sessions: dict[int, str]):
        self.host, self.port, self.sessions = host, port, sessions
        self.csrf = secrets.token_hex(16)  # 32 characters: a CSRF secret Django accepts as cookie and token

    def _headers(self, uid: int) -> dict[str, str]:
        session = f"{settings.SESSION_COOKIE_NAME}={self.sessions[uid]}"
        cookies = f"{session}; {settings.CSRF_COOKIE_NAME}={self.csrf}"
        return {
            "Cookie": cookies,
            "Accept-Language": "zh-hans",
        }

    def run(
        self,
        jobs: Sequence[tuple[int, str, dict | None]],
        *,
        threads: int,
        ok: Callable[[int], bool],
        max_seconds: float | None = None,
    ) -> Timing:
        """Send ``jobs`` — (user id, path, POST fields or None for a GET) — over ``threads`` connections at
        once; each request's latency is recorded, a status ``ok`` refuses is an error. With
        ``max_seconds``, no request is started after that long once each client has sent two (a page
        that takes seconds is measured on fewer requests rather than holding the run for minutes)."""
        timing = Timing()
        lock = threading.Lock()
        it = iter(list(jobs))
        floor = 2 * threads
        deadline = time.perf_counter() + max_seconds if max_seconds else None

        def worker():
            conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            while True:
                with lock:
                    late = deadline is not None and time.perf_counter() > deadline
                    job = None if late and len(timing.latencies) >= floor else next(it, None)
                if job is None:
                    break
                uid, path, fields = job
                headers = self._headers(uid)
                body = None
                if fields is not None:
                    body = urlencode({**fields, "csrfmiddlewaretoken": self.csrf})
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                t0 = time.perf_counter()
                try:
                    conn.request("POST" if fields is not None else "GET", path, body=body, headers=headers)
                    resp = conn.getresponse()
                    resp.read()
                    good = ok(resp.status)
                    if resp.getheader("Connection", "").lower() == "close":
                        conn.close()
                except (OSError, http.client.HTTPException):
                    good = False
                    conn.close()
                dt = time.perf_counter() - t0
                with lock:
                    timing.latencies.append(dt)
                    timing.errors += 0 if good else 1
            conn.close()

        pool = [threading.Thread(target=worker) for _ in range(threads)]
        t0 = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        timing.wall = time.perf_counter() - t0
        return timing

    def get(self, page: Page, *, requests: int, threads: int, max_seconds: float | None = 20.0) -> Timing:
        jobs = [(page.user_ids[i % len(page.user_ids)], page.path, None) for i in range(requests)]
        return self.run(jobs, threads=threads, ok=lambda s: s == 200, max_seconds=max_seconds)


def query_counts(pages: Sequence[Page]) -> dict[str, int]:
    """SQL statements each page costs in this process (Django's test client, signed in as the page's
    first user), after one warm-up request so caches of the process don't count."""
    out = {}
    users = get_user_model().objects.in_bulk([p.user_ids[0] for p in pages])
    for page in pages:
        client = Client()
        client.force_login(users[page.user_ids[0]], backend=BACKEND)
        client.get(page.path)
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(page.path)
        if resp.status_code != 200:
            raise RuntimeError(f"{page.name}: {page.path} answered {resp.status_code}")
        out[page.name] = len(ctx.captured_queries)
    return out


@dataclass
class PageRatios:
    """A page over rounds: p95 ÷ bare p95 and rps ÷ bare rps of each round, and its errors."""

    p95: list[float] = field(default_factory=list)
    rps: list[float] = field(default_factory=list)
    p95_ms: list[float] = field(default_factory=list)
    errors: int = 0
    requests: int = 0


def page_rounds(
    clients: Clients,
    pages: Sequence[Page],
    bare: Page,
    *,
    rounds: int,
    requests: int,
    threads: int,
    log=print,
) -> dict[str, PageRatios]:
    """``rounds`` rounds; in each, the bare view then every page, ``requests`` requests each over
    ``threads`` clients; each page's ratios to that round's bare view."""
    out = {p.name: PageRatios() for p in pages}
    out["bare"] = PageRatios()
    for r in range(rounds):
        clients.get(bare, requests=threads * 2, threads=threads)  # warm the processes
        b = clients.get(bare, requests=requests, threads=threads)
        out["bare"].p95_ms.append(b.p95 * 1000)
        out["bare"].errors += b.errors
        for page in pages:
            t = clients.get(page, requests=requests, threads=threads)
            ratios = out[page.name]
            ratios.p95.append(t.p95 / b.p95)
            ratios.rps.append(t.rps / b.rps)
            ratios.p95_ms.append(t.p95 * 1000)
            ratios.errors += t.errors
            ratios.requests += len(t.latencies)
        log(f"  round {r + 1}: bare p95 {b.p95 * 1000:.0f} ms, {b.rps:.0f}/s")
    return out


def summary(values: list[float]) -> tuple[float, float]:
    """(min, median) of a page's ratios over the rounds."""
    return min(values), statistics.median(values)


def burst(clients: Clients, shares: dict[int, int], *, threads: int = 16, replay: int = 500) -> dict:
    """The shift-end burst: every worker of ``shares`` (user id → her accepted share) posts one report of
    10 pieces, ``threads`` at a time, against up to 2,000 bare POSTs; then ``replay`` of the reports
    are sent again with their keys (a phone resending). Returns the rates (requests/s), their ratio, the
    errors, and whether each report was counted once."""
    from dispatch.models import WorkReport

    users = list(shares)
    # The yardstick's rate settles within a couple of thousand requests; the reports are all of them.
    bare = clients.run(
        [(u, "/lab/bare-post/", {}) for u in users[:2000]], threads=threads, ok=lambda s: s == 302
    )
    jobs = [
        (u, f"/m/a/{shares[u]}/report/", {"pieces": 10, "key": f"cwb-{shares[u]}", "confirmed": "1"})
        for u in users
    ]
    posts = clients.run(jobs, threads=threads, ok=lambda s: s == 302)
    again = clients.run(jobs[:replay], threads=threads, ok=lambda s: s == 302)
    made = WorkReport.objects.filter(key__startswith="cwb-")
    counted = made.count()
    pieces = sum(made.values_list("pieces", flat=True))
    return {
        "bare_post_per_s": bare.rps,
        "reports_per_s": posts.rps,
        "ratio": posts.rps / bare.rps if bare.rps else 0.0,
        "errors": posts.errors + again.errors + bare.errors,
        "reports": len(users),
        "replayed": min(replay, len(users)),
        "counted_once": counted == len(users) and pieces == 10 * len(users),
    }
