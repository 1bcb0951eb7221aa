"""One open offer of a job per worker: found in a trial, the head took back the rest of three stopped
workers' shares one after another, and each time the planner offered the rest to bob: his phone showed
three offers of the same job (73, 34 and 13 pieces), each with its own buttons and deadline. Now the
offer waiting for his answer grows, and his message says the new total; a tap on a page drawn before it
grew takes nothing he did not see."""

from __future__ import annotations

import uuid

from dashboard.services import worker_stop
from dispatch import services
from dispatch.models import Assignment, AssignmentState, FlowEvent
from notices.models import Notification, NotificationKind
from tests.dashboard.helpers import accepted_job
from tests.factories import UserFactory, WorkerFactory

MADE = {"alice": 27, "carol": 66, "dora": 87}  # each made some of her 100 before she was stopped


def _three_stopped_with_shares(cast, issue_job):
    """A job of 300: alice, carol and dora each took 100, made some, and were stopped (moving away); bob,
    the workshop's last worker, holds nothing. Returns the job and their shares."""
    dora = WorkerFactory(workshop=cast.ws, user=UserFactory(username="dora"), name="dora")
    job = accepted_job(cast, issue_job, quantity=300)
    shares = []
    for worker in (cast.alice, cast.carol, dora):
        share = services.assignment_offer(job=job, worker=worker, pieces=100)
        services.assignment_accept(actor=worker.user, assignment=share)
        services.work_report(
            actor=worker.user, assignment=share, pieces=MADE[worker.name], key=uuid.uuid4().hex
        )
        shares.append(share)
    for worker in (cast.alice, cast.carol, dora):
        worker_stop(actor=cast.head, worker=worker, reason="搬走了")
    return job, shares


def _take_back_and_plan(cast, job, share) -> None:
    """The head takes back the rest; the planner offers it again (as it does after commit)."""
    share.refresh_from_db()
    services.share_take_back(actor=cast.head, assignment=share, rest=share.pieces_to_do, reason="坊工停用")
    services.job_plan_offers(job=job)


def test_three_take_backs_give_bob_one_offer_that_grows_and_one_unread_message_with_the_total(
    client, cast, issue_job
):
    job, shares = _three_stopped_with_shares(cast, issue_job)

    for share in shares:
        _take_back_and_plan(cast, job, share)

    offers = Assignment.objects.filter(job=job, worker=cast.bob)
    assert list(offers.values_list("state", "pieces")) == [(AssignmentState.OFFERED, 73 + 34 + 13)]
    bobs = offers.get()
    # His share's record says each growth in words: how many were added, and the total.
    notes = FlowEvent.objects.filter(object_id=bobs.pk, job=job).order_by("pk").values_list("note", flat=True)
    assert [n.split(" · ")[0] for n in notes][1:] == ["加派 34 件,共 107 件", "加派 13 件,共 120 件"]
    # His inbox: the offer and each growth; only the last, with the number he answers, waits as new.
    told = Notification.objects.filter(recipient=cast.bob.user).order_by("pk")
    assert [(n.kind, n.params["n"], n.read_at is None) for n in told] == [
        (NotificationKind.OFFER, 73, False),
        (NotificationKind.OFFER_GROWN, 107, False),
        (NotificationKind.OFFER_GROWN, 120, True),
    ]
    assert (
        told.last().text_in("zh-hans")
        == "派工加件:开关面板装配 又给您加了 13 件,现在一共 120 件,单价 0.0350 元"
    )

    # His phone's Today: one offer of the job, with the number he answers and one pair of buttons.
    client.force_login(cast.bob.user)
    today = client.get("/m/").content.decode()
    assert today.count(f'data-job="{job.pk}"') == 1
    assert today.count("/accept/") == 1 and '<span class="key">120</span>' in today


def test_a_tap_on_a_page_drawn_before_the_offer_grew_takes_nothing_she_did_not_see(client, cast, issue_job):
    job, shares = _three_stopped_with_shares(cast, issue_job)
    _take_back_and_plan(cast, job, shares[0])
    bobs = Assignment.objects.get(job=job, worker=cast.bob)
    client.force_login(cast.bob.user)
    page = client.get("/m/").content.decode()
    assert '<input type="hidden" name="pieces" value="73">' in page  # the number his tap carries

    _take_back_and_plan(cast, job, shares[1])  # while his page is open: the offer grows to 107
    tap = client.post(f"/m/a/{bobs.pk}/accept/", {"pieces": "73"}, follow=True)

    said = [str(m) for m in tap.context["messages"]]
    assert said == ["这份活刚加了件数,现在一共 107 件。请看清件数再接。"]
    bobs.refresh_from_db()
    assert (bobs.state, bobs.pieces) == (AssignmentState.OFFERED, 107)  # nothing taken
    assert '<input type="hidden" name="pieces" value="107">' in tap.content.decode()  # the page he lands on

    again = client.post(f"/m/a/{bobs.pk}/accept/", {"pieces": "107"}, follow=True)

    assert [str(m) for m in again.context["messages"]] == ["这份活接下了:开关面板装配,107 件。"]
    bobs.refresh_from_db()
    assert (bobs.state, bobs.pieces) == (AssignmentState.ACCEPTED, 107)


