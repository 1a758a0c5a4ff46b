"""Pure predicates for the ledger. Services call them and raise PermissionDenied."""

from workflows.org.models import OrgUnit
from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES, Role
from workflows.org.selectors import has_role, is_system_admin, memberships_of

# Community roles that may read a community's ledger: those who keep the books and the
# residents the ledger is published for (公开透明). Partners are not among them.
LEDGER_READER_ROLES = COMMUNITY_WORK_ROLES | {Role.RESIDENT}
INCOME_RECORDER_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY})


def may_see_some_ledger(user) -> bool:
    """Whether the user reads any ledger at all (menu entry), from the cached memberships only."""
    if not user.is_authenticated:
        return False
    if is_system_admin(user):
        return True
    for m in memberships_of(user):
        if m.org_unit.kind == OrgUnit.Kind.STREET and m.role in STREET_ROLES:
            return True
        if m.org_unit.kind == OrgUnit.Kind.COMMUNITY and m.role in LEDGER_READER_ROLES:
            return True
    return False


def can_view_scan(user, line) -> bool:
    """Voucher scans may show bank details and signatures: the books' keepers and the street see
    them; residents read the public ledger without them."""
    if is_system_admin(user):
        return True
    for m in memberships_of(user):
        if m.org_unit.kind == OrgUnit.Kind.STREET and m.role in STREET_ROLES and m.org_unit_id == line.community.parent_id:
            return True
        if m.org_unit_id == line.community_id and m.role in COMMUNITY_WORK_ROLES:
            return True
    return False


def can_view_extra(user, line) -> bool:
    """The income.extra part of a line (receipt and contract numbers, the voucher's file name) is
    internal like the scan: the books' keepers and the street read it, residents do not."""
    return can_view_scan(user, line)


def can_record_income(user, community) -> bool:
    return any(has_role(user, role, community.id) for role in INCOME_RECORDER_ROLES)


def can_reverse_lines_in(user, community) -> bool:
    return has_role(user, Role.COMMUNITY_SECRETARY, community.id)


def can_reverse_line(user, line) -> bool:
    return has_role(user, Role.COMMUNITY_SECRETARY, line.community_id)


def can_publish_disclosure(user, community) -> bool:
    """The secretary publishes the month's books; staff prepare them (they see the preview)."""
    return has_role(user, Role.COMMUNITY_SECRETARY, community.id)


def can_prepare_disclosure(user, community) -> bool:
    return can_publish_disclosure(user, community) or has_role(user, Role.COMMUNITY_STAFF, community.id)


def may_prepare_some_disclosure(user) -> bool:
    """Menu entry: the secretary or staff of some community (cached memberships, no query)."""
    return user.is_authenticated and any(
        m.role in (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_STAFF) and m.org_unit.kind == OrgUnit.Kind.COMMUNITY
        for m in memberships_of(user))
