"""Adding to a summary row in one statement: ``INSERT … ON CONFLICT (key) DO UPDATE SET f = f + excluded.f``.

The rollups (``pay.rollups``' months, ``dispatch.flowdays``' days) are rows of sums kept by the
transactions that write the ledger. Read-then-write would cost a SELECT or an UPDATE, and for a new row a
savepoint, an INSERT and a release; two concurrent first bookings of a row would collide on its unique key.
PostgreSQL (9.5+) and SQLite (3.24+) both take this upsert, so one statement adds to the row or makes it,
and concurrent adds queue on the row's lock and all count. Django's ``bulk_create(update_conflicts=True)``
can only overwrite a column with the new value, not add to it, hence the SQL here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import connection, models


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
    earliest, latest = dict(earliest or {}), dict(latest or {})
    adds = {f: int(v) for f, v in adds.items() if v}
    dated = {f: v for f, v in {**earliest, **latest}.items() if v is not None}
    if not adds and not dated:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    given = {**adds, **earliest, **latest, **key}
    names, values = [], []
    for field in meta.concrete_fields:
        if field.primary_key:
            continue
        name = field.name if field.name in given else field.attname
        value = given[name] if name in given else field.get_default()
        names.append(qn(field.column))
        values.append(field.get_db_prep_save(value, connection))

    def col(name: str) -> str:
        return qn(meta.get_field(name).column)

    sets = [f"{col(f)} = {table}.{col(f)} + excluded.{col(f)}" for f in adds]
    for fields, newer in ((earliest, "<"), (latest, ">")):
        for f in fields:
            c = col(f)
            sets.append(
                f"{c} = CASE WHEN excluded.{c} IS NULL THEN {table}.{c} WHEN {table}.{c} IS NULL"
                f" OR excluded.{c} {newer} {table}.{c} THEN excluded.{c} ELSE {table}.{c} END"
            )
    conflict = ", ".join(col(f) for f in key)
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(values))})"
        f" ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(sets)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
