"""The courier's run in a real browser at a phone's size (Debian chromium, 360×640, zh-CN), with the
network cut: check-offs are kept on the phone, said to be not yet sent, and sent once when it is back.

Screenshots land in artifacts/screenshots/<test>/; the elderly-friendly rules are measured on the run page
(tests/mobile/rules.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from logistics.models import Collection, Stop, StopState
from materials.models import Movement, MovementKind
from tests.mobile.conftest import PIN
from tests.mobile.courier_day import COURIER_PHONE, courier_day
from tests.mobile.rules import check_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "nuanxin-run-queue"


@pytest.fixture(autouse=True)
def _quick_planner(settings):
    settings.NUANXIN_ROUTE_TIME_LIMIT_S = 0.2


def sign_in(page) -> None:
    page.goto(page.base + "/m/login/")
    page.fill("input[name=phone]", COURIER_PHONE)
    page.fill("input[name=pin]", PIN)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/m/run/")
    page.wait_for_load_state("networkidle")


def card(page, stop):
    return page.locator(f"#stop-{stop.pk}")


def ledger() -> dict:
    return {
        "stops": list(Stop.objects.order_by("pk").values_list("pk", "state", "key")),
        "movements": list(Movement.objects.order_by("pk").values_list("pk", "kind", "quantity")),
        "collections": list(Collection.objects.order_by("pk").values_list("pk", "ticket_id", "pieces")),
    }


def banner_count(page) -> int:
    return int(page.get_attribute("#queue-banner", "data-count"))


def test_three_stops_checked_off_offline_are_sent_once_when_back_online(phone, cast, issue_job):
    day = courier_day(cast, issue_job, deliver=2, collect=1, handover=True)
    delivered, later = day.deliver
    collected, handed = day.collect[0], day.handover[0]
    share = day.shares[collected.worker_id]
    ticket = day.tickets[share.pk][0]
    sign_in(phone)
    assert phone.locator("article.stop").count() == 4
    check_page(phone, figures=True)
    phone.shots("run")

    phone.context.set_offline(True)
    card(phone, delivered).get_by_role("button", name="送到了").click()
    # Her share shows two bundles to collect (the second covered by pieces reported with the form): she
    # ticks the scanned one.
    card(phone, collected).locator(f"input[name=ticket][value='{ticket.token}']").check()
    card(phone, collected).get_by_role("button", name="收回了").click()
    card(phone, handed).get_by_role("button", name="交货了").click()
    for stop in (delivered, collected, handed):
        expect_note = card(phone, stop).locator("[data-note]")
        assert "已记下,未发送" in expect_note.inner_text()
        assert card(phone, stop).locator("form").is_hidden()
    assert banner_count(phone) == 3
    assert "有 3 条还没发送" in phone.inner_text("#queue-banner")
    assert card(phone, later).locator("form").is_visible()  # the fourth stop is still to do
    phone.shots("offline-three-kept")
    kept = phone.evaluate(f"localStorage.getItem('{QUEUE}')")
    keys = {
        int(item["stop"]): item["key"]
        for item in phone.evaluate(f"JSON.parse(localStorage.getItem('{QUEUE}'))")
    }
    assert set(keys) == {delivered.pk, collected.pk, handed.pk}
    # Nothing reached the server yet.
    assert set(Stop.objects.values_list("state", flat=True)) == {StopState.PENDING}
    assert not Movement.objects.filter(kind=MovementKind.DELIVER).exists()
    assert not Collection.objects.exists()

    phone.context.set_offline(False)
    phone.wait_for_function("document.getElementById('queue-banner').hidden")
    phone.wait_for_selector("#queue-done:not([hidden])")
    assert "刚才补发了 3 条" in phone.inner_text("#queue-done")
    for stop in (delivered, collected, handed):
        assert "已发送" in card(phone, stop).locator("[data-note]").inner_text()
    phone.shots("back-online-sent")

    states = dict(Stop.objects.values_list("pk", "state"))
    assert states == {
        delivered.pk: StopState.DELIVERED,
        collected.pk: StopState.COLLECTED,
        handed.pk: StopState.HANDED_OVER,
        later.pk: StopState.PENDING,
    }
    assert dict(Stop.objects.exclude(key=None).values_list("pk", "key")) == keys
    # The ledger: the delivered kit courier → worker; the collected pieces, the ticked bundle on its own.
    moved = Movement.objects.filter(kind=MovementKind.DELIVER)
    assert sorted((m.worker_id, m.quantity) for m in moved) == [
        (delivered.worker_id, 20),
        (delivered.worker_id, 80),
    ]
    assert {(m.source, m.target) for m in moved} == {("courier", "worker")}
    assert sorted(Collection.objects.values_list("ticket_id", "pieces"), key=str) == sorted(
        [(ticket.pk, 10), (None, 10)], key=str
    )
    after = ledger()

    # The same queue flushed again (a second tab, an answer lost on the way): it counts once.
    phone.evaluate(f"q => localStorage.setItem('{QUEUE}', q)", kept)
    phone.reload()
    phone.wait_for_function(f"localStorage.getItem('{QUEUE}') === '[]'")
    phone.wait_for_function("document.getElementById('queue-banner').hidden")
    assert ledger() == after
    assert "刚才已经记上了,没有重复" in card(phone, delivered).locator("[data-note]").inner_text()
    phone.shots("flushed-again-no-duplicates")


def test_the_run_opens_again_without_network_after_one_visit(phone, cast, issue_job):
    day = courier_day(cast, issue_job, deliver=1, collect=1, handover=False)
    sign_in(phone)
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    phone.reload()  # fetched through the service worker: it keeps this copy
    phone.wait_for_load_state("networkidle")
    phone.context.set_offline(True)
    try:
        phone.reload()
        assert "小周,今天的路线" in phone.content()
        assert "手机现在连不上网" not in phone.content()
        card(phone, day.deliver[0]).get_by_role("button", name="送到了").click()
        # Kept at once when the phone knows it is offline; some browsers still say online then, and it is
        # kept when the send fails a moment later.
        expect(card(phone, day.deliver[0]).locator("[data-note]")).to_contain_text("已记下,未发送")
        assert banner_count(phone) == 1
        phone.shots("offline-reopened")
    finally:
        phone.context.set_offline(False)
    phone.wait_for_function("document.getElementById('queue-banner').hidden")
    assert Stop.objects.get(pk=day.deliver[0].pk).state == StopState.DELIVERED
