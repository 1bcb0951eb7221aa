"""A correction on her wage slip (工资条) reads as what stands: a correction of this month's inspection
shows the corrected figures in the job's row, marked 已更正, never "合格件数 -144 件 -47.97 元" (a trial's
60-year-old worker read that as money taken away); a correction of an earlier month still shows as
"更正 <month>", one line with the pieces before and after and the difference ("108 → 110 件,+0.68 元"),
unless its two rows count in different months. The ledger keeps every line: only the reading nets, and
what is shown adds up to the total."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from dispatch import services
from dispatch.models import InspectionResult
from pay.models import LineKind, PayLine, PayPeriod
from pay.slips import wage_slip
from workshop.dates import next_month

from .conftest import booked
from .slips_data import alices_month, into_last_month, last_month


def this_month():
    return timezone.localdate().replace(day=1)


def shown(slip) -> Decimal:
    """What her slip shows, added up line by line as she would."""
    parts = [j.amount for j in slip.jobs] + [c.amount for c in slip.corrections]
    parts += [e.amount for e in slip.bonuses + slip.deductions + slip.taken_back]
    return sum(parts, Decimal("0.00"))


def rows(slip) -> list[tuple]:
    return [(j.passed, j.rejected, j.amount, j.corrected) for j in slip.jobs]


def correct(cast, result, passed, rejected):
    return services.result_correct(
        actor=cast.clerk, result=result, passed=passed, rejected=rejected, reason="复检"
    )


def alices_144(cast, issue_job, rejected=0) -> InspectionResult:
    """Alice's 144 pieces at 0.3331 yuan, inspected and booked this month: 144 passed = 47.97 yuan."""
    _job, (share,) = booked(cast, issue_job, shares=(("alice", 144),), rate="0.3331", verdicts={0: rejected})
    return InspectionResult.objects.get(assignment=share)


def test_a_correction_this_month_shows_the_corrected_result_only(client, cast, issue_job):
    result = alices_144(cast, issue_job)

    correct(cast, result, passed=140, rejected=4)
    slip = wage_slip(cast.alice, this_month())

    assert rows(slip) == [(140, 4, Decimal("46.63"), True)]  # 140 × 0.3331 = 46.634
    assert slip.corrections == []
    assert slip.total == shown(slip) == Decimal("46.63")
    assert PayLine.objects.filter(worker=cast.alice).count() == 3  # the ledger keeps the reversal
    client.force_login(cast.alice.user)
    page = client.get("/m/slip/").content.decode()
    assert "-47.97" not in page and "-144" not in page and "data-slip-correction" not in page
    assert "已更正" in page and "46.63 元" in page


def test_a_result_corrected_twice_this_month_shows_the_last_figures(cast, issue_job):
    result = alices_144(cast, issue_job)
    _reversal, first = correct(cast, result, passed=140, rejected=4)

    correct(cast, first, passed=143, rejected=1)
    slip = wage_slip(cast.alice, this_month())

    assert rows(slip) == [(143, 1, Decimal("47.63"), True)]  # 143 × 0.3331 = 47.6333
    assert slip.corrections == [] and slip.total == shown(slip) == Decimal("47.63")


def test_a_result_corrected_to_nothing_passed_still_shows_its_rejected_pieces(cast, issue_job):
    result = alices_144(cast, issue_job)

    correct(cast, result, passed=0, rejected=144)
    slip = wage_slip(cast.alice, this_month())

    assert rows(slip) == [(0, 144, Decimal("0.00"), True)]
    assert slip.corrections == [] and slip.total == shown(slip) == Decimal("0.00")


def test_nothing_passed_corrected_to_some_passed_reads_as_one_row(cast, issue_job):
    result = alices_144(cast, issue_job, rejected=144)

    correct(cast, result, passed=100, rejected=44)
    slip = wage_slip(cast.alice, this_month())

    assert rows(slip) == [(100, 44, Decimal("33.31"), True)]
    assert slip.corrections == [] and slip.total == shown(slip) == Decimal("33.31")


def test_a_correction_of_last_month_still_reads_as_such_and_its_second_correction_nets(cast, issue_job):
    data = alices_month(cast, issue_job)  # last month's 130 passed corrected this month to 120
    before = wage_slip(cast.alice, this_month())
    corrected = InspectionResult.objects.get(
        assignment__job=data["old"], reverses__isnull=True, inspection__corrects__isnull=False
    )

    correct(cast, corrected, passed=125, rejected=5)
    slip = wage_slip(cast.alice, this_month())

    label = f"{last_month():%Y-%m}"
    # One line: last month's 130 now stand at 125 (125 × 0.035 = 4.375 → 4.38; 4.38 − 4.55).
    assert [(c.was, c.pieces, c.signed, c.corrects_label, c.corrected) for c in slip.corrections] == [
        (130, 125, "-0.17", label, True),
    ]
    assert slip.total == shown(slip) == before.total + Decimal("0.18")
    assert [j.title for j in slip.jobs] == ["布袋缝边"]
    assert PayLine.objects.filter(worker=cast.alice, kind=LineKind.CORRECTION).count() == 4


