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


def supported(code: str) -> str | None:
    """``code`` as one of ``settings.LANGUAGES`` (``en-us`` and ``EN`` are ``en``), or None."""
    try:
        return translation.get_supported_language_variant((code or "").strip().lower())
    except LookupError:
        return None


@transaction.atomic
def language_set(*, user, language: str) -> bool:
    """Store ``language`` (a code of ``settings.LANGUAGES`` or a variant of one, ``en-us`` → ``en``) as
    ``user``'s preference. Returns False (and stores nothing) for an anonymous user or a code the site
    does not speak. Idempotent."""
    code = supported(language)
    if not getattr(user, "is_authenticated", False) or code is None:
        return False
    Preference.objects.update_or_create(user=user, defaults={"language": code})
    return True


# A language picked on a page before signing in (the sign-in page's switch): the person's latest choice.
CHOSEN_BEFORE_SIGN_IN = "nuanxin_language_chosen"


def apply_on_sign_in(sender, request, user, **kwargs) -> None:
    """On sign-in (Django's ``user_logged_in``), open the pages in this person's language, not the last
    person's on a shared phone: a language picked on the sign-in page just now becomes their stored
    preference; else their stored preference; else the site's default. ``LanguageCookieMiddleware`` puts
    it in the language cookie on this response. One or two queries, at sign-in only."""
    if request is None:
        return
    chosen = request.session.pop(CHOSEN_BEFORE_SIGN_IN, None) if hasattr(request, "session") else None
    if chosen and language_set(user=user, language=chosen):
        code = supported(chosen)
    else:
        code = Preference.objects.filter(user=user).values_list("language", flat=True).first()
        code = supported(code) or settings.LANGUAGE_CODE
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
