"""Bundle tickets' reads for the pages. A page has already scoped the job or the worker to its user
(``dashboard.selectors.job_get``, the phone's signed-in worker); a ticket looked up by token is scoped
here to that job or worker, and anything else is ``Http404`` (an unknown token and another worker's look
the same). Each selector costs one query whatever the number of tickets (the page tests pin them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.http import Http404
from django.utils.translation import gettext as _

from dispatch.models import Assignment, AssignmentState, Job
from workshop.models import Worker

from .models import BundleTicket, TicketState

# What the QR holds is a URL ending in /b/<token>/; a hand scanner types it, or the inspector types the
# token printed under the code.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,32}")
_IN_URL = re.compile(r"/b/([A-Za-z0-9_-]{8,32})/?(?:[?#].*)?$")


def token_from_scan(text: str) -> str:
    """The token in what a scanner or a person typed (the ticket's URL or the bare token), or ""."""
    text = (text or "").strip()
    m = _IN_URL.search(text)
    if m:
        return m.group(1)
    return text if _TOKEN.fullmatch(text) else ""


def latest_run(assignment: Assignment) -> int:
    """The share's last print run (0 before its first print)."""
    return BundleTicket.objects.filter(assignment=assignment).aggregate(n=Max("run"))["n"] or 0


def with_shown_state(tickets: QuerySet[BundleTicket]) -> QuerySet[BundleTicket]:
    """``tickets`` annotated with ``shown_state``: the state the pages show and the courier goes by, and
    ``pieces_left``: the pieces (int >= 0) a scan of the ticket reports.

    A worker may report her pieces with the phone's form instead of scanning, and the flow (``dispatch``)
    knows nothing of tickets, so an open ticket stays open in its row. It is shown reported when the
    share's reports without a ticket cover it: the share's open tickets count as reported in ticket order
    (run, number), as many as those reports fill whole, the pieces still to do staying on the last ones.
    Put another way, an open ticket is shown reported when the open tickets after it hold at least the
    pieces the share still has to do. A reprint prints the pieces still to do, so reports made before a
    print never cover its tickets; a reversed report uncovers them again. Reported and void tickets show
    their own state.

    The reports may also cover part of a bundle (90 of 50 + 50 + 20 leave 30: the third bundle's 20 and
    10 of the second). ``pieces_left`` of an open ticket is then the pieces still to do less those on the
    open tickets after it, at most its own pieces and at least 0 (10 for the second bundle, 20 for the
    third, 0 for the first, shown reported); scanning the shown-open tickets reports exactly what the
    share still has to do. A reported or void ticket has 0 left. One correlated subquery, no extra
    query, nothing written.
    """
    later = (
        BundleTicket.objects.filter(assignment_id=OuterRef("assignment_id"), state=TicketState.OPEN)
        .filter(Q(run__gt=OuterRef("run")) | Q(run=OuterRef("run"), number__gt=OuterRef("number")))
        .order_by()
        .values("assignment_id")
        .annotate(n=Sum("pieces"))
        .values("n")
    )
    return tickets.alias(
        open_after=Coalesce(Subquery(later), 0),
        to_do=F("assignment__pieces") - F("assignment__pieces_reported"),
    ).annotate(
        shown_state=Case(
            When(state=TicketState.OPEN, open_after__gte=F("to_do"), then=Value(TicketState.REPORTED)),
            default=F("state"),
        ),
        pieces_left=Case(
            When(
                state=TicketState.OPEN,
                then=Greatest(
                    Value(0),
                    Least(F("pieces"), F("to_do") - F("open_after"), output_field=IntegerField()),
                    output_field=IntegerField(),
                ),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
    )


@dataclass(frozen=True)
class TicketSummary:
    """One share's tickets as shown (``with_shown_state``): how many are open, reported and void, the
    pieces on open tickets, its run, and how many were reported by scanning (what the firm may inspect
    bundle by bundle)."""

    open: int = 0
    reported: int = 0
    void: int = 0
    open_pieces: int = 0
    run: int = 0
    scanned: int = 0


def ticket_summaries(job: Job) -> dict[int, TicketSummary]:
    """Per assignment id of ``job``: its ``TicketSummary`` (shares never printed are absent). One query."""
    rows = (
        with_shown_state(BundleTicket.objects.filter(job=job))
        .values("assignment_id")
        .annotate(
            open=Count("pk", filter=Q(shown_state=TicketState.OPEN)),
            reported=Count("pk", filter=Q(shown_state=TicketState.REPORTED)),
            void=Count("pk", filter=Q(shown_state=TicketState.VOID)),
            open_pieces=Sum("pieces", filter=Q(shown_state=TicketState.OPEN), default=0),
            run=Max("run"),
            scanned=Count("pk", filter=Q(state=TicketState.REPORTED)),
        )
        .order_by()
    )
    return {r.pop("assignment_id"): TicketSummary(**r) for r in rows}


def sheet_tickets(assignment: Assignment) -> list[BundleTicket]:
    """The share's tickets shown open (``with_shown_state``), by run and number: what its print sheet
    shows. One query."""
    return list(
        with_shown_state(BundleTicket.objects.filter(assignment=assignment, state=TicketState.OPEN))
        .filter(shown_state=TicketState.OPEN)
        .order_by("run", "number")
    )


def ticket_for_worker(worker: Worker, token: str) -> BundleTicket:
    """The ticket with ``token`` if it is on one of ``worker``'s shares (open, reported or void), with
    its assignment and job and its ``shown_state`` (``with_shown_state``: an open ticket her form reports
    cover is shown reported); ``Http404`` otherwise, alike for an unknown token and another worker's.
    One query."""
    ticket = (
        with_shown_state(BundleTicket.objects.select_related("assignment", "job"))
        .filter(token=token, assignment__worker=worker)
        .first()
        if _TOKEN.fullmatch(token or "")
        else None
    )
    if ticket is None:
        raise Http404(_("没有这张扎票。"))
    return ticket


def ticket_for_job(job: Job, token: str) -> BundleTicket | None:
    """The ticket with ``token`` on ``job`` (any state), its share and worker joined; None otherwise."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    return (
        BundleTicket.objects.select_related("assignment", "assignment__worker")
        .filter(job=job, token=token)
        .first()
    )


def job_bundles(job: Job) -> list[BundleTicket]:
    """Every reported bundle of ``job``: its worker, its verdict, and once inspected the result, its pay
    line and the rework assignment it led to, with ``passed_on``: the rework shares the head handed its
    unreworked rest to (转给别人返工, ``handed_from``), down the chain in the order handed, workers joined
    (else empty), and ``shows_rework``: whether the row tells the share's rework (on the bundles sent back
    for rework only). By share, run and number. One query, and one more when a result led to rework."""
    bundles = list(
        BundleTicket.objects.filter(job=job, state=TicketState.REPORTED)
        .select_related(
            "assignment",
            "assignment__worker",
            "inspection_result",
            "inspection_result__pay_line",
            "inspection_result__rework_assignment",
        )
        .order_by("assignment_id", "run", "number")
    )
    reworks = {t.pk: getattr(t.inspection_result, "rework_assignment", None) for t in bundles}
    passed = []
    if any(reworks.values()):
        passed = list(
            Assignment.objects.filter(job=job, handed_from__isnull=False)
            .select_related("worker")
            .order_by("id")
        )
    # A verdict's rework is the share's (one result a share), told on the bundles the firm sent back for
    # rework (their own ``pieces_rework``), not on every bundle of the share: a trial read 2/4 and 3/4,
    # passed whole, as sent back too, the chain of hand-overs on each.
    for t in bundles:
        rework, t.passed_on = reworks[t.pk], []
        t.shows_rework = bool(rework) and (t.pieces_rework or 0) > 0
        if not t.shows_rework:
            continue
        chain = {rework.pk}
        for a in passed:  # by id: a share is handed on after the one it comes from
            if a.handed_from_id in chain:
                chain.add(a.pk)
                t.passed_on.append(a)
    return bundles


def waiting_for_verdict(bundles: list[BundleTicket]) -> list[BundleTicket]:
    """Of ``job_bundles``: those of shares waiting for inspection, not yet in an inspection result."""
    return [
        t
        for t in bundles
        if t.inspection_result_id is None
        and t.assignment.state == AssignmentState.DONE
        and t.assignment.pieces_to_inspect > 0
    ]
