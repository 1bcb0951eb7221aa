"""A correction on her wage slip (工资条) reads as what stands: a correction of this month's inspection
shows the corrected figures in the job's row, marked 已更正, never "合格件数 -144 件 -47.97 元" (a trial's
60-year-old worker read that as money taken away); a correction of an earlier month still shows as
"更正 <month>". The ledger keeps every line: only the reading nets, and what is shown adds up to the
total."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from dispatch import services
from dispatch.models import InspectionResult
from pay.models import LineKind, PayLine
from pay.slips import wage_slip

from .conftest import booked
from .slips_data import alices_month, last_month


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
    assert [(c.pieces, c.amount, c.corrects_label, c.corrected) for c in slip.corrections] == [
        (-130, Decimal("-4.55"), label, False),
        (125, Decimal("4.38"), label, True),  # 125 × 0.035 = 4.375, half-up
    ]
    assert slip.total == shown(slip) == before.total + Decimal("0.18")
    assert [j.title for j in slip.jobs] == ["布袋缝边"]
    assert PayLine.objects.filter(worker=cast.alice, kind=LineKind.CORRECTION).count() == 4
