"""Signing workers in on the phone pages: a phone + PIN backend, and the lockout after wrong PINs.

``PinBackend`` answers ``authenticate(request, phone=..., pin=...)``; django-axes' backend runs before it
(settings.AUTHENTICATION_BACKENDS) and refuses a phone locked out after ``AXES_FAILURE_LIMIT`` wrong PINs
from one address. Axes keys its records by :func:`lockout_key`: a keyed hash of the phone number, so the
lockout table never holds a phone in clear. :func:`lockout_response` is the page a locked-out person sees.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .lockout import lockout_key, normalize_phone
from .models import Courier, Worker
from .roles import PERSON_ROWS
from .services import pin_matches

__all__ = [
    "STOPPED",
    "PinBackend",
    "UserBackend",
    "lockout_key",
    "lockout_response",
    "lockout_until",
    "normalize_phone",
    "stopped_in_session",
]

# What a stopped worker (or courier) reads on the sign-in page: signing in with her own PIN
# (``PinBackend`` marks the request ``nuanxin_stopped``) or coming back to a phone signed in before.
STOPPED = gettext_lazy("您的账号已停用,不能登录。要回来,请找坊长恢复。")


def stopped_in_session(request) -> bool:
    """True when this browser's session still names a worker or courier who has since been stopped (a
    trial: bounced to the sign-in page without a word, she learned why only at her next PIN)."""
    user_id = request.session.get(SESSION_KEY)
    if request.user.is_authenticated or not user_id:
        return False
    return (
        Worker.objects.filter(user_id=user_id, active=False).exists()
        or Courier.objects.filter(user_id=user_id, active=False).exists()
    )


def lockout_until(request, credentials: dict | None = None):
    """When the lockout of this phone (or username) from this address ends (an aware datetime)."""
    from axes.models import AccessAttempt

    last = (
        AccessAttempt.objects.filter(
            username=lockout_key(request, credentials), ip_address=getattr(request, "axes_ip_address", None)
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or timezone.now()) + settings.AXES_COOLOFF_TIME


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """A clear page in Chinese (status 429): too many wrong tries, and the clock time to try again."""
    until = timezone.localtime(lockout_until(request, credentials))
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    on_phone_pages = request.path.startswith("/m/")
    context = {
        "until": until,
        "minutes": minutes,
        "limit": settings.AXES_FAILURE_LIMIT,
        "login_url": reverse("mobile:login") if on_phone_pages else reverse("login"),
        "on_phone_pages": on_phone_pages,
    }
    return render(request, "mobile/locked_out.html", context, status=429)


class UserBackend(ModelBackend):
    """Django's ``ModelBackend`` whose ``get_user`` (each request's user, from the session) joins the
    user's worker, courier and county-official rows (``PERSON_ROWS``) into the same query."""

    def get_user(self, user_id):
        # Sliced, not ``first()``: no ORDER BY on a primary-key lookup.
        rows = list(get_user_model()._default_manager.select_related(*PERSON_ROWS).filter(pk=user_id)[:1])
        return rows[0] if rows and self.user_can_authenticate(rows[0]) else None


class PinBackend(UserBackend):
    """Phone number + 6-digit PIN for an active worker (坊工) or courier (配送员); any other credentials are
    not its business. A phone belongs to one of them at most (``workshop.services``)."""

    def authenticate(self, request, phone: str | None = None, pin: str | None = None):
        if not phone or pin is None:
            return None
        number = normalize_phone(phone)
        # A phone belongs to one person at most, active or stopped: one read each, whatever her state.
        person = (
            Worker.objects.select_related("user").filter(phone=number).first()
            or Courier.objects.select_related("user").filter(phone=number).first()
        )
        if person is None or not person.pin_hash:
            # Spend the time a real check would, so an unknown number (or one without a PIN) answers no
            # faster than a known one.
            make_password(pin)
            return None
        if not person.active:
            if pin_matches(person, pin) and request is not None:
                # Her own PIN, but she was stopped (停用): tell her so rather than "wrong PIN". Only the
                # holder of the PIN learns it; the try still counts towards the lockout.
                request.nuanxin_stopped = True
            return None
        if pin_matches(person, pin) and self.user_can_authenticate(person.user):
            return person.user
        return None
