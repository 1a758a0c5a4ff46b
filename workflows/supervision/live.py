"""Live dashboard counters over the existing notification socket (/ws/notifications/).

When a task is created, decided or moved on (any approval event of a process with a community),
and when a task becomes overdue (the supervision sweep), the street roles of the street and the
work roles of the community get a bare `{"type": "changed", "topic": "street", "community": id}`
on their sockets after the commit. It carries no figures: the dashboard page reads its
counters again from `/api/street/dashboard/`, so the server stays the one source of the numbers
and a lost push costs nothing (the next one, or a reload, catches up). No polling loop.
"""

from django.db import transaction

from notifications.groups import role_group
from notifications.transports import group_send_all
from workflows.org.models import OrgUnit
from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES

TOPIC = "street"


def _messages(*, community_id: int | None, street_id: int | None) -> list[tuple[str, dict]]:
    message = {"type": "live.changed", "topic": TOPIC, "community": community_id}
    groups = []
    if street_id:
        groups += [role_group(OrgUnit.Kind.STREET, street_id, role) for role in sorted(STREET_ROLES)]
    if community_id:
        groups += [role_group(OrgUnit.Kind.COMMUNITY, community_id, role) for role in sorted(COMMUNITY_WORK_ROLES)]
    return [(group, message) for group in groups]


def announce(*, community_id: int | None, street_id: int | None) -> None:
    """After the current transaction commits (at once outside one), tell the open dashboards."""
    messages = _messages(community_id=community_id, street_id=street_id)
    if messages:
        transaction.on_commit(lambda: group_send_all(messages))


def on_approval_event(sender, event, **kwargs):
    if event.community_id or event.street_id:
        announce(community_id=event.community_id, street_id=event.street_id)
