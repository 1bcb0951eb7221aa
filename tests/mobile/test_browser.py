"""The worker's phone pages in a real browser: Debian chromium under Playwright at 360×640, zh-CN.

Each test walks one of the issue's journeys (sign in with phone and PIN; accept an offer; report pieces;
see earnings change after the firm's inspection; sign in with the head's link; leave a wish to work),
saves a screenshot of every page it visits (artifacts/screenshots/<test>/, git-ignored), and on each
page measures the elderly-friendly rules and the transferred size: see tests/mobile/rules.py for how
(computed styles in the page; 150 % root text for the larger-text check; the browser's own request sizes
with the cache off). Sizes land in artifacts/mobile-page-sizes.json.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from PIL import Image

from dispatch.models import Assignment, AssignmentState, WorkReport
from dispatch.tasks import make_job_photo_copy
from materials import services as ledger
from materials.models import MaterialProblem, Movement
from materials.services import BomInput
from notices.models import Notification
from pay.models import PayLine
from tests.conftest import _context
from tests.mobile.conftest import PIN, accepted_job, in_hand, inspect_and_book, offer, report, sample_photo
from tests.mobile.rules import Sizes, check_page
from workshop import services as people
from workshop.models import WorkWish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mphone(chromium, live_server, request):
    """The 360×640 phone of tests/conftest.py, with service workers blocked so that every request is
    the page's own (the offline test uses ``phone``, where the service worker runs)."""
    context, page = _context(
        chromium,
        request,
        viewport={"width": 360, "height": 640},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        service_workers="block",
    )
    page.base = live_server.url
    page.sizes = Sizes(page)
    yield page
    context.close()


def visit(page, name: str, url: str | None = None, *, figures: bool = False) -> None:
    """Load (or reload) a page: measure its size and the rules, and save its screenshot."""
    page.sizes.measure(name, None if url is None else page.base + url)
    check_page(page, figures=figures)
    page.shots(name)


def landed(page, name: str, *, figures: bool = False) -> None:
    """A page reached by a form post: rules and screenshot as it is (with its message), then its size."""
    page.wait_for_load_state("networkidle")
    check_page(page, figures=figures)
    page.shots(name)
    page.sizes.measure(name)


