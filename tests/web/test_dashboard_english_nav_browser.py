"""The dashboard's navigation in English reads as a menu of pages (Jobs, Materials, Places, Export to
Excel), not as single things (Job, Material, Place, Export), for the head and the firm's clerk (chromium,
1366×768)."""

from __future__ import annotations

import pytest

from tests.english import english_words
from tests.web.test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The English of the nav's new msgids (``tests.english``: used only until the catalogue has them).
ENGLISH = {"外发单列表": "Jobs", "物料总览": "Materials", "地点列表": "Places"}
SINGULAR = {"Job", "Material", "Place", "Export"}


@pytest.mark.parametrize("who", ["head", "clerk"])
def test_the_english_nav_names_its_pages(request, desk, cast, who):
    english_words(request, ENGLISH)
    sign_in(desk, who)
    desk.get_by_role("button", name="English").click()
    desk.wait_for_load_state("load")
    labels = [
        " ".join(t.split())
        for t in desk.locator("nav.dash-nav > a, nav.dash-nav .dash-nav-group a").all_inner_texts()
    ]
    desk.shots(f"nav-english-{who}")
    assert {"Jobs", "Materials", "Export to Excel"} <= set(labels)
    assert not SINGULAR & set(labels), labels
    if who == "head":
        assert "Places" in labels
    desk.get_by_role("link", name="Jobs", exact=True).click()
    desk.wait_for_load_state("load")
    assert desk.locator("h1").first.inner_text() == "Jobs"
