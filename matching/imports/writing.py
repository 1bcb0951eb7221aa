"""Writing an import: the upload kept as a draft (:func:`draft_create`), the columns chosen on the
mapping page and remembered for the community (:func:`mapping_save`), and the previewed rows written, all
or nothing (:func:`commit`).

At commit the rows are checked again (``checking.preview``) inside the transaction; then one ImportBatch,
the wishes (by phone) or the firms (by credit code) and their demands, a WishRecord for each new wish and
an EntryEvent for each entry created or updated. An existing wish's status is never written from the
sheet: a closed one is opened again through ``services.wish_reopen`` (its transition, compare-and-swap),
every other keeps the status it has. The draft is deleted with the commit.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop.models import PartnerFirm, ProcessKind, WishStatus, Workshop, WorkWish
from workshop.roles import scope_for
from workshop.text import joined

from .. import services
from ..models import (
    DemandEntry,
    EntryEvent,
    EntrySubject,
    IllegalStatusChange,
    ImportBatch,
    ImportDraft,
    ImportKind,
    ImportMapping,
    Skill,
    WishRecord,
    WishSource,
    community_of,
)
from .checking import ImportRefused, Preview, Problem, preview
from .columns import missing, signature
from .parsing import CellError, check_text, known_kind
from .reading import HEADER_SCAN_ROWS, Table
from .vocabulary import labels_for

# What an import writes on a wish it updates: every field but the status, which moves only through
# services (a status read at the check may have moved since; writing it back would undo that move).
WISH_FIELDS = [f.name for f in WorkWish._meta.concrete_fields if not f.primary_key and f.name != "status"]


def _check_admin(actor, workshop_id: int) -> None:
    scope = scope_for(actor)
    if not scope.is_admin or not scope.covers(workshop_id):
        raise PermissionDenied(_("只有本社区的社区管理员可以导入清单。"))


def draft_create(
    *, actor, kind: str, workshop: Workshop, filename: str, table: Table, attest: bool = False
) -> ImportDraft:
    """Keep an uploaded table for its preview: an ``ImportDraft`` only its uploader opens, for two hours
    (older drafts are deleted here). Community admins of ``workshop`` only (PermissionDenied); ``kind``
    one of ``ImportKind`` (ValueError). The lists are not touched."""
    _check_admin(actor, workshop.pk)
    if kind not in ImportKind.values:
        raise ValueError(kind)
    ImportDraft.objects.filter(created_at__lt=timezone.now() - ImportDraft.MAX_AGE).delete()
    return ImportDraft.objects.create(
        token=secrets.token_urlsafe(32),
        kind=kind,
        workshop=workshop,
        uploaded_by=actor,
        filename=filename[:200],
        attest=attest,
        rows=[[n, cells] for n, cells in table.rows],
    )


@transaction.atomic
def mapping_save(*, actor, draft: ImportDraft, header_row: int, columns: dict[str, int]) -> ImportMapping:
    """Use ``columns`` (field → column index, from 0) of the sheet row ``header_row`` for ``draft``, and
    remember them for the community's next sheet with the same header row (by its signature).

    Its uploader, a community admin of the workshop, only (PermissionDenied). Raises ValidationError in
    words: a header row not among the first 20, a field given two columns, a required field missing."""
    _check_admin(actor, draft.workshop_id)
    if draft.uploaded_by_id != actor.pk:
        raise PermissionDenied(_("只有本社区的社区管理员可以导入清单。"))
    heads = dict((int(n), cells) for n, cells in draft.rows[:HEADER_SCAN_ROWS])
    if header_row not in heads:
        raise ValidationError(_("表头应在前20行里。"), code="header_row")
    labels = labels_for(draft.kind)
    unknown = set(columns) - set(labels)
    if unknown:
        raise ValidationError(_("不认识的字段:%(f)s") % {"f": joined(sorted(unknown))}, code="field")
    width = len(heads[header_row])
    if any(not 0 <= i < max(width, 1) + 50 for i in columns.values()):
        raise ValidationError(_("列号不对,请重新选择。"), code="column")
    gaps = missing(columns, draft.kind)
    if gaps:
        raise ValidationError(
            _("还缺这些列:%(cols)s。请在下拉框里为它们选出对应的列。") % {"cols": joined(gaps)},
            code="missing",
        )
    draft.header_row, draft.columns = header_row, dict(columns)
    draft.save(update_fields=["header_row", "columns"])
    mapping, _created = ImportMapping.objects.update_or_create(
        **community_of(draft.workshop),
        kind=draft.kind,
        signature=signature(heads[header_row]),
        defaults={
            "headers": heads[header_row],
            "columns": dict(columns),
            "filename": draft.filename,
            "saved_by": actor,
        },
    )
    return mapping


SKILL_NAME_MAX = 20


@transaction.atomic
def skill_add(*, actor, workshop: Workshop, name: str, process_kind: str) -> Skill:
    """Add ``name`` (a skill word such as 钉扣) to the skills of ``workshop``'s community, under
    ``process_kind``, so the community's sheets that use it import (for skills cells and demands' process
    kinds alike). Community admins of the workshop only (PermissionDenied, in words for the others).
    Idempotent: a word already added returns that skill (a double click adds it once). Raises
    ValidationError for an empty or too long name, a control character, a word the built-in skills
    already know, or an unknown process kind."""
    scope = scope_for(actor)
    if not scope.is_admin or not scope.covers(workshop.pk):
        raise PermissionDenied(_("只有本社区的社区管理员可以添加新技能。请把这个词告诉社区管理员。"))
    word = (name or "").strip()
    if not word or len(word) > SKILL_NAME_MAX:
        raise ValidationError(_("技能名称应为1到%(n)d个字。") % {"n": SKILL_NAME_MAX}, code="skill_name")
    try:
        check_text(word)
    except CellError as exc:
        raise ValidationError(str(exc), code="skill_name") from exc
    if process_kind not in ProcessKind.values:
        raise ValidationError(_("请选择这个技能属于哪类工序。"), code="skill_kind")
    if known_kind(word) is not None:
        raise ValidationError(_("“%(w)s”已经是能识别的技能了。") % {"w": word}, code="skill_known")
    skill, _created = Skill.objects.get_or_create(
        **community_of(workshop), name=word, defaults={"process_kind": process_kind, "created_by": actor}
    )
    return skill


@transaction.atomic
def commit(*, actor, draft: ImportDraft, today: dt.date | None = None) -> ImportBatch:
    """Write a previewed import, all or nothing: every row is checked again inside the transaction and
    any refused row refuses the whole file (ImportRefused, nothing written), as does a closed wish that
    someone moved before the import could reopen it (its IllegalStatusChange as the row's error).
    Creates an ImportBatch, the new and updated wishes (by phone, with their ID number and skill words on
    the WishRecord) or firms (by credit code) and demands, and an EntryEvent for each entry created or
    updated (for a reopened wish, ``services.wish_reopen`` writes it); deletes the draft. ``today`` as
    for ``preview``. Raises PermissionDenied, ValidationError, ImportRefused."""
    result = preview(actor=actor, draft=draft, today=today)
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
    ImportDraft.objects.filter(pk=draft.pk).delete()
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
                result.errors.append(Problem(row["row"], "", "", str(exc)))
                raise ImportRefused(result) from exc
            _save_fields(wish)
            _record_details(wish, row)
            continue
        before = wish.status if wish.pk else ""
        if wish.pk:
            _save_fields(wish)
            _record_details(wish, row)
        else:
            wish.save()
            records.append(
                WishRecord(
                    wish=wish,
                    source=WishSource.IMPORT,
                    batch=batch,
                    id_number=row.get("id_number") or "",
                    skill_words=row.get("skill_words") or [],
                )
            )
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


def _record_details(wish: WorkWish, row: dict) -> None:
    """An updated wish's ID number (when the sheet has one) and skill words, on its list record (made for a
    wish left on /m/join/ that had none: its source stays "join")."""
    details = {"skill_words": row.get("skill_words") or []}
    if row.get("id_number"):
        details["id_number"] = row["id_number"]
    record, created = WishRecord.objects.get_or_create(
        wish=wish, defaults={"source": WishSource.JOIN, **details}
    )
    if not created:
        WishRecord.objects.filter(pk=record.pk).update(**details)


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
