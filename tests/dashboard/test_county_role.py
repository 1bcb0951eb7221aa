"""The county official (县级) reads figures and nothing else: every page of the dashboard, the lists and
the phone pages but the impact report (and her own inbox) is refused or empty for her (no worker's name or
phone anywhere), and every POST to any of them but the marks on her own inbox is refused before a view
runs, with nothing written."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.dashboard.helpers import inspecting_job, settled_job
from tests.factories import UserFactory
from workshop.models import CountyOfficial

# Pages anyone may open (the public join form, the phone app's shell), the county's own report and inbox.
OPEN_TO_HER = {
    "/dashboard/impact/",
    "/dashboard/impact.xlsx",
    "/dashboard/inbox/",
    "/m/join/",
    "/m/join/done/",
    "/m/offline/",
    "/m/manifest.webmanifest",
    "/m/sw.js",
    "/m/login/",
}
# Her own session and inbox: signing out, the page language and marking her own messages read are the only
# writes she may make (another's message is a 404 to her: ``test_inbox.py``).
HER_OWN_SESSION = {"/accounts/logout/", "/m/logout/", "/i18n/setlang/", "/dashboard/inbox/read-all/"}
HER_OWN_INBOX = "/dashboard/inbox/"
APPS = ("dashboard", "mobile", "matching")


def _routes() -> list[tuple[str, URLPattern]]:
    """(route with placeholders, pattern) of every URL of the dashboard, the phone pages and the lists."""
    out = []

    def walk(patterns, prefix: str, namespace: str | None):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route, p.namespace or namespace)
            elif namespace in APPS:
                out.append((prefix + route, p))

    walk(get_resolver().url_patterns, "/", None)
    return out


def _paths(route: str, ids: list[int], today) -> list[str]:
    def fill(value_for_int):
        def sub(m):
            kind = m.group(1) or "str"
            if kind == "int":
                return str(value_for_int)
            return {"yyyy": f"{today:%Y}", "mm": f"{today:%m}"}.get(kind, today.isoformat())

        return re.sub(r"<(?:(\w+):)?\w+>", sub, route)

    return sorted({fill(i) for i in ids}) if "<" in route else [route]


@pytest.fixture
def world(cast, issue_job):
    """Pay booked for the cast (a settled job), a job waiting for inspection, and the county official."""
    settled = settled_job(cast, issue_job, pieces=(100, 100, 100))
    waiting = inspecting_job(cast, issue_job, pieces=(50, 50, 50), title="待验收")
    official = CountyOfficial.objects.create(user=UserFactory(username="county"), county="海盐县").user
    ids = sorted(
        {
            settled.pk,
            waiting.pk,
            cast.alice.pk,
            cast.mallory.pk,
            cast.mallory.workshop_id,
            cast.ws.pk,
            waiting.assignments.first().pk,
        }
    )
    return official, ids


def _people(cast) -> list[str]:
    return [
        text
        for w in (cast.alice, cast.bob, cast.carol, cast.mallory)
        for text in (w.name, str(w.phone.national_number))
    ]


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_every_page_but_her_report_is_closed_to_her_and_none_shows_a_person(client, cast, world):
    official, ids = world
    client.force_login(official)
    today = timezone.localdate()
    opened, tried = [], 0
    for route, _pattern in _routes():
        for path in _paths(route, ids, today):
            tried += 1
            response = client.get(path)
            body = response.content.decode(errors="ignore") if not path.endswith(".xlsx") else ""
            # A random CSRF token may hold "bob" by chance: it names no one.
            body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
            for text in _people(cast):
                assert text not in body, (path, text)
            if response.status_code == 200:
                opened.append(path)
            else:
                assert response.status_code in (302, 400, 403, 404, 405), (path, response.status_code)
                if response.status_code == 302:
                    assert not response.url.startswith(("/dashboard/w", "/dashboard/pay")), path
    assert tried > 80
    assert set(opened) <= OPEN_TO_HER, sorted(set(opened) - OPEN_TO_HER)
    assert {"/dashboard/impact/", "/dashboard/impact.xlsx"} <= set(opened)
    # The pages that hold people, by name: refused outright.
    for path in (
        "/dashboard/workers/",
        f"/dashboard/workers/{cast.alice.pk}/",
        f"/dashboard/workers/{cast.mallory.pk}/",
        "/dashboard/pay/",
        f"/dashboard/pay/?worker={cast.alice.pk}",
        "/dashboard/",
        "/lists/supply/",
        "/m/earnings/",
        "/admin/workshop/worker/",
    ):
        assert client.get(path).status_code in (302, 403), path


def test_every_post_she_makes_is_refused_and_writes_nothing(client, cast, world):
    official, ids = world
    client.force_login(official)
    today = timezone.localdate()
    before = _row_counts()
    tried = 0
    for route, _pattern in _routes():
        for path in _paths(route, ids, today):
            if path in HER_OWN_SESSION or path.startswith(HER_OWN_INBOX):
                continue
            tried += 1
            response = client.post(path, {"pin": "482915", "action": "prepare", "name": "x", "kind": "jobs"})
            assert response.status_code == 403, (path, response.status_code)
    for path in (
        "/admin/workshop/worker/add/",
        f"/admin/workshop/worker/{cast.alice.pk}/change/",
        "/admin/login/",
    ):
        assert client.post(path, {"name": "x"}).status_code == 403, path
    assert tried > 80
    assert _row_counts() == before


def test_she_may_still_sign_out(client, world):
    official, _ids = world
    client.force_login(official)
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert client.get("/dashboard/impact/").status_code == 302  # signed out: to the sign-in page


def test_the_read_only_rule_costs_others_nothing_and_lets_a_head_post(client, cast, world):
    client.force_login(cast.head)
    response = client.post(f"/dashboard/workers/{cast.alice.pk}/pin/", {"pin": "482915"})
    assert response.status_code == 302


def test_the_dashboards_address_takes_her_to_her_figures_and_others_pages_stay_refused(client, cast, world):
    """A trial: the county official opening /dashboard/ (a bookmark, the site's link) met a bare 403."""
    official, _ids = world
    client.force_login(official)
    opened = client.get("/dashboard/")
    assert opened.status_code == 302 and opened["Location"] == "/dashboard/impact/"
    assert client.get("/dashboard/board/").status_code == 403
    assert client.post("/dashboard/").status_code in (403, 405)


def test_a_worker_opening_the_dashboards_address_is_still_refused(client, cast):
    """Only a role whose start page is another dashboard page (``dispatch.views.HOME_BY_ROLE``) is sent
    there; a worker, and a user with no role, meet the refusal (the role matrix's rule)."""
    client.force_login(cast.alice.user)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/dashboard/board/").status_code == 403
    client.force_login(UserFactory())
    assert client.get("/dashboard/").status_code == 403
