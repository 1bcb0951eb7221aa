"""A row inserted once per unique key, in one statement: ``INSERT … ON CONFLICT (key) DO NOTHING RETURNING``.

``get_or_create`` costs a SELECT, then a savepoint, the INSERT and a release (four statements, and a read
of a row that is nearly never there: every message has a new key). PostgreSQL (9.5+) and SQLite (3.35+)
both take this insert, so one statement makes the row or finds the key taken; a concurrent insert of the
same key waits for the other transaction and then does nothing, as the savepoint's IntegrityError did.
"""

from __future__ import annotations

from django.db import connections, models, router


def insert_once(obj: models.Model, *, key: str) -> bool:
    """Insert the unsaved ``obj`` unless its model holds a row with the same value of the unique field
    ``key``. Every column is filled as ``obj.save()`` would (each field's ``pre_save``, so ``auto_now_add``
    stamps the time, and its ``get_db_prep_save``); model signals are not sent. Returns True and sets
    ``obj.pk`` when the row was inserted, False (``obj`` stays unsaved) when the key was taken. One
    statement, in the caller's transaction. For models whose fields take plain ``%s`` parameters (no
    field with a ``get_placeholder`` of its own, such as geometry). Raises
    django.core.exceptions.FieldDoesNotExist when ``key`` is not a field of the model, and the database's
    IntegrityError for any other constraint."""
    meta = obj._meta
    using = router.db_for_write(type(obj), instance=obj)
    connection = connections[using]
    qn = connection.ops.quote_name
    names, values = [], []
    for field in meta.concrete_fields:
        if field.primary_key and getattr(obj, field.attname) is None:
            continue
        value = field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        names.append(qn(field.column))
        values.append(value)
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(values))})"
        f" ON CONFLICT ({qn(meta.get_field(key).column)}) DO NOTHING RETURNING {qn(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    obj.pk = meta.pk.to_python(row[0])
    obj._state.adding, obj._state.db = False, using
    return True
