"""A page opened with GET at an address that only takes a form's POST: a page in the reader's language,
not an empty 405.

Found in a trial: the report's confirm screen (请确认报工) is drawn by the POST to ``/m/a/<id>/report/``;
a cheap phone that reloads a tab it had dropped (or a page opened from its history) asks that address
with GET, and Django's ``require_POST`` answers 405 with no body, which Chromium shows as its English
"This page isn't working · HTTP ERROR 405". Now the answer is still a 405 (with its ``Allow`` header), with
a page that says the step is done by a button and links back to the page above the address (the share,
the month's slip, the job), else the phone's home (``/m/…``) or the site's home."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse

# How many segments up the link may go looking for a page (``/dashboard/jobs/1/reports/2/correct/`` →
# ``/dashboard/jobs/1/``).
_UP = 4


def back_for(path: str) -> str:
    """Where the page's link goes for ``path``: the nearest address above it that is a page of the site
    (a share's report post → the share, a month's slip post → that month's slip, a job's step → the
    job), else the phone's home for a phone address, else the home page. Found by the URL patterns
    alone: no view runs, nothing is read."""
    parts = [p for p in path.split("/") if p]
    for n in range(len(parts) - 1, max(len(parts) - 1 - _UP, 1) - 1, -1):
        above = "/" + "/".join(parts[:n]) + "/"
        try:
            resolve(above)
        except Resolver404:
            continue
        return above
    if path.startswith("/m/"):
        return reverse("mobile:today")
    return reverse("home")


class MethodNotAllowedPage:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and request.method in ("GET", "HEAD"):
            page = render(request, "405.html", {"back": back_for(request.path)}, status=405)
            page["Allow"] = response.get("Allow", "POST")
            return page
        return response
