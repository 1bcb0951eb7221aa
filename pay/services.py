"""Pay's writes: booking pay lines (pieces, corrections, adjustments), closing a month, marking it paid.

Pay lines are a ledger: written once, never edited or deleted. A correction is a new line; a line booked
after its month was closed counts in the next open month (``open_month``), so a closed period's total never
changes. Callers hold the transaction where they say so (``inspection_book`` books inside the flow's own,
after locking the job); the other services are atomic themselves.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop.dates import next_month
from workshop.models import Worker, Workshop
from workshop.roles import is_head_of, scope_for
from workshop.text import joined
from workshop.upsert import insert_many_once, insert_once

from . import money, rollups
from .models import (
    LineKind,
    LossRule,
    PayLine,
    PayMethod,
    Payout,
    PayoutBatch,
    PayPeriod,
    SlipNote,
    SlipNoteKind,
)
from .selectors import period_dues
from .slips import has_slip

# Bounds of one adjustment (Decimal yuan): a typo of an extra zero or two is refused, not paid.
ADJUSTMENT_MAX_YUAN = Decimal("5000")


def open_month(workshop_id: int, day: dt.date) -> dt.date:
    """The first day of the month a line booked on ``day`` (Asia/Shanghai date) counts in: ``day``'s
    month, or the first month after it whose period is not closed. One query."""
    month = day.replace(day=1)
    closed = set(
        PayPeriod.objects.filter(
            workshop_id=workshop_id, month__gte=month, closed_at__isnull=False
        ).values_list("month", flat=True)
    )
    while month in closed:
        month = next_month(month)
    return month


def pay_line_book(
    *, result, rate: Decimal, booked_on: dt.date, month: dt.date | None = None, job=None
) -> tuple[PayLine, bool]:
    """Book the pay for one inspection result's passed pieces (计件工资): ``result.pieces_passed`` (int > 0)
    × ``rate`` (Decimal yuan per piece), half-up to the fen, on ``booked_on`` (an Asia/Shanghai date), in
    the open month of that day (``open_month``).

    ``result`` is a ``dispatch.InspectionResult`` with its assignment (and the assignment's worker) loaded.
    Idempotent: a result already paid returns its line and ``False``; no passed piece is paid twice (the
    line is unique per result in the database). ``month``: ``open_month`` of that day when the caller
    books many lines of one workshop at once (one query, not one per line); ``job``: the result's job with
    its production line loaded, when the caller has it (for the month rollups, ``pay.rollups``). Runs in
    the caller's transaction.
    """
    a = result.assignment
    line = _piece_line(result, rate, booked_on, month or open_month(a.worker.workshop_id, booked_on))
    # One statement (``workshop.upsert``) where get_or_create sent four (a read, a savepoint, the INSERT
    # and its release); a result paid already reads its line.
    created = insert_once(line, key="result")
    if created:
        rollups.line_booked(line, job=job)
    else:
        line = PayLine.objects.get(result=result)
    return line, created


def _piece_line(result, rate: Decimal, booked_on: dt.date, month: dt.date) -> PayLine:
    """The unsaved piece line of ``result`` (its assignment and worker loaded): passed pieces × ``rate``."""
    return PayLine(
        result=result,
        kind=LineKind.PIECE,
        worker=result.assignment.worker,
        assignment=result.assignment,
        inspection_id=result.inspection_id,
        pieces_passed=result.pieces_passed,
        rate=rate,
        amount=money.wage_amount(result.pieces_passed, rate),
        booked_on=booked_on,
        month=month,
    )


def pay_lines_book(
    *, results: list, rate: Decimal, booked_on: dt.date, month: dt.date, job
) -> dict[int, PayLine]:
    """``pay_line_book`` of several results of one inspection of ``job`` (with its production line
    loaded) at once: one INSERT for every line (``insert_many_once``), one statement for the workers'
    months and one for the firm's (``rollups.lines_booked``), one read of the lines booked before when
    some were (a retry). ``results`` have passed pieces (> 0) and their assignments and workers loaded;
    ``month`` is ``open_month`` of ``booked_on`` for the job's workshop. Returns {result id: its line}. Runs
    in the caller's transaction."""
    lines = [_piece_line(r, rate, booked_on, month) for r in results]
    made = insert_many_once(lines, key="result")
    rollups.lines_booked(made, job=job)
    out = {line.result_id: line for line in made}
    missing = [r.pk for r in results if r.pk not in out]
    if missing:
        out |= {line.result_id: line for line in PayLine.objects.filter(result_id__in=missing)}
    return out


def correction_line_book(
    *, result, corrects: PayLine | None, rate: Decimal, actor, reason: str, booked_on: dt.date, job=None
) -> PayLine | None:
    """Book the pay of one row of a corrected inspection (更正): ``result`` is the reversal row (negative
    passed pieces) or the corrected row (passed ≥ 0) of a ``dispatch.InspectionResult``; the line is
    signed pieces × ``rate`` (the corrected line's own rate), to the fen, ``corrects`` the original line
    and names its period when that period is closed (the correction counts in the open month of
    ``booked_on``). Returns None when the row has no passed piece (nothing to pay or take back).
    Idempotent per result. ``job``: as ``pay_line_book``'s. Runs in the caller's transaction."""
    pieces = result.pieces_passed
    if pieces == 0:
        return None
    a = result.assignment
    amount = money.wage_amount(abs(pieces), rate)
    line, created = PayLine.objects.get_or_create(
        result=result,
        defaults={
            "kind": LineKind.CORRECTION,
            "worker": a.worker,
            "assignment": a,
            "inspection_id": result.inspection_id,
            "pieces_passed": pieces,
            "rate": rate,
            "amount": amount if pieces > 0 else -amount,
            "booked_on": booked_on,
            "month": open_month(a.worker.workshop_id, booked_on),
            "reason": reason[:200],
            "actor": actor,
            "corrects": corrects,
            "corrects_period": corrects.period
            if corrects is not None and corrects.period_id and corrects.period.closed_at
            else None,
        },
    )
    if created:
        rollups.line_booked(line, job=job)
    return line


def _yuan(value) -> Decimal:
    amount = money.yuan_typed(value)
    if amount is None:
        raise ValidationError({"amount": _("金额请填数字,例如 50 或 12.5。")})
    if amount <= 0 or amount != money.to_yuan(amount):
        raise ValidationError({"amount": _("金额要大于0,最多到分(两位小数)。")})
    if amount > ADJUSTMENT_MAX_YUAN:
        msg = _("一笔调整最多 %(max)s 元;金额大于此数请分开登记并说明。") % {"max": ADJUSTMENT_MAX_YUAN}
        raise ValidationError({"amount": msg})
    return amount


@transaction.atomic
def adjustment_add(
    *, worker: Worker, kind: str, amount, reason: str, actor, key: str, booked_on: dt.date | None = None
) -> tuple[PayLine, bool]:
    """Grant a bonus (奖励) or take a deduction (扣款) for ``worker``: one pay line of ``amount`` (yuan > 0,
    to the fen; a deduction is stored negative) with a ``reason`` the worker reads on her wage slip, the
    ``actor`` who decided it, booked today (Asia/Shanghai) in the open month.

    Idempotent on ``key`` (as MTurk's SendBonus token): the same request retried returns the first line
    and ``False``, never a second grant; the same key with other figures is refused. Raises
    ValidationError in words (kind, amount, empty reason, key reused); nothing is written then.
    """
    if kind not in (LineKind.BONUS, LineKind.DEDUCTION):
        raise ValidationError({"kind": _("请选奖励还是扣款。")})
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("缺少有效的提交编号,请刷新页面后重试。"))
    amount = _yuan(amount)
    signed = amount if kind == LineKind.BONUS else -amount
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("请写明原因,坊工会在工资条上看到。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("原因最多200字。")})
    done = PayLine.objects.filter(key=key).first()
    if done is not None:
        if (done.worker_id, done.kind, done.amount) != (worker.pk, kind, signed):
            raise ValidationError(_("这个提交编号已用于另一笔调整,请刷新页面后重新填写。"))
        return done, False
    day = booked_on or timezone.localdate()
    line = PayLine.objects.create(
        kind=kind,
        worker=worker,
        amount=signed,
        booked_on=day,
        month=open_month(worker.workshop_id, day),
        reason=reason,
        actor=actor,
        key=key,
    )
    rollups.line_booked(line)
    return line, True


@transaction.atomic
def pay_period_close(*, workshop: Workshop, month: dt.date, actor=None) -> PayPeriod:
    """Close ``workshop``'s pay period for the month of ``month`` (结算周期): attach the lines that count in
    that month and fix the total (Decimal yuan). From then on the period's lines and total never change:
    later lines count in the next open month. Idempotent: a closed period is returned unchanged.

    Callers check first that no inspection of the month is still open
    (``dispatch.services.periods.period_close``)."""
    first = month.replace(day=1)
    period, _created = PayPeriod.objects.select_for_update().get_or_create(workshop=workshop, month=first)
    if period.closed_at is not None:
        return period
    PayLine.objects.filter(worker__workshop=workshop, month=first, period__isnull=True).update(period=period)
    period.total_yuan = money.yuan_sum(period.lines.values_list("amount", flat=True))
    period.closed_at = timezone.now()
    period.closed_by = actor
    period.save(update_fields=["total_yuan", "closed_at", "closed_by"])
    return period


def _refuse_nothing_due(period: PayPeriod, worker_ids: set[int]) -> None:
    """ValidationError naming the workers of ``period``'s workshop among ``worker_ids`` (none of them owed
    anything for it); ids of no worker of that workshop are counted, never named (another workshop's
    worker is not this head's to know)."""
    if not worker_ids:
        return
    mine = Worker.objects.filter(pk__in=worker_ids, workshop_id=period.workshop_id)
    names = sorted(mine.values_list("name", flat=True))
    month = f"{period.month:%Y-%m}"
    if names:
        raise ValidationError(
            _("%(names)s 在 %(m)s 没有待发的工资,没有发放。") % {"names": joined(names), "m": month}
        )
    raise ValidationError(_("所选的坊工不是本工坊的,没有发放。"))


@transaction.atomic
def payout_mark_paid(
    *, period: PayPeriod, method: str, actor, key: str, worker_ids=None
) -> tuple[PayoutBatch, bool]:
    """Mark a closed period paid (发放): one ``Payout`` per worker (everyone not yet paid, or ``worker_ids``)
    of what she is owed for it (``period_dues``, Decimal yuan > 0; a worker whose lines net to 0 or less
    has nothing to pay and is left out), in one batch paid by ``method`` (cash or transfer).

    Idempotent on ``key``: a retried request returns the first batch and ``False``. Raises ValidationError
    for an open period, a worker already paid for this period (nobody is paid twice), a worker in
    ``worker_ids`` owed nothing for it (named), or nothing to pay. Nothing is written then."""
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("缺少有效的提交编号,请刷新页面后重试。"))
    done = PayoutBatch.objects.filter(key=key).first()
    if done is not None:
        if done.period_id != period.pk:
            raise ValidationError(_("这个提交编号已用于另一次发放,请刷新页面后重试。"))
        return done, False
    period = PayPeriod.objects.select_for_update().get(pk=period.pk)
    if period.closed_at is None:
        raise ValidationError(_("%(m)s 还没关账,关账核对后才能发放。") % {"m": f"{period.month:%Y-%m}"})
    if method not in PayMethod.values:
        raise ValidationError({"method": _("请选现金还是转账。")})
    month = f"{period.month:%Y-%m}"
    dues = [(w, y, n) for w, y, n in period_dues(period) if y > 0]
    paid_before = dict(Payout.objects.filter(period=period).values_list("worker_id", "worker__name"))
    if worker_ids is None:
        dues = [d for d in dues if d[0] not in paid_before]  # everyone not yet paid
    else:
        wanted = {int(w) for w in worker_ids}
        _refuse_nothing_due(period, wanted - {d[0] for d in dues})
        dues = [d for d in dues if d[0] in wanted]
    paid = {w: name for w, name in paid_before.items() if w in {d[0] for d in dues}}
    if paid:
        raise ValidationError(
            _("这些人本期已经发过,不能重复发放:%(names)s") % {"names": joined(sorted(paid.values()))}
        )
    if not dues:
        raise ValidationError(_("%(m)s 没有待发的工资。") % {"m": month})
    if method == PayMethod.TRANSFER:
        # A bank takes no transfer without an account: name who has none, pay nobody.
        lacking = list(
            Worker.objects.filter(pk__in=[d[0] for d in dues], bank_account="")
            .order_by("name", "pk")
            .values_list("name", flat=True)
        )
        if lacking:
            raise ValidationError(
                _("这些人没有收款账号,不能转账:%(names)s。请先在坊工页填写账号,或给他们发现金。")
                % {"names": joined(lacking)}
            )
    batch = PayoutBatch.objects.create(
        period=period,
        method=method,
        paid_by=actor,
        key=key,
        total_yuan=money.yuan_sum(y for _w, y, _n in dues),
    )
    Payout.objects.bulk_create(
        [Payout(batch=batch, period=period, worker_id=w, amount=y, lines=n) for w, y, n in dues]
    )
    return batch, True


