"""Admin for the inbox: messages are records of what was said, view only."""

from django.contrib import admin

from workshop.admin import ViewOnlyMixin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "text", "sent_at", "read_at")
    list_select_related = ("recipient",)
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter), ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("text", "recipient__username")
    date_hierarchy = "created_at"
