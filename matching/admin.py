"""Admin for the two lists: demands, import batches and the history (read-only: statuses move only
through ``matching.services``, so the admin never edits a status or an event)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workshop.admin import ViewOnlyMixin

from .models import DemandEntry, EntryEvent, ImportBatch, ImportMapping, Skill, WishRecord


@admin.register(DemandEntry)
class DemandEntryAdmin(admin.ModelAdmin):
    list_display = (
        "firm",
        "process_kind",
        "workshop",
        "pieces_per_week",
        "hours_per_week",
        "starts_on",
        "status",
    )
    list_select_related = ("firm", "workshop")
    list_filter = ("status", "process_kind", "workshop")
    search_fields = ("firm__name", "firm__credit_code", "title")
    readonly_fields = ("status", "created_by", "batch", "created_at", "updated_at")
    autocomplete_fields = ("firm",)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "kind",
        "workshop",
        "filename",
        "rows",
        "created_count",
        "updated_count",
        "uploaded_by",
    )
    list_select_related = ("workshop", "uploaded_by")
    list_filter = ("kind", "workshop")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EntryEvent)
class EntryEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "subject", "demand", "wish", "from_state", "to_state", "actor", "note")
    list_select_related = ("demand__firm", "wish", "actor")
    list_filter = ("subject", "to_state")


@admin.register(WishRecord)
class WishRecordAdmin(admin.ModelAdmin):
    list_display = ("wish", "source", "batch", "worker", "id_number_display")
    list_select_related = ("wish", "batch", "worker")
    list_filter = ("source",)
    # The ID number is shown masked and never as a form field (it would print the whole number).
    exclude = ("id_number",)
    readonly_fields = ("wish", "batch", "worker", "id_number_display")

    @admin.display(description=_("身份证号"))
    def id_number_display(self, obj: WishRecord) -> str:
        return obj.id_number_masked


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "process_kind", "community", "subdistrict", "county", "created_by", "created_at")
    list_filter = ("process_kind", "community")
    readonly_fields = ("created_by", "created_at")


@admin.register(ImportMapping)
class ImportMappingAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("community", "kind", "filename", "saved_by", "saved_at")
    list_filter = ("kind", "community")
