from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "workflows.supervision"
    label = "supervision"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("Street supervision")

    def ready(self):
        from notifications import watch
        from project.navigation import NavItem, register
        from workflows.approvals.events import approval_event
        from workflows.supervision import exports, live, scope  # noqa: F401 (exports registers the workbooks)

        approval_event.connect(live.on_approval_event, dispatch_uid="supervision.live")
        watch.register(live.TOPIC, live.watch_groups)
        register(NavItem("street-dashboard", _("Street dashboard"), "street-dashboard", 15, scope.may_supervise))
        # The lease figures plug in only when the lease area is installed (providers.py).
        if apps.is_installed("workflows.leases"):
            from workflows.supervision import lease_figures, providers

            providers.register(lease_figures.LeaseFigures())
