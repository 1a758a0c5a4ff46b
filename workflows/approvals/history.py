"""History rows and events: what every engine write leaves behind, inside its transaction."""

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from project.lib.prepared import insert
from workflows.approvals import events
from workflows.approvals.errors import StaleState
from workflows.approvals.models import HistoryEntry


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


def record(row: HistoryRow) -> None:
    pending = _deferred.get()
    if pending is not None:
        pending.append(row)
    else:
        insert(HistoryEntry, [row.to_model()])


@contextlib.contextmanager
def deferred() -> Iterator[list[HistoryRow]]:
    """Collect engine rows; the caller writes its own row first, then `flush(rows)`."""
    token = _deferred.set([])
    try:
        yield _deferred.get()
    finally:
        _deferred.reset(token)


def flush(rows: list[HistoryRow]) -> None:
    # Append-only rows, written in one statement (HistoryEntry.save refuses edits, not inserts).
    insert(HistoryEntry, [r.to_model() for r in rows])


def emit(sender, event: events.ApprovalEvent) -> None:
    """Send an approval event inside the caller's transaction (receivers write inbox rows)."""
    assert transaction.get_connection().in_atomic_block, "approval events are sent inside the transaction"
    events.emit(sender, event)


def save_checked(obj, *, update_fields=None) -> None:
    """Save a lifecycle object; a concurrent change of its state (django-fsm's optimistic
    lock) is a 409, not a lost update."""
    try:
        obj.save(update_fields=update_fields)
    except ConcurrentTransition:
        raise StaleState(_("The request changed meanwhile; reload and try again.")) from None
