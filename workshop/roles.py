"""Who a user is in the flow. Each helper is cheap and returns ``None``/empty when the user lacks the role.

Roles: a worker (坊工, ``Worker.user``), a workshop head (坊长, ``Workshop.head``), firm staff (企业专员,
``FirmStaff``), a community admin (社区管理员, ``CommunityAdmin``). One user normally holds one role.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import CommunityAdmin, FirmStaff, PartnerFirm, Worker, Workshop


def worker_for(user) -> Worker | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return Worker.objects.select_related("workshop").get(user=user, active=True)
    except Worker.DoesNotExist:
        return None


def firm_for(user) -> PartnerFirm | None:
    if not getattr(user, "is_authenticated", False):
        return None
    staff = FirmStaff.objects.select_related("firm").filter(user=user).first()
    return staff.firm if staff else None


def headed_workshops(user) -> QuerySet[Workshop]:
    if not getattr(user, "is_authenticated", False):
        return Workshop.objects.none()
    return Workshop.objects.filter(head=user)


def admin_workshops(user) -> QuerySet[Workshop]:
    if not getattr(user, "is_authenticated", False):
        return Workshop.objects.none()
    admin = CommunityAdmin.objects.filter(user=user).first()
    return admin.workshops() if admin else Workshop.objects.none()


def is_head_of(user, workshop_id: int) -> bool:
    return headed_workshops(user).filter(pk=workshop_id).exists()


def can_manage_worker(user, worker: Worker) -> bool:
    """The worker's workshop head, a community admin of that workshop, or a superuser."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return (
        headed_workshops(user).filter(pk=worker.workshop_id).exists()
        or admin_workshops(user).filter(pk=worker.workshop_id).exists()
    )


def role_of(user) -> str | None:
    """One of ``"worker"``, ``"head"``, ``"firm"``, ``"community_admin"``, ``"superuser"``, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if Worker.objects.filter(user=user, active=True).exists():
        return "worker"
    if headed_workshops(user).exists():
        return "head"
    if FirmStaff.objects.filter(user=user).exists():
        return "firm"
    if CommunityAdmin.objects.filter(user=user).exists():
        return "community_admin"
    if user.is_superuser:
        return "superuser"
    return None
