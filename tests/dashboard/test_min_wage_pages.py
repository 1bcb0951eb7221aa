"""The minimum-wage view on the dashboard: before accepting, the head and the community admin see what a
job's rate pays an hour and a warning when it is under the local part-time minimum hourly wage; the home
page lists such open jobs; the firm sees the hourly figure of its own rate, never a worker's speed; only
the community admin sets the figures, and a new setting is a new row."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard import selectors
from dispatch import services
from tests.conftest import tomorrow
from tests.factories import CommunityAdminFactory, PairingFactory, UserFactory
from workshop.models import MinimumWage

BELOW_PRIOR = (
    "该工序还没有足够的报工记录,按参考速度 每小时约 60 件估算,折合 每小时 18.00 元,"
    "低于浙江第三档地区非全日制最低小时工资 20 元。"
)
BELOW_LEARNED = (
    "按本坊该工序中位速度 每小时约 65 件(近28天 3 位坊工报工),折合 每小时 19.50 元,"
    "低于浙江第三档地区非全日制最低小时工资 20 元。"
)


def made_today(cast, issue_job, shares):
    """Assembly the cast's workers made today: 600 pieces is 65 an hour, 200 is 55 (see test_minwage)."""
    job = issue_job(quantity=sum(n for _w, n in shares), rate="0.5000", title="已做的单")
    services.job_accept(actor=cast.head, job=job)
    for worker, n in shares:
        a = services.assignment_offer(job=job, worker=worker, pieces=n)
        services.assignment_accept(actor=worker.user, assignment=a)
        services.work_report(actor=worker.user, assignment=a, pieces=n, key=uuid.uuid4().hex)
    return job


def other_workshop_job(cast):
    PairingFactory(firm=cast.firm, workshop=cast.mallory.workshop, lines=[cast.line])
    return services.job_issue(
        actor=cast.clerk,
        workshop=cast.mallory.workshop,
        line=cast.line,
        title="别坊低价单",
        quantity=100,
        piece_rate=Decimal("0.1000"),
        due_on=tomorrow(),
    )


@pytest.fixture
def admin(cast):
    return CommunityAdminFactory(user=UserFactory(username="admin")).user


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


# --- the job page, before accepting ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head", "admin"])
def test_head_and_admin_see_the_warning_on_an_issued_job_with_the_prior_marked_as_estimate(
    client, cast, issue_job, admin, who
):
    job = issue_job(quantity=100, rate="0.3000")
    user = admin if who == "admin" else cast.head
    html = page(client, user, f"/dashboard/jobs/{job.pk}/").content.decode()
    assert 'data-job-state="issued"' in html
    assert "data-rate-warning" in html and "data-rate-estimate" in html
    assert BELOW_PRIOR in html


def test_the_head_sees_the_workshops_median_speed_and_can_still_accept(client, cast, issue_job):
    made_today(cast, issue_job, [(cast.alice, 600), (cast.bob, 600), (cast.carol, 200)])
    job = issue_job(quantity=100, rate="0.3000")
    html = page(client, cast.head, f"/dashboard/jobs/{job.pk}/").content.decode()
    assert BELOW_LEARNED in html
    assert "data-rate-estimate" not in html
    assert 'data-action="accept"' in html
    # It informs the rate talk, never blocks: the head accepts as usual.
    r = client.post(f"/dashboard/jobs/{job.pk}/accept/")
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.state == "accepted"


def test_a_fair_rate_shows_its_hourly_figure_without_a_warning(client, cast, issue_job):
    job = issue_job(quantity=100, rate="0.3400")  # 0.34 × 60 = 20.40
    html = page(client, cast.head, f"/dashboard/jobs/{job.pk}/").content.decode()
    assert 'data-below="0"' in html and "data-rate-warning" not in html
    assert "折合 每小时 20.40 元,不低于浙江第三档地区非全日制最低小时工资 20 元。" in html


