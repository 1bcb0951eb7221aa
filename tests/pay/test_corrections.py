"""A worker's typo, undone by her within ten minutes; the head's correction of a report and of a booked
inspection; every correction a reversal row plus a new row, and a closed month never rewritten."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from dispatch import services
from dispatch.models import AssignmentState, FlowEvent, InspectionResult, JobState, WorkReport
from notices.models import Notification, NotificationKind
from pay.models import LineKind, PayLine, PayPeriod
from tests.lots import completed
from workshop.dates import next_month

from .conftest import booked, report, started


def _rows():
    """Everything a refused correction must leave as it was."""
    return (
        list(WorkReport.objects.order_by("id").values_list("id", "pieces")),
        list(InspectionResult.objects.order_by("id").values_list("id", "pieces_passed", "pieces_rejected")),
        list(PayLine.objects.order_by("id").values_list("id", "amount", "period_id")),
        list(FlowEvent.objects.order_by("id").values_list("id", flat=True)),
    )


# --- the worker's undo --------------------------------------------------------------------------------


def test_a_worker_undoes_her_typo_within_ten_minutes_and_reports_again(cast, issue_job):
    job, (alice, _bob) = started(cast, issue_job)
    typo = report(alice, 100)  # she meant 10

    reversal = services.report_undo(actor=cast.alice.user, report=typo)

    alice.refresh_from_db()
    assert (reversal.pieces, reversal.reverses_id) == (-100, typo.pk)
    assert alice.pieces_reported == 0
    assert WorkReport.objects.filter(pk=typo.pk, pieces=100).exists()  # the typo stays, cancelled
    report(alice, 10)
    alice.refresh_from_db()
    assert alice.pieces_reported == 10


def test_undoing_the_last_piece_takes_a_finished_share_and_job_back_to_work(cast, issue_job):
    job, shares = started(cast, issue_job, shares=(("alice", 20),))
    last = report(shares[0], 20)
    completed(job)
    job.refresh_from_db()
    assert job.state == JobState.COMPLETED

    services.report_undo(actor=cast.alice.user, report=last)

    job.refresh_from_db()
    shares[0].refresh_from_db()
    assert shares[0].state == AssignmentState.ACCEPTED
    assert job.state == JobState.IN_PROGRESS


def test_an_undo_after_the_window_is_refused_and_writes_nothing(cast, issue_job):
    _job, (alice, _bob) = started(cast, issue_job)
    typo = report(alice, 100)
    before = _rows()

    with pytest.raises(ValidationError, match="10 分钟"):
        services.report_undo(actor=cast.alice.user, report=typo, now=typo.at + dt.timedelta(minutes=11))

    assert _rows() == before


def test_an_undo_is_refused_once_the_pieces_are_with_the_firm(cast, issue_job):
    _job, shares = booked(cast, issue_job)
    last = WorkReport.objects.filter(assignment=shares[0]).latest("id")
    before = _rows()

    with pytest.raises(ValidationError):
        services.report_undo(actor=cast.alice.user, report=last)

    assert _rows() == before


def test_only_her_own_last_report_can_be_undone(cast, issue_job):
    _job, (alice, bob) = started(cast, issue_job)
    first = report(alice, 5)
    report(alice, 6)
    bobs = report(bob, 7)
    before = _rows()

    with pytest.raises(ValidationError, match="最近"):
        services.report_undo(actor=cast.alice.user, report=first)
    with pytest.raises(PermissionDenied):
        services.report_undo(actor=cast.alice.user, report=bobs)
    with pytest.raises(PermissionDenied):
        services.report_undo(actor=cast.head, report=bobs)  # the head corrects, with a reason

    assert _rows() == before


def test_an_undone_report_cannot_be_undone_twice(cast, issue_job):
    _job, (alice, _bob) = started(cast, issue_job)
    typo = report(alice, 100)
    services.report_undo(actor=cast.alice.user, report=typo)

    with pytest.raises(ValidationError):
        services.report_undo(actor=cast.alice.user, report=typo)
    alice.refresh_from_db()
    assert alice.pieces_reported == 0


# --- the head's correction of a report -----------------------------------------------------------------


def _share_lines(share):
    """The share's own timeline lines (a job's lines are the job's)."""
    return list(
        FlowEvent.objects.filter(object_id=share.pk, content_type__model="assignment")
        .order_by("id")
        .values_list("from_state", "to_state", "note")
    )


