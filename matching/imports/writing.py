"""Writing a previewed import to the database, all or nothing: :func:`commit`.

The rows are checked again (``checking.preview_payload``) inside the transaction; then one ImportBatch,
the wishes (by phone) or the firms (by credit code) and their demands, a WishRecord for each new wish and
an EntryEvent for each entry created or updated.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from workshop.models import PartnerFirm, WishStatus, WorkWish

from ..models import DemandEntry, EntryEvent, EntrySubject, ImportBatch, ImportKind, WishRecord, WishSource
from .checking import ImportRefused, Preview, preview_payload


@transaction.atomic
def commit(*, actor, payload: str) -> ImportBatch:
    """Write a previewed import, all or nothing: every row is checked again inside the transaction and
    any refused row refuses the whole file (ImportRefused, nothing written). Creates an ImportBatch, the
    new and updated wishes (by phone) or firms (by credit code) and demands, and an EntryEvent for each
    entry created or updated. Raises PermissionDenied, ValidationError, ImportRefused."""
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
        before = wish.status if wish.pk else ""
        if wish.pk and wish.status == WishStatus.CLOSED:
            wish.status = WishStatus.NEW  # signed up again: follow it up again
        wish.save()
        if before == "":
            records.append(WishRecord(wish=wish, source=WishSource.IMPORT, batch=batch))
        events.append(
            EntryEvent(
                subject=EntrySubject.WISH,
                wish=wish,
                from_state=before,
                to_state=wish.status,
                actor=actor,
                note=(note % {"f": result.filename, "n": row["row"]})[:300],
            )
        )
    WishRecord.objects.bulk_create(records)
    EntryEvent.objects.bulk_create(events)


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
