"""Signal receivers: process events become notifications; role changes re-join sockets."""

from django.dispatch import receiver

from notifications import kinds, transports
from notifications.services import RoleQueue, notify
from workflows.approvals.events import ApprovalEvent, EventKind, approval_event
from workflows.org.models import OrgUnit, User
from workflows.org.roles import Role
from workflows.org.signals import roles_changed

# Which notification kind each process event becomes.
EVENT_KINDS: dict[str, str] = {
    EventKind.TASK_CREATED: kinds.TASK_QUEUED.code,
    EventKind.TASK_ASSIGNED: kinds.TASK_ASSIGNED.code,
    EventKind.TASK_TRANSFERRED: kinds.TASK_TRANSFERRED.code,
    EventKind.APPROVED: kinds.REQUEST_APPROVED.code,
    EventKind.REJECTED: kinds.REQUEST_REJECTED.code,
    EventKind.RETURNED: kinds.REQUEST_RETURNED.code,
    EventKind.STEP_APPROVED: kinds.STEP_APPROVED.code,
    EventKind.WITHDRAWN: kinds.REQUEST_WITHDRAWN.code,
    EventKind.RESUBMITTED: kinds.REQUEST_RESUBMITTED.code,
    EventKind.URGED: kinds.REQUEST_URGED.code,
    EventKind.REACHED_STREET: kinds.REACHED_STREET.code,
    EventKind.PAID: kinds.REQUEST_PAID.code,
    EventKind.COMMENTED: kinds.REQUEST_COMMENTED.code,
    EventKind.ESCALATED: kinds.TASK_ESCALATED.code,
    EventKind.DUE_SOON: kinds.TASK_DUE_SOON.code,
}

# The supervision feed: street-level roles told when a request of their street reaches them.
SUPERVISION_ROLES = (Role.STREET_REVIEWER, Role.STREET_LEADER)


def recipients_of(event: ApprovalEvent) -> tuple[list[int], list[RoleQueue]]:
    queues = []
    # Only a new task goes to a whole queue. Other events may carry role and org unit too (an
    # assignment names the assignee's role), but they are addressed to `user_ids` alone.
    if event.kind in (EventKind.TASK_CREATED, EventKind.DUE_SOON) and not event.user_ids and event.role and event.org_unit_id:
        queues.append(RoleQueue(event.role, event.org_unit_id))
    if event.kind == EventKind.REACHED_STREET and event.street_id:
        queues.extend(RoleQueue(role, event.street_id) for role in SUPERVISION_ROLES)
    return list(event.user_ids), queues


def params_of(event: ApprovalEvent) -> dict:
    # The names come with the event when the process has them at hand; a query only otherwise.
    actor = event.actor_name
    if not actor and event.actor_id:
        user = User.objects.filter(pk=event.actor_id).first()
        actor = str(user) if user else ""
    community = event.community_name
    if not community and event.community_id:
        community = OrgUnit.objects.filter(pk=event.community_id).values_list("name", flat=True).first() or ""
    params = {
        "title": event.title,
        "process_kind": event.process_kind,
        "process_id": event.process_id,
        "actor": actor,
        "step": event.step,
        "comment": event.comment,
        "community": community,
    }
    return {key: value for key, value in params.items() if value not in ("", None)}


@receiver(approval_event, dispatch_uid="notifications.on_approval_event")
def on_approval_event(sender, event: ApprovalEvent, **kwargs):
    # Sent inside the process transaction: the rows commit or roll back with the action.
    kind = EVENT_KINDS.get(event.kind)
    if kind is None:
        return
    users, queues = recipients_of(event)
    # Nobody is told of what they did themselves (their own payment, their own approval).
    users = [u for u in users if u != event.actor_id]
    if not users and not queues:
        return
    notify(kind=kind, params=params_of(event), url=event.url, users=users, queues=queues,
           exclude=(event.actor_id,) if event.actor_id else ())


@receiver(roles_changed, dispatch_uid="notifications.on_roles_changed")
def on_roles_changed(sender, user_id: int, **kwargs):
    transports.ask_to_rejoin(user_id)
