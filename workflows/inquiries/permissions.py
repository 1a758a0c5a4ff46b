"""Pure predicates for inquiries. Services and selectors call them; "no" is always a 404."""

from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES, Role
from workflows.org.selectors import has_role, is_system_admin, memberships_of


def can_file_inquiry(user, community) -> bool:
    """A resident asks about her own community's money."""
    return bool(user.is_authenticated and has_role(user, Role.RESIDENT, community.id))


def can_see_inquiry(user, inquiry) -> bool:
    """The resident, the community's work roles and the street; another resident never."""
    if not user.is_authenticated:
        return False
    if inquiry.submitter_id == user.pk or is_system_admin(user):
        return True
    for m in memberships_of(user):
        if m.org_unit_id == inquiry.community_id and m.role in COMMUNITY_WORK_ROLES:
            return True
        if m.org_unit_id == inquiry.community.parent_id and m.role in STREET_ROLES:
            return True
    return False


def works_on_inquiries(user) -> bool:
    """Menu entry for the people who answer inquiries (from the cached memberships)."""
    return any(m.role in COMMUNITY_WORK_ROLES | STREET_ROLES for m in memberships_of(user))


def is_resident(user) -> bool:
    return any(m.role == Role.RESIDENT for m in memberships_of(user))


def can_publish_answer(user, inquiry) -> bool:
    """The community's secretary publishes its answers; the street its final ones."""
    if inquiry.round > 1:
        return has_role(user, Role.STREET_REVIEWER, inquiry.community.parent_id)
    return has_role(user, Role.COMMUNITY_SECRETARY, inquiry.community_id)
