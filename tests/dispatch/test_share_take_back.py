"""Taking back what a worker has not made of her share (收回剩余): alice accepted 100 pieces, made 30 and
was stopped; without a way to take the other 70 back the job could never finish (a trial found it
stranded). The head takes them back on the job's page with a reason: her 30 go on to hand-over,
inspection and pay, the 70 go back to the job for others, and she is told in her own language."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dispatch import planning, services
from dispatch.models import (
    Assignment,
    AssignmentKind,
    AssignmentState,
    FlowEvent,
    JobState,
    WorkReport,
)
from materials import services as ledger
from materials.services import BomInput
from notices.models import Notification, NotificationKind
from pay import rollups
from pay.models import WorkerMonth
from tests.dashboard.helpers import accepted_job, inspecting_job
from tests.factories import CommunityAdminFactory, UserFactory, WorkshopFactory
from tickets import services as tickets
from tickets.models import BundleTicket, TicketState

REASON = "坊工停用"


def share_of(cast, job, worker, pieces, made=0):
    share = services.assignment_offer(job=job, worker=worker, pieces=pieces)
    services.assignment_accept(actor=worker.user, assignment=share)
    if made:
        services.work_report(actor=worker.user, assignment=share, pieces=made, key=uuid.uuid4().hex)
    share.refresh_from_db()
    return share


def take_back_url(job, share) -> str:
    return f"/dashboard/jobs/{job.pk}/shares/{share.pk}/take-back/"


def written() -> tuple:
    """Everything a take-back writes, to show a refusal wrote none of it."""
    return (
        list(Assignment.objects.order_by("pk").values_list("pk", "state", "pieces", "pieces_taken_back")),
        FlowEvent.objects.count(),
        Notification.objects.filter(kind=NotificationKind.SHARE_TAKEN_BACK).count(),
    )


def test_the_head_takes_back_what_a_stopped_worker_did_not_make_and_the_job_can_finish(
    client, cast, issue_job
):
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    client.force_login(cast.head)
    client.post(f"/dashboard/workers/{cast.alice.pk}/deactivate/")

    worker_page = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()
    assert 'data-held-shares="1"' in worker_page
    assert f"/dashboard/jobs/{job.pk}/#share-{alice.pk}" in worker_page
    job_page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    assert f'data-take-back="{alice.pk}"' in job_page and "收回剩余 70 件" in job_page
    assert "data-stopped" in job_page  # her row says she was stopped
    assert f'data-still-active="{alice.pk}"' not in job_page  # stopped: no new work is offered her


def test_taking_back_from_a_worker_still_working_says_she_will_be_offered_other_work(client, cast, issue_job):
    """Found in a trial: the head took back 40 pieces of 王峰's because 家里有事, and within the minute the
    planner offered him more. The form says so, and where to stop him for some days instead."""
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    client.force_login(cast.head)

    job_page = client.get(f"/dashboard/jobs/{job.pk}/").content.decode()

    assert f'data-still-active="{alice.pk}"' in job_page
    assert "该坊工仍在岗,系统还会给其派别的活;这几天都做不了的话,请先在坊工页停用。" in job_page

    page = client.post(
        take_back_url(job, alice), {"rest": 70, "reason": REASON}, follow=True
    ).content.decode()

    assert "已收回 alice 还没做的 70 件" in page
    alice.refresh_from_db()
    job.refresh_from_db()
    assert (alice.state, alice.pieces, alice.pieces_reported, alice.pieces_taken_back) == ("done", 30, 30, 70)
    assert job.pieces_assigned == 30 and job.pieces_unassigned == 70
    moved = job.events.get(object_id=alice.pk, to_state="done")
    assert (moved.actor, moved.note) == (cast.head, f"收回 70 件 · {REASON}")
    # She is not asked for this job again; the others are.
    assert cast.alice.pk in planning.refusals([job.pk])[job.pk]
    # Bob makes the other 70: the job, stranded before, is ready to hand over.
    bob = share_of(cast, job, cast.bob, 70, made=70)
    job.refresh_from_db()
    assert bob.state == AssignmentState.DONE and job.state == JobState.COMPLETED
    # Her month counts the share done, as a rebuild from the ledger does.
    before = list(WorkerMonth.objects.order_by("worker_id", "month").values_list("worker_id", "done"))
    rollups.rollups_rebuild()
    after = list(WorkerMonth.objects.order_by("worker_id", "month").values_list("worker_id", "done"))
    assert after == before and (cast.alice.pk, 1) in after


def test_she_reads_why_on_her_phone_in_her_own_language(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)

    services.share_take_back(actor=cast.head, assignment=alice, rest=70, reason="生病了,先休息")

    told = Notification.objects.get(recipient=cast.alice.user, kind=NotificationKind.SHARE_TAKEN_BACK)
    assert (
        told.text_in("zh-hans")
        == "坊长收回了 开关面板装配 您还没做的 70 件,这些件不用做了。原因:生病了,先休息"
    )
    assert told.text_in("en").startswith("The head took back the 70 pieces of 开关面板装配 you had not made")
    assert told.link == f"/m/a/{alice.pk}/"
    client.force_login(cast.alice.user)
    phone = client.get(f"/m/a/{alice.pk}/").content.decode()
    assert 'data-taken-back="70"' in phone and "坊长收回了您还没做的 70 件" in phone


def test_the_head_is_reminded_of_the_materials_she_holds_only_when_the_job_has_any(client, cast, issue_job):
    with_parts = accepted_job(cast, issue_job, quantity=100, bom=[BomInput("面板", "ge", "1", "0.5")])
    without = accepted_job(cast, issue_job, quantity=100, title="无料加工")
    ledger.material_receive(
        confirm_over=True, line=with_parts.bom_lines.get(), quantity_received=101, actor=cast.head
    )
    kit = share_of(cast, with_parts, cast.alice, 100)
    ledger.kit_issue(assignment=kit, actor=cast.head)  # 100 panels to her door
    services.work_report(actor=cast.alice.user, assignment=kit, pieces=30, key=uuid.uuid4().hex)
    shares = [kit, share_of(cast, without, cast.alice, 100, made=30)]
    client.force_login(cast.head)

    said = [
        client.post(take_back_url(job, share), {"rest": 70, "reason": REASON}, follow=True).content.decode()
        for job, share in zip((with_parts, without), shares, strict=True)
    ]

    assert "alice 手上这单的物料请到物料页登记交回" in said[0]
    assert "已收回 alice 还没做的 70 件" in said[1] and "物料页登记交回" not in said[1]


def test_the_printed_tickets_of_the_taken_back_bundles_are_void_not_reported(client, cast, issue_job):
    """A trial: the ticket of a taken-back bundle told the worker it was "already reported"."""
    job = accepted_job(cast, issue_job, quantity=100, bundle_size=20)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    printed = tickets.tickets_print(actor=cast.head, assignment=alice)  # the 70 left: 20 + 20 + 20 + 10
    client.force_login(cast.head)

    client.post(take_back_url(job, alice), {"rest": 70, "reason": REASON})

    states = set(BundleTicket.objects.filter(pk__in=[t.pk for t in printed]).values_list("state", flat=True))
    assert [t.pieces for t in printed] == [20, 20, 20, 10] and states == {TicketState.VOID}
    client.force_login(cast.alice.user)
    bundle = client.get(f"/m/b/{printed[0].token}/").content.decode()
    assert "已经报工了" not in bundle and "坊长收回了这一扎,这张扎票已经作废,不用再做了。" in bundle
    with pytest.raises(ValidationError, match="坊长收回了这一扎") as refused:  # her tap on it says the same
        tickets.ticket_report(actor=cast.alice.user, ticket=printed[0])
    assert "重新打印" not in str(refused.value)


@pytest.mark.parametrize(
    "language, taken, hers",
    [
        ("zh-hans", "坊长已经全部收回了这份活,没有要做的了。", "派给我"),
        ("en", "The head took this whole share back; there is nothing left to make.", "for me"),
    ],
)
def test_a_ticket_of_a_share_taken_back_whole_says_nothing_is_hers_to_make(
    client, cast, issue_job, language, taken, hers
):
    """Found in a trial: the ticket of a share taken back before she made any of it still read "派给我 201
    件": a withdrawn share (已收回) has nothing of hers to make, and its ticket says the head took it."""
    job = accepted_job(cast, issue_job, quantity=201, bundle_size=100)
    alice = share_of(cast, job, cast.alice, 201)
    printed = tickets.tickets_print(actor=cast.head, assignment=alice)
    services.share_take_back(actor=cast.head, assignment=alice, rest=201, reason=REASON)
    alice.refresh_from_db()
    assert alice.state == AssignmentState.WITHDRAWN
    client.force_login(cast.alice.user)
    client.cookies["django_language"] = language

    page = client.get(f"/m/b/{printed[0].token}/").content.decode()

    assert taken in page and hers not in page and "201" not in page


