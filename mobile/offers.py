"""A worker's answer to an offer (派工) on the phone: take it in one tap, or turn it down after one question.

"这次不接" opens a page that asks once, in big words and big buttons, whether she really turns the pieces
down (they go to someone else, and the head is told); only its "确定不接" declines. The question is a page
and a plain form post, so it works without JavaScript; a decline posted without the answer (an old page
left open, a script) gets the same question instead of declining. The head's message is
``dispatch.services.assignment_decline``'s, sent after commit in the head's own language.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from dispatch import services as flow
from dispatch.models import AssignmentState, IllegalTransition
from workshop.models import Worker

from . import cards, selectors, views

# A share in one of these was taken by her: only the share's own worker accepts it (``check_worker``).
TAKEN = (AssignmentState.ACCEPTED, AssignmentState.DONE)


@require_POST
@views.worker_required
def assignment_accept(request: HttpRequest, worker: Worker, pk: int) -> HttpResponse:
    """Take an offer (one tap): to the share's page, or the form's ``next`` under /m/. A second tap (or a
    post replayed) on a share she has taken already says so as good news: nothing is written again. The
    form carries the pieces her page showed (``pieces``): an offer grown since is refused with its number
    now, and she lands where she sees it. A post without them (a page drawn before it carried them, a
    script) is no number she saw either: refused the same way, never taken as it is (a trial)."""
    a = selectors.assignment_for_worker(worker, pk)
    seen = request.POST.get("pieces", "").strip()
    try:
        # A number that is not one (or none) is no number she saw: refused with the offer's own.
        pieces = int(seen) if seen.isdigit() and len(seen) < 10 else -1
        taken = flow.assignment_accept(actor=request.user, assignment=a, pieces=pieces)
    except IllegalTransition as exc:
        if exc.current in TAKEN:
            messages.success(request, _("这份活您已经接了,不用再接。"))
        else:
            messages.error(request, views._refused_text(exc))
    except views.REFUSED as exc:
        messages.error(request, views._refused_text(exc))
    else:
        n = taken.pieces
        accepted = ngettext("这份活接下了:%(t)s,%(n)d 件。", "这份活接下了:%(t)s,%(n)d 件。", n)
        messages.success(request, accepted % {"t": a.job.title, "n": n})
    return redirect(views._safe_next(request, reverse("mobile:assignment", args=[a.pk])))


@require_http_methods(["GET", "POST"])
@views.worker_required
def assignment_decline(request: HttpRequest, worker: Worker, pk: int) -> HttpResponse:
    """Turn an offer down: GET (and a POST without ``confirmed``) asks once; a POST with ``confirmed``
    declines, the head is told, and she lands on Today with the words that say so; "我再想想" goes back
    where she came from (``next``, a page under /m/). An offer no longer open goes to its page with what
    it is now."""
    a = selectors.assignment_for_worker(worker, pk)
    if a.state != AssignmentState.OFFERED:
        moved = IllegalTransition(_("派工"), a.state, AssignmentState.DECLINED)
        messages.info(request, views._refused_text(moved))
        return redirect("mobile:assignment", pk=a.pk)
    if request.method == "GET" or request.POST.get("confirmed") != "1":
        cards.annotate(a, today=timezone.localdate(), now=timezone.now())
        context = {"a": a, "back": views._safe_next(request, reverse("mobile:today"))}
        return views._render_phone_page(request, worker, "mobile/decline_confirm.html", context)
    try:
        flow.assignment_decline(actor=request.user, assignment=a, reason=request.POST.get("reason", "")[:300])
    except views.REFUSED as exc:
        messages.error(request, views._refused_text(exc))
    else:
        messages.success(request, _("这份活这次不接,已告诉坊长。"))
    return redirect("mobile:today")
