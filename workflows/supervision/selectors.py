"""Every figure of the street dashboard, the public page and the monthly reports.

Each figure is one aggregate query over all the communities asked for (GROUP BY community), or
one query per registered process kind for the task figures: the number of queries depends on
neither the number of communities nor the number of rows. `figures()` answers for a list of
communities the caller already scoped (`scope.py`); the public page asks for one community and
reads only what is public.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals import registry
from workflows.approvals.deadlines import LOCAL_TZ
from workflows.approvals.models import RouteTask
from workflows.inquiries import selectors as inquiry_selectors
from workflows.inquiries.models import Inquiry, InquiryState
from workflows.ledger.categories import LineKind
from workflows.ledger.disclosures import due_day
from workflows.ledger.models import Disclosure, LedgerLine
from workflows.org.models import OrgUnit
from workflows.org.roles import Role
from workflows.partners.models import Notice, Objection, Partner, Service
from workflows.partners.states import PartnerState
from workflows.supervision import providers

ZERO = Decimal("0.00")
# The seed's expectation for the street (DESIGN.md §6): 29 partners, about ¥72,000 in the year.
EXPECTED_PARTNERS = 29
EXPECTED_REVENUE = Decimal("72000.00")
LEASES_ENDING_DAYS = 30
MONTHS = tuple(range(1, 13))


def local_today(now=None) -> dt.date:
    return (now or timezone.now()).astimezone(LOCAL_TZ).date()


def previous_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


# --- tasks ------------------------------------------------------------------------------------------


def _kinds_with_community() -> list[registry.ProcessKind]:
    """Process kinds whose object names its community in a `community` field (every process of
    the product); a kind without one is left out rather than guessed."""
    found = []
    for kind in registry.all_kinds():
        try:
            kind.model._meta.get_field("community")
        except Exception:
            continue
        found.append(kind)
    return found


def _object_path(kind) -> str:
    """How a viewflow Process reaches the kind's object (the reverse of its `process` link)."""
    return kind.model._meta.get_field("process").related_query_name()


def _person_steps(kind) -> set[str]:
    """Steps held by people: a waiting period (公示) is no one's task."""
    return {s.code for s in kind.steps if not s.wait}


def open_tasks(community_ids, now) -> dict[int, dict]:
    """Per community: open tasks by kind and step with the oldest waiting, in one query per kind."""
    found = {cid: {"open": 0, "oldest": None, "kinds": []} for cid in community_ids}
    for kind in _kinds_with_community():
        steps = _person_steps(kind)
        community = f"process__{_object_path(kind)}__community_id"
        # Grouped by the flow node (a plain column), not by the step inside the task's JSON: each
        # ApprovalStep node names its step, and a JSON path in GROUP BY is backend-dependent.
        rows = (Task.objects.filter(status=STATUS.NEW, process__flow_class=kind.flow_class,
                                    **{f"{community}__in": community_ids})
                .annotate(community_id=F(community))
                .values("community_id", "flow_task")
                .annotate(n=Count("pk"), oldest=Min("created"))
                .order_by("community_id"))
        merged: dict[tuple[int, str], dict] = {}
        for row in rows:
            step = getattr(row["flow_task"], "step", None)
            if step not in steps:
                continue
            entry = merged.setdefault((row["community_id"], step), {"step": step, "label": kind.step_label(step),
                                                                    "count": 0, "oldest": row["oldest"]})
            entry["count"] += row["n"]
            entry["oldest"] = min(entry["oldest"], row["oldest"])
        per: dict[int, list] = defaultdict(list)
        for (cid, _step), entry in sorted(merged.items(), key=lambda item: (item[0][0], item[0][1])):
            per[cid].append(entry)
        for cid, step_rows in per.items():
            entry = found[cid]
            count = sum(r["count"] for r in step_rows)
            oldest = min(r["oldest"] for r in step_rows)
            entry["kinds"].append({"kind": kind.kind, "label": str(kind.label), "count": count, "steps": step_rows})
            entry["open"] += count
            if entry["oldest"] is None or oldest < entry["oldest"]:
                entry["oldest"] = oldest
    for entry in found.values():
        entry["oldest_days"] = (now - entry["oldest"]).days if entry["oldest"] else None
    return found


