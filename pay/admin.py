"""Admin for the pay ledger: pay lines and periods are records of what was booked, view only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workshop.admin import ViewOnlyMixin

from .models import PayLine, PayPeriod, SlipNote


@admin.register(PayPeriod)
class PayPeriodAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("workshop", "month", "total_yuan", "closed_at")
    list_select_related = ("workshop",)
    list_filter = ("workshop", "month")
    search_fields = ("workshop__name", "workshop__community")


@admin.register(PayLine)
class PayLineAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "worker", "job_title", "pieces_passed", "rate", "amount", "booked_on", "period")
    list_select_related = ("worker", "assignment__job", "period", "period__workshop")
    list_filter = ("worker__workshop", "booked_on")
    search_fields = ("worker__name", "assignment__job__title")
    date_hierarchy = "booked_on"

    @admin.display(description=_("外发单"), ordering="assignment__job__title")
    def job_title(self, obj: PayLine) -> str:
        return obj.assignment.job.title


@admin.register(SlipNote)
class SlipNoteAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "worker", "month", "kind", "at", "by")
    list_select_related = ("worker", "by")
    list_filter = ("kind", "month", "worker__workshop")