def test_the_ticket_sheet_of_a_share_taken_back_whole_says_so_not_to_print_first(client, cast, issue_job):
    """Found in a trial: the sheet of a share taken back whole sent the head to the job page with "这个派工
    没有待报工的扎票,请先打印", and printing was then refused."""
    job = accepted_job(cast, issue_job, quantity=201, bundle_size=100)
    alice = share_of(cast, job, cast.alice, 201)
    tickets.tickets_print(actor=cast.head, assignment=alice)
    client.force_login(cast.head)
    client.post(take_back_url(job, alice), {"rest": 201, "reason": REASON})

    page = client.get(f"/dashboard/jobs/{job.pk}/tickets/{alice.pk}/?size=a4", follow=True).content.decode()

    assert "这份派工现在是“已收回”,没有要打印的扎票。" in page and "请先打印" not in page


@pytest.mark.parametrize(
    "language, words",
    [("zh-hans", "收回 70 件 · 坊工停用"), ("en", "Took back 70 pieces · 坊工停用")],
)
def test_the_timeline_and_her_record_say_how_many_pieces_were_taken_back(
    client, cast, issue_job, language, words
):
    """Found in a trial: the job's timeline and the worker's record showed the cut share as "进行中 → 已完成"
    with the reason only, as if she had finished it: they now say 收回 70 件 with the reason."""
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    client.force_login(cast.head)
    client.post(take_back_url(job, alice), {"rest": 70, "reason": REASON})
    client.cookies["django_language"] = language

    timeline = client.get(f"/dashboard/jobs/{job.pk}/").content.decode().split('<ol class="timeline">')[1]
    record = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()
    record = record.split('<ol class="timeline small">')[1].split("</ol>")[0]

    assert words in timeline.split("</ol>")[0] and words in record


