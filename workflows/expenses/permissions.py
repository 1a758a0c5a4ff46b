"""Pure predicates of the expense area. Services call them and raise; pages use them to show buttons."""

from workflows.expenses.states import ExpenseState
from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES, Role
from workflows.org.selectors import has_role, is_system_admin, memberships_of, street_ids_for_user


def is_community_staff(user, community_id: int) -> bool:
    return has_role(user, Role.COMMUNITY_STAFF, community_id)


def works_in(user, community_id: int) -> bool:
    return any(m.role in COMMUNITY_WORK_ROLES and m.org_unit_id == community_id for m in memberships_of(user))


def can_file_expense(user, community) -> bool:
    if not user.is_authenticated:
        return False
    cid = getattr(community, "pk", community)
    return has_role(user, Role.COMMUNITY_STAFF, cid) or has_role(user, Role.COMMUNITY_SECRETARY, cid)


def can_file_any_expense(user) -> bool:
    return any(m.role in (Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY) for m in memberships_of(user))


def can_view_expense(user, request) -> bool:
    if not user.is_authenticated:
        return False
    if is_system_admin(user) or request.submitter_id == user.pk or works_in(user, request.community_id):
        return True
    street_id = request.community.parent_id
    if street_id in street_ids_for_user(user) and any(m.role in STREET_ROLES for m in memberships_of(user)):
        return True
    return request.cc.filter(pk=user.pk).exists()


def can_withdraw_expense(user, request) -> bool:
    return request.submitter_id == user.pk and request.state == ExpenseState.PENDING


def can_urge_expense(user, request) -> bool:
    return request.submitter_id == user.pk and request.state == ExpenseState.PENDING


def can_resubmit_expense(user, request) -> bool:
    return request.submitter_id == user.pk and request.state == ExpenseState.RETURNED


def can_pay_expense(user, request) -> bool:
    return request.state == ExpenseState.APPROVED and is_community_staff(user, request.community_id)


def can_edit_policy(user) -> bool:
    return is_system_admin(user)


def can_view_flow_chart(user) -> bool:
    return bool(user.is_authenticated and (is_system_admin(user) or any(
        m.role in COMMUNITY_WORK_ROLES or m.role in STREET_ROLES for m in memberships_of(user))))
