"""Admin for the pay ledger: pay lines, periods and statements are records of what was booked, view only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workshop.admin import ViewOnlyMixin
from workshop.bigadmin import BigListMixin

from .models import FirmStatement, PayLine, PayPeriod, SlipNote, StatementDispute


@admin.register(PayPeriod)
class PayPeriodAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("workshop", "month", "total_yuan", "closed_at")
    list_select_related = ("workshop",)
    list_filter = ("workshop", "month")
    search_fields = ("workshop__name", "workshop__community")


@admin.register(PayLine)
class PayLineAdmin(BigListMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "worker", "job_title", "pieces_passed", "rate", "amount", "booked_on", "period")
    list_select_related = ("worker", "assignment__job", "period", "period__workshop")
    list_filter = ("worker__workshop", "booked_on")
    search_fields = ("worker__name", "assignment__job__title")

    @admin.display(description=_("外发单"), ordering="assignment__job__title")
    def job_title(self, obj: PayLine) -> str:
        return obj.assignment.job.title


@admin.register(FirmStatement)
class FirmStatementAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "firm",
        "workshop",
        "month",
        "version",
        "processing_yuan",
        "material_deduction_yuan",
        "operator_fee_yuan",
        "payable_yuan",
        "signed_at",
    )
    list_select_related = ("firm", "workshop")
    list_filter = ("workshop", "month")
    search_fields = ("firm__name", "workshop__name")


@admin.register(StatementDispute)
class StatementDisputeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("statement", "clerk_figure_yuan", "workshop_figure_yuan", "raised_by", "at")
    list_select_related = ("statement__firm", "statement__workshop", "raised_by")


@admin.register(SlipNote)
class SlipNoteAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "worker", "month", "kind", "at", "by")
    list_select_related = ("worker", "by")
    list_filter = ("kind", "month", "worker__workshop")