@transaction.atomic
def loss_rule_set(*, workshop: Workshop, share_pct, cap_yuan, text: str, actor) -> LossRule:
    """Set ``workshop``'s rule for deducting material lost beyond the allowance (物料超耗扣款规则): the
    worker's share of the firm's price (``share_pct``, 0–100 %, two places; 0 turns it off), at most
    ``cap_yuan`` (yuan ≥ 0, to the fen) a job, and the rule in words (``text``, ≤ 300 characters) that the
    workers read on their slips. A new row: the old rule stays on record. ``actor`` must head the workshop.
    Raises PermissionDenied, ValidationError in words."""
    if actor is None or not is_head_of(actor, workshop.pk):
        raise PermissionDenied(_("只有本工坊坊长可以设置扣款规则。"))
    pct = money.yuan_typed(str(share_pct).strip().rstrip("%"))  # a plain number, as yuan are typed
    cap = money.yuan_typed(cap_yuan)
    if pct is None or not (0 <= pct <= 100) or pct != pct.quantize(Decimal("0.01")):
        raise ValidationError({"share_pct": _("比例在0到100之间,最多两位小数。")})
    if cap is not None and cap > ADJUSTMENT_MAX_YUAN:
        # Twenty nines is a number, to the fen: what is wrong is its size, and the page says so. (Checked
        # before rounding to the fen, which 27 digits and more overflow.)
        raise ValidationError(
            {"cap_yuan": _("每张单的上限最多 %(y)s 元。") % {"y": money.to_yuan(ADJUSTMENT_MAX_YUAN)}}
        )
    if cap is None or cap < 0 or cap != money.to_yuan(cap):
        raise ValidationError({"cap_yuan": _("上限请填不小于0的金额,最多到分。")})
    text = " ".join((text or "").split())
    if not text or len(text) > 300:
        raise ValidationError({"text": _("请用一两句话写明规则(300字以内),坊工会在工资条上看到。")})
    return LossRule.objects.create(
        workshop=workshop, share_pct=pct, cap_yuan=cap, text=text, created_by=actor
    )


