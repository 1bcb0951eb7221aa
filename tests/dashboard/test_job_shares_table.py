"""The job's shares table at 1280px: found in a trial, it was squeezed to fit the page and the workers'
names stood one character a line. Its cells now keep to one line and it scrolls sideways in its wrapper;
only the planner's words wrap."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from dispatch import services
from tests.dashboard.helpers import accepted_job

CSS = Path(settings.BASE_DIR) / "static" / "dashboard" / "dashboard.css"


def test_the_shares_table_scrolls_sideways_and_keeps_names_on_one_line(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=300)
    services.assignment_offer(job=job, worker=cast.alice, pieces=100, reasons="技能匹配 · 手头120件")
    client.force_login(cast.head)

    page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()

    assert re.search(r'<div class="table-wrap">\s*<table class="shares" data-table="assignments">', page)
    assert '<td class="muted small wraps">技能匹配 · 手头120件</td>' in page
    css = CSS.read_text(encoding="utf-8")
    assert ".table-wrap { overflow-x: auto; }" in css
    assert "table.shares th, table.shares td { white-space: nowrap; }" in css
    assert "table.shares td.wraps { white-space: normal;" in css
