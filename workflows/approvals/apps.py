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
        from workflows.org.permissions import has_work_role

        # Residents and partners see 待办 only while something waits for them.
        register(NavItem("approvals", _("My tasks"), "approvals-inbox", 10,
                         lambda u: has_work_role(u) or selectors.open_task_count(user=u) > 0,
                         badge=lambda u: selectors.open_task_count(user=u)))
        home.register(home.HomeSection("approvals", "approvals/_home.html", 10, selectors.home_context))
