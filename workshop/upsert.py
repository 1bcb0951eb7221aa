"""Rows written in one statement with ``INSERT … ON CONFLICT``: PostgreSQL (9.5+) and SQLite (3.35+) both
take it, so a row is made or found taken without a read first, a savepoint, or an IntegrityError.

- ``insert_once``: ``ON CONFLICT (key) DO NOTHING RETURNING id``, for a row made once per unique key (a
  message per dedupe key); ``insert_many_once`` for several in one statement. ``get_or_create`` costs a
  SELECT, a savepoint, the INSERT and a release; a concurrent insert of the same key waits for the other
  transaction and then does nothing.
- ``add_to_row``: ``ON CONFLICT (key) DO UPDATE SET f = f + excluded.f``, for the rollups (``pay.rollups``'
  months, ``dispatch.flowdays``' days): sums kept by the transactions that write the ledger. Concurrent
  adds queue on the row's lock and all count. Django's ``bulk_create(update_conflicts=True)`` can only
  overwrite a column with the new value, not add to it, hence the SQL here.

Both fill every column as ``obj.save()`` would (each field's ``pre_save``, so ``auto_now_add`` stamps the
time, then its ``get_db_prep_save``); model signals are not sent. For models whose fields take plain ``%s``
parameters (no field with a ``get_placeholder`` of its own, such as geometry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import connections, models, router


def _insert(obj: models.Model, conflict: list[str], action: str):
    """Run ``INSERT`` of the unsaved ``obj``'s columns ``ON CONFLICT (conflict fields) {action}`` and
    return the open cursor's first row (None without RETURNING or when nothing was returned)."""
    rows = _insert_many([obj], conflict, action)
    return rows[0] if rows else None


def _insert_many(objs: list[models.Model], conflict: list[str], action: str) -> list[tuple]:
    """``_insert`` of several unsaved rows of one model in one statement; returns the rows the statement
    returned (none without RETURNING)."""
    meta = objs[0]._meta
    using = router.db_for_write(type(objs[0]), instance=objs[0])
    connection = connections[using]
    qn = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not (f.primary_key and getattr(objs[0], f.attname) is None)]
    values = []
    for obj in objs:
        values += [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)})"
        f" VALUES {', '.join([row] * len(objs))}"
        f" ON CONFLICT ({', '.join(qn(meta.get_field(f).column) for f in conflict)}) {action}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall() if "RETURNING" in action else []


def insert_once(obj: models.Model, *, key: str) -> bool:
    """Insert the unsaved ``obj`` unless its model holds a row with the same value of the unique field
    ``key``. Returns True and sets ``obj.pk`` when the row was inserted, False (``obj`` stays unsaved) when
    the key was taken. One statement, in the caller's transaction. Raises
    django.core.exceptions.FieldDoesNotExist when ``key`` is not a field of the model, and the database's
    IntegrityError for any other constraint."""
    meta = obj._meta
    using = router.db_for_write(type(obj), instance=obj)
    row = _insert(obj, [key], f"DO NOTHING RETURNING {connections[using].ops.quote_name(meta.pk.column)}")
    if row is None:
        return False
    obj.pk = meta.pk.to_python(row[0])
    obj._state.adding, obj._state.db = False, using
    return True


def insert_many_once(objs: list[models.Model], *, key: str) -> list[models.Model]:
    """``insert_once`` of several unsaved rows of one model in one statement (a multi-row ``INSERT … ON
    CONFLICT (key) DO NOTHING RETURNING id, key``). Returns the rows inserted, each with its ``pk`` set;
    a row whose ``key`` value was taken (or repeats an earlier row's) stays unsaved and is not returned.
    Nothing is sent for an empty list. Raises what ``insert_once`` raises."""
    if not objs:
        return []
    meta = objs[0]._meta
    using = router.db_for_write(type(objs[0]), instance=objs[0])
    qn = connections[using].ops.quote_name
    key_field = meta.get_field(key)
    returned = _insert_many(objs, [key], f"DO NOTHING RETURNING {qn(meta.pk.column)}, {qn(key_field.column)}")
    made = {key_field.to_python(k): meta.pk.to_python(pk) for pk, k in returned}
    inserted = []
    for obj in objs:
        pk = made.pop(getattr(obj, key_field.attname), None)
        if pk is not None:
            obj.pk = pk
            obj._state.adding, obj._state.db = False, using
            inserted.append(obj)
    return inserted


