"""Pure predicates for the org area."""

from workflows.org.selectors import is_system_admin


def can_manage_memberships(user) -> bool:
    return is_system_admin(user)


def can_edit_calendar(user) -> bool:
    return is_system_admin(user)


def can_manage_rooms(user, community) -> bool:
    """Admins, and the secretary or staff of the room's own community."""
    from workflows.org.roles import Role
    from workflows.org.selectors import has_role

    if is_system_admin(user):
        return True
    return any(has_role(user, role, community.id) for role in (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF))


def can_create_users(user) -> bool:
    return is_system_admin(user)
