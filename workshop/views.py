"""The language switch: Django's own ``set_language``, and for a signed-in user the choice is also kept as
their preference (``workshop.languages``), so what is sent to them later is in that language too."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .languages import CHOSEN_BEFORE_SIGN_IN, language_set, supported


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the page language (cookie, as Django does) and remember it: for a signed-in user as their
    preference; before signing in, in the session, to become their preference when they sign in. A code
    the site does not speak changes nothing, as in Django."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated:
        language_set(user=request.user, language=code)
    elif supported(code):
        # Picked on the sign-in page: it becomes the person's preference when they sign in.
        request.session[CHOSEN_BEFORE_SIGN_IN] = supported(code)
    return response
