"""A courier's record of stops and restores (配送员停用记录): who stopped her or brought her back, when,
and why. A model of the ``workshop`` app (imported by ``workshop.models``), written by
``workshop.services.courier_deactivate`` / ``courier_reactivate`` in the transaction of the change."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CourierAction(models.TextChoices):
    STOPPED = "stopped", _("已停用")
    RESTORED = "restored", _("已恢复在岗")


class CourierEvent(models.Model):
    """One stop or restore of a courier, append-only: never edited or deleted. ``reason``: the head's
    words (needed to stop her, up to 200 characters)."""

    courier = models.ForeignKey(
        "workshop.Courier", verbose_name=_("配送员"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20, choices=CourierAction.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("配送员记录")
        verbose_name_plural = _("配送员记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["courier", "at"])]

    def __str__(self) -> str:
        return f"{self.courier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
