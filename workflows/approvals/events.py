"""Approval events: how a process tells the rest of the product what happened.

Processes (spending approval now; partners, leases, inquiries later) send `approval_event` *inside* the
transaction that made the change, so a receiver that writes rows (the notification inbox) commits
or rolls back together with the action. Receivers must do their own I/O (pushes, mail) only
after commit.
"""

import contextlib
from dataclasses import dataclass, field

from django.dispatch import Signal


class EventKind:
    TASK_CREATED = "task.created"            # a new task in a role's queue (role + org_unit set)
    TASK_ASSIGNED = "task.assigned"          # a task now belongs to one person (user_ids)
    TASK_TRANSFERRED = "task.transferred"    # transferred to a person (user_ids = [new assignee])
    APPROVED = "decision.approved"           # the request was finally approved
    REJECTED = "decision.rejected"
    RETURNED = "decision.returned"           # returned to the submitter for revision
    STEP_APPROVED = "decision.step_approved"  # one step passed (submitter and CC are told)
    WITHDRAWN = "request.withdrawn"
    RESUBMITTED = "request.resubmitted"
    URGED = "request.urged"                  # user_ids = current assignees
    REACHED_STREET = "request.reached_street"  # supervision feed for street-level users
    PAID = "request.paid"
    COMMENTED = "request.commented"
    ESCALATED = "task.escalated"             # a deadline passed: the task went on (user_ids = old holder)
    DUE_SOON = "task.due_soon"               # a reminder before a deadline (user_ids = holder)


@dataclass(frozen=True)
class ApprovalEvent:
    kind: str
    process_kind: str          # the ProcessKind code that sent it
    process_id: int
    title: str                 # human summary of the request, already in the data's language
    url: str                   # page of the request
    actor_id: int | None = None
    user_ids: tuple[int, ...] = ()      # personal recipients
    role: str | None = None             # role queue recipients: every holder of role in org_unit
    org_unit_id: int | None = None
    street_id: int | None = None        # the street the request belongs to (supervision feed)
    community_id: int | None = None
    step: str = ""                      # the step label, e.g. "community_secretary"
    comment: str = ""
    extra: dict = field(default_factory=dict)
    # Names the action already holds, so the notification texts need no query to find them.
    actor_name: str = ""
    community_name: str = ""


# Sent with sender=<the process model class>, event=ApprovalEvent(...).
approval_event = Signal()


def emit(sender, event: ApprovalEvent) -> None:
    approval_event.send(sender=sender, event=event)


# Context-manager factories that group the effects of one action (the notifications app
# registers one that writes every inbox row of the action in one statement and delivers once).
_batchers: list = []


def register_batcher(factory) -> None:
    if factory not in _batchers:
        _batchers.append(factory)


@contextlib.contextmanager
def batched():
    with contextlib.ExitStack() as stack:
        for factory in _batchers:
            stack.enter_context(factory())
        yield
