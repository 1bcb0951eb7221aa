"""The flow's records: jobs, assignments, work reports, inspections and flow events.

Units: pieces are ``int``; piece rates are ``Decimal`` yuan with 4 places; amounts are ``Decimal`` yuan to
the fen; dates are Asia/Shanghai. The state machines are the ``TRANSITIONS`` maps below: the services in
``dispatch.services`` are the only code that moves a state, always through ``check_transition``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workshop.models import ProcessKind, ProductionLine, Worker, Workshop


class IllegalTransition(Exception):
    """A state change that the object's transitions map does not allow (or that another actor won)."""

    def __init__(self, obj_label: str, current: str, target: str):
        self.current, self.target = current, target
        super().__init__(
            str(_("%(obj)s当前状态为“%(cur)s”,不能变为“%(to)s”。"))
            % {"obj": obj_label, "cur": current, "to": target}
        )


class JobState(models.TextChoices):
    ISSUED = "issued", _("已分发")
    ACCEPTED = "accepted", _("已接单")
    DECLINED = "declined", _("已拒单")
    IN_PROGRESS = "in_progress", _("生产中")
    COMPLETED = "completed", _("待交货")
    HANDED_OVER = "handed_over", _("已交货")
    INSPECTING = "inspecting", _("送检中")
    INSPECTED = "inspected", _("已验收")
    SETTLED = "settled", _("已结算")
    CANCELLED = "cancelled", _("已取消")


class AssignmentState(models.TextChoices):
    OFFERED = "offered", _("待接受")
    ACCEPTED = "accepted", _("进行中")
    DECLINED = "declined", _("已婉拒")
    EXPIRED = "expired", _("已过期")
    DONE = "done", _("已完成")
    # The head took back a share she had accepted and not started (收回, ``share_take_back``), or an offer
    # still unanswered when she was stopped (``offers_withdraw_stopped``): its pieces went back to the job.
    # A share taken back after some reports is done instead, cut to what she made.
    WITHDRAWN = "withdrawn", pgettext_lazy("a share taken back", "已收回")


JOB_TRANSITIONS: dict[str, frozenset[str]] = {
    JobState.ISSUED: frozenset({JobState.ACCEPTED, JobState.DECLINED, JobState.CANCELLED}),
    JobState.ACCEPTED: frozenset({JobState.IN_PROGRESS, JobState.CANCELLED}),
    JobState.IN_PROGRESS: frozenset({JobState.COMPLETED}),
    # The last piece is reported: ready to hand over (待交货); the workshop sends the lot with its delivery
    # note (已交货); the firm counts what arrived, and only then inspects (送检中). ``logistics`` moves these.
    # An undone or corrected report takes a completed job back into production before it leaves.
    JobState.COMPLETED: frozenset({JobState.HANDED_OVER, JobState.IN_PROGRESS}),
    JobState.HANDED_OVER: frozenset({JobState.INSPECTING}),
    JobState.INSPECTING: frozenset({JobState.INSPECTED}),
    # Rework (返工) takes an inspected job back into production until the reworked pieces are inspected.
    JobState.INSPECTED: frozenset({JobState.SETTLED, JobState.IN_PROGRESS}),
    JobState.DECLINED: frozenset(),
    JobState.SETTLED: frozenset(),
    JobState.CANCELLED: frozenset(),
}

ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AssignmentState.OFFERED: frozenset(
        {
            AssignmentState.ACCEPTED,
            AssignmentState.DECLINED,
            AssignmentState.EXPIRED,
            AssignmentState.WITHDRAWN,
        }
    ),
    AssignmentState.ACCEPTED: frozenset({AssignmentState.DONE, AssignmentState.WITHDRAWN}),
    AssignmentState.DECLINED: frozenset(),
    AssignmentState.EXPIRED: frozenset(),
    AssignmentState.WITHDRAWN: frozenset(),
    # An undone or corrected report takes a done share back to work (撤销/更正报工).
    AssignmentState.DONE: frozenset({AssignmentState.ACCEPTED}),
}

