"""Shared writes of the approval engine: history rows, events, the urge limit, task dispatch.

Process services (expenses, later partners, leases) call these inside their own transaction.
"""

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals import events, registry
from workflows.approvals.errors import RateLimited, StaleState
from workflows.approvals.models import Action, HistoryEntry

URGE_INTERVAL = dt.timedelta(hours=4)


@dataclass
class HistoryRow:
    process_kind: str
    process_id: int
    action: str
    actor_id: int | None = None
    comment: str = ""
    state_before: str = ""
    state_after: str = ""
    step: str = ""
    task_id: int | None = None
    round: int = 1
    form_version: int | None = None
    policy_version: int | None = None
    detail: dict | None = None

    def to_model(self) -> HistoryEntry:
        values = dict(self.__dict__)
        values["detail"] = values["detail"] or {}
        return HistoryEntry(**values)


# Rows the route writes by itself while a person's decision is being carried out (automatic
# passes, reassignments, tallies). They are held back so that the decision comes first in the
# timeline, and written in one statement right after it.
_deferred: contextvars.ContextVar[list[HistoryRow] | None] = contextvars.ContextVar("approval_history", default=None)


def history_record(row: HistoryRow) -> None:
    pending = _deferred.get()
    if pending is not None:
        pending.append(row)
    else:
        row.to_model().save()


@contextlib.contextmanager
def history_deferred() -> Iterator[list[HistoryRow]]:
    """Collect engine rows; the caller writes its own row, then `history_flush(rows)`."""
    token = _deferred.set([])
    try:
        yield _deferred.get()
    finally:
        _deferred.reset(token)


def history_flush(rows: list[HistoryRow]) -> None:
    if rows:
        HistoryEntry.objects.bulk_create([r.to_model() for r in rows])


def emit(sender, event: events.ApprovalEvent) -> None:
    """Send an approval event inside the caller's transaction (receivers write inbox rows)."""
    assert transaction.get_connection().in_atomic_block, "approval events are sent inside the transaction"
    events.emit(sender, event)


def urge_check(*, process_kind: str, process_id: int, at: dt.datetime | None = None) -> None:
    """Raise RateLimited when the request was urged less than URGE_INTERVAL ago."""
    at = at or timezone.now()
    last = (
        HistoryEntry.objects.filter(process_kind=process_kind, process_id=process_id, action=Action.URGE)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is not None and at - last < URGE_INTERVAL:
        wait = int((last + URGE_INTERVAL - at).total_seconds()) + 1
        raise RateLimited(_("This request was urged recently; you can urge again later."), retry_after=wait)


def has_human_decision(*, process_kind: str, process_id: int, round: int) -> bool:
    return HistoryEntry.objects.filter(
        process_kind=process_kind, process_id=process_id, round=round, action__in=[Action.APPROVE, Action.REJECT, Action.RETURN]
    ).exists()


def task_for_action(*, actor, task_id) -> tuple[Task, registry.ProcessKind]:
    """The actor's task. Someone else's (or unknown) → 404; finished → 409.

    Not locked here: the process handler locks its own object first and then calls
    `task_lock`, so every action takes locks in the same order (object, then task).
    """
    try:
        task_id = int(task_id)
    except (TypeError, ValueError):
        raise Http404 from None
    task = Task.objects.select_related("process").filter(pk=task_id, owner_id=actor.pk).first()
    if task is None:
        raise Http404
    kind = registry.kind_for_flow(task.process.flow_class)
    if kind is None:
        raise Http404
    if task.status != STATUS.NEW:
        raise StaleState(_("This task is already finished."))
    return task, kind


def task_lock(task: Task) -> None:
    """Lock the task row and re-check it is still open (another action may have won)."""
    status = Task.objects.select_for_update().filter(pk=task.pk).values_list("status", flat=True).first()
    if status != STATUS.NEW:
        raise StaleState(_("This task is already finished."))


def task_act(*, actor, task_id, action: str, **fields) -> None:
    """Dispatch a task action to the process kind that owns the task (one transaction)."""
    with transaction.atomic():
        task, kind = task_for_action(actor=actor, task_id=task_id)
        handler = kind.actions.get(action)
        if handler is None:
            raise Http404
        handler(actor=actor, task=task, **fields)
