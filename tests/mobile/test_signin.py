"""Signing in on the phone: phone + PIN, the head's one-tap link, weeks-long sessions, sign out, and the
lockout after repeated wrong PINs (django-axes) with a page that says when to try again."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from tests.factories import PASSWORD
from tests.mobile.conftest import PIN, accepted_job, offer
from workshop import services as people

NATIONAL = "13900000000"


def phone_of(worker) -> str:
    return str(worker.phone.national_number)


def sign_in(client, worker, pin=PIN, **extra):
    return client.post("/m/login/", {"phone": phone_of(worker), "pin": pin, **extra})


def test_the_sign_in_page_is_in_chinese(client, db):
    page = client.get("/m/login/").content.decode()
    assert "手机号" in page and "6位数字 PIN" in page
    assert 'inputmode="numeric"' in page


@pytest.mark.parametrize(
    "language, heading, subline",
    [
        ("zh-hans", "登录", "坊工和配送员都在这里登录"),
        ("en", "Sign in", "Workers and couriers both sign in here"),
    ],
)
def test_the_sign_in_page_is_headed_for_workers_and_couriers_alike(client, db, language, heading, subline):
    """Found in a trial: a courier, who signs in on this same page, read it headed 坊工登录 (worker sign-in)
    and thought it was not hers. It is headed 登录, and says both sign in here."""
    client.cookies["django_language"] = language
    page = client.get("/m/login/").content.decode()
    assert re.search(r"<h1>(.*?)</h1>", page).group(1) == heading
    assert f'<p class="muted" data-who-signs-in>{subline}</p>' in page


@pytest.mark.parametrize(
    "language, link",
    [
        ("zh-hans", "坊工和配送员请点这里,用手机号和 PIN 登录"),
        ("en", "Workers and couriers: tap here to sign in with your mobile number and PIN"),
    ],
)
def test_the_staff_sign_in_page_sends_workers_and_couriers_to_the_phone_one(client, db, language, link):
    """Found in a trial: the staff page's link named only workers, and couriers sign in on the phone too."""
    client.cookies["django_language"] = language
    page = client.get("/accounts/login/").content.decode()
    assert f'<a href="/m/login/">{link}</a>' in page


def test_phone_and_pin_sign_in_for_weeks(client, cast, pins):
    response = sign_in(client, cast.alice)
    assert response.status_code == 302 and response["Location"] == "/m/"
    assert client.session.get_expiry_age() == settings.NUANXIN_WORKER_SESSION_DAYS * 86400
    assert client.get("/m/").context["worker"] == cast.alice


@pytest.mark.parametrize("typed", ["+86 139 0000 0000", "139-0000-0000", "8613900000000"])
def test_the_phone_may_be_typed_with_spaces_or_prefix(client, cast, pins, typed):
    cast.alice.phone = "+86" + NATIONAL
    cast.alice.save()
    response = client.post("/m/login/", {"phone": typed, "pin": PIN})
    assert response["Location"] == "/m/"


def test_wrong_pin_says_so_in_words_and_how_many_tries_are_left(client, cast, pins):
    response = sign_in(client, cast.alice, pin="135790")
    assert response.status_code == 200
    page = response.content.decode()
    assert "手机号或 PIN 不对" in page and "再错 4 次" in page and "15 分钟" in page
    assert "_auth_user_id" not in client.session


def test_a_short_pin_is_refused_by_the_form_without_counting(client, cast, pins):
    page = sign_in(client, cast.alice, pin="123").content.decode()
    assert "PIN 是6位数字" in page
    assert AccessAttempt.objects.count() == 0


def test_five_wrong_pins_lock_the_phone_with_a_page_that_says_when(client, cast, pins):
    for _ in range(4):
        assert sign_in(client, cast.alice, pin="135790").status_code == 200
    response = sign_in(client, cast.alice, pin="135790")
    assert response.status_code == 429
    page = response.content.decode()
    until = timezone.localtime(timezone.now() + dt.timedelta(minutes=15))
    assert "请稍后再试" in page and "连续输错 5 次" in page
    assert until.strftime("%H:%M") in page or (until - dt.timedelta(minutes=1)).strftime("%H:%M") in page
    assert "大约 15 分钟" in page
    # Even the right PIN is refused now, and trying again does not push the end further away.
    again = sign_in(client, cast.alice)
    assert again.status_code == 429 and "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_cool_off(client, cast, pins):
    for _ in range(5):
        sign_in(client, cast.alice, pin="135790")
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert sign_in(client, cast.alice)["Location"] == "/m/"


