"""Channel-layer group names. The consumer derives a user's groups from the database only;
a client never names a group."""

from workflows.org.models import RoleMembership


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def role_group(org_unit_kind: str, org_unit_id: int, role: str) -> str:
    # org_unit_kind is "street" or "community" (OrgUnit.Kind values).
    return f"{org_unit_kind}.{org_unit_id}.{role}"


def groups_for_user(user_id: int) -> set[str]:
    """user.<id> plus one group per (role, org unit) the user holds. Runs one query."""
    groups = {user_group(user_id)}
    rows = RoleMembership.objects.filter(user_id=user_id, user__is_active=True).values_list(
        "org_unit__kind", "org_unit_id", "role"
    )
    groups.update(role_group(kind, unit_id, role) for kind, unit_id, role in rows)
    return groups
