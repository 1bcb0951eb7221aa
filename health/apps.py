from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "health"
    verbose_name = _("运行状况")

    def ready(self) -> None:
        # The system checks (manage.py check) and the beat heartbeat task: registered in every process.
        from . import system, tasks  # noqa: F401
