"""The site's front door: send each user to their role's start page.

Staff work on the dashboard (``dashboard``, /dashboard/), workers on their phone pages (``mobile``, /m/).
The foundation's bare /firm/ and /head/ pages were superseded by the dashboard; their addresses redirect
there (see ``dispatch/urls.py``) so old bookmarks and notification links still land.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from workshop.roles import ADMIN, COUNTY, COURIER, FIRM, HEAD, SUPERUSER, WORKER, scope_for

HOME_BY_ROLE = {
    WORKER: "mobile:today",
    COURIER: "mobile:run",
    COUNTY: "dashboard:impact",
    HEAD: "dashboard:home",
    FIRM: "dashboard:home",
    ADMIN: "dashboard:home",
    SUPERUSER: "admin:index",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their role's start page; a user without a role gets a 403 page that says so."""
    role = scope_for(request.user).role
    if role is None:
        return render(request, "dispatch/no_role.html", status=403)
    return redirect(HOME_BY_ROLE[role])
