"""The name a sign-in lockout is counted under (django-axes): a keyed hash of the phone, never the phone in
clear. A leaf module: the sign-in backend (``workshop.auth``) and the PIN service that lifts a lockout
(``workshop.services``) both read it.
"""

from __future__ import annotations

import phonenumbers
from django.utils.crypto import salted_hmac

from .validators import is_mainland_mobile, parse_mainland_mobile


def normalize_phone(raw: str) -> str:
    """A mainland number as E.164 (``+8613912345678``) whatever the spacing or prefix typed;
    the digits alone when it does not parse (such a number matches no worker)."""
    text = (raw or "").strip()
    if is_mainland_mobile(text):  # the one mobile rule, as the forms and models read it
        return parse_mainland_mobile(text).as_e164
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in text if ch.isdigit())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def lockout_key(request, credentials: dict | None = None) -> str | None:
    """The name axes counts failures under: ``pin:<keyed hash>`` for a phone, else the username.

    The phone comes from the credentials or, on the success signal (which only knows the username), from
    the PIN form's POST, so a successful sign-in clears the failures counted for that phone.
    """
    creds = credentials or {}
    post = getattr(request, "POST", {}) if request is not None else {}
    phone = creds.get("phone") or post.get("phone")
    if phone:
        digest = salted_hmac("nuanxin.lockout", normalize_phone(phone)).hexdigest()[:32]
        return f"pin:{digest}"
    username = creds.get("username") or post.get("username")
    if isinstance(username, str) and len(username) > LOCKOUT_KEY_MAX:
        # Longer than axes' username column (255): counted under a keyed hash, never written whole.
        return "long:" + salted_hmac("nuanxin.lockout", username).hexdigest()[:32]
    return username


# django-axes' AccessAttempt.username and AccessFailureLog.username are varchar(255).
LOCKOUT_KEY_MAX = 255