# --- a correction of a closed month ------------------------------------------------------------------


def alices_closed_108(cast, issue_job) -> InspectionResult:
    """Alice's 110 pieces of 五孔插座组件装配 at 0.3385 yuan, 108 passed (108 × 0.3385 = 36.558 → 36.56),
    booked last month, and the month closed."""

    def sockets(**kw):
        return issue_job(title="五孔插座组件装配", **kw)

    job, (share,) = booked(cast, sockets, shares=(("alice", 110),), rate="0.3385", verdicts={0: 2})
    into_last_month(job)
    services.period_close(actor=cast.head, workshop=cast.ws, month=last_month())
    return InspectionResult.objects.get(assignment=share)


def test_a_correction_of_a_closed_month_reads_as_one_line_with_the_difference(client, cast, issue_job):
    """Found in a trial: her December slip said "更正 2026-11 · 合格件数 -108 件 金额 -36.56 元" then
    "110 件 37.24 元"; a 60-year-old worker read it as money taken away."""
    correct(cast, alices_closed_108(cast, issue_job), passed=110, rejected=0)

    slip = wage_slip(cast.alice, this_month())

    label = f"{last_month():%Y-%m}"
    assert [(c.title, c.was, c.pieces, c.amount, c.corrects_label) for c in slip.corrections] == [
        ("五孔插座组件装配", 108, 110, Decimal("0.68"), label),  # 110 × 0.3385 = 37.235 → 37.24; − 36.56
    ]
    assert slip.total == shown(slip) == Decimal("0.68")
    assert PayLine.objects.filter(worker=cast.alice, kind=LineKind.CORRECTION).count() == 2  # ledger as was
    client.force_login(cast.alice.user)
    page = client.get("/m/slip/").content.decode()
    assert f"更正 {label} · 五孔插座组件装配" in page and "合格件数 108 → 110 件,+0.68 元" in page
    assert "-108" not in page and "-36.56" not in page and "37.24" not in page
    client.cookies["django_language"] = "en"
    assert "Pieces passed 108 → 110, +0.68 yuan" in client.get("/m/slip/").content.decode()
    client.force_login(cast.head)
    printed = client.get(f"/dashboard/pay/{this_month():%Y-%m}/slips/").content.decode()
    assert "Pieces passed 108 → 110, +0.68 yuan" in printed and "-36.56" not in printed
    client.cookies["django_language"] = "zh-hans"
    printed = client.get(f"/dashboard/pay/{this_month():%Y-%m}/slips/").content.decode()
    assert "合格件数 108 → 110 件,+0.68 元" in printed and '<td class="num">+0.68</td>' in printed


def test_a_closed_month_corrected_to_nothing_passed_reads_as_one_line(client, cast, issue_job):
    correct(cast, alices_closed_108(cast, issue_job), passed=0, rejected=110)

    slip = wage_slip(cast.alice, this_month())

    assert [(c.was, c.pieces, c.signed) for c in slip.corrections] == [(108, 0, "-36.56")]
    assert slip.total == shown(slip) == Decimal("-36.56")


def test_a_reversal_whose_new_row_counts_in_another_month_shows_each_line_on_its_own(cast, issue_job):
    correct(cast, alices_closed_108(cast, issue_job), passed=110, rejected=0)
    # As if the new row were booked in the next month (the ledger allows it): each slip has one half.
    new = PayLine.objects.get(worker=cast.alice, kind=LineKind.CORRECTION, pieces_passed=110)
    PayLine.objects.filter(pk=new.pk).update(month=next_month(this_month()))

    now, later = wage_slip(cast.alice, this_month()), wage_slip(cast.alice, next_month(this_month()))

    assert [(c.was, c.pieces, c.amount) for c in now.corrections] == [(None, -108, Decimal("-36.56"))]
    assert [(c.was, c.pieces, c.amount) for c in later.corrections] == [(None, 110, Decimal("37.24"))]
    assert now.total == shown(now) and later.total == shown(later) == Decimal("37.24")
    assert PayPeriod.objects.get(month=last_month()).closed_at is not None
