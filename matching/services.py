"""Writes on the two lists: demands entered and edited, statuses moved, wishes entered, residents enrolled.

Every write is one ``transaction.atomic`` service with keyword-only arguments: it checks that the actor may
do it (``PermissionDenied``), validates with the models' own validators (``full_clean``; ``ValidationError``
in Chinese), moves a status with a compare-and-swap update (``IllegalStatusChange`` when the move is not
allowed or someone else moved it first) and writes its ``EntryEvent`` in the same transaction.
Imports are in ``matching.imports``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop import services as workshop_services
from workshop.models import Employment, PartnerFirm, WishStatus, Worker, Workshop, WorkWish
from workshop.roles import Scope, scope_for

from .models import (
    DEMAND_FIELDS,
    DEMAND_TRANSITIONS,
    WISH_TRANSITIONS,
    DemandEntry,
    DemandStatus,
    EntryEvent,
    EntrySubject,
    IllegalStatusChange,
    WishRecord,
    WishSource,
)
from .selectors import can_edit_demand

# What firm staff may do to their own demand; community admins may make every allowed move.
FIRM_MOVES = {
    (DemandStatus.NEW, DemandStatus.CLOSED),
    (DemandStatus.CONTACTED, DemandStatus.CLOSED),
    (DemandStatus.MATCHED, DemandStatus.CLOSED),
    (DemandStatus.CLOSED, DemandStatus.NEW),
}


def _swap_status(entry, to: str, *, transitions, choices) -> str:
    """Compare-and-swap the stored status of ``entry`` (a DemandEntry or WorkWish) to ``to`` when
    ``transitions`` allow the move; returns the status it had. The caller sets ``entry.status`` once
    the rest of its work has succeeded. Raises IllegalStatusChange (in words, with ``choices``'
    labels) for a move not allowed, or one someone else made first."""
    model, current, labels = type(entry), entry.status, dict(choices)
    if to not in transitions.get(current, frozenset()):
        raise IllegalStatusChange(current, to, labels)
    if model.objects.filter(pk=entry.pk, status=current).update(status=to, updated_at=timezone.now()) != 1:
        fresh = model.objects.filter(pk=entry.pk).values_list("status", flat=True).first()
        raise IllegalStatusChange(fresh or current, to, labels)
    return current


def _check_fields(fields) -> None:
    unknown = set(fields) - set(DEMAND_FIELDS)
    if unknown:
        raise TypeError(f"unknown demand fields: {sorted(unknown)}")


def _check_admin_of(scope: Scope, workshop_id: int | None) -> None:
    if not scope.is_admin or (workshop_id is not None and not scope.covers(workshop_id)):
        raise PermissionDenied(_("只有本社区的社区管理员可以操作。"))


def _check_demand_writer(scope: Scope, *, workshop: Workshop, firm: PartnerFirm) -> None:
    """A community admin of ``workshop``, or staff of ``firm`` when ``firm`` is paired with ``workshop``."""
    if scope.is_admin and scope.covers(workshop.pk):
        return
    if scope.is_firm and scope.firm_id == firm.pk:
        if workshop.pairings.filter(firm_id=firm.pk, active=True).exists():
            return
        raise PermissionDenied(_("只能为已结对的工坊登记需求。"))
    raise PermissionDenied(_("只有企业专员或社区管理员可以登记企业需求。"))


def _event(*, subject: str, actor, from_state: str, to_state: str, note: str = "", demand=None, wish=None):
    return EntryEvent.objects.create(
        subject=subject,
        demand=demand,
        wish=wish,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        note=note[:300],
    )


# --- demands (需求清单) ---------------------------------------------------------------------------------


@transaction.atomic
def demand_create(*, actor, workshop: Workshop, firm: PartnerFirm, **fields) -> DemandEntry:
    """Put a firm's need on the demand list as new, for ``workshop``. ``fields`` are DemandEntry's own
    (``DEMAND_FIELDS``). Firm staff enter their own firm's needs for paired workshops; a community admin
    enters any firm's for the workshops of their community. Raises PermissionDenied, ValidationError."""
    scope = scope_for(actor)
    _check_demand_writer(scope, workshop=workshop, firm=firm)
    _check_fields(fields)
    demand = DemandEntry(workshop=workshop, firm=firm, created_by=actor, status=DemandStatus.NEW, **fields)
    demand.full_clean()
    demand.save()
    _event(
        subject=EntrySubject.DEMAND,
        actor=actor,
        from_state="",
        to_state=DemandStatus.NEW,
        note=_("登记"),
        demand=demand,
    )
    return demand


