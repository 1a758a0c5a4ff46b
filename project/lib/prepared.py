"""SQL for the approval hot path without the ORM's per-call composition: querysets compiled once
and run again with new parameters, and multi-row INSERTs built from the model fields.

Building a queryset's SQL (joins, select_related, locking clauses) costs a few hundred
microseconds of Python each time, more than running it. A `PreparedQuery` compiles the queryset
once — built with sentinel values where the parameters go — and afterwards only executes its
SQL with the real values and hydrates the rows exactly as Django's ModelIterable does
(converters, select_related populators). It is for fixed-shape queries only: the sentinels must
appear in the compiled parameters, each once.
"""

import threading

from django.db import connections
from django.db.models.query import get_related_populators

# Values no real id takes: they mark where each parameter goes in the compiled SQL.
SENTINELS = (-7_310_000_001, -7_310_000_002, -7_310_000_003, -7_310_000_004)


class PreparedQuery:
    def __init__(self, build, *, arity: int = 1):
        self._build = build
        self._arity = arity
        self._compiled = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str):
        queryset = self._build(*SENTINELS[: self._arity])
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        positions = []
        for sentinel in SENTINELS[: self._arity]:
            if params.count(sentinel) != 1:
                raise ValueError("a prepared query's parameter must appear exactly once in its SQL")
            positions.append(params.index(sentinel))
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        return compiler, sql, params, positions, klass_info["model"], start, end, init_list, populators

    def __call__(self, *values, using: str = "default") -> list:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        compiler, sql, params, positions, model, start, end, init_list, populators = compiled
        params = list(params)
        for position, value in zip(positions, values, strict=True):
            params[position] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        objects = []
        for row in compiler.results_iter(results=[rows]):
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects


def insert_sql(model, objs) -> tuple[str, list]:
    """One multi-row INSERT of `objs` with the values the ORM would write (each field's
    pre_save and database preparation), returning the new ids."""
    connection = connections["default"]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(objs))} RETURNING id", params


def insert(model, objs) -> list:
    """Insert `objs` in one statement and set their ids: what bulk_create does, without its
    per-call machinery. The ids are sorted: one statement's rows take increasing ids in VALUES
    order, while RETURNING itself promises no order."""
    if not objs:
        return objs
    sql, params = insert_sql(model, objs)
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        ids = sorted(r[0] for r in cursor.fetchall())
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = "default"
    return objs
