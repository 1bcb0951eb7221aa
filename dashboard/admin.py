from django.contrib import admin

from .models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "kind", "status", "rows_done", "rows_total", "created_at", "seconds")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Export._meta.fields]
