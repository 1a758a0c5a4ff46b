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

from django.db import connections, models
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
        # The converters depend on the selected columns only: found once, not per call as
        # results_iter() would.
        converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        return compiler, sql, params, positions, klass_info["model"], start, end, init_list, populators, converters

    def __call__(self, *values, using: str = "default") -> list:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        compiler, sql, params, positions, model, start, end, init_list, populators, converters = compiled
        params = list(params)
        for position, value in zip(positions, values, strict=True):
            params[position] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        objects = []
        for row in rows:
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects


# Fields whose database value is the Python value itself when that is a str, int, bool or None:
# preparing them through the field (to_python, get_prep_value, ...) would return it unchanged.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)
# Exact types: a str or int subclass (a TextChoices member) goes through the field, as the ORM does.
_PLAIN_VALUES = frozenset({str, int, bool, type(None)})
_insert_plans: dict[tuple[type, str], tuple] = {}


def _insert_plan(model, connection) -> tuple:
    """Per model: the INSERT's head, one row's placeholders, and per column how to get its value
    (pre_save only where it does something: auto_now dates, files) and whether the field must
    prepare it."""
    key = (model, connection.alias)
    found = _insert_plans.get(key)
    if found is None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        plan = []
        for f in fields:
            needs_pre_save = (isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)) or isinstance(
                f, models.FileField)
            plain = isinstance(f.target_field if isinstance(f, models.ForeignKey) else f, _PLAIN_FIELDS)
            plan.append((f, f.attname, needs_pre_save, plain))
        found = _insert_plans[key] = (f"INSERT INTO {table} ({columns}) VALUES ", "(" + ", ".join(["%s"] * len(fields)) + ")", plan)
    return found


def insert_values(model, objs) -> tuple[list[str], str, list]:
    """The columns, a typed VALUES list and its parameters for `objs`, prepared as insert_sql()
    prepares them: for a data-modifying statement that inserts from VALUES joined to something
    else (PostgreSQL's CTEs). Each placeholder carries its column's type, so VALUES rows of
    literals type as the table's columns do. The first column, `ord`, is each object's place in
    `objs`: order by it to insert them in that order."""
    connection = connections["default"]
    _head, _row, plan = _insert_plan(model, connection)
    columns = [connection.ops.quote_name(f.column) for f, *_rest in plan]
    row = "(%s::integer, " + ", ".join(f"%s::{f.db_type(connection)}" for f, *_rest in plan) + ")"
    _sql, params = insert_sql(model, objs)
    width = len(plan)
    numbered = []
    for i in range(len(objs)):
        numbered.append(i)
        numbered += params[i * width : (i + 1) * width]
    return columns, "VALUES " + ", ".join([row] * len(objs)), numbered


def insert_sql(model, objs) -> tuple[str, list]:
    """One multi-row INSERT of `objs` with the values the ORM would write (each field's
    pre_save and database preparation), returning the new ids."""
    connection = connections["default"]
    head, row, plan = _insert_plan(model, connection)
    params = []
    for obj in objs:
        for f, attname, needs_pre_save, plain in plan:
            value = f.pre_save(obj, True) if needs_pre_save else getattr(obj, attname)
            params.append(value if plain and type(value) in _PLAIN_VALUES else f.get_db_prep_save(value, connection))
    return f"{head}{', '.join([row] * len(objs))} RETURNING id", params


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
