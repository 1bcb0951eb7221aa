"""Messages reach each reader in their own language: stored as a kind and its parameters, put into words
when shown (the page's language) or sent (the recipient's preference), whoever caused them and whichever
process made them (a person's request or a Celery task)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone, translation

from config.celery import wait_until_idle
from dashboard import services as dashboard_services
from dispatch import services
from dispatch.models import Assignment, AssignmentState
from notices import delivery
from notices.models import Notification, NotificationKind
from notices.services import notify
from tests.factories import UserFactory
from tests.mobile.conftest import PIN
from workshop.languages import language_of, language_set
from workshop.models import Preference

SENT: list[tuple[int, str, str]] = []


def record(note) -> None:
    """A sender that keeps what a phone would receive: the words in the recipient's language."""
    SENT.append((note.recipient_id, note.kind, note.text_for_recipient()))


@pytest.fixture
def sent(settings):
    settings.NUANXIN_NOTIFICATION_SENDERS = ["tests.notices.test_language.record"]
    SENT.clear()
    yield SENT
    SENT.clear()


@pytest.fixture
def english(cast):
    """The head and Bob read English; Alice, Carol and the firm's clerk keep the default, Chinese."""
    for user in (cast.head, cast.bob.user):
        assert language_set(user=user, language="en")
    return cast


def _said_to(sent, user, kind) -> list[str]:
    return [text for uid, k, text in sent if uid == user.pk and k == kind]


def test_an_english_heads_dispatch_reaches_a_chinese_worker_in_chinese_and_an_english_one_in_english(
    english, issue_job, sent, django_capture_on_commit_callbacks
):
    cast = english
    job = issue_job(quantity=200, rate="0.0350", title="布袋缝边")
    with translation.override("en"), django_capture_on_commit_callbacks():  # the head's English request
        dashboard_services.dispatch_shares(
            actor=cast.head, job=job, shares={cast.alice.pk: 100, cast.bob.pk: 100}
        )
    for note in Notification.objects.all():
        delivery.notification_deliver(notification=note)

    assert _said_to(sent, cast.alice.user, NotificationKind.OFFER) == [
        "新派工:布袋缝边 100 件,单价 0.0350 元"
    ]
    assert _said_to(sent, cast.bob.user, NotificationKind.OFFER) == [
        "New assignment: 布袋缝边, 100 pieces, 0.0350 yuan each"
    ]
    # The firm's clerk reads Chinese, although the head who accepted works in English.
    assert _said_to(sent, cast.clerk, NotificationKind.JOB_ACCEPTED) == ["暖心坊 已接单:布袋缝边"]


def test_the_inbox_shows_a_message_in_the_language_of_the_page_reading_it(client, english, issue_job):
    cast = english
    job = issue_job(quantity=200, title="布袋缝边")
    with translation.override("en"):
        services.job_accept(actor=cast.head, job=job)
        a = services.assignment_offer(job=job, worker=cast.bob, pieces=100)
    note = Notification.objects.get(recipient=cast.bob.user, kind=NotificationKind.OFFER)
    assert note.params == {"t": "布袋缝边", "n": 100, "r": str(a.job.piece_rate)}  # no words stored

    client.force_login(cast.bob.user)
    client.cookies["django_language"] = "en"
    assert "New assignment: 布袋缝边, 100 pieces" in client.get("/m/inbox/").content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "新派工:布袋缝边 100 件" in client.get("/m/inbox/").content.decode()


def test_the_inbox_says_each_kind_and_date_in_the_readers_language_translating_each_kind_once(
    client, english, issue_job
):
    cast = english
    for i in range(3):
        job = issue_job(quantity=200, title=f"布袋缝边{i}")
        services.job_accept(actor=cast.head, job=job)
        services.assignment_offer(job=job, worker=cast.bob, pieces=100)
    notes = Notification.objects.filter(recipient=cast.bob.user)
    assert notes.count() == 3 and {n.kind for n in notes} == {NotificationKind.OFFER}
    client.force_login(cast.bob.user)
    with translation.override("zh-hans"):
        zh_label, zh_date = str(NotificationKind.OFFER.label), notes[0].created_at
    calls = []
    original = Notification.get_kind_display

    def counted(self):
        calls.append(self.pk)
        return original(self)

    Notification.get_kind_display = counted
    try:
        client.cookies["django_language"] = "zh-hans"
        html = client.get("/m/inbox/").content.decode()
    finally:
        Notification.get_kind_display = original
    assert len(calls) == 1  # one kind on the page: its label translated once, not once per message
    local = zh_date.astimezone(timezone.get_default_timezone())
    assert html.count(f"{local.month}月{local.day}日 {local:%H:%M} · {zh_label}") == 3
    client.cookies["django_language"] = "en"
    html = client.get("/m/inbox/").content.decode()
    with translation.override("en"):
        en_label = str(NotificationKind.OFFER.label)
    assert en_label != zh_label and html.count(f" · {en_label}") == 3
    assert f"{zh_label}" not in html


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_messages_made_inside_celery_tasks_reach_each_reader_in_their_language(
    celery_worker, english, issue_job, sent
):
    cast = english
    job = issue_job(quantity=600, rate="0.0350", title="布袋缝边")
    wait_until_idle(timeout=30)  # on_job_issued tells the head, from the worker
    with translation.override("en"):
        services.job_accept(actor=cast.head, job=job)
    wait_until_idle(timeout=30)  # plan_job_offers plans and offers, and sends the offers itself

    assert _said_to(sent, cast.head, NotificationKind.JOB_ISSUED) == [
        f"New job from {cast.firm.name}: 布袋缝边, 600 pieces"
    ]
    offers = {a.worker_id: a for a in Assignment.objects.filter(job=job, state=AssignmentState.OFFERED)}
    assert {cast.alice.pk, cast.bob.pk} <= set(offers), "the plan should share the job among the workers"
    for worker in (cast.alice, cast.bob, cast.carol):
        if worker.pk not in offers:
            continue
        n = offers[worker.pk].pieces
        expected = (
            f"New assignment: 布袋缝边, {n} pieces, 0.0350 yuan each"
            if language_of(worker.user_id) == "en"
            else f"新派工:布袋缝边 {n} 件,单价 0.0350 元"
        )
        assert _said_to(sent, worker.user, NotificationKind.OFFER) == [expected]


