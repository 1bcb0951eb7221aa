"""Admin for the materials ledger: bills of materials, movements and balances are records, view only."""

from django.contrib import admin

from workshop.admin import ViewOnlyMixin

from .models import Balance, BomLine, MaterialProblem, Movement


@admin.register(BomLine)
class BomLineAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("job", "material", "unit", "per_piece", "loss_pct")
    list_select_related = ("job",)
    search_fields = ("material", "job__title")


@admin.register(Movement)
class MovementAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "job", "line", "kind", "source", "target", "worker", "quantity", "actor", "reason")
    list_select_related = ("job", "line", "worker", "actor")
    list_filter = ("kind",)
    search_fields = ("line__material", "job__title", "reason")


@admin.register(Balance)
class BalanceAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("line", "holder", "worker", "quantity")
    list_select_related = ("line", "worker")


@admin.register(MaterialProblem)
class MaterialProblemAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "line", "worker", "kind", "quantity", "note")
    list_select_related = ("line", "worker")
    list_filter = ("kind",)