@transaction.atomic
def demand_update(*, actor, demand: DemandEntry, **fields) -> DemandEntry:
    """Edit a demand's details (not its status, firm or workshop). Its firm's staff or a community admin
    of its workshop; the row is locked while it changes. Raises PermissionDenied, ValidationError."""
    scope = scope_for(actor)
    locked = DemandEntry.objects.select_for_update().get(pk=demand.pk)
    if not can_edit_demand(scope, locked):
        raise PermissionDenied(_("只有这家企业的专员或本社区的社区管理员可以修改。"))
    _check_fields(fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def demand_set_status(*, actor, demand: DemandEntry, to: str, note: str = "") -> DemandEntry:
    """Move a demand to status ``to`` (DEMAND_TRANSITIONS) and record who did it and why.

    Community admins of its workshop make any allowed move; its firm's staff may only close it or open it
    again. Compare-and-swap on the status: raises IllegalStatusChange when the move is not allowed or the
    status changed meanwhile; PermissionDenied for anyone else.
    """
    scope = scope_for(actor)
    current = demand.status
    is_admin = scope.is_admin and scope.covers(demand.workshop_id)
    is_firm = scope.is_firm and scope.firm_id == demand.firm_id
    if not (is_admin or (is_firm and (current, to) in FIRM_MOVES)):
        raise PermissionDenied(_("只有本社区的社区管理员可以记录对接结果。"))
    _swap_status(demand, to, transitions=DEMAND_TRANSITIONS, choices=DemandStatus.choices)
    _event(
        subject=EntrySubject.DEMAND, actor=actor, from_state=current, to_state=to, note=note, demand=demand
    )
    demand.status = to
    return demand


# --- wishes (供给清单) -----------------------------------------------------------------------------------


def _record_of(wish: WorkWish) -> WishRecord | None:
    """The wish's list record (its ID number and skill words), or None for a wish left on /m/join/."""
    return WishRecord.objects.filter(wish=wish).first()


def _record(wish: WorkWish, **defaults) -> WishRecord:
    record, _created = WishRecord.objects.get_or_create(wish=wish, defaults=defaults)
    return record


@transaction.atomic
def wish_enter(
    *,
    actor,
    name: str,
    phone: str,
    skills: list[str],
    hours_per_week: int,
    work_place: str,
    area: str,
    workshop: Workshop,
    low_income: bool = False,
    consent: bool = False,
) -> tuple[WorkWish, bool]:
    """A community admin enters a resident's wish (社区录入), e.g. from a home visit; returns
    ``(wish, created)``. Goes through ``workshop.services.work_wish_submit`` (the public form's service:
    one entry per phone, the same validators, low income only with the resident's consent).
    Raises PermissionDenied, ValidationError."""
    scope = scope_for(actor)
    _check_admin_of(scope, workshop.pk)
    existing = WorkWish.objects.filter(phone=phone).values_list("workshop_id", "status").first()
    if existing is not None and existing[0] is not None and not scope.covers(existing[0]):
        raise ValidationError(_("这个手机号已在其他社区的工坊登记,请与对方社区联系。"), code="foreign_wish")
    before = existing[1] if existing is not None else ""
    wish, created = workshop_services.work_wish_submit(
        name=name,
        phone=phone,
        skills=skills,
        hours_per_week=hours_per_week,
        work_place=work_place,
        area=area,
        low_income=low_income,
        consent=consent,
        workshop=workshop,
    )
    if created:
        _record(wish, source=WishSource.STAFF)
    _event(
        subject=EntrySubject.WISH,
        actor=actor,
        from_state=before,
        to_state=wish.status,
        note=_("社区录入") if created else _("社区录入(更新)"),
        wish=wish,
    )
    return wish, created


@transaction.atomic
def wish_set_status(
    *, actor, wish: WorkWish, to: str, note: str = "", demand: DemandEntry | None = None
) -> WorkWish:
    """Record the outcome of following up a wish: move it to ``to`` (WISH_TRANSITIONS; not "enrolled":
    that is :func:`wish_enrol`). ``demand``, when given, is the demand it was matched with; moving to
    "matched" then also moves a new or contacted demand to "matched". Community admins only.
    Compare-and-swap on the status; raises IllegalStatusChange, PermissionDenied."""
    scope = scope_for(actor)
    _check_admin_of(scope, wish.workshop_id)
    if demand is not None and not (scope.is_admin and scope.covers(demand.workshop_id)):
        raise PermissionDenied(_("只有本社区的社区管理员可以操作。"))
    current = wish.status
    if to == WishStatus.ENROLLED:
        raise IllegalStatusChange(current, to, dict(WishStatus.choices))
    _swap_status(wish, to, transitions=WISH_TRANSITIONS, choices=WishStatus.choices)
    _event(
        subject=EntrySubject.WISH,
        actor=actor,
        from_state=current,
        to_state=to,
        note=note,
        wish=wish,
        demand=demand,
    )
    wish.status = to
    if (
        demand is not None
        and to == WishStatus.MATCHED
        and demand.status
        in (
            DemandStatus.NEW,
            DemandStatus.CONTACTED,
        )
    ):
        demand_set_status(
            actor=actor,
            demand=demand,
            to=DemandStatus.MATCHED,
            # The firm sees this demand's history: it says a resident was matched, never who.
            note=_("已与供给清单中的一位居民对接"),
        )
    return wish


@transaction.atomic
def wish_reopen(*, actor, wish: WorkWish, note: str = "") -> WorkWish:
    """Open a closed wish again (closed → new in WISH_TRANSITIONS), e.g. when the resident signs up again
    in an imported list, and record who did it and why (``note``) in its history. Community admins of its
    workshop only. Compare-and-swap on the status read into ``wish``: raises IllegalStatusChange when
    that status is not closed or someone moved it meanwhile (nothing written), PermissionDenied for
    anyone else. Changes nothing but the status (and ``updated_at``)."""
    return wish_set_status(actor=actor, wish=wish, to=WishStatus.NEW, note=note)


@transaction.atomic
def wish_enrol(
    *,
    actor,
    wish: WorkWish,
    workshop: Workshop,
    employment: str = Employment.PART_TIME,
    demand: DemandEntry | None = None,
    note: str = "",
    joined_on: dt.date | None = None,
) -> Worker:
    """Enrol a resident (入坊): the wish becomes a worker of ``workshop`` and its status "enrolled".

    Creates the sign-in account (username = the 11-digit phone number, an unusable password: the head
    then sets a PIN with ``workshop.services.worker_set_pin``) and the Worker from the wish's fields
    (skills, hours, place, area, and the low-income declaration). Community admins of ``workshop`` only,
    from "contacted" or "matched". Compare-and-swap on the wish's status; raises IllegalStatusChange,
    PermissionDenied, ValidationError (a phone that already has a worker or an account).
    """
    scope = scope_for(actor)
    _check_admin_of(scope, workshop.pk)
    if wish.workshop_id is not None and not scope.covers(wish.workshop_id):
        raise PermissionDenied(_("只有本社区的社区管理员可以操作。"))
    if demand is not None and demand.workshop_id != workshop.pk:
        raise ValidationError(_("入坊的工坊应与对接的企业需求一致。"), code="workshop_mismatch")
    if employment not in Employment.values:
        raise ValidationError(_("请选择用工类型。"), code="employment")
    current = _swap_status(
        wish, WishStatus.ENROLLED, transitions=WISH_TRANSITIONS, choices=WishStatus.choices
    )
    username = str(wish.phone.national_number)
    if Worker.objects.filter(phone=wish.phone).exists():
        raise ValidationError(_("这个手机号已经是坊工了。"), code="already_worker")
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(_("这个手机号已有登录账号,请联系管理员处理。"), code="account_exists")
    record_before = _record_of(wish)  # an imported wish's ID number goes with her onto the roster
    user = user_model(username=username, first_name=wish.name[:150])
    user.set_unusable_password()
    worker = Worker(
        user=user,
        workshop=workshop,
        name=wish.name,
        phone=wish.phone,
        employment=employment,
        low_income=wish.low_income,
        skills=list(wish.skills or []),
        hours_per_week=wish.hours_per_week,
        work_place=wish.work_place,
        home_area=wish.area,
        id_number=record_before.id_number if record_before is not None else "",
        joined_on=joined_on or timezone.localdate(),
    )
    worker.full_clean(exclude=["user"])
    try:
        with transaction.atomic():
            user.save()
            worker.user = user
            worker.save()
    except IntegrityError as exc:
        raise ValidationError(_("这个手机号刚刚被登记为坊工或账号,请刷新后查看。"), code="race") from exc
    record = _record(wish)
    WishRecord.objects.filter(pk=record.pk).update(worker=worker)
    _event(
        subject=EntrySubject.WISH,
        actor=actor,
        from_state=current,
        to_state=WishStatus.ENROLLED,
        note=note or _("入坊:%(ws)s") % {"ws": workshop.name},
        wish=wish,
        demand=demand,
    )
    wish.status = WishStatus.ENROLLED
    return worker
