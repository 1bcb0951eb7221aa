"""The materials ledger's writes: one function per movement, each in ``transaction.atomic``.

Every movement writes one ``Movement`` row (append-only) and moves the two balances it touches in the same
transaction: the holder giving material loses it by a conditional update that refuses to go below zero
(``quantity >= q``), which the database also checks, so two returns of one worker's material at once can
never both win. Quantities are ``Decimal`` in the line's unit: whole numbers for whole units, at most 3
places for measured ones; anything else is refused in words (``ValidationError``), and nothing is written.

Errors: ``ValidationError`` (bad input, a holder short of material), ``PermissionDenied`` (checked by the
callers that have a person: the pages).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .bom import BomInput, bom_input_check, bom_lines_create, bom_of_last_job  # noqa: F401 (the ledger's API)
from .models import Balance, BomLine, Holder, MaterialProblem, Movement, MovementKind, ProblemKind
from .quantities import kit_quantity, quantity, receipt_check, use_for
from .quantities import shown as _shown
from .selectors import KitPlan

STORE = "store"
# The holders that keep a balance; the others (the firm, consumed, scrap, lost) are sources or sinks.
HOLDING = (Holder.STORE, Holder.WORKER, Holder.COURIER)
# kind → (from, to); None: a scrap or a loss comes from the worker named, else from the store.
ROUTES: dict[str, tuple[str | None, str]] = {
    MovementKind.RECEIVE: (Holder.FIRM, Holder.STORE),
    MovementKind.ISSUE: (Holder.STORE, Holder.WORKER),
    MovementKind.RETURN: (Holder.WORKER, Holder.STORE),
    MovementKind.CONSUME: (Holder.WORKER, Holder.CONSUMED),
    MovementKind.SCRAP: (None, Holder.SCRAP),
    MovementKind.RETURN_TO_FIRM: (Holder.STORE, Holder.FIRM),
    MovementKind.LOSE: (None, Holder.LOST),
    # Door delivery and collection (logistics): store → courier → worker, worker → courier → store.
    MovementKind.LOAD: (Holder.STORE, Holder.COURIER),
    MovementKind.DELIVER: (Holder.COURIER, Holder.WORKER),
    MovementKind.PICK_UP: (Holder.WORKER, Holder.COURIER),
    MovementKind.UNLOAD: (Holder.COURIER, Holder.STORE),
    MovementKind.UNCONSUME: (Holder.CONSUMED, Holder.WORKER),
}


# --- moving material -----------------------------------------------------------------------------------


def _holder_key(holder: str, who_id: int | None) -> str:
    """ "store", "worker:<worker id>" or "courier:<courier id>"."""
    return f"{holder}:{who_id}" if holder in (Holder.WORKER, Holder.COURIER) else holder


def _locked(line: BomLine, holders: list[tuple[str, int | None]]) -> dict[str, Balance]:
    """The balances of ``holders`` (the store, a worker or a courier, with the person's id) of ``line``,
    made if missing and locked for this transaction in one order (by key), so two movements between the
    same holders cannot deadlock. The arithmetic is then done in Python on exact Decimals (SQLite would do
    it in floating point)."""
    keys = {_holder_key(h, w): (h, w) for h, w in holders}
    Balance.objects.bulk_create(
        [
            Balance(
                line=line,
                holder=h,
                worker_id=w if h == Holder.WORKER else None,
                courier_id=w if h == Holder.COURIER else None,
                holder_key=k,
            )
            for k, (h, w) in keys.items()
        ],
        ignore_conflicts=True,
    )
    return {
        b.holder_key: b
        for b in Balance.objects.select_for_update()
        .filter(line=line, holder_key__in=sorted(keys))
        .order_by("holder_key")
    }


def _take(balance: Balance, line: BomLine, q: Decimal, who: str) -> None:
    """Take ``q`` from a locked balance, or refuse in words when it holds less."""
    if balance.quantity < q:
        raise ValidationError(
            _("%(who)s只有%(m)s %(h)s%(u)s,不够%(q)s%(u)s。")
            % {
                "who": who,
                "m": line.material,
                "h": _shown(line, balance.quantity),
                "q": _shown(line, q),
                "u": line.get_unit_display(),
            }
        )
    balance.quantity -= q
    balance.save(update_fields=["quantity"])


def _give(balance: Balance, q: Decimal) -> None:
    balance.quantity += q
    balance.save(update_fields=["quantity"])


def _holder_name(holder: str, worker=None, courier=None) -> str:
    if holder == Holder.WORKER and worker is not None:
        return worker.name
    if holder == Holder.COURIER and courier is not None:
        return courier.name
    return str(Holder(holder).label)


def _move(
    *,
    line: BomLine,
    kind: str,
    q: Decimal,
    worker=None,
    actor=None,
    reason: str = "",
    key: str | None = None,
    assignment=None,
    report=None,
    courier=None,
) -> Movement:
    """Write one movement of ``kind`` and move the balances it touches; the holders follow from the kind
    (``ROUTES``), and a scrap or a loss is at ``worker`` when one is given, else in the store. ``courier``:
    the courier of a load, a delivery, a pick-up or an unload. With a ``key`` already used, the first
    movement is returned and nothing moves (a retried request)."""
    source, target = ROUTES[kind]
    if source is None:
        source = Holder.WORKER if worker is not None else Holder.STORE
    if key is not None:
        done = Movement.objects.filter(key=key).first()
        if done is not None:
            if (done.line_id, done.kind, done.quantity) != (line.pk, kind, q):
                # The same form sent again with other figures (the back button): not a retry.
                raise ValidationError(_("这张表已经提交过了,请刷新页面后重新填写。"))
            return done
    ids = {
        Holder.STORE: None,
        Holder.WORKER: worker.pk if worker is not None else None,
        Holder.COURIER: courier.pk if courier is not None else None,
    }
    held = [(h, ids[h]) for h in (source, target) if h in HOLDING]
    balances = _locked(line, held)
    if source in HOLDING:
        _take(balances[_holder_key(source, ids[source])], line, q, _holder_name(source, worker, courier))
    if target in HOLDING:
        _give(balances[_holder_key(target, ids[target])], q)
    row = Movement(
        line=line,
        job_id=line.job_id,
        kind=kind,
        source=source,
        target=target,
        worker=worker,
        courier=courier,
        quantity=q,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason[:200],
        key=key,
        assignment=assignment,
        report=report,
    )
    if key is None:
        # Only a key can collide: a movement without one (a report's consumption) needs no savepoint.
        row.save(force_insert=True)
        return row
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            return row
    except IntegrityError:
        raise ValidationError(_("这笔物料刚刚已经登记过,请刷新页面。")) from None


@transaction.atomic
def material_receive(
    *,
    line: BomLine,
    quantity_received,
    actor,
    note: str = "",
    key: str | None = None,
    confirm_over: bool = False,
):
    """Material counted in from the firm (来料入库): firm → the workshop's store. Partial receipts add up;
    the job's account (``selectors.LineAccount.short`` / ``over``) says what is short or over.

    Up to ``settings.NUANXIN_OVER_RECEIPT_PCT`` % (default 10) more than the job needs with its allowed
    loss is taken as counted (cloth that stretches from 10 m to 10.5 m, a few spares); beyond it, a typo is
    likelier than a gift, so the receipt is refused in words unless ``confirm_over`` says the count is
    right; even confirmed, one receipt is at most ten times what the job needs plus ten units
    (``quantities.receipt_check``). Returns the movement."""
    q = quantity(line, quantity_received)
    # A retried request is not checked again: ``_move`` returns the first receipt and moves nothing.
    if key is None or not Movement.objects.filter(key=key).exists():
        receipt_check(
            line,
            needed=kit_quantity(line, line.job.quantity),
            received=_sum(line, kind=MovementKind.RECEIVE),
            q=q,
            over_pct=settings.NUANXIN_OVER_RECEIPT_PCT,
            confirmed=confirm_over,
        )
    return _move(
        line=line,
        kind=MovementKind.RECEIVE,
        q=q,
        actor=actor,
        reason=note,
        key=key,
    )


@transaction.atomic
def kit_issue(*, assignment, actor=None) -> list[Movement]:
    """Hand a worker the kit for her share (发料): for each material of the job, per piece × the share's
    pieces plus the allowed loss, rounded on the running total of the job's kits that left the store
    before (``selectors.KitPlan``), store → worker. Idempotent per share and material.
    Raises ValidationError (the store is short: nothing is issued) or when the job has no materials."""
    lines = list(BomLine.objects.filter(job_id=assignment.job_id).order_by("id"))
    if not lines:
        raise ValidationError(_("这张外发单没有物料清单。"))
    plan = KitPlan(lines)
    return [
        _move(
            line=line,
            kind=MovementKind.ISSUE,
            q=plan.kit(line, assignment.pk, assignment.pieces),
            worker=assignment.worker,
            actor=actor,
            reason=_("派工配套"),
            key=f"kit:{assignment.pk}:{line.pk}",
            assignment=assignment,
        )
        for line in lines
    ]


@transaction.atomic
def material_issue(*, line: BomLine, worker, quantity_issued, actor, reason: str, assignment=None, key=None):
    """Extra material to a worker (补料), e.g. replacement parts for rework: store → worker. ``assignment``:
    the share it is for (a rework share consumes only what is issued for it)."""
    q = quantity(line, quantity_issued)
    return _move(
        line=line,
        kind=MovementKind.ISSUE,
        q=q,
        worker=worker,
        actor=actor,
        reason=reason or _("补料"),
        key=key,
        assignment=assignment,
    )


@transaction.atomic
def material_return(*, line: BomLine, worker, quantity_returned, actor, note: str = "", key=None):
    """A worker brings material back (退料): worker → store. Refused above what she holds."""
    q = quantity(line, quantity_returned)
    return _move(
        line=line,
        kind=MovementKind.RETURN,
        q=q,
        worker=worker,
        actor=actor,
        reason=note,
        key=key,
    )


@transaction.atomic
def material_scrap(*, line: BomLine, quantity_scrapped, actor, reason: str, worker=None, key=None):
    """Material spoiled and thrown out (报废), from the store or from ``worker``, with a reason (required)."""
    q = quantity(line, quantity_scrapped)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("报废请写明原因。")})
    return _move(
        line=line,
        kind=MovementKind.SCRAP,
        q=q,
        worker=worker,
        actor=actor,
        reason=reason,
        key=key,
    )


@transaction.atomic
def material_return_to_firm(*, line: BomLine, quantity_returned, actor, note: str = "", key=None):
    """Leftovers go back to the firm (余料退回): store → firm. Refused above what the store holds."""
    q = quantity(line, quantity_returned)
    return _move(
        line=line,
        kind=MovementKind.RETURN_TO_FIRM,
        q=q,
        actor=actor,
        reason=note,
        key=key,
    )


@transaction.atomic
def material_write_off(*, line: BomLine, worker, actor, reason: str = "", key=None) -> Movement | None:
    """Write off what a worker still holds of ``line`` as lost (核销损耗), when her work is done and nothing
    more comes back: worker → lost. Returns None when she holds nothing. With a ``key`` already used, the
    first write-off is returned and nothing more is written (a double submit). Refused while she still has
    an open share of the job (what she holds is her kit for it)."""
    if key is not None:
        done = Movement.objects.filter(key=key).first()
        if done is not None:
            return done
    if line.job.assignments.filter(worker=worker, state__in=("offered", "accepted")).exists():
        raise ValidationError(
            _("%(w)s还有这张外发单的活没做完,手里的%(m)s不能核销。") % {"w": worker.name, "m": line.material}
        )
    held = (
        Balance.objects.filter(line=line, holder_key=_holder_key(Holder.WORKER, worker.pk))
        .values_list("quantity", flat=True)
        .first()
    )
    if not held:
        return None
    return _move(
        line=line,
        kind=MovementKind.LOSE,
        q=held,
        worker=worker,
        actor=actor,
        reason=reason or _("完工核销"),
        key=key,
    )


def consume_for_report(
    *, report, assignment, job, pieces_before: int, lines: list[BomLine] | None = None
) -> list[Movement]:
    """Use up the material of the pieces a worker just reported (报工耗用), by the bill of materials, in the
    flow's transaction (called by ``dispatch.services.work_report``): every made piece used its parts,
    whether it later passes or not. Cumulative per share, so fractions of a whole unit add up right.

    A first-round share draws from what the worker holds, and what she lacks from the store (recorded as
    an issue: she took it at the workshop); a rework share uses only replacement parts issued for it.
    Raises ValidationError when the material is not there (nothing is written: the report is refused).
    Does nothing for a job without materials. ``lines``: the job's bill of materials when the caller has
    read it already (one query less)."""
    if lines is None:
        lines = list(BomLine.objects.filter(job_id=job.pk).order_by("id"))
    if not lines:
        return []
    worker = assignment.worker
    after = pieces_before + report.pieces
    made = []
    for line in lines:
        need = use_for(line, after) - use_for(line, pieces_before)
        if assignment.kind == "rework":
            issued = _sum(line, kind=MovementKind.ISSUE, assignment=assignment)
            used = _net(line, MovementKind.CONSUME, MovementKind.UNCONSUME, assignment=assignment)
            need = min(need, max(issued - used, Decimal("0")))
        if need <= 0:
            continue
        try:
            made.extend(_consume(line, assignment, worker, report, need))
        except ValidationError as short:
            # Said to the worker who reported (a trial's worker was lost in "the books"): what to do first,
            # the ledger's figures after, for the head she shows it to.
            raise ValidationError(
                _(
                    "这次报工没记上:工坊的材料账上还没有这些料。请告诉坊长先登记企业送来的料,再报一次。(%(why)s)"
                )
                % {"why": " ".join(short.messages)}
            ) from None
    return made


def release_for_report(*, report, assignment, job, pieces_before: int, pieces_after: int) -> list[Movement]:
    """Give back what the pieces taken off her share used (撤销耗用), when a report is undone or corrected
    down (``dispatch.services.corrections``): ``pieces_before`` > ``pieces_after`` (ints, her share's
    reported pieces), by the bill of materials, never more than this share consumed. A movement from
    "consumed" to the worker, in the flow's transaction; the consumption rows stay as written.

    What a report took from the store at the workshop because she did not hold it (报工时补记领料,
    ``_consume``) was never in her hands: that much, up to what is given back, goes on to the store (a
    return, 撤销报工退回补记的料), so her holding is what it was before the report. Issues recorded
    before the link to their report was kept (no report on the row) are not known as such and stay
    with her, as before."""
    made = []
    for line in BomLine.objects.filter(job_id=job.pk).order_by("id"):
        give = use_for(line, pieces_before) - use_for(line, pieces_after)
        give = min(give, _net(line, MovementKind.CONSUME, MovementKind.UNCONSUME, assignment=assignment))
        if give <= 0:
            continue
        taken_here = _net(
            line, MovementKind.ISSUE, MovementKind.RETURN, assignment=assignment, report__isnull=False
        )
        for kind, q, reason in (
            (MovementKind.UNCONSUME, give, ""),
            (MovementKind.RETURN, min(give, taken_here), gettext_noop("撤销报工,报工时补记的领料退回工坊")),
        ):
            if q > 0:
                made.append(
                    _move(
                        line=line,
                        kind=kind,
                        q=q,
                        worker=assignment.worker,
                        reason=reason,
                        assignment=assignment,
                        report=report,
                    )
                )
    return made


def _consume(line: BomLine, assignment, worker, report, need: Decimal) -> list[Movement]:
    """Consume ``need`` of ``line`` at ``worker``; on a first-round share, first take what she lacks from
    the store (an issue recorded as taken at the workshop)."""
    made = []
    if assignment.kind != "rework":
        key = _holder_key(Holder.WORKER, worker.pk)
        held = Balance.objects.filter(line=line, holder_key=key).values_list("quantity", flat=True).first()
        short = need - (held or Decimal("0"))
        if short > 0:
            made.append(
                _move(
                    line=line,
                    kind=MovementKind.ISSUE,
                    q=short,
                    worker=worker,
                    reason=gettext_noop("报工时补记领料"),  # stored as its msgid (``stored_words``)
                    assignment=assignment,
                    # Linked to the report that took it: undone, it goes back to the store
                    # (``release_for_report``), not to her.
                    report=report,
                )
            )
    made.append(
        _move(
            line=line,
            kind=MovementKind.CONSUME,
            q=need,
            worker=worker,
            assignment=assignment,
            report=report,
        )
    )
    return made


def _sum(line: BomLine, **filters) -> Decimal:
    return Movement.objects.filter(line=line, **filters).aggregate(t=Sum("quantity"))["t"] or Decimal("0")


def _net(line: BomLine, plus: str, minus: str, **filters) -> Decimal:
    """What movements of kind ``plus`` moved of ``line`` less those of kind ``minus`` (both ``filters``)."""
    return _sum(line, kind=plus, **filters) - _sum(line, kind=minus, **filters)


# --- what a worker reports (not a movement) ------------------------------------------------------------


@transaction.atomic
def material_problem_report(
    *, assignment, line: BomLine, kind: str, quantity_reported, note: str = "", photo=None, key: str
) -> tuple[MaterialProblem, bool]:
    """A worker reports from her phone that ``line``'s material is short or a part is damaged (缺料 /
    零件损坏) on her share ``assignment``, with an optional ``photo`` (an uploaded image, checked by the
    form). Writes no movement: the head counts what is really there. Idempotent on ``key``: the same
    report posted twice returns the first, (problem, False). Raises ValidationError in words (a material
    not of this job, a bad quantity, a key already used by another share)."""
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError(_("缺少有效的提交编号,请刷新页面后重试。"))
    done = MaterialProblem.objects.filter(key=key).first()
    if done is not None:
        if done.assignment_id != assignment.pk:
            raise ValidationError(_("提交编号重复,请刷新页面后重试。"))
        return done, False
    if line.job_id != assignment.job_id:
        raise ValidationError({"line": _("这种材料不是这份活的。")})
    if kind not in ProblemKind.values:
        raise ValidationError({"kind": _("请选是缺料还是零件坏了。")})
    q = quantity(line, quantity_reported)
    problem = MaterialProblem(
        line=line,
        assignment=assignment,
        worker_id=assignment.worker_id,
        kind=kind,
        quantity=q,
        note=(note or "").strip()[:200],
        key=key,
    )
    if photo:
        problem.photo = photo
    try:
        with transaction.atomic():
            problem.save()
    except IntegrityError:
        raise ValidationError(_("这次上报刚刚已经记上了,请刷新页面。")) from None
    return problem, True


COURIER_KINDS = (MovementKind.LOAD, MovementKind.DELIVER, MovementKind.PICK_UP, MovementKind.UNLOAD)


@transaction.atomic
def courier_move(
    *,
    kind: str,
    line: BomLine,
    courier,
    quantity_moved,
    actor,
    worker=None,
    assignment=None,
    key: str | None = None,
    reason: str = "",
) -> Movement:
    """Material on a courier's run (送货上门、集中回收): ``LOAD`` store → courier, ``DELIVER`` courier →
    ``worker`` (her kit at her door), ``PICK_UP`` ``worker`` → courier (what she gives back), ``UNLOAD``
    courier → store (back at the workshop). ``quantity_moved`` in the line's unit (Decimal or text).
    Idempotent by ``key``. Raises ValidationError (a holder short of it, a bad quantity, a kind that is
    not a courier's, a delivery or pick-up without the worker)."""
    if kind not in COURIER_KINDS:
        raise ValidationError(_("这不是配送员的物料移动。"))
    at_door = kind in (MovementKind.DELIVER, MovementKind.PICK_UP)
    if at_door != (worker is not None):
        raise ValidationError(_("送料和收料要写明是哪位坊工。"))
    return _move(
        line=line,
        kind=kind,
        q=quantity(line, quantity_moved),
        worker=worker,
        courier=courier,
        actor=actor,
        reason=reason,
        key=key,
        assignment=assignment,
    )
