"""Bundle tickets (扎票/菲票): one row per printed ticket.

A ticket covers ``pieces`` pieces (int > 0) of one assignment (a worker's share). Its QR code holds only
``token`` (random, unique, not the primary key) inside the phone page's URL; the server knows the rest.
A share's tickets are printed in runs: the first print is run 1; a reprint voids the run's unreported
tickets and prints the pieces still to do as run n + 1. Within a run, ``number`` counts 1..``count``.

States: open → reported (the worker's one tap, which made ``report``) or open → void (a reprint). The
database holds the rules: a reported ticket has its report and an open or void one has none, a report
counts for one ticket at most (``report`` is one-to-one), and a verdict (the firm's per-bundle
inspection: passed + rejected = pieces, rework ⊆ rejected) exists only on a reported ticket.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dispatch.models import Assignment, InspectionResult, Job, WorkReport


class TicketState(models.TextChoices):
    OPEN = "open", _("待报工")
    REPORTED = "reported", _("已报工")
    VOID = "void", _("已作废")


TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketState.OPEN: frozenset({TicketState.REPORTED, TicketState.VOID}),
    TicketState.REPORTED: frozenset(),
    TicketState.VOID: frozenset(),
}


class BundleTicket(models.Model):
    """A printed ticket on one bundle (扎) of a share's pieces."""

    token = models.CharField(_("票码"), max_length=32, unique=True, editable=False)
    job = models.ForeignKey(
        Job, verbose_name=_("外发单"), on_delete=models.CASCADE, related_name="bundle_tickets"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("派工"), on_delete=models.CASCADE, related_name="bundle_tickets"
    )
    run = models.PositiveSmallIntegerField(_("打印批次"), default=1)
    number = models.PositiveIntegerField(_("扎号"))
    count = models.PositiveIntegerField(_("本批扎数"))
    pieces = models.PositiveIntegerField(_("件数"))
    state = models.CharField(_("状态"), max_length=10, choices=TicketState.choices, default=TicketState.OPEN)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("打印人"), on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(_("打印时间"), auto_now_add=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    report = models.OneToOneField(
        WorkReport,
        verbose_name=_("报工"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bundle_ticket",
    )
    reported_at = models.DateTimeField(_("报工时间"), null=True, blank=True)
    # The firm's verdict on this bundle (按扎验收), recorded by scanning; it goes into the inspection result
    # of the assignment when the inspector submits, which leads on to the pay line and the rework.
    pieces_passed = models.PositiveIntegerField(_("合格件数"), null=True, blank=True)
    pieces_rejected = models.PositiveIntegerField(_("不合格件数"), null=True, blank=True)
    pieces_rework = models.PositiveIntegerField(_("返工件数"), null=True, blank=True)
    reason = models.CharField(_("不合格原因"), max_length=200, blank=True)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("质检员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    inspected_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    inspection_result = models.ForeignKey(
        InspectionResult,
        verbose_name=_("质检结果"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bundle_tickets",
    )

    class Meta:
        verbose_name = _("扎票")
        verbose_name_plural = _("扎票")
        ordering = ["assignment_id", "run", "number"]
        indexes = [models.Index(fields=["assignment", "state"]), models.Index(fields=["job", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "run", "number"], name="ticket_once_per_number"),
            models.CheckConstraint(condition=Q(pieces__gt=0), name="ticket_pieces_positive"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=F("count")), name="ticket_number_in_run"
            ),
            models.CheckConstraint(
                condition=Q(state="reported", report__isnull=False, reported_at__isnull=False)
                | (~Q(state="reported") & Q(report__isnull=True, reported_at__isnull=True)),
                name="ticket_reported_has_report",
            ),
            models.CheckConstraint(
                condition=Q(state="void", voided_at__isnull=False)
                | (~Q(state="void") & Q(voided_at__isnull=True)),
                name="ticket_void_has_time",
            ),
            models.CheckConstraint(
                condition=Q(
                    inspected_at__isnull=True,
                    pieces_passed__isnull=True,
                    pieces_rejected__isnull=True,
                    pieces_rework__isnull=True,
                    inspection_result__isnull=True,
                )
                | Q(
                    state="reported",
                    inspected_at__isnull=False,
                    pieces_passed=F("pieces") - F("pieces_rejected"),
                    pieces_rework__lte=F("pieces_rejected"),
                ),
                name="ticket_verdict_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.run}-{self.number}/{self.count}"

    @property
    def has_verdict(self) -> bool:
        return self.inspected_at is not None