def test_a_locked_phone_does_not_lock_another_worker(client, cast, pins):
    for _ in range(5):
        sign_in(client, cast.alice, pin="135790")
    assert sign_in(client, cast.bob)["Location"] == "/m/"


def test_a_right_pin_clears_earlier_wrong_tries(client, cast, pins):
    for _ in range(4):
        sign_in(client, cast.alice, pin="135790")
    assert sign_in(client, cast.alice)["Location"] == "/m/"
    client.post("/m/logout/")
    for _ in range(4):
        assert sign_in(client, cast.alice, pin="135790").status_code == 200


def test_the_lockout_records_hold_no_phone_or_pin(client, cast, pins, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        sign_in(client, cast.alice, pin="135790")
    attempt = AccessAttempt.objects.get()
    stored = " ".join(str(v) for v in AccessAttempt.objects.values().get().values())
    assert attempt.username.startswith("pin:")
    assert phone_of(cast.alice) not in stored and "135790" not in stored
    assert phone_of(cast.alice) not in caplog.text and "135790" not in caplog.text


def test_an_unknown_phone_or_a_worker_without_pin_cannot_sign_in(client, cast, pins):
    assert client.post("/m/login/", {"phone": "13712345678", "pin": PIN}).status_code == 200
    assert sign_in(client, cast.carol).status_code == 200  # carol has no PIN yet
    assert "_auth_user_id" not in client.session


def test_a_worker_who_left_cannot_sign_in(client, cast, pins):
    cast.alice.active = False
    cast.alice.save()
    assert sign_in(client, cast.alice).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_password_login_still_works_and_locks_too(client, cast):
    response = client.post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/accounts/logout/")
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "clerk", "password": "wrong-one"})
    assert response.status_code == 429 and "请稍后再试" in response.content.decode()
    assert "忘了密码" in response.content.decode()


# --- scanning a bundle ticket lands on its assignment --------------------------------------------------


def test_a_scanned_ticket_goes_through_sign_in_and_lands_on_the_assignment(client, cast, pins, issue_job):
    a = offer(accepted_job(cast, issue_job), cast.alice)
    response = client.get(f"/m/a/{a.pk}/")
    assert response["Location"] == f"/m/login/?next=/m/a/{a.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f'value="/m/a/{a.pk}/"' in page
    response = sign_in(client, cast.alice, next=f"/m/a/{a.pk}/")
    assert response["Location"] == f"/m/a/{a.pk}/"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("bad", ["https://evil.example/", "//evil.example/m/", "/firm/", "/m/logout/"])
def test_next_off_the_phone_pages_is_ignored(client, cast, pins, bad):
    assert sign_in(client, cast.alice, next=bad)["Location"] == "/m/"


# --- the head's one-tap link ---------------------------------------------------------------------------


def test_the_heads_link_signs_the_worker_in_for_weeks(client, cast):
    token = people.signin_link_issue(actor=cast.head, worker=cast.alice)
    response = client.get(f"/m/t/{token}/")
    assert response.status_code == 302 and response["Location"] == "/m/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.session.get_expiry_age() == settings.NUANXIN_WORKER_SESSION_DAYS * 86400
    assert client.get("/m/").context["worker"] == cast.alice


def test_a_revoked_or_forged_link_says_what_to_do(client, cast):
    token = people.signin_link_issue(actor=cast.head, worker=cast.alice)
    people.signin_link_revoke(actor=cast.head, worker=cast.alice)
    for t in (token, token[:-3] + "abc", "nonsense"):
        response = client.get(f"/m/t/{t}/")
        assert response.status_code == 400
        assert "这个登录码用不了" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_stopped_workers_old_link_says_she_was_stopped_and_a_forged_one_does_not(client, cast):
    token = people.signin_link_issue(actor=cast.head, worker=cast.alice)
    bobs = people.signin_link_issue(actor=cast.head, worker=cast.bob)
    people.worker_deactivate(actor=cast.head, worker=cast.alice)

    page = client.get(f"/m/t/{token}/").content.decode()

    assert "账号已停用" in page and "找坊长恢复" in page and "可能已经过期" not in page
    assert "_auth_user_id" not in client.session
    forged = client.get(f"/m/t/{token[:-3]}abc/").content.decode()
    assert "账号已停用" not in forged and "可能已经过期" in forged
    people.signin_link_revoke(actor=cast.head, worker=cast.bob)  # an active worker's revoked link
    assert "可能已经过期" in client.get(f"/m/t/{bobs}/").content.decode()


