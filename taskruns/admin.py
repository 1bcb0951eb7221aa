from django.contrib import admin

from .models import TaskRun


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ("task_id", "task_name", "state", "attempts", "updated_at")
    list_filter = ("state", "task_name")
    readonly_fields = [f.name for f in TaskRun._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
