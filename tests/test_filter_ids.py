"""A filter given an id larger than any database column holds lists as if unfiltered, never a 500."""

from __future__ import annotations

import pytest

HUGE = "9" * 30


@pytest.mark.parametrize(
    "url", [f"/lists/supply/?ws={HUGE}", f"/lists/demands/?ws={HUGE}", f"/dashboard/pay/?worker={HUGE}"]
)
def test_an_id_too_large_for_the_database_in_a_filter_is_ignored(client, cast, url):
    client.force_login(cast.head)

    assert client.get(url).status_code == 200
