"""Admin for the inbox: messages are records of what was said, view only, shown in the admin's language."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workshop.admin import ViewOnlyMixin
from workshop.bigadmin import BigListMixin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(BigListMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "message", "sent_at", "read_at")
    list_select_related = ("recipient",)
    list_filter = (
        ("created_at", admin.DateFieldListFilter),
        "kind",
        ("sent_at", admin.EmptyFieldListFilter),
        ("read_at", admin.EmptyFieldListFilter),
    )
    # A message's words are rendered, not stored (only messages made before kinds had parameters keep
    # their ``text``): search by recipient.
    search_fields = ("text", "recipient__username")

    @admin.display(description=_("内容"))
    def message(self, obj: Notification) -> str:
        return obj.text_now
