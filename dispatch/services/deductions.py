"""Material lost beyond the allowance, deducted from the worker who lost it by the workshop's own rule
(``pay.models.LossRule``), never otherwise: one deduction line per worker and material of a job, keyed so
running it again deducts nothing twice. The materials ledger says what was lost; pay books it."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from materials.selectors import job_accounts
from pay import money
from pay.models import LineKind, PayLine
from pay.selectors import loss_rule
from pay.services import adjustment_add

from ..models import Job
from .adjustments import tell_worker
from .common import check_head, lock_job, workshop_of

ZERO = Decimal("0")


def lost_beyond_allowance(job: Job) -> list[tuple]:
    """``[(line, worker id, worker name, units)]``: what each worker whose work on ``job`` is done lost of
    each material beyond what her consumption allows (units as Decimal in the material's unit): issued −
    used − returned − scrapped in the open − what she still holds − the allowance, when above 0. From the
    materials ledger (``materials.selectors.job_accounts``)."""
    out = []
    for acc in job_accounts(job):
        for w in acc.workers:
            if not w.done:
                continue
            gone = w.loss - w.holds - w.allowed
            if gone > 0:
                out.append((acc.line, w.worker_id, w.name, gone))
    return out


@transaction.atomic
def material_loss_deduct(*, actor, job: Job | int) -> list[PayLine]:
    """Deduct from each worker of ``job`` what she lost beyond the allowance, by the workshop's rule in
    force: units × the firm's price per unit (``BomLine.unit_price``) × the rule's share %, to the fen, at
    most the rule's cap per job; each a deduction line whose reason names the material, the units, the price
    and the rule. ``actor``: the workshop's head (None: the system). Idempotent per job, worker and material.
    Raises PermissionDenied, ValidationError (no rule, or the rule turns deductions off)."""
    job = lock_job(job)
    check_head(actor, job, system=True)
    rule = loss_rule(job.workshop_id)
    if rule is None or rule.share_pct <= 0:
        raise ValidationError(_("本工坊还没有设置物料超耗扣款规则(或规则为不扣),不会扣款。"))
    head = actor or workshop_of(job).head
    workers = {w.pk: w for w in job.workshop.workers.all()}
    budget: dict[int, Decimal] = {}
    made = []
    lost = sorted(lost_beyond_allowance(job), key=lambda r: (r[0].pk, r[1]))
    unpriced = sorted({line.material for line, *_rest in lost if line.unit_price <= 0})
    if lost and len(unpriced) == len({line.pk for line, *_rest in lost}):
        raise ValidationError(
            _("超耗的物料没有企业核定单价(%(m)s),无法按规则扣款;请让企业在外发单的物料清单里填写单价。")
            % {"m": "、".join(unpriced)}
        )
    for line, worker_id, _name, units in lost:
        if line.unit_price <= 0:
            continue
        key = f"loss:{job.pk}:{line.pk}:{worker_id}"
        done = PayLine.objects.filter(key=key).first()
        if done is not None:  # deducted before: never twice, even if more went missing since
            budget[worker_id] = budget.get(worker_id, ZERO) - done.amount
            continue
        amount = money.to_yuan(units * line.unit_price * rule.share_pct / 100)
        left = rule.cap_yuan - budget.get(worker_id, ZERO) if rule.cap_yuan > 0 else amount
        amount = min(amount, left)
        if amount <= 0:
            continue
        budget[worker_id] = budget.get(worker_id, ZERO) + amount
        reason = _(
            "物料超耗:%(t)s 的“%(m)s”超出允许损耗 %(q)s,单价 %(p)s 元,按规则承担 %(s)s%%(%(rule)s)"
        ) % {
            "t": job.title,
            "m": line.material,
            "q": f"{units.normalize():f}",
            "p": f"{line.unit_price.normalize():f}",
            "s": f"{rule.share_pct.normalize():f}",
            "rule": rule.text,
        }
        line_row, created = adjustment_add(
            worker=workers[worker_id],
            kind=LineKind.DEDUCTION,
            amount=amount,
            reason=reason[:200],
            actor=head,
            key=key,
        )
        if created:
            tell_worker(line_row)
        made.append(line_row)
    return made
