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
    return qs.select_related("community", "posted_by", "reverses", "extra_form__definition").order_by("-date", "-id")


def ledger_line_get_for_user(*, user, pk) -> LedgerLine:
    try:
        return ledger_lines_for_user(user=user).get(pk=pk)
    except (LedgerLine.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


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


# --- public reads (公开): no login, no personal data ------------------------------------------------
#
# Everything below is public by design: the communities' disclosures and their posted lines,
# shaped by `disclosures.public_line` (no scans, counterparties masked). Unknown → 404.


def public_communities() -> QuerySet[Community]:
    return Community.objects.order_by("id")


def public_community_get(*, code) -> Community:
    if not isinstance(code, str) or not code or len(code) > 32:
        raise Http404
    try:
        return Community.objects.select_related("parent").get(code=code)
    except Community.DoesNotExist:
        raise Http404 from None


def public_disclosures(*, community) -> QuerySet:
    from workflows.ledger.models import Disclosure

    return (Disclosure.objects.filter(community=community).select_related("community", "superseded_by")
            .order_by("-seq"))


def public_disclosure_get(*, pk, community=None):
    from workflows.ledger.models import Disclosure

    qs = Disclosure.objects.select_related("community", "supersedes", "superseded_by")
    if community is not None:
        qs = qs.filter(community=community)
    try:
        return qs.get(pk=pk)
    except (Disclosure.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def previous_hash_of(disclosure) -> str:
    """The hash column of the link before `disclosure` in its community's chain ("" for the first)."""
    from workflows.ledger.models import Disclosure

    return (Disclosure.objects.filter(community_id=disclosure.community_id, seq__lt=disclosure.seq)
            .order_by("-seq").values_list("hash", flat=True).first()) or ""


def public_line_months(*, community) -> list:
    """The months that have lines, newest first (the public ledger's month links)."""
    from django.db.models.functions import TruncMonth

    return list(LedgerLine.objects.filter(community=community).annotate(month=TruncMonth("date"))
                .order_by("-month").values_list("month", flat=True).distinct())


def public_lines(*, community, month) -> list[dict]:
    """The month's posted lines as the public sees them (date order), with approval routes."""
    from workflows.ledger.disclosures import _approvals, period_end, public_line

    lines = list(LedgerLine.objects.filter(community=community, date__gte=month, date__lt=period_end(month))
                 .order_by("date", "id"))
    approvals = _approvals([ln.source_id for ln in lines if ln.source_type == "expense"])
    return [public_line(ln, approvals) for ln in lines]


# --- supervision: which months are due and which are late ------------------------------------------


def disclosure_due_status(*, user, today=None) -> list[dict]:
    """Per community the user supervises: each month with lines whose disclosure is due, when
    it was due, and whether it is missing (`overdue`) or came late (`late`).

    The street dashboard reads this. A month is due from the DISCLOSURE_DUE_WORKING_DAY-th
    working day of the next month; a month without lines cannot be published, so it is never due.
    """
    from django.utils import timezone

    from workflows.ledger.disclosures import due_day
    from workflows.ledger.models import Disclosure

    today = today or timezone.localdate()
    communities = list(ledger_communities_for_user(user).order_by("id"))
    if not communities:
        return []
    months = {}
    for community_id, month in _months_with_lines([c.id for c in communities]):
        months.setdefault(community_id, []).append(month)
    first = {}
    for community_id, period, published_at in (Disclosure.objects.filter(community__in=communities)
                                               .order_by("seq").values_list("community_id", "period", "published_at")):
        first.setdefault((community_id, period), published_at)
    rows = []
    for community in communities:
        for month in sorted(months.get(community.id, [])):
            due = due_day(month)
            published = first.get((community.id, month))
            published_day = timezone.localtime(published).date() if published else None
            rows.append({
                "community": community, "period": f"{month:%Y-%m}", "due_day": due, "published_at": published,
                "overdue": published is None and today > due,
                "late": published_day is not None and published_day > due,
            })
    return rows


def communities_missing_disclosure(*, user, today=None) -> list:
    """The communities flagged on the dashboard: some month past its due day is not published."""
    flagged = {}
    for row in disclosure_due_status(user=user, today=today):
        if row["overdue"]:
            flagged.setdefault(row["community"].id, row["community"])
    return list(flagged.values())


def _months_with_lines(community_ids) -> list:
    from django.db.models.functions import TruncMonth

    return list(LedgerLine.objects.filter(community_id__in=community_ids).annotate(month=TruncMonth("date"))
                .order_by().values_list("community_id", "month").distinct())
