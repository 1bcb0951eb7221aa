"""What the logistics services share: state moves with their checks, who may act on a workshop's runs,
and today's date.

Lock order, to avoid deadlocks with the flow: a workshop's depot, then a run, then its stops; a job (through
``dispatch.services``), then its assignments.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch.models import swap_state
from workshop.roles import scope_for

from ..models import NOTE_TRANSITIONS, RUN_TRANSITIONS, STOP_TRANSITIONS, DeliveryNote, Run, Stop

_MAPS = {
    Run: (RUN_TRANSITIONS, gettext_lazy("配送趟次")),
    Stop: (STOP_TRANSITIONS, gettext_lazy("配送站点")),
    DeliveryNote: (NOTE_TRANSITIONS, gettext_lazy("送货单")),
}


def today() -> dt.date:
    return timezone.localdate()


def move(obj, target: str, **fields) -> None:
    """Compare-and-swap a run's, a stop's or a delivery note's state to ``target`` through its transitions
    map (``dispatch.models.swap_state``), setting ``fields`` in the same update. Raises IllegalTransition."""
    transitions, label = _MAPS[type(obj)]
    swap_state(obj, transitions, str(label), target, **fields)


def check_manager(actor, workshop_id: int, *, system: bool = False) -> None:
    """The head of the workshop or a community admin covering it (None: the system, where allowed)."""
    if actor is None and system:
        return
    scope = scope_for(actor)
    if not (scope.manages_workers and scope.covers(workshop_id)):
        raise PermissionDenied(_("只有本工坊坊长或社区管理员可以操作。"))


def check_courier_of(actor, run: Run) -> None:
    """The courier the run is for, on its day; anyone else is refused, nothing written."""
    courier = scope_for(actor).courier
    if courier is None or run.courier_id != courier.pk or run.day != today():
        raise PermissionDenied(_("这一站不在您今天的路线上。"))
