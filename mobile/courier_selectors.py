"""Reads for the courier's phone pages (配送员手机端): her run today and a scanned bundle ticket, each scoped
by the signed-in courier (``mobile.selectors`` has the worker's). A fixed number of queries whatever the
number of stops; clock times are Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from logistics import selectors as logistics_reads
from logistics.models import Depot, Residence, Run, Stop, StopKind, StopState
from tickets.models import BundleTicket, TicketState
from tickets.selectors import token_from_scan, with_shown_state
from workshop.models import Courier
from workshop.validators import mask_phone

# --- a courier's run today (配送员的路线) -------------------------------------------------------------


@dataclass(frozen=True)
class KitItem:
    """One material of a share's kit to hand over: ``quantity`` (Decimal) of ``unit`` (its label)."""

    material: str
    quantity: Decimal
    unit: str


def _clock(value: dt.time | None) -> str:
    return f"{value:%H:%M}" if value is not None else ""


def courier_run_page(courier: Courier, *, day: dt.date | None = None) -> Run | None:
    """The courier's run on ``day`` (default today) as her phone page shows it, or None. Only her own run:
    every stop comes from ``logistics.selectors.courier_run``. Each stop of ``run.ordered`` gets:

    ``who`` (the worker's or the firm's name), ``address`` (place name and room; the firm's address for a
    gate without a place), ``window`` ("08:00–12:00" or ""), ``arrive`` (clock time: the run's start,
    ``logistics.selectors.run_start``, plus ``arrive_min``), ``tel`` (the worker's full number
    for a ``tel:`` link: her own stop) and ``phone_masked``, ``no_point`` (the planner's reason in words,
    e.g. no map point: call first), ``pending``; each line of ``stop.lines.all()`` gets ``kit`` (deliver:
    ``KitItem`` list), ``open_tickets`` (collect: reported bundle tickets not yet collected, by number) and
    ``collected`` (a collect stop checked off: the pieces she took, int; else None), so a stop collected
    short says so on her phone too (a trial: "collect 50 pieces · Collected" after 48).

    A fixed number of queries whatever the number of stops (8 with the run, one more once a collect stop
    is checked off)."""
    run = logistics_reads.courier_run(courier, day=day)
    if run is None:
        return None
    stops = run.ordered
    worker_ids = {s.worker_id for s in stops if s.worker_id}
    rooms = dict(Residence.objects.filter(worker_id__in=worker_ids).values_list("worker_id", "room"))
    kit_of: dict[int, list[KitItem]] = defaultdict(list)
    deliveries = [sl for s in stops if s.kind == StopKind.DELIVER for sl in s.lines.all()]
    for sl, bom, q in logistics_reads.kits(deliveries):
        kit_of[sl.pk].append(KitItem(bom.material, q, bom.get_unit_display()))
    collect_ids = {sl.assignment_id for s in stops if s.kind == StopKind.COLLECT for sl in s.lines.all()}
    open_tickets: dict[int, list[BundleTicket]] = defaultdict(list)
    for t in (
        with_shown_state(BundleTicket.objects.filter(assignment_id__in=collect_ids, collection__isnull=True))
        .filter(shown_state=TicketState.REPORTED)
        .order_by("assignment_id", "run", "number")
    ):
        open_tickets[t.assignment_id].append(t)
    done_collects = [s.pk for s in stops if s.kind == StopKind.COLLECT and s.state != StopState.PENDING]
    collected = logistics_reads.collected_pieces(stop_id__in=done_collects) if done_collects else {}
    depot_start = None
    if run.started_at is None:
        depot_start = (
            Depot.objects.filter(workshop_id=run.workshop_id).values_list("start_at", flat=True).first()
        )
    start = logistics_reads.run_start(run, depot_start)
    for s in stops:
        s.pending = s.state == StopState.PENDING
        s.who = s.worker.name if s.worker_id else s.firm.name
        place = s.place.name if s.place_id else ""
        room = rooms.get(s.worker_id, "") if s.worker_id else ""
        s.address = " ".join(p for p in (place, room) if p) or (s.firm.address if s.firm_id else "")
        s.window = f"{_clock(s.window_from)}–{_clock(s.window_until)}" if s.window_from else ""
        s.arrive = (
            _clock((start + dt.timedelta(minutes=s.arrive_min)).time()) if s.arrive_min is not None else ""
        )
        s.tel = s.worker.phone.as_e164 if s.worker_id and s.worker.phone else ""
        s.phone_masked = mask_phone(s.worker.phone) if s.tel else ""
        s.no_point = logistics_reads.stop_reason(s)
        for sl in s.lines.all():
            sl.kit = kit_of.get(sl.pk, [])
            sl.open_tickets = open_tickets.get(sl.assignment_id, []) if s.kind == StopKind.COLLECT else []
            sl.collected = (
                collected.get((s.pk, sl.assignment_id), 0)
                if s.pk in done_collects and sl.assignment_id
                else None
            )
            sl.short = max(sl.pieces - sl.collected, 0) if sl.collected is not None else 0
    return run


def courier_ticket(courier: Courier, token: str) -> tuple[BundleTicket | None, Stop | None]:
    """A scanned bundle ticket for a courier: (ticket, the pending collect stop of her run today with its
    share) — (ticket, None) for a ticket of her workshop that is not on her run today, (None, None) for an
    unknown ticket or another workshop's (nothing about it is shown). Two queries at most."""
    if not token or token_from_scan(token) != token:
        return None, None
    ticket = (
        with_shown_state(BundleTicket.objects.select_related("assignment__worker", "job"))
        .filter(token=token, job__workshop_id=courier.workshop_id)
        .first()
    )
    if ticket is None:
        return None, None
    stop = (
        Stop.objects.filter(
            run__courier=courier,
            run__day=timezone.localdate(),
            seq__isnull=False,
            kind=StopKind.COLLECT,
            state=StopState.PENDING,
            lines__assignment_id=ticket.assignment_id,
        )
        .order_by("seq")
        .first()
    )
    return ticket, stop