def test_the_language_switch_keeps_a_signed_in_users_choice(client, cast):
    client.force_login(cast.alice.user)
    assert language_of(cast.alice.user_id) == "zh-hans"

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/m/"})

    assert response["Location"] == "/m/"
    assert language_of(cast.alice.user_id) == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/m/"})  # not a language of the site
    assert language_of(cast.alice.user_id) == "en"


def test_switching_language_without_signing_in_stores_nothing(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/m/login/"})

    assert response.status_code == 302
    assert not Preference.objects.exists()


def test_a_message_stored_before_messages_had_parameters_reads_as_it_was_written(cast):
    old = Notification.objects.create(
        recipient=cast.alice.user, kind=NotificationKind.OFFER, text="新派工:旧单 10 件", dedupe_key="old"
    )

    assert old.text_in("en") == old.text_in("zh-hans") == "新派工:旧单 10 件"


def test_a_message_whose_parameters_do_not_fill_its_kind_is_refused_when_made(cast):
    with pytest.raises(KeyError):
        notify(recipient=cast.alice.user, kind=NotificationKind.OFFER, params={"t": "x"}, dedupe_key="bad")
    assert not Notification.objects.filter(dedupe_key="bad").exists()


def test_signing_in_on_a_new_phone_opens_the_pages_in_the_stored_language(client, cast, settings):
    cast.bob.pin_hash = make_password(PIN)
    cast.bob.save(update_fields=["pin_hash"])
    language_set(user=cast.bob.user, language="en")

    response = client.post("/m/login/", {"phone": str(cast.bob.phone), "pin": PIN})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert 'lang="en"' in client.get("/m/").content.decode()


def _pins(*workers):
    for w in workers:
        w.pin_hash = make_password(PIN)
        w.save(update_fields=["pin_hash"])


def test_on_a_shared_phone_the_next_worker_gets_her_own_language_not_the_last_ones(client, cast, settings):
    _pins(cast.alice, cast.bob)
    language_set(user=cast.bob.user, language="en")
    client.post("/m/login/", {"phone": str(cast.bob.phone), "pin": PIN})
    assert 'lang="en"' in client.get("/m/").content.decode()
    client.post("/m/logout/")

    response = client.post("/m/login/", {"phone": str(cast.alice.phone), "pin": PIN})  # no stored choice

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert '<html lang="zh-CN"' in client.get("/m/").content.decode()


def test_a_language_picked_on_the_sign_in_page_wins_and_is_kept(client, cast):
    _pins(cast.bob)
    language_set(user=cast.bob.user, language="en")

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/m/login/"})  # signed out
    client.post("/m/login/", {"phone": str(cast.bob.phone), "pin": PIN})

    assert '<html lang="zh-CN"' in client.get("/m/").content.decode()
    assert language_of(cast.bob.user_id) == "zh-hans"


def test_a_variant_of_a_language_the_site_speaks_is_stored_as_that_language(client, cast):
    client.force_login(cast.alice.user)

    client.post("/i18n/setlang/", {"language": "en-US", "next": "/m/"})
    assert language_of(cast.alice.user_id) == "en"
    client.post("/i18n/setlang/", {"language": "fr", "next": "/m/"})
    assert language_of(cast.alice.user_id) == "en"


def test_the_admin_lists_messages_in_words_in_the_admins_language(client, cast, issue_job):
    job = services.job_accept(actor=cast.head, job=issue_job(quantity=200, title="布袋缝边"))
    services.assignment_offer(job=job, worker=cast.bob, pieces=100)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)

    assert "新派工:布袋缝边 100 件" in client.get("/admin/notices/notification/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(f"/admin/notices/notification/?q={cast.bob.user.username}").content.decode()
    assert "New assignment: 布袋缝边, 100 pieces" in page


def test_the_flows_own_words_on_the_timeline_follow_the_reader_not_the_head(client, english, issue_job):
    cast = english
    job = issue_job(quantity=200, title="布袋缝边")
    with translation.override("en"):  # the head's English request
        dashboard_services.dispatch_shares(actor=cast.head, job=job, shares={cast.alice.pk: 100})
    client.force_login(cast.clerk)

    assert "坊长接单并派工" in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    client.cookies["django_language"] = "en"
    assert (
        "Head accepted the job and assigned work" in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    )
