"""Who may see and do what on the dashboard (管理后台): the django-rules permissions.

The roles and their scopes are ``workshop.roles`` (one ``Scope`` per user, resolved once per request):

- 社区管理员 community admin: every workshop of their community; the only role that sees ``low_income``
  (filters, columns, KPI cards, exports).
- 坊长 workshop head: the workshops they head; accepts, declines, dispatches, sends for inspection;
  manages the roster (adds, edits, stops and restarts workers; PIN, sign-in QR).
- 企业专员 firm staff: only their firm's jobs, inspections and statements; issues jobs, inspects, cancels;
  signs or disputes their firm's monthly statements.
- superuser: everything, like a county-level admin.
- a worker (坊工) or a user with no role: no dashboard (403).

The predicates below read only the user's cached ``Scope``, so checking many objects costs nothing.
Views first fetch objects through ``dashboard.selectors`` scoped by the same ``Scope`` (a foreign id is a
404), then check the action's permission with ``user.has_perm(name, obj)`` (a visible object the role may
not change is a 403).
"""

from __future__ import annotations

import rules

from workshop.roles import scope_for

# --- predicates ----------------------------------------------------------------------------------------


@rules.predicate
def is_dashboard_user(user) -> bool:
    return scope_for(user).is_staff_role


@rules.predicate
def is_community_admin(user) -> bool:
    return scope_for(user).is_admin


@rules.predicate
def is_workshop_head(user) -> bool:
    return scope_for(user).is_head


@rules.predicate
def is_firm_staff(user) -> bool:
    return scope_for(user).is_firm


@rules.predicate
def manages_workers(user) -> bool:
    return scope_for(user).manages_workers


@rules.predicate
def sees_job(user, job) -> bool:
    s = scope_for(user)
    if job is None or not s.is_staff_role:
        return False
    if s.is_firm:
        return job.line.firm_id == s.firm_id
    return s.covers(job.workshop_id)


@rules.predicate
def heads_job_workshop(user, job) -> bool:
    return job is not None and scope_for(user).heads(job.workshop_id)


@rules.predicate
def manages_job_workshop(user, job) -> bool:
    """The job's workshop head, a community admin over it, or a superuser (who may stop its workers)."""
    s = scope_for(user)
    return job is not None and s.manages_workers and s.covers(job.workshop_id)


@rules.predicate
def staffs_job_firm(user, job) -> bool:
    s = scope_for(user)
    return job is not None and s.is_firm and job.line.firm_id == s.firm_id


@rules.predicate
def manages_worker(user, worker) -> bool:
    return worker is not None and scope_for(user).manages(worker)


@rules.predicate
def manages_pay(user, workshop) -> bool:
    """The workshop's head, a community admin over it, or a superuser (never firm staff)."""
    s = scope_for(user)
    return workshop is not None and s.manages_workers and s.covers(workshop.pk)


@rules.predicate
def manages_pairing(user, pairing) -> bool:
    """The head of the pairing's workshop, a community admin over it, or a superuser (never firm staff)."""
    s = scope_for(user)
    return pairing is not None and s.manages_workers and s.covers(pairing.workshop_id)


@rules.predicate
def owns_export(user, export) -> bool:
    return export is not None and export.user_id == user.pk and scope_for(user).is_staff_role


@rules.predicate
def sees_statement(user, statement) -> bool:
    s = scope_for(user)
    if statement is None or not s.is_staff_role:
        return False
    if s.is_firm:
        return statement.firm_id == s.firm_id
    return s.covers(statement.workshop_id)


@rules.predicate
def staffs_statement_firm(user, statement) -> bool:
    s = scope_for(user)
    return statement is not None and s.is_firm and statement.firm_id == s.firm_id


@rules.predicate
def heads_statement_workshop(user, statement) -> bool:
    return statement is not None and scope_for(user).heads(statement.workshop_id)


@rules.predicate
def fee_open_to_firm(user, statement) -> bool:
    return statement is not None and statement.fee_open_to_firm


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
# Bundle tickets (扎票): the head prints a share's tickets; both sides see the job's bundles.
rules.add_perm("dashboard.print_tickets", heads_job_workshop)
rules.add_perm("dashboard.view_bundles", heads_job_workshop | staffs_job_firm)
# The roster is the head's and the community admin's (low-income status is the community admin's only:
# ``Scope.sees_low_income``): they add workers to their workshops, change, stop and restart them.
# How a firm sees the workshop's workers (by name or by number) is the head's choice, per pairing.
rules.add_perm("dashboard.manage_pairing", manages_pairing)
rules.add_perm("dashboard.view_roster", manages_workers)
rules.add_perm("dashboard.add_worker", manages_workers)
rules.add_perm("dashboard.view_worker", manages_worker)
rules.add_perm("dashboard.manage_worker", manages_worker)
# Supplied materials (来料): whoever sees the job reads its materials (the firm in totals, without a
# worker's rows); only the head of the job's workshop moves them; workers' reports and their photos are
# the head's and the community admin's.
rules.add_perm("dashboard.view_materials", sees_job)
rules.add_perm("dashboard.move_materials", heads_job_workshop)
rules.add_perm("dashboard.view_material_workers", sees_job & manages_workers)
rules.add_perm("dashboard.export", is_dashboard_user)
# Lots and delivery notes (送货单): the head (and the community admin) writes and sends them; the firm's
# staff count them in; both sides and the community admin read them.
rules.add_perm("dashboard.hand_over", heads_job_workshop)
rules.add_perm("dashboard.receive_lot", staffs_job_firm)
rules.add_perm("dashboard.view_lots", sees_job)
rules.add_perm("dashboard.view_export", owns_export)
# Door delivery (配送): the community's places, a workshop's depot, vehicles, couriers and runs, and where
# a worker lives, are the head's and the community admin's (a firm never sees an address or a run).
rules.add_perm("dashboard.manage_logistics", manages_workers)
# The part-time minimum hourly wage of a community (最低工资标准) is the community admin's to set; every
# dashboard role reads the hourly figure of a job's rate (``dispatch.minwage`` decides what the firm sees).
rules.add_perm("dashboard.set_min_wage", is_community_admin)
# Corrections (更正): the head corrects a share's report; the head or the job's firm staff correct a booked
# inspection result (the services check the same).
rules.add_perm("dashboard.correct_report", heads_job_workshop)
rules.add_perm("dashboard.take_back_share", manages_job_workshop)
rules.add_perm("dashboard.correct_result", heads_job_workshop | staffs_job_firm)
rules.add_perm("dashboard.view_reports", sees_job & manages_workers)
# Pay months (结算), bonuses and deductions, payouts: the workshop's head and the community admin; a firm
# never sees a worker's income.
rules.add_perm("dashboard.manage_pay", manages_pay)
rules.add_perm("dashboard.adjust_pay", manages_worker)
# Firm statements (对账单): the head prepares a month's and its corrections; the firm's clerk signs or
# disputes; the operator's fee (运营服务费) is the workshop's margin: the head and the community admin see it,
# the firm only when the pairing opens it.
rules.add_perm("dashboard.prepare_statement", is_workshop_head)
rules.add_perm("dashboard.view_statement", sees_statement)
rules.add_perm("dashboard.correct_statement", heads_statement_workshop)
rules.add_perm("dashboard.sign_statement", staffs_statement_firm)
rules.add_perm("dashboard.view_statement_fee", sees_statement & (~is_firm_staff | fee_open_to_firm))
