"""Each user's language (界面语言): what pages open in and what is sent to them.

The default is the site's (``settings.LANGUAGE_CODE``, zh-hans) until the user picks another with the
language switch, which stores it here (``language_set``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation

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


def apply_on_sign_in(sender, request, user, **kwargs) -> None:
    """On sign-in (Django's ``user_logged_in``), open the pages in the user's stored language: a worker who
    chose English on one phone reads English on the next. Only a stored preference counts; the language
    cookie is set by ``LanguageCookieMiddleware`` on this response. One query, at sign-in only."""
    if request is None:
        return
    code = Preference.objects.filter(user=user).values_list("language", flat=True).first()
    if code and code in dict(settings.LANGUAGES):
        translation.activate(code)
        request.LANGUAGE_CODE = code
        request._nuanxin_sign_in_language = code


class LanguageCookieMiddleware:
    """Puts the language chosen at sign-in (``apply_on_sign_in``) into Django's language cookie, so the
    next pages keep it (``LocaleMiddleware`` reads the cookie). Does nothing on any other response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        code = getattr(request, "_nuanxin_sign_in_language", None)
        if code:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                code,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
