"""The dashboard's own records: spreadsheet exports run in the background (导出).

The flow's records live in ``workshop`` and ``dispatch``; the dashboard only reads them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    JOBS = "jobs", _("外发单")
    ASSIGNMENTS = "assignments", _("派工")
    PAY_LINES = "pay_lines", _("工资明细")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Export(models.Model):
    """One xlsx export a user asked for: what (``kind`` and ``params``: ``from``/``to`` ISO dates and
    an optional ``workshop`` id), how far the Celery task got (``rows_done`` of ``rows_total``) and the
    finished ``file``. Rows are scoped by the user's dashboard role when the task runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("导出内容"), max_length=20, choices=ExportKind.choices)
    params = models.JSONField(_("条件"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Measured by the task itself: wall time, and the Python heap's peak while writing (tracemalloc,
    # only when params["measure"] is set, since tracing slows the writer down).
    seconds = models.FloatField(_("耗时(秒)"), null=True, blank=True)
    peak_kib = models.PositiveIntegerField(_("内存峰值(KiB)"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出")
        verbose_name_plural = _("导出")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total")), name="export_done_le_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
