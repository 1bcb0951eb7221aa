"""The firm's monthly statement (对账单): the head prepares it, the firm's clerk signs it or disputes it.

A statement is never edited: a correction is a new version linked to the one it corrects; a signature is
written once (a conditional update of an unsigned, uncorrected row); a dispute is an appended row that keeps
both figures. Every service locks the pairing row of the firm and workshop first (``_lock_pairing``), so a
correction and a signature of the same month never cross. Figures: ``dispatch.statements``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.messages import NotificationKind
from notices.services import notify
from pay import money
from pay.models import FirmStatement, PayLine, StatementDispute
from workshop.models import FirmStaff, Pairing, PartnerFirm, Workshop
from workshop.roles import firm_for, is_head_of

from ..statements import month_bounds, statement_figures

MAX_NOTE = 500


def _lock_pairing(firm_id: int, workshop_id: int) -> Pairing:
    pairing = Pairing.objects.select_for_update().filter(firm_id=firm_id, workshop_id=workshop_id).first()
    if pairing is None:
        raise ValidationError(_("该企业与此工坊没有结对,不能出对账单。"))
    return pairing


def _check_clerk(actor, statement: FirmStatement) -> None:
    firm = firm_for(actor) if actor is not None else None
    if firm is None or firm.pk != statement.firm_id:
        raise PermissionDenied(_("只有该企业的专员可以签字或提出异议。"))


@transaction.atomic
def statement_prepare(
    *, actor, firm: PartnerFirm, workshop: Workshop, month: dt.date, reason: str = ""
) -> FirmStatement:
    """The head of ``workshop`` prepares (出) the statement of ``firm`` for the month of ``month`` (any day
    of it, Asia/Shanghai; not a future month), freezing the figures of ``dispatch.statements``.

    When the month already has a statement, this is a correction: a new version linked to the newest one,
    with a ``reason`` (required, ≤ 300 characters), refused when the figures are the same as that
    version's. Holds the pairing row's lock. Raises PermissionDenied (not the workshop's head) or
    ValidationError (no pairing, a future month, nothing booked, no reason, nothing changed).
    """
    if actor is None or not is_head_of(actor, workshop.pk):
        raise PermissionDenied(_("只有本工坊坊长可以出对账单。"))
    first, _nxt, _start, _end = month_bounds(month)
    if first > timezone.localdate().replace(day=1):
        raise ValidationError(_("不能为还没到的月份出对账单。"))
    pairing = _lock_pairing(firm.pk, workshop.pk)
    latest = (
        FirmStatement.objects.filter(firm=firm, workshop=workshop, month=first).order_by("-version").first()
    )
    figures = statement_figures(firm_id=firm.pk, workshop_id=workshop.pk, month=first)
    if figures.empty:
        raise ValidationError(_("%(m)s 没有入账,也没有物料往来,不用出对账单。") % {"m": f"{first:%Y-%m}"})
    lines = figures.lines_json()
    reason = (reason or "").strip()
    if latest is not None:
        if latest.figures == lines:
            raise ValidationError(_("账目和第%(v)d版相同,不用重出。") % {"v": latest.version})
        if not reason:
            raise ValidationError({"reason": _("这个月已有对账单;出更正版本请写明更正原因。")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("更正原因最多300字。")})
    return FirmStatement.objects.create(
        firm=firm,
        workshop=workshop,
        month=first,
        version=latest.version + 1 if latest else 1,
        previous=latest,
        reason=reason,
        pieces_passed=figures.pieces_passed,
        rework_pieces=figures.rework_pieces,
        processing_yuan=figures.processing_yuan,
        material_deduction_yuan=figures.material_deduction_yuan,
        operator_fee_yuan=figures.operator_fee_yuan,
        payable_yuan=figures.payable_yuan,
        fee_open_to_firm=pairing.operator_fee_open_to_firm,
        figures=lines,
        prepared_by=actor,
    )


def _refuse_closed(statement: FirmStatement, doing: str) -> None:
    """ValidationError when ``statement`` is signed or has a correction (re-read under the lock)."""
    statement.refresh_from_db(fields=["signed_by", "signed_at"])
    if statement.signed_at is not None:
        who = statement.signed_by.get_full_name() or statement.signed_by.get_username()
        raise ValidationError(
            _("这份对账单已由%(who)s于%(at)s签字,不能%(doing)s。")
            % {"who": who, "at": f"{timezone.localtime(statement.signed_at):%Y-%m-%d %H:%M}", "doing": doing}
        )
    newer = FirmStatement.objects.filter(previous_id=statement.pk).values_list("version", flat=True).first()
    if newer is not None:
        raise ValidationError(_("这份对账单已有更正版本(第%(v)d版),请在最新版本上操作。") % {"v": newer})


@transaction.atomic
def statement_sign(*, actor, statement: FirmStatement) -> FirmStatement:
    """The firm's clerk (``FirmStaff`` of the statement's firm) signs the statement (签字确认): once.

    Holds the pairing row's lock; writes ``signed_by`` and ``signed_at`` in one conditional update of a row
    still unsigned and uncorrected. Raises PermissionDenied (not the firm's staff) or ValidationError (signed
    already, or corrected by a newer version): nothing is written then.
    """
    _check_clerk(actor, statement)
    _lock_pairing(statement.firm_id, statement.workshop_id)
    _refuse_closed(statement, _("重复签字"))
    now = timezone.now()
    changed = FirmStatement.objects.filter(pk=statement.pk, signed_at__isnull=True).update(
        signed_by=actor, signed_at=now
    )
    if changed != 1:  # the pairing lock makes this unreachable; kept as the compare-and-swap's guard
        raise ValidationError(_("这份对账单已签字,不能重复签字。"))
    statement.signed_by, statement.signed_at = actor, now
    return statement


def _names_a_line(statement: FirmStatement, note: str) -> bool:
    """Whether ``note`` names a line of ``statement`` as the statement prints it: a job's number ("#12",
    full-width ＃ too), a job's title or a material's name. The dispute form has no line picker; its note
    is where the clerk says which lines are wrong."""
    text = unicodedata.normalize("NFKC", note)
    lines = statement.figures.get("jobs", []) + statement.figures.get("materials", [])
    numbers = {int(n) for n in re.findall(r"#\s*(\d+)", text)}
    for line in lines:
        names = (line.get("title"), line.get("job_title"), line.get("material"))
        if line.get("job_id") in numbers or any(n and n in text for n in names):
            return True
    return False


@transaction.atomic
def statement_dispute(
    *, actor, statement: FirmStatement, clerk_figure, note: str, key: str
) -> tuple[StatementDispute, bool]:
    """The firm's clerk disagrees (提出异议): ``clerk_figure`` is what the firm makes the 应付合计 (text as
    typed, read by ``pay.money.yuan_typed``, or a Decimal; yuan ≥ 0, at most 2 places), kept beside the
    workshop's figure (the statement's ``payable_yuan``) with ``note`` (required, ≤ 500 characters). The
    statement is left as it is; the head answers with a corrected version, or the clerk signs. The head
    is told once per dispute. A figure equal to the statement's is a dispute of lines, not of the total:
    its note must name one of the statement's lines (``_names_a_line``), else it is refused asking which.

    Idempotent on ``key`` (the form's, as ``pay.services.adjustment_add``): a double submit or a retried
    request returns the first dispute and ``False``, never a second row or message; the same key on
    another statement is refused. Holds the pairing row's lock (so two submits of one key serialise).
    Raises PermissionDenied (not the firm's staff) or ValidationError in words (no key, a bad figure, no
    note, the same total with no line named, a signed or corrected statement); nothing is written then.
    """
    _check_clerk(actor, statement)
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("缺少有效的提交编号,请刷新页面后重试。"))
    figure = money.yuan_typed(str(clerk_figure).strip().replace(",", ""))
    if figure is None:
        raise ValidationError({"clerk_figure": _("请输入金额(元)。")})
    if abs(figure) >= Decimal("1e12") or figure != figure.quantize(Decimal("0.01")):
        raise ValidationError({"clerk_figure": _("金额最多2位小数。")})
    note = (note or "").strip()
    if not note or len(note) > MAX_NOTE:
        raise ValidationError({"note": _("请写明异议(最多500字)。")})
    if figure == statement.payable_yuan and not _names_a_line(statement, note):
        raise ValidationError(
            {
                "note": _(
                    "您填的应付合计和对账单一样(%(y)s 元),合计没有出入。请在异议说明里写明哪几行不对:"
                    "写那一行开头的单号(#数字)或活名、物料名,以及应是多少。"
                )
                % {"y": statement.payable_yuan}
            }
        )
    _lock_pairing(statement.firm_id, statement.workshop_id)
    done = StatementDispute.objects.filter(key=key).first()
    if done is not None:
        if done.statement_id != statement.pk or done.raised_by_id != actor.pk:
            raise ValidationError(_("这个提交编号已用于另一次异议,请刷新页面后重新填写。"))
        return done, False
    _refuse_closed(statement, _("再提异议"))
    if figure < 0:
        raise ValidationError({"clerk_figure": _("金额不能是负数。")})
    dispute = StatementDispute.objects.create(
        statement=statement,
        raised_by=actor,
        clerk_figure_yuan=figure,
        workshop_figure_yuan=statement.payable_yuan,
        note=note,
        key=key,
    )
    head = Workshop.objects.filter(pk=statement.workshop_id).values_list("head", flat=True).first()
    if head is not None:
        notify(
            recipient=get_user_model().objects.get(pk=head),
            kind=NotificationKind.STATEMENT_DISPUTED,
            params={
                "f": statement.firm.name,
                "m": f"{statement.month:%Y-%m}",
                "c": str(figure),
                "w": str(statement.payable_yuan),
            },
            link=f"/dashboard/statements/{statement.pk}/",
            dedupe_key=f"statement-disputed:{dispute.pk}",
        )
    return dispute, True


def statements_close_month(*, month: dt.date, sign: bool = True) -> list[FirmStatement]:
    """For the simulation and the month's close: every firm and workshop with pay lines booked in the month
    of ``month`` gets its statement prepared by the workshop's head (a correction when the ledger moved
    since the newest version) and, with ``sign``, signed by the firm's first clerk (lowest id). Pairs
    without a head or a clerk are skipped. Idempotent: a pair whose newest version has the same figures
    and is signed is left as it is. Returns the newest version of each pair handled, by firm and workshop.
    Each pair runs in its own transaction."""
    first, nxt, _start, _end = month_bounds(month)
    pairs = (
        PayLine.objects.filter(booked_on__gte=first, booked_on__lt=nxt, assignment__isnull=False)
        .values_list("assignment__job__line__firm_id", "assignment__job__workshop_id")
        .distinct()
        .order_by("assignment__job__line__firm_id", "assignment__job__workshop_id")
    )
    out = []
    for firm_id, workshop_id in pairs:
        workshop = Workshop.objects.select_related("head").get(pk=workshop_id)
        clerk = FirmStaff.objects.filter(firm_id=firm_id).select_related("user").order_by("pk").first()
        if workshop.head is None or (sign and clerk is None):
            continue
        firm = PartnerFirm.objects.get(pk=firm_id)
        latest = (
            FirmStatement.objects.filter(firm_id=firm_id, workshop_id=workshop_id, month=first)
            .order_by("-version")
            .first()
        )
        try:
            statement = statement_prepare(
                actor=workshop.head,
                firm=firm,
                workshop=workshop,
                month=first,
                reason=_("月末重新核对,账目有变化") if latest else "",
            )
        except ValidationError:
            if latest is None:
                continue
            statement = latest  # nothing changed since the newest version
        if sign and statement.signed_at is None:
            statement = statement_sign(actor=clerk.user, statement=statement)
        out.append(statement)
    return out
