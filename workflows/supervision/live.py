"""Live dashboard counters over the existing notification socket (/ws/notifications/).

The dashboard page watches the topic "street" (`data-watch`, notifications/watch.py): its socket
joins `watch.street.<id>` for each street where the user holds a street role and
`watch.community.<id>` for each community where they hold a work role. When a task is created,
decided or moved on (any approval event of a process with a community), and when a task becomes
overdue (the supervision sweep), those groups get a bare
`{"type": "live.changed", "topic": "street", "community": id}` after the commit. It carries no
figures: the page reads its counters again from `/api/street/dashboard/`, so the server stays the
one source of the numbers and a lost push costs nothing (the next one, or a reload, catches up).
No polling loop, and sockets of other pages receive nothing.
"""

from django.db import transaction

from notifications.transports import group_send_all
from workflows.org.models import OrgUnit, RoleMembership, Street
from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES, Role

TOPIC = "street"


def street_group(street_id: int) -> str:
    return f"watch.street.{street_id}"


def community_group(community_id: int) -> str:
    return f"watch.community.{community_id}"


def watch_groups(user_id: int) -> set[str]:
    """The groups a dashboard of this user joins (one query; admins watch every street)."""
    groups = set()
    rows = RoleMembership.objects.filter(user_id=user_id, user__is_active=True).values_list(
        "org_unit__kind", "org_unit_id", "role")
    for kind, unit_id, role in rows:
        if role == Role.ADMIN:
            groups.update(street_group(pk) for pk in Street.objects.values_list("pk", flat=True))
        elif kind == OrgUnit.Kind.STREET and role in STREET_ROLES:
            groups.add(street_group(unit_id))
        elif kind == OrgUnit.Kind.COMMUNITY and role in COMMUNITY_WORK_ROLES:
            groups.add(community_group(unit_id))
    return groups


def _messages(*, community_id: int | None, street_id: int | None) -> list[tuple[str, dict]]:
    message = {"type": "live.changed", "topic": TOPIC, "community": community_id}
    groups = ([street_group(street_id)] if street_id else []) + ([community_group(community_id)] if community_id else [])
    return [(group, message) for group in groups]


def announce(*, community_id: int | None, street_id: int | None) -> None:
    """After the current transaction commits (at once outside one), tell the open dashboards."""
    messages = _messages(community_id=community_id, street_id=street_id)
    if messages:
        transaction.on_commit(lambda: group_send_all(messages))


def on_approval_event(sender, event, **kwargs):
    if event.community_id or event.street_id:
        announce(community_id=event.community_id, street_id=event.street_id)
