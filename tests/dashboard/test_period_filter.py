"""The dashboard's date filter: an end date after today is read as today and the page says so, a range
that runs backwards or starts after today is refused with the reason and the default range, and the
home page's yearly figures are the same whether the head typed today or a day years ahead."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dashboard.forms import year_start
from tests.dashboard.helpers import settled_job
from workshop.models import Worker

pytestmark = pytest.mark.django_db

CAPPED = "结束日期晚于今天,已按今天计算。"
DEFAULT_SHOWN = "筛选条件有误,已按默认范围显示。"
FILTER_PAGES = [
    "/dashboard/",
    "/dashboard/jobs/",
    "/dashboard/pay/",
    "/dashboard/inspections/",
    "/dashboard/firms/",
    "/dashboard/firms/{firm}/",
]


def shown_period(page) -> tuple[dt.date, dt.date]:
    """The range the page's figures and rows are for (the form's cleaned period, or the default)."""
    period = page.context["form"].period()
    return period.start, period.end


def yearly_income(page, key: str = "fixed") -> str:
    """The "年化人均 ¥…" figure as the page shows it for one class of workers."""
    html = page.content.decode()
    return re.search(rf'data-goal="{key}">.*?年化人均 ¥([\d,.]+)', html, re.S).group(1)


@pytest.mark.parametrize("url", FILTER_PAGES)
def test_an_end_date_after_today_is_read_as_today_and_the_page_says_so(client, cast, url):
    today = timezone.localdate()
    client.force_login(cast.head)

    page = client.get(
        url.format(firm=cast.line.firm_id), {"start": year_start(today).isoformat(), "end": "2030-01-01"}
    )

    assert page.status_code == 200
    assert shown_period(page) == (year_start(today), today)
    body = page.content.decode()
    assert CAPPED in body
    assert DEFAULT_SHOWN not in body  # the head's start date stands: only the end was changed


def test_an_end_date_of_today_or_before_is_taken_as_typed_without_a_note(client, cast):
    today = timezone.localdate()
    client.force_login(cast.head)

    page = client.get("/dashboard/", {"start": year_start(today).isoformat(), "end": today.isoformat()})

    assert shown_period(page) == (year_start(today), today)
    assert CAPPED not in page.content.decode()


@pytest.mark.parametrize("url", FILTER_PAGES)
def test_a_range_that_runs_backwards_is_refused_and_the_default_range_shown(client, cast, url):
    today = timezone.localdate()
    client.force_login(cast.head)

    page = client.get(url.format(firm=cast.line.firm_id), {"start": "2030-01-01", "end": "2020-01-01"})

    assert page.status_code == 200
    assert shown_period(page) == (year_start(today), today)  # never 2020 to 2030
    body = page.content.decode()
    assert "结束日期不能早于开始日期。" in body and DEFAULT_SHOWN in body


def test_a_start_after_today_is_refused_not_an_empty_period(client, cast):
    today = timezone.localdate()
    client.force_login(cast.head)
    later = today + dt.timedelta(days=10)

    page = client.get("/dashboard/", {"start": later.isoformat(), "end": "2030-01-01"})

    assert shown_period(page) == (year_start(today), today)
    body = page.content.decode()
    assert "开始日期不能晚于今天。" in body and DEFAULT_SHOWN in body
    assert CAPPED not in body  # the range was refused: nothing was "read as today"


@pytest.mark.parametrize("end", ["", "later"])
def test_a_start_after_today_is_refused_for_that_reason_with_or_without_an_end(client, cast, end):
    today = timezone.localdate()
    client.force_login(cast.head)
    start = today + dt.timedelta(days=3)
    query = {"start": start.isoformat()}
    if end:
        query["end"] = (start + dt.timedelta(days=1)).isoformat()

    body = client.get("/dashboard/", query).content.decode()

    assert "开始日期不能晚于今天。" in body and DEFAULT_SHOWN in body
    assert "结束日期不能早于开始日期。" not in body  # the end she left blank (today) is not the reason


def test_an_end_date_alone_runs_from_the_first_of_january_of_its_year(client, cast):
    client.force_login(cast.head)
    last_may = year_start().replace(year=year_start().year - 1, month=5)

    page = client.get("/dashboard/", {"end": last_may.isoformat()})

    assert shown_period(page) == (last_may.replace(month=1), last_may)
    assert DEFAULT_SHOWN not in page.content.decode()


def test_the_yearly_income_is_the_same_for_an_end_of_today_and_of_2030(client, cast, issue_job):
    today = timezone.localdate()
    Worker.objects.filter(workshop=cast.ws).update(joined_on=year_start(today))
    settled_job(cast, issue_job, pieces=(400, 400, 400), rate="0.5000")
    client.force_login(cast.head)
    start = year_start(today).isoformat()

    to_today = client.get("/dashboard/", {"start": start, "end": today.isoformat()})
    to_2030 = client.get("/dashboard/", {"start": start, "end": "2030-01-01"})

    assert yearly_income(to_today) == yearly_income(to_2030)
    assert to_today.context["f"]["income"] == to_2030.context["f"]["income"]
    assert to_today.context["f"]["savings"] == to_2030.context["f"]["savings"]
    assert to_2030.context["f"]["days"] == (today - year_start(today)).days + 1


def test_the_notes_and_refusals_read_in_english(client, cast):
    client.force_login(cast.head)
    client.cookies["django_language"] = "en"

    capped = client.get("/dashboard/", {"end": "2030-01-01"}).content.decode()
    backwards = client.get("/dashboard/", {"start": "2030-01-01", "end": "2020-01-01"}).content.decode()

    assert "The end date was after today, so today is used instead." in capped
    assert CAPPED not in capped
    assert (
        "The end date can&#x27;t be before the start date. The filters were not valid, so the default range "
        "is shown." in backwards
    )


def test_a_bad_condition_on_the_job_list_is_named_and_the_others_still_apply(client, cast, issue_job):
    """A state the list does not know is left out and named; the title search and the dates still narrow
    the rows (before, one bad condition dropped them all and showed every job of the year)."""
    wanted = issue_job(title="手提袋穿绳")
    issue_job(title="礼盒折叠")
    client.force_login(cast.head)
    start = (timezone.localdate() - dt.timedelta(days=3)).isoformat()

    page = client.get("/dashboard/jobs/", {"q": "穿绳", "state": "no-such-state", "start": start})

    assert [job.pk for job in page.context["page"]] == [wanted.pk]
    assert shown_period(page) == (dt.date.fromisoformat(start), timezone.localdate())
    body = page.content.decode()
    assert "状态:" in body and "这些条件有误,没有用上,其余条件照常查找。" in body
    assert DEFAULT_SHOWN not in body  # the dates were fine and stand
