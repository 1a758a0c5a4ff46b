from workflows.org.selectors import navigation_for_user, org_units_for_user


def shell(request):
    """What the base layout needs on every page: the user's org units and role-based menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "my_org_units": []}
    return {"nav_items": navigation_for_user(user), "my_org_units": org_units_for_user(user)}
