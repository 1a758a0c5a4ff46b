"""Who sees which communities on the street's pages.

Street roles (leader, reviewer) and admins see every community of their street; a community's
work roles (secretary, committee, staff) see only their own community; anyone else — residents,
partners, anonymous — sees nothing, and the pages answer 404.
"""

from django.http import Http404

from workflows.org.models import Community, OrgUnit
from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES
from workflows.org.selectors import is_system_admin, memberships_of, street_ids_for_user


def work_community_ids(user) -> set[int]:
    """Communities where the user holds a work role (secretary, committee, staff)."""
    return {m.org_unit_id for m in memberships_of(user)
            if m.org_unit.kind == OrgUnit.Kind.COMMUNITY and m.role in COMMUNITY_WORK_ROLES}


def supervised_communities(user, *, street_id=None) -> list[Community]:
    """The communities of the dashboard, in id order (one query); [] for anyone else."""
    if not user.is_authenticated:
        return []
    qs = Community.objects.select_related("parent").order_by("id")
    if not is_system_admin(user):
        streets = street_ids_for_user(user)
        own = work_community_ids(user)
        if not streets and not own:
            return []
        from django.db.models import Q

        qs = qs.filter(Q(parent_id__in=streets) | Q(id__in=own))
    if street_id is not None:
        qs = qs.filter(parent_id=street_id)
    return list(qs)


def may_supervise(user) -> bool:
    """The menu entry (from the cached memberships, no query)."""
    if not user.is_authenticated:
        return False
    if is_system_admin(user):
        return True
    return any((m.org_unit.kind == OrgUnit.Kind.STREET and m.role in STREET_ROLES)
               or (m.org_unit.kind == OrgUnit.Kind.COMMUNITY and m.role in COMMUNITY_WORK_ROLES)
               for m in memberships_of(user))


def communities_or_404(user, *, street_id=None) -> list[Community]:
    found = supervised_communities(user, street_id=street_id)
    if not found:
        raise Http404
    return found
