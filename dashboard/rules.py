"""Who may see and do what on the dashboard (管理后台): the roles' scopes and django-rules permissions.

Roles and scopes (one user holds one role, decided in the order of ``workshop.roles.role_of``):

- 社区管理员 community admin: every workshop of their community (``CommunityAdmin.workshops()``); the only
  role that sees ``low_income`` (filters, columns, KPI cards, exports).
- 坊长 workshop head: the workshops they head; accepts, declines, dispatches, sends for inspection;
  manages the roster (PIN, sign-in QR).
- 企业专员 firm staff: only their firm's jobs, inspections and statements; issues jobs, inspects, cancels.
- superuser: everything, like a county-level admin.
- a worker (坊工) or a user with no role: no dashboard (403).

``scope_for(user)`` resolves the role once per request (cached on the user object) in at most five
queries; the predicates below then read only that cached scope, so checking many objects costs nothing.
Views first fetch objects through ``dashboard.selectors`` scoped by the same ``Scope`` (a foreign id is a
404), then check the action's permission with ``user.has_perm(name, obj)`` (a visible object the role may
not change is a 403).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import rules

from workshop.models import CommunityAdmin, FirmStaff, Worker, Workshop

ADMIN, HEAD, FIRM, SUPERUSER = "community_admin", "head", "firm", "superuser"


@dataclass(frozen=True)
class Scope:
    """The dashboard role of one user and what it covers.

    ``workshop_ids`` are the workshops the user sees (every workshop for a superuser: ``all_workshops``);
    ``firm_id`` is set for firm staff. ``role`` is None for a user with no dashboard role.
    """

    role: str | None
    workshop_ids: frozenset[int] = field(default_factory=frozenset)
    firm_id: int | None = None
    firm_name: str = ""
    all_workshops: bool = False

    @property
    def is_staff_role(self) -> bool:
        return self.role in (ADMIN, HEAD, FIRM, SUPERUSER)

    @property
    def sees_low_income(self) -> bool:
        return self.role in (ADMIN, SUPERUSER)

    @property
    def manages_workers(self) -> bool:
        return self.role in (ADMIN, HEAD, SUPERUSER)

    def covers_workshop(self, workshop_id: int | None) -> bool:
        return self.all_workshops or workshop_id in self.workshop_ids


NO_ROLE = Scope(role=None)


def scope_for(user) -> Scope:
    """The user's dashboard scope, computed once and cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return NO_ROLE
    cached = getattr(user, "_dashboard_scope", None)
    if cached is not None:
        return cached
    scope = _resolve(user)
    user._dashboard_scope = scope
    return scope


def _resolve(user) -> Scope:
    if Worker.objects.filter(user=user, active=True).exists():
        return NO_ROLE
    headed = frozenset(Workshop.objects.filter(head=user).values_list("pk", flat=True))
    if headed:
        return Scope(role=HEAD, workshop_ids=headed)
    staff = FirmStaff.objects.select_related("firm").filter(user=user).first()
    if staff is not None:
        return Scope(role=FIRM, firm_id=staff.firm_id, firm_name=staff.firm.name)
    admin = CommunityAdmin.objects.filter(user=user).first()
    if admin is not None:
        return Scope(role=ADMIN, workshop_ids=frozenset(admin.workshops().values_list("pk", flat=True)))
    if user.is_superuser:
        return Scope(role=SUPERUSER, all_workshops=True)
    return NO_ROLE


# --- predicates ----------------------------------------------------------------------------------------


@rules.predicate
def is_dashboard_user(user) -> bool:
    return scope_for(user).is_staff_role


@rules.predicate
def is_community_admin(user) -> bool:
    return scope_for(user).role in (ADMIN, SUPERUSER)


@rules.predicate
def is_workshop_head(user) -> bool:
    return scope_for(user).role == HEAD


@rules.predicate
def is_firm_staff(user) -> bool:
    return scope_for(user).role == FIRM


@rules.predicate
def manages_workers(user) -> bool:
    return scope_for(user).manages_workers


@rules.predicate
def sees_job(user, job) -> bool:
    s = scope_for(user)
    if job is None or not s.is_staff_role:
        return False
    if s.role == FIRM:
        return job.line.firm_id == s.firm_id
    return s.covers_workshop(job.workshop_id)


@rules.predicate
def heads_job_workshop(user, job) -> bool:
    s = scope_for(user)
    return job is not None and s.role == HEAD and job.workshop_id in s.workshop_ids


@rules.predicate
def staffs_job_firm(user, job) -> bool:
    s = scope_for(user)
    return job is not None and s.role == FIRM and job.line.firm_id == s.firm_id


@rules.predicate
def manages_worker(user, worker) -> bool:
    s = scope_for(user)
    return worker is not None and s.manages_workers and s.covers_workshop(worker.workshop_id)


@rules.predicate
def owns_export(user, export) -> bool:
    return export is not None and export.user_id == user.pk and scope_for(user).is_staff_role


# --- permissions (``user.has_perm("dashboard.<name>", obj)``) ------------------------------------------

rules.add_perm("dashboard.view_dashboard", is_dashboard_user)
# The head runs daily work: accept, decline, dispatch (offer shares), send for inspection.
rules.add_perm("dashboard.accept_job", heads_job_workshop)
rules.add_perm("dashboard.dispatch_job", heads_job_workshop)
rules.add_perm("dashboard.submit_job", heads_job_workshop)
# Firm staff issue, cancel and inspect their own firm's jobs.
rules.add_perm("dashboard.issue_job", is_firm_staff)
rules.add_perm("dashboard.cancel_job", staffs_job_firm)
rules.add_perm("dashboard.inspect_job", staffs_job_firm)
rules.add_perm("dashboard.view_photo", sees_job)
# The roster is the head's and the community admin's (low-income status is the community admin's only:
# ``Scope.sees_low_income``).
rules.add_perm("dashboard.view_roster", manages_workers)
rules.add_perm("dashboard.view_worker", manages_worker)
rules.add_perm("dashboard.manage_worker", manages_worker)
rules.add_perm("dashboard.export", is_dashboard_user)
rules.add_perm("dashboard.view_export", owns_export)