def test_an_undo_or_a_correction_that_moves_a_share_logs_one_line_for_it(cast, issue_job):
    """Found in a trial: a correction that finished a share logged the move and the correction, two lines
    for one act; an undo of a finished share did the same."""
    _job, shares = started(cast, issue_job, shares=(("alice", 20),))
    alice = shares[0]
    last = report(alice, 20)
    before = len(_share_lines(alice))

    services.report_undo(actor=cast.alice.user, report=last)
    lines = _share_lines(alice)[before:]
    assert lines == [(AssignmentState.DONE, AssignmentState.ACCEPTED, "撤销报工 20")]

    typo = report(alice, 2)
    before = len(_share_lines(alice))
    services.report_correct(actor=cast.head, report=typo, pieces=20, reason="少按了0")
    lines = _share_lines(alice)[before:]
    assert lines == [(AssignmentState.ACCEPTED, AssignmentState.DONE, "更正报工 2→20 · 少按了0")]

    # A correction that leaves the share where it was keeps its one line, state to the same state.
    bob_share = started(cast, issue_job, shares=(("bob", 30),))[1][0]
    typo = report(bob_share, 5)
    before = len(_share_lines(bob_share))
    services.report_correct(actor=cast.head, report=typo, pieces=4, reason="数错了")
    lines = _share_lines(bob_share)[before:]
    assert lines == [(AssignmentState.ACCEPTED, AssignmentState.ACCEPTED, "更正报工 5→4 · 数错了")]


def test_the_head_corrects_a_report_with_a_reason_and_the_worker_is_told(cast, issue_job):
    _job, (alice, _bob) = started(cast, issue_job)
    typo = report(alice, 100)
    report(alice, 20)

    reversal, new = services.report_correct(actor=cast.head, report=typo, pieces=10, reason="多按了一个0")

    alice.refresh_from_db()
    assert (reversal.pieces, new.pieces) == (-100, 10)
    assert reversal.reason == new.reason == "多按了一个0"
    assert alice.pieces_reported == 30
    note = Notification.objects.get(recipient=cast.alice.user, kind=NotificationKind.REPORT_CORRECTED)
    assert note.params["a"] == 100 and note.params["b"] == 10
    assert FlowEvent.objects.filter(note__contains="多按了一个0").exists()


@pytest.mark.parametrize(
    ("pieces", "reason", "words"),
    [
        (121, "数错了", "超过派给该坊工的 130 件"),  # 20 others + 121 > 130 assigned
        (10, "  ", "原因"),
        (-1, "数错了", "不能小于0"),
        ("十", "数错了", "整数"),
        (100, "数错了", "没有变化"),
    ],
)
def test_a_bad_report_correction_is_refused_in_words_and_writes_nothing(
    cast, issue_job, pieces, reason, words
):
    _job, (alice, _bob) = started(cast, issue_job)
    typo = report(alice, 100)
    report(alice, 10)
    before = _rows()

    with pytest.raises(ValidationError, match=words):
        services.report_correct(actor=cast.head, report=typo, pieces=pieces, reason=reason)

    assert _rows() == before


def test_another_workshops_head_cannot_correct_a_report(cast, issue_job):
    from tests.factories import UserFactory, WorkshopFactory

    other = WorkshopFactory(head=UserFactory(username="other-head")).head
    _job, (alice, _bob) = started(cast, issue_job)
    typo = report(alice, 100)

    with pytest.raises(PermissionDenied):
        services.report_correct(actor=other, report=typo, pieces=10, reason="数错了")
    with pytest.raises(PermissionDenied):
        services.report_correct(actor=cast.clerk, report=typo, pieces=10, reason="数错了")


# --- a booked inspection corrected, after its month closed ------------------------------------------------


