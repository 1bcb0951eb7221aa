"""Each user's language (界面语言): what pages open in and what is sent to them.

The default is the site's (``settings.LANGUAGE_CODE``, zh-hans) until the user picks another with the
language switch, which stores it here (``language_set``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .models import Preference


def language_of(user_id: int | None) -> str:
    """The language code the user with ``user_id`` reads (a code of ``settings.LANGUAGES``). One query."""
    if user_id is None:
        return settings.LANGUAGE_CODE
    code = Preference.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    return code or settings.LANGUAGE_CODE


@transaction.atomic
def language_set(*, user, language: str) -> bool:
    """Store ``language`` as ``user``'s preference. Returns False (and stores nothing) for an anonymous
    user or a code not in ``settings.LANGUAGES``. Idempotent."""
    if not getattr(user, "is_authenticated", False) or language not in dict(settings.LANGUAGES):
        return False
    Preference.objects.update_or_create(user=user, defaults={"language": language})
    return True
