"""The season's ledger in memory (``lab.season``): the played jobs and shares, the rows they make, and
the helpers every step of the season shares: a moment of a day, a state move with its flow event, a
movement of material with the balances it moves.

Rows are model instances not yet saved, linked to each other; ``lab.seasonrows`` writes them parents
first, so each child takes its parent's id when it is written.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from dispatch.models import Assignment, AssignmentState, Inspection, InspectionResult, Job, WorkReport
from logistics.models import DeliveryNote, DeliveryNoteLine, DeliveryNoteMaterial
from materials.models import BomLine, Holder, Movement
from materials.services import ROUTES
from pay.models import PayLine
from workshop.models import FirmStaff, Pairing, ProductionLine, Worker, Workshop

SEASON_DAYS = 91  # about three months
SEED = 20220801 + 91
LATE_JOINERS = 4  # the newest workers joined in the season's second half
HOLDING = (AssignmentState.OFFERED, AssignmentState.ACCEPTED, AssignmentState.DONE)
OPEN = (AssignmentState.OFFERED, AssignmentState.ACCEPTED)


@dataclass(eq=False)
class PlayedJob:
    """One job as played: its row, its bill of materials (unsaved ``BomLine`` rows) and its shares."""

    row: Job
    n: int
    bom: list[BomLine]
    shares: list[PlayedShare] = field(default_factory=list)
    excluded: set[int] = field(default_factory=set)
    completed_on: dt.date | None = None
    note: DeliveryNote | None = None
    inspect_on: dt.date | None = None
    inspect_afternoon: bool = False
    booked_at: dt.datetime | None = None

    @property
    def unassigned(self) -> int:
        return self.row.quantity - self.row.pieces_assigned


@dataclass(eq=False)
class PlayedShare:
    row: Assignment
    job: PlayedJob
    k: int  # the season's count of shares: reports are keyed by it

    @property
    def left(self) -> int:
        return self.row.pieces - self.row.pieces_reported


@dataclass(eq=False)
class Event:
    """A ``FlowEvent`` to write once its object has an id."""

    obj: Job | Assignment
    job: Job
    from_state: str
    to_state: str
    actor: object
    at: dt.datetime
    note: str = ""


@dataclass
class Rows:
    """Everything the season made, unsaved, in the order it is written (parents before children)."""

    jobs: list[PlayedJob] = field(default_factory=list)
    reports: list[WorkReport] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    results: list[InspectionResult] = field(default_factory=list)
    pay_lines: list[PayLine] = field(default_factory=list)
    notes: list[DeliveryNote] = field(default_factory=list)
    note_lines: list[DeliveryNoteLine] = field(default_factory=list)
    note_materials: list[DeliveryNoteMaterial] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)
    # movement → how its key is made once the rows it names have ids (kits and notes are keyed so)
    movement_keys: list[tuple[Movement, object]] = field(default_factory=list)
    balances: dict[tuple[int, str], list] = field(default_factory=dict)  # (id(line), key) → [line, worker, q]
    events: list[Event] = field(default_factory=list)
    joined_on: dict[int, dt.date] = field(default_factory=dict)  # worker id → the day she joined
    signed_on: dt.date | None = None


def aware(day: dt.date, minutes: int) -> dt.datetime:
    """``day`` at ``minutes`` after midnight, Asia/Shanghai (the site's time zone), aware."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min) + dt.timedelta(minutes=minutes))


class SeasonBook:
    """What the season knows of the demo ``workshop`` (its workers, lines, pairings, clerks: read once) and
    what it has played so far (``rows``). ``Season`` plays the days on it; nothing here writes."""

    def __init__(self, *, workshop: Workshop, today: dt.date, days: int = SEASON_DAYS, seed: int = SEED):
        if days < 7:
            raise ValueError("a season is at least a week")
        self.ws, self.today, self.days = workshop, today, days
        self.start = today - dt.timedelta(days=days)
        self.rng = random.Random(seed)
        self.head = workshop.head
        self.workers = list(
            Worker.objects.filter(workshop=workshop, active=True).select_related("user").order_by("pk")
        )
        wrng = random.Random(seed * 7919)  # as simulate and the fairness comparison draw them
        self.speed = {w.pk: wrng.uniform(0.8, 1.2) for w in self.workers}
        self.defect = {w.pk: wrng.uniform(0.01, 0.06) for w in self.workers}
        self.lines = list(
            ProductionLine.objects.filter(pairings__workshop=workshop, pairings__active=True, active=True)
            .select_related("firm")
            .distinct()
            .order_by("pk")
        )
        self.pairings = {p.firm_id: p for p in Pairing.objects.filter(workshop=workshop, active=True)}
        self.clerks: dict[int, object] = {}
        for s in FirmStaff.objects.select_related("user").order_by("pk"):
            self.clerks.setdefault(s.firm_id, s.user)
        self.ttl = dt.timedelta(hours=settings.NUANXIN_OFFER_TTL_HOURS)
        self.rows = Rows()
        self._shares = 0
        self.joined = self._joined_days()
        self.earned: dict[int, Decimal] = {w.pk: Decimal(0) for w in self.workers}  # this calendar year
        self.offered_log: list[tuple[dt.date, int, int]] = []  # (day, worker id, pieces) for rotation
        self.on_time: dict[int, list[int]] = {w.pk: [0, 0] for w in self.workers}  # [on time, done]
        self.passed: dict[int, list[int]] = {w.pk: [0, 0] for w in self.workers}  # [passed, rejected]

    # --- who works here, from when ------------------------------------------------------------------
    def _joined_days(self) -> dict[int, dt.date]:
        """Most workers joined in the fortnight before the season's first day (the pairings were signed
        then); the ``LATE_JOINERS`` newest (highest ids) joined in its second half."""
        self.rows.signed_on = self.start - dt.timedelta(days=14)
        joined = {}
        late = {w.pk for w in self.workers[-LATE_JOINERS:]}
        for w in self.workers:
            if w.pk in late:
                offset = self.rng.randint(self.days // 2, max(self.days // 2, self.days - 14))
            else:
                offset = -self.rng.randint(0, 14)
            joined[w.pk] = self.start + dt.timedelta(days=offset)
        self.rows.joined_on = joined
        return joined

    def _pool(self, day: dt.date) -> list[Worker]:
        return [w for w in self.workers if self.joined[w.pk] <= day]

    # --- helpers ------------------------------------------------------------------------------------
    def _at(self, day: dt.date, start: str, end: str) -> dt.datetime:
        """A moment of ``day`` between the clock times ``start`` and ``end`` ("HH:MM")."""
        lo = int(start[:2]) * 60 + int(start[3:])
        hi = int(end[:2]) * 60 + int(end[3:])
        return aware(day, self.rng.randint(lo, hi))

    def _event(self, obj, job: Job, to: str, actor, at: dt.datetime, note: str = "") -> None:
        self.rows.events.append(Event(obj, job, obj.state, to, actor, at, note))
        obj.state = to

    def _move(
        self,
        line: BomLine,
        kind: str,
        q: Decimal,
        at: dt.datetime,
        *,
        worker=None,
        actor=None,
        reason: str = "",
        assignment=None,
        report=None,
        key=None,
    ) -> None:
        """One movement of the materials ledger and the balances it moves (``materials.services._move``'s
        rule: the holders follow from the kind; none may go negative)."""
        source, target = ROUTES[kind]
        m = Movement(
            line=line,
            job=line.job,
            kind=kind,
            source=source,
            target=target,
            worker=worker,
            quantity=q,
            actor=actor,
            reason=reason[:200],
            assignment=assignment,
            report=report,
            at=at,
        )
        self.rows.movements.append(m)
        if key is not None:
            self.rows.movement_keys.append((m, key))
        for holder, sign in ((source, -1), (target, 1)):
            if holder not in (Holder.STORE, Holder.WORKER):
                continue
            hk = f"worker:{worker.pk}" if holder == Holder.WORKER else "store"
            entry = self.rows.balances.setdefault(
                (id(line), hk), [line, worker if holder == Holder.WORKER else None, Decimal(0)]
            )
            entry[2] += sign * q
            if entry[2] < 0:
                raise RuntimeError(f"the season would take {line.material} at {hk} below zero")

    def _held(self, line: BomLine, hk: str) -> Decimal:
        entry = self.rows.balances.get((id(line), hk))
        return entry[2] if entry else Decimal(0)

    def _open_shares(self, state: str) -> list[PlayedShare]:
        return [s for j in self.rows.jobs for s in j.shares if s.row.state == state]