def test_a_booked_result_corrected_after_its_month_closed_lands_in_the_next_month_linked_to_it(
    cast, issue_job
):
    # Alice's 130 were booked as passed; the month closed; then the firm found 10 of them were bad.
    _job, (alice, bob) = booked(cast, issue_job)
    today = timezone.localdate()
    period = services.period_close(actor=cast.head, workshop=cast.ws, month=today, early=True)
    closed_lines = list(period.lines.order_by("id").values_list("id", "amount"))
    assert period.total_yuan == Decimal("10.50")  # 300 × 0.035
    original = PayLine.objects.get(assignment=alice, kind=LineKind.PIECE)

    reversal, corrected = services.result_correct(
        actor=cast.head, result=original.result, passed=120, rejected=10, reason="企业复检发现10件不合格"
    )

    lines = list(PayLine.objects.filter(kind=LineKind.CORRECTION).order_by("id"))
    assert [(ln.pieces_passed, ln.amount) for ln in lines] == [
        (-130, Decimal("-4.55")),
        (120, Decimal("4.20")),
    ]
    assert {ln.corrects_id for ln in lines} == {original.pk}
    assert {ln.corrects_period_id for ln in lines} == {period.pk}  # labelled with the month they correct
    assert {ln.month for ln in lines} == {next_month(today.replace(day=1))}  # counted in the next one
    assert {ln.period_id for ln in lines} == {None}
    period.refresh_from_db()
    assert list(period.lines.order_by("id").values_list("id", "amount")) == closed_lines
    assert period.total_yuan == Decimal("10.50")
    alice.refresh_from_db()
    assert (alice.pieces_passed, alice.pieces_rejected) == (120, 10)
    assert (reversal.reverses_id, reversal.pieces_passed, corrected.pieces_passed) == (
        original.result_id,
        -130,
        120,
    )
    note = Notification.objects.get(recipient=cast.alice.user, kind=NotificationKind.PAY_CORRECTED)
    assert note.params["y"] == "-0.35"

    # The next month holds the correction: −0.35 yuan for Alice; a month not yet begun can't be closed.
    nxt = next_month(today.replace(day=1))
    assert sum(PayLine.objects.filter(month=nxt).values_list("amount", flat=True)) == Decimal("-0.35")
    with pytest.raises(ValidationError, match="还没到"):
        services.period_close(actor=cast.head, workshop=cast.ws, month=nxt)


def test_her_share_page_shows_a_corrected_result_struck_through_and_no_negative_figures(
    client, cast, issue_job
):
    """Found in a trial: after a correction her share page listed "合格 -130 件,不合格 0 件" (the reversal
    row), which an elderly worker reads as pieces taken from her."""
    _job, (alice, _bob) = booked(cast, issue_job)
    original = PayLine.objects.get(assignment=alice).result
    _rev, corrected = services.result_correct(
        actor=cast.clerk, result=original, passed=120, rejected=10, reason="复检"
    )
    client.force_login(cast.alice.user)

    page = client.get(f"/m/a/{alice.pk}/").content.decode()

    assert "-130" not in page and "合格 -" not in page
    assert f'data-result="{original.pk}"' in page and f'data-result="{corrected.pk}"' in page
    assert "合格 120 件,不合格 10 件" in page
    struck = page.split(f'data-result="{original.pk}"', 1)[1].split("</div>", 1)[0]
    assert "<del>" in struck and "已更正" in struck


def test_a_corrected_result_can_be_corrected_again_but_the_original_only_once(cast, issue_job):
    _job, (alice, _bob) = booked(cast, issue_job)
    original = PayLine.objects.get(assignment=alice).result
    _rev, corrected = services.result_correct(
        actor=cast.clerk, result=original, passed=120, rejected=10, reason="复检"
    )

    with pytest.raises(ValidationError, match="已经更正过"):
        services.result_correct(actor=cast.head, result=original, passed=125, rejected=5, reason="再核")
    services.result_correct(actor=cast.head, result=corrected, passed=125, rejected=5, reason="再核")

    alice.refresh_from_db()
    assert (alice.pieces_passed, alice.pieces_rejected) == (125, 5)
    total = sum(PayLine.objects.filter(worker=cast.alice).values_list("amount", flat=True))
    assert total == Decimal("4.38")  # 125 × 0.035 = 4.375 → 4.38 (each line rounded to the fen)