def test_a_single_piece_taken_back_reads_as_one_piece_in_english(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=10)
    alice = share_of(cast, job, cast.alice, 10, made=9)
    services.share_take_back(actor=cast.head, assignment=alice, rest=1, reason=REASON)
    client.force_login(cast.head)
    client.cookies["django_language"] = "en"

    record = client.get(f"/dashboard/workers/{cast.alice.pk}/").content.decode()

    assert "Took back 1 piece · " in record and "1 pieces" not in record


def test_taken_back_twice_after_a_correction_the_counts_add_up_and_she_is_told_twice(client, cast, issue_job):
    """A trial: the head took back 70, corrected her last report of 5 to 0 (the share reopened), took back
    those 5 too; the share said 5 taken back, and the second message never went out."""
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=25)
    services.work_report(actor=cast.alice.user, assignment=alice, pieces=5, key=uuid.uuid4().hex)
    services.share_take_back(actor=cast.head, assignment=alice, rest=70, reason=REASON)
    last = WorkReport.objects.filter(assignment=alice, pieces=5).get()
    services.report_correct(actor=cast.head, report=last, pieces=0, reason="没做")

    services.share_take_back(actor=cast.head, assignment=alice, rest=5, reason="再收回")

    alice.refresh_from_db()
    job.refresh_from_db()
    assert (alice.state, alice.pieces, alice.pieces_taken_back) == (AssignmentState.DONE, 25, 75)
    told = Notification.objects.filter(recipient=cast.alice.user, kind=NotificationKind.SHARE_TAKEN_BACK)
    assert sorted(n.params["n"] for n in told) == [5, 70]
    assert job.pieces_assigned == 25


def test_an_offer_withdrawn_on_her_stop_lists_no_materials_she_never_took(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=100, bom=[BomInput("面板", "ge", "1", "0.5")])
    offer = services.assignment_offer(job=job, worker=cast.alice, pieces=40)
    client.force_login(cast.head)
    client.post(f"/dashboard/workers/{cast.alice.pk}/deactivate/")
    client.post(f"/dashboard/workers/{cast.alice.pk}/reactivate/")
    client.force_login(cast.alice.user)

    phone = client.get(f"/m/a/{offer.pk}/").content.decode()

    assert 'data-closed="withdrawn"' in phone and "data-materials" not in phone


