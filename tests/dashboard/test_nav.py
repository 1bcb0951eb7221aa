"""The staff pages' navigation (drawn by Jinja2 on every dashboard page): each role sees its own links, the
page she is on is marked, and the words follow her language; the paths come from ``config.jinja.url``,
Django's ``reverse`` remembered, which must give what ``reverse`` gives."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse, set_script_prefix

from config import jinja
from tests.factories import CommunityAdminFactory, UserFactory
from workshop.models import CountyOfficial


def _nav(page: str) -> str:
    found = re.search(r'<nav class="dash-nav".*?</nav>', page, re.S)
    assert found, "no navigation"
    return found.group(0)


def _links(nav: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', nav)


def _current(nav: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', nav)


def test_the_head_sees_her_links_and_the_board_marked_as_where_she_is(client, cast):
    client.force_login(cast.head)
    nav = _nav(client.get("/dashboard/board/").content.decode())
    links = _links(nav)
    assert {"/dashboard/", "/dashboard/board/", "/dashboard/workers/", "/dashboard/runs/"} <= set(links)
    assert "/dashboard/jobs/new/" not in links  # only a firm issues jobs
    assert _current(nav) == ["/dashboard/board/"]
    assert "坊长" in nav and "流程看板" in nav


def test_the_firm_clerk_issues_jobs_but_has_no_roster_or_runs(client, cast):
    client.force_login(cast.clerk)
    nav = _nav(client.get("/dashboard/").content.decode())
    links = _links(nav)
    assert "/dashboard/jobs/new/" in links
    assert "/dashboard/workers/" not in links and "/dashboard/runs/" not in links
    assert _current(nav) == ["/dashboard/"]
    assert cast.firm.name in nav  # 企业专员 · her firm


def test_the_county_official_has_only_the_figures_and_her_messages(client, cast):
    official = CountyOfficial.objects.create(user=UserFactory(), county="海盐县").user
    client.force_login(official)
    nav = _nav(client.get("/dashboard/impact/").content.decode())
    assert _links(nav) == ["/dashboard/impact/", "/dashboard/inbox/"]
    assert _current(nav) == ["/dashboard/impact/"]


def test_the_navigation_reads_in_english_with_its_unread_title(client, cast):
    from notices.services import notify

    admin = CommunityAdminFactory().user
    params = {"f": "某厂", "t": "布袋", "n": 5}
    notify(recipient=admin, kind="job_issued", params=params, link="/dashboard/", dedupe_key="nav-1")
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    page = client.get("/dashboard/").content.decode()
    nav = _nav(page)
    assert "Flow board" in nav and "流程看板" not in nav
    assert 'title="1 unread"' in nav
    assert re.search(r'class="inbox-link" data-nav="inbox-top"[^>]*>Messages <span', page)


@pytest.mark.parametrize(
    "name,args", [("dashboard:home", ()), ("dashboard:job", (7,)), ("mobile:assignment", (12,))]
)
def test_a_remembered_path_is_what_reverse_gives_under_any_script_prefix(name, args):
    assert jinja.url(name, args=list(args)) == reverse(name, args=args)
    set_script_prefix("/nuanxin/")
    try:
        assert jinja.url(name, args=list(args)) == reverse(name, args=args)
        assert jinja.url(name, args=list(args)).startswith("/nuanxin/")
    finally:
        set_script_prefix("/")
    assert not jinja.url(name, args=list(args)).startswith("/nuanxin/")


def test_arguments_that_equal_but_print_differently_are_not_mixed_up():
    assert jinja.url("dashboard:job", args=[1]) == "/dashboard/jobs/1/"
    with pytest.raises(Exception):  # noqa: B017 - True is not a job id: reverse refuses it, each time
        jinja.url("dashboard:job", args=[True])
