"""The phone pages of issue 13 in a real browser (chromium at 360×640, zh-CN): turning an offer down asks
once and tells the head (with the page's script turned off too); pieces are named where they are; a job
offered again is one card; and in English the unread badge keeps to one line, "Due: Dec 7" has its space and
the tabs read as words. Each page is measured against the elderly-friendly rules (tests/mobile/rules.py)
and saved under artifacts/screenshots/<test>/."""

from __future__ import annotations

import pytest

from dispatch.models import Assignment, AssignmentState
from notices.models import Notification, NotificationKind
from notices.services import notify
from tests.conftest import _context
from tests.english import english_words
from tests.lots import hand_over
from tests.mobile import test_browser
from tests.mobile.conftest import accepted_job, in_hand, offer, report
from tests.mobile.rules import Sizes, check_page
from tests.mobile.test_browser import landed, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The 360×640 phone of the phone pages' browser tests, service workers blocked, sizes measured.
mphone = test_browser.mphone

# The English of the msgids these pages gained (``tests.english``: used only until the catalogue has them).
ENGLISH = {
    "交货:%(d)s": "Due: %(d)s",
    "%(n)s 件做好了,在工坊,还没交给企业。": [
        "%(n)s piece done, at the workshop, not yet handed to the firm.",
        "%(n)s pieces done, at the workshop, not yet handed to the firm.",
    ],
    "%(n)s 件已交给企业,在等企业验收。": [
        "%(n)s piece handed to the firm, waiting for its inspection.",
        "%(n)s pieces handed to the firm, waiting for its inspection.",
    ],
    "这些件全部合格约 %(y)s 元,验收合格后入账。": (
        "About %(y)s yuan if all pass; booked once they pass inspection."
    ),
    "这张单派给您 %(n)s 份,共 %(p)s 件:": [
        "This job is yours in %(n)s share, %(p)s pieces in all:",
        "This job is yours in %(n)s shares, %(p)s pieces in all:",
    ],
    '第 %(i)s 份:<span class="key">%(n)s</span> 件': 'Share %(i)s: <span class="key">%(n)s</span> pieces',
    "已接下,还差 %(t)s 件(已做 %(d)s 件)。": "Taken: %(t)s pieces to go (%(d)s done).",
    '新派给您的,每件 %(r)s 元,全部合格共 <strong class="em">%(y)s 元</strong>。请答复:': (
        'New for you: %(r)s yuan a piece, <strong class="em">%(y)s yuan</strong> if all pass. Your answer:'
    ),
    "第 %(i)s 份去报工": "Report share %(i)s",
}


@pytest.fixture
def nojs(chromium, live_server, request):
    """The phone with its script turned off: the question and the decline must work with forms alone."""
    context, page = _context(
        chromium,
        request,
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
        service_workers="block",
    )
    page.base = live_server.url
    page.sizes = Sizes(page)
    yield page
    context.close()


def test_this_time_not_asks_once_and_the_head_is_told(nojs, cast, pins, issue_job):
    a = offer(accepted_job(cast, issue_job, rate="0.0350", title="礼盒折叠"), cast.alice, 120)
    nojs.goto(nojs.base + "/m/login/")
    sign_in(nojs, cast.alice)
    visit(nojs, "today-with-offer", "/m/", figures=True)

    nojs.locator("article.offer").get_by_role("link", name="这次不接").click()
    nojs.wait_for_url(f"**/m/a/{a.pk}/decline/**")
    assert "确定这次不接吗" in nojs.content() and "坊长会收到消息" in nojs.content()
    landed(nojs, "asked-once", figures=True)
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.OFFERED  # the tap only asked

    nojs.get_by_role("link", name="我再想想").click()
    nojs.wait_for_url("**/m/")
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.OFFERED

    nojs.locator("article.offer").get_by_role("link", name="这次不接").click()
    nojs.get_by_role("button", name="确定不接").click()
    nojs.wait_for_url("**/m/")
    assert "已告诉坊长" in nojs.content()
    landed(nojs, "declined", figures=True)
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.DECLINED
    note = Notification.objects.get(recipient=cast.head, kind=NotificationKind.OFFER_DECLINED)
    assert note.text_in("zh-hans").startswith("alice 这次不接 礼盒折叠 的 120 件")


