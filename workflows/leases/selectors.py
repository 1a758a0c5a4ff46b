"""Every read of the lease area a user can reach, already scoped, and the reads other areas call.

The street supervision dashboard calls `leases_ending`, `arrears`, `charity_tally` and
`week_timetable` with community ids it has already scoped to its user; the public pages call
`week_timetable` and `charity_tally` (they carry no personal data: partners by their public name).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from workflows.approvals.deadlines import LOCAL_TZ
from workflows.approvals.models import HistoryEntry
from workflows.leases.models import (
    Lease,
    LeaseRequest,
    Occurrence,
    Remittance,
    RentCharge,
    RentPayment,
    RevenueReport,
)
from workflows.leases.process import KIND, LEASE_CONTRACT
from workflows.leases.states import LeaseState
from workflows.org import calendar
from workflows.org.models import Room
from workflows.org.selectors import get_or_404, in_work_scope, memberships_of

ZERO = Decimal("0.00")


def requests_for_user(*, user) -> QuerySet[LeaseRequest]:
    """The filer and the partner see their own; community work roles their community's; the street all."""
    qs = LeaseRequest.objects.select_related("community", "room", "partner", "guideline", "form_version")
    return in_work_scope(qs, user, own=Q(submitter=user) | Q(partner__user=user))


def request_get_for_user(*, user, pk) -> LeaseRequest:
    return get_or_404(requests_for_user(user=user), pk)


def leases_for_user(*, user, community=None) -> QuerySet[Lease]:
    qs = in_work_scope(Lease.objects.select_related("community", "room", "partner", "request"), user,
                       own=Q(partner__user=user))
    if community is not None:
        qs = qs.filter(community=community)
    return qs


def lease_get_for_user(*, user, pk) -> Lease:
    return get_or_404(leases_for_user(user=user), pk)


def report_get_for_user(*, user, pk) -> RevenueReport:
    leases = leases_for_user(user=user)
    return get_or_404(RevenueReport.objects.select_related("lease").filter(lease__in=leases), pk)


def rooms_for_user(*, user) -> QuerySet[Room]:
    """Rooms offered for lease that the user may see the calendar of: its community's work roles,
    the street, and partners of the community (who ask for its rooms)."""
    from workflows.org.roles import Role

    qs = Room.objects.filter(for_lease=True).select_related("community")
    if not user.is_authenticated:
        return qs.none()
    partner_of = {m.org_unit_id for m in memberships_of(user) if m.role == Role.PARTNER}
    return in_work_scope(qs, user, extra_communities=partner_of)


def room_get_for_user(*, user, pk) -> Room:
    return get_or_404(rooms_for_user(user=user), pk)


def request_history(request: LeaseRequest) -> list[HistoryEntry]:
    return list(HistoryEntry.objects.filter(process_kind=KIND, process_id=request.pk)
                .select_related("actor").order_by("created_at", "id"))


def lease_history(lease: Lease) -> list[HistoryEntry]:
    rows = HistoryEntry.objects.filter(Q(process_kind=LEASE_CONTRACT, process_id=lease.pk)
                                       | Q(process_kind=KIND, process_id=lease.request_id))
    return list(rows.select_related("actor").order_by("created_at", "id"))


def room_calendar(room: Room, start: dt.date, end: dt.date) -> list[dict]:
    """The room's occurrences with start..end (both included), in one query whatever the number
    of leases: {date, starts, ends, lease, partner, service, state}."""
    rows = (Occurrence.objects.filter(room=room, date__gte=start, date__lte=end)
            .order_by("starts_at")
            .values_list("date", "starts_at", "ends_at", "lease_id", "lease__contract_number", "request_id",
                         "request__partner__public_name", "request__service"))
    return [{"date": day, "starts": f"{s.astimezone(LOCAL_TZ):%H:%M}", "ends": f"{e.astimezone(LOCAL_TZ):%H:%M}",
             "starts_at": s, "ends_at": e, "lease": number, "lease_id": lease_id, "request": request_id,
             "partner": partner, "service": service, "state": "active" if lease_id else "held"}
            for day, s, e, lease_id, number, request_id, partner, service in rows]


def room_skipped(room: Room, start: dt.date, end: dt.date) -> list[dict]:
    """Dates the room's live requests and leases left out because of a conflict (kept on the
    lease and shown on the calendar)."""
    found = []
    rows = LeaseRequest.objects.filter(room=room, starts_on__lte=end, ends_on__gte=start).exclude(conflict_skips=[])
    for request_id, skips in rows.values_list("pk", "conflict_skips"):
        for item in skips:
            if start.isoformat() <= item["date"] <= end.isoformat():
                found.append({**item, "request": request_id})
    return sorted(found, key=lambda i: (i["date"], i["starts"]))


# --- for the street supervision dashboard and the public pages --------------------------------------