# --- the wage slip: seen, a question, the head's answer (工资条确认) -------------------------------------

SLIP_QUESTION_MAX = 200
SLIP_ANSWER_MAX = 500
# Control, format (the direction overrides U+202A–202E, U+2066–2069 among them), surrogate and private-use
# characters: words with them are refused, never shown to the head or the worker.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})


def slip_words(text: str, *, limit: int) -> str:
    """Someone's own words on a wage slip: NFKC-normalised (full-width letters and digits become plain),
    runs of spaces and line breaks made one space, at most ``limit`` characters. Raises ValidationError in
    words for empty text, a control or direction-override character, or text over ``limit``."""
    words = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not words:
        raise ValidationError({"text": _("请写几句话。")})
    if any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in words):
        raise ValidationError({"text": _("这段话里有看不见的特殊字符,请删掉重新写。")})
    if len(words) > limit:
        raise ValidationError({"text": _("最多 %(n)d 个字。") % {"n": limit}})
    return words


def _slip_month(worker: Worker, month: dt.date) -> dt.date:
    first = month.replace(day=1)
    if first > timezone.localdate():
        raise ValidationError(_("这个月还没到。"))
    if not has_slip(worker, first):
        # A month she earned nothing in has no slip to confirm or ask about (its page is a 404).
        raise ValidationError(_("这个月没有工资条。"))
    return first