def test_after_a_take_back_she_cannot_undo_her_last_report_herself(client, cast, issue_job):
    """A trial: undone after the take-back, the share reopened with pieces to make and the head never knew."""
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    last = WorkReport.objects.get(assignment=alice)
    services.share_take_back(actor=cast.head, assignment=alice, rest=70, reason=REASON)
    client.force_login(cast.alice.user)

    assert "撤销刚才报的" not in client.get(f"/m/a/{alice.pk}/").content.decode()
    with pytest.raises(ValidationError, match="坊长已经收回了这一单没做的件,报错了请找坊长更正"):
        services.report_undo(actor=cast.alice.user, report=last)
    alice.refresh_from_db()
    assert (alice.state, alice.pieces_reported) == (AssignmentState.DONE, 30)


def test_a_share_with_nothing_made_is_withdrawn_whole(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 60)

    services.share_take_back(actor=cast.head, assignment=alice, rest=60, reason=REASON)

    alice.refresh_from_db()
    job.refresh_from_db()
    assert (alice.state, alice.pieces, alice.pieces_taken_back) == (AssignmentState.WITHDRAWN, 60, 60)
    assert job.pieces_assigned == 0 and job.state == JobState.IN_PROGRESS
    assert alice.get_state_display() == "已收回"
    client.force_login(cast.alice.user)
    phone = client.get(f"/m/a/{alice.pk}/").content.decode()
    assert 'data-closed="withdrawn"' in phone and "坊长收回了这一单,不用做了。" in phone
    # Not on her Today page any more.
    assert f"/m/a/{alice.pk}/" not in client.get("/m/").content.decode()


def test_a_report_made_meanwhile_is_never_taken_back(client, cast, issue_job):
    """The head saw 70 left; alice reports 10 more before the head presses: refused, nothing written."""
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    services.work_report(actor=cast.alice.user, assignment=alice, pieces=10, key=uuid.uuid4().hex)
    before = written()
    client.force_login(cast.head)

    page = client.post(
        take_back_url(job, alice), {"rest": 70, "reason": REASON}, follow=True
    ).content.decode()

    assert "alice 现在还差 60 件,和页面上的不一样(可能刚刚又报了工)。请刷新后再收回。" in page
    assert written() == before


@pytest.mark.parametrize(
    "post, words",
    [
        ({"rest": 70, "reason": ""}, "请写明收回的原因,坊工会看到。"),
        ({"rest": 70, "reason": "x" * 201}, "200"),
        ({"rest": 70, "reason": "x" * 201}, "原因最多 200 个字"),
        ({"rest": "", "reason": REASON}, "收回件数有误,请刷新页面再试"),
        ({"rest": "七十", "reason": REASON}, "收回件数有误,请刷新页面再试"),
        ({"rest": -1, "reason": REASON}, "收回件数有误,请刷新页面再试"),
        # A whole number that is not what is left now, however large, is a stale page (found in a
        # trial: twenty digits read "件数太大了", 0 read "收回件数有误"): she is told how many are left.
        ({"rest": 0, "reason": REASON}, "alice 现在还差 70 件,和页面上的不一样"),
        ({"rest": 99999, "reason": REASON}, "alice 现在还差 70 件,和页面上的不一样"),
        ({"rest": "9" * 20, "reason": REASON}, "alice 现在还差 70 件,和页面上的不一样"),
    ],
)
def test_a_bad_form_is_said_in_words_and_writes_nothing(client, cast, issue_job, post, words):
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    before = written()
    client.force_login(cast.head)

    page = client.post(take_back_url(job, alice), post, follow=True).content.decode()

    assert words in page
    assert written() == before


def test_a_done_share_posted_with_nothing_left_says_it_is_done(client, cast, issue_job):
    """Found in a trial: a share bob had finished, posted with rest=0 (nothing left, as the page showed
    when drawn), read "收回件数有误": it now says, as the service does, that the share is done."""
    job = accepted_job(cast, issue_job, quantity=300)
    finished = share_of(cast, job, cast.bob, 40, made=40)
    before = written()
    client.force_login(cast.head)

    page = client.post(take_back_url(job, finished), {"rest": 0, "reason": REASON}, follow=True)

    said = page.content.decode()
    assert "这份派工现在是“已完成”" in said and "收回件数有误" not in said
    assert written() == before


