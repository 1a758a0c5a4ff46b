from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "workflows.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from project.navigation import NavItem, register

        register(NavItem("home", _("Home"), "home", 0, lambda u: u.is_authenticated))
        register(NavItem("rooms", _("Rooms"), "room-list", 80, lambda u: u.is_authenticated))
