"""The lists in the Django admin: every changelist opens, and the history cannot be edited there."""

from __future__ import annotations

import pytest

from matching import services
from matching.models import EntryEvent
from tests.factories import UserFactory
from tests.matching.conftest import DemandFactory, WishFactory


@pytest.mark.parametrize("model", ["demandentry", "importbatch", "entryevent", "wishrecord"])
def test_changelists_open(client, cast, admin, model):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    services.demand_set_status(actor=admin, demand=demand, to="contacted")
    WishFactory(workshop=cast.ws)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(f"/admin/matching/{model}/").status_code == 200


def test_history_is_read_only_in_the_admin(client, cast, admin):
    demand = DemandFactory(workshop=cast.ws, firm=cast.firm)
    services.demand_set_status(actor=admin, demand=demand, to="contacted")
    event = EntryEvent.objects.get()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    client.post(f"/admin/matching/entryevent/{event.pk}/delete/", {"post": "yes"})
    client.post(f"/admin/matching/entryevent/{event.pk}/change/", {"note": "改过"})
    event.refresh_from_db()
    assert event.note == "" and EntryEvent.objects.count() == 1
