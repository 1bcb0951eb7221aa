"""How a pairing's firm sees the workshop's workers (by name, or by the number on her bundle tickets), the
head's choice per pairing, each change kept as a ``PairingChange``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Pairing, PairingChange, PairingSetting
from .roles import scope_for

WORKER_SHOWN_BY = ("name", "number")


@transaction.atomic
def pairing_show_workers(*, actor, pairing: Pairing, by: str) -> Pairing:
    """The head decides how ``pairing``'s firm sees the workshop's workers: ``by`` is ``"name"`` or
    ``"number"`` (the number on her bundle tickets, "12号坊工"). Every firm page, message and spreadsheet
    follows it at once (``Scope.worker_label``). A change is kept as a ``PairingChange`` row (who, when,
    from, to) in the same transaction; choosing what is already set writes nothing.

    ``actor``: the workshop's head, a community admin over it or a superuser. Locks the pairing row.
    Raises PermissionDenied, ValidationError (``by`` neither)."""
    scope = scope_for(actor)
    if not (scope.manages_workers and scope.covers(pairing.workshop_id)):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))
    if by not in WORKER_SHOWN_BY:
        raise ValidationError(_("请选择企业看到坊工的姓名还是编号。"))
    locked = Pairing.objects.select_for_update().get(pk=pairing.pk)
    before = "name" if locked.firm_sees_names else "number"
    if before != by:
        Pairing.objects.filter(pk=locked.pk).update(firm_sees_names=by == "name")
        PairingChange.objects.create(
            pairing=locked, setting=PairingSetting.WORKER_NAMES, before=before, after=by, changed_by=actor
        )
    pairing.firm_sees_names = by == "name"
    return pairing
