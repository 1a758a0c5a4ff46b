from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from notifications import receivers  # noqa: F401  (connects the signal receivers)
        from project.navigation import NavItem, register

        register(NavItem("notifications", _("Notifications"), "notification-inbox", 90, lambda u: u.is_authenticated))
