"""Pure predicates for the org area."""

from workflows.org.selectors import is_system_admin


def can_manage_memberships(user) -> bool:
    return is_system_admin(user)


def can_edit_calendar(user) -> bool:
    return is_system_admin(user)