def test_what_cannot_be_taken_back_is_refused_by_the_service(cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=300)
    offered = services.assignment_offer(job=job, worker=cast.alice, pieces=50)
    finished = share_of(cast, job, cast.bob, 40, made=40)
    before = written()

    with pytest.raises(
        ValidationError, match="只有坊工已接下、还在做的派工可以收回剩余;这份派工现在是“待接受”"
    ):
        services.share_take_back(actor=cast.head, assignment=offered, rest=50, reason=REASON)
    with pytest.raises(ValidationError, match="这份派工现在是“已完成”"):
        services.share_take_back(actor=cast.head, assignment=finished, rest=0, reason=REASON)
    with pytest.raises(ValidationError, match="请写明收回的原因"):
        services.share_take_back(actor=cast.head, assignment=offered, rest=50, reason="  ")
    assert written() == before


def test_a_rework_share_is_not_taken_back(cast, issue_job):
    job = inspecting_job(cast, issue_job, pieces=(100, 100, 100))
    results = [
        services.ResultInput(a.pk, a.pieces - 5, 5, 5, "毛刺")
        if a.worker_id == cast.alice.pk
        else services.ResultInput(a.pk, a.pieces, 0)
        for a in job.assignments.order_by("pk")
    ]
    services.inspection_book(inspection=services.job_inspect(actor=cast.clerk, job=job, results=results))
    rework = Assignment.objects.get(job=job, kind=AssignmentKind.REWORK)
    state = rework.state

    with pytest.raises(ValidationError, match="返工的派工不能收回"):
        services.share_take_back(actor=cast.head, assignment=rework, rest=5, reason=REASON)
    rework.refresh_from_db()
    assert rework.state == state and rework.pieces_taken_back == 0


def test_pressed_twice_the_second_press_is_said_in_words_and_changes_nothing(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    client.force_login(cast.head)
    client.post(take_back_url(job, alice), {"rest": 70, "reason": REASON})
    before = written()

    page = client.post(
        take_back_url(job, alice), {"rest": 70, "reason": REASON}, follow=True
    ).content.decode()

    assert "这份派工现在是“已完成”" in page and "“done”" not in page
    assert written() == before


def test_the_community_admin_over_the_workshop_takes_back_too(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    admin = CommunityAdminFactory(user=UserFactory(username="admin")).user
    client.force_login(admin)
    assert f'data-take-back="{alice.pk}"' in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()

    client.post(take_back_url(job, alice), {"rest": 70, "reason": REASON})

    alice.refresh_from_db()
    assert (
        alice.pieces_taken_back == 70 and job.events.get(object_id=alice.pk, to_state="done").actor == admin
    )


def test_only_the_workshops_head_takes_back_and_only_her_own_jobs_shares(client, cast, issue_job):
    job = accepted_job(cast, issue_job, quantity=100)
    alice = share_of(cast, job, cast.alice, 100, made=30)
    other_head = UserFactory(username="otherhead")
    other_ws = WorkshopFactory(name="别的坊", head=other_head)
    other_job = accepted_job(cast, issue_job, quantity=50)
    bob = share_of(cast, other_job, cast.bob, 50, made=10)
    before = written()
    data = {"rest": 70, "reason": REASON}

    with pytest.raises(PermissionDenied):
        services.share_take_back(actor=other_head, assignment=alice, rest=70, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.share_take_back(actor=cast.clerk, assignment=alice, rest=70, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.share_take_back(actor=cast.alice.user, assignment=alice, rest=70, reason=REASON)
    client.force_login(other_head)
    assert other_ws.head == other_head
    assert client.post(take_back_url(job, alice), data).status_code == 404  # not her workshop's job
    client.force_login(cast.clerk)  # the firm sees the job, and may not take shares back
    assert client.post(take_back_url(job, alice), data).status_code == 403
    assert "收回剩余" not in client.get(f"/dashboard/jobs/{job.pk}/").content.decode()
    client.force_login(cast.head)
    assert client.post(take_back_url(job, bob), {"rest": 40, "reason": REASON}).status_code == 404
    client.force_login(cast.alice.user)
    assert client.post(take_back_url(job, alice), data).status_code in (302, 403)
    assert written() == before
