"""Every read of the partner area a user can reach, already scoped; the public ones show no
personal data (only the fields made for the public: `public_name`, service rows, dates)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from workflows.approvals.deadlines import LOCAL_TZ
from workflows.approvals.models import HistoryEntry
from workflows.org import calendar
from workflows.org.models import Community
from workflows.org.selectors import get_or_404, in_work_scope
from workflows.partners.models import Application, Call, Notice, Objection, Partner, Service
from workflows.partners.process import KIND, PARTNER_MEMBER
from workflows.partners.states import PartnerState


def applications_for_user(*, user) -> QuerySet[Application]:
    """The applicant sees their own; community work roles their community's; the street all."""
    return in_work_scope(Application.objects.select_related("community", "call"), user, own=Q(submitter=user))


def application_get_for_user(*, user, pk) -> Application:
    return get_or_404(applications_for_user(user=user), pk)


def application_history(application: Application) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(process_kind=KIND, process_id=application.pk)
                .select_related("actor").order_by("created_at", "id"))


def partners_for_user(*, user, community: Community | None = None) -> QuerySet[Partner]:
    qs = in_work_scope(Partner.objects.select_related("community", "agreement"), user, own=Q(user=user))
    if community is not None:
        qs = qs.filter(community=community)
    return qs


def partner_get_for_user(*, user, pk) -> Partner:
    return get_or_404(partners_for_user(user=user), pk)


def partner_history(partner: Partner) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(process_kind=PARTNER_MEMBER, process_id=partner.pk)
                .select_related("actor").order_by("created_at", "id"))


# --- public ----------------------------------------------------------------------------------


def community_by_code(code: str) -> Community:
    community = Community.objects.filter(code=code).first()
    if community is None:
        raise Http404
    return community


def public_calls(*, community: Community | None = None) -> QuerySet[Call]:
    qs = Call.objects.prefetch_related("communities").order_by("-opens_on", "-id")
    if community is not None:
        qs = qs.filter(communities=community)
    return qs


def public_notices(*, community: Community | None = None) -> QuerySet[Notice]:
    qs = Notice.objects.select_related("application", "community").order_by("-starts_on", "-id")
    if community is not None:
        qs = qs.filter(community=community)
    return qs


def public_notice(*, community: Community, application_id) -> Notice:
    try:
        return public_notices(community=community).get(application_id=int(application_id))
    except (Notice.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def public_objections(notice: Notice) -> list[Objection]:
    return list(Objection.objects.filter(application_id=notice.application_id).order_by("created_at", "id"))


def notice_days_left(notice: Notice, today: dt.date | None = None) -> int:
    """Working days left of a running notice (today counts as passed); the frozen count while
    its clock is suspended; 0 once it has ended."""
    if notice.outcome:
        return 0
    if notice.suspended:
        return notice.days_left or 0
    today = today or timezone.now().astimezone(LOCAL_TZ).date()
    days, day = 0, today
    while day < notice.ends_on:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            days += 1
    return days


def catalogue(*, community: Community | None = None, target: str = "", paid: str = "",
              category: str = "") -> QuerySet[Service]:
    """The public catalogue: listed services of active partners."""
    qs = Service.objects.filter(listed=True, partner__state=PartnerState.ACTIVE).select_related("partner", "community")
    if community is not None:
        qs = qs.filter(community=community)
    if target:
        qs = qs.filter(target=target)
    if paid in ("paid", "true", "1"):
        qs = qs.filter(paid=True)
    elif paid in ("free", "false", "0"):
        qs = qs.filter(paid=False)
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("category", "partner__public_name", "position", "id")