def test_more_offered_after_she_took_her_share_is_a_new_offer_not_added_to_what_she_took(cast, issue_job):
    job, shares = _three_stopped_with_shares(cast, issue_job)
    _take_back_and_plan(cast, job, shares[0])
    bobs = Assignment.objects.get(job=job, worker=cast.bob)
    services.assignment_accept(actor=cast.bob.user, assignment=bobs, pieces=73)

    _take_back_and_plan(cast, job, shares[1])

    assert list(
        Assignment.objects.filter(job=job, worker=cast.bob).order_by("pk").values_list("state", "pieces")
    ) == [(AssignmentState.ACCEPTED, 73), (AssignmentState.OFFERED, 34)]


def test_his_grown_offer_closed_on_his_stop_leaves_no_message_waiting_as_new(cast, issue_job):
    job, shares = _three_stopped_with_shares(cast, issue_job)
    _take_back_and_plan(cast, job, shares[0])
    _take_back_and_plan(cast, job, shares[1])

    worker_stop(actor=cast.head, worker=cast.bob, reason="住院")

    assert not Notification.objects.filter(
        recipient=cast.bob.user, kind__in=(NotificationKind.OFFER, NotificationKind.OFFER_GROWN), read_at=None
    ).exists()


def test_a_tap_that_carries_no_number_takes_nothing_and_shows_the_number(client, cast, issue_job):
    """A trial posted the accept with its count left out (a script, a page from before the count) and the
    offer was taken as it was, grown or not: now that is no number she saw either."""
    job = accepted_job(cast, issue_job, quantity=300)
    offer = services.assignment_offer(job=job, worker=cast.bob, pieces=142)
    client.force_login(cast.bob.user)

    for sent in ({}, {"pieces": ""}, {"pieces": "200"}, {"pieces": "-5"}, {"pieces": "abc"}):
        tap = client.post(f"/m/a/{offer.pk}/accept/", sent, follow=True)
        assert [str(m) for m in tap.context["messages"]] == ["这份活一共 142 件。请看清件数再接。"], sent

    offer.refresh_from_db()
    assert offer.state == AssignmentState.OFFERED


def test_the_heads_dispatch_says_the_pieces_she_gave_not_the_grown_offers_totals(client, cast, issue_job):
    """A trial gave 张桂荣 2 and 胡桂珍 3 by hand, both with offers of the job waiting: the page said
    "已派出 2 份工,共 463 件", the offers' new totals, read as 463 just dispatched."""
    job = accepted_job(cast, issue_job, quantity=600)
    services.assignment_offer(job=job, worker=cast.bob, pieces=455)
    services.assignment_offer(job=job, worker=cast.carol, pieces=3)
    client.force_login(cast.head)

    page = client.post(
        f"/dashboard/jobs/{job.pk}/dispatch/", {f"w{cast.bob.pk}": "2", f"w{cast.carol.pk}": "3"}, follow=True
    ).content.decode()

    assert "已派出 2 份工,共 5 件,等待坊工接受。" in page
    assert list(
        Assignment.objects.filter(job=job, state=AssignmentState.OFFERED)
        .order_by("worker__name")
        .values_list("worker__name", "pieces")
    ) == [("bob", 457), ("carol", 6)]


def test_answering_an_offer_settles_its_messages_and_no_one_elses(cast, issue_job):
    """A trial: she took the offer and her badge still said 1 条未读, the offer's message waiting as new.
    Taking an offer (or turning it down) marks its messages read, the grown one's too; other messages,
    and another worker's offer of the same job, stay unread."""
    from tests.dashboard.helpers import accepted_job as job_of

    job = job_of(cast, issue_job, quantity=300)
    alices = services.assignment_offer(job=job, worker=cast.alice, pieces=50)
    bobs = services.assignment_offer(job=job, worker=cast.bob, pieces=50)
    carols = services.assignment_offer(job=job, worker=cast.carol, pieces=50)

    def unread(worker):
        return Notification.objects.filter(recipient=worker.user, read_at__isnull=True).count()

    assert (unread(cast.alice), unread(cast.bob), unread(cast.carol)) == (1, 1, 1)
    services.assignment_accept(actor=cast.alice.user, assignment=alices)
    services.assignment_decline(actor=cast.bob.user, assignment=bobs)
    assert (unread(cast.alice), unread(cast.bob), unread(cast.carol)) == (0, 0, 1)
    assert Notification.objects.filter(dedupe_key=f"offer:{carols.pk}", read_at__isnull=True).exists()
