"""Every read a user can reach, already scoped to that user.

`communities_visible_to` is the one scope the whole product builds on: later areas filter their
querysets with `community__in=communities_visible_to(user)`.
"""

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from project import navigation
from workflows.org.models import Community, OrgUnit, RoleMembership, Room, User
from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES, Role


def memberships_of(user) -> list[RoleMembership]:
    if not user.is_authenticated:
        return []
    cache = getattr(user, "_gongying_memberships", None)
    if cache is None:
        cache = list(RoleMembership.objects.filter(user=user).select_related("org_unit", "org_unit__parent"))
        user._gongying_memberships = cache
    return cache


def forget_memberships(user) -> None:
    """Drop the per-request cache after roles change."""
    if hasattr(user, "_gongying_memberships"):
        del user._gongying_memberships


def is_system_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or any(m.role == Role.ADMIN for m in memberships_of(user))))


def has_role(user, role: str, org_unit_id: int | None = None) -> bool:
    return any(m.role == role and (org_unit_id is None or m.org_unit_id == org_unit_id) for m in memberships_of(user))


def street_ids_for_user(user) -> set[int]:
    """Streets where the user holds a street-level role."""
    return {m.org_unit_id for m in memberships_of(user) if m.org_unit.kind == OrgUnit.Kind.STREET and m.role in STREET_ROLES}


def work_scope(user) -> tuple[set[int], set[int]]:
    """(ids of the communities where the user holds a community work role, ids of the streets
    where they hold a street role): whose community records a process's pages show them."""
    communities, streets = set(), set()
    for m in memberships_of(user):
        if m.role in STREET_ROLES and m.org_unit.kind == OrgUnit.Kind.STREET:
            streets.add(m.org_unit_id)
        elif m.role in COMMUNITY_WORK_ROLES:
            communities.add(m.org_unit_id)
    return communities, streets


def in_work_scope(qs: QuerySet, user, *, own: Q | None = None, extra_communities: set[int] = frozenset()) -> QuerySet:
    """`qs` (of rows with a `community`) narrowed to what the user may see: the rows `own`
    selects (their own filings), their work communities' (and `extra_communities`'), and every
    community's of the streets they work for. Nobody signed in sees nothing."""
    if not user.is_authenticated:
        return qs.none()
    communities, streets = work_scope(user)
    scope = Q(community_id__in=communities | set(extra_communities)) | Q(community__parent_id__in=streets)
    return qs.filter(scope if own is None else own | scope)


def get_or_404(qs: QuerySet, pk):
    """One row of a scoped queryset by a primary key from a URL or a body, else a 404 — also for
    a key that is no number, so a probe learns nothing."""
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def communities_visible_to(user) -> QuerySet[Community]:
    """Communities whose data this user may see.

    Superusers and admins see all; street roles see every community of their street; anyone
    else sees the communities they hold a role in (residents and partners included, who then
    see only what each area's selectors treat as public).
    """
    if not user.is_authenticated:
        return Community.objects.none()
    if is_system_admin(user):
        return Community.objects.all()
    streets = street_ids_for_user(user)
    own = {m.org_unit_id for m in memberships_of(user) if m.org_unit.kind == OrgUnit.Kind.COMMUNITY}
    from django.db.models import Q

    return Community.objects.filter(Q(parent_id__in=streets) | Q(id__in=own))


def org_units_visible_to(user) -> QuerySet[OrgUnit]:
    if not user.is_authenticated:
        return OrgUnit.objects.none()
    if is_system_admin(user):
        return OrgUnit.objects.all()
    from django.db.models import Q

    community_ids = communities_visible_to(user).values("id")
    street_ids = set(street_ids_for_user(user)) | {
        m.org_unit.parent_id for m in memberships_of(user) if m.org_unit.kind == OrgUnit.Kind.COMMUNITY
    }
    return OrgUnit.objects.filter(Q(id__in=community_ids) | Q(id__in=street_ids)).order_by("kind", "id")


def street_ids_visible_to(user) -> set[int]:
    """Ids of the streets among `org_units_visible_to(user)` (own streets and the parents of own communities)."""
    return set(org_units_visible_to(user).filter(kind=OrgUnit.Kind.STREET).values_list("id", flat=True))


def org_unit_get_for_user(*, user, pk) -> OrgUnit:
    try:
        return org_units_visible_to(user).get(pk=pk)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def community_get_for_user(*, user, pk) -> Community:
    try:
        return communities_visible_to(user).get(pk=pk)
    except (Community.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def room_list_for_user(*, user, community_id=None, for_lease: bool | None = None) -> QuerySet[Room]:
    qs = Room.objects.filter(community__in=communities_visible_to(user)).select_related("community")
    if community_id is not None:  # callers parse text ids with project.params.parse_id
        qs = qs.filter(community_id=community_id)
    if for_lease is not None:
        qs = qs.filter(for_lease=for_lease)
    return qs.prefetch_related("opening_hours").order_by("community_id", "name")


def room_get_for_user(*, user, pk) -> Room:
    try:
        return room_list_for_user(user=user).get(pk=pk)
    except (Room.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def org_units_for_user(user) -> list[dict]:
    """The user's roles with their org units, as shown on the home page and /api/me/."""
    return [
        {
            "role": m.role,
            "role_label": m.get_role_display(),
            "org_unit": {"id": m.org_unit_id, "kind": m.org_unit.kind, "name": m.org_unit.name},
        }
        for m in memberships_of(user)
    ]


def holders_of(*, role: str, org_unit_id: int) -> QuerySet[User]:
    """Active users who hold `role` in the org unit: task assignment and fan-out."""
    return User.objects.filter(
        is_active=True, memberships__role=role, memberships__org_unit_id=org_unit_id
    ).distinct().order_by("id")


def holder_ids(*, role: str, org_unit_id: int) -> list[int]:
    """The ids of `holders_of`, as SQL: every approval step asks it, and composing the join
    through the ORM cost more than running it."""
    users, members = (connection.ops.quote_name(m._meta.db_table) for m in (User, RoleMembership))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT u.id FROM {users} u JOIN {members} m ON m.user_id = u.id "
            "WHERE u.is_active AND m.role = %s AND m.org_unit_id = %s ORDER BY u.id",
            [role, org_unit_id],
        )
        return [row[0] for row in cursor.fetchall()]


def navigation_for_user(user) -> list[dict]:
    return navigation.items_for(user)
