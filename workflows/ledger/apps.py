from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "workflows.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self):
        from project.navigation import NavItem, register
        from workflows.ledger.permissions import may_see_some_ledger

        register(NavItem("ledger", _("Ledger"), "ledger", 30, may_see_some_ledger))
