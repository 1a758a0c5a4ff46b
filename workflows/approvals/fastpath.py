"""The hot path: a person completing a sequential step, in a handful of statements.

viewflow's activations write each gateway and function row through the ORM, one statement at a
time, with Python around every one. For the common case — a sequential, person-held step whose
gateway leads to another sequential person-held step, or to the end of the route — this module
writes exactly the rows viewflow would (the finished task, the gateway, the next task or the
closing function and end, their `previous` links, the process), as SQL built from the same
model fields: separate statements on SQLite, one data-modifying statement on PostgreSQL.
Everything else — countersigns, queue and deadline steps, automatic passes, reassignments,
returns, cancels — keeps viewflow's own path. `tests/approvals_tests/test_fastpath.py` compares,
row by row, what both paths write for every step of every tier.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils.timezone import now
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.nodes.end import End
from viewflow.workflow.status import PROCESS, STATUS

from project.lib.prepared import insert_sql
from workflows.approvals import route
from workflows.approvals.errors import StaleState
from workflows.approvals.events import EventKind
from workflows.approvals.nodes import ApprovalStep, RouteFunction, RouteSwitch

_LINKS = Task.previous.through


class _NewTask:
    """What the assignment reads of a task not created yet: its (empty) data."""

    data: dict = {}


_NEW_TASK = _NewTask()


def enabled() -> bool:
    return getattr(settings, "APPROVALS_FAST_PATH", True)


@dataclass
class _Plan:
    switch_node: RouteSwitch
    target: object                    # the ApprovalStep or RouteFunction the gateway chose
    assignment: object | None = None  # for a next step
    approved: bool | None = None      # for the end of the route


def _choose(switch: RouteSwitch, process):
    probe = _Probe(process)
    for node, cond in switch._branches:
        if cond is None or cond(probe):
            return node
    return None


class _Probe:
    """What a gateway condition reads of an activation: the process (and its route state)."""

    def __init__(self, process):
        self.process = process


def plan(ctx, decision: str):
    """The fast path's plan for this decision, or None when viewflow's path must run."""
    task = ctx.task
    node = task.flow_task
    if not enabled() or not isinstance(node, ApprovalStep) or node.vote or not isinstance(node._next, RouteSwitch):
        return None
    if task.data.get("auto") or ctx.obj.process_id != task.process_id:
        return None
    if not ctx.kind.step(task.data.get("step", "")).signs:  # keeps the signer rule in one place
        return None
    process = task.process
    state = route.RouteState.of(process)
    # The gateway reads the decision from the route state: try it on a copy first.
    saved = (state.last_decision, state.last_signer)
    state.last_decision = decision
    if decision == route.APPROVE:
        state.last_signer = ctx.actor.pk if ctx.actor is not None else None
    try:
        target = _choose(node._next, process)
        if isinstance(target, ApprovalStep) and not target.vote:
            step = ctx.kind.step(target.step)
            if step.queue or step.deadline is not None:
                return None
            assignment = route.assign(process=process, task=_NEW_TASK, step_code=target.step)
            if assignment.auto_reason or assignment.notes or assignment.owner_id is None:
                return None
            return _Plan(node._next, target, assignment=assignment)
        if isinstance(target, RouteFunction) and isinstance(target._next, End):
            name = getattr(target._func, "__name__", "")
            if name in ("route_approved", "route_rejected"):
                return _Plan(node._next, target, approved=name == "route_approved")
        return None
    finally:
        state.last_decision, state.last_signer = saved


# --- SQL built from the models' own fields (project/lib/prepared.insert_sql) ---------------------


def _value(model, name, value):
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def _new_task(process, flow_task, token, **values) -> Task:
    task = Task(process=process, flow_task=flow_task, flow_task_type=flow_task.task_type, token=token, **values)
    task.data = values.get("data", {})
    return task


def complete(ctx, decision: str, the_plan: _Plan) -> None:
    """Carry out the plan (inside the action's transaction, object locked)."""
    task, kind, obj = ctx.task, ctx.kind, ctx.obj
    process = task.process
    state = route.RouteState.of(process)
    at = now()
    actor_id = ctx.actor.pk if ctx.actor is not None else None
    task.data["decision"] = decision
    task.data["actor_id"] = actor_id
    state.last_decision = decision
    if decision == route.APPROVE:
        state.last_signer = actor_id
        route.emit(kind, obj, EventKind.STEP_APPROVED, actor=ctx.actor, user_ids=route.watchers(kind, obj, process),
                   step=task.data["step"])

    rows = [_new_task(process, the_plan.switch_node, task.token, status=STATUS.DONE, created=at, finished=at)]
    if the_plan.assignment is not None:
        a = the_plan.assignment
        rows.append(_new_task(process, the_plan.target, task.token, status=STATUS.NEW, created=at, assigned=at,
                              owner_id=a.owner_id,
                              data=a.task_data(the_plan.target.step)))
        reaches_street = a.org_unit_id == state.street_id and not state.reached_street
        if reaches_street:
            state.reached_street = True
    else:
        end_node = the_plan.target._next
        rows.append(_new_task(process, the_plan.target, task.token, status=STATUS.DONE, created=at, started=at,
                              finished=at))
        rows.append(_new_task(process, end_node, task.token, status=STATUS.DONE, created=at, started=at, finished=at))
    ids = _write(task, process, state, rows, at)

    if the_plan.assignment is not None:
        a = the_plan.assignment
        route.emit(kind, obj, EventKind.TASK_ASSIGNED, user_ids=(a.owner_id,), role=a.role, org_unit_id=a.org_unit_id,
                   step=the_plan.target.step, extra={"task_id": ids[-1]})
        if reaches_street:
            route.emit(kind, obj, EventKind.REACHED_STREET, step=the_plan.target.step)
    else:
        route.finished(process=process, approved=the_plan.approved)


def _write(task: Task, process, state, rows: list[Task], at) -> list[int]:
    """Finish `task`, insert `rows` as a chain after it, store the route state: one statement on
    PostgreSQL (data-modifying CTEs), one per table on SQLite."""
    finish_sql = (
        f"UPDATE {Task._meta.db_table} SET status = %s, started = %s, finished = %s, data = %s "
        "WHERE id = %s AND status = %s AND owner_id " + ("= %s" if task.owner_id is not None else "IS NULL")
    )
    finish_params = [STATUS.DONE, _value(Task, "started", at), _value(Task, "finished", at),
                     _value(Task, "data", task.data), task.pk, STATUS.NEW]
    if task.owner_id is not None:
        finish_params.append(task.owner_id)
    data = _value(Process, "data", state.dump())
    ends = rows[-1].flow_task_type == End.task_type
    # The end node finishes the process when no other task of it is still open (as viewflow's
    # End does); the chain's own rows are written finished.
    if ends:
        process_sql = (
            f"UPDATE {Process._meta.db_table} SET data = %s, "
            f"status = CASE WHEN EXISTS (SELECT 1 FROM {Task._meta.db_table} WHERE process_id = %s AND finished IS NULL "
            "AND id <> %s) THEN status ELSE %s END, "
            f"finished = CASE WHEN EXISTS (SELECT 1 FROM {Task._meta.db_table} WHERE process_id = %s AND finished IS NULL "
            "AND id <> %s) THEN finished ELSE %s END WHERE id = %s"
        )
        process_params = [data, process.pk, task.pk, PROCESS.DONE, process.pk, task.pk,
                          _value(Process, "finished", at), process.pk]
    else:
        process_sql = f"UPDATE {Process._meta.db_table} SET data = %s WHERE id = %s"
        process_params = [data, process.pk]

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            inserts = [insert_sql(Task, [row]) for row in rows]
            ids = _write_one_statement(cursor, finish_sql, finish_params, inserts, process_sql, process_params, task.pk)
        else:
            cursor.execute(finish_sql, finish_params)
            if cursor.rowcount != 1:
                raise StaleState(_("This task is already finished."))
            # One multi-row INSERT: its rows take increasing ids in VALUES order, so the sorted
            # ids returned are the rows' ids in order (RETURNING itself promises no order).
            cursor.execute(*insert_sql(Task, rows))
            ids = sorted(row[0] for row in cursor.fetchall())
            links = [(ids[0], task.pk)] + [(ids[i], ids[i - 1]) for i in range(1, len(ids))]
            cursor.execute(
                f"INSERT INTO {_LINKS._meta.db_table} (from_task_id, to_task_id) VALUES "
                + ", ".join(["(%s, %s)"] * len(links)),
                [v for pair in links for v in pair],
            )
            cursor.execute(process_sql, process_params)
    task.status = STATUS.DONE
    task.finished = at
    process.data = state.dump()
    process._route_state = state
    return ids


def _write_one_statement(cursor, finish_sql, finish_params, inserts, process_sql, process_params, task_id):
    parts, params = [], []
    parts.append(f"done AS ({finish_sql} RETURNING id)")
    params += finish_params
    names = []
    # When the task was not finished by this statement (another action won), the other rows are
    # written all the same and the StaleState below rolls the whole action back.
    for i, (sql, values) in enumerate(inserts):
        name = f"t{i}"
        parts.append(f"{name} AS ({sql})")
        params += values
        names.append(name)
    link_selects = [f"SELECT {names[0]}.id, %s FROM {names[0]}"]
    params.append(task_id)
    for i in range(1, len(names)):
        link_selects.append(f"SELECT {names[i]}.id, {names[i - 1]}.id FROM {names[i]}, {names[i - 1]}")
    parts.append(f"links AS (INSERT INTO {_LINKS._meta.db_table} (from_task_id, to_task_id) "
                 + " UNION ALL ".join(link_selects) + ")")
    parts.append(f"proc AS ({process_sql})")
    params += process_params
    selects = ", ".join(f"(SELECT id FROM {n})" for n in names)
    cursor.execute("WITH " + ", ".join(parts) + f" SELECT (SELECT id FROM done), {selects}", params)
    row = cursor.fetchone()
    if row[0] is None:
        raise StaleState(_("This task is already finished."))
    return list(row[1:])
