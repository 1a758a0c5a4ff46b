from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "workflows.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self):
        from project.navigation import NavItem, register
        from workflows.ledger.permissions import may_prepare_some_disclosure, may_see_some_ledger

        register(NavItem("ledger", _("Ledger"), "ledger", 30, may_see_some_ledger))
        register(NavItem("disclosures", _("Monthly disclosures"), "ledger-disclosures", 31, may_prepare_some_disclosure))