def add_to_row(
    model: type[models.Model],
    key: Mapping[str, object],
    adds: Mapping[str, int],
    *,
    earliest: Mapping[str, dt.date | None] | None = None,
    latest: Mapping[str, dt.date | None] | None = None,
) -> None:
    """Add ``adds`` (field → signed int) to ``model``'s row of ``key`` (field → value, the fields of a
    unique constraint of ``model``), or insert the row with them. ``earliest``/``latest``: date fields the
    row keeps the earliest/latest of (None adds no date). Fields not named take their model default. One
    statement, in the caller's transaction; nothing when every add is 0 and no date is given. Raises
    django.core.exceptions.FieldDoesNotExist for a name that is not a field of ``model``."""
    add_to_rows(model, [(key, adds)], earliest=earliest, latest=latest)


def add_to_rows(
    model: type[models.Model],
    rows: list[tuple[Mapping[str, object], Mapping[str, int]]],
    *,
    earliest: Mapping[str, dt.date | None] | None = None,
    latest: Mapping[str, dt.date | None] | None = None,
) -> None:
    """``add_to_row`` of several rows of ``model`` in one statement (a multi-row ``INSERT … ON CONFLICT DO
    UPDATE``): ``rows`` are (key, adds) pairs whose keys name the same fields; ``earliest``/``latest`` go
    with every row (the dates of one booking). Two pairs of the same key are added together first (one
    statement may not update a row twice). Nothing is sent when no row has an add or a date."""
    earliest, latest = dict(earliest or {}), dict(latest or {})
    dated = any(v is not None for v in (*earliest.values(), *latest.values()))
    merged: dict[tuple, tuple[dict, dict]] = {}
    for key, adds in rows:
        adds = {f: int(v) for f, v in adds.items() if v}
        if not adds and not dated:
            continue
        k = tuple(sorted(key.items()))
        have = merged.setdefault(k, (dict(key), {}))[1]
        for f, v in adds.items():
            have[f] = have.get(f, 0) + v
    if not merged:
        return
    fields = sorted({f for _key, adds in merged.values() for f in adds})
    key_fields = list(next(iter(merged.values()))[0])
    meta = model._meta
    qn = connections[router.db_for_write(model)].ops.quote_name
    table = qn(meta.db_table)

    def col(name: str) -> str:
        return qn(meta.get_field(name).column)

    sets = [f"{col(f)} = {table}.{col(f)} + excluded.{col(f)}" for f in fields]
    for dates, newer in ((earliest, "<"), (latest, ">")):
        for f in dates:
            c = col(f)
            sets.append(
                f"{c} = CASE WHEN excluded.{c} IS NULL THEN {table}.{c} WHEN {table}.{c} IS NULL"
                f" OR excluded.{c} {newer} {table}.{c} THEN excluded.{c} ELSE {table}.{c} END"
            )
    objs = [
        model(**key, **{f: adds.get(f, 0) for f in fields}, **earliest, **latest)
        for key, adds in merged.values()
    ]
    _insert_many(objs, key_fields, f"DO UPDATE SET {', '.join(sets)}")


def refresh_statistics(*models_: type[models.Model]) -> None:
    """After a bulk load, before reading it back in aggregate: PostgreSQL's planner statistics of the
    tables of ``models_`` taken now (``ANALYZE``, which may run inside the loading transaction and counts
    its own new rows). A table last analysed while empty (between tests, or on a new install) is planned
    as if it still were, and a GROUP BY over a season's reports joined to its shares and jobs ran for
    minutes in nested loops. Nothing on other databases (SQLite plans without such statistics)."""
    connection = connections[router.db_for_write(models_[0])]
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