@pytest.mark.parametrize(
    ("passed", "rejected", "words"),
    [(140, 0, "130 件"), (120, 5, "130 件"), (-1, 131, "不能小于0"), (130, 0, "没有变化")],
)
def test_a_result_correction_that_does_not_add_up_is_refused_and_writes_nothing(
    cast, issue_job, passed, rejected, words
):
    _job, (alice, _bob) = booked(cast, issue_job)
    result = PayLine.objects.get(assignment=alice).result
    before = _rows()

    with pytest.raises(ValidationError, match=words):
        services.result_correct(
            actor=cast.head, result=result, passed=passed, rejected=rejected, reason="复检"
        )

    assert _rows() == before


def test_a_firm_cannot_correct_another_firms_result(cast, issue_job):
    _job, (alice, _bob) = booked(cast, issue_job)
    result = PayLine.objects.get(assignment=alice).result

    with pytest.raises(PermissionDenied):
        services.result_correct(actor=cast.eve, result=result, passed=120, rejected=10, reason="复检")
    with pytest.raises(PermissionDenied):
        services.result_correct(actor=cast.alice.user, result=result, passed=120, rejected=10, reason="复检")


# --- closing a month ---------------------------------------------------------------------------------


def test_a_month_with_an_inspection_still_open_is_not_closed_and_says_which(cast, issue_job):
    from tests.lots import hand_over

    job, shares = started(cast, issue_job, shares=(("alice", 5),))
    report(shares[0], 5)
    hand_over(job)
    before = PayPeriod.objects.count()

    with pytest.raises(ValidationError, match="开关面板装配"):
        services.period_close(actor=cast.head, workshop=cast.ws, month=timezone.localdate(), early=True)

    assert PayPeriod.objects.count() == before


def test_the_running_month_closes_only_when_the_head_says_early(cast, issue_job):
    before = PayPeriod.objects.count()
    with pytest.raises(ValidationError, match="提前关账"):
        services.period_close(actor=cast.head, workshop=cast.ws, month=timezone.localdate())
    assert PayPeriod.objects.count() == before
    assert services.period_close(
        actor=cast.head, workshop=cast.ws, month=timezone.localdate(), early=True
    ).closed_at


def test_a_month_before_the_workshop_had_any_pay_is_not_closed_and_says_from_when(cast):
    before_it = dt.date(2025, 1, 1)
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)

    starts = f"暖心坊 从 {timezone.localdate():%Y-%m} 起才有工资账"
    for month in (before_it, last_month):
        with pytest.raises(ValidationError, match=starts) as refused:
            services.period_close(actor=cast.head, workshop=cast.ws, month=month)
        assert f"不能为更早的 {month:%Y-%m} 关账" in str(refused.value)

    assert not PayPeriod.objects.exists()


def test_a_month_with_pay_booked_before_the_workshop_was_set_up_here_still_closes(cast, issue_job):
    from tests.pay.slips_data import into_last_month, last_month

    job, _shares = booked(cast, issue_job, shares=(("alice", 10),))
    into_last_month(job)

    period = services.period_close(actor=cast.head, workshop=cast.ws, month=last_month())

    assert period.closed_at is not None and period.total_yuan == Decimal("0.35")


def test_only_the_head_or_community_closes_a_month(cast, issue_job):
    with pytest.raises(PermissionDenied):
        services.period_close(actor=cast.clerk, workshop=cast.ws, month=timezone.localdate(), early=True)
    with pytest.raises(PermissionDenied):
        services.period_close(actor=cast.alice.user, workshop=cast.ws, month=timezone.localdate(), early=True)


def test_one_undo_does_not_walk_back_through_her_earlier_reports(cast, issue_job):
    _job, (alice, _bob) = started(cast, issue_job)
    right = report(alice, 5)
    typo = report(alice, 90)
    services.report_undo(actor=cast.alice.user, report=typo)

    with pytest.raises(ValidationError, match="已经撤销过一次"):
        services.report_undo(actor=cast.alice.user, report=right)
    alice.refresh_from_db()
    assert alice.pieces_reported == 5
    again = report(alice, 9)  # a new report can be undone again
    services.report_undo(actor=cast.alice.user, report=again)


