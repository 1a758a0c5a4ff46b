"""One money format everywhere: ¥8,000.00 with thousands separators, a negative amount (a
reversal) as −¥10,000.00, and the capitals (大写) written on approval papers."""

from decimal import Decimal, InvalidOperation

import cn2an
from django import template

register = template.Library()


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        return None


@register.filter
def money(value) -> str:
    amount = _amount(value)
    if amount is None:
        return ""
    # U+2212 MINUS SIGN: a hyphen before ¥ is easy to miss on a phone.
    return f"{'−' if amount < 0 else ''}¥{abs(amount):,.2f}"


@register.filter
def money_capitals(value) -> str:
    amount = _amount(value)
    if amount is None:
        return ""
    return ("负" if amount < 0 else "") + cn2an.an2cn(str(abs(amount)), "rmb")