# Post the report form again as it was first rendered (same key): what a retry after a timeout sends.
RESEND = """([action, key]) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const fields = {csrfmiddlewaretoken: csrf, key, pieces: "30"};
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement("input");
    Object.assign(input, {type: "hidden", name, value});
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


def sign_in(page, worker, pin=PIN) -> None:
    page.fill("input[name=phone]", str(worker.phone.national_number))
    page.fill("input[name=pin]", pin)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def test_a_worker_signs_in_with_phone_and_pin(mphone, cast, pins, issue_job):
    offer(accepted_job(cast, issue_job), cast.alice, 120)
    visit(mphone, "login", "/m/login/")
    sign_in(mphone, cast.alice, pin="135790")
    assert "手机号或 PIN 不对" in mphone.content() and "再错 4 次" in mphone.content()
    landed(mphone, "login-wrong-pin")
    sign_in(mphone, cast.alice)
    mphone.wait_for_url("**/m/")
    assert "alice,您好" in mphone.content()
    landed(mphone, "today", figures=True)
    assert mphone.locator("[data-unread]").inner_text().startswith("1")


def test_a_worker_accepts_an_offer_with_one_tap(mphone, cast, pins, issue_job, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = accepted_job(cast, issue_job, rate="0.0350", instructions="先装弹片,再扣面板,轻压到位。")
    job.refresh_from_db()
    job.photo.save("sample.jpg", sample_photo())
    make_job_photo_copy(job.pk)  # the task job_issue queues after commit
    a = offer(job, cast.alice, 120)
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)
    visit(mphone, "today-with-offer", "/m/", figures=True)
    card = mphone.locator("article.offer")
    assert "4.20 元" in card.inner_text() and "120" in card.inner_text()
    card.get_by_role("button", name="接这份活").click()
    mphone.wait_for_url(f"**/m/a/{a.pk}/")
    assert "这份活接下了" in mphone.content()
    landed(mphone, "assignment-accepted", figures=True)
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.ACCEPTED
    # The photo came phone-sized through the worker's own URL, inside the page's 150 KB.
    photo = mphone.locator("img.photo")
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 720
    assert photo.get_attribute("src") == f"/m/a/{a.pk}/photo/"


def test_a_worker_reports_pieces_and_a_second_tap_counts_once(mphone, cast, pins, issue_job):
    a = in_hand(accepted_job(cast, issue_job, rate="0.0350"), cast.alice, 50)
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)
    visit(mphone, "assignment", f"/m/a/{a.pk}/", figures=True)
    # + three times with the script, then the number pad for the real count.
    plus = mphone.get_by_role("button", name="多一件")
    for _ in range(3):
        plus.click()
    assert mphone.input_value("#pieces") == "3"
    mphone.get_by_role("button", name="少一件").click()
    assert mphone.input_value("#pieces") == "2"
    mphone.fill("#pieces", "30")
    form_html = mphone.content()
    mphone.get_by_role("button", name="报工", exact=True).click()
    mphone.wait_for_url(f"**/m/a/{a.pk}/")
    assert "这次的 30 件已经记上" in mphone.content()
    landed(mphone, "assignment-reported", figures=True)
    # The same form sent again (a retry after a timeout): counts once.
    key = re.search(r'name="key" value="([0-9a-f]+)"', form_html).group(1)
    with mphone.expect_navigation():
        mphone.evaluate(RESEND, [f"/m/a/{a.pk}/report/", key])
    assert "没有重复计数" in mphone.content()
    landed(mphone, "assignment-report-again", figures=True)
    assert WorkReport.objects.filter(key=key).count() == 1
    assert Assignment.objects.get(pk=a.pk).pieces_reported == 30
    mphone.get_by_role("button", name=re.compile("全部做完了")).click()
    mphone.wait_for_url(f"**/m/a/{a.pk}/finish/")
    assert "确定吗" in mphone.content()
    landed(mphone, "assignment-finish-confirm")
    mphone.get_by_role("button", name="确定", exact=True).click()
    mphone.wait_for_url(f"**/m/a/{a.pk}/")
    assert "全部做完了!共 50 件" in mphone.content()
    landed(mphone, "assignment-finished")
    assert Assignment.objects.get(pk=a.pk).state == AssignmentState.DONE


def test_earnings_change_after_the_firms_inspection(mphone, cast, pins, issue_job):
    job = accepted_job(cast, issue_job, quantity=300, rate="0.0350", title="开关面板装配")
    a = in_hand(job, cast.alice, 300)
    report(a, 300)
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)
    visit(mphone, "earnings-before", "/m/earnings/", figures=True)
    assert mphone.locator("[data-key=booked-total]").inner_text() == "0.00"
    assert "做好了还没入账:300 件" in mphone.content()
    assert "300 件做好了,在工坊,还没交给企业" in mphone.content() and "10.50 元" in mphone.content()

    inspect_and_book(cast, job, {a.pk: (287, 13, 5, "划痕")})

    visit(mphone, "earnings-after", "/m/earnings/", figures=True)
    booked = Decimal(mphone.locator("[data-key=booked-total]").inner_text())
    lines = [
        Decimal(x)
        for x in mphone.locator("[data-line-yuan]").evaluate_all("els => els.map(e => e.dataset.lineYuan)")
    ]
    assert booked == Decimal("10.05") == sum(lines)  # 287 × 0.035 = 10.045, half-up
    assert booked == sum(PayLine.objects.values_list("amount", flat=True))
    assert "划痕" in mphone.content()
    visit(mphone, "today-after", "/m/", figures=True)
    assert mphone.locator("[data-key=month-yuan]").inner_text() == "10.05"
    assert "要返工的" in mphone.content()
    rework = Assignment.objects.get(kind="rework")
    visit(mphone, "rework", f"/m/a/{rework.pk}/", figures=True)
    visit(mphone, "inbox", "/m/inbox/")
    assert "工资 10.05 元已入账" in mphone.content()


def test_long_english_labels_at_150_percent_text_leave_the_figures_room(mphone, cast, pins, issue_job):
    """Found in a trial: a fact list's long English label took the whole line at 150 % text and its
    figure stood one letter a line beside it."""
    job = accepted_job(cast, issue_job, quantity=300, rate="0.0350", title="开关面板装配")
    report(in_hand(job, cast.alice, 300), 300)
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)
    mphone.get_by_role("button", name="English").click()
    mphone.wait_for_load_state("networkidle")
    mphone.goto(mphone.base + "/m/earnings/")
    mphone.evaluate("document.documentElement.style.fontSize = '150%'")

    rows = mphone.locator("dl.facts").evaluate_all(
        """dls => dls.flatMap(dl => [...dl.querySelectorAll('dd')].map(dd => ({
            dt: dd.previousElementSibling.textContent, dd: dd.textContent,
            share: dd.getBoundingClientRect().width / dl.getBoundingClientRect().width})))"""
    )

    assert any("workshop" in r["dt"].lower() for r in rows), rows
    assert all(r["share"] >= 0.4 for r in rows), [r for r in rows if r["share"] < 0.4]


def test_a_worker_signs_in_with_the_heads_link(mphone, cast, issue_job):
    offer(accepted_job(cast, issue_job), cast.alice, 60)
    token = people.signin_link_issue(actor=cast.head, worker=cast.alice)
    mphone.sizes.load(f"{mphone.base}/m/t/{token}/")
    mphone.wait_for_url("**/m/")
    assert "alice,您好" in mphone.content()
    check_page(mphone, figures=True)
    mphone.shots("today-from-link")
    cookie = next(c for c in mphone.context.cookies() if c["name"] == "sessionid")
    import time

    assert cookie["expires"] - time.time() > 29 * 86400  # weeks, not the browser session
    people.signin_link_revoke(actor=cast.head, worker=cast.alice)
    mphone.context.clear_cookies()
    visit(mphone, "link-revoked", f"/m/t/{token}/")
    assert "这个登录码用不了" in mphone.content()


def test_a_scanned_bundle_ticket_lands_on_its_assignment_after_sign_in(mphone, cast, pins, issue_job):
    a = in_hand(accepted_job(cast, issue_job), cast.alice, 40)
    mphone.goto(f"{mphone.base}/m/a/{a.pk}/")
    assert "/m/login/" in mphone.url
    mphone.shots("scan-sign-in")
    sign_in(mphone, cast.alice)
    mphone.wait_for_url(f"**/m/a/{a.pk}/")
    landed(mphone, "scan-assignment", figures=True)


def test_a_resident_leaves_a_wish_to_work(mphone, db):
    visit(mphone, "join", "/m/join/")
    mphone.fill("input[name=name]", "张阿姨")
    mphone.fill("input[name=phone]", "13512345678")
    mphone.get_by_label("产品包装").check()
    mphone.get_by_label("大约12小时").check()
    mphone.get_by_label("在家做").check()
    mphone.fill("input[name=area]", "新街社区三组")
    mphone.get_by_label("我家是低收入家庭").check()
    mphone.get_by_role("button", name="提交登记").click()
    mphone.wait_for_load_state("networkidle")
    assert "申报低收入需要先勾选" in mphone.content()  # said in words, next to the box
    check_page(mphone)
    mphone.shots("join-needs-consent")
    mphone.get_by_label("我同意上面这段话").check()
    mphone.get_by_role("button", name="提交登记").click()
    mphone.wait_for_url("**/m/join/done/")
    assert "135****5678" in mphone.content()
    landed(mphone, "join-done")
    wish = WorkWish.objects.get()
    assert (wish.name, wish.status, wish.low_income, wish.skills) == ("张阿姨", "new", True, ["packaging"])


def test_read_aloud_reads_the_figures_where_the_phone_can_speak(mphone, cast, pins, issue_job):
    offer(accepted_job(cast, issue_job), cast.alice, 120)
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)
    # Headless chromium has no voices: the button stays hidden.
    assert mphone.locator("#speak").is_hidden()
    # A phone with a Chinese voice: a stand-in speechSynthesis records what would be said.
    mphone.add_init_script(
        """
        window.__said = [];
        const voice = {lang: "zh-CN", name: "test"};
        Object.defineProperty(window, "speechSynthesis", {value: {
          speaking: false, getVoices: () => [voice], addEventListener() {},
          speak(u) { window.__said.push(u.text + "|" + u.lang); }, cancel() {},
        }});
        """
    )
    mphone.reload()
    speak = mphone.get_by_role("button", name="读给我听")
    assert speak.is_visible()
    check_page(mphone, figures=True)
    mphone.shots("today-read-aloud")
    speak.click()
    said = mphone.evaluate("window.__said")
    assert len(said) == 1 and said[0].endswith("|zh-CN")
    assert "alice,您好" in said[0] and "本月入账 0.00 元" in said[0] and "120 件" in said[0]


def test_english_switch(mphone, cast, pins):
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)
    mphone.get_by_role("button", name="English").click()
    mphone.wait_for_load_state("networkidle")
    assert mphone.evaluate("document.documentElement.lang") == "en"
    mphone.shots("today-english")
    mphone.get_by_role("button", name="中文").click()
    mphone.wait_for_load_state("networkidle")
    assert mphone.evaluate("document.documentElement.lang") == "zh-CN"


def test_a_clear_page_when_the_network_is_down(phone, cast, pins):
    """``phone`` runs the service worker: after one visit it serves the offline page without network."""
    phone.goto(phone.base + "/m/login/")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")
    phone.reload()
    phone.wait_for_function("navigator.serviceWorker.controller !== null")
    sign_in(phone, cast.alice)
    phone.context.set_offline(True)
    try:
        phone.goto(phone.base + "/m/earnings/")
        assert "手机现在连不上网" in phone.content()
        check_page(phone)
        phone.shots("offline")
    finally:
        phone.context.set_offline(False)


def test_too_many_wrong_pins_show_when_to_try_again(mphone, cast, pins):
    mphone.goto(mphone.base + "/m/login/")
    for _ in range(5):
        sign_in(mphone, cast.alice, pin="135790")
    assert "请稍后再试" in mphone.content() and "以后再试" in mphone.content()
    check_page(mphone, figures=True)
    mphone.shots("locked-out")
    mphone.get_by_role("link", name="回到登录页").click()
    sign_in(mphone, cast.alice)  # the right PIN, still locked
    assert "请稍后再试" in mphone.content()


def test_a_worker_sees_her_material_and_reports_a_damaged_part_with_a_photo(
    mphone, cast, pins, issue_job, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    bom = [BomInput("面板", "ge", "1", "0.5"), BomInput("布料", "m", "0.35", "2")]
    job = accepted_job(cast, issue_job, quantity=100, bom=bom)
    panel = job.bom_lines.get(material="面板")
    ledger.material_receive(confirm_over=True, line=panel, quantity_received=101, actor=cast.head)
    ledger.material_receive(
        confirm_over=True, line=job.bom_lines.get(material="布料"), quantity_received="35.7", actor=cast.head
    )
    a = in_hand(job, cast.alice, 100)
    ledger.kit_issue(assignment=a, actor=cast.head)
    moved = Movement.objects.count()
    photo = tmp_path / "cracked.jpg"
    Image.new("RGB", (1200, 900), (150, 80, 20)).save(photo, "JPEG")
    mphone.goto(mphone.base + "/m/login/")
    sign_in(mphone, cast.alice)

    visit(mphone, "assignment-materials", f"/m/a/{a.pk}/", figures=True)
    held = mphone.locator("[data-materials]")
    assert "面板" in held.inner_text() and "35.7" in held.inner_text()
    assert held.locator(".key").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 30
    held.get_by_role("link", name="报告缺料或零件坏了").click()
    mphone.wait_for_url(f"**/m/a/{a.pk}/material/")
    landed(mphone, "material-report")

    mphone.get_by_label("面板").check()
    mphone.get_by_label("零件坏了").check()
    mphone.fill("input[name=quantity]", "2")
    mphone.set_input_files("input[name=photo]", str(photo))
    mphone.fill("input[name=note]", "边上裂了")
    mphone.get_by_role("button", name="告诉坊长").click()
    mphone.wait_for_url(f"**/m/a/{a.pk}/")
    assert "已经告诉坊长了" in mphone.content()
    landed(mphone, "material-reported", figures=True)

    problem = MaterialProblem.objects.get()
    assert (problem.line, problem.kind, problem.quantity, bool(problem.photo)) == (panel, "damaged", 2, True)
    assert Notification.objects.filter(recipient=cast.head, kind="material_damaged").count() == 1
    assert Movement.objects.count() == moved  # nothing moved in the ledger
