"""The materials ledger's reads: a job's materials by holder, each worker's loss against the allowance,
and the reconciliation (物料对账) of a job. Every figure is summed from the movements; balances are read
from ``Balance`` and checked against the movements (``balances_agree``)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.db.models import BooleanField, Case, OuterRef, Q, Subquery, Sum, Value, When

from workshop.models import ProductionLine

from .models import QTY_PLACES, Balance, BomLine, Holder, Movement, MovementKind
from .quantities import kit_quantity, kit_share

ZERO = Decimal("0")


def allowed_loss(consumed: Decimal, pct: Decimal, *, whole: bool) -> Decimal:
    """The loss ``consumed`` units allow at ``pct`` % (损耗率), rounded up as kits are: to a whole unit for
    a whole one (100 panels at 0.5 % allow 1), to 0.001 for a measured one."""
    raw = consumed * pct / 100
    if whole:
        return Decimal(math.ceil(raw))
    return raw.quantize(QTY_PLACES, rounding=ROUND_CEILING)


class KitPlan:
    """The kits of a job's shares, rounded on the running total of the pieces whose kits have left the
    store (``kit_share``), so a job's kits add up to the job's own need however it is split, declined and
    offered again. A kit left the store when it was issued at the counter (``kit:`` key) or loaded for a
    courier (``LOAD``); a share whose kit left already keeps that quantity (the courier hands over what she
    loaded). ``lines``: ``BomLine`` rows; one query, none without lines.

    ``kit(line, assignment_id, pieces)``: Decimal, in the line's unit; a share not yet kitted is counted
    in as it is asked for, so ask in the order the kits will leave."""

    def __init__(self, lines: Iterable[BomLine]):
        self.taken: dict[int, dict[int, Decimal]] = defaultdict(dict)
        self.before: dict[int, int] = defaultdict(int)
        ids = [line.pk for line in lines]
        if not ids:
            return
        rows = (
            Movement.objects.filter(line_id__in=ids, assignment__isnull=False)
            .filter(Q(kind=MovementKind.ISSUE, key__startswith="kit:") | Q(kind=MovementKind.LOAD))
            .order_by("id")
            .values_list("line_id", "assignment_id", "assignment__pieces", "quantity")
        )
        for line_id, a_id, pieces, q in rows:
            if a_id not in self.taken[line_id]:
                self.taken[line_id][a_id] = q
                self.before[line_id] += pieces

    def kit(self, line: BomLine, assignment_id: int, pieces: int) -> Decimal:
        taken = self.taken[line.pk]
        if assignment_id not in taken:
            taken[assignment_id] = kit_share(line, pieces, self.before[line.pk])
            self.before[line.pk] += pieces
        return taken[assignment_id]


@dataclass
class WorkerMaterial:
    """One worker's account of one material of a job. ``loss`` = issued − consumed − returned − scrapped
    (what she holds plus what was written off); ``loss_rate`` = loss ÷ consumed (None before she used any).

    ``allowed`` is the loss her consumption allows, rounded up as kits are (a whole unit is never split:
    100 panels at 0.5 % allow 1 panel, so a kit's own rounding is never flagged); ``above_allowance`` when
    her loss passes it and her work on the job is done."""

    worker_id: int
    name: str
    issued: Decimal = ZERO
    consumed: Decimal = ZERO
    returned: Decimal = ZERO
    scrapped: Decimal = ZERO
    lost: Decimal = ZERO
    holds: Decimal = ZERO
    done: bool = False
    allowance_pct: Decimal = ZERO
    whole: bool = True

    @property
    def loss(self) -> Decimal:
        return self.issued - self.consumed - self.returned - self.scrapped

    @property
    def loss_rate(self) -> Decimal | None:
        if self.consumed <= 0:
            return None
        return (self.loss / self.consumed * 100).quantize(Decimal("0.01"))

    @property
    def allowed(self) -> Decimal:
        return allowed_loss(self.consumed, self.allowance_pct, whole=self.whole)

    @property
    def above_allowance(self) -> bool:
        return self.done and self.loss > self.allowed

    @property
    def over_allowance(self) -> bool:
        """Her loss passes the allowance now, whether her work is done or not: what a write-off makes
        final. Any loss before she used anything counts as over."""
        return self.loss > 0 and self.loss > self.allowed


@dataclass
class LineTotals:
    """One material of one job in totals, without any worker's rows (what the firm sees): from the firm,
    consumed, returned to the firm, scrapped, lost, and what is still out (in the store, at workers, or on a
    courier's vehicle).
    ``from_firm`` = ``consumed`` + ``returned_to_firm`` + ``scrapped`` + ``lost`` + ``still_out`` exactly
    (``balanced``); reconciled when nothing is still out."""

    line: BomLine
    needed: Decimal
    from_firm: Decimal = ZERO
    consumed: Decimal = ZERO
    returned_to_firm: Decimal = ZERO
    scrapped: Decimal = ZERO
    lost: Decimal = ZERO
    in_store: Decimal = ZERO
    at_workers: Decimal = ZERO
    with_couriers: Decimal = ZERO

    @property
    def still_out(self) -> Decimal:
        return self.in_store + self.at_workers + self.with_couriers

    @property
    def reconciled(self) -> bool:
        return self.still_out == 0

    @property
    def balanced(self) -> bool:
        accounted = self.consumed + self.returned_to_firm + self.scrapped + self.lost
        return self.from_firm == accounted + self.still_out

    @property
    def short(self) -> Decimal:
        return max(self.needed - self.from_firm, ZERO)

    @property
    def over(self) -> Decimal:
        return max(self.from_firm - self.needed, ZERO)

    @property
    def loss_rate(self) -> Decimal | None:
        """The loss so far (scrapped + lost) ÷ consumed, in %; what is still held is not lost yet."""
        if self.consumed <= 0:
            return None
        return ((self.scrapped + self.lost) / self.consumed * 100).quantize(Decimal("0.01"))


# A movement kind → the total it adds to, for a material and for the worker whose holding it changes.
_TOTALS = {
    MovementKind.RECEIVE: "from_firm",
    MovementKind.CONSUME: "consumed",
    MovementKind.RETURN_TO_FIRM: "returned_to_firm",
    MovementKind.SCRAP: "scrapped",
    MovementKind.LOSE: "lost",
}
# Kinds that take back from a total: an undone report gives back what it used (撤销耗用).
_NEGATIVE = {MovementKind.UNCONSUME}
_TOTALS[MovementKind.UNCONSUME] = "consumed"
_WORKER_TOTALS = {
    MovementKind.ISSUE: "issued",
    MovementKind.DELIVER: "issued",
    MovementKind.PICK_UP: "returned",
    MovementKind.CONSUME: "consumed",
    MovementKind.RETURN: "returned",
    MovementKind.SCRAP: "scrapped",
    MovementKind.LOSE: "lost",
    MovementKind.UNCONSUME: "consumed",
}


@dataclass
class LineAccount(LineTotals):
    """``LineTotals`` with each worker's account (``workers``); ``at_workers`` is what they hold."""

    workers: list[WorkerMaterial] = field(default_factory=list)


def job_accounts(job) -> list[LineAccount]:
    """Every material of ``job`` with its account: what came from the firm, where it went, what is out and
    where, each worker's loss against the allowance. Four queries, whatever the number of movements."""
    lines = list(BomLine.objects.filter(job=job).order_by("id"))
    if not lines:
        return []
    sums = list(
        Movement.objects.filter(job=job)
        .values_list("line_id", "kind", "worker_id", "worker__name")
        .annotate(q=Sum("quantity"))
        .values_list("line_id", "kind", "worker_id", "worker__name", "q")
    )
    holds = dict(
        ((line_id, key), q)
        for line_id, key, q in Balance.objects.filter(line__job=job).values_list(
            "line_id", "holder_key", "quantity"
        )
    )
    states: dict[int, set[str]] = defaultdict(set)
    for worker_id, state in job.assignments.values_list("worker_id", "state"):
        states[worker_id].add(state)
    done = {wid for wid, s in states.items() if "done" in s and not s & {"offered", "accepted"}}
    return [_account(job, line, [row for row in sums if row[0] == line.pk], holds, done) for line in lines]


def _account(job, line: BomLine, sums, holds, done: set[int]) -> LineAccount:
    acc = LineAccount(line=line, needed=kit_quantity(line, job.quantity))
    workers: dict[int, WorkerMaterial] = {}
    for _line_id, kind, worker_id, name, q in sums:
        q = -q if kind in _NEGATIVE else q
        w = None
        if worker_id is not None:
            w = workers.setdefault(
                worker_id,
                WorkerMaterial(
                    worker_id, name, done=worker_id in done, allowance_pct=line.loss_pct, whole=line.whole
                ),
            )
        if kind in _TOTALS:
            setattr(acc, _TOTALS[kind], getattr(acc, _TOTALS[kind]) + q)
        if w is not None and kind in _WORKER_TOTALS:
            setattr(w, _WORKER_TOTALS[kind], getattr(w, _WORKER_TOTALS[kind]) + q)
    acc.in_store = holds.get((line.pk, "store"), ZERO)
    for wid, w in workers.items():
        w.holds = holds.get((line.pk, f"worker:{wid}"), ZERO)
    acc.workers = sorted(workers.values(), key=lambda w: (w.name, w.worker_id))
    acc.at_workers = sum((w.holds for w in acc.workers), ZERO)
    acc.with_couriers = sum(
        (q for (line_id, key), q in holds.items() if line_id == line.pk and key.startswith("courier:")), ZERO
    )
    return acc


def balances_agree(job) -> bool:
    """Every kept balance of ``job`` equals what its movements add up to (in − out), and no balance is
    negative: the check of the kept balances against the ledger."""
    derived: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    ids = {Holder.STORE: lambda w, c: "store", Holder.WORKER: lambda w, c: f"worker:{w}"}
    ids[Holder.COURIER] = lambda w, c: f"courier:{c}"
    for line_id, source, target, worker_id, courier_id, q in (
        Movement.objects.filter(job=job)
        .values_list("line_id", "source", "target", "worker_id", "courier_id")
        .annotate(q=Sum("quantity"))
        .values_list("line_id", "source", "target", "worker_id", "courier_id", "q")
    ):
        if target in ids:
            derived[(line_id, ids[target](worker_id, courier_id))] += q
        if source in ids:
            derived[(line_id, ids[source](worker_id, courier_id))] -= q
    kept = {
        (line_id, key): q
        for line_id, key, q in Balance.objects.filter(line__job=job).values_list(
            "line_id", "holder_key", "quantity"
        )
    }
    keys = set(derived) | set(kept)
    return all(kept.get(k, ZERO) == derived.get(k, ZERO) and kept.get(k, ZERO) >= 0 for k in keys)


def worker_holdings(worker) -> list[tuple[BomLine, Decimal]]:
    """What ``worker`` holds now, material by material, for the phone's share page: (line, quantity > 0)."""
    return [
        (b.line, b.quantity)
        for b in Balance.objects.filter(holder_key=f"worker:{worker.pk}", quantity__gt=0)
        .select_related("line", "line__job")
        .order_by("line__job_id", "line_id")
    ]


def materials_figures(jobs) -> dict[str, dict]:
    """The materials of ``jobs`` summed by kind of material (name and unit, e.g. ``"螺丝(个)"``): ``received``
    from the firm, ``issued`` to workers, ``consumed``, ``returned`` by workers, ``returned_to_firm``,
    ``scrapped``, ``lost``, ``in_store``, ``at_workers`` (decimal strings in the unit), ``loss_rate`` (lost
    and scrapped ÷ consumed, %, a float), ``workers_above_allowance`` (a worker's account on a
    job above its allowed loss, counted once per job and material) and ``balance_holds`` (received =
    consumed + returned to the firm + scrapped + lost + in store + at workers, for every job)."""
    out: dict[str, dict] = {}
    for job in jobs:
        for acc in job_accounts(job):
            name = f"{acc.line.material}({acc.line.get_unit_display()})"
            f = out.setdefault(
                name,
                {
                    k: ZERO
                    for k in (
                        "received",
                        "issued",
                        "consumed",
                        "returned",
                        "returned_to_firm",
                        "scrapped",
                        "lost",
                        "in_store",
                        "at_workers",
                    )
                }
                | {"workers_above_allowance": 0, "balance_holds": True},
            )
            f["received"] += acc.from_firm
            f["issued"] += sum((w.issued for w in acc.workers), ZERO)
            f["consumed"] += acc.consumed
            f["returned"] += sum((w.returned for w in acc.workers), ZERO)
            f["returned_to_firm"] += acc.returned_to_firm
            f["scrapped"] += acc.scrapped
            f["lost"] += acc.lost
            f["in_store"] += acc.in_store
            f["at_workers"] += acc.at_workers
            f["workers_above_allowance"] += sum(1 for w in acc.workers if w.above_allowance)
            f["balance_holds"] = f["balance_holds"] and acc.balanced
    for f in out.values():
        gone = f["lost"] + f["scrapped"]
        f["loss_rate"] = round(float(gone / f["consumed"] * 100), 2) if f["consumed"] else None
        for k, v in f.items():
            if isinstance(v, Decimal):
                f[k] = format(v.normalize(), "f") if v else "0"
    return out


def share_materials(worker, job_id: int) -> list[tuple[BomLine, Decimal]]:
    """Every material of job ``job_id`` with what ``worker`` holds of it now (0 when nothing), in the
    bill's order: her share's page on the phone. [] for a job without materials. One query."""
    mine = Balance.objects.filter(line=OuterRef("pk"), holder_key=f"worker:{worker.pk}")
    held = mine.values("quantity")[:1]
    return [
        (b, b.held if b.held is not None else ZERO)
        for b in BomLine.objects.filter(job_id=job_id).annotate(held=Subquery(held)).order_by("id")
    ]


def job_bom(job) -> list[BomLine]:
    """``job``'s bill of materials in order, each line with ``needed``: what the whole job takes with the
    allowed loss (``kit_quantity`` of the job's pieces). One query."""
    lines = list(BomLine.objects.filter(job=job).order_by("id"))
    for line in lines:
        line.needed = kit_quantity(line, job.quantity)
    return lines


def last_boms(line_ids) -> dict[int, list[BomLine]]:
    """The bill of materials of the newest job of each production line in ``line_ids`` that had one (what
    the firm's issue form starts from), by line id; a line whose jobs never had one is left out. Two
    queries whatever the number of lines or jobs."""
    newest = BomLine.objects.filter(job__line_id=OuterRef("pk")).order_by("-job__issued_at", "-job_id")
    last = dict(
        ProductionLine.objects.filter(pk__in=list(line_ids))
        .annotate(last_job=Subquery(newest.values("job_id")[:1]))
        .filter(last_job__isnull=False)
        .values_list("last_job", "pk")
    )
    out: dict[int, list[BomLine]] = defaultdict(list)
    for b in BomLine.objects.filter(job_id__in=list(last)).order_by("id"):
        out[last[b.job_id]].append(b)
    return dict(out)


def jobs_totals(jobs) -> dict[int, list[LineTotals]]:
    """Each of ``jobs``' materials in totals (``LineTotals``), by job id; a job without a bill of
    materials is left out. Three queries whatever the number of jobs and movements."""
    by_id = {j.pk: j for j in jobs}
    totals = {
        b.pk: LineTotals(line=b, needed=kit_quantity(b, by_id[b.job_id].quantity))
        for b in BomLine.objects.filter(job_id__in=list(by_id)).order_by("job_id", "id")
    }
    for line_id, kind, q in (
        Movement.objects.filter(job_id__in=list(by_id), kind__in=list(_TOTALS))
        .values_list("line_id", "kind")
        .annotate(q=Sum("quantity"))
        .values_list("line_id", "kind", "q")
    ):
        t = totals[line_id]
        q = -q if kind in _NEGATIVE else q
        setattr(t, _TOTALS[kind], getattr(t, _TOTALS[kind]) + q)
    for line_id, holder, q in (
        Balance.objects.filter(line_id__in=list(totals))
        .values_list("line_id", "holder")
        .annotate(q=Sum("quantity"))
        .values_list("line_id", "holder", "q")
    ):
        if holder == Holder.STORE:
            totals[line_id].in_store += q
        else:
            totals[line_id].at_workers += q
    out: dict[int, list[LineTotals]] = defaultdict(list)
    for t in totals.values():
        out[t.line.job_id].append(t)
    return dict(out)


@dataclass
class LineLoss:
    """One material of one job on a monthly statement: the ledger up to ``end`` (the month's end), and what
    was already over the allowance at its start.

    Quantities are Decimal in the line's unit. ``received`` is what came from the firm in the month;
    ``from_firm``, ``consumed``, ``returned_to_firm``, ``scrapped`` and ``lost`` are totals to the month's
    end. ``allowed`` = ``allowed_loss(consumed)``; ``over`` = scrapped + lost − allowed, never below 0 (a
    scrapped part counts as lost, as the loss rate counts it); ``over_before`` the same at the month's start.
    """

    line: BomLine
    received: Decimal = ZERO
    from_firm: Decimal = ZERO
    consumed: Decimal = ZERO
    returned_to_firm: Decimal = ZERO
    scrapped: Decimal = ZERO
    lost: Decimal = ZERO
    consumed_before: Decimal = ZERO
    gone_before: Decimal = ZERO
    moved: bool = False

    def _over(self, consumed: Decimal, gone: Decimal) -> Decimal:
        return max(gone - allowed_loss(consumed, self.line.loss_pct, whole=self.line.whole), ZERO)

    @property
    def allowed(self) -> Decimal:
        return allowed_loss(self.consumed, self.line.loss_pct, whole=self.line.whole)

    @property
    def over(self) -> Decimal:
        return self._over(self.consumed, self.scrapped + self.lost)

    @property
    def over_before(self) -> Decimal:
        return self._over(self.consumed_before, self.gone_before)


def month_losses(job_ids, start, end) -> list[LineLoss]:
    """Every material of the jobs ``job_ids`` with its ledger to ``end`` and at ``start`` (aware datetimes,
    the month's bounds): what a monthly statement charges for loss beyond the allowance. Lines of a job
    without a movement before ``end`` are left out; ``moved`` says a line moved within the month. In the
    jobs' and bill's order. Two queries, whatever the number of movements."""
    lines = {
        b.pk: LineLoss(line=b)
        for b in BomLine.objects.filter(job_id__in=list(job_ids))
        .select_related("job")
        .order_by("job_id", "id")
    }
    if not lines:
        return []
    rows = (
        Movement.objects.filter(line_id__in=list(lines), at__lt=end)
        .annotate(
            before=Case(
                When(at__lt=start, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .values_list("line_id", "kind", "before")
        .annotate(q=Sum("quantity"))
        .values_list("line_id", "kind", "before", "q")
        .order_by()
    )
    seen = set()
    for line_id, kind, before, q in rows:
        acc = lines[line_id]
        seen.add(line_id)
        if not before:
            acc.moved = True
            if kind == MovementKind.RECEIVE:
                acc.received += q
        q = -q if kind in _NEGATIVE else q  # an undone report gives back what it used
        if kind in _TOTALS:
            setattr(acc, _TOTALS[kind], getattr(acc, _TOTALS[kind]) + q)
        if before and kind in (MovementKind.CONSUME, MovementKind.UNCONSUME):
            acc.consumed_before += q
        if before and kind in (MovementKind.SCRAP, MovementKind.LOSE):
            acc.gone_before += q
    return [acc for pk, acc in lines.items() if pk in seen]
