from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outbox"
    verbose_name = _("待发消息")

    def ready(self) -> None:
        # The relay is a beat task: register it in every process.
        from . import tasks  # noqa: F401
