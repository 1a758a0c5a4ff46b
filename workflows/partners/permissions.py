"""Pure predicates of the partner area; services call them and raise PermissionDenied."""

from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES, Role
from workflows.org.selectors import memberships_of


def _street_roles(user, street_id: int) -> bool:
    return any(m.role in STREET_ROLES and m.org_unit_id == street_id for m in memberships_of(user))


def _works_in(user, community_id: int) -> bool:
    return any(m.role in COMMUNITY_WORK_ROLES and m.org_unit_id == community_id for m in memberships_of(user))


def is_secretary(user, community_id: int) -> bool:
    return any(m.role == Role.COMMUNITY_SECRETARY and m.org_unit_id == community_id for m in memberships_of(user))


def can_publish_call(user, communities) -> bool:
    """A community's secretary for her own community; the street's reviewer, leader or admin for
    any of the street's communities."""
    if not user.is_authenticated or not communities:
        return False
    return all(is_secretary(user, c.pk) or _street_roles(user, c.parent_id) for c in communities)


def can_view_application(user, application) -> bool:
    if not user.is_authenticated:
        return False
    return (application.submitter_id == user.pk or _works_in(user, application.community_id)
            or _street_roles(user, application.community.parent_id))


def can_manage_partner(user, partner) -> bool:
    return user.is_authenticated and (is_secretary(user, partner.community_id)
                                      or _street_roles(user, partner.community.parent_id))


def can_view_partner(user, partner) -> bool:
    return user.is_authenticated and (partner.user_id == user.pk or _works_in(user, partner.community_id)
                                      or _street_roles(user, partner.community.parent_id))


def can_exit_partner(user, partner) -> bool:
    """Either side may end the partnership: the community (secretary, street) or the partner."""
    return can_manage_partner(user, partner) or (user.is_authenticated and partner.user_id == user.pk)
