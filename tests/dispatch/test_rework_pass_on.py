"""A stopped worker's rework (返工): the firm sent 16 of alice's pieces back to her, she reworked 4, and the
head stopped her. Unseen on her page and impossible to take back, the other 12 kept the job from ever
settling (a trial found it). Her page lists them, marked 返工; on the job's page the head hands them to bob
(转给别人返工) with a reason: alice's 4 go on to inspection and pay, bob reworks the 12, the firm inspects
them, bob is paid for those that pass and the job settles. Each is told in her own language."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dispatch import services
from dispatch.models import Assignment, AssignmentKind, AssignmentState, FlowEvent, JobState
from notices.models import Notification, NotificationKind
from pay.models import PayLine
from tests.dashboard.helpers import accepted_job, inspecting_job
from tests.factories import CommunityAdminFactory, UserFactory, WorkerFactory, WorkshopFactory
from tests.lots import hand_over

REASON = "坊工停用"


def rework_for_alice(cast, issue_job, rework=16, made=0):
    """A job whose inspection sent ``rework`` of alice's 100 pieces back to her (the firm's reason 毛刺),
    bob's and carol's passing; she has reworked ``made`` of them. Returns (job, her rework share)."""
    job = inspecting_job(cast, issue_job, pieces=(100, 100, 100))
    results = [
        services.ResultInput(a.pk, a.pieces - 20, 20, rework, "毛刺")
        if a.worker_id == cast.alice.pk
        else services.ResultInput(a.pk, a.pieces, 0)
        for a in job.assignments.order_by("pk")
    ]
    services.inspection_book(inspection=services.job_inspect(actor=cast.clerk, job=job, results=results))
    share = Assignment.objects.get(job=job, kind=AssignmentKind.REWORK)
    if made:
        services.work_report(actor=cast.alice.user, assignment=share, pieces=made, key=uuid.uuid4().hex)
    share.refresh_from_db()
    job.refresh_from_db()
    return job, share


def pass_on_url(job, share) -> str:
    return f"/dashboard/jobs/{job.pk}/shares/{share.pk}/pass-on/"


def written() -> tuple:
    """Everything a pass-on writes, to show a refusal wrote none of it."""
    return (
        list(
            Assignment.objects.order_by("pk").values_list(
                "pk", "worker_id", "state", "pieces", "pieces_taken_back"
            )
        ),
        FlowEvent.objects.count(),
        Notification.objects.filter(
            kind__in=(NotificationKind.SHARE_TAKEN_BACK, NotificationKind.REWORK_PASSED)
        ).count(),
    )


def test_a_stopped_workers_page_lists_her_unfinished_rework_marked_and_linked(client, cast, issue_job):
    job, rework = rework_for_alice(cast, issue_job, made=4)
    client.force_login(cast.head)
    client.post(f"/dashboard/workers/{cast.alice.pk}/deactivate/")

    page = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()

    assert 'data-held-shares="1"' in page and f'data-rework="{rework.pk}"' in page
    assert f"/dashboard/jobs/{job.pk}/#share-{rework.pk}" in page and "还差 12 件" in page
    assert f'id="share-{rework.pk}"' in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()


def test_the_head_passes_a_stopped_workers_rework_on_and_the_job_settles_with_the_new_worker_paid(
    client, cast, issue_job
):
    job, alice = rework_for_alice(cast, issue_job, made=4)
    gone = WorkerFactory(workshop=cast.ws, name="dora", active=False)
    client.force_login(cast.head)
    client.post(f"/dashboard/workers/{cast.alice.pk}/deactivate/")
    job_page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert f'data-pass-on="{alice.pk}"' in job_page and "转给别人返工 12 件" in job_page
    form = job_page[job_page.index(f'data-pass-on="{alice.pk}"') :]
    form = form[: form.index("</details>")]
    # Only the workshop's active workers, she herself not among them.
    assert f'value="{cast.bob.pk}"' in form and f'value="{cast.carol.pk}"' in form
    assert f'value="{cast.alice.pk}"' not in form and f'value="{gone.pk}"' not in form
    assert f'value="{cast.mallory.pk}"' not in form

    page = client.post(
        pass_on_url(job, alice), {"worker": cast.bob.pk, "rest": 12, "reason": REASON}, follow=True
    ).content.decode()

    assert "alice 还没返工的 12 件已交给 bob 返工,对方会收到通知。" in page
    alice.refresh_from_db()
    bob = Assignment.objects.get(job=job, worker=cast.bob, kind=AssignmentKind.REWORK)
    assert (alice.state, alice.pieces, alice.pieces_reported, alice.pieces_taken_back) == ("done", 4, 4, 12)
    assert (bob.state, bob.pieces, bob.handed_from_id, bob.rework_of_id, bob.reasons) == (
        AssignmentState.ACCEPTED,
        12,
        alice.pk,
        None,
        "毛刺",
    )
    assert job.events.get(object_id=bob.pk, content_type__model="assignment").actor == cast.head
    # Her share's record says the rework left her, not that it was taken back (a trial read 收回 50 件).
    timeline = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert "转出返工 12 件 · " + REASON in timeline
    assert "data-held-shares" not in client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()
    # Bob finds it on his phone, and reworks the 12: the job is ready to hand over.
    client.force_login(cast.bob.user)
    assert f"/m/a/{bob.pk}/" in client.get("/m/").content.decode()
    services.work_report(actor=cast.bob.user, assignment=bob, pieces=12, key=uuid.uuid4().hex)
    job = hand_over(job)
    inspection = services.job_inspect(
        actor=cast.clerk,
        job=job,
        results=[
            services.ResultInput(alice.pk, 4, 0),
            services.ResultInput(bob.pk, 11, 1, 0, "划痕"),
        ],
    )
    services.inspection_book(inspection=inspection)

    job.refresh_from_db()
    assert job.state == JobState.SETTLED
    paid = {
        (line.assignment_id, line.worker_id, line.pieces_passed, line.amount)
        for line in PayLine.objects.filter(assignment__in=[alice, bob])
    }
    assert paid == {
        (alice.pk, cast.alice.pk, 4, Decimal("0.14")),
        (bob.pk, cast.bob.pk, 11, Decimal("0.39")),  # 11 × 0.035 = 0.385 → 0.39
    }


def test_both_are_told_in_their_own_language(cast, issue_job):
    job, alice = rework_for_alice(cast, issue_job)

    bob = services.rework_pass_on(
        actor=cast.head, assignment=alice, worker=cast.bob, rest=16, reason="生病了"
    )

    told = Notification.objects.get(recipient=cast.alice.user, kind=NotificationKind.SHARE_TAKEN_BACK)
    assert told.text_in("zh-hans") == "坊长收回了 开关面板装配 您还没做的 16 件,这些件不用做了。原因:生病了"
    assert told.link == f"/m/a/{alice.pk}/"
    given = Notification.objects.get(recipient=cast.bob.user, kind=NotificationKind.REWORK_PASSED)
    assert given.text_in("zh-hans") == (
        "坊长把 开关面板装配 的 16 件返工交给您做,返工合格后照常计工资。企业说的原因:毛刺"
    )
    assert given.text_in("en") == (
        "The head has given you 16 pieces of 开关面板装配 to rework; once they pass you are paid for them "
        "as usual. The firm's reason: 毛刺"
    )
    assert given.link == f"/m/a/{bob.pk}/"
    alice.refresh_from_db()
    # Nothing reworked: her share is withdrawn whole, the count kept.
    assert (alice.state, alice.pieces, alice.pieces_taken_back) == (AssignmentState.WITHDRAWN, 16, 16)


def test_the_community_admin_over_the_workshop_passes_rework_on_too(client, cast, issue_job):
    job, alice = rework_for_alice(cast, issue_job, made=4)
    admin = CommunityAdminFactory(user=UserFactory(username="admin")).user
    client.force_login(admin)
    assert f'data-pass-on="{alice.pk}"' in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()

    client.post(pass_on_url(job, alice), {"worker": cast.carol.pk, "rest": 12, "reason": REASON})

    carol = Assignment.objects.get(job=job, worker=cast.carol, kind=AssignmentKind.REWORK)
    assert (
        carol.pieces == 12
        and job.events.get(object_id=carol.pk, content_type__model="assignment").actor == admin
    )


def test_only_the_workshops_managers_pass_rework_on(client, cast, issue_job):
    job, alice = rework_for_alice(cast, issue_job, made=4)
    other_head = UserFactory(username="otherhead")
    other_ws = WorkshopFactory(name="别的坊", head=other_head)
    before = written()
    data = {"worker": cast.bob.pk, "rest": 12, "reason": REASON}

    for actor in (other_head, cast.clerk, cast.alice.user, cast.bob.user):
        with pytest.raises(PermissionDenied):
            services.rework_pass_on(actor=actor, assignment=alice, worker=cast.bob, rest=12, reason=REASON)
    client.force_login(other_head)
    assert other_ws.head == other_head
    assert client.post(pass_on_url(job, alice), data).status_code == 404  # not her workshop's job
    client.force_login(cast.clerk)  # the firm sees the job, and may not pass its rework on
    assert client.post(pass_on_url(job, alice), data).status_code == 403
    assert "转给别人返工" not in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    client.force_login(cast.bob.user)
    assert client.post(pass_on_url(job, alice), data).status_code in (302, 403)
    assert written() == before


@pytest.mark.parametrize(
    "taker, words",
    [
        ("mallory", "只能转给本工坊在岗的坊工。"),  # another workshop's worker: refused, not named
        ("dora", "dora 已停用,不能接返工。请选一位在岗的坊工。"),
        ("alice", "这份返工本来就在 alice 手上,请选别的坊工。"),
        ("nobody", "只能转给本工坊在岗的坊工。"),
        ("", "请选一位接手返工的坊工。"),
    ],
)
def test_a_worker_who_may_not_take_the_rework_is_refused_in_words(client, cast, issue_job, taker, words):
    job, alice = rework_for_alice(cast, issue_job, made=4)
    dora = WorkerFactory(workshop=cast.ws, name="dora", active=False)
    ids = {"mallory": cast.mallory.pk, "dora": dora.pk, "alice": cast.alice.pk, "nobody": 99999, "": ""}
    before = written()
    client.force_login(cast.head)

    page = client.post(
        pass_on_url(job, alice), {"worker": ids[taker], "rest": 12, "reason": REASON}, follow=True
    ).content.decode()

    assert words in page and "mallory" not in page
    assert written() == before


def test_a_first_round_share_is_taken_back_not_passed_on_and_a_rework_share_the_other_way(cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=100)
    first = services.assignment_offer(job=job, worker=cast.alice, pieces=100)
    services.assignment_accept(actor=cast.alice.user, assignment=first)
    _job, rework = rework_for_alice(cast, issue_job)
    before = written()

    with pytest.raises(ValidationError, match="首轮派工没做的件请用“收回剩余”"):
        services.rework_pass_on(actor=cast.head, assignment=first, worker=cast.bob, rest=100, reason=REASON)
    with pytest.raises(ValidationError, match="返工的派工不能收回,请用“转给别人返工”"):
        services.share_take_back(actor=cast.head, assignment=rework, rest=16, reason=REASON)
    assert written() == before


def test_a_report_made_meanwhile_is_never_passed_on(client, cast, issue_job):
    job, alice = rework_for_alice(cast, issue_job, made=4)
    services.work_report(actor=cast.alice.user, assignment=alice, pieces=2, key=uuid.uuid4().hex)
    before = written()
    client.force_login(cast.head)

    page = client.post(
        pass_on_url(job, alice), {"worker": cast.bob.pk, "rest": 12, "reason": REASON}, follow=True
    ).content.decode()

    assert "alice 现在还差 10 件返工,和页面上的不一样(可能刚刚又报了工)。请刷新后再转。" in page
    assert written() == before


@pytest.mark.parametrize(
    "post, words",
    [
        ({"rest": 12, "reason": ""}, "请写明转交的原因,坊工会看到。"),
        ({"rest": 12, "reason": "x" * 201}, "原因最多 200 个字"),
        ({"rest": "", "reason": REASON}, "转交件数有误,请刷新页面再试"),
        ({"rest": 0, "reason": REASON}, "现在还差 12 件返工,和页面上的不一样"),
    ],
)
def test_a_bad_form_is_said_in_words_and_writes_nothing(client, cast, issue_job, post, words):
    job, alice = rework_for_alice(cast, issue_job, made=4)
    before = written()
    client.force_login(cast.head)

    page = client.post(pass_on_url(job, alice), {"worker": cast.bob.pk, **post}, follow=True).content.decode()

    assert words in page
    assert written() == before


def test_pressed_twice_the_second_press_is_said_in_words_and_changes_nothing(client, cast, issue_job):
    job, alice = rework_for_alice(cast, issue_job, made=4)
    client.force_login(cast.head)
    data = {"worker": cast.bob.pk, "rest": 12, "reason": REASON}
    client.post(pass_on_url(job, alice), data)
    before = written()

    page = client.post(pass_on_url(job, alice), data, follow=True).content.decode()

    assert "只有坊工已接下、还在做的返工可以转给别人;这份派工现在是“已完成”" in page
    assert written() == before
    assert Assignment.objects.filter(job=job, worker=cast.bob, kind=AssignmentKind.REWORK).count() == 1


def test_rework_passed_on_and_stranded_again_is_passed_on_once_more(cast, issue_job):
    job, alice = rework_for_alice(cast, issue_job)
    bob = services.rework_pass_on(actor=cast.head, assignment=alice, worker=cast.bob, rest=16, reason=REASON)
    services.work_report(actor=cast.bob.user, assignment=bob, pieces=6, key=uuid.uuid4().hex)

    carol = services.rework_pass_on(
        actor=cast.head, assignment=bob, worker=cast.carol, rest=10, reason="住院"
    )

    bob.refresh_from_db()
    assert (bob.state, bob.pieces, bob.pieces_taken_back) == (AssignmentState.DONE, 6, 10)
    assert (carol.pieces, carol.handed_from_id, carol.worker_id) == (10, bob.pk, cast.carol.pk)
