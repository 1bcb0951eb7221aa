"""The minimum-wage view's arithmetic and reads: a piece rate at a speed is an hourly figure to the fen,
compared with the part-time minimum hourly wage to the fen; the workshop's speed for a kind is the median
of its workers' learned speeds, or the prior (an estimate) until someone has reported that kind."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from dispatch import minwage, services, tasks
from dispatch.models import SpeedDay
from pay import money
from tests.conftest import tomorrow
from tests.factories import PairingFactory
from workshop.models import MinimumWage, ProcessKind, Workshop
from workshop.provinces import province_label


def report(cast, job, worker, pieces: int):
    a = services.assignment_offer(job=job, worker=worker, pieces=pieces)
    services.assignment_accept(actor=worker.user, assignment=a)
    services.work_report(actor=worker.user, assignment=a, pieces=pieces, key=uuid.uuid4().hex)


def work_job(cast, issue_job, shares, kind=ProcessKind.ASSEMBLY):
    """A job of ``kind`` the cast's workers have made today: ``shares`` is ((worker, pieces), ...)."""
    job = issue_job(quantity=sum(n for _w, n in shares), process_kind=kind, rate="0.5000")
    services.job_accept(actor=cast.head, job=job)
    for worker, n in shares:
        report(cast, job, worker, n)
    return job


def other_workshop_job(cast, rate: str):
    """A job of the cast's firm in mallory's workshop (another workshop of the same community)."""
    PairingFactory(firm=cast.firm, workshop=cast.mallory.workshop, lines=[cast.line])
    return services.job_issue(
        actor=cast.clerk,
        workshop=cast.mallory.workshop,
        line=cast.line,
        title="别坊的单",
        quantity=100,
        piece_rate=Decimal(rate),
        due_on=tomorrow(),
    )


# --- the arithmetic, to the fen --------------------------------------------------------------------------


def test_it_turns_a_rate_and_a_speed_into_yuan_an_hour_to_the_fen():
    assert money.hourly_equivalent(Decimal("0.35"), 57) == Decimal("19.95")
    assert money.hourly_equivalent(Decimal("0.0350"), 60) == Decimal("2.10")
    assert money.hourly_equivalent(Decimal("0.3999"), 50) == Decimal("20.00")  # 19.995 rounds half-up


def test_exactly_the_minimum_is_not_below_it():
    hourly = money.hourly_equivalent(Decimal("0.4000"), 50)
    assert hourly == Decimal("20.00")
    assert not money.below_minimum_wage(hourly, Decimal("20"))


def test_one_fen_under_the_minimum_is_below_it():
    hourly = money.hourly_equivalent(Decimal("0.3998"), 50)
    assert hourly == Decimal("19.99")
    assert money.below_minimum_wage(hourly, Decimal("20.00"))


def test_one_fen_over_the_minimum_is_not_below_it():
    hourly = money.hourly_equivalent(Decimal("0.4002"), 50)
    assert hourly == Decimal("20.01")
    assert not money.below_minimum_wage(hourly, Decimal("20.00"))


def test_half_a_fen_under_rounds_to_the_minimum_and_is_not_below_it():
    # 0.3999 × 50 = 19.995: shown as 20.00, and a head is never told "20.00 is below 20".
    assert not money.below_minimum_wage(Decimal("19.995"), Decimal("20"))
    assert money.below_minimum_wage(Decimal("19.994"), Decimal("20"))


@pytest.mark.parametrize("speed", [-1, 1.5, True])
def test_a_speed_must_be_a_whole_number_of_pieces(speed):
    with pytest.raises(ValueError):
        money.hourly_equivalent(Decimal("0.3"), speed)


# --- the workshop's speed and the jobs under the minimum --------------------------------------------------


def test_zhejiangs_2024_figures_are_seeded_at_the_third_tier(db):
    row = MinimumWage.objects.get(county="", subdistrict="", community="")
    figures = (row.tier1_hourly, row.tier2_hourly, row.tier3_hourly)
    assert figures == (Decimal("24"), Decimal("22"), Decimal("20"))
    assert row.tier == 3 and row.hourly == Decimal("20") and str(row.effective_from) == "2024-01-01"


def test_a_kind_nobody_reported_uses_the_prior_as_an_estimate(cast, django_assert_num_queries):
    with django_assert_num_queries(4):  # the day's kept speeds (none), the workers, their reports, keep
        speeds = minwage.median_speeds([cast.ws.pk])
    assert speeds == {}
    assert minwage.prior_speed(ProcessKind.ASSEMBLY) == minwage.KindSpeed(60, learned=False, workers=0)


def test_the_workshops_speed_is_the_median_of_the_workers_who_made_that_kind(
    cast, issue_job, django_assert_num_queries
):
    # 40 hours a week is 6⅔ hours a day: 600 assembly pieces (10 standard hours) in a day is 1.5 × the
    # prior, shrunk with 5 days of prior to 1.083 → 65 an hour; 200 pieces → 0.917 → 55 an hour.
    work_job(cast, issue_job, [(cast.alice, 600), (cast.bob, 600), (cast.carol, 200)])
    with django_assert_num_queries(4):
        speeds = minwage.median_speeds([cast.ws.pk])
    assert speeds == {(cast.ws.pk, ProcessKind.ASSEMBLY): minwage.KindSpeed(65, learned=True, workers=3)}


