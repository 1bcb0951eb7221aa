"""The courier's side of ``simulate``: door deliveries and collections, delivery notes, the firms'
count, and the logistics figures and invariants. A mixin of ``lab.simulation.Simulation`` (which holds
the state it reads: ``workshop``, ``lrng``, ``logistics``, ``clerks``, ``done_day`` ...), kept apart so
each module stays readable. Its draws come from ``lrng``, a generator of its own made from the seed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum

from dispatch.models import Assignment, DeliveryMode, JobState
from logistics import selectors as logistics_selectors
from logistics import services as logistics
from logistics.models import (
    Collection,
    DeliveryNote,
    NoteState,
    Run,
    RunState,
    Stop,
    StopKind,
    StopLine,
    StopState,
)
from materials.models import Balance, BomLine
from materials.quantities import kit_quantity
from materials.selectors import KitPlan

from .courierday import courier_clock, drive_day

# Chances of the courier's day and the firm's count (see the module's docstring).
NOBODY_HOME_P = 0.10
SHORT_COLLECTION_P = 0.03
RESENT_CHECKOFF_P = 0.02
SHORT_LOT_P = 0.05
# A completed job waits this many days for its home shares' pieces before its lot goes with what is there.
NOTE_WAIT_DAYS = 3


# Greedy descent stops at its local optimum by itself (well under a second for a day's stops); this limit
# only guards against a pathological day. Were it reached, a slower machine would get other routes.
ROUTE_TIME_LIMIT_S = 120.0


class CourierRounds:
    """The courier's day and the lots' way to the firms, for ``Simulation``."""

    def stock_home_kits(self) -> None:
        """Before planning, the head makes sure the store holds every home kit due (``kit_share``, as the
        run plan counts them): what is short she gets from the firm, as ``hand_kit`` does at the counter."""
        store: dict[int, Decimal] = {}
        shares = list(logistics_selectors.home_shares_to_deliver(self.workshop.pk))
        plan = KitPlan(BomLine.objects.filter(job_id__in={a.job_id for a in shares}))
        for a in shares:
            lines = list(a.job.bom_lines.order_by("pk"))
            for line in lines:
                if line.pk not in store:
                    store[line.pk] = Balance.objects.filter(line=line, holder_key="store").values_list(
                        "quantity", flat=True
                    ).first() or Decimal("0")
            kit = {line.pk: plan.kit(line, a.pk, a.pieces) for line in lines}
            if any(store[line.pk] < kit[line.pk] for line in lines):
                self.top_up(a.job, a.pieces)
                for line in lines:
                    store[line.pk] += kit_quantity(line, a.pieces)
            for line in lines:
                store[line.pk] -= kit[line.pk]

    def decide_stop(self, stop: Stop) -> logistics.CheckOff:
        """What happens at a door: nobody home now and then; a collection rarely counted short."""
        if stop.kind != StopKind.HANDOVER and self.lrng.random() < NOBODY_HOME_P:
            return logistics.CheckOff(outcome=logistics.NOBODY_HOME)
        if stop.kind != StopKind.COLLECT:
            return logistics.CheckOff(outcome=logistics.DONE)
        counts = {}
        for sl in stop.lines.order_by("id"):
            n = sl.pieces
            if n > 1 and self.lrng.random() < SHORT_COLLECTION_P:
                n -= self.lrng.randint(1, min(2, n - 1))  # a bundle left in the other room
            counts[sl.assignment_id] = n
        return logistics.CheckOff(outcome=logistics.DONE, counts=counts)

    def courier_round(self, day: int) -> None:
        """The day's runs, then the firms count in the lots handed over today."""
        date = self.first_run_day + dt.timedelta(days=day)
        self.stock_home_kits()
        key = f"sim-{self.run_tag}-{day}"
        done = drive_day(
            self.workshop,
            date,
            actor=self.workshop.head,
            key=key,
            decide=self.decide_stop,
            route_time_limit_s=ROUTE_TIME_LIMIT_S,
        )
        lg = self.logistics
        lg["runs"] += len(done.runs)
        lg["unscheduled"] += done.unscheduled
        self.run_ids += done.runs
        handed_jobs = set()
        for stop, check in done.checked:
            lg["stops"] += 1
            if check.outcome == logistics.NOBODY_HOME:
                lg["nobody_home"] += 1
                continue
            lg[{"deliver": "delivered", "collect": "collected", "handover": "handed_over"}[stop.kind]] += 1
            if stop.kind == StopKind.COLLECT:
                expected = dict(stop.lines.values_list("assignment_id", "pieces"))
                counted = check.counts or {}
                lg["pieces_collected"] += sum(counted.values())
                lg["short_collections"] += sum(counted[a] < n for a, n in expected.items())
            if stop.kind == StopKind.HANDOVER:
                handed_jobs |= set(stop.lines.values_list("note__job_id", flat=True))
        # A lot the plan could not fit (most whole lots are far more boxes than a tricycle carries) is
        # fetched by the firm's truck the same day: the head marks it sent without a run.
        left = DeliveryNote.objects.filter(
            state=NoteState.PREPARED,
            pk__in=StopLine.objects.filter(
                stop__run_id__in=done.runs, stop__kind=StopKind.HANDOVER, stop__state=StopState.UNSCHEDULED
            ).values("note_id"),
        ).order_by("pk")
        for note in left:
            logistics.note_send(actor=self.workshop.head, note=note)
            lg["fetched_by_firm"] += 1
            handed_jobs.add(note.job_id)
        with courier_clock(date):
            for stop, check in done.checked:
                if self.lrng.random() < RESENT_CHECKOFF_P:
                    # The phone sends a check-off kept offline again: it counts once.
                    _, created = logistics.stop_check(
                        actor=stop.run.courier.user, stop=stop, check=check, key=f"{key}-{stop.pk}"
                    )
                    assert not created
                    lg["checkoffs_sent_twice"] += 1
        for job_id in sorted(handed_jobs):
            if job_id in self.done_day:
                since = day - self.done_day.pop(job_id)
                if job_id in self.run_job_ids:
                    self.done_to_handover.append(since)
        sent = DeliveryNote.objects.filter(job__workshop=self.workshop, state=NoteState.SENT).select_related(
            "job__line"
        )
        for note in sent.order_by("pk"):
            counted = note.pieces_sent
            if counted > 1 and self.lrng.random() < SHORT_LOT_P:
                counted -= 1
                lg["short_lots"] += 1
            logistics.note_receive(
                actor=self.clerks[note.job.line.firm_id],
                note=note,
                pieces_counted=counted,
                remark="少一件" if counted < note.pieces_sent else "",
            )

    def write_notes(self, day: int) -> None:
        """The head writes a delivery note for each completed job once all its goods are at the workshop,
        or after ``NOTE_WAIT_DAYS`` days with what is there; it goes out on the next run."""
        open_notes = set(
            DeliveryNote.objects.filter(job__workshop=self.workshop)
            .exclude(state=NoteState.RECEIVED)
            .values_list("job_id", flat=True)
        )
        for job in self._workshop_jobs(JobState.COMPLETED).order_by("pk"):
            self.done_day.setdefault(job.pk, day)
            if job.pk in open_notes:
                continue
            goods = [g for _a, g in logistics_selectors.job_goods(job)]
            here, away = sum(g.at_workshop for g in goods), sum(g.uncollected for g in goods)
            if here == 0 or (away and day - self.done_day[job.pk] < NOTE_WAIT_DAYS):
                continue
            logistics.note_prepare(actor=self.workshop.head, job=job, partial=bool(away))
            self.logistics["notes"] += 1
            self.logistics["notes_with_pieces_away"] += bool(away)

    def logistics_figures(self) -> dict:
        lg = dict(self.logistics)
        lg["shortfalls"] = lg["short_collections"] + lg["short_lots"]
        days = self.done_to_handover
        lg["mean_days_done_to_handover"] = round(sum(days) / len(days), 3) if days else None
        lg["lots_handed_over"] = len(days)
        return lg

    def logistics_invariants(self) -> list[dict]:
        shares = list(
            Assignment.objects.filter(job__workshop=self.workshop, pieces_reported__gt=0).only(
                "pk", "pieces_reported", "delivery"
            )
        )
        goods = logistics_selectors.goods_of(shares)
        runs = Run.objects.filter(pk__in=self.run_ids)
        stops = Stop.objects.filter(run__in=runs)
        collected_twice = (
            Collection.objects.filter(stop__in=stops, ticket__isnull=True)
            .values("stop_id", "assignment_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        checked = stops.exclude(state__in=(StopState.PENDING, StopState.UNSCHEDULED))
        notes = DeliveryNote.objects.filter(job__workshop=self.workshop).annotate(
            lines_sum=Sum("lines__pieces")
        )
        return [
            {
                "name": "logistics: no share collected beyond what was reported, none handed over beyond "
                "what is at the workshop",
                "ok": all(
                    (g.collected <= g.reported) and g.handed <= (g.collected if g.home else g.reported)
                    for g in goods.values()
                )
                and not Collection.objects.exclude(assignment__delivery=DeliveryMode.HOME).exists(),
            },
            {
                "name": "logistics: no stop checked off twice (one key and time each, each share collected "
                "once per stop), none left pending",
                "ok": not checked.filter(Q(key__isnull=True) | Q(done_at__isnull=True)).exists()
                and not collected_twice.exists()
                and not stops.filter(state=StopState.PENDING).exists(),
            },
            {
                "name": "logistics: every run came back, no courier holds material after her run",
                "ok": not runs.exclude(state=RunState.DONE).exists()
                and not Balance.objects.filter(holder_key__startswith="courier:")
                .exclude(quantity=0)
                .exists(),
            },
            {
                "name": "logistics: each delivery note's pieces are its lines', at most one open note a job",
                "ok": all(n.lines_sum == n.pieces_sent for n in notes)
                and not DeliveryNote.objects.exclude(state=NoteState.RECEIVED)
                .values("job_id")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .exists(),
            },
        ]
