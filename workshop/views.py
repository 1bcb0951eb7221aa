"""The language switch: Django's own ``set_language``, and for a signed-in user the choice is also kept as
their preference (``workshop.languages``), so what is sent to them later is in that language too."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .languages import language_set


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the page language (cookie, as Django does) and remember it for a signed-in user; an unknown
    code changes nothing, as in Django."""
    response = django_set_language(request)
    language_set(user=request.user, language=request.POST.get("language", ""))
    return response
