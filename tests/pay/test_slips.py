"""A worker's wage slip (工资条), recomputed by hand to the fen: piece wages by job with rejects and rework,
a correction of a closed month labelled with that month, a bonus and a deduction with their reasons; paid
or not; seen or asked about, with the head's answer. Only hers; a fixed number of queries."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dispatch import services
from notices.models import Notification, NotificationKind
from pay import services as pay
from pay.models import LineKind, SlipNote
from pay.slips import slip_months, wage_slip, wage_slips

from .slips_data import EXPECTED_TOTAL, alices_month, last_month


def this_month():
    return timezone.localdate().replace(day=1)


def test_the_slip_adds_up_to_the_fen_by_hand(cast, issue_job):
    alices_month(cast, issue_job)

    slip = wage_slip(cast.alice, this_month())

    (job,) = slip.jobs
    assert (job.title, job.passed, job.rejected, job.rework, job.rate) == (
        "布袋缝边",
        33,
        4,
        2,
        Decimal("0.1250"),
    )
    assert job.amount == Decimal("4.13")  # 33 × 0.125 = 4.125, half-up
    assert [(c.was, c.pieces, c.amount, c.corrects_label) for c in slip.corrections] == [
        (130, 120, Decimal("-0.35"), f"{last_month():%Y-%m}"),  # −4.55 + 4.20, read as one line
    ]
    assert {c.reason for c in slip.corrections} == {"复检发现10件松动"}
    assert [(b.amount, b.reason) for b in slip.bonuses] == [(Decimal("50.00"), "全勤奖")]
    assert [(d.amount, d.reason) for d in slip.deductions] == [(Decimal("-3.50"), "弄坏两个面板")]
    assert slip.total == EXPECTED_TOTAL == Decimal("50.28")
    assert (slip.closed, slip.paid, slip.seen) == (False, None, False)


def test_a_bonus_and_a_deduction_taken_back_read_as_such_not_as_a_piece_correction(cast):
    def adjust(kind, amount, reason):
        line, _ = pay.adjustment_add(
            worker=cast.alice, kind=kind, amount=amount, reason=reason, actor=cast.head, key=uuid.uuid4().hex
        )
        return line

    bonus = adjust(LineKind.BONUS, "100", "质量奖")
    deduction = adjust(LineKind.DEDUCTION, "5", "迟交")
    pay.adjustment_reverse(line=bonus, actor=cast.head, reason="记错人了", key=uuid.uuid4().hex)
    pay.adjustment_reverse(line=deduction, actor=cast.head, reason="其实按时交了", key=uuid.uuid4().hex)

    slip = wage_slip(cast.alice, this_month())

    assert slip.corrections == []
    assert [(t.takes_back, t.amount, t.reason, t.title, t.pieces) for t in slip.taken_back] == [
        ("bonus", Decimal("-100.00"), "记错人了", "", 0),
        ("deduction", Decimal("5.00"), "其实按时交了", "", 0),
    ]
    assert slip.total == Decimal("0.00") and not slip.is_empty


def test_last_months_slip_is_closed_and_then_paid(cast, issue_job):
    data = alices_month(cast, issue_job)
    before = wage_slip(cast.alice, last_month())
    assert [(j.title, j.passed, j.amount) for j in before.jobs] == [("开关面板装配", 130, Decimal("4.55"))]
    assert before.total == Decimal("4.55") and before.closed and before.paid is None

    pay.payout_mark_paid(period=data["period"], method="cash", actor=cast.head, key=uuid.uuid4().hex)

    after = wage_slip(cast.alice, last_month())
    assert after.paid is not None and after.paid.amount == Decimal("4.55")
    months = {m.month: m for m in slip_months(cast.alice)}
    assert months[last_month()].paid and not months[this_month()].paid
    assert months[this_month()].total == Decimal("50.28")


def test_a_slip_holds_only_her_own_lines(cast, issue_job):
    alices_month(cast, issue_job)
    assert wage_slip(cast.bob, this_month()).is_empty
    assert wage_slip(cast.bob, this_month()).total == Decimal("0.00")


def test_slips_cost_five_queries_for_one_worker_or_many(cast, issue_job, django_assert_num_queries):
    alices_month(cast, issue_job)
    workers = [cast.alice, cast.bob, cast.carol]
    with django_assert_num_queries(5):
        wage_slip(cast.alice, this_month())
    with django_assert_num_queries(5):
        slips = wage_slips(workers, this_month())
    assert [s.total for s in slips] == [Decimal("50.28"), Decimal("0.00"), Decimal("0.00")]
    with django_assert_num_queries(3):
        slip_months(cast.alice)


# --- seen, a question, the answer ---------------------------------------------------------------------


def test_seen_is_said_once_and_asked_again_after_a_new_line(cast, issue_job):
    alices_month(cast, issue_job)
    user = cast.alice.user

    first, created = pay.slip_mark_seen(worker=cast.alice, month=this_month(), actor=user)
    again, created_again = pay.slip_mark_seen(worker=cast.alice, month=this_month(), actor=user)

    assert created and not created_again and again.pk == first.pk
    assert wage_slip(cast.alice, this_month()).seen
    pay.adjustment_add(
        worker=cast.alice,
        kind=LineKind.BONUS,
        amount="5",
        reason="帮忙理货",
        actor=cast.head,
        key=uuid.uuid4().hex,
    )
    assert not wage_slip(cast.alice, this_month()).seen  # a line after she looked: she is asked again
    _third, created = pay.slip_mark_seen(worker=cast.alice, month=this_month(), actor=user)
    assert created and SlipNote.objects.filter(kind="seen").count() == 2  # history kept


def test_a_question_reaches_the_head_and_the_answer_reaches_her(cast, issue_job):
    alices_month(cast, issue_job)
    key = uuid.uuid4().hex

    q, created = services.slip_question(
        actor=cast.alice.user, worker=cast.alice, month=this_month(), text="  为什么扣了３.５元?\n", key=key
    )
    q2, created2 = services.slip_question(
        actor=cast.alice.user, worker=cast.alice, month=this_month(), text="为什么扣了3.5元?", key=key
    )

    assert created and not created2 and q2.pk == q.pk
    assert q.text == "为什么扣了3.5元?"  # NFKC: full-width digits and punctuation made plain
    note = Notification.objects.get(recipient=cast.head, kind=NotificationKind.SLIP_QUESTION)
    assert note.params == {"w": "alice", "m": f"{this_month():%Y-%m}"}  # her words stay on the slip
    assert wage_slip(cast.alice, this_month()).open_question.question.pk == q.pk

    answer, created = services.slip_reply(actor=cast.head, question=q, text="两个面板弄坏了,照价扣的。")
    _same, created_again = services.slip_reply(actor=cast.head, question=q, text="再回一次")

    assert created and not created_again
    told = Notification.objects.get(recipient=cast.alice.user, kind=NotificationKind.SLIP_ANSWERED)
    assert told.link == f"/m/slip/{this_month():%Y-%m}/"
    slip = wage_slip(cast.alice, this_month())
    assert slip.open_question is None and slip.questions[0].answer.text == answer.text
    # She may ask again: a new row, the first question and its answer kept.
    services.slip_question(
        actor=cast.alice.user, worker=cast.alice, month=this_month(), text="那奖励呢?", key=uuid.uuid4().hex
    )
    assert [q.question.text for q in wage_slip(cast.alice, this_month()).questions] == [
        "为什么扣了3.5元?",
        "那奖励呢?",
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "请写几句话"),
        ("扣款不对\u202e", "特殊字符"),  # a direction override
        ("扣款\x00不对", "特殊字符"),
        ("问" * 201, "最多 200 个字"),
    ],
)
def test_a_question_with_hidden_characters_or_too_long_is_refused(cast, text, words):
    with pytest.raises(ValidationError, match=words):
        pay.slip_ask(
            worker=cast.alice, month=this_month(), text=text, actor=cast.alice.user, key=uuid.uuid4().hex
        )
    assert not SlipNote.objects.exists()


def test_only_she_marks_her_slip_and_only_her_head_answers(cast):
    with pytest.raises(PermissionDenied):
        pay.slip_mark_seen(worker=cast.alice, month=this_month(), actor=cast.bob.user)
    with pytest.raises(PermissionDenied):
        pay.slip_ask(worker=cast.alice, month=this_month(), text="?", actor=cast.head, key=uuid.uuid4().hex)
    q, _ = pay.slip_ask(worker=cast.alice, month=this_month(), text="?", actor=cast.alice.user, key="k1")
    for someone in (cast.clerk, cast.bob.user, cast.mallory.workshop.head, cast.alice.user):
        with pytest.raises(PermissionDenied):
            pay.slip_answer(question=q, text="好", actor=someone)
    assert not SlipNote.objects.filter(kind="answer").exists()
