"""Every ledger read a user can reach, already scoped.

Scope: street roles (and admins) read every community of their street; secretaries, committee
members and staff read their community; residents read their community's ledger, which is
public to them (公开透明). Anyone else gets nothing, and a single line outside the scope is a 404.
"""

from decimal import Decimal

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from workflows.ledger.categories import LineKind
from workflows.ledger.models import LedgerLine
from workflows.ledger.permissions import LEDGER_READER_ROLES
from workflows.org.models import Community, OrgUnit
from workflows.org.selectors import (
    communities_visible_to,
    is_system_admin,
    memberships_of,
    street_ids_for_user,
)

ZERO = Decimal("0.00")


def ledger_communities_for_user(user) -> QuerySet[Community]:
    """Communities whose ledger the user may read (a narrowing of `communities_visible_to`)."""
    visible = communities_visible_to(user)
    if not user.is_authenticated or is_system_admin(user):
        return visible
    readable = {
        m.org_unit_id
        for m in memberships_of(user)
        if m.org_unit.kind == OrgUnit.Kind.COMMUNITY and m.role in LEDGER_READER_ROLES
    }
    return visible.filter(Q(parent_id__in=street_ids_for_user(user)) | Q(id__in=readable))


def ledger_community_get_for_user(*, user, pk) -> Community:
    try:
        return ledger_communities_for_user(user).get(pk=pk)
    except (Community.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def ledger_lines_for_user(*, user, community_id=None, line=None, date_from=None, date_to=None) -> QuerySet[LedgerLine]:
    qs = LedgerLine.objects.filter(community__in=ledger_communities_for_user(user))
    if community_id not in (None, ""):
        qs = qs.filter(community_id=community_id)
    if line:
        qs = qs.filter(line=line)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.select_related("community", "posted_by", "reverses").order_by("-date", "-id")


def ledger_line_get_for_user(*, user, pk) -> LedgerLine:
    try:
        return ledger_lines_for_user(user=user).get(pk=pk)
    except (LedgerLine.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def ledger_line_is_reversed(line: LedgerLine) -> bool:
    return LedgerLine.objects.filter(reverses_id=line.pk).exists()


def _sum(condition: Q) -> Coalesce:
    return Coalesce(Sum("amount", filter=condition), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))


def ledger_totals(qs) -> dict[str, Decimal]:
    """Each line's own total over `qs`, reversals included. Deliberately no difference of the two."""
    sums = qs.order_by().aggregate(income=_sum(Q(line=LineKind.INCOME)), expense=_sum(Q(line=LineKind.EXPENSE)))
    return {key: Decimal(value).quantize(ZERO) for key, value in sums.items()}


def posted_balance(*, community) -> Decimal:
    """Money the books hold: income minus paid expenses, reversals and opening balances included.

    Internal to the payment check (call it under `books_lock`); never shown to users, who see
    the two lines' totals side by side instead of a netted figure.
    """
    totals = ledger_totals(LedgerLine.objects.filter(community=community))
    return totals["income"] - totals["expense"]