def test_the_firm_sees_the_hourly_figure_of_its_rate_but_not_one_workers_speed(client, cast, issue_job):
    made_today(cast, issue_job, [(cast.alice, 600)])  # alice alone: 65 an hour is her own speed
    job = issue_job(quantity=100, rate="0.3000")
    head_html = page(client, cast.head, f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "每小时约 65 件(近28天 1 位坊工报工)" in head_html
    firm_html = page(client, cast.clerk, f"/dashboard/jobs/{job.pk}/").content.decode()
    assert BELOW_PRIOR in firm_html
    assert "65 件" not in firm_html and "位坊工报工" not in firm_html


def test_with_three_workers_the_firm_sees_the_median_without_the_head_count(client, cast, issue_job):
    made_today(cast, issue_job, [(cast.alice, 600), (cast.bob, 600), (cast.carol, 200)])
    job = issue_job(quantity=100, rate="0.3000")
    html = page(client, cast.clerk, f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "按该工坊此工序中位速度 每小时约 65 件,折合 每小时 19.50 元,低于" in html
    assert "位坊工报工" not in html


@pytest.mark.parametrize("who", ["other_head", "eve"])
def test_another_workshops_head_and_another_firm_get_404_on_the_job(client, cast, issue_job, who):
    job = issue_job(quantity=100, rate="0.3000")
    user = cast.mallory.workshop.head if who == "other_head" else cast.eve
    assert page(client, user, f"/dashboard/jobs/{job.pk}/").status_code == 404


# --- the home page ---------------------------------------------------------------------------------------


def test_home_lists_the_open_jobs_under_the_minimum_in_the_users_scope(client, cast, issue_job, admin):
    low = issue_job(quantity=100, rate="0.3000", title="低价单")
    fair = issue_job(quantity=100, rate="0.3400", title="够价单")
    gone = issue_job(quantity=100, rate="0.1000", title="已拒单")
    services.job_decline(actor=cast.head, job=gone, reason="太便宜")
    other = other_workshop_job(cast)

    head_html = page(client, cast.head, "/dashboard/").content.decode()
    assert f'data-low-rate-job="{low.pk}"' in head_html
    assert BELOW_PRIOR in head_html
    for job in (fair, gone, other):
        assert f'data-low-rate-job="{job.pk}"' not in head_html

    admin_html = page(client, admin, "/dashboard/").content.decode()  # both workshops are the admin's
    assert f'data-low-rate-job="{low.pk}"' in admin_html and f'data-low-rate-job="{other.pk}"' in admin_html

    other_head_html = page(client, cast.mallory.workshop.head, "/dashboard/").content.decode()
    assert f'data-low-rate-job="{other.pk}"' in other_head_html
    assert f'data-low-rate-job="{low.pk}"' not in other_head_html

    eve_html = page(client, cast.eve, "/dashboard/").content.decode()
    assert "data-low-rate" not in eve_html


def test_a_county_of_open_jobs_lists_the_nearest_due_with_the_total_read_narrowly(
    client, cast, issue_job, admin
):
    """Hundreds of open jobs in a county: the home page lists the nearest-due few, says how many in all,
    and reads the open jobs with the columns the check and the row need, not whole jobs (issue 15)."""
    limit = selectors.LOW_RATE_ROWS
    jobs = [issue_job(quantity=100, rate="0.3000", title=f"低价单{i}") for i in range(limit + 3)]
    client.force_login(admin)
    client.get("/dashboard/")  # the day's speeds are taken by the first view
    with CaptureQueriesContext(connection) as q:
        html = client.get("/dashboard/").content.decode()
    shown = [job for job in jobs if f'data-low-rate-job="{job.pk}"' in html]
    assert len(shown) == limit
    assert f"{limit + 3} 张在办外发单折合时薪低于最低小时工资" in html
    assert BELOW_PRIOR in html
    read = [s["sql"] for s in q.captured_queries if '"dispatch_job"."piece_rate"' in s["sql"]]
    assert len(read) == 1, read
    for unused in (
        '"dispatch_job"."instructions"',
        '"workshop_productionline"',
        '"workshop_workshop"."head_id"',
    ):
        assert unused not in read[0]


def test_home_shows_no_list_when_every_open_rate_pays_the_minimum(client, cast, issue_job):
    issue_job(quantity=100, rate="0.3400")
    html = page(client, cast.head, "/dashboard/").content.decode()
    assert "data-low-rate" not in html


# --- the community admin's setting -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head", "clerk"])
def test_only_the_community_admin_opens_and_posts_the_setting(client, cast, who):
    user = getattr(cast, who)
    assert page(client, user, "/dashboard/min-wage/").status_code == 403
    before = MinimumWage.objects.count()
    r = client.post(
        "/dashboard/min-wage/",
        {
            "tier": 1,
            "tier1_hourly": "1",
            "tier2_hourly": "1",
            "tier3_hourly": "1",
            "effective_from": "2024-01-01",
        },
    )
    assert r.status_code == 403
    assert MinimumWage.objects.count() == before


def test_a_new_figure_is_a_new_row_and_the_old_row_is_unchanged(client, cast, issue_job, admin):
    seed = MinimumWage.objects.get(community="")
    seed_values = MinimumWage.objects.filter(pk=seed.pk).values().get()
    html = page(client, admin, "/dashboard/min-wage/").content.decode()
    assert "data-inherited" in html and "20.00 元/小时" in html

    r = client.post(
        "/dashboard/min-wage/",
        {
            "tier": 1,
            "tier1_hourly": "24.00",
            "tier2_hourly": "22.00",
            "tier3_hourly": "20.00",
            "effective_from": "2024-01-01",
            "source": "嘉兴市公布的本县档次",
        },
    )
    assert r.status_code == 302
    assert MinimumWage.objects.filter(pk=seed.pk).values().get() == seed_values
    new = MinimumWage.objects.exclude(pk=seed.pk).get()
    assert (new.community, new.tier, new.hourly, new.set_by) == ("新街社区", 1, Decimal("24.00"), admin)

    # The community's workshops now compare with the first tier.
    job = issue_job(quantity=100, rate="0.3500")  # 0.35 × 60 = 21.00: above 20, below 24
    html = page(client, cast.head, f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "折合 每小时 21.00 元,低于浙江第一档地区非全日制最低小时工资 24 元。" in html

    history = page(client, admin, "/dashboard/min-wage/").content.decode()
    assert f'data-min-wage="{new.pk}"' in history and "data-inherited" not in history


def test_a_later_figure_applies_from_its_date_and_the_history_keeps_both(client, cast, issue_job, admin):
    client.force_login(admin)
    next_month = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    for day, tier3 in (("2024-01-01", "20.00"), (next_month, "26.00")):
        r = client.post(
            "/dashboard/min-wage/",
            {
                "tier": 3,
                "tier1_hourly": "30",
                "tier2_hourly": "28",
                "tier3_hourly": tier3,
                "effective_from": day,
            },
        )
        assert r.status_code == 302
    job = issue_job(quantity=100, rate="0.3500")  # 21.00 an hour: above today's 20, below next month's 26
    html = page(client, cast.head, f"/dashboard/jobs/{job.pk}/").content.decode()
    assert 'data-below="0"' in html
    history = page(client, admin, "/dashboard/min-wage/").content.decode()
    assert history.count("data-min-wage=") == 2


def test_tiers_out_of_order_are_refused_in_words(client, cast, admin):
    client.force_login(admin)
    r = client.post(
        "/dashboard/min-wage/",
        {
            "tier": 3,
            "tier1_hourly": "20",
            "tier2_hourly": "22",
            "tier3_hourly": "24",
            "effective_from": "2024-01-01",
        },
    )
    assert r.status_code == 400
    assert "第一档 ≥ 第二档 ≥ 第三档" in r.content.decode()
    assert MinimumWage.objects.count() == 1
