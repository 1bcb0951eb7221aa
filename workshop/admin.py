"""Admin for workshops, firms, lines, pairings, workers and staff links (community admins' back office).

A worker's phone and ID number show masked in lists; ``low_income`` (sensitive) appears only in the change
form, never as a column or a filter.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    CommunityAdmin,
    CountyOfficial,
    Courier,
    FirmStaff,
    MinimumWage,
    Pairing,
    PartnerFirm,
    ProductionLine,
    Worker,
    WorkerEvent,
    Workshop,
    WorkWish,
)
from .validators import bank_account_digits


class ViewOnlyMixin:
    """A ledger row: listed and opened, never added, changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = "暖心坊 · Nuanxin 管理"
admin.site.site_title = "暖心坊 · Nuanxin"
admin.site.index_title = _("数据管理")


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "subdistrict", "county", "head", "operator", "created_at")
    list_select_related = ("head",)
    list_filter = ("county", "subdistrict")
    search_fields = ("name", "community", "subdistrict", "county", "operator")
    autocomplete_fields = ("head",)


class LineInline(admin.TabularInline):
    model = ProductionLine
    extra = 0


@admin.register(PartnerFirm)
class PartnerFirmAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "industry", "industry_division", "contact", "phone")
    list_filter = ("industry", "pairings__workshop__county")
    search_fields = ("name", "credit_code", "contact", "search_text")
    inlines = [LineInline]


@admin.register(ProductionLine)
class ProductionLineAdmin(admin.ModelAdmin):
    list_display = ("name", "firm", "process_kind", "inhouse_cost_per_piece", "active")
    list_select_related = ("firm",)
    list_filter = ("process_kind", "active", "firm")
    search_fields = ("name", "firm__name")
    autocomplete_fields = ("firm",)


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = (
        "firm",
        "workshop",
        "signed_on",
        "active",
        "auto_accept",
        "auto_accept_max_pieces",
        "auto_accept_min_lead_days",
        "operator_fee_kind",
        "operator_fee_value",
    )
    list_select_related = ("firm", "workshop")
    list_filter = ("active", "auto_accept", "workshop__county")
    search_fields = ("firm__name", "workshop__name", "workshop__community")
    autocomplete_fields = ("firm", "workshop")
    filter_horizontal = ("lines",)
    date_hierarchy = "signed_on"
    # The head's choice, changed on the dashboard where each change is kept (PairingChange), never here.
    readonly_fields = ("firm_sees_names",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "lines":
            kwargs["queryset"] = ProductionLine.objects.select_related("firm")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "workshop",
        "phone_display",
        "id_number_display",
        "bank_account_display",
        "employment",
        "work_place",
        "hours_per_week",
        "active",
    )
    list_select_related = ("workshop",)
    # Never low_income here: a filter would show who is low-income to anyone who can open the list.
    list_filter = ("workshop", "employment", "work_place", "active")
    search_fields = ("name", "workshop__name", "home_area")
    autocomplete_fields = ("user", "workshop")

    @admin.display(description=_("手机号"))
    def phone_display(self, obj: Worker) -> str:
        return obj.phone_masked

    @admin.display(description=_("身份证号"))
    def id_number_display(self, obj: Worker) -> str:
        return obj.id_number_masked

    @admin.display(description=_("收款账号"))
    def bank_account_display(self, obj: Worker) -> str:
        return obj.bank_account_masked

    def save_model(self, request, obj, form, change):
        # Typed as printed on the card (groups of 4 with spaces, which the validator allows); stored as
        # digits, as the transfer list needs them.
        obj.bank_account = bank_account_digits(obj.bank_account)
        super().save_model(request, obj, form, change)


@admin.register(WorkerEvent)
class WorkerEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """The record audit, append-only: its changes are stored masked (``workshop.audit``)."""

    list_display = ("at", "worker", "action", "actor", "note")
    list_select_related = ("worker", "actor")
    list_filter = ("action",)
    search_fields = ("worker__name",)


@admin.register(Courier)
class CourierAdmin(admin.ModelAdmin):
    list_display = ("name", "workshop", "phone_display", "active")
    list_select_related = ("workshop",)
    list_filter = ("workshop", "active")
    search_fields = ("name", "workshop__name")
    autocomplete_fields = ("user", "workshop")

    @admin.display(description=_("手机号"))
    def phone_display(self, obj: Courier) -> str:
        return obj.phone_masked


@admin.register(FirmStaff)
class FirmStaffAdmin(admin.ModelAdmin):
    list_display = ("user", "firm")
    list_select_related = ("user", "firm")
    list_filter = ("firm",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "firm__name")
    autocomplete_fields = ("user", "firm")


@admin.register(CommunityAdmin)
class CommunityAdminAdmin(admin.ModelAdmin):
    list_display = ("user", "community", "subdistrict", "county")
    list_select_related = ("user",)
    list_filter = ("county", "subdistrict")
    search_fields = ("user__username", "community", "subdistrict", "county")
    autocomplete_fields = ("user",)


@admin.register(CountyOfficial)
class CountyOfficialAdmin(admin.ModelAdmin):
    list_display = ("user", "county")
    list_select_related = ("user",)
    list_filter = ("county",)
    search_fields = ("user__username", "county")
    autocomplete_fields = ("user",)


@admin.register(WorkWish)
class WorkWishAdmin(admin.ModelAdmin):
    """The supply list (供给清单). ``low_income`` and its consent show only to community admins and
    superusers, in the change form; never as a column or a filter."""

    list_display = (
        "name",
        "phone_display",
        "work_place",
        "hours_per_week",
        "area",
        "workshop",
        "status",
        "updated_at",
    )
    list_select_related = ("workshop",)
    list_filter = ("status", "work_place", "workshop")
    search_fields = ("name", "area")
    readonly_fields = ("low_income_consent_at", "consent_version", "created_at", "updated_at")
    SENSITIVE = ("low_income", "low_income_consent_at", "consent_version")

    @admin.display(description=_("手机号"))
    def phone_display(self, obj: WorkWish) -> str:
        return obj.phone_masked

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_superuser or CommunityAdmin.objects.filter(user=request.user).exists():
            return fields
        return [f for f in fields if f not in self.SENSITIVE]


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    """Rows are added (the admin's log records who added what), never changed or deleted: a new figure is a
    new row, so the history of figures stays. Community admins set theirs on the dashboard."""

    list_display = (
        "effective_from",
        "region",
        "county",
        "subdistrict",
        "community",
        "tier",
        "hourly",
        "set_by",
    )
    list_filter = ("county", "tier")
    list_select_related = ("set_by",)
    readonly_fields = ("set_by", "set_at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_by = request.user
        super().save_model(request, obj, form, change)
