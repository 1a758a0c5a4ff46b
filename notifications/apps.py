from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from notifications import receivers  # noqa: F401  (connects the signal receivers)
        from notifications.services import notify_batch
        from project.navigation import NavItem, register
        from workflows.approvals import events

        # Every engine action writes its notifications in one batch (one recipient query, one
        # counter upsert, one INSERT) and delivers them once after commit.
        events.register_batcher(notify_batch)

        register(NavItem("notifications", _("Notifications"), "notification-inbox", 90, lambda u: u.is_authenticated))
