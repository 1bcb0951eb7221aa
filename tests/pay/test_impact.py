"""The impact figures (增收降本) recomputed by hand from a few pay lines, a negative one among them, to the
fen; the levels and the groups add up; the cost in queries does not grow with the workers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dispatch.models import InspectionResult
from dispatch.services import result_correct
from pay import impact
from pay.models import LineKind, PayLine
from pay.services import adjustment_add
from tests.dashboard.helpers import settled_job
from tests.factories import WorkerFactory, WorkshopFactory
from workshop.models import Employment, Workshop

D = Decimal


@pytest.fixture
def ledger(cast, issue_job):
    """alice (fixed, baseline 20, joined 100 days ago), bob (fixed, no baseline, joined 10 days ago) and
    carol (part-time, low-income, baseline 60, no joining date) of 暖心坊, paid on three jobs of the cast's
    line (in-house cost 0.3000 a piece); then alice's one sample piece is corrected to rejected (a reversal
    line of −1 piece) and the head deducts 1.00 from her pay."""
    today = timezone.localdate()
    alice, bob, carol = cast.alice, cast.bob, cast.carol
    alice.baseline_income_yuan, alice.joined_on = D("20.00"), today - dt.timedelta(days=99)
    bob.baseline_income_yuan, bob.joined_on = D("0.00"), today - dt.timedelta(days=9)
    carol.baseline_income_yuan, carol.joined_on = D("60.00"), None
    carol.employment, carol.low_income = Employment.PART_TIME, True
    for w in (alice, bob, carol):
        w.save()
    settled_job(cast, issue_job, pieces=(100, 100, 100), rate="0.0350")  # 3.50 each
    settled_job(cast, issue_job, pieces=(33,), rate="0.0375", title="插座")  # alice 1.2375 → 1.24
    sample = settled_job(cast, issue_job, pieces=(1,), rate="0.0350", title="样品")  # alice 0.035 → 0.04
    result = InspectionResult.objects.get(inspection__job=sample)
    result_correct(actor=cast.clerk, result=result, passed=0, rejected=1, reason="复检不合格")
    adjustment_add(
        worker=alice, kind=LineKind.DEDUCTION, amount="1.00", reason="损坏材料", actor=cast.head, key="d-1"
    )
    assert PayLine.objects.filter(amount__lt=0).count() == 2  # the reversal and the deduction
    return today


def test_a_workshops_figures_are_the_ledgers_to_the_fen(cast, ledger):
    report = impact.impact_report(Workshop.objects.filter(pk=cast.ws.pk), as_of=ledger)
    (ws,) = report.workshops
    f = ws.figures
    # Wages: alice 3.50 + 1.24 + 0.04 − 0.04 (the reversal) − 1.00 (the deduction); bob 3.50; carol 3.50.
    assert f.wages == D("3.74") + D("3.50") + D("3.50") == D("10.74")
    # Annualised: alice 3.74 × 365 / 100 = 13.651; bob 3.50 × 365 / 30 (10 days, floored to 30) = 42.5833…;
    # carol 3.50 × 365 / 30 (no joining date: from her first line, today, floored to 30), the same.
    assert f.annual == D("13.65") + D("42.58") + D("42.58") == D("98.81")
    assert (f.workers, f.earners, f.no_baseline) == (3, 3, 1)
    # Growth: (alice 13.65 + carol 42.58) / (20 + 60) × 100 = 70.2875 %; bob (no baseline) counted apart.
    assert f.growth_pct == D("70.3")
    # Per earner a month: 98.81 / 12 / 3 = 2.7447…
    assert f.monthly_per_earner == D("2.74")
    # Savings, line by line: 100 × (0.30 − 0.035) = 26.50 three times; 33 × (0.30 − 0.0375) = 8.6625 → 8.66;
    # the sample 1 × 0.265 → 0.27 and its reversal −1 × 0.265 → −0.27 (half-up, away from zero); the
    # deduction has no pieces and no line.
    assert f.saving == D("26.50") * 3 + D("8.66") + D("0.27") - D("0.27") == D("88.16")


def test_groups_split_the_workshop_and_low_income_is_counted_within(cast, ledger):
    (ws,) = impact.impact_report(Workshop.objects.filter(pk=cast.ws.pk), as_of=ledger).workshops
    fixed, part, low = ws.groups["fixed"], ws.groups["part_time"], ws.groups["low_income"]
    assert (fixed.workers, fixed.wages, fixed.annual) == (2, D("7.24"), D("56.23"))
    assert fixed.growth_pct == D("68.3")  # 13.65 / 20 = 68.25 %: bob has no baseline
    assert (part.workers, part.wages, part.annual) == (1, D("3.50"), D("42.58"))
    assert part.growth_pct == D("71.0")  # 42.58 / 60
    assert (low.workers, low.wages) == (1, D("3.50"))
    assert fixed.suppressed and part.suppressed and low.suppressed and not ws.figures.suppressed
    for name in ("workers", "earners", "no_baseline", "wages", "annual", "annual_with_baseline", "baseline"):
        assert getattr(fixed, name) + getattr(part, name) == getattr(ws.figures, name), name


def test_the_levels_add_up_and_each_workshop_lands_in_its_own_subdistrict_and_county(cast, ledger):
    # mallory's workshop is in the same subdistrict; one more workshop in another subdistrict, one in another
    # county, each with a worker and no pay.
    other_sub = WorkshopFactory(subdistrict="武原街道")
    WorkerFactory(workshop=other_sub)
    elsewhere = WorkshopFactory(county="平湖市", subdistrict="当湖街道")
    WorkerFactory(workshop=elsewhere)
    report = impact.impact_report(Workshop.objects.all(), as_of=ledger)
    assert [c.name for c in report.counties] == ["平湖市", "海盐县"]
    haiyan = report.counties[1]
    subs = [s for s in report.subdistricts if s.county == "海盐县"]
    assert sorted(s.name for s in subs) == ["望海街道", "武原街道"]
    shops = [w for w in report.workshops if w.county == "海盐县"]
    assert haiyan.figures == sum((s.figures for s in subs), impact.Figures())
    assert haiyan.figures == sum((w.figures for w in shops), impact.Figures())
    assert haiyan.figures.workers == 3 + 1 + 1  # the cast's three, mallory, other_sub's worker
    assert haiyan.figures.wages == D("10.74") and haiyan.figures.earners == 3
    assert report.total.figures == haiyan.figures + report.counties[0].figures
    for g in impact.GROUPS:
        assert haiyan.groups[g] == sum((w.groups[g] for w in shops), impact.Figures())
    assert report.months == [(ledger.replace(day=1), D("10.74"))]


def test_a_worker_who_left_counts_only_with_pay_and_lines_after_the_date_are_left_out(cast, ledger):
    cast.mallory.active = False
    cast.mallory.save()
    yesterday = ledger - dt.timedelta(days=1)
    report = impact.impact_report(Workshop.objects.all(), as_of=yesterday)
    assert report.total.figures.workers == 3  # the cast's three, active; mallory left with no pay
    assert report.total.figures.wages == D("0.00") and report.total.figures.growth_pct == D("0.0")


def _workers(cast, n: int) -> None:
    for _ in range(n):
        WorkerFactory(workshop=cast.ws, baseline_income_yuan=D("12000.00"))


@pytest.mark.parametrize("n", [3, 30])
def test_the_report_costs_three_queries_whatever_the_workers(cast, ledger, django_assert_num_queries, n):
    _workers(cast, n)
    with django_assert_num_queries(3):
        report = impact.impact_report(Workshop.objects.all(), as_of=ledger)
    assert report.total.figures.workers == 4 + n


def test_the_summary_is_plain_json_with_the_county_its_groups_and_workshops(cast, ledger):
    import json

    summary = impact.impact_summary(as_of=ledger)
    json.dumps(summary)
    assert summary["county"]["name"] == "海盐县"
    assert summary["county"]["wages_yuan"] == "10.74"
    assert summary["county"]["groups"]["low_income"]["growth_pct"] == "71.0"
    by_name = {w["name"]: w for w in summary["workshops"]}
    assert by_name["暖心坊"]["saving_yuan"] == "88.16"
    assert by_name["暖心坊"]["growth_pct"] == "70.3"
