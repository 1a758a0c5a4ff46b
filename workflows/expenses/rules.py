"""The authority table's rules, read by filing (services) and by the route preview (selectors)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.expenses.models import MAX_AMOUNT, AuthorityPolicy


def parse_amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": _("Enter an amount such as 8000.00.")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("Enter an amount such as 8000.00.")})
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if amount.as_tuple().exponent < -2:
        raise ValidationError({"amount": _("The amount may have at most two decimal places.")})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": _("The amount may be at most 10,000,000.00.")})
    return amount.quantize(Decimal("0.01"))


def policy_in_force(*, street_id: int, on: dt.date | None = None) -> AuthorityPolicy:
    """The newest version already in effect on `on` (a version dated in the future waits)."""
    on = on or timezone.localdate()
    policy = (
        AuthorityPolicy.objects.filter(street_id=street_id, effective_from__lte=on)
        .order_by("-version")
        .first()
    )
    if policy is None:
        raise ValidationError({"community": _("No authority table is in force for this street yet.")})
    return policy


def route_steps(*, policy: AuthorityPolicy, category: str, amount: Decimal, extra: dict | None = None) -> list[str]:
    """The steps of the first matching row: category rows before "any" rows, then by position.

    A row with a condition matches only when forms.conditions.evaluate holds on the request's
    facts: its expense.extra data, with `amount` and `category` (the core fields win).
    """
    facts = {**(extra or {}), "category": category, "amount": str(amount)}
    rules = sorted(policy.rules.all(), key=lambda r: (r.category == "", r.position))
    for rule in rules:
        if rule.matches(category=category, amount=amount, facts=facts):
            return list(rule.steps)
    raise ValidationError({"amount": _("The authority table has no row for this category and amount.")})
