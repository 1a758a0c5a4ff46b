"""Reads of the monthly reports, scoped: street roles read their street's reports (the street's
own and every community's); a community's work roles read their community's; anyone else 404."""

from django.db.models import Q, QuerySet
from django.http import Http404

from project.params import parse_id
from workflows.org.selectors import is_system_admin, street_ids_for_user
from workflows.supervision import scope
from workflows.supervision.models import MonthlyReport


def reports_for_user(*, user) -> QuerySet[MonthlyReport]:
    communities = scope.supervised_communities(user)
    if not communities:
        return MonthlyReport.objects.none()
    qs = MonthlyReport.objects.select_related("street", "community")
    if is_system_admin(user):
        return qs
    streets = street_ids_for_user(user)
    # A community's work roles read their community's reports, not the street's own.
    own = [c.pk for c in communities if c.parent_id not in streets]
    return qs.filter(Q(street_id__in=streets) | Q(community_id__in=own))


def report_get_for_user(*, user, pk) -> MonthlyReport:
    pk = parse_id(pk)
    if pk is None:
        raise Http404
    found = reports_for_user(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