def test_the_speeds_are_taken_once_a_day_and_read_back_the_rest_of_it(
    cast, issue_job, django_assert_num_queries
):
    work_job(cast, issue_job, [(cast.alice, 600), (cast.bob, 600), (cast.carol, 200)])
    first = minwage.median_speeds([cast.ws.pk])
    # Alice and Bob make 1,000 more each the same afternoon: today's figure stays the one taken this
    # morning, in one query, whatever the county's size.
    work_job(cast, issue_job, [(cast.alice, 1000), (cast.bob, 1000)])
    with django_assert_num_queries(1):
        assert minwage.median_speeds([cast.ws.pk]) == first
    assert minwage.median_speeds_now([cast.ws.pk]) != first
    # Tomorrow's first read takes them again, and keeps one row per workshop.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    again = minwage.median_speeds([cast.ws.pk], today=tomorrow)
    assert again == minwage.median_speeds_now([cast.ws.pk]) != first
    assert SpeedDay.objects.filter(workshop=cast.ws).values_list("day", flat=True).get() == tomorrow


def test_jobs_below_min_wage_lists_open_jobs_under_the_minimum_in_few_queries(
    cast, issue_job, django_assert_num_queries
):
    work_job(cast, issue_job, [(cast.alice, 600), (cast.bob, 600), (cast.carol, 200)])  # 0.50 × 65 = 32.50
    low = issue_job(quantity=100, rate="0.3000", title="低价单")  # 0.30 × 65 = 19.50 < 20
    fair = issue_job(quantity=100, rate="0.3077", title="够价单")  # 0.3077 × 65 = 20.0005 → 20.00
    cancelled = issue_job(quantity=100, rate="0.1000", title="已取消")
    services.job_cancel(actor=cast.clerk, job=cancelled, reason="不做了")
    other = other_workshop_job(cast, "0.1000")
    with django_assert_num_queries(6):  # the jobs, the minimum wages; the speeds, taken (first read today)
        rows = minwage.jobs_below_min_wage([cast.ws.pk])
    assert [r.job_id for r in rows] == [low.pk]
    assert rows[0].hourly == Decimal("19.50") and rows[0].minimum == Decimal("20.00")
    assert fair.pk not in {r.job_id for r in rows} and other.pk not in {r.job_id for r in rows}
    assert json.loads(json.dumps(rows[0].as_dict()))["hourly"] == "19.50"


def test_a_firm_sees_the_prior_where_the_median_would_be_one_workers_own_speed(cast, issue_job):
    work_job(cast, issue_job, [(cast.alice, 600)])
    job = issue_job(quantity=100, rate="0.3000")
    head = minwage.rate_checks([job])[job.pk]
    firm = minwage.rate_checks([job], for_firm=True)[job.pk]
    assert (head.pieces_per_hour, head.learned, head.workers) == (65, True, 1)
    assert (firm.pieces_per_hour, firm.learned, firm.workers) == (60, False, 0)
    assert "65" not in minwage.explain(firm, for_firm=True)


def test_without_a_minimum_wage_row_the_figure_is_shown_and_nothing_is_below(cast, issue_job):
    MinimumWage.objects.all().delete()
    job = issue_job(quantity=100, rate="0.3000")
    check = minwage.rate_checks([job])[job.pk]
    assert (check.hourly, check.minimum, check.below) == (Decimal("18.00"), None, False)
    assert "还没有设置本地最低小时工资" in minwage.explain(check)
    assert minwage.jobs_below_min_wage([cast.ws.pk]) == []


def test_the_early_task_takes_every_workshops_speeds_and_a_second_run_writes_nothing(
    cast, issue_job, django_assert_num_queries
):
    work_job(cast, issue_job, [(cast.alice, 600), (cast.bob, 600), (cast.carol, 200)])
    every = set(Workshop.objects.values_list("pk", flat=True))
    assert len(every) > 1  # mallory's workshop too
    assert tasks.take_day_speeds() == len(every)
    kept = dict(SpeedDay.objects.values_list("workshop_id", "speeds"))
    assert set(kept) == every
    assert kept[cast.ws.pk] == {ProcessKind.ASSEMBLY: [65, 3]}
    with django_assert_num_queries(2):  # the workshops, their kept rows: nothing taken again
        tasks.take_day_speeds()


def test_the_explanation_names_the_province_and_tier_in_the_readers_language(cast, issue_job):
    job = issue_job(quantity=100, rate="0.3000")
    check = minwage.rate_checks([job])[job.pk]
    assert (check.region, check.tier) == ("浙江", 3)
    assert "低于浙江第三档地区非全日制最低小时工资 20 元。" in minwage.explain(check)
    with translation.override("en"):
        english = minwage.explain(check)
    assert "Zhejiang Tier 3 areas" in english and "浙江" not in english
    # A region that is not a province's short name is shown as written, never dropped.
    with translation.override("en"):
        assert province_label("嘉兴市") == "嘉兴市" and province_label("浙江") == "Zhejiang"