def leases_ending(community_ids, today: dt.date, days: int = 30) -> list[Lease]:
    """Active leases of these communities whose term ends within `days` days of `today` (today
    included), soonest first, with their room, partner and community loaded."""
    return list(Lease.objects.filter(community_id__in=list(community_ids), state=LeaseState.ACTIVE,
                                     ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=days))
                .select_related("room", "partner", "community").order_by("ends_on", "id"))


def _rent_left_per_lease(leases, today: dt.date) -> dict[int, Decimal]:
    """Rent of `leases` unpaid more than RENT_GRACE_WORKING_DAYS working days after its due day,
    per lease with any (rent paid ahead of its due day does not offset what is due)."""
    from workflows.leases.services import RENT_GRACE_WORKING_DAYS

    # Due on or before this day means more than the grace period late by today.
    overdue_by = calendar.add_working_days(today, -RENT_GRACE_WORKING_DAYS) - dt.timedelta(days=1)
    per_lease_due = dict(RentCharge.objects.filter(lease__in=leases, due_on__lte=overdue_by).values("lease_id")
                         .annotate(s=Sum("amount")).values_list("lease_id", "s"))
    per_lease_paid = dict(RentPayment.objects.filter(lease__in=leases).values("lease_id")
                          .annotate(s=Sum("amount")).values_list("lease_id", "s"))
    left = {lease_id: amount - per_lease_paid.get(lease_id, ZERO) for lease_id, amount in per_lease_due.items()}
    return {lease_id: amount for lease_id, amount in left.items() if amount > 0}


def leases_filtered(leases, *, community: str = "", ending: str = "", arrears: str = "", today: dt.date | None = None):
    """`leases` narrowed by the list's filters (the street dashboard links its figures here):
    `community` (code), `ending` (active, ending within that many days, 1–366), `arrears`
    (`rent`: rent more than the grace period late, as `arrears()` counts it; `charity`: a reported
    share not fully remitted). An unknown value is ignored, as on every list."""
    today = today or timezone.localdate()
    if community:
        leases = leases.filter(community__code=community)
    if ending.isdigit() and 0 < int(ending) <= 366:
        leases = leases.filter(state=LeaseState.ACTIVE, ends_on__gte=today,
                               ends_on__lte=today + dt.timedelta(days=int(ending)))
    if arrears == "rent":
        live = leases.filter(state=LeaseState.ACTIVE)
        leases = leases.filter(pk__in=list(_rent_left_per_lease(live, today)))
    elif arrears == "charity":
        remitted = Remittance.objects.filter(report=OuterRef("pk")).values("report").annotate(s=Sum("amount")).values("s")
        money = DecimalField(max_digits=12, decimal_places=2)
        owing = (RevenueReport.objects.annotate(paid=Coalesce(Subquery(remitted, output_field=money), Value(ZERO), output_field=money))
                 .filter(charity_due__gt=F("paid")).values("lease_id"))
        leases = leases.filter(pk__in=owing)
    return leases


def arrears(community_ids, today: dt.date) -> dict[int, dict[str, Decimal]]:
    """What partners of these communities are in arrears with on `today`, per community id:
    `{"rent": Decimal, "charity": Decimal}` — rent of active leases still unpaid more than
    RENT_GRACE_WORKING_DAYS (10) working days after its due day (the point at which staff are
    told), and charity shares reported and not yet remitted. Every community asked for is in the answer
    (zeros when nothing is owed). Five queries whatever the number of leases."""
    ids = list(community_ids)
    out = {pk: {"rent": ZERO, "charity": ZERO} for pk in ids}
    live = Lease.objects.filter(community_id__in=ids, state=LeaseState.ACTIVE)
    community_of = dict(live.values_list("pk", "community_id"))
    rent = defaultdict(lambda: ZERO)
    for lease_id, left in _rent_left_per_lease(live, today).items():
        rent[community_of[lease_id]] += left
    for pk in ids:
        out[pk]["rent"] = rent[pk].quantize(ZERO)
    charity_due = dict(RevenueReport.objects.filter(lease__community_id__in=ids).values("lease__community_id")
                       .annotate(s=Sum("charity_due")).values_list("lease__community_id", "s"))
    remitted = dict(Remittance.objects.filter(report__lease__community_id__in=ids)
                    .values("report__lease__community_id").annotate(s=Sum("amount"))
                    .values_list("report__lease__community_id", "s"))
    for pk in ids:
        out[pk]["charity"] = ((charity_due.get(pk) or ZERO) - (remitted.get(pk) or ZERO)).quantize(ZERO)
    return out


