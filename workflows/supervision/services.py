"""Writes of the supervision area: the monthly reports (frozen), and the timer's sweep.

`reports_generate(period=)` writes every community's report and the street's for a month, once
(a second run finds them and writes nothing). `supervision_sweep(now)` runs on every loop of
`run_timers`: on or after the first working day of a month it writes the month before's reports
if they are missing, and it tells open dashboards about tasks that became overdue since the
previous sweep.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from workflows.approvals.models import RouteTask
from workflows.org import calendar
from workflows.org.models import Community, Street
from workflows.supervision import live, reports, selectors
from workflows.supervision.models import MonthlyReport


def first_working_day(month: dt.date) -> dt.date:
    return calendar.add_working_days(month.replace(day=1) - dt.timedelta(days=1), 1)


def reports_generate(*, period: dt.date, now=None) -> list[MonthlyReport]:
    """The month's reports of every street (one per community and one for the street). Returns
    those written now; existing ones are kept as they are (frozen)."""
    now = now or timezone.now()
    period = period.replace(day=1)
    written = []
    for street in Street.objects.order_by("id"):
        communities = list(Community.objects.filter(parent=street).order_by("id"))
        if not communities:
            continue
        existing = set(MonthlyReport.objects.filter(street=street, period=period)
                       .values_list("community_id", flat=True))
        wanted = [c for c in communities if c.pk not in existing]
        if not wanted and None in existing:
            continue
        built = reports.build(communities, period=period, now=now)
        with transaction.atomic():
            for community in wanted:
                written += _write(street, community, period, reports.for_community(built, community.pk), now)
            if None not in existing:
                written += _write(street, None, period, built, now)
    return written


def _write(street, community, period, data, now) -> list[MonthlyReport]:
    text = reports.canonical_json(reports.plain({**data, "street_name": street.name,
                                                 "community_name": community.name if community else None}))
    try:
        with transaction.atomic():
            report = MonthlyReport.objects.create(street=street, community=community, period=period, snapshot=text,
                                                  hash=reports.sha256(text), generated_at=now)
    except IntegrityError:  # another loop wrote it a moment ago: theirs stands
        return []
    return [report]


_last_overdue_check: dt.datetime | None = None


def _announce_newly_overdue(now: dt.datetime, *, since: dt.datetime) -> int:
    """Tasks whose deadline passed in (since, now]: their dashboards re-read the counters."""
    pairs = set()
    for kind in selectors._kinds_with_community():
        community = kind.model.objects.filter(pk=OuterRef("process_id")).values("community_id")[:1]
        street = kind.model.objects.filter(pk=OuterRef("process_id")).values("community__parent_id")[:1]
        pairs.update(RouteTask.objects.filter(process_kind=kind.kind, closed_at__isnull=True, due_at__gt=since,
                                              due_at__lte=now)
                     .annotate(cid=Subquery(community), sid=Subquery(street)).values_list("cid", "sid"))
    for community_id, street_id in pairs:
        live.announce(community_id=community_id, street_id=street_id)
    return len(pairs)


def supervision_sweep(*, now=None, interval_seconds: int = 30) -> dict[str, int]:
    global _last_overdue_check
    now = now or timezone.now()
    since = _last_overdue_check or (now - dt.timedelta(seconds=2 * interval_seconds))
    counts = {"overdue_announced": _announce_newly_overdue(now, since=since)}
    _last_overdue_check = now
    today = selectors.local_today(now)
    this_month = today.replace(day=1)
    counts["reports"] = 0
    if today >= first_working_day(this_month):
        counts["reports"] = len(reports_generate(period=selectors.previous_month(today), now=now))
    return counts
