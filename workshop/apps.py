from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class WorkshopConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workshop"
    verbose_name = _("工坊与企业")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from .languages import apply_on_sign_in

        # Any decode of an image over the limit refuses (an upload is checked from its header first).
        Image.MAX_IMAGE_PIXELS = settings.NUANXIN_MAX_IMAGE_PIXELS

        # A user's stored language opens their pages from the moment they sign in, on any device.
        user_logged_in.connect(apply_on_sign_in, dispatch_uid="nuanxin.language_on_sign_in")