def test_a_link_switches_a_phone_from_another_account(client, cast):
    client.force_login(cast.bob.user)
    token = people.signin_link_issue(actor=cast.head, worker=cast.alice)
    client.get(f"/m/t/{token}/")
    assert client.get("/m/").context["worker"] == cast.alice


# --- sign out ------------------------------------------------------------------------------------------


def test_sign_out_is_a_post_and_ends_the_session(client, cast, pins):
    sign_in(client, cast.alice)
    assert client.get("/m/logout/").status_code == 405
    response = client.post("/m/logout/")
    assert response["Location"] == "/m/login/"
    assert client.get("/m/").status_code == 302


def test_revoking_the_links_also_ends_sessions_begun_before(client, cast, pins):
    token = people.signin_link_issue(actor=cast.head, worker=cast.alice)
    client.get(f"/m/t/{token}/")
    assert client.get("/m/").status_code == 200
    people.signin_link_revoke(actor=cast.head, worker=cast.alice)  # alice's phone was lost
    response = client.get("/m/earnings/")
    assert response["Location"] == "/m/login/?next=/m/earnings/"
    assert "_auth_user_id" not in client.session
    # Signing in again (PIN) works, and the new session lasts.
    assert sign_in(client, cast.alice)["Location"] == "/m/"
    assert client.get("/m/").status_code == 200


def test_a_new_link_for_a_worker_without_one_keeps_pin_sessions(client, cast, pins):
    sign_in(client, cast.alice)
    people.signin_link_issue(actor=cast.head, worker=cast.alice)  # the head prints a first QR
    assert client.get("/m/").status_code == 200


def test_a_stopped_worker_with_her_right_pin_is_told_she_was_stopped_not_that_it_is_wrong(client, cast, pins):
    people.worker_deactivate(actor=cast.head, worker=cast.alice)

    right = sign_in(client, cast.alice).content.decode()
    wrong = sign_in(client, cast.alice, pin="135790").content.decode()

    assert "账号已停用" in right and "找坊长恢复" in right and "PIN 不对" not in right
    assert "PIN 不对" in wrong and "账号已停用" not in wrong
    assert "_auth_user_id" not in client.session


def test_a_courier_taken_off_the_rota_is_told_so_with_her_right_pin(client, cast):
    from tests.mobile.courier_day import COURIER_PHONE, make_courier

    courier = make_courier(cast)
    courier.active = False
    courier.save(update_fields=["active"])

    page = client.post("/m/login/", {"phone": COURIER_PHONE, "pin": PIN}).content.decode()

    assert "账号已停用" in page and "_auth_user_id" not in client.session


def test_a_worker_locked_out_while_stopped_signs_in_at_once_when_brought_back(client, cast, pins):
    """Found in a trial: five tries with her right PIN while stopped locked her phone, and after 恢复在岗
    she was still locked out although the head was told she could sign in with her PIN."""
    people.worker_deactivate(actor=cast.head, worker=cast.alice)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, cast.alice)
    assert sign_in(client, cast.alice).status_code == 429

    people.worker_reactivate(actor=cast.head, worker=cast.alice)

    response = sign_in(client, cast.alice)
    assert response.status_code == 302 and response["Location"] == "/m/"


def test_a_phone_signed_in_before_she_was_stopped_says_why_it_asks_again(client, cast):
    client.force_login(cast.alice.user)
    people.worker_deactivate(actor=cast.head, worker=cast.alice)

    page = client.get("/m/", follow=True).content.decode()

    assert "账号已停用" in page and "找坊长恢复" in page
    fresh = client.__class__().get("/m/login/").content.decode()
    assert "账号已停用" not in fresh
