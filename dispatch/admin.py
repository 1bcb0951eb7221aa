"""Admin for the flow's records.

States move only through ``dispatch.services`` (one FlowEvent per move), so the admin never edits a state or
a counter the services keep, and never adds a job or an assignment. Reports, inspection results and flow
events are records of what happened: view only.
"""

from django.contrib import admin

from workshop.admin import ViewOnlyMixin
from workshop.bigadmin import BigListMixin

from .models import (
    Assignment,
    FlowEvent,
    Inspection,
    InspectionResult,
    Job,
    WorkReport,
)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "title",
        "workshop",
        "line",
        "quantity",
        "pieces_assigned",
        "piece_rate",
        "due_on",
        "state",
        "issued_by",
        "issued_at",
    )
    list_select_related = ("workshop", "line", "line__firm", "issued_by")
    list_filter = ("state", "process_kind", "workshop", "line__firm")
    search_fields = ("title", "workshop__name", "line__name", "line__firm__name")
    date_hierarchy = "issued_at"
    readonly_fields = (
        "workshop",
        "line",
        "quantity",
        "piece_rate",
        "operator_fee_per_piece",  # the pairing's fee as it was at issue: pay lines were booked by it
        "bundle_size",  # set at issue; the share's printed tickets were cut by it
        "state",
        "pieces_assigned",
        "pieces_short",
        "issued_by",
        "issued_at",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False  # a job is issued through services.job_issue (pairing check, FlowEvent, head notified)


@admin.register(Assignment)
class AssignmentAdmin(BigListMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "job",
        "worker",
        "kind",
        "pieces",
        "pieces_reported",
        "pieces_passed",
        "pieces_rejected",
        "due_on",
        "delivery",
        "state",
    )
    list_select_related = ("job", "worker")
    list_filter = ("state", "kind", "delivery", "job__workshop")
    search_fields = ("job__title", "worker__name")
    readonly_fields = (
        "job",
        "worker",
        "kind",
        "rework_of",
        "handed_from",
        "pieces",
        "pieces_reported",
        "pieces_passed",
        "pieces_rejected",
        "state",
        "offered_at",
        "responded_at",
        "done_at",
    )

    def has_add_permission(self, request):
        return False  # offers are made by services.assignment_offer / job_plan_offers


@admin.register(WorkReport)
class WorkReportAdmin(BigListMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "assignment", "pieces", "at", "reported_by")
    list_select_related = ("assignment", "assignment__job", "assignment__worker", "reported_by")
    list_filter = (("at", admin.DateFieldListFilter), "assignment__job__workshop")
    search_fields = ("assignment__job__title", "assignment__worker__name", "key")


class InspectionResultInline(admin.TabularInline):
    model = InspectionResult
    extra = 0
    can_delete = False
    fields = ("assignment", "pieces_submitted", "pieces_passed", "pieces_rejected", "pieces_rework", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assignment__job", "assignment__worker")


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ("id", "job", "inspector", "at", "booked_at")
    list_select_related = ("job", "inspector")
    list_filter = ("job__workshop", "job__line__firm")
    search_fields = ("job__title", "notes")
    date_hierarchy = "at"
    readonly_fields = ("job", "inspector", "at", "booked_at")
    inlines = [InspectionResultInline]

    def has_add_permission(self, request):
        return False  # inspections are recorded by services.job_inspect


@admin.register(InspectionResult)
class InspectionResultAdmin(BigListMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "inspection",
        "assignment",
        "pieces_submitted",
        "pieces_passed",
        "pieces_rejected",
        "pieces_rework",
        "reason",
    )
    list_select_related = (
        "inspection",
        "inspection__job",
        "assignment",
        "assignment__job",
        "assignment__worker",
    )
    list_filter = ("inspection__job__workshop",)
    search_fields = ("assignment__job__title", "assignment__worker__name", "reason")


@admin.register(FlowEvent)
class FlowEventAdmin(BigListMixin, ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "job", "content_type", "object_id", "from_state", "to_state", "actor", "note")
    list_select_related = ("job", "content_type", "actor")
    list_filter = (("at", admin.DateFieldListFilter), "content_type", "to_state", "job__workshop")
    search_fields = ("job__title", "note")
