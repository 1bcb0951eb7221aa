"""Admin for door delivery and collection: runs, stops, collections and delivery notes are view only (they
move through ``logistics.services``); places are the community's own table and can be corrected here."""

from django.contrib import admin

from workshop.admin import ViewOnlyMixin

from .models import Collection, DeliveryNote, Place, Run, Stop


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "community", "lat", "lng", "firm")
    list_filter = ("kind", "county", "subdistrict")
    search_fields = ("name", "community")


@admin.register(Run)
class RunAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("day", "workshop", "vehicle", "courier", "state", "solver", "distance_m", "duration_min")
    list_select_related = ("workshop", "vehicle", "courier")
    list_filter = ("state", "solver")
    date_hierarchy = "day"


@admin.register(Stop)
class StopAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("run", "seq", "kind", "state", "worker", "firm", "boxes", "done_at")
    list_select_related = ("run", "run__vehicle", "worker", "firm")
    list_filter = ("kind", "state")


@admin.register(Collection)
class CollectionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("at", "assignment", "ticket", "pieces", "by")
    list_select_related = ("assignment", "ticket", "by")


@admin.register(DeliveryNote)
class DeliveryNoteAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("job", "lot", "state", "pieces_sent", "pieces_counted", "prepared_at", "received_at")
    list_select_related = ("job",)
    list_filter = ("state",)
