from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notices"
    verbose_name = _("通知")

    def ready(self) -> None:
        # ``notify`` queues its delivery by task name: register the task in every process.
        from . import tasks  # noqa: F401
