"""The materials ledger's reads: a job's materials by holder, each worker's loss against the allowance,
and the reconciliation (物料对账) of a job. Every figure is summed from the movements; balances are read
from ``Balance`` and checked against the movements (``balances_agree``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from .models import Balance, BomLine, Holder, Movement, MovementKind
from .quantities import kit_quantity

ZERO = Decimal("0")


@dataclass
class WorkerMaterial:
    """One worker's account of one material of a job. ``loss`` = issued − consumed − returned − scrapped
    (what she holds plus what was written off); ``loss_rate`` = loss ÷ consumed (None before she used any);
    ``above_allowance`` when the rate passes the line's allowed loss and her work on the job is done."""

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

    @property
    def loss(self) -> Decimal:
        return self.issued - self.consumed - self.returned - self.scrapped

    @property
    def loss_rate(self) -> Decimal | None:
        if self.consumed <= 0:
            return None
        return (self.loss / self.consumed * 100).quantize(Decimal("0.01"))

    @property
    def above_allowance(self) -> bool:
        rate = self.loss_rate
        return self.done and rate is not None and rate > self.allowance_pct


@dataclass
class LineAccount:
    """One material of a job, from the firm to where it is now. ``from_firm`` = ``consumed`` +
    ``returned_to_firm`` + ``scrapped`` + ``lost`` + ``in_store`` + ``at_workers`` exactly (``balanced``);
    the job is reconciled for this material when nothing is in the store or at a worker."""

    line: BomLine
    needed: Decimal
    from_firm: Decimal = ZERO
    consumed: Decimal = ZERO
    returned_to_firm: Decimal = ZERO
    scrapped: Decimal = ZERO
    lost: Decimal = ZERO
    in_store: Decimal = ZERO
    workers: list[WorkerMaterial] = field(default_factory=list)

    @property
    def at_workers(self) -> Decimal:
        return sum((w.holds for w in self.workers), ZERO)

    @property
    def short(self) -> Decimal:
        """How much less than the job needs has come from the firm (0 when enough came)."""
        return max(self.needed - self.from_firm, ZERO)

    @property
    def over(self) -> Decimal:
        return max(self.from_firm - self.needed, ZERO)

    @property
    def balanced(self) -> bool:
        accounted = self.consumed + self.returned_to_firm + self.scrapped + self.lost
        return self.from_firm == accounted + self.in_store + self.at_workers

    @property
    def reconciled(self) -> bool:
        return self.in_store == 0 and self.at_workers == 0

    @property
    def loss_rate(self) -> Decimal | None:
        """The job's loss of this material so far (scrapped + lost) ÷ consumed, in %; what workers still
        hold is not lost yet."""
        if self.consumed <= 0:
            return None
        return ((self.scrapped + self.lost) / self.consumed * 100).quantize(Decimal("0.01"))


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
        w = None
        if worker_id is not None:
            w = workers.setdefault(
                worker_id,
                WorkerMaterial(worker_id, name, done=worker_id in done, allowance_pct=line.loss_pct),
            )
        if kind == MovementKind.RECEIVE:
            acc.from_firm += q
        elif kind == MovementKind.RETURN_TO_FIRM:
            acc.returned_to_firm += q
        elif kind == MovementKind.CONSUME:
            acc.consumed += q
            w.consumed += q
        elif kind == MovementKind.SCRAP:
            acc.scrapped += q
            if w is not None:
                w.scrapped += q
        elif kind == MovementKind.LOSE:
            acc.lost += q
            if w is not None:
                w.lost += q
        elif kind == MovementKind.ISSUE:
            w.issued += q
        elif kind == MovementKind.RETURN:
            w.returned += q
    acc.in_store = holds.get((line.pk, "store"), ZERO)
    for wid, w in workers.items():
        w.holds = holds.get((line.pk, f"worker:{wid}"), ZERO)
    acc.workers = sorted(workers.values(), key=lambda w: (w.name, w.worker_id))
    return acc


def balances_agree(job) -> bool:
    """Every kept balance of ``job`` equals what its movements add up to (in − out), and no balance is
    negative: the check of the kept balances against the ledger."""
    derived: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for line_id, source, target, worker_id, q in (
        Movement.objects.filter(job=job)
        .values_list("line_id", "source", "target", "worker_id")
        .annotate(q=Sum("quantity"))
        .values_list("line_id", "source", "target", "worker_id", "q")
    ):
        if target in (Holder.STORE, Holder.WORKER):
            derived[(line_id, "store" if target == Holder.STORE else f"worker:{worker_id}")] += q
        if source in (Holder.STORE, Holder.WORKER):
            derived[(line_id, "store" if source == Holder.STORE else f"worker:{worker_id}")] -= q
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
