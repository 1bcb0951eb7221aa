"""Read-only roles stay read-only: every unsafe request (POST, PUT, PATCH, DELETE) of a county official
(``workshop.roles.READ_ONLY_ROLES``) is refused with a 403 before any view runs, whatever the page.

Signing out, switching the page language and marking one's own messages read are the only writes let
through: they change the person's own session and inbox, never a record of the flow. GET, HEAD and
OPTIONS pass untouched, and cost no query here.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .roles import scope_for

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# The paths a read-only role may still POST to: its own sign-out and its page language; and, under
# ALLOWED_PREFIXES, the marks on its own inbox (each view scopes them to the signed-in user).
ALLOWED_PATHS = ("/accounts/logout/", "/m/logout/", "/i18n/setlang/")
ALLOWED_PREFIXES = ("/dashboard/inbox/",)


class ReadOnlyRoles:
    """Refuse every unsafe request of a read-only role (403), except ``ALLOWED_PATHS`` and
    ``ALLOWED_PREFIXES``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in SAFE_METHODS
            and request.path_info not in ALLOWED_PATHS
            and not request.path_info.startswith(ALLOWED_PREFIXES)
            and scope_for(request.user).is_read_only
        ):
            raise PermissionDenied(_("县级账号只能查看汇总数据,不能修改任何内容。"))
        return self.get_response(request)
