"""The due day in words on her cards (``mobile.cards.due_text``), in Chinese and in English: found in a
trial, "Due: Dec 6, due today" said it twice and "1 day(s)" left the plural to her."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from mobile.cards import due_text

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
    with translation.override("en"):
        assert due_text(due, TODAY) == english
        assert due_text(due, TODAY, running=False) == english.split(",")[0].split(" (")[0]
