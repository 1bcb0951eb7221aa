"""Bonuses and deductions (奖励 / 扣款) and their reversal, with the worker told: ``pay.services`` books the
line (pay knows nothing of messages, a layer beside it); this tells her, in the same transaction, once per
line. Found in a trial: a 5,000 yuan deduction reached her Today page as a minus total and no message."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_noop

from dispatch.templatetags.stored_words import SEPARATOR
from notices.models import NotificationKind
from notices.services import notify
from pay import services as pay
from pay.models import LineKind, PayLine

# The kind of change as she reads it (msgids, put into her language when the message is shown).
KIND_WORDS = {LineKind.BONUS: gettext_noop("奖励"), LineKind.DEDUCTION: gettext_noop("扣款")}
# A reversal (a correction line of a bonus or deduction), by the kind of line it takes back.
TAKEN_BACK_WORDS = {LineKind.BONUS: gettext_noop("撤销奖励"), LineKind.DEDUCTION: gettext_noop("撤销扣款")}
# What a bonus is for, when the head picks it (奖励 · 准时奖): stored as the reason's first part, a msgid,
# joined by the stored words' ``SEPARATOR`` (which ``stored_words.words`` splits on), so each reader sees
# it in her own language; the rest is the head's words as typed. Found in a trial: the label was stored in the
# head's language inside the reason, and English readers saw "准时奖:".
BONUS_FOR = {"on_time": gettext_noop("准时奖"), "quality": gettext_noop("质量奖")}


def bonus_reason(what: str, typed: str) -> str:
    """The stored reason of a bonus for ``what`` (a ``BONUS_FOR`` key, or anything else for none):
    "准时奖 · <typed>"."""
    label = BONUS_FOR.get(what)
    return f"{label}{SEPARATOR}{typed}" if label else typed


def _bonus_label(reason: str) -> tuple[str | None, str]:
    label, sep, rest = reason.partition(SEPARATOR)
    return (label, rest) if sep and label in BONUS_FOR.values() else (None, reason)


def tell_worker(line: PayLine) -> None:
    """``PAY_ADJUSTED`` to the line's worker: the kind (a bonus's label, 准时奖, when it has one), the signed
    amount in yuan ("+50.00", "-20.00") and the reason, linking her wage slip; once per line (its key)."""
    label, why = _bonus_label(line.reason) if line.kind == LineKind.BONUS else (None, line.reason)
    notify(
        recipient=line.worker.user,
        kind=NotificationKind.PAY_ADJUSTED,
        params={"k": label or _kind_words(line), "y": f"{line.amount:+.2f}", "why": why},
        link="/m/slip/",
        dedupe_key=f"pay-adjusted:{line.pk}",
    )


def _kind_words(line: PayLine) -> str:
    if line.kind == LineKind.CORRECTION:
        return TAKEN_BACK_WORDS[line.corrects.kind]
    return KIND_WORDS[line.kind]


@transaction.atomic
def pay_adjust(*, worker, kind: str, amount, reason: str, actor, key: str) -> tuple[PayLine, bool]:
    """``pay.services.adjustment_add`` (same arguments, returns, errors), and the worker is told when the
    line is new (a retried form tells her nothing twice)."""
    line, created = pay.adjustment_add(
        worker=worker, kind=kind, amount=amount, reason=reason, actor=actor, key=key
    )
    if created:
        tell_worker(line)
    return line, created


@transaction.atomic
def pay_adjust_reverse(*, line, actor, reason: str, key: str) -> tuple[PayLine, bool]:
    """``pay.services.adjustment_reverse`` (same arguments, returns, errors), and the worker is told."""
    reversal, created = pay.adjustment_reverse(line=line, actor=actor, reason=reason, key=key)
    if created:
        tell_worker(reversal)
    return reversal, created
