"""English words a new user found wrong on the staff pages: the job page's 分发 is when it was issued
("Issued", the button that issues one stays "Issue"), and the minimum-wage tiers are capitalised alike."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_job_page_says_when_it_was_issued_and_the_new_job_button_issues(client, cast, issue_job):
    job = issue_job(title="手提袋穿绳")
    client.force_login(cast.clerk)
    client.cookies["django_language"] = "en"

    page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert re.search(r"<dt>Issued</dt>", page) and "<dt>Issue</dt>" not in page
    form = client.get("/dashboard/jobs/new/").content.decode()
    assert re.search(r'data-action="issue">Issue</button>', form)
    assert "JPG or PNG, up to 8 MB." in form and "JPG 或 PNG" not in form  # the photo hint too


def test_the_tiers_are_capitalised_alike_in_english():
    from django.utils import translation

    with translation.override("en"):
        said = translation.gettext("第一档 %(a)s 元 · 第二档 %(b)s 元 · 第三档 %(c)s 元") % {
            "a": "26.0",
            "b": "24.0",
            "c": "21.0",
        }
        unit = translation.gettext("个")
    assert said == "Tier 1 26.0 yuan · Tier 2 24.0 yuan · Tier 3 21.0 yuan"
    assert unit == "pcs"
