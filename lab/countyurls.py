"""The product's URLs plus the two bare views ``make bench-county`` measures every page against: a
login-protected GET that renders nothing, and a login-protected, CSRF-checked POST that writes nothing.
Only ``lab.county_settings`` serves them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from config.urls import urlpatterns as product_urls


@require_GET
@login_required
def bare(request: HttpRequest) -> HttpResponse:
    """The yardstick for pages: signed in (session and user read), nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@require_POST
@login_required
def bare_post(request: HttpRequest) -> HttpResponse:
    """The yardstick for the burst: a signed-in POST through the CSRF check, answered with a redirect."""
    return HttpResponse(status=302, headers={"Location": "/lab/bare/"})


urlpatterns = [path("lab/bare/", bare), path("lab/bare-post/", bare_post), *product_urls]
