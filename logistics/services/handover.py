"""A run under way whose courier was stopped (停用) is handed to another courier of the workshop (交接), so
its remaining stops are still visited today: nobody else could finish it (she can no longer sign in) and the
day can no longer be planned again (a run of it set off).

What was recorded stays as it was: stops done stay done by her, her collections stay hers (``Collection``
rows are untouched, so the pieces still at a worker's home are counted once), and the material on her
vehicle moves to the new courier in the ledger as two new rows per material: off her vehicle into the store
(``UNLOAD``), then onto the new courier's (``LOAD``). The pending stops' kits are then delivered from the new
courier's holding, and what is left goes back to the store when she finishes the run (``run_finish``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from materials.models import Balance, MovementKind
from materials.services import courier_move
from workshop.models import Courier

from ..models import Run, RunHandover, RunState, StopLine
from .common import check_manager, today


@transaction.atomic
def run_hand_over(*, actor, run: Run | int, courier: Courier | int) -> Run:
    """Hand today's ``run``, under way, whose courier was stopped, to ``courier``: an active courier of the
    run's workshop with no other run of the day still to finish (her phone shows one run at a time). The
    head of the workshop or a community admin over it does it.

    Writes a ``RunHandover`` row, moves what the stopped courier holds for the run's jobs to the new one
    (store in between: an unload and a load per material, each a new ledger row) and puts the new courier on
    the run; her phone's run page shows it at once. Locks the run, then the new courier's row (so she is not
    stopped meanwhile). Raises PermissionDenied (not the workshop's head or community admin; nothing
    written), ValidationError in words (a run not under way, not today's, whose courier is still working;
    a courier of another workshop, one stopped, one with her own run to finish); nothing is written then."""
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("courier")
        .get(pk=run.pk if isinstance(run, Run) else run)
    )
    check_manager(actor, run.workshop_id)
    if run.state != RunState.UNDER_WAY:
        raise ValidationError(
            _("这趟配送是“%(s)s”,不在路上,不用交接。") % {"s": run.get_state_display()}, code="not_under_way"
        )
    if run.day != today():
        raise ValidationError(_("只能交接今天的趟次;以前的请点“结束这趟(回库)”。"), code="not_today")
    if run.courier is not None and run.courier.active:
        raise ValidationError(
            _("%(c)s 还在岗,这趟由本人跑完。") % {"c": run.courier.name}, code="courier_active"
        )
    target = Courier.objects.select_for_update().filter(pk=getattr(courier, "pk", courier)).first()
    if target is None or target.workshop_id != run.workshop_id:
        raise ValidationError(_("只能交给本工坊的配送员。"), code="other_workshop")
    if not target.active:
        raise ValidationError(
            _("%(c)s 已经停用了,请选一位在岗的配送员。") % {"c": target.name}, code="target_inactive"
        )
    if Run.objects.filter(courier=target, day=run.day).exclude(state=RunState.DONE).exists():
        raise ValidationError(
            _("%(c)s 今天自己的趟次还没跑完,请选别的配送员,或等其跑完再交。") % {"c": target.name},
            code="target_busy",
        )
    handover = RunHandover.objects.create(run=run, from_courier=run.courier, to_courier=target, by=actor)
    if run.courier is not None:
        _move_load(run, run.courier, target, actor, handover)
    Run.objects.filter(pk=run.pk, state=RunState.UNDER_WAY, courier_id=run.courier_id).update(courier=target)
    run.courier = target
    return run


def _move_load(run: Run, stopped: Courier, target: Courier, actor, handover: RunHandover) -> None:
    """What ``stopped`` holds for the run's jobs, onto ``target``'s vehicle: an unload into the store and a
    load out of it, keyed by the handover (a later handover of the same run moves again)."""
    jobs = StopLine.objects.filter(stop__run=run).values_list("assignment__job_id", "note__job_id")
    job_ids = {j for pair in jobs for j in pair if j is not None}
    held = (
        Balance.objects.filter(holder_key=f"courier:{stopped.pk}", quantity__gt=0, line__job_id__in=job_ids)
        .select_related("line")
        .order_by("pk")
    )
    for bal in held:
        for kind, who, side, reason in (
            (MovementKind.UNLOAD, stopped, "off", gettext_noop("交接:从停用的配送员车上卸下")),
            (MovementKind.LOAD, target, "on", gettext_noop("交接:装上接手配送员的车")),
        ):
            courier_move(
                kind=kind,
                line=bal.line,
                courier=who,
                quantity_moved=bal.quantity,
                actor=actor,
                key=f"handover:{handover.pk}:{side}:{bal.line_id}",
                reason=reason,
            )
