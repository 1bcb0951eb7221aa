"""The demo lists: seeded through the services, idempotent, and on the board."""

from __future__ import annotations

from django.core.management import call_command

from matching.models import DemandEntry, EntryEvent
from workshop.demo import seed_demo
from workshop.models import WishStatus, WorkWish


def test_seed_lists_fills_both_lists_once(db, client):
    workshop = seed_demo().workshop
    call_command("seed_lists")
    assert DemandEntry.objects.filter(workshop=workshop).count() == 4
    assert WorkWish.objects.filter(workshop=workshop).count() == 12
    assert WorkWish.objects.filter(status=WishStatus.MATCHED).count() == 1
    events = EntryEvent.objects.count()
    call_command("seed_lists")
    assert DemandEntry.objects.count() == 4 and WorkWish.objects.count() == 12
    assert EntryEvent.objects.count() == events
    body = client.get(f"/open/{workshop.pk}/").content.decode()
    assert "开关面板装配" in body and "礼盒折叠包装" in body
