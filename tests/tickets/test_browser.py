"""Bundle tickets end to end in Debian chromium: the head prints a share's tickets from the job page, every
QR code on the printed sheet is decoded, a worker opens one ticket's URL on a 360×640 phone, signs in,
reports that bundle in one tap, and a second scan (and a resent tap) counts nothing. The phone pages meet
the elderly-friendly rules the other phone pages meet (tests/mobile/rules.py). Screenshots and the
rasterised sheet land in artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import pytest

from dispatch.models import Assignment, WorkReport
from tests.mobile.rules import check_page
from tests.mobile.test_browser import sign_in as phone_sign_in
from tests.tickets.helpers import accepted_share
from tests.tickets.printing import decode, print_pdf, rasterise
from tests.web.test_dashboard_browser import sign_in as desk_sign_in
from tickets import services as tickets
from tickets.models import BundleTicket
from workshop import services as people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIN = "246810"

# Post the bundle's form again as it was rendered: what a second tap or a retry after a timeout sends.
RESEND = """(action) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  const input = document.createElement("input");
  Object.assign(input, {type: "hidden", name: "csrfmiddlewaretoken",
    value: document.querySelector("[name=csrfmiddlewaretoken]").value});
  form.appendChild(input);
  document.body.appendChild(form);
  form.submit();
}"""


def test_the_head_prints_tickets_and_a_worker_reports_one_bundle_by_scanning_it(desk, phone, cast, issue_job):
    share = accepted_share(cast, issue_job, pieces=130, bundle_size=20, title="开关面板装配")
    people.worker_set_pin(actor=cast.head, worker=cast.alice, pin=PIN)

    # --- the head prints the share's tickets from the job page
    desk_sign_in(desk, "head")
    desk.goto(f"{desk.base}/dashboard/jobs/{share.job_id}/")
    desk.shots("job-page")
    desk.locator(f"[data-print='{share.pk}'] [data-action=print-a4]").click()
    desk.wait_for_url(f"**/dashboard/jobs/{share.job_id}/tickets/{share.pk}/?size=a4&show=name")
    assert desk.locator("[data-ticket]").count() == 7  # 6 × 20 + 10
    desk.shots("ticket-sheet")

    # --- every QR on the printed sheet decodes to its own ticket's URL
    images = rasterise(print_pdf(desk), 150, desk.shots.folder, "printed")
    decoded = [url for image in images for url in decode(image)]
    tokens = BundleTicket.objects.filter(assignment=share).order_by("number").values_list("token", flat=True)
    assert len(decoded) == 7 and sorted(decoded) == sorted(f"{desk.base}/m/b/{t}/" for t in tokens)
    third = BundleTicket.objects.get(assignment=share, number=3)
    url = next(u for u in decoded if third.token in u)

    # --- the worker scans the third bundle's code: sign in, then straight to that bundle
    phone.goto(url)
    phone.wait_for_url("**/m/login/**")
    phone_sign_in(phone, cast.alice, PIN)
    phone.wait_for_url(url)
    assert "扎票:第 3/7 扎" in phone.content()
    check_page(phone, figures=True)
    phone.shots("bundle")
    phone.get_by_role("button", name="这一扎做完了(20 件)").click()
    phone.wait_for_url(url)
    assert "第 3/7 扎的 20 件已经记上" in phone.content()
    check_page(phone, figures=True)
    phone.shots("bundle-reported")
    assert Assignment.objects.get(pk=share.pk).pieces_reported == 20

    # --- a second scan counts nothing; nor does the tap sent again
    phone.goto(url)
    assert "已经报工了,再扫也不会重复计数" in phone.content()
    assert phone.get_by_role("button", name="这一扎做完了(20 件)").count() == 0
    with phone.expect_navigation():
        phone.evaluate(RESEND, url + "done/")
    assert "这一扎已经报过工了,没有重复计数" in phone.content()
    check_page(phone, figures=True)
    phone.shots("bundle-scanned-again")
    assert Assignment.objects.get(pk=share.pk).pieces_reported == 20
    assert WorkReport.objects.filter(assignment=share).count() == 1


def test_a_void_or_foreign_ticket_is_refused_in_words_on_the_phone(phone, cast, issue_job):
    share = accepted_share(cast, issue_job, pieces=40, bundle_size=20)
    old = tickets.tickets_print(actor=cast.head, assignment=share)[0]
    tickets.tickets_reprint(actor=cast.head, assignment=share, run=1)
    bobs = accepted_share(cast, issue_job, worker=cast.bob, pieces=20)
    foreign = tickets.tickets_print(actor=cast.head, assignment=bobs)[0]
    people.worker_set_pin(actor=cast.head, worker=cast.alice, pin=PIN)
    phone.goto(phone.base + "/m/login/")
    phone_sign_in(phone, cast.alice, PIN)

    void = phone.goto(f"{phone.base}/m/b/{old.token}/")
    assert void.status == 410 and "这张扎票已经作废了" in phone.content()
    check_page(phone, figures=True)
    phone.shots("void-ticket")
    missing = phone.goto(f"{phone.base}/m/b/{foreign.token}/")
    assert missing.status == 404 and "找不到这张扎票" in phone.content()
    check_page(phone)
    phone.shots("foreign-ticket")
    assert not WorkReport.objects.exists()
