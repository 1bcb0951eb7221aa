"""Pages with pay or personal data are never kept by a browser's or a proxy's cache.

``PrivateNoStoreMiddleware`` adds ``Cache-Control: private, no-store`` to every response that has no
``Cache-Control`` of its own, except the public pages (``PUBLIC_PREFIXES``: the public board, which
shows totals only). A worker's earnings on a shared phone, a head's pay month or a firm's statement are
then not served again from a cache after sign-out, nor stored by a proxy on the way (issue 14).
"""

from __future__ import annotations

from django.utils.cache import patch_cache_control

PUBLIC_PREFIXES = ("/open/", "/static/", "/favicon.ico")


class PrivateNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and not request.path.startswith(PUBLIC_PREFIXES):
            patch_cache_control(response, private=True, no_store=True)
        return response