def test_a_correction_cannot_pass_more_of_a_lot_than_the_firm_counted_in(cast, issue_job):
    """120 sent, 118 counted in: the inspection may pass 118 at most, and so may any correction after it (a
    trial corrected 115 → 119 → 120 and paid the worker for two pieces the firm never received)."""
    from tests.lots import hand_over

    job, (alice,) = started(cast, issue_job, shares=(("alice", 120),))
    report(alice, 120)
    job = hand_over(job, counted=118)
    inspection = services.job_inspect(
        actor=cast.clerk, job=job, results=[services.ResultInput(alice.pk, 115, 5)]
    )
    services.inspection_book(inspection=inspection)
    result = InspectionResult.objects.get(inspection=inspection)

    first, corrected = services.result_correct(
        actor=cast.head, result=result, passed=118, rejected=2, reason="复点"
    )
    before = _rows()
    with pytest.raises(ValidationError, match="点收的 118 件"):
        services.result_correct(actor=cast.clerk, result=corrected, passed=119, rejected=1, reason="再点")

    assert _rows() == before
    assert sum(PayLine.objects.filter(worker=cast.alice).values_list("pieces_passed", flat=True)) == 118
    # Down is always allowed: fewer passed is within what was counted.
    services.result_correct(actor=cast.clerk, result=corrected, passed=100, rejected=20, reason="复检")
    assert sum(PayLine.objects.filter(worker=cast.alice).values_list("pieces_passed", flat=True)) == 100


def test_a_lot_counted_in_whole_may_be_corrected_up_to_all_it_sent(cast, issue_job):
    job, shares = booked(cast, issue_job, verdicts={0: 30})

    result = InspectionResult.objects.get(assignment=shares[0], reverses__isnull=True)
    services.result_correct(actor=cast.clerk, result=result, passed=130, rejected=0, reason="复检")

    assert sum(PayLine.objects.filter(worker=cast.alice).values_list("pieces_passed", flat=True)) == 130


def test_a_lot_of_several_shares_keeps_its_count_across_corrections_of_each(cast, issue_job):
    """Two shares of 60, 118 of 120 counted: what one share's correction may pass depends on the other's,
    through a correction of a correction."""
    from tests.lots import hand_over

    job, (alice, bob) = started(cast, issue_job, shares=(("alice", 60), ("bob", 60)))
    report(alice, 60)
    report(bob, 60)
    job = hand_over(job, counted=118)
    inspection = services.job_inspect(
        actor=cast.clerk,
        job=job,
        results=[services.ResultInput(alice.pk, 58, 2), services.ResultInput(bob.pk, 60, 0)],
    )
    services.inspection_book(inspection=inspection)
    hers = InspectionResult.objects.get(inspection=inspection, assignment=alice)
    his = InspectionResult.objects.get(inspection=inspection, assignment=bob)

    with pytest.raises(ValidationError, match="点收的 118 件"):
        services.result_correct(actor=cast.clerk, result=hers, passed=59, rejected=1, reason="复点")
    _reversal, his_now = services.result_correct(
        actor=cast.clerk, result=his, passed=59, rejected=1, reason="坏"
    )
    services.result_correct(actor=cast.clerk, result=hers, passed=59, rejected=1, reason="复点")
    with pytest.raises(ValidationError, match="更正后会是 119 件"):
        services.result_correct(actor=cast.clerk, result=his_now, passed=60, rejected=0, reason="再点")

    passed = dict(
        PayLine.objects.values_list("worker_id")
        .annotate(n=Sum("pieces_passed"))
        .values_list("worker_id", "n")
    )
    assert passed == {cast.alice.pk: 59, cast.bob.pk: 59}


def test_a_correction_in_the_same_month_is_not_labelled_as_correcting_that_month(client, cast, issue_job):
    """Found in a trial: her slip said "更正 2026-12" on a correction of this very month's result."""
    _job, (alice, _bob) = booked(cast, issue_job)
    original = PayLine.objects.get(assignment=alice).result
    services.result_correct(actor=cast.clerk, result=original, passed=120, rejected=10, reason="复检")
    client.force_login(cast.alice.user)

    page = client.get("/m/slip/").content.decode()

    assert f"更正 {timezone.localdate():%Y-%m}" not in page
    # Within its month a correction reads as the corrected figures, not as a reversal line of its own.
    assert "data-slip-correction" not in page and 'data-slip-job="4.20" data-corrected' in page
