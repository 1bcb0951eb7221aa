"""The long lists' rows drawn by Jinja2 (config/jinja.py): the same words, times and escaping a clerk
and a head saw when Django's template engine drew them. That their words reach ``make messages``:
tests/test_jinja_messages.py."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings

from dispatch.models import Job
from tests.factories import WorkerFactory
from workshop.models import Employment

pytestmark = pytest.mark.django_db

ROWS = Path(settings.BASE_DIR) / "jinja2" / "dashboard"


def test_the_job_list_shows_issue_time_in_shanghai_and_escapes_a_hostile_title(client, cast, issue_job):
    job = issue_job(title="<script>alert(1)</script>面板")
    # 23:30 UTC on 1 March is 07:30 on 2 March in Asia/Shanghai.
    Job.objects.filter(pk=job.pk).update(issued_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    client.force_login(cast.clerk)
    html = client.get("/dashboard/jobs/?start=2026-01-01").content.decode()
    assert "2026-03-02 07:30" in html
    assert f"{job.due_on:%Y-%m-%d}" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;面板" in html
    assert f'href="/dashboard/jobs/{job.pk}/"' in html


def test_the_roster_rows_speak_the_readers_language(client, cast):
    WorkerFactory(
        workshop=cast.ws, name="曾丽", skills=["fabric", "no-such-skill"], employment=Employment.PART_TIME
    )
    client.force_login(cast.head)
    zh = client.get("/dashboard/workers/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = client.get("/dashboard/workers/").content.decode()
    row = re.search(r'<tr data-worker="\d+">\s*<td><a [^>]*>曾丽</a>.*?</tr>', zh, re.S).group(0)
    assert "兼职坊工" in row and "在岗" in row
    row_en = re.search(r'<tr data-worker="\d+">\s*<td><a [^>]*>曾丽</a>.*?</tr>', en, re.S).group(0)
    assert "兼职坊工" not in row_en and "在岗" not in row_en
