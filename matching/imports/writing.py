"""Writing a previewed import to the database, all or nothing: :func:`commit`.

The rows are checked again (``checking.preview_payload``) inside the transaction; then one ImportBatch,
the wishes (by phone) or the firms (by credit code) and their demands, a WishRecord for each new wish and
an EntryEvent for each entry created or updated. An existing wish's status is never written from the
sheet: a closed one is opened again through ``services.wish_reopen`` (its transition, compare-and-swap),
every other keeps the status it has.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _

from workshop.models import PartnerFirm, WishStatus, WorkWish

from .. import services
from ..models import (
    DemandEntry,
    EntryEvent,
    EntrySubject,
    IllegalStatusChange,
    ImportBatch,
    ImportKind,
    WishRecord,
    WishSource,
)
from .checking import ImportRefused, Preview, RowError, preview_payload

# What an import writes on a wish it updates: every field but the status, which moves only through
# services (a status read at the check may have moved since; writing it back would undo that move).
WISH_FIELDS = [f.name for f in WorkWish._meta.concrete_fields if not f.primary_key and f.name != "status"]


@transaction.atomic
def commit(*, actor, payload: str) -> ImportBatch:
    """Write a previewed import, all or nothing: every row is checked again inside the transaction and
    any refused row refuses the whole file (ImportRefused, nothing written), as does a closed wish that
    someone moved before the import could reopen it (its IllegalStatusChange as the row's error).
    Creates an ImportBatch, the new and updated wishes (by phone) or firms (by credit code) and demands,
    and an EntryEvent for each entry created or updated (for a reopened wish, ``services.wish_reopen``
    writes it). Raises PermissionDenied, ValidationError, ImportRefused."""
    result = preview_payload(actor=actor, payload=payload)
    if not result.ok:
        raise ImportRefused(result)
    batch = ImportBatch.objects.create(
        kind=result.kind,
        workshop=result.workshop,
        uploaded_by=actor,
        filename=result.filename,
        rows=len(result.rows),
        created_count=result.created,
        updated_count=result.updated,
    )
    try:
        with transaction.atomic():
            if result.kind == ImportKind.WISHES:
                _write_wishes(result, actor, batch)
            else:
                _write_demands(result, actor, batch)
    except IntegrityError as exc:
        raise ValidationError(
            _("导入时数据刚好有变化(例如同一手机号刚被登记),请重新上传。"), code="race"
        ) from exc
    return batch


def _write_wishes(result: Preview, actor, batch: ImportBatch) -> None:
    events, records = [], []
    note = _("表格导入 %(f)s 第%(n)d行")
    for row in result.rows:
        wish: WorkWish = row["instance"]
        text = (note % {"f": result.filename, "n": row["row"]})[:300]
        if wish.pk and wish.status == WishStatus.CLOSED:
            # Signed up again: follow it up again. The service writes the closed → new history row.
            try:
                services.wish_reopen(actor=actor, wish=wish, note=text)
            except IllegalStatusChange as exc:
                result.errors.append(RowError(row["row"], [str(exc)]))
                raise ImportRefused(result) from exc
            _save_fields(wish)
            continue
        before = wish.status if wish.pk else ""
        if wish.pk:
            _save_fields(wish)
        else:
            wish.save()
            records.append(WishRecord(wish=wish, source=WishSource.IMPORT, batch=batch))
        events.append(
            EntryEvent(
                subject=EntrySubject.WISH,
                wish=wish,
                from_state=before,
                to_state=wish.status,
                actor=actor,
                note=text,
            )
        )
    WishRecord.objects.bulk_create(records)
    EntryEvent.objects.bulk_create(events)


def _save_fields(wish: WorkWish) -> None:
    """Write every field of an existing wish but its status. Django raises a bare DatabaseError when no
    row matched, i.e. the wish was deleted since the check: a race like a phone registered meanwhile."""
    try:
        wish.save(update_fields=WISH_FIELDS)
    except DatabaseError as exc:
        if type(exc) is not DatabaseError:  # a driver's own error (a subclass) is another matter
            raise
        raise IntegrityError(str(exc)) from exc


def _write_demands(result: Preview, actor, batch: ImportBatch) -> None:
    events = []
    note = _("表格导入 %(f)s 第%(n)d行")
    saved: set[int] = set()
    for row in result.rows:
        firm: PartnerFirm = row["firm"]
        if id(firm) not in saved:
            firm.save()
            saved.add(id(firm))
        demand: DemandEntry = row["instance"]
        before = demand.status if demand.pk else ""
        demand.firm = firm
        if not demand.pk:
            demand.created_by = actor
            demand.batch = batch
        demand.save()
        events.append(
            EntryEvent(
                subject=EntrySubject.DEMAND,
                demand=demand,
                from_state=before,
                to_state=demand.status,
                actor=actor,
                note=(note % {"f": result.filename, "n": row["row"]})[:300],
            )
        )
    EntryEvent.objects.bulk_create(events)
