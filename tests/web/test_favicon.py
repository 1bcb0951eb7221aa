"""The browser's first request for /favicon.ico gets the app's icon, not a 404."""

from __future__ import annotations


def test_the_favicon_is_the_apps_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("mobile/icon-192.png")
