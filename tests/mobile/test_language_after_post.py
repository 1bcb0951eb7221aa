"""Switching the language on a page drawn by a POST (the report's "please confirm" question) comes back to the
page the worker posted from, never to the POST-only address (a bare 405 that left her stuck)."""

from __future__ import annotations

import re

from tests.mobile.conftest import accepted_job, in_hand


def _next_of(page: str) -> str:
    form = re.search(r'<form action="/i18n/setlang/".*?</form>', page, re.S).group(0)
    return re.search(r'name="next" value="([^"]*)"', form).group(1)


def test_english_on_the_confirm_question_returns_to_her_share_in_english(client, cast, issue_job):
    share = in_hand(accepted_job(cast, issue_job, quantity=100), cast.alice, 100)
    client.force_login(cast.alice.user)
    where = f"/m/a/{share.pk}/"
    question = client.post(
        f"/m/a/{share.pk}/report/", {"pieces": 100, "key": "k-1"}, HTTP_REFERER=f"http://testserver{where}"
    )
    page = question.content.decode()
    assert question.status_code == 200 and 'name="confirmed"' in page  # the question, not yet recorded

    back = _next_of(page)
    switched = client.post("/i18n/setlang/", {"language": "en", "next": back})

    assert switched.status_code == 302 and switched["Location"].endswith(where)
    again = client.get(switched["Location"])
    assert again.status_code == 200 and 'lang="en"' in again.content.decode()


def test_a_page_drawn_by_a_get_still_comes_back_to_itself(client, cast, issue_job):
    share = in_hand(accepted_job(cast, issue_job, quantity=100), cast.alice, 100)
    client.force_login(cast.alice.user)

    assert _next_of(client.get(f"/m/a/{share.pk}/?x=1").content.decode()) == f"/m/a/{share.pk}/?x=1"


def test_the_confirm_question_in_english_has_no_chinese_full_stop_and_one_piece_is_singular(
    client, cast, issue_job
):
    from workshop.languages import language_set

    share = in_hand(accepted_job(cast, issue_job, quantity=100), cast.alice, 100)
    language_set(user=cast.alice.user, language="en")
    client.force_login(cast.alice.user)
    client.cookies["django_language"] = "en"

    page = client.post(f"/m/a/{share.pk}/report/", {"pieces": 100, "key": "k-2"}).content.decode()
    done = client.post(f"/m/a/{share.pk}/report/", {"pieces": 1, "key": "k-3"}, follow=True).content.decode()

    assert "You reported" in page and "。" not in page.split("You reported", 1)[1].split("</p>", 1)[0]
    assert "Recorded: 1 piece this time." in done
