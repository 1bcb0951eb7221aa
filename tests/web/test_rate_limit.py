"""Anonymous POSTs (the public join form, the sign-ins) are limited per client address: over the rate a
clear 429 page in the reader's language with Retry-After; the address is REMOTE_ADDR unless it is a
trusted proxy, then the right-most X-Forwarded-For hop that is not one."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from workshop.clientip import client_ip


def _ip(settings, remote, forwarded=None, proxies=()):
    settings.NUANXIN_TRUSTED_PROXIES = list(proxies)
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_a_client_not_behind_a_trusted_proxy_cannot_choose_its_address_by_header(settings):
    assert _ip(settings, "203.0.113.9", "1.2.3.4") == "203.0.113.9"
    assert _ip(settings, "203.0.113.9", "1.2.3.4", proxies=["10.0.0.0/8"]) == "203.0.113.9"


def test_behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client(settings):
    proxies = ["10.0.0.0/8", "192.0.2.7"]
    assert _ip(settings, "10.0.0.2", "1.2.3.4, 198.51.100.5, 192.0.2.7", proxies) == "198.51.100.5"
    assert _ip(settings, "10.0.0.2", "198.51.100.5", proxies) == "198.51.100.5"
    assert _ip(settings, "10.0.0.2", "not-an-ip, 192.0.2.7", proxies) == "192.0.2.7"
    assert _ip(settings, "10.0.0.2", None, proxies) == "10.0.0.2"


@pytest.mark.django_db
def test_a_client_posting_the_join_form_too_often_gets_a_429_page(client, settings):
    settings.NUANXIN_RATELIMIT_ANON_POST = "5/m"
    statuses = [
        client.post("/m/join/", {"name": ""}, REMOTE_ADDR="198.51.100.20").status_code for _ in range(7)
    ]
    assert all(s < 429 for s in statuses[:5])
    assert statuses[5:] == [429, 429]
    page = client.post("/m/join/", {}, REMOTE_ADDR="198.51.100.20", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "提交太频繁" in page.content.decode()
    assert int(page["Retry-After"]) == 60
    # Another client is not held back by the first.
    assert client.post("/m/join/", {"name": ""}, REMOTE_ADDR="198.51.100.21").status_code < 429


@pytest.mark.django_db
def test_staff_sign_in_attempts_are_limited_per_client_too(client, settings):
    settings.NUANXIN_RATELIMIT_ANON_POST = "3/m"
    statuses = [
        client.post(
            "/accounts/login/", {"username": f"u{i}", "password": "x"}, REMOTE_ADDR="198.51.100.30"
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
