from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "workflows.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        from project import home
        from project.navigation import NavItem, register
        from workflows.approvals import checks, selectors, services  # noqa: F401  (checks and actions register on import)

        register(NavItem("approvals", _("My tasks"), "approvals-inbox", 10, lambda u: u.is_authenticated,
                         badge=lambda u: selectors.open_task_count(user=u)))
        home.register(home.HomeSection("approvals", "approvals/_home.html", 10, selectors.home_context))
