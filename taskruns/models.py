"""One row per Celery task id: how many times it was delivered without finishing, and where it stands."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskRunState(models.TextChoices):
    PENDING = "pending", _("待重试")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("已失败")


class TaskRun(models.Model):
    """The deliveries of one Celery task id (``outbox-<pk>``, a sweep's ``sweep-<task>-<pk>`` or a random id).

    ``attempts`` counts deliveries that did not end in success or in a scheduled Celery retry: it is raised
    before the body runs, in its own committed transaction, so a process killed mid-task is still counted.
    Past ``NUANXIN_TASK_MAX_DELIVERIES`` the run is ``failed`` and later deliveries are refused until staff
    retry it. ``args``/``kwargs`` are the task's JSON arguments (ids, never personal data); ``last_error``
    the exception's type and text (no payload)."""

    task_id = models.CharField(_("任务编号"), max_length=255, unique=True)
    task_name = models.CharField(_("任务"), max_length=200, db_index=True)
    args = models.JSONField(_("位置参数"), default=list)
    kwargs = models.JSONField(_("关键字参数"), default=dict)
    attempts = models.PositiveIntegerField(_("投递次数"), default=0)
    state = models.CharField(
        _("状态"), max_length=10, choices=TaskRunState.choices, default=TaskRunState.PENDING
    )
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True, default="")
    failed_at = models.DateTimeField(_("失败时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [
            # The staff page's scan: failed runs by task name.
            models.Index(fields=["task_name"], condition=models.Q(state="failed"), name="taskrun_failed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name}#{self.task_id}"
