"""Pure predicates of the lease area; services call them and raise PermissionDenied."""

from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES, Role
from workflows.org.selectors import memberships_of

BOOKS_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY})


def _street(user, street_id: int) -> bool:
    return any(m.role in STREET_ROLES and m.org_unit_id == street_id for m in memberships_of(user))


def works_in(user, community_id: int) -> bool:
    return any(m.role in COMMUNITY_WORK_ROLES and m.org_unit_id == community_id for m in memberships_of(user))


def keeps_books(user, community_id: int) -> bool:
    """Staff and the secretary: record rent, and reports or remittances on a partner's behalf."""
    return any(m.role in BOOKS_ROLES and m.org_unit_id == community_id for m in memberships_of(user))


def is_secretary(user, community_id: int) -> bool:
    return any(m.role == Role.COMMUNITY_SECRETARY and m.org_unit_id == community_id for m in memberships_of(user))


def sees_community(user, community) -> bool:
    return user.is_authenticated and (works_in(user, community.pk) or _street(user, community.parent_id))


def files_for_partners(user, community_id: int) -> bool:
    """Community staff file lease requests on a partner's behalf. Not the secretary: she reviews
    and signs them, and a filer's own steps would pass by themselves."""
    return any(m.role == Role.COMMUNITY_STAFF and m.org_unit_id == community_id for m in memberships_of(user))


def can_file_request(user, partner) -> bool:
    """The partner itself, or the community's staff on its behalf."""
    return user.is_authenticated and (partner.user_id == user.pk or files_for_partners(user, partner.community_id))


def can_view_request(user, request) -> bool:
    return user.is_authenticated and (request.submitter_id == user.pk or request.partner.user_id == user.pk
                                      or sees_community(user, request.community))


def can_view_lease(user, lease) -> bool:
    return user.is_authenticated and (lease.partner.user_id == user.pk or sees_community(user, lease.community))


def can_record_rent(user, lease) -> bool:
    return user.is_authenticated and keeps_books(user, lease.community_id)


def can_report(user, lease) -> bool:
    """The partner reports and remits; staff may do it for a partner who hands in paper."""
    return user.is_authenticated and (lease.partner.user_id == user.pk or keeps_books(user, lease.community_id))


def can_end_lease(user, lease) -> bool:
    """Either side may end a lease early: the community (secretary, street) or the partner."""
    return user.is_authenticated and (lease.partner.user_id == user.pk or is_secretary(user, lease.community_id)
                                      or _street(user, lease.community.parent_id))
