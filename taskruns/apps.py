from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaskrunsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "taskruns"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        # The purge is a beat task: register it in every process.
        from . import tasks  # noqa: F401
