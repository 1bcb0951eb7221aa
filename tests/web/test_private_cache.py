"""Pages with pay or personal data tell every cache not to keep them; the public board may be kept
(issue 14: pages that show pay sent no Cache-Control)."""

from __future__ import annotations

import pytest
from django.urls import reverse


def _directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("alice", reverse("mobile:earnings")),
        ("alice", reverse("mobile:slip")),
        ("alice", reverse("mobile:today")),
        ("head", reverse("dashboard:pay")),
        ("head", "/dashboard/"),
        ("clerk", reverse("dashboard:statements")),
    ],
)
def test_a_page_with_pay_or_personal_data_is_private_and_never_stored(client, cast, who, url):
    user = cast.alice.user if who == "alice" else getattr(cast, who)
    client.force_login(user)

    response = client.get(url)

    assert response.status_code == 200, url
    assert {"private", "no-store"} <= _directives(response)


def test_the_sign_in_page_is_not_stored_either(client):
    response = client.get(reverse("mobile:login"))

    assert {"private", "no-store"} <= _directives(response)


def test_the_public_board_is_not_marked_private(client, cast):
    response = client.get(reverse("open:board", args=[cast.ws.pk]))

    assert response.status_code == 200
    assert "private" not in _directives(response)
