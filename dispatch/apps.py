from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dispatch"
    verbose_name = _("派单流程")

    def ready(self) -> None:
        # The services queue their follow-ups by task name (``dispatch.followups``): register the tasks in
        # every process (web, worker, beat, a management command), not only where a worker imports them.
        from . import tasks  # noqa: F401
