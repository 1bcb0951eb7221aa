"""``/healthz``: the health report as JSON for a load balancer or a monitor."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from . import checks


@require_safe
def healthz(request):
    """Public, no sign-in: statuses, counts and ages in seconds only (``health.checks``), never a person's
    data. 200 when no check fails, 503 when one does; ``Cache-Control: no-store``. The report is reused for
    ``NUANXIN_HEALTHZ_CACHE_S`` seconds per process."""
    report = checks.cached_report(settings.NUANXIN_HEALTHZ_CACHE_S)
    response = JsonResponse(report, status=503 if report["status"] == checks.FAIL else 200)
    response["Cache-Control"] = "no-store"
    return response
