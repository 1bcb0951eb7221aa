"""The firm's clerk signs the month's statement (对账单) in a real browser (chromium, 1366×768): she reads
the figures the head prepared, signs once, and the page then says who signed; a second try is not offered."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from dispatch.services.statements import statement_prepare
from pay.models import FirmStatement
from tests.statement_month import build_month
from tests.web.test_dashboard_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_firm_clerk_reads_and_signs_the_months_statement(desk, cast, issue_job):
    build_month(cast, issue_job)
    statement = statement_prepare(
        actor=cast.head, firm=cast.firm, workshop=cast.ws, month=timezone.localdate()
    )
    # 190 × 0.0350 + 100 × 0.5000 = 56.65 of 加工费; 4 panels × 2.50 lost beyond the allowance.
    assert (statement.processing_yuan, statement.material_deduction_yuan) == (
        Decimal("56.65"),
        Decimal("10.00"),
    )

    sign_in(desk, "clerk")
    desk.goto(f"{desk.base}/dashboard/statements/{statement.pk}/")
    body = desk.inner_text("main")
    assert "56.65" in body and "10.00" in body and "46.65" in body
    desk.shots("statement-before-signing")

    desk.click("[data-action=sign]")
    desk.wait_for_load_state("load")

    statement.refresh_from_db()
    assert statement.signed_by_id == cast.clerk.pk and statement.signed_at is not None
    assert desk.locator("[data-action=sign]").count() == 0
    assert FirmStatement.objects.filter(signed_at__isnull=False).count() == 1
    desk.shots("statement-signed")
