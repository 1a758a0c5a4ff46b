"""Ledger vocabularies, stored by code: never rename a code casually.

`ExpenseCategory` is shared with the expenses area (the category of an expense request is the
category of the ledger line its payment posts), so it lives here, on the side that stores it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LineKind(models.TextChoices):
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class IncomeSource(models.TextChoices):
    OPERATING = "operating", _("Operating income")
    GOVERNMENT_PURCHASE = "government_purchase", _("Government purchase of services")
    DONATION = "donation", _("Donation / sponsorship")
    OTHER = "other", _("Other lawful income")


class ExpenseCategory(models.TextChoices):
    UTILITIES = "utilities", _("Utilities")
    SPECIAL_GROUPS = "special_groups", _("Help for special groups")
    MICRO_WISH = "micro_wish", _("Micro-wishes")
    PARTY_ACTIVITY = "party_activity", _("Party and community activities")
    DAILY_OPERATIONS = "daily_operations", _("Daily operations")
    OTHER = "other", _("Other")
