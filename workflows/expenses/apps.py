from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpensesConfig(AppConfig):
    name = "workflows.expenses"
    label = "expenses"
    verbose_name = _("Expenses")

    def ready(self):
        from project import home
        from project.navigation import NavItem, register
        from workflows.approvals import registry
        from workflows.expenses import permissions, selectors
        from workflows.expenses.process import EXPENSE

        registry.register(EXPENSE)
        register(NavItem("expense-new", _("File an expense"), "expense-new", 20, permissions.can_file_any_expense))
        home.register(home.HomeSection("balances", "expenses/_home_balances.html", 20, selectors.home_balances))
        register(NavItem("expenses", _("Expenses"), "expense-list", 25,
                         lambda u: u.is_authenticated and permissions.can_view_flow_chart(u)))