# Assignment states whose pieces count against the job's quantity.
HOLDING_STATES = (AssignmentState.OFFERED, AssignmentState.ACCEPTED, AssignmentState.DONE)
# Job states in which pieces are offered to workers (派工).
DISPATCHING_STATES = (JobState.ACCEPTED, JobState.IN_PROGRESS)
# A job with pieces still to offer: dispatching, and not every piece assigned. For ``filter()`` and for
# ``Count(filter=...)``.
TO_OFFER = Q(state__in=DISPATCHING_STATES, pieces_assigned__lt=F("quantity"))


def check_transition(transitions: dict[str, frozenset[str]], label: str, current: str, target: str) -> None:
    """Raise :class:`IllegalTransition` unless ``current → target`` is in ``transitions``."""
    if target not in transitions.get(current, frozenset()):
        raise IllegalTransition(label, current, target)


def choice_label(choices: type[models.Choices], value) -> str:
    """``value``'s label in the active language, as Django's ``get_FOO_display`` gives it, read from the
    enum: Django's builds a dict of every choice on each call (about 55 µs for a job's state, and a list
    page draws 50; issue 15). A value outside the choices is shown as itself, as Django's does."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# The flow's stages in order (the home page's funnel): a job that reached one has passed every earlier one.
# Declined and cancelled are not stages: a job cancelled once accepted stays counted as accepted.
JOB_STAGES = (
    JobState.ISSUED,
    JobState.ACCEPTED,
    JobState.IN_PROGRESS,
    JobState.COMPLETED,
    JobState.HANDED_OVER,
    JobState.INSPECTING,
    JobState.INSPECTED,
    JobState.SETTLED,
)
STAGE_RANK = {s: i for i, s in enumerate(JOB_STAGES)}


def furthest_stage(*states: str) -> str:
    """The furthest of ``states`` along ``JOB_STAGES`` ("" when none is a stage)."""
    staged = [s for s in states if s in STAGE_RANK]
    return max(staged, key=STAGE_RANK.__getitem__) if staged else ""


def reached_stage() -> Coalesce:
    """A job's furthest stage as a query expression: ``Job.reached``, or its state for a job not moved
    since that was kept (the funnel and the job list's 到过的阶段 filter)."""
    return Coalesce(NullIf(F("reached"), Value("")), F("state"))


def swap_state(obj, transitions: dict[str, frozenset[str]], label: str, target: str, **fields) -> str:
    """Compare-and-swap ``obj.state`` to ``target`` through ``transitions`` (any stateful model), setting
    ``fields`` in the same update, and return the state it left. Raises IllegalTransition when the map
    refuses the move or a concurrent move won (``obj.state`` is then re-read)."""
    current = obj.state
    check_transition(transitions, label, current, target)
    if type(obj).objects.filter(pk=obj.pk, state=current).update(state=target, **fields) != 1:
        obj.refresh_from_db(fields=["state"])
        raise IllegalTransition(label, obj.state, target)
    obj.state = target
    for name, value in fields.items():
        setattr(obj, name, value)
    return current


class Job(models.Model):
    """One order a firm issues to a workshop (外发单): a process, N pieces, a piece rate, a due date.

    ``piece_rate`` is what the firm pays a passed piece (加工费, yuan/piece); ``operator_fee_per_piece`` the
    part of it the workshop's operator keeps (运营服务费, yuan/piece, a snapshot of the pairing's fee taken
    at issue: the rate and its split are fixed in the same moment, before the head decides); the worker is
    paid ``worker_rate`` = the difference, always > 0 (the database refuses a fee at or above the rate).

    ``pieces_assigned`` is the sum of pieces held by its first-round assignments (offered, accepted or
    done); it is kept by conditional updates and the database refuses it above ``quantity``.
    """

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("工坊"), on_delete=models.PROTECT, related_name="jobs"
    )
    line = models.ForeignKey(
        ProductionLine, verbose_name=_("生产线"), on_delete=models.PROTECT, related_name="jobs"
    )
    title = models.CharField(_("品名/工序"), max_length=200)
    process_kind = models.CharField(_("工序类别"), max_length=20, choices=ProcessKind.choices)
    quantity = models.PositiveIntegerField(_("数量(件)"))
    piece_rate = models.DecimalField(_("计件单价(元/件)"), max_digits=10, decimal_places=4)
    operator_fee_per_piece = models.DecimalField(
        _("运营服务费(元/件)"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("0"),
        help_text=_("分发时按结对约定记下;坊工每件所得 = 计件单价 − 运营服务费"),
    )
    due_on = models.DateField(_("交货日期"))
    instructions = models.TextField(_("加工要求"), blank=True)
    photo = models.ImageField(
        _("样品照片"), upload_to="jobs/%Y/%m/", blank=True, help_text=_("企业上传的样品或做法照片")
    )
    state = models.CharField(_("状态"), max_length=20, choices=JobState.choices, default=JobState.ISSUED)
    # The furthest stage of the flow the job has reached (``JOB_STAGES``), kept by ``move``: rework takes
    # an inspected job back into production, and the home page's funnel still counts it as inspected.
    # Empty for a job never moved since (or written in bulk): its state is then as far as it went.
    reached = models.CharField(
        _("最远到达的阶段"), max_length=20, choices=JobState.choices, blank=True, default="", db_default=""
    )
    pieces_assigned = models.PositiveIntegerField(_("已派件数"), default=0)
    # The planner's last run left pieces of it unplaced (no one with time for them); false again when
    # pieces come back to be planned. The job's page says so, with the manual dispatch (a trial).
    left_unplaced = models.BooleanField(_("系统派不出"), default=False, db_default=False)
    pieces_short = models.PositiveIntegerField(
        _("点收短少件数"),
        default=0,
        help_text=_("企业点收时比送出少的件数:这批验收的合格件数合计不能超过点收数"),
    )
    bundle_size = models.PositiveIntegerField(
        _("每扎件数"), default=50, help_text=_("扎票(菲票)每扎的件数;最后一扎是余数")
    )
    auto_accept_rule = models.JSONField(
        _("自动接单规则"),
        null=True,
        blank=True,
        help_text=_("按结对的自动接单规则接单时,当时的规则:最多件数(空为不限)和最少工期(天);坊长接单为空"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("分发人"),
        on_delete=models.PROTECT,
        related_name="issued_jobs",
    )
    issued_at = models.DateTimeField(_("分发时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("外发单")
        verbose_name_plural = _("外发单")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["workshop", "state"]),
            models.Index(fields=["line", "state"]),
            # The home page's jobs issued in a period by state (a county's year is 15,000 jobs): read from
            # the index alone on PostgreSQL, not from the table (issue 15).
            models.Index(
                fields=["workshop", "issued_at"], include=["state", "reached"], name="job_workshop_issued"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="job_quantity_positive"),
            models.CheckConstraint(condition=Q(piece_rate__gt=0), name="job_rate_positive"),
            models.CheckConstraint(
                condition=Q(operator_fee_per_piece__gte=0, operator_fee_per_piece__lt=F("piece_rate")),
                name="job_operator_fee_below_rate",
            ),
            models.CheckConstraint(condition=Q(bundle_size__gt=0), name="job_bundle_size_positive"),
            models.CheckConstraint(
                condition=Q(pieces_assigned__lte=F("quantity")), name="job_assigned_le_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def firm(self):
        return self.line.firm

    @property
    def pieces_unassigned(self) -> int:
        return self.quantity - self.pieces_assigned

    def get_state_display(self) -> str:
        return choice_label(JobState, self.state)

    @property
    def worker_rate(self) -> Decimal:
        """What a worker is paid a passed piece (yuan/piece, 4 places): ``worker_rate_of`` rate and fee."""
        return worker_rate_of(self.piece_rate, self.operator_fee_per_piece)


def worker_rate_of(piece_rate: Decimal, operator_fee_per_piece: Decimal | None) -> Decimal:
    """What a worker is paid a passed piece of a job (yuan/piece, 4 places): the firm's ``piece_rate`` less
    the operator's fee, never below 0 (``Job.worker_rate``, for a read that has the two columns only)."""
    return max(piece_rate - (operator_fee_per_piece or 0), Decimal("0"))


class AssignmentKind(models.TextChoices):
    FIRST = "first", _("派工")
    REWORK = "rework", _("返工")


class DeliveryMode(models.TextChoices):
    PICKUP = "pickup", _("到工坊领料")
    HOME = "home", _("送料上门")


class Assignment(models.Model):
    """A worker's share of a job (派工/工票). Rework assignments (返工) come from an inspection result."""

    job = models.ForeignKey(
        Job, verbose_name=_("外发单"), on_delete=models.CASCADE, related_name="assignments"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("坊工"), on_delete=models.PROTECT, related_name="assignments"
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=AssignmentKind.choices, default=AssignmentKind.FIRST
    )
    rework_of = models.OneToOneField(
        "InspectionResult",
        verbose_name=_("返工来源"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rework_assignment",
    )
    # A rework share the head handed on to another worker (转给别人返工, ``rework_pass_on``): the share whose
    # unreworked rest it holds. Its ``rework_of`` stays empty (one rework share per inspection result, the
    # one the firm's verdict made); the verdict it comes from is that share's, up the chain.
    handed_from = models.ForeignKey(
        "self",
        verbose_name=_("转自"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handed_to",
    )
    pieces = models.PositiveIntegerField(_("派工件数"))
    pieces_reported = models.PositiveIntegerField(_("已报工件数"), default=0)
    pieces_passed = models.PositiveIntegerField(_("合格件数"), default=0)
    pieces_rejected = models.PositiveIntegerField(_("不合格件数"), default=0)
    # Reported pieces that left the workshop for the firm on a delivery note (交货): what the firm may
    # inspect. Reported but not handed over: still at the workshop or at the worker's home.
    pieces_handed_over = models.PositiveIntegerField(_("已交企业件数"), default=0)
    # Pieces of her share the head took back before she made them (收回剩余, ``share_take_back``), given
    # back to the job: a done share's ``pieces`` is cut to what she reported; a withdrawn one keeps them.
    pieces_taken_back = models.PositiveIntegerField(_("收回件数"), default=0, db_default=0)
    due_on = models.DateField(_("交货日期"))
    delivery = models.CharField(
        _("领料方式"), max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.PICKUP
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=AssignmentState.choices, default=AssignmentState.OFFERED
    )
    reasons = models.CharField(_("派工理由"), max_length=200, blank=True)
    offered_at = models.DateTimeField(_("派出时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("答复截止"), null=True, blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("派工")
        verbose_name_plural = _("派工")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["worker", "state"]), models.Index(fields=["state", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(pieces__gt=0), name="assignment_pieces_positive"),
            models.CheckConstraint(
                condition=Q(pieces_reported__lte=F("pieces")), name="assignment_reported_le_pieces"
            ),
            models.CheckConstraint(
                condition=Q(pieces_passed__lte=F("pieces_reported") - F("pieces_rejected")),
                name="assignment_passed_rejected_le_reported",
            ),
            models.CheckConstraint(
                condition=Q(pieces_handed_over__lte=F("pieces_reported")),
                name="assignment_handed_over_le_reported",
            ),
            models.CheckConstraint(
                condition=Q(pieces_passed__lte=F("pieces_handed_over") - F("pieces_rejected")),
                name="assignment_inspected_le_handed_over",
            ),
            models.CheckConstraint(
                condition=Q(kind="first", rework_of__isnull=True, handed_from__isnull=True)
                | Q(kind="rework", rework_of__isnull=False, handed_from__isnull=True)
                | Q(kind="rework", rework_of__isnull=True, handed_from__isnull=False),
                name="assignment_rework_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} → {self.worker} ({self.pieces})"

    def get_state_display(self) -> str:
        return choice_label(AssignmentState, self.state)

    def get_delivery_display(self) -> str:
        return choice_label(DeliveryMode, self.delivery)

    @property
    def pieces_to_do(self) -> int:
        return self.pieces - self.pieces_reported

    @property
    def rest_to_take_back(self) -> int:
        """Pieces the head may take back now (收回剩余, ``share_take_back``): what is left to make of a
        first-round share she accepted; 0 for any other share."""
        if self.state != AssignmentState.ACCEPTED or self.kind != AssignmentKind.FIRST:
            return 0
        return self.pieces_to_do

    @property
    def rest_to_pass_on(self) -> int:
        """Pieces of a rework share (返工) she accepted and has not reworked yet: what the head may hand to
        another worker (转给别人返工, ``rework_pass_on``); 0 for any other share."""
        if self.state != AssignmentState.ACCEPTED or self.kind != AssignmentKind.REWORK:
            return 0
        return self.pieces_to_do

    @property
    def pieces_uninspected(self) -> int:
        """Reported pieces without the firm's verdict yet, wherever they are (what may still be paid)."""
        return self.pieces_reported - self.pieces_passed - self.pieces_rejected

    @property
    def pieces_to_inspect(self) -> int:
        """Pieces at the firm waiting for its verdict: handed over, not yet passed or rejected. Only these
        are inspected."""
        return self.pieces_handed_over - self.pieces_passed - self.pieces_rejected

    @property
    def pieces_not_handed_over(self) -> int:
        """Reported pieces still on the workshop's side (at the workshop or at the worker's home)."""
        return self.pieces_reported - self.pieces_handed_over


class WorkReport(models.Model):
    """A worker's report of pieces done (报工). ``key`` makes a retried or double-tapped report count once.

    Append-only: an undo or a correction is a reversal row (``reverses`` the report it cancels, negative
    ``pieces``, with a ``reason``), followed by a new report for a corrected figure; nothing is edited."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("派工"), on_delete=models.CASCADE, related_name="reports"
    )
    pieces = models.IntegerField(_("件数"))
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲销的报工"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    at = models.DateTimeField(_("报工时间"), auto_now_add=True)
    key = models.CharField(_("幂等键"), max_length=64, unique=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报工人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("报工")
        verbose_name_plural = _("报工")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, pieces__gt=0) | Q(reverses__isnull=False, pieces__lt=0),
                name="report_pieces_signed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.pieces}"


class Inspection(models.Model):
    """The firm's verdict on a delivered lot of a job (质检/验收); one result row per assignment."""

    job = models.ForeignKey(
        Job, verbose_name=_("外发单"), on_delete=models.CASCADE, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("质检员"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("备注"), blank=True)
    at = models.DateTimeField(_("验收时间"), auto_now_add=True)
    booked_at = models.DateTimeField(_("入账时间"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的质检"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text=_("更正记录:先冲销原结果,再记更正后的结果"),
    )
    pieces_short = models.PositiveIntegerField(
        _("点收短少件数"),
        default=0,
        help_text=_("验收时企业点收比送出少的件数:这批的合格件数合计(更正后也一样)不能超过点收数"),
    )

    class Meta:
        verbose_name = _("质检")
        verbose_name_plural = _("质检")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.at:%Y-%m-%d}"


class InspectionResult(models.Model):
    """One assignment's result in an inspection: submitted = passed + rejected; rework ⊆ rejected.

    A correction (an inspection that ``corrects`` another) holds, per corrected result, a reversal row
    (``reverses`` it: every figure negated, rework 0) and the corrected row (rework 0: the rework share
    already made stays with the original)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("质检"), on_delete=models.CASCADE, related_name="results"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("派工"), on_delete=models.PROTECT, related_name="inspection_results"
    )
    pieces_submitted = models.IntegerField(_("送检件数"))
    pieces_passed = models.IntegerField(_("合格件数"))
    pieces_rejected = models.IntegerField(_("不合格件数"))
    pieces_rework = models.PositiveIntegerField(_("返工件数"), default=0)
    reason = models.CharField(_("不合格原因"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲销的结果"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )

    class Meta:
        verbose_name = _("质检结果")
        verbose_name_plural = _("质检结果")
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "assignment"],
                condition=Q(reverses__isnull=True),
                name="result_once_per_assignment",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, pieces_passed__gte=0, pieces_rejected__gte=0)
                | Q(reverses__isnull=False, pieces_passed__lte=0, pieces_rejected__lte=0, pieces_rework=0),
                name="result_signed_by_reversal",
            ),
            models.CheckConstraint(
                condition=Q(pieces_submitted=F("pieces_passed") + F("pieces_rejected")),
                name="result_submitted_is_passed_plus_rejected",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=False) | Q(pieces_rework__lte=F("pieces_rejected")),
                name="result_rework_le_rejected",
            ),
        ]
        indexes = [
            # A worker's results with nothing passed (no pay line: their month is their inspection's
            # booking): the few the Earnings page looks up beside her month's pay lines, without reading
            # every result of her history (mobile.selectors.earnings_for_worker; issue 15).
            models.Index(fields=["assignment"], condition=Q(pieces_passed=0), name="result_nothing_passed"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.pieces_passed}/{self.pieces_submitted}"


class FlowEvent(models.Model):
    """One row for every state change (流程记录, 全流程监督): what, from, to, who, when, why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    obj = GenericForeignKey("content_type", "object_id")
    job = models.ForeignKey(Job, verbose_name=_("外发单"), on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空表示系统自动"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.content_type.model}#{self.object_id} {self.from_state}→{self.to_state}"


class FlowDay(models.Model):
    """The flow's pieces and first hand-overs of one production line's jobs at one workshop on one
    Asia/Shanghai day, summed (``dispatch.flowdays``): kept by the transactions that write the rows it sums
    (report, undo and correction; inspection and its correction; a job's first hand-over), rebuilt from
    them by ``flowdays_rebuild``. Not a ledger: updated in step with one.

    ``reported``: signed pieces of the day's work reports (a reversal takes back on its own day);
    ``passed``/``rejected``: signed pieces of the inspection results of the day's inspections (a
    correction's reversal and corrected row on the correction's day); ``sent``: jobs whose first lot left
    the workshop that day (交货), ``sent_on_time`` of them on or before the job's due date. All ints."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="+")
    line = models.ForeignKey(ProductionLine, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    reported = models.IntegerField(default=0)
    passed = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    sent = models.IntegerField(default=0)
    sent_on_time = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workshop", "line", "day"], name="flow_day_unique")]
        indexes = [models.Index(fields=["day"], name="flow_day_day")]

    def __str__(self) -> str:
        return f"{self.workshop_id}/{self.line_id} {self.day}"


class SpeedDay(models.Model):
    """A workshop's median learned speeds (``dispatch.minwage.median_speeds``) as computed on ``day`` (an
    Asia/Shanghai date): ``speeds`` {process kind: [pieces an hour (int), workers it rests on (int)]}, empty
    when nobody reported in the last 28 days. A statistic of the last 28 days, taken once a day: the first
    read of a day computes it from the reports and keeps it here; later reads that day read this row. Not a
    ledger: one row per workshop, replaced each day."""

    workshop = models.OneToOneField(Workshop, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    speeds = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.workshop_id} {self.day}"