def _queue_label(role: str, unit_name: str) -> str:
    try:
        role_label = str(Role(role).label)
    except ValueError:
        role_label = role
    return f"{unit_name} · {role_label}" if unit_name else role_label


OVERDUE_SHOWN = 20


def overdue_tasks(community_ids, now, *, limit: int | None = OVERDUE_SHOWN) -> tuple[dict[int, int], dict[int, list[dict]]]:
    """Per community: how many open tasks are past their deadline, and the first `limit` of them
    (oldest deadline first) with who holds them.

    Per kind one query numbers the overdue rows per community (a window: the count and the first
    `limit` come back together) and one loads their objects; one query loads the viewflow tasks
    and their owners. Each is a subquery filter, never a list of ids, so the count of queries is
    the same with no overdue task at all and with thousands; only the rows shown are loaded."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    counts: dict[int, int] = dict.fromkeys(community_ids, 0)
    found: dict[int, list[dict]] = {cid: [] for cid in community_ids}
    entries, objects, shown = [], {}, []
    overdue = RouteTask.objects.filter(closed_at__isnull=True, due_at__lt=now)
    for kind in _kinds_with_community():
        community = Subquery(kind.model.objects.filter(pk=OuterRef("process_id")).values("community_id")[:1])
        unit = OrgUnit.objects.filter(pk=OuterRef("org_unit_id")).values("name")[:1]
        ranked = (overdue.filter(process_kind=kind.kind, step__in=_person_steps(kind))
                  .annotate(community_id=community)
                  .filter(community_id__in=community_ids)
                  .annotate(rank=Window(RowNumber(), partition_by=[F("community_id")], order_by=[F("due_at").asc(), F("task_id").asc()]),
                            total=Window(Count("pk"), partition_by=[F("community_id")])))
        if limit is not None:
            ranked = ranked.filter(rank__lte=limit)
        rows = list(ranked.annotate(unit_name=Subquery(unit)).order_by("due_at", "task_id"))
        for cid, total in {row.community_id: row.total for row in rows}.items():
            counts[cid] += total
        entries.extend((kind, row) for row in rows)
        ids = ranked.values("process_id")
        shown.append(ranked.values("task_id"))
        objects[kind.kind] = {obj.pk: obj for obj in kind.model.objects.select_related(*kind.select_related)
                              .filter(pk__in=ids)}
    in_shown = Q()
    for subquery in shown:
        in_shown |= Q(pk__in=subquery)
    tasks = {t.pk: t for t in Task.objects.filter(in_shown, status=STATUS.NEW).select_related("owner")} if shown else {}
    for kind, entry in sorted(entries, key=lambda pair: (pair[1].due_at, pair[1].task_id)):
        task = tasks.get(entry.task_id)
        obj = objects[kind.kind].get(entry.process_id)
        if task is None or obj is None:
            continue
        if task.owner_id:
            holder = {"kind": "person", "name": str(task.owner)}
        else:
            holder = {"kind": "queue", "name": _queue_label(entry.role, entry.unit_name or "")}
        found[entry.community_id].append({
            "task_id": entry.task_id, "kind": kind.kind, "kind_label": str(kind.label), "step": entry.step,
            "step_label": kind.step_label(entry.step), "title": kind.title(obj), "url": kind.url(obj),
            "due_at": entry.due_at, "days_over": (now - entry.due_at).days, "holder": holder,
        })
    if limit is not None:
        found = {cid: rows[:limit] for cid, rows in found.items()}
    return counts, found


# --- public notices (公示) ---------------------------------------------------------------------------


def notices(community_ids) -> dict[int, dict]:
    running = dict(Notice.objects.filter(community_id__in=community_ids, outcome=Notice.Outcome.RUNNING)
                   .values("community_id").annotate(n=Count("pk")).values_list("community_id", "n"))
    objections = dict(Objection.objects.filter(state=Objection.State.OPEN, application__community_id__in=community_ids,
                                               application__notice__outcome=Notice.Outcome.RUNNING)
                      .values("application__community_id").annotate(n=Count("pk"))
                      .values_list("application__community_id", "n"))
    return {cid: {"in_progress": running.get(cid, 0), "open_objections": objections.get(cid, 0)} for cid in community_ids}


# --- inquiries ------------------------------------------------------------------------------------


def _rate(on_time: int, late: int) -> float | None:
    measured = on_time + late
    return round(on_time / measured, 4) if measured else None


def inquiries(community_ids, now, *, year: int) -> dict[int, dict]:
    """Open, overdue, escalated now; answered on time / late among those filed in `year`
    (an inquiry still open past its deadline counts as late)."""
    timely = inquiry_selectors.timeliness(now)
    in_year = Q(filed_at__year=year)
    rows = (Inquiry.objects.filter(community_id__in=community_ids).exclude(state=InquiryState.DRAFT)
            .annotate(timely=timely).values("community_id")
            .annotate(open=Count("pk", filter=Q(state__in=inquiry_selectors.OPEN_STATES)),
                      overdue=Count("pk", filter=inquiry_selectors.overdue_q(now)),
                      escalated=Count("pk", filter=Q(state=InquiryState.ESCALATED)),
                      on_time=Count("pk", filter=in_year & Q(timely=inquiry_selectors.ON_TIME)),
                      late=Count("pk", filter=in_year & Q(timely=inquiry_selectors.LATE)),
                      pending=Count("pk", filter=in_year & Q(timely=inquiry_selectors.PENDING)))
            .order_by("community_id"))
    found = {cid: {"open": 0, "overdue": 0, "escalated": 0, "on_time": 0, "late": 0, "pending": 0, "on_time_rate": None}
             for cid in community_ids}
    for row in rows:
        entry = found[row["community_id"]]
        entry.update({k: row[k] for k in ("open", "overdue", "escalated", "on_time", "late", "pending")})
        entry["on_time_rate"] = _rate(row["on_time"], row["late"])
    return found


def _month_starts(year: int) -> list[dt.date]:
    return [dt.date(year, m, 1) for m in MONTHS] + [dt.date(year + 1, 1, 1)]


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def inquiries_by_month(community_ids, now, *, year: int) -> dict[int, dict[int, dict]]:
    """Per community, per month of filing (Beijing time): answered on time and late. One query:
    a count per month and outcome over plain range comparisons (no date function per row)."""
    starts = [_local_midnight(day) for day in _month_starts(year)]
    aggregates = {}
    for m in MONTHS:
        in_month = Q(filed_at__gte=starts[m - 1], filed_at__lt=starts[m])
        aggregates[f"on_time_{m}"] = Count("pk", filter=in_month & Q(timely=inquiry_selectors.ON_TIME))
        aggregates[f"late_{m}"] = Count("pk", filter=in_month & Q(timely=inquiry_selectors.LATE))
    rows = (Inquiry.objects.filter(community_id__in=community_ids, filed_at__gte=starts[0], filed_at__lt=starts[-1])
            .exclude(state=InquiryState.DRAFT).annotate(timely=inquiry_selectors.timeliness(now))
            .values("community_id").annotate(**aggregates).order_by("community_id"))
    found = {cid: {m: {"on_time": 0, "late": 0} for m in MONTHS} for cid in community_ids}
    for row in rows:
        found[row["community_id"]] = {m: {"on_time": row[f"on_time_{m}"], "late": row[f"late_{m}"]} for m in MONTHS}
    return found


# --- the books ----------------------------------------------------------------------------------------


def books_by_month(community_ids, *, year: int) -> dict[int, dict[int, dict[str, Decimal]]]:
    """Per community, per month: income and expense on their own lines (reversals included as
    the negative lines they are), never netted. One query: a sum per month and line over plain
    date ranges (no date function per row)."""
    starts = _month_starts(year)
    aggregates = {}
    for m in MONTHS:
        in_month = Q(date__gte=starts[m - 1], date__lt=starts[m])
        aggregates[f"income_{m}"] = Sum("amount", filter=in_month & Q(line=LineKind.INCOME))
        aggregates[f"expense_{m}"] = Sum("amount", filter=in_month & Q(line=LineKind.EXPENSE))
    rows = (LedgerLine.objects.filter(community_id__in=community_ids, date__gte=starts[0], date__lt=starts[-1])
            .values("community_id").annotate(**aggregates).order_by("community_id"))
    found = {cid: {m: {"income": ZERO, "expense": ZERO} for m in MONTHS} for cid in community_ids}
    for row in rows:
        found[row["community_id"]] = {m: {"income": row[f"income_{m}"] or ZERO, "expense": row[f"expense_{m}"] or ZERO}
                                      for m in MONTHS}
    return found


def books_to_date(by_month: dict[int, dict[str, Decimal]], *, until_month: int) -> dict[str, Decimal]:
    return {key: sum((by_month[m][key] for m in MONTHS if m <= until_month), ZERO) for key in ("income", "expense")}


def disclosure_status(community_ids, *, period: dt.date, today: dt.date) -> dict[int, dict]:
    """Was `period`'s disclosure published by its due day? Two queries.

    `on_time`: True (published by the due day), False (published late, or missing past the due
    day), None (not due yet, or the month has no lines, so there is nothing to publish)."""
    end = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    with_lines = set(LedgerLine.objects.filter(community_id__in=community_ids, date__gte=period, date__lt=end)
                     .values_list("community_id", flat=True).distinct())
    first = dict(Disclosure.objects.filter(community_id__in=community_ids, period=period)
                 .values("community_id").annotate(first=Min("published_at")).values_list("community_id", "first"))
    due = due_day(period)
    found = {}
    for cid in community_ids:
        published = first.get(cid)
        published_day = published.astimezone(LOCAL_TZ).date() if published else None
        if published_day is not None:
            status, on_time = ("on_time", True) if published_day <= due else ("late", False)
        elif cid not in with_lines:
            status, on_time = "nothing_to_publish", None
        elif today > due:
            status, on_time = "missing", False
        else:
            status, on_time = "not_due", None
        found[cid] = {"last_period": f"{period:%Y-%m}", "due_day": due, "published_at": published,
                      "status": status, "on_time": on_time}
    return found


# --- partners ------------------------------------------------------------------------------------


def partners(community_ids) -> dict[int, dict]:
    active = dict(Partner.objects.filter(community_id__in=community_ids, state=PartnerState.ACTIVE)
                  .values("community_id").annotate(n=Count("pk")).values_list("community_id", "n"))
    services = {row["community_id"]: row for row in
                Service.objects.filter(community_id__in=community_ids, listed=True, partner__state=PartnerState.ACTIVE)
                .values("community_id").annotate(n=Count("pk"), expected=Sum("expected_revenue")).order_by()}
    return {cid: {"partners": active.get(cid, 0), "services": services.get(cid, {}).get("n", 0),
                  "revenue_expected": services.get(cid, {}).get("expected") or ZERO} for cid in community_ids}


# --- everything, per community and for the street ----------------------------------------------------


def _money_sum(values) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


def figures(communities, *, now=None, overdue_limit: int | None = OVERDUE_SHOWN) -> dict:
    """The dashboard: a section per community (in the order given) and the street's totals.

    Lease figures (leases ending, arrears, charity, revenue reported) come from a registered
    provider (`providers.py`); without one they are None and the pages say they are not tracked."""
    now = now or timezone.now()
    today = local_today(now)
    year = today.year
    ids = [c.pk for c in communities]
    tasks = open_tasks(ids, now)
    overdue_counts, overdue = overdue_tasks(ids, now, limit=overdue_limit)
    notice = notices(ids)
    inquiry = inquiries(ids, now, year=year)
    inquiry_months = inquiries_by_month(ids, now, year=year)
    books = books_by_month(ids, year=year)
    disclosure = disclosure_status(ids, period=previous_month(today), today=today)
    partner = partners(ids)
    ending = providers.leases_ending(ids, today, LEASES_ENDING_DAYS)
    arrears = providers.arrears(ids, today)
    charity = providers.charity_by_month(ids, year)
    revenue = providers.revenue_reported(ids, year)

    rows = []
    for c in communities:
        overdue_rows = overdue[c.pk]
        rows.append({
            "id": c.pk, "code": c.code, "name": c.name,
            "tasks": {**tasks[c.pk], "overdue": overdue_counts[c.pk]},
            "overdue": overdue_rows,
            "notices": notice[c.pk],
            "inquiries": inquiry[c.pk],
            "inquiries_by_month": inquiry_months[c.pk],
            "leases_ending": None if ending is None else ending.get(c.pk, []),
            "arrears": None if arrears is None else arrears.get(c.pk, {"rent": ZERO, "charity": ZERO}),
            "charity_by_month": None if charity is None else charity.get(c.pk),
            "disclosure": disclosure[c.pk],
            "books": books_to_date(books[c.pk], until_month=today.month),
            "books_by_month": books[c.pk],
            "partners": partner[c.pk]["partners"],
            "services": partner[c.pk]["services"],
            "revenue_expected": partner[c.pk]["revenue_expected"],
            "revenue_reported": None if revenue is None else revenue.get(c.pk, ZERO),
        })
    return {"now": now, "today": today, "year": year, "communities": rows, "street": street_totals(rows),
            "expected": {"partners": EXPECTED_PARTNERS, "revenue": EXPECTED_REVENUE},
            "leases_tracked": ending is not None or arrears is not None}


def street_totals(rows: list[dict]) -> dict:
    """The street's column: sums of the communities shown (a community user's 'street' is just
    their own community). The on-time rate is recomputed from the counts, not averaged."""
    def total(path):
        return sum(path(r) for r in rows)

    on_time = total(lambda r: r["inquiries"]["on_time"])
    late = total(lambda r: r["inquiries"]["late"])
    lease_rows = [r for r in rows if r["leases_ending"] is not None]
    arrears_rows = [r for r in rows if r["arrears"] is not None]
    revenue_rows = [r for r in rows if r["revenue_reported"] is not None]
    months = {m: {"income": _money_sum(r["books_by_month"][m]["income"] for r in rows),
                  "expense": _money_sum(r["books_by_month"][m]["expense"] for r in rows)} for m in MONTHS}
    inquiry_months = {m: {"on_time": total(lambda r, m=m: r["inquiries_by_month"][m]["on_time"]),
                          "late": total(lambda r, m=m: r["inquiries_by_month"][m]["late"])} for m in MONTHS}
    charity_rows = [r for r in rows if r["charity_by_month"] is not None]
    charity = ({m: {"due": _money_sum(r["charity_by_month"][m]["due"] for r in charity_rows),
                    "remitted": _money_sum(r["charity_by_month"][m]["remitted"] for r in charity_rows)} for m in MONTHS}
               if charity_rows else None)
    return {
        "tasks": {"open": total(lambda r: r["tasks"]["open"]), "overdue": total(lambda r: r["tasks"]["overdue"])},
        "notices": {"in_progress": total(lambda r: r["notices"]["in_progress"]),
                    "open_objections": total(lambda r: r["notices"]["open_objections"])},
        "inquiries": {"open": total(lambda r: r["inquiries"]["open"]), "overdue": total(lambda r: r["inquiries"]["overdue"]),
                      "escalated": total(lambda r: r["inquiries"]["escalated"]), "on_time": on_time, "late": late,
                      "pending": total(lambda r: r["inquiries"]["pending"]), "on_time_rate": _rate(on_time, late)},
        "leases_ending": None if not lease_rows else sum(len(r["leases_ending"]) for r in lease_rows),
        "arrears": None if not arrears_rows else {
            "rent": _money_sum(r["arrears"]["rent"] for r in arrears_rows),
            "charity": _money_sum(r["arrears"]["charity"] for r in arrears_rows)},
        "disclosure": {"on_time": sum(1 for r in rows if r["disclosure"]["on_time"] is True),
                       "missed": sum(1 for r in rows if r["disclosure"]["on_time"] is False)},
        "books": {"income": _money_sum(r["books"]["income"] for r in rows),
                  "expense": _money_sum(r["books"]["expense"] for r in rows)},
        "books_by_month": months,
        "inquiries_by_month": inquiry_months,
        "charity_by_month": charity,
        "partners": total(lambda r: r["partners"]),
        "services": total(lambda r: r["services"]),
        "revenue_expected": _money_sum(r["revenue_expected"] for r in rows),
        "revenue_reported": None if not revenue_rows else _money_sum(r["revenue_reported"] for r in revenue_rows),
    }


# --- the list behind the task figures ---------------------------------------------------------------


def task_rows(communities, *, now, community_id=None, kind=None, step=None, overdue=False, limit=500) -> list[dict]:
    """Open tasks of the supervised communities, everyone's (not only the reader's), oldest
    first, with who holds them: the list behind the dashboard's task figures. One query per kind
    for the tasks, then one for their deadlines and queues, one for the units, one for owners."""
    ids = [c.pk for c in communities if community_id is None or c.pk == community_id]
    names = {c.pk: c.name for c in communities}
    rows = []
    for declared in _kinds_with_community():
        if kind and declared.kind != kind:
            continue
        steps = _person_steps(declared)
        if step:
            steps &= {step}
        nodes = [node for node in declared.flow_class.instance.nodes() if getattr(node, "step", None) in steps]
        tasks = (Task.objects.filter(status=STATUS.NEW, process__flow_class=declared.flow_class, flow_task__in=nodes)
                 .filter(**{f"process__{_object_path(declared)}__community_id__in": ids})
                 .select_related("owner").order_by("created", "id")[:limit])
        tasks = list(tasks)
        if not tasks:
            continue
        objects = declared.objects_for_processes([t.process_id for t in tasks])
        rows.extend({"kind": declared, "task": t, "object": objects.get(t.process_id)} for t in tasks)
    entries = RouteTask.objects.in_bulk([r["task"].pk for r in rows]) if rows else {}
    units = dict(OrgUnit.objects.filter(pk__in={e.org_unit_id for e in entries.values()}).values_list("pk", "name")) \
        if entries else {}
    found = []
    for row in rows:
        obj, task, declared = row["object"], row["task"], row["kind"]
        if obj is None:
            continue
        entry = entries.get(task.pk)
        due_at = entry.due_at if entry else None
        is_overdue = due_at is not None and due_at < now
        if overdue and not is_overdue:
            continue
        if task.owner_id:
            holder = str(task.owner)
        elif entry is not None:
            holder = _queue_label(entry.role, units.get(entry.org_unit_id, ""))
        else:
            holder = ""
        found.append({"kind_label": str(declared.label), "step_label": declared.step_label(task.flow_task.step),
                      "title": declared.title(obj), "url": declared.url(obj), "created": task.created,
                      "due_at": due_at, "overdue": is_overdue, "holder": holder,
                      "community": names.get(obj.community_id, "")})
    found.sort(key=lambda r: r["created"])
    return found[:limit]



# --- the community's public face ------------------------------------------------------------------


def public_summary(community, *, now=None, answers: int = 10) -> dict:
    """What `/public/<code>/` and `GET /api/public/summary/` show: public figures only (no
    names of residents, no tasks, no holders). A fixed number of queries."""
    from workflows.org.models import OpeningHours
    from workflows.partners.selectors import catalogue

    now = now or timezone.now()
    today = local_today(now)
    year = today.year
    ids = [community.pk]
    books = books_by_month(ids, year=year)[community.pk]
    inquiry = inquiries(ids, now, year=year)[community.pk]
    latest = (Disclosure.objects.filter(community=community).order_by("-seq")
              .only("id", "period", "hash", "previous_hash", "income_total", "expense_total", "line_count",
                    "published_at").first())
    services = list(catalogue(community=community)[:500])
    by_partner: dict[int, dict] = {}
    for service in services:
        entry = by_partner.setdefault(service.partner_id, {"name": service.partner.public_name, "services": []})
        entry["services"].append(service)
    published = list(Inquiry.objects.filter(community=community, published=True)
                     .order_by("-published_at", "-id")[:answers]
                     .values("id", "published_question", "published_answer", "outcome", "published_at"))
    week_start = today - dt.timedelta(days=today.weekday())
    hours = list(OpeningHours.objects.filter(room__community=community).select_related("room")
                 .order_by("weekday", "opens", "room__name"))
    charity = providers.charity_by_month(ids, year)
    slots = providers.week_timetable(community.pk, week_start)
    return {
        "community": community, "today": today, "year": year, "month": today.month,
        "books_by_month": books, "books_month": books[today.month],
        "books_year": books_to_date(books, until_month=today.month),
        "disclosure": latest,
        "partners": list(by_partner.values()), "services_count": len(services),
        "inquiries": {"on_time": inquiry["on_time"], "late": inquiry["late"], "pending": inquiry["pending"],
                      "on_time_rate": inquiry["on_time_rate"]},
        "answers": published,
        "week_start": week_start,
        "opening_hours": hours,
        "timetable": slots,
        "charity_by_month": None if charity is None else charity.get(community.pk),
    }
