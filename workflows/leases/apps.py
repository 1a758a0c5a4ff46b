from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeasesConfig(AppConfig):
    name = "workflows.leases"
    label = "leases"
    verbose_name = _("Leases")

    def ready(self):
        from forms import purposes
        from project.navigation import NavItem, register
        from workflows.approvals import actions, registry
        from workflows.leases import notices, services
        from workflows.leases.process import LEASE

        actions.register(services.SIGN_ACTION)
        registry.register(LEASE)
        purposes.register(services.PURPOSE_CONTRACT)
        notices.register_kinds()
        register(NavItem("leases", _("Leases"), "lease-list", 35, lambda u: u.is_authenticated))
