"""Today, Earnings and Messages are drawn by Jinja2 (jinja2/mobile/, config/jinja.py; issue 15), the other
phone pages by Django's templates, both frames from the same partials (jinja2/mobile/_head.html, _bar.html,
_messages.html). To the worker they are one site: the same frame (title, header, the language switch, the
three tabs with the unread count), her words in her language, a job's title or her name shown as text,
never as markup, and a message from the last step shown once."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from dispatch.models import Job
from notices.models import Notification
from notices.services import notify
from tests.mobile.conftest import accepted_job, offer

pytestmark = pytest.mark.django_db


def _frame(html: str) -> str:
    """The page's frame: everything before <main>, without which tab is current and the page's title."""
    top = html[: html.index("<main>")]
    top = re.sub(r"<title>.*?</title>", "", top, flags=re.S)
    top = top.replace(' aria-current="page"', "")
    top = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", top)
    return re.sub(r"\s+", " ", top)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_jinja_page_and_a_django_page_share_one_frame(client, cast, issue_job, language):
    """The bar and the head's links come from the same partials; what each base draws itself (the page's
    language, the title's brand, the body's attributes, the order of it all) must match too."""
    offer(accepted_job(cast, issue_job), cast.alice)
    client.force_login(cast.alice.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    django_page = client.get("/m/home-hours/").content.decode()
    for url in ("/m/", "/m/earnings/", "/m/inbox/"):
        jinja_page = client.get(url).content.decode()
        # The language switch comes back to the page it was pressed on: the only difference allowed.
        assert _frame(jinja_page).replace(f'value="{url}"', 'value="/m/home-hours/"') == _frame(django_page)


def test_the_unread_count_and_tabs_are_in_the_frame(client, cast, issue_job):
    offer(accepted_job(cast, issue_job), cast.alice)
    client.force_login(cast.alice.user)
    html = client.get("/m/inbox/").content.decode()
    unread = int(re.search(r'data-unread="(\d+)"', html).group(1))
    assert unread >= 1 and f"{unread} 条未读" in html
    assert re.search(r'<a href="/m/inbox/" aria-current="page">消息', html)
    assert '<a href="/m/" aria-current' not in html


def test_a_hostile_title_and_name_are_text_and_our_markup_stays_markup(client, cast, issue_job):
    job = accepted_job(cast, issue_job)
    Job.objects.filter(pk=job.pk).update(title="<img src=x onerror=alert(1)>扣子")
    cast.alice.name = "<b>阿丽</b>"
    cast.alice.save(update_fields=["name"])
    offer(job, cast.alice)
    client.force_login(cast.alice.user)
    html = client.get("/m/").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;扣子" in html
    assert "<b>阿丽</b>" not in html and "&lt;b&gt;阿丽&lt;/b&gt;,您好" in html
    # The offer's sum is markup of ours inside a translated sentence.
    assert re.search(r'共 <strong class="em">[\d.]+ 元</strong>', html)


def test_an_english_reader_gets_english_plurals_and_dates(client, cast, issue_job):
    a = offer(accepted_job(cast, issue_job), cast.alice)
    client.force_login(cast.alice.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    today = client.get("/m/").content.decode()
    main = today[today.index("<main>") :]
    assert f'<span class="key">{a.pieces}</span> pieces' in main
    # The due day reads as her other dates do ("Please reply by Dec 7, 20:21"): "Due: Dec 13", not "12/13".
    due = a.job.due_on
    assert f"Due: {due:%b} {due.day}, " in main and f"{due.month}/{due.day}" not in main
    assert "件" not in main and "交货" not in main and "您好" not in main
    earnings = client.get("/m/earnings/").content.decode()
    assert re.search(r"<h1>Income for [A-Z][a-z]+ \d{4}</h1>", earnings)
    assert "的收入" not in earnings


def test_a_message_from_the_last_step_is_shown_once(client, cast, issue_job):
    a = offer(accepted_job(cast, issue_job), cast.alice)
    client.force_login(cast.alice.user)
    landed = client.post(f"/m/a/{a.pk}/accept/", {"pieces": a.pieces}, follow=True).content.decode()
    assert landed.count('class="msg msg-success"') == 1
    again = client.get("/m/").content.decode()
    assert 'class="msg ' not in again


def test_a_page_of_many_forms_makes_its_csrf_field_once(client, cast):
    """Each message is a form; the CSRF field is made once per page (config.jinja.csrf_once), not masked
    afresh with 32 random characters for each of 50 forms (4 ms of a county worker's 7 ms page)."""
    for i in range(3):
        notify(
            recipient=cast.alice.user,
            kind="offer",
            params={"t": f"活{i}", "n": 1, "r": "0.1"},
            link="/m/",
            dedupe_key=f"t{i}",
        )
    client.force_login(cast.alice.user)
    html = client.get("/m/inbox/").content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(tokens) >= 5  # the language switch, "all read", and one per message
    assert len(set(tokens)) == 1
    # The token works: the form it is in is taken.
    signed = Client(enforce_csrf_checks=True)
    signed.cookies = client.cookies
    assert signed.post("/m/inbox/read/", {"csrfmiddlewaretoken": tokens[-1]}).status_code == 302
    assert Notification.objects.filter(recipient=cast.alice.user, read_at__isnull=True).count() == 0