def charity_tally(community_ids, year: int | None = None) -> dict:
    """The charity share per partner and month for these communities (one year, or all):
    `{"rows": [{community, community_id, partner, partner_id, month, due, remitted, outstanding}],
    "totals": {due, remitted, outstanding}}`, by community, partner and month. Partners by their
    public name only: the public page shows this as it is."""
    reports = RevenueReport.objects.filter(lease__community_id__in=list(community_ids))
    if year is not None:
        reports = reports.filter(month__year=year)
    remitted = dict(Remittance.objects.filter(report__in=reports).values("report_id").annotate(s=Sum("amount"))
                    .values_list("report_id", "s"))
    cells: dict[tuple, dict] = {}
    for report in reports.select_related("lease__partner", "lease__community").order_by("month"):
        lease = report.lease
        key = (lease.community_id, lease.partner_id, report.month)
        cell = cells.setdefault(key, {"community": lease.community.code, "community_id": lease.community_id,
                                      "partner": lease.partner.public_name, "partner_id": lease.partner_id,
                                      "month": report.month.strftime("%Y-%m"), "due": ZERO, "remitted": ZERO})
        cell["due"] += report.charity_due
        cell["remitted"] += remitted.get(report.pk) or ZERO
    rows = sorted(cells.values(), key=lambda c: (c["community_id"], c["partner"], c["month"]))
    for row in rows:
        row["due"], row["remitted"] = row["due"].quantize(ZERO), row["remitted"].quantize(ZERO)
        row["outstanding"] = row["due"] - row["remitted"]
    totals = {k: sum((r[k] for r in rows), ZERO).quantize(ZERO) for k in ("due", "remitted", "outstanding")}
    return {"rows": rows, "totals": totals}


def charity_by_month(community_ids, year: int) -> dict[int, dict[int, dict[str, Decimal]]]:
    """The charity share due and remitted per community id and month (1–12) of `year`, every
    community and month present: two grouped queries over the month column itself (no per-row
    date function, no row loaded), for the dashboard's charts however many reports there are."""
    ids = list(community_ids)
    out = {pk: {m: {"due": ZERO, "remitted": ZERO} for m in range(1, 13)} for pk in ids}
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    due = (RevenueReport.objects.filter(lease__community_id__in=ids, month__gte=first, month__lte=last)
           .values_list("lease__community_id", "month").annotate(s=Sum("charity_due")).order_by())
    paid = (Remittance.objects.filter(report__lease__community_id__in=ids, report__month__gte=first,
                                      report__month__lte=last)
            .values_list("report__lease__community_id", "report__month").annotate(s=Sum("amount")).order_by())
    for key, rows in (("due", due), ("remitted", paid)):
        for community_id, month, amount in rows:
            out[community_id][month.month][key] += amount or ZERO
    return out


def revenue_reported(community_ids, year: int) -> dict[int, Decimal]:
    """The partners' revenue reported for months of `year`, per community id (zeros included).
    One query."""
    ids = list(community_ids)
    found = dict(RevenueReport.objects.filter(lease__community_id__in=ids, month__year=year)
                 .values("lease__community_id").annotate(s=Sum("revenue")).values_list("lease__community_id", "s"))
    return {pk: (found.get(pk) or ZERO).quantize(ZERO) for pk in ids}


def week_timetable(community_id: int, week_start: dt.date) -> list[dict]:
    """What is on at a community's centre in the week from `week_start` (7 days): one entry per
    day, `{"date", "holiday", "items": [{room, room_id, starts, ends, partner, service}]}`, items
    by time. Active leases only (a hold under review is not announced); partners by public name.
    One query for the occurrences."""
    end = week_start + dt.timedelta(days=6)
    rows = (Occurrence.objects.filter(room__community_id=community_id, date__gte=week_start, date__lte=end,
                                      lease__isnull=False, lease__state=LeaseState.ACTIVE)
            .order_by("starts_at", "room__name")
            .values_list("date", "starts_at", "ends_at", "room_id", "room__name", "lease__partner__public_name",
                         "lease__service"))
    holidays = calendar.statutory_holidays(week_start, end)
    days = {week_start + dt.timedelta(days=i): [] for i in range(7)}
    for day, s, e, room_id, room, partner, service in rows:
        days[day].append({"room": room, "room_id": room_id, "starts": f"{s.astimezone(LOCAL_TZ):%H:%M}",
                          "ends": f"{e.astimezone(LOCAL_TZ):%H:%M}", "partner": partner, "service": service})
    return [{"date": day, "holiday": day in holidays, "items": items} for day, items in days.items()]


def next_rent_due(lease: Lease) -> dict | None:
    """The first month whose rent is not covered by the payments: {month, due_on, amount}."""
    paid = RentPayment.objects.filter(lease=lease).aggregate(s=Sum("amount"))["s"] or ZERO
    running = ZERO
    for charge in RentCharge.objects.filter(lease=lease).order_by("month"):
        running += charge.amount
        if running > paid:
            return {"month": charge.month.strftime("%Y-%m"), "due_on": charge.due_on,
                    "amount": str(min(running - paid, charge.amount).quantize(ZERO))}
    return None
