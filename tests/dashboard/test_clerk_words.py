"""Number fields on the staff's forms refuse in words a clerk understands, never in Django's own
("确保该值大于或等于0.0001。", "确保小数点后不超过 4 位。", "输入整数。"), and read a rate as she
writes it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from dashboard import forms, pay_forms
from matching import forms as list_forms
from workshop.models import PartnerFirm, Workshop

pytestmark = pytest.mark.django_db

# Django's own words for numbers (zh-hans), which a clerk should never be left with.
DJANGO_WORDS = ("确保", "输入整数", "输入一个数字", "大于或等于", "小于或等于", "小数点后", "位数字")

RATE = "单价要大于 0 元,最多四位小数,如 0.12。"
PIECES = "件数请填 0 或正整数,如 12。"
TOO_LARGE = "件数太大了,请看一下是不是多按了几个数字。"
RATE_TOO_HIGH = (
    "单价最多 100 元/件。这么高多半是输错了(比如把 1.00 输成了 100);确实更高,请社区管理员调高上限。"
)
HOURLY = "按元/小时填写:大于 0、不超过 200 元,最多两位小数,如 22.50。"


def issue_form(cast, **data):
    base = {
        "workshop": cast.ws.pk,
        "line": cast.line.pk,
        "title": "开关面板装配",
        "quantity": "300",
        "piece_rate": "0.12",
        "due_on": "2030-01-01",
    }
    return forms.JobIssueForm({**base, **data}, user=cast.clerk)


def min_wage_form(**data):
    base = {"tier": "1", "tier1_hourly": "24", "tier2_hourly": "22", "tier3_hourly": "20"}
    return forms.MinWageForm({**base, "effective_from": "2030-01-01", **data})


CASES = [
    # (make the form from the cast, field, what she typed, the words she reads)
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "0", RATE),
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "0.00001", RATE),
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "-0.12", RATE),
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "0.12345", RATE),
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "一毛二", RATE),
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "1e3", RATE),
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "", "请填计件单价(元/件),如 0.12。"),
    # A trial: 100000 yuan a piece was issued (and auto-accepted); fourteen nines were told "more than 0".
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "100.01", RATE_TOO_HIGH),
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "100000", RATE_TOO_HIGH),
    (lambda c, v: issue_form(c, piece_rate=v), "piece_rate", "9" * 14, RATE_TOO_HIGH),
    (lambda c, v: issue_form(c, quantity=v), "quantity", "0", "数量请填整数件数,1 到 100 万件,如 3000。"),
    (lambda c, v: issue_form(c, quantity=v), "quantity", "2.5", "数量请填整数件数,1 到 100 万件,如 3000。"),
    (
        lambda c, v: issue_form(c, quantity=v),
        "quantity",
        "20000000",
        "数量请填整数件数,1 到 100 万件,如 3000。",
    ),
    (lambda c, v: issue_form(c, bundle_size=v), "bundle_size", "0", "每扎件数请填 1 到 10000 的整数,如 50。"),
    (lambda c, v: forms.InspectionRowForm({"passed": v}), "passed", "-1", PIECES),
    (lambda c, v: forms.InspectionRowForm({"passed": "1", "rejected": v}), "rejected", "1.5", PIECES),
    (lambda c, v: forms.LotInspectionForm({"rejected": v, "rework": "0"}), "rejected", "-3", PIECES),
    (lambda c, v: forms.BundleVerdictForm({"passed": v}), "passed", "-1", PIECES),
    # A field with no bound of its own still refuses a number no column holds, saying it is too large (a
    # trial's twenty nines gave an error page on the phone's report form; these take the same path).
    (lambda c, v: forms.InspectionRowForm({"passed": v}), "passed", "9" * 20, TOO_LARGE),
    (lambda c, v: pay_forms.ReportCorrectForm({"pieces": v, "reason": "x"}), "pieces", "9" * 20, TOO_LARGE),
    (lambda c, v: pay_forms.ReportCorrectForm({"pieces": v, "reason": "x"}), "pieces", "-0", PIECES),
    (lambda c, v: pay_forms.ReportCorrectForm({"pieces": v, "reason": "x"}), "pieces", "-1", PIECES),
    (
        lambda c, v: pay_forms.ResultCorrectForm({"passed": v, "rejected": "0", "reason": "x"}),
        "passed",
        "-1",
        PIECES,
    ),
    (lambda c, v: min_wage_form(tier1_hourly=v), "tier1_hourly", "0", HOURLY),
    (lambda c, v: min_wage_form(tier1_hourly=v), "tier1_hourly", "250", HOURLY),
    (lambda c, v: min_wage_form(tier1_hourly=v), "tier1_hourly", "22.555", HOURLY),
    # The dispute's figure is read by its service, in its own words: tests/dashboard/test_statement_pages.py.
    (
        lambda c, v: list_forms.DemandForm(
            {"pieces_per_week": v}, workshops=Workshop.objects.none(), firms=PartnerFirm.objects.none()
        ),
        "pieces_per_week",
        "-5",
        "每周件数请填整数,如 5000。",
    ),
    (
        lambda c, v: list_forms.WishEntryForm({"hours_per_week": v}, workshops=Workshop.objects.none()),
        "hours_per_week",
        "100",
        "每周小时数请填 1 到 84 的整数,如 20。",
    ),
]


@pytest.mark.parametrize("make, field, typed, words", CASES)
def test_a_wrong_number_on_a_staff_form_is_refused_in_words_a_clerk_reads(cast, make, field, typed, words):
    with translation.override("zh-hans"):
        form = make(cast, typed)
        assert not form.is_valid()
        said = [str(m) for m in form.errors[field]]
    assert said == [words]
    assert not any(w in m for w in DJANGO_WORDS for m in said)


@pytest.mark.parametrize(
    "typed, rate",
    [
        ("0.12", "0.1200"),
        ("0.12元", "0.1200"),
        ("0.12元/件", "0.1200"),
        ("¥0.035", "0.0350"),
        ("０.１２", "0.1200"),
        (" 0.120000 ", "0.1200"),
    ],
)
def test_a_piece_rate_is_read_as_the_clerk_writes_it(cast, typed, rate):
    form = issue_form(cast, piece_rate=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["piece_rate"] == Decimal(rate)
