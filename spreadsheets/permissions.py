"""Pure predicates for the spreadsheets area."""

from workflows.org.selectors import is_system_admin


def can_view_job(user, job) -> bool:
    # Jobs hold exported data and uploaded files: only the person who started one sees it.
    return bool(user.is_authenticated and job.owner_id == user.id)


def can_use_admin_sheets(user) -> bool:
    """Users and roles: the administrator's lists."""
    return is_system_admin(user)


def can_import_ledger_expenses(user, community) -> bool:
    """Historical paid expenses are entered by the secretary, who signs the community's books."""
    from workflows.org.roles import Role
    from workflows.org.selectors import has_role

    return has_role(user, Role.COMMUNITY_SECRETARY, community.id)
