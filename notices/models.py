"""The inbox: one row per message to one user, stored as a kind and its parameters.

The table was made by the flow app (``dispatch``) and keeps its name (``db_table``): moving the model here
moved no row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workshop.languages import language_of

from .messages import NotificationKind, render

__all__ = ["Notification", "NotificationKind"]


class Notification(models.Model):
    """An in-app inbox message: ``kind`` and ``params`` (JSON: names, titles, ints, decimal strings), put
    into words by ``notices.messages`` in the reader's language when shown (``text_now``) or sent
    (``text_for_recipient``). ``text`` holds only the words of messages stored before messages had
    parameters, in the language they were made in.

    ``sent_at`` marks delivery through the configured senders (or giving up after
    ``delivery.MAX_DELIVERY_ATTEMPTS``); ``sent_via`` lists the senders that delivered it, so a retry goes
    only through the ones that failed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=30, choices=NotificationKind.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    text = models.CharField(_("内容(旧消息)"), max_length=300, blank=True)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    sent_via = models.JSONField(_("已发送渠道"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        db_table = "dispatch_notification"  # made by the flow app before notices had its own
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="dispatch_no_recipie_3aa02b_idx"),
            # The inbox: a reader's newest messages first (``inbox_for_user``), without sorting her history.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notice_inbox_newest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    def text_in(self, language: str | None = None) -> str:
        """The message in words, in ``language`` (None: the language active now)."""
        if not self.params and self.text:
            return self.text
        return render(self.kind, self.params, language)

    @property
    def text_now(self) -> str:
        """The message in the language of the page showing it."""
        return self.text_in(None)

    def text_for_recipient(self) -> str:
        """The message in the recipient's own language (``workshop.languages.language_of``): what a
        sender sends."""
        return self.text_in(language_of(self.recipient_id))
