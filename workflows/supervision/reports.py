"""What a monthly report holds, built from the figures at the moment it is generated.

The snapshot is plain JSON (money as strings with two decimals, times ISO 8601), so the page and
the workbook read the frozen text back and never recompute: a report says what was true then.
"""

import datetime as dt
import hashlib
import json
import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from viewflow.workflow.models import Task

from workflows.approvals import actions
from workflows.approvals.deadlines import LOCAL_TZ
from workflows.approvals.models import HistoryEntry
from workflows.inquiries import selectors as inquiry_selectors
from workflows.inquiries.models import Inquiry, InquiryState
from workflows.ledger.disclosures import period_end
from workflows.supervision import selectors

SCHEMA = 1


def canonical_json(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plain(value):
    """JSON-safe: Decimal → "0.00", dates and times → ISO text, tuples → lists."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return plain(vars(value))
    return value


def _month_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period, dt.time.min, tzinfo=LOCAL_TZ)
    end = dt.datetime.combine(period_end(period) + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ)
    return start, end


def approvals(community_ids, period: dt.date) -> dict[int, list[dict]]:
    """Per community: the month's decisions by process kind (the tier) and step, with how many
    and the median hours from the task's creation to its decision. One query per kind."""
    start, end = _month_bounds(period)
    decisions = actions.decision_codes()
    found: dict[int, list[dict]] = {cid: [] for cid in community_ids}
    for kind in selectors._kinds_with_community():
        community = kind.model.objects.filter(pk=OuterRef("process_id")).values("community_id")[:1]
        created = Task.objects.filter(pk=OuterRef("task_id")).values("created")[:1]
        rows = (HistoryEntry.objects.filter(process_kind=kind.kind, created_at__gte=start, created_at__lt=end,
                                            action__in=decisions, task_id__isnull=False)
                .exclude(step="")
                .annotate(community_id=Subquery(community), task_created=Subquery(created))
                .filter(community_id__in=community_ids)
                .values_list("community_id", "step", "action", "created_at", "task_created"))
        groups: dict[tuple[int, str], dict] = {}
        for cid, step, action, decided_at, task_created in rows:
            group = groups.setdefault((cid, step), {"count": 0, "actions": defaultdict(int), "hours": []})
            group["count"] += 1
            group["actions"][action] += 1
            if task_created is not None:
                group["hours"].append((decided_at - task_created).total_seconds() / 3600)
        for (cid, step), group in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
            found[cid].append({
                "kind": kind.kind, "kind_label": str(kind.label), "step": step, "step_label": kind.step_label(step),
                "count": group["count"],
                "actions": {code: n for code, n in sorted(group["actions"].items())},
                "median_hours": round(statistics.median(group["hours"]), 1) if group["hours"] else None,
            })
    return found


def month_inquiries(community_ids, period: dt.date, now) -> dict[int, list[dict]]:
    """Per community: the inquiries filed in the month with their outcome (no personal data:
    numbers, states and dates; a question only as its published, masked text)."""
    start, end = _month_bounds(period)
    states = dict(InquiryState.choices)
    found: dict[int, list[dict]] = {cid: [] for cid in community_ids}
    rows = (Inquiry.objects.filter(community_id__in=community_ids, filed_at__gte=start, filed_at__lt=end)
            .exclude(state=InquiryState.DRAFT).annotate(timely=inquiry_selectors.timeliness(now))
            .order_by("filed_at", "id")
            .values("id", "community_id", "state", "outcome", "filed_at", "due_at", "answered_at", "timely",
                    "published", "published_question"))
    from workflows.inquiries.models import Outcome

    outcomes = dict(Outcome.choices)
    for row in rows:
        found[row["community_id"]].append({
            "id": row["id"], "state": row["state"], "state_label": str(states.get(row["state"], row["state"])),
            "outcome": row["outcome"], "outcome_label": str(outcomes.get(row["outcome"], "")),
            "filed_at": row["filed_at"], "due_at": row["due_at"], "answered_at": row["answered_at"],
            "timely": row["timely"], "question": row["published_question"] if row["published"] else "",
        })
    return found


def build(communities, *, period: dt.date, now) -> dict:
    """The figures of every community for `period`, and the street's: {"communities": [...],
    "street": {...}}; `for_community` slices one community's report out of it."""
    ids = [c.pk for c in communities]
    dashboard = selectors.figures(communities, now=now, overdue_limit=None)
    books = selectors.books_by_month(ids, year=period.year)
    inquiry_months = selectors.inquiries_by_month(ids, now, year=period.year)
    due_in_month = selectors.disclosure_status(ids, period=selectors.previous_month(period), today=period_end(period))
    decided = approvals(ids, period)
    filed = month_inquiries(ids, period, now)
    charity = selectors.providers.charity_by_month(ids, period.year)
    rows = []
    for row in dashboard["communities"]:
        cid = row["id"]
        month_books = books[cid][period.month]
        rows.append({
            **{k: row[k] for k in ("id", "code", "name", "tasks", "overdue", "notices", "inquiries", "leases_ending",
                                   "arrears", "partners", "services", "revenue_expected", "revenue_reported")},
            "books_month": month_books,
            "books_year_to_month": selectors.books_to_date(books[cid], until_month=period.month),
            "inquiries_month": inquiry_months[cid][period.month],
            "disclosure_due_in_month": due_in_month[cid],
            "charity_month": None if charity is None else charity.get(cid, {}).get(period.month),
            "approvals": decided[cid],
            "month_inquiries": filed[cid],
        })
    return {"schema": SCHEMA, "period": f"{period:%Y-%m}", "generated_at": now, "communities": rows,
            "street": _street(rows, dashboard["street"])}


def _street(rows: list[dict], totals: dict) -> dict:
    def money(key, field):
        return sum((Decimal(r[key][field]) for r in rows), Decimal("0.00"))

    on_time = sum(r["inquiries_month"]["on_time"] for r in rows)
    late = sum(r["inquiries_month"]["late"] for r in rows)
    return {
        **{k: totals[k] for k in ("tasks", "notices", "inquiries", "leases_ending", "arrears", "partners", "services",
                                  "revenue_expected", "revenue_reported")},
        "books_month": {"income": money("books_month", "income"), "expense": money("books_month", "expense")},
        "books_year_to_month": {"income": money("books_year_to_month", "income"),
                                "expense": money("books_year_to_month", "expense")},
        "inquiries_month": {"on_time": on_time, "late": late, "on_time_rate": selectors._rate(on_time, late)},
        "disclosures_missed": sum(1 for r in rows if r["disclosure_due_in_month"]["on_time"] is False),
    }


def for_community(built: dict, community_id: int) -> dict:
    row = next(r for r in built["communities"] if r["id"] == community_id)
    return {**{k: v for k, v in built.items() if k not in ("communities", "street")}, "communities": [row], "street": None}
