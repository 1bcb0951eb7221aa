"""Every QR code the product prints is decoded at print size: the bundle tickets on an A4 label sheet and
on 50 × 30 mm thermal labels, and the head's sign-in sheet. Each page is printed by Debian chromium
(``page.pdf`` at the page's own ``@page`` size), rasterised at a printer's resolution (203 dpi, the
coarsest thermal printers; 150 dpi for A4, below any office printer) and also screenshotted at 96 dpi
(the CSS pixel), then read by zxing-cpp; the decoder must return exactly each code's URL, and as many
codes as the sheet has tickets. The images are saved under artifacts/screenshots/<test>/.
"""

from __future__ import annotations

import pytest
from PIL import Image

from tests.tickets.helpers import printed_share
from tests.tickets.printing import decode, page_size_mm, print_pdf, rasterise
from tests.web.test_dashboard_browser import sign_in
from tickets.models import BundleTicket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ticket_urls(base: str, share) -> list[str]:
    tokens = BundleTicket.objects.filter(assignment=share, state="open").order_by("number")
    return [f"{base}/m/b/{t}/" for t in tokens.values_list("token", flat=True)]


@pytest.mark.parametrize(
    "size, dpi, per_page, page_mm",
    [("a4", 150, 24, (210.0, 297.0)), ("thermal", 203, 1, (50.0, 30.0))],
)
def test_every_ticket_on_a_printed_sheet_decodes_to_its_own_url(
    desk, cast, issue_job, size, dpi, per_page, page_mm
):
    share, printed = printed_share(cast, issue_job, pieces=1000, bundle_size=20, title="开关面板装配")
    assert len(printed) == 50
    sign_in(desk, "head")
    desk.goto(f"{desk.base}/dashboard/jobs/{share.job_id}/tickets/{share.pk}/?size={size}&show=name")
    expected = _ticket_urls(desk.base, share)
    assert desk.locator("[data-ticket]").count() == 50

    pdf = print_pdf(desk)
    pages = rasterise(pdf, dpi, desk.shots.folder, size)

    assert len(pages) == -(-50 // per_page)
    assert all(
        w == pytest.approx(page_mm[0], abs=0.5) and h == pytest.approx(page_mm[1], abs=0.5)
        for w, h in page_size_mm(pdf)
    )
    decoded = []
    for image in pages:
        found = decode(image)
        assert len(found) == min(per_page, 50 - len(decoded)), (len(decoded), found)
        decoded += found
    assert sorted(decoded) == sorted(expected)
    assert len(set(decoded)) == 50
    # A sheet's codes in print order: the order of the tickets on the sheet.
    if size == "thermal":
        assert decoded == expected


def test_the_a4_ticket_sheet_decodes_in_a_96_dpi_screenshot_of_the_print_page(desk, cast, issue_job):
    share, printed = printed_share(cast, issue_job, pieces=480, bundle_size=20)
    sign_in(desk, "head")
    desk.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    desk.goto(f"{desk.base}/dashboard/jobs/{share.job_id}/tickets/{share.pk}/?size=a4&show=number")
    desk.emulate_media(media="print")

    shot = desk.shots("a4-96dpi")

    decoded = decode(Image.open(shot))
    assert sorted(decoded) == sorted(_ticket_urls(desk.base, share))
    assert len(decoded) == 24


def test_the_sign_in_sheet_shows_the_whole_code_and_it_decodes_to_the_link(desk, cast):
    sign_in(desk, "head")
    desk.goto(f"{desk.base}/dashboard/workers/{cast.alice.pk}/")
    with desk.context.expect_page() as popup:
        desk.click("[data-action=print-qr]")
    sheet = popup.value
    sheet.wait_for_load_state()
    url = sheet.locator(".qr-url").inner_text()
    assert url.startswith(f"{desk.base}/m/t/")
    # The whole code, quiet zone included, scales into its box: nothing is cut off (it was a 318 px code
    # in a 260 px box, two of its corner squares cut off, and decoded to nothing).
    assert sheet.locator("[data-qr] svg").get_attribute("viewBox")
    assert sheet.locator("[data-qr] svg").get_attribute("width") is None
    box = sheet.locator("[data-qr]").bounding_box()
    svg = sheet.locator("[data-qr] svg").bounding_box()
    assert svg["width"] == pytest.approx(svg["height"]) and svg["width"] > 200
    assert box["x"] <= svg["x"] and svg["x"] + svg["width"] <= box["x"] + box["width"] + 0.5

    shot = desk.shots.folder / "sign-in-96dpi.png"
    sheet.screenshot(path=str(shot), full_page=True)
    assert decode(Image.open(shot)) == [url]
    pdf = print_pdf(sheet)
    pages = rasterise(pdf, 150, desk.shots.folder, "sign-in")
    assert [decode(p) for p in pages] == [[url]]
