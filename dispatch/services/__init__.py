"""The flow's writes, one function per step (企业分发 → 工坊接单 → 坊工做单 → 送检企业 → 结算), split by the
thing they move: ``jobs`` (issue, accept, decline, cancel, complete, send for inspection, settle),
``assignments`` (plans, the worker's answer, expiry, reports), ``offers`` (offers, one open per worker
and job), ``takeback`` (the rest of a share its worker will not make: taken back, or its rework passed
on) and ``inspections`` (the firm's
verdict and its booking, at the job's worker rate); ``statements`` (the firm's monthly statement: prepare,
sign, dispute, and ``statements_close_month`` for the simulation; imported as a module); ``common``
holds the state move, its flow event, the locks and the actor checks.

Every service runs in ``transaction.atomic``; moves a state only through the model's transitions map with
a compare-and-swap update (or under ``select_for_update``), so two concurrent moves cannot both win; writes
its ``FlowEvent`` in the same transaction; and queues Celery work only after commit
(``dispatch.followups.later``). Messages go through ``notices.services.notify``; pay lines through
``pay.services.pay_line_book``.

Lock order, to avoid deadlocks: the job row first, then its assignments.

Errors: ``IllegalTransition`` (a move the state machine refuses, or lost to a concurrent move),
``django.core.exceptions.ValidationError`` (bad input, in the user's language), ``PermissionDenied`` (wrong
actor; ``actor=None`` is the system, allowed only where a service says so).
"""

from .adjustments import pay_adjust, pay_adjust_reverse
from .assignments import (
    assignment_accept,
    assignment_decline,
    assignment_expire,
    job_plan_offers,
    job_workshop_plan_offers,
    offers_withdraw_stopped,
    work_report,
    workshop_plan_offers,
)
from .common import check_firm_staff, check_head, lock_assignment, lock_job
from .corrections import report_correct, report_undo, result_correct
from .deductions import material_loss_deduct
from .inspections import ResultInput, inspection_book, job_inspect
from .jobs import (
    DEFAULT_BUNDLE_SIZE,
    MAX_BUNDLE_SIZE,
    MAX_JOB_PIECES,
    hand_over,
    job_accept,
    job_cancel,
    job_complete,
    job_decline,
    job_hand_over,
    job_issue,
    job_receive,
    job_settle,
    receive,
)
from .offers import assignment_offer, offer_many
from .periods import open_inspections, period_close
from .slips import slip_question, slip_reply
from .takeback import rework_pass_on, share_take_back

__all__ = [
    "DEFAULT_BUNDLE_SIZE",
    "MAX_BUNDLE_SIZE",
    "MAX_JOB_PIECES",
    "ResultInput",
    "assignment_accept",
    "assignment_decline",
    "assignment_expire",
    "offers_withdraw_stopped",
    "assignment_offer",
    "offer_many",
    "check_firm_staff",
    "check_head",
    "hand_over",
    "inspection_book",
    "job_accept",
    "job_cancel",
    "job_complete",
    "job_decline",
    "job_hand_over",
    "job_inspect",
    "job_issue",
    "job_receive",
    "job_plan_offers",
    "job_workshop_plan_offers",
    "job_settle",
    "lock_assignment",
    "lock_job",
    "material_loss_deduct",
    "open_inspections",
    "pay_adjust",
    "pay_adjust_reverse",
    "period_close",
    "receive",
    "report_correct",
    "report_undo",
    "result_correct",
    "rework_pass_on",
    "share_take_back",
    "slip_question",
    "slip_reply",
    "work_report",
    "workshop_plan_offers",
]