def _own_slip(actor, worker: Worker) -> None:
    if actor is None or actor.pk != worker.user_id:
        raise PermissionDenied(_("只能确认自己的工资条。"))


@transaction.atomic
def slip_mark_seen(*, worker: Worker, month: dt.date, actor) -> tuple[SlipNote, bool]:
    """The worker says she has read ``month``'s wage slip and it is right (我看过了,没问题): a ``seen``
    row. Idempotent: when she already said so after the month's newest pay line, that row is returned
    with ``False``; a line booked after she saw it (a correction, a bonus) asks her again. Locks the
    worker's row so two taps write one row. Raises PermissionDenied (not her own slip), ValidationError
    (a month not yet begun, or a past month with no pay line of hers: no slip)."""
    _own_slip(actor, worker)
    first = _slip_month(worker, month)
    Worker.objects.select_for_update().filter(pk=worker.pk).first()
    newest = PayLine.objects.filter(worker=worker, month=first).aggregate(at=Max("created_at"))["at"]
    seen = SlipNote.objects.filter(worker=worker, month=first, kind=SlipNoteKind.SEEN).order_by("-at").first()
    if seen is not None and (newest is None or seen.at >= newest):
        return seen, False
    return SlipNote.objects.create(worker=worker, month=first, kind=SlipNoteKind.SEEN, by=actor), True


