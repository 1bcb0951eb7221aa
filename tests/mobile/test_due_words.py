"""The due day on her share page (交货): a share she still works on says how late it is; a finished one
says only the day it was due. Found in a trial: a share done, handed over, inspected and paid still read
"6月1日,已经过期 6 天", as if she were late with it. And in words, in Chinese and in English: found
in a trial, "Due: Dec 6, due today" said it twice and "1 day(s)" left the plural to her."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from dispatch.models import Assignment
from mobile.cards import due_text

from .conftest import accepted_job, in_hand, inspect_and_book, report


def due_six_days_ago(*shares) -> str:
    """Move the shares' due day six days back (a test cannot wait); return it in her words."""
    day = timezone.localdate() - dt.timedelta(days=6)
    Assignment.objects.filter(pk__in=[a.pk for a in shares]).update(due_on=day)
    return f"{day.month}月{day.day}日"


def due_words(client, worker, a) -> str:
    client.force_login(worker.user)
    page = client.get(f"/m/a/{a.pk}/").content.decode()
    return page.split("<dt>交货</dt><dd>", 1)[1].split("</dd>", 1)[0]


def test_a_finished_share_says_when_it_was_due_not_that_it_is_overdue(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=150)
    hers, his = in_hand(job, cast.alice, 100), in_hand(job, cast.bob, 50)
    report(hers, 100)  # she is done; he is not
    when = due_six_days_ago(hers, his)

    assert due_words(client, cast.alice, hers) == when
    assert due_words(client, cast.bob, his) == f"{when},已经过期 6 天"

    report(his, 50)
    inspect_and_book(cast, job, {hers.pk: (100, 0, 0, ""), his.pk: (50, 0, 0, "")})

    assert due_words(client, cast.alice, hers) == when  # handed over, inspected, paid: still just the day
    assert due_words(client, cast.bob, his) == when


TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    "days, chinese, english",
    [
        (-3, "12月3日,已经过期 3 天", "Dec 3, 3 days late"),
        (-1, "12月5日,已经过期 1 天", "Dec 5, 1 day late"),
        (0, "12月6日,今天要交", "Dec 6 (today)"),
        (1, "12月7日,明天要交", "Dec 7 (tomorrow)"),
        (2, "12月8日,还有 2 天", "Dec 8, 2 days left"),
    ],
)
def test_the_due_day_reads_once_with_its_plural(days, chinese, english):
    due = TODAY + dt.timedelta(days=days)
    with translation.override("zh-hans"):
        assert due_text(due, TODAY) == chinese
        assert due_text(due, TODAY, running=False) == chinese.split(",")[0]
    with translation.override("en"):
        assert due_text(due, TODAY) == english
        assert due_text(due, TODAY, running=False) == english.split(",")[0].split(" (")[0]
