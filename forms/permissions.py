"""Pure predicates. Services call them and raise PermissionDenied (the API turns that into 404)."""

from workflows.org.selectors import is_system_admin, street_ids_visible_to


def can_design_forms(user) -> bool:
    return is_system_admin(user)


def can_fill_form(user, definition) -> bool:
    if not user.is_authenticated:
        return False
    return definition.owner_id is None or definition.owner_id in street_ids_visible_to(user)


def can_view_submission(user, submission) -> bool:
    from workflows.org.selectors import org_units_visible_to

    if not user.is_authenticated:
        return False
    if submission.submitted_by_id == user.pk or is_system_admin(user):
        return True
    return submission.org_unit_id is not None and org_units_visible_to(user).filter(pk=submission.org_unit_id).exists()