@transaction.atomic
def slip_ask(*, worker: Worker, month: dt.date, text: str, actor, key: str) -> tuple[SlipNote, bool]:
    """The worker asks about ``month``'s wage slip (有疑问): a ``question`` row of her words
    (``slip_words``, ≤ ``SLIP_QUESTION_MAX`` characters). Idempotent on ``key`` (the form's): a double tap
    returns the first row and ``False``. She may ask again later: each question is its own row. The
    caller tells the head (``dispatch.services.slips``). Raises PermissionDenied, ValidationError in words;
    nothing is written then."""
    _own_slip(actor, worker)
    first = _slip_month(worker, month)
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("缺少有效的提交编号,请刷新页面后重试。"))
    words = slip_words(text, limit=SLIP_QUESTION_MAX)
    done = SlipNote.objects.filter(key=key).first()
    if done is not None:
        if (done.worker_id, done.month, done.kind) != (worker.pk, first, SlipNoteKind.QUESTION):
            raise ValidationError(_("提交编号重复,请刷新页面后重试。"))
        return done, False
    note = SlipNote.objects.create(
        worker=worker, month=first, kind=SlipNoteKind.QUESTION, text=words, by=actor, key=key
    )
    return note, True


@transaction.atomic
def slip_answer(*, question: SlipNote | int, text: str, actor) -> tuple[SlipNote, bool]:
    """The head (or a community admin over the workshop) answers a worker's question about her wage slip:
    an ``answer`` row of their words (≤ ``SLIP_ANSWER_MAX`` characters) that ``answers`` it. Idempotent:
    a question already answered returns that answer and ``False`` (one answer per question, database-
    unique). Locks the question's row. Raises PermissionDenied (firm staff, another workshop's head, a
    worker), ValidationError in words; nothing is written then."""
    pk = question.pk if isinstance(question, SlipNote) else question
    question = SlipNote.objects.select_for_update().select_related("worker").get(pk=pk)
    if not scope_for(actor).manages(question.worker):
        raise PermissionDenied(_("只有本工坊坊长可以回复工资条疑问。"))
    if question.kind != SlipNoteKind.QUESTION:
        raise ValidationError(_("这一条不是疑问。"))
    done = SlipNote.objects.filter(answers=question).first()
    if done is not None:
        return done, False
    words = slip_words(text, limit=SLIP_ANSWER_MAX)
    note = SlipNote.objects.create(
        worker=question.worker,
        month=question.month,
        kind=SlipNoteKind.ANSWER,
        text=words,
        by=actor,
        answers=question,
    )
    return note, True


@transaction.atomic
def adjustment_reverse(*, line: PayLine | int, actor, reason: str, key: str) -> tuple[PayLine, bool]:
    """Take back a bonus or deduction booked by mistake (撤销调整): a correction line of the opposite amount
    that ``corrects`` it, with a ``reason``, in the open month (naming the closed month it corrects, if
    closed); the mistaken line stays as written. ``actor`` heads the worker's workshop. Idempotent on
    ``key``; a line already taken back is refused. Raises PermissionDenied, ValidationError in words."""
    pk = line.pk if isinstance(line, PayLine) else line
    line = PayLine.objects.select_for_update(of=("self",)).select_related("worker", "period").get(pk=pk)
    if actor is None or not is_head_of(actor, line.worker.workshop_id):
        raise PermissionDenied(_("只有本工坊坊长可以撤销奖励或扣款。"))
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("缺少有效的提交编号,请刷新页面后重试。"))
    done = PayLine.objects.filter(key=key).first()
    if done is not None:
        if done.corrects_id != line.pk:
            raise ValidationError(_("这个提交编号已用于另一笔调整,请刷新页面后重新填写。"))
        return done, False
    if line.kind not in (LineKind.BONUS, LineKind.DEDUCTION):
        raise ValidationError(_("只能撤销奖励或扣款;计件工资请更正验收结果。"))
    if PayLine.objects.filter(corrects=line).exists():
        raise ValidationError(_("这笔已经撤销过了。"))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("请写明撤销原因,坊工会在工资条上看到。")})
    day = timezone.localdate()
    reversal = PayLine.objects.create(
        kind=LineKind.CORRECTION,
        worker=line.worker,
        amount=-line.amount,
        booked_on=day,
        month=open_month(line.worker.workshop_id, day),
        reason=reason[:200],
        actor=actor,
        key=key,
        corrects=line,
        corrects_period=line.period if line.period_id and line.period.closed_at else None,
    )
    rollups.line_booked(reversal)
    return reversal, True
