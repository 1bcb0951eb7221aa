"""The client's address, and the rate limit on anonymous POSTs (public forms and sign-ins) per client.

``client_ip(request)`` → the address as a string: ``REMOTE_ADDR``, unless that address is one of
``settings.NUANXIN_TRUSTED_PROXIES`` (IPs or CIDR networks, env ``NUANXIN_TRUSTED_PROXIES``, comma
separated); then ``X-Forwarded-For`` is read from the right and the first hop that is not a trusted proxy
is the client (a malformed hop stops the walk at the trusted proxy that added it). A client can prepend
anything to the header; only what the trusted proxies appended counts. django-axes counts failures by the
same address (``AXES_CLIENT_IP_CALLABLE``).

``AnonymousPostRateLimit``: every POST by a visitor who is not signed in (``/m/join/``, both sign-in forms,
a delivery note's public page, ...) counts against ``settings.NUANXIN_RATELIMIT_ANON_POST`` (django-ratelimit
rate, e.g. ``"30/m"``; env ``NUANXIN_RATELIMIT_ANON_POST``) per client address, in the ``ratelimit`` cache
(Redis, shared by every web process). Over it: ``templates/ratelimited.html`` in the reader's language,
status 429, ``Retry-After``. A cache that does not answer lets the request through (RATELIMIT_FAIL_OPEN).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in net for net in networks if net.version == address.version)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy the right-most untrusted
    X-Forwarded-For hop (see the module docstring). Never raises; "" when nothing is known."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    networks = _networks(tuple(getattr(settings, "NUANXIN_TRUSTED_PROXIES", ())))
    current = _address(remote)
    if not networks or not _trusted(current, networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not _trusted(address, networks):
            break
    return str(current)


def client_key(group, request) -> str:
    """django-ratelimit's key: the client address."""
    return client_ip(request) or "unknown"


def _unit_seconds(rate: str) -> int:
    unit = rate.split("/", 1)[-1]
    count = "".join(ch for ch in unit if ch.isdigit())
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(unit.lstrip("0123456789")[:1], 60)
    return seconds * (int(count) if count else 1)


class AnonymousPostRateLimit:
    """Limit every POST of a visitor who is not signed in to NUANXIN_RATELIMIT_ANON_POST per client."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        rate = getattr(settings, "NUANXIN_RATELIMIT_ANON_POST", "")
        if (
            rate
            and request.method == "POST"
            and not (user is not None and user.is_authenticated)
            and is_ratelimited(request, group="anon-post", key=client_key, rate=rate, increment=True)
        ):
            retry = _unit_seconds(rate)
            response = render(request, "ratelimited.html", {"retry_after": retry}, status=429)
            response["Retry-After"] = str(retry)
            return response
        return self.get_response(request)
