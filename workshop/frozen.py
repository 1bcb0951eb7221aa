"""Reads compiled to SQL once per process and run many times with new values (issue 15).

A worker's page sends three or four reads, each an index lookup of her own rows that the database answers
in a tenth of a millisecond; Django spent 1–3 ms turning each queryset into SQL on every request (a month
of results joined to job, line, firm and pay line, with a union of two subqueries, cost 2.7 ms to compile
at county size), a third of the page. ``frozen(build)`` builds the queryset once with stand-in values,
compiles it, and afterwards only puts the request's values where the stand-ins were, sends the same SQL
and converts the rows as Django would (its own compiler's converters).

Only for querysets whose SQL does not depend on the values: every value is a parameter (an id, a date, a
time), never a list of varying length or a LIMIT. ``frozen`` checks that when it compiles: the queryset is
built twice with two sets of stand-ins; the SQL must be the same, every stand-in must appear among the
parameters, and every other parameter must be the same in both (a ``timezone.now()`` inside ``build``
would be baked in: refused). A read it cannot freeze is refused with ``FrozenQueryError`` at its first use,
in tests as in production.

(SQLAlchemy calls this a compiled cache; django-prepared-queries, the one Django package that did it, was
last released for Django 1.x.) Statements pass through Django's cursor like any other: counted by
``CaptureQueriesContext``, prepared by ``workshop.prepared.prepared()`` when inside it.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

_UTC = dt.UTC


class FrozenQueryError(Exception):
    """A queryset ``frozen`` cannot compile once: its SQL or its other values change with the values."""


def _stand_in(kind: type, n: int, round_: int) -> Any:
    """A value of ``kind`` no real row or query constant would hold, distinct per argument and round."""
    k = 100 + 10 * n + round_
    if kind is int:
        return -(7_000_000_000 + k)
    if kind is dt.datetime:
        return dt.datetime(1000 + k, 1, 1, tzinfo=_UTC)
    if kind is dt.date:
        return dt.date(1000 + k, 1, 1)
    if kind is str:
        return f"\x1ffrozen-{k}\x1f"
    raise FrozenQueryError(f"no stand-in for a {kind.__name__} value")


def _adapters(kinds: Sequence[type], alias: str) -> list[Callable]:
    """How the database's backend writes each argument as a parameter (SQLite: dates and times as text)."""
    ops = connections[alias].ops
    by_kind = {dt.date: ops.adapt_datefield_value, dt.datetime: ops.adapt_datetimefield_value}
    return [by_kind.get(kind, _same) for kind in kinds]


def _same(value):
    return value


@dataclass
class _Compiled:
    sql: str
    params: list
    slots: list[tuple[int, int]]  # (position in params, argument number)
    adapt: list[Callable]
    compiler: Any
    shape: str  # "tuples", "flat" or "models"
    alias: str = "default"

    @functools.cached_property
    def _model_setup(self):
        # Made once per compiled read (its alias is its own): the model columns' names and the populators
        # of its ``select_related`` rows, as ``ModelIterable`` makes them on every evaluation.
        compiler = self.compiler
        klass_info, fields = compiler.klass_info, compiler.klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [f[0].target.attname for f in compiler.select[start:end]]
        populators = get_related_populators(klass_info, compiler.select, self.alias)
        return klass_info["model"], start, end, init_list, populators

    def models(self, rows) -> list:
        """Model instances from ``rows`` as Django's ``ModelIterable`` makes them: the model's loaded
        columns (``only()``), its ``select_related`` rows, its annotations."""
        model, start, end, init_list, populators = self._model_setup
        annotations = self.compiler.annotation_col_map
        out = []
        for row in self.compiler.results_iter(results=[rows]):
            obj = model.from_db(self.alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, pos in annotations.items():
                setattr(obj, name, row[pos])
            out.append(obj)
        return out

def _compile(build: Callable, kinds: Sequence[type], alias: str) -> _Compiled:
    adapt = _adapters(kinds, alias)
    rounds = []
    for r in (1, 2):
        raw = [_stand_in(kind, i, r) for i, kind in enumerate(kinds)]
        args = [a(v) for a, v in zip(adapt, raw, strict=True)]
        qs = build(*raw)
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        rounds.append((args, qs, compiler, sql, list(params)))
    (args1, qs, compiler, sql, params), (args2, _qs2, _c2, sql2, params2) = rounds
    if sql != sql2 or len(params) != len(params2):
        raise FrozenQueryError("its SQL changes with the values")
    slots = []
    for pos, (p1, p2) in enumerate(zip(params, params2, strict=True)):
        hit = [i for i, a in enumerate(args1) if type(p1) is type(a) and p1 == a]
        if hit:
            if not (type(p2) is type(args2[hit[0]]) and p2 == args2[hit[0]]):
                raise FrozenQueryError("a value lands in different places")
            slots.append((pos, hit[0]))
        elif p1 != p2:
            raise FrozenQueryError(f"parameter {pos} changes by itself ({p1!r}, {p2!r}): compute it outside")
    missing = set(range(len(kinds))) - {arg for _pos, arg in slots}
    if missing:
        raise FrozenQueryError(f"argument(s) {sorted(missing)} reach the SQL transformed or not at all")
    iterable = qs._iterable_class
    if iterable is ValuesListIterable:
        return _Compiled(sql, params, slots, adapt, compiler, "tuples", alias)
    if iterable is FlatValuesListIterable:
        return _Compiled(sql, params, slots, adapt, compiler, "flat", alias)
    if iterable is ModelIterable and not qs._known_related_objects and not qs._prefetch_related_lookups:
        return _Compiled(sql, params, slots, adapt, compiler, "models", alias)
    raise FrozenQueryError("only values_list() and model rows (no prefetch_related, no related manager)")


class Frozen:
    """``build`` (a function of the arguments, of the types ``kinds``, returning a queryset) compiled
    once per database alias; calling it with values returns the rows as a list: tuples for
    ``values_list()``, values for ``values_list(flat=True)``, model instances for a plain queryset."""

    def __init__(self, build: Callable, kinds: Sequence[type]):
        self.build, self.kinds = build, tuple(kinds)
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        functools.update_wrapper(self, build)

    def compiled(self, alias: str = "default") -> _Compiled:
        c = self._compiled.get(alias)
        if c is None:
            with self._lock:
                c = self._compiled.get(alias) or _compile(self.build, self.kinds, alias)
                self._compiled[alias] = c
        return c

    def __call__(self, *args, using: str = "default") -> list:
        if len(args) != len(self.kinds):
            raise TypeError(f"{self.build.__name__} takes {len(self.kinds)} values, got {len(args)}")
        c = self.compiled(using)
        params = list(c.params)
        for pos, arg in c.slots:
            params[pos] = c.adapt[arg](args[arg])
        with connections[using].cursor() as cursor:
            cursor.execute(c.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        if c.shape == "models":
            return c.models(rows)
        out = c.compiler.results_iter(results=[rows], tuple_expected=True)
        return list(out) if c.shape == "tuples" else [row[0] for row in out]


def frozen(*kinds: type) -> Callable[[Callable], Frozen]:
    """Decorator: ``@frozen(int, dt.date)`` over ``def build(worker_id, day): return <queryset>``."""
    return lambda build: Frozen(build, kinds)
