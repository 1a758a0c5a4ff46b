"""Pure predicates. Services call them and raise PermissionDenied (the API turns that into 404)."""

from dataclasses import dataclass

from workflows.org.selectors import is_system_admin, street_ids_visible_to


def can_design_forms(user) -> bool:
    return is_system_admin(user)


def work_audience() -> frozenset[str]:
    """The people who work on the books: community work roles and street roles (with the admin)."""
    from workflows.org.roles import COMMUNITY_WORK_ROLES, STREET_ROLES

    return frozenset(COMMUNITY_WORK_ROLES | STREET_ROLES)


def audience_of(definition) -> frozenset[str] | None:
    """The role codes that may fill a form, or None for everyone who sees its street.

    The designer's choice when set; otherwise the default of its purpose: internal purposes
    (expense.extra, income.extra) are for the people who work on the books, the others for all.
    """
    from forms.models import INTERNAL_PURPOSES

    if definition.audience:
        return frozenset(definition.audience)
    if definition.purpose in INTERNAL_PURPOSES:
        return work_audience()
    return None


def in_audience(user, definition) -> bool:
    from workflows.org.selectors import memberships_of

    roles = audience_of(definition)
    if roles is None or is_system_admin(user):
        return True
    return any(m.role in roles for m in memberships_of(user))


def can_fill_form(user, definition) -> bool:
    if not user.is_authenticated:
        return False
    if definition.owner_id is not None and definition.owner_id not in street_ids_visible_to(user):
        return False
    return in_audience(user, definition)


@dataclass(frozen=True)
class SubmissionAudience:
    """Where a user's roles let them read submissions besides their own."""

    work_units: frozenset[int]  # communities where they hold a work role (secretary, committee, staff)
    streets: frozenset[int]  # streets where they hold a street role: the street and its communities
    resident_units: frozenset[int]  # communities where they are a resident (public purposes only)


def submission_audience(user) -> SubmissionAudience:
    from workflows.org.models import OrgUnit
    from workflows.org.roles import COMMUNITY_WORK_ROLES, Role
    from workflows.org.selectors import memberships_of, street_ids_for_user

    memberships = memberships_of(user)
    return SubmissionAudience(
        work_units=frozenset(
            m.org_unit_id for m in memberships if m.role in COMMUNITY_WORK_ROLES and m.org_unit.kind == OrgUnit.Kind.COMMUNITY
        ),
        streets=frozenset(street_ids_for_user(user)),
        resident_units=frozenset(m.org_unit_id for m in memberships if m.role == Role.RESIDENT),
    )


def can_view_submission(user, submission) -> bool:
    """Its filer, the work roles of its org unit and the street roles above it; residents of its
    community only when the form's purpose is public."""
    from forms.models import PUBLIC_PURPOSES

    if not user.is_authenticated:
        return False
    if submission.submitted_by_id == user.pk or is_system_admin(user):
        return True
    unit = submission.org_unit
    if unit is None:
        return False
    audience = submission_audience(user)
    if unit.pk in audience.work_units or unit.pk in audience.streets or unit.parent_id in audience.streets:
        return True
    return unit.pk in audience.resident_units and submission.version.definition.purpose in PUBLIC_PURPOSES
