from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "workflows.inquiries"
    label = "inquiries"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Resident inquiries")

    def ready(self):
        from project.navigation import NavItem, register
        from workflows.approvals import actions, registry
        from workflows.inquiries import notifications, permissions, selectors, services  # noqa: F401
        from workflows.inquiries.process import INQUIRY
        from workflows.ledger import annotations

        for action in services.ALL_ACTIONS:
            actions.register(action)
        registry.register(INQUIRY)
        annotations.register(annotations.Provider("inquiries", "inquiries/_published.html",
                                                  selectors.published_answers))
        register(NavItem("inquiries-mine", _("My inquiries"), "inquiry-list", 30,
                         lambda u: u.is_authenticated and (permissions.is_resident(u) or permissions.works_on_inquiries(u))))