def test_finished_pieces_are_named_where_they_are(mphone, cast, pins, issue_job):
    job = accepted_job(cast, issue_job, quantity=231, rate="0.0350")
    a = in_hand(job, cast.alice, 231)
    report(a, 231)
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)
    visit(mphone, "today-at-the-workshop", "/m/", figures=True)
    money = mphone.locator("section.sum").inner_text()
    assert "231 件做好了,在工坊,还没交给企业" in money and "等企业验收" not in money
    visit(mphone, "earnings-at-the-workshop", "/m/earnings/", figures=True)
    assert "在工坊(还没交给企业)" in mphone.inner_text("main") and "验收中" not in mphone.inner_text("main")

    hand_over(job)
    visit(mphone, "today-at-the-firm", "/m/", figures=True)
    assert "231 件已交给企业,在等企业验收" in mphone.locator("section.sum").inner_text()


def test_a_job_offered_again_is_one_card_and_its_second_share_is_taken_there(mphone, cast, pins, issue_job):
    job = accepted_job(cast, issue_job, quantity=300, rate="0.0300", title="开关面板装配")
    first = in_hand(job, cast.alice, 100)
    report(first, 70)
    again = offer(job, cast.alice, 50)
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)
    visit(mphone, "today-one-job-two-shares", "/m/", figures=True)
    cards = mphone.locator(f"article[data-job='{job.pk}']")
    assert cards.count() == 1
    card = cards.inner_text()
    assert "这张单派给您 2 份,共 150 件" in card and "已接下,还差 30 件" in card and "1.50 元" in card

    cards.get_by_role("button", name="接这份活").click()
    mphone.wait_for_url(f"**/m/a/{again.pk}/")
    landed(mphone, "second-share-taken", figures=True)
    visit(mphone, "today-both-in-hand", "/m/", figures=True)
    cards = mphone.locator(f"article[data-job='{job.pk}']")
    assert cards.count() == 1 and cards.get_attribute("class").split()[:2] == ["card", "work"]
    assert "第 2 份去报工" in cards.inner_text()


def test_in_english_the_badge_keeps_to_one_line_and_due_dates_have_their_space(
    request, mphone, cast, pins, issue_job
):
    english_words(request, ENGLISH)
    job = accepted_job(cast, issue_job, quantity=300, title="开关面板装配")
    report(in_hand(job, cast.alice, 100), 70)
    offer(job, cast.alice, 50)
    for i in range(12):
        notify(
            recipient=cast.alice.user,
            kind="offer",
            params={"t": f"t{i}", "n": 1, "r": "0.1"},
            link="/m/",
            dedupe_key=f"en-{i}",
        )
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)
    mphone.get_by_role("button", name="English").click()
    mphone.wait_for_load_state("networkidle")
    check_page(mphone, figures=True)
    mphone.shots("today-english")

    badge = mphone.locator(".tabs .count")
    # 12 messages and the open offer's; the taken share's offer message was settled when she took it.
    assert badge.inner_text() == "13 unread"
    box = badge.bounding_box()
    line = mphone.evaluate("parseFloat(getComputedStyle(document.querySelector('.tabs .count')).lineHeight)")
    assert box["height"] < 1.5 * line, "the badge broke onto two lines"
    width = mphone.evaluate("document.documentElement.clientWidth")
    assert box["x"] + box["width"] <= width
    assert mphone.evaluate("document.documentElement.scrollWidth") == width
    tabs = [" ".join(t.split()) for t in mphone.locator(".tabs a").all_inner_texts()]
    assert tabs == ["Today", "Income", "Messages 13 unread"]
    tops = {round(b["y"]) for b in (t.bounding_box() for t in mphone.locator(".tabs a").all())}
    assert len(tops) == 1, "a tab dropped onto a second row of the menu"
    text = mphone.inner_text("main")
    assert f"Due: {job.due_on:%b} {job.due_on.day}" in text and "：" not in text
