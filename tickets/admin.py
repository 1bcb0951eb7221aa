"""Admin for bundle tickets: view only. Tickets are printed, reported, voided and inspected through
``tickets.services``, never edited by hand."""

from django.contrib import admin

from workshop.admin import ViewOnlyMixin

from .models import BundleTicket


@admin.register(BundleTicket)
class BundleTicketAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "job",
        "assignment",
        "run",
        "number",
        "count",
        "pieces",
        "state",
        "printed_at",
        "reported_at",
        "pieces_passed",
        "pieces_rejected",
    )
    list_select_related = ("job", "assignment", "assignment__worker")
    list_filter = ("state",)
    search_fields = ("job__title", "assignment__worker__name", "token")
