"""Workers' PINs and one-tap sign-in links: set by their head, checked, revoked."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from workshop import services


def test_the_head_sets_a_pin_and_only_that_pin_opens(cast):
    services.worker_set_pin(actor=cast.head, worker=cast.alice, pin="246810")

    cast.alice.refresh_from_db()
    assert "246810" not in cast.alice.pin_hash
    assert services.worker_check_pin(cast.alice, "246810")
    assert not services.worker_check_pin(cast.alice, "246811")


def test_a_worker_without_a_pin_cannot_sign_in_with_any(cast):
    assert not services.worker_check_pin(cast.alice, "")
    assert not services.worker_check_pin(cast.alice, "000000")


@pytest.mark.parametrize("pin", ["12345", "1234567", "abcdef", "111111", "123456", ""])
def test_a_malformed_or_weak_pin_is_refused_and_nothing_changes(cast, pin):
    with pytest.raises(ValidationError):
        services.worker_set_pin(actor=cast.head, worker=cast.alice, pin=pin)
    cast.alice.refresh_from_db()
    assert cast.alice.pin_hash == ""


def test_only_the_workers_own_head_may_set_a_pin(cast):
    for outsider in (cast.clerk, cast.bob.user, cast.mallory.workshop.head):
        with pytest.raises(PermissionDenied):
            services.worker_set_pin(actor=outsider, worker=cast.alice, pin="246810")


def test_a_signin_link_names_its_worker_until_revoked(cast):
    token = services.signin_link_issue(actor=cast.head, worker=cast.alice)
    assert services.signin_token_worker(token) == cast.alice
    assert services.signin_token_worker(token[:-2] + "xx") is None

    services.signin_link_revoke(actor=cast.head, worker=cast.alice)

    assert services.signin_token_worker(token) is None
    fresh = services.signin_link_issue(actor=cast.head, worker=cast.alice)
    assert services.signin_token_worker(fresh) == cast.alice


def test_a_signin_link_expires(cast, settings):
    token = services.signin_link_issue(actor=cast.head, worker=cast.alice)
    settings.NUANXIN_SIGNIN_LINK_DAYS = -1

    assert services.signin_token_worker(token) is None


def test_a_signin_link_of_a_worker_who_left_opens_nothing(cast):
    token = services.signin_link_issue(actor=cast.head, worker=cast.alice)
    cast.alice.active = False
    cast.alice.save()

    assert services.signin_token_worker(token) is None


def test_a_stopped_worker_gets_no_signin_link(cast):
    services.worker_deactivate(actor=cast.head, worker=cast.alice)

    with pytest.raises(ValidationError) as refused:
        services.signin_link_issue(actor=cast.head, worker=cast.alice)

    assert refused.value.messages == ["该坊工已停用,恢复在岗后再打印登录码。"]


def test_a_new_pin_lifts_the_lockout_of_the_workers_phone(cast, client):
    from axes.models import AccessAttempt

    services.worker_set_pin(actor=cast.head, worker=cast.alice, pin="246810")
    for _ in range(5):
        client.post("/m/login/", {"phone": str(cast.alice.phone), "pin": "999999"})
    assert AccessAttempt.objects.exists()

    services.worker_set_pin(actor=cast.head, worker=cast.alice, pin="135790")

    assert not AccessAttempt.objects.exists()
    response = client.post("/m/login/", {"phone": str(cast.alice.phone), "pin": "135790"})
    assert response.status_code == 302
