"""The front door: home sends each role to its start page, login and logout, the language switch, and
the foundation's /firm/ and /head/ addresses redirecting to the dashboard that replaced them (the
dashboard's own tests are in tests/dashboard/, the workers' pages' in tests/mobile/)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from dispatch import services
from dispatch.models import (
    Assignment,
    Job,
)
from tests.factories import CommunityAdminFactory, UserFactory


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def accepted_job(cast, issue_job, **kw) -> Job:
    job = issue_job(**kw)
    services.job_accept(actor=cast.head, job=job)
    return job


def offer(job, worker, pieces: int = 100) -> Assignment:
    return services.assignment_offer(job=job, worker=worker, pieces=pieces)


def row(model, pk) -> dict:
    return model.objects.values().get(pk=pk)


# --- home, login, logout, language ---------------------------------------------------------------------


def test_home_sends_anonymous_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


@pytest.mark.parametrize(
    "who, target",
    [
        ("alice", "/m/"),
        ("head", "/dashboard/"),
        ("clerk", "/dashboard/"),
        ("superuser", "/admin/"),
        ("community", "/dashboard/"),
    ],
)
def test_home_redirects_by_role(client, cast, who, target):
    if who == "alice":
        user = cast.alice.user
    elif who == "superuser":
        user = UserFactory(username="root", is_superuser=True, is_staff=True)
    elif who == "community":
        user = CommunityAdminFactory().user
    else:
        user = getattr(cast, who)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == target


def test_home_refuses_a_user_without_a_role(client, db):
    client.force_login(UserFactory(username="nobody"))
    response = client.get("/")
    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()


def test_login_page_renders_in_chinese_without_secrets(client, db):
    response = client.get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "登录" in body and "用户名" in body and "密码" in body
    assert "pw-for-tests" not in body and "demo" not in body.lower()


def test_login_with_password_then_home(client, cast):
    response = client.post("/accounts/login/", {"username": "clerk", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/dashboard/"


def test_logout_is_post_only(client, cast):
    client.force_login(cast.clerk)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/dashboard/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_language_switch_sets_english(client, cast):
    client.force_login(cast.clerk)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert response.cookies["django_language"].value == "en"
    page = client.get("/dashboard/").content.decode()
    assert 'lang="en"' in page


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/firm/", "/dashboard/"),
        ("/head/", "/dashboard/"),
        ("/firm/jobs/7/", "/dashboard/jobs/7/"),
        ("/head/jobs/7/", "/dashboard/jobs/7/"),
    ],
)
def test_old_firm_and_head_addresses_land_on_the_dashboard(client, old, new):
    response = client.get(old)

    assert (response.status_code, response["Location"]) == (301, new)


def test_an_expired_form_on_a_staff_page_says_so_in_staff_words(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.head)

    response = client.post("/dashboard/jobs/1/decline/", {"reason": "x"})

    body = response.content.decode()
    assert response.status_code == 403
    assert "页面过期了" in body and "报工" not in body
