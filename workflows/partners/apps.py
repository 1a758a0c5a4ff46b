from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "workflows.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from forms import purposes
        from project.navigation import NavItem, register
        from workflows.approvals import actions, registry
        from workflows.partners import notices, services
        from workflows.partners.process import PARTNER

        for action in (services.NOTICE_END, services.UPHOLD, services.DISMISS, services.AGREEMENT_ACTION):
            actions.register(action)
        registry.register(PARTNER)
        purposes.register(services.CONTRACT)
        notices.register_kinds()
        register(NavItem("partner-applications", _("Partner applications"), "partner-application-list", 30,
                         lambda u: u.is_authenticated))
