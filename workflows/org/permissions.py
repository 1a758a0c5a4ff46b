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


def has_work_role(user) -> bool:
    """Holds a working role (community work roles, street roles) or administers: the menus of
    internal work (待办, spreadsheets) are for these people, not for residents or partners."""
    from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES
    from workflows.org.selectors import memberships_of

    if not user.is_authenticated:
        return False
    return is_system_admin(user) or any(m.role in COMMUNITY_WORK_ROLES or m.role in STREET_ROLES
                                        for m in memberships_of(user))
