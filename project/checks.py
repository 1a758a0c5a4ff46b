"""System checks for the traps named in the design notes (wrong packages on the path)."""

from importlib import metadata

from django.core.checks import Error, register

# Distributions that must never be installed beside ours: "viewflow" on PyPI is an unrelated
# tool, and "django-fsm" is deprecated and overwrites the django_fsm package of django-fsm-2.
FORBIDDEN_DISTRIBUTIONS = {
    "viewflow": "the PyPI package 'viewflow' is unrelated; Gongying needs 'django-viewflow'",
    "django-fsm": "'django-fsm' is deprecated and overwrites django_fsm; Gongying needs 'django-fsm-2'",
}


def installed_forbidden_distributions() -> dict[str, str]:
    found = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name in FORBIDDEN_DISTRIBUTIONS:
            found[name] = FORBIDDEN_DISTRIBUTIONS[name]
    return found


@register()
def forbidden_distributions(app_configs, **kwargs):
    return [
        Error(f"Distribution '{name}' is installed: {why}.", id="gongying.E001")
        for name, why in installed_forbidden_distributions().items()
    ]
