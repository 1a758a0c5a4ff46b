"""The street's API: the dashboard, the monthly reports (+ .xlsx), and the public summary.

Street endpoints answer 404 — the same as for a missing street — to residents, partners,
anonymous callers and anyone asking for a street that is not theirs; a community's work roles get
their community only (the others are absent, not zeroed)."""

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from project.params import parse_id
from spreadsheets import services as sheets
from spreadsheets.api import AnyAccept, workbook_response
from workflows.ledger import selectors as ledger_selectors
from workflows.ledger.disclosures import parse_period
from workflows.supervision import scope, selectors
from workflows.supervision.report_selectors import report_get_for_user, reports_for_user
from workflows.supervision.reports import plain

_DROP = ("books_by_month", "inquiries_by_month", "charity_by_month")


def _community(row: dict) -> dict:
    data = {k: v for k, v in row.items() if k not in _DROP}
    data["by_month"] = {"books": row["books_by_month"], "inquiries": row["inquiries_by_month"],
                        "charity": row["charity_by_month"]}
    return plain(data)


def _communities_or_404(request, street_id=None):
    found = scope.supervised_communities(request.user, street_id=street_id)
    if not found:
        raise NotFound
    return found


class DashboardView(APIView):
    permission_classes = [AllowAny]  # scope decides; a stranger gets the 404 of a missing street

    @extend_schema(operation_id="street_dashboard", parameters=[OpenApiParameter("street", int, required=False)],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        raw = request.query_params.get("street")
        street_id = None
        if raw not in (None, ""):
            street_id = parse_id(raw)
            if street_id is None:
                if not scope.supervised_communities(request.user):
                    raise NotFound
                raise ValidationError({"street": ["Enter a street id."]})
        data = selectors.figures(_communities_or_404(request, street_id))
        street = {k: v for k, v in data["street"].items() if k not in _DROP}
        street["by_month"] = {"books": data["street"]["books_by_month"],
                              "inquiries": data["street"]["inquiries_by_month"],
                              "charity": data["street"]["charity_by_month"]}
        return Response({
            "as_of": plain(data["now"]), "year": data["year"], "leases_tracked": data["leases_tracked"],
            "expected": plain(data["expected"]),
            "communities": [_community(r) for r in data["communities"]],
            "street": plain(street),
        })


def _report_row(report, request) -> dict:
    return {"id": report.pk, "period": report.period_text, "street": report.street.name,
            "community": report.community.code if report.community_id else None,
            "community_name": report.community.name if report.community_id else None,
            "generated_at": report.generated_at, "hash": report.hash,
            "url": request.build_absolute_uri(f"/street/reports/{report.pk}/"),
            "xlsx": request.build_absolute_uri(f"/api/street/reports/{report.pk}.xlsx")}


class ReportListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="street_reports_list",
                   parameters=[OpenApiParameter("period", str, required=False, description="YYYY-MM")],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        _communities_or_404(request)
        qs = reports_for_user(user=request.user)
        raw = request.query_params.get("period")
        if raw not in (None, ""):
            period = parse_period(raw)
            if period is None:
                raise ValidationError({"period": ["Enter a month as YYYY-MM."]})
            qs = qs.filter(period=period)
        return Response({"results": [_report_row(r, request) for r in qs[:500]]})


class ReportDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="street_report", responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        report = report_get_for_user(user=request.user, pk=pk)
        return Response({**_report_row(report, request), "snapshot": json.loads(report.snapshot)})


class ReportWorkbookView(APIView):
    permission_classes = [AllowAny]
    content_negotiation_class = AnyAccept

    @extend_schema(operation_id="street_report_xlsx", responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        report = report_get_for_user(user=request.user, pk=pk)
        return workbook_response(request, sheets.export_start(actor=request.user, kind="street_report",
                                                              query={"id": str(report.pk)}))


class PublicSummaryView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="public_summary", parameters=[OpenApiParameter("community", str, required=True)],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        community = ledger_selectors.public_community_get(code=request.query_params.get("community") or "")
        s = selectors.public_summary(community)
        disclosure = s["disclosure"]
        return Response(plain({
            "community": community.code, "community_name": community.name, "year": s["year"],
            "books": {"month": s["books_month"], "year": s["books_year"], "by_month": s["books_by_month"]},
            "disclosure": None if disclosure is None else {
                "id": disclosure.pk, "period": disclosure.period_text, "hash": disclosure.hash,
                "published_at": disclosure.published_at, "income_total": disclosure.income_total,
                "expense_total": disclosure.expense_total,
                "url": request.build_absolute_uri(f"/public/{community.code}/disclosures/{disclosure.pk}/")},
            "partners": [{"name": p["name"], "services": [{"name": sv.name, "category": sv.category, "paid": sv.paid,
                                                           "price": sv.price, "target": sv.target} for sv in p["services"]]}
                         for p in s["partners"]],
            "services": s["services_count"],
            "inquiries": s["inquiries"],
            "answers": [{"id": a["id"], "question": a["published_question"], "answer": a["published_answer"],
                         "outcome": a["outcome"], "published_at": a["published_at"]} for a in s["answers"]],
            "opening_hours": [{"room": h.room.name, "weekday": h.weekday, "opens": h.opens.strftime("%H:%M"),
                               "closes": h.closes.strftime("%H:%M"), "kind": h.kind} for h in s["opening_hours"]],
            "timetable": None if s["timetable"] is None else [
                {"room": t.room, "weekday": t.weekday, "starts": t.starts.strftime("%H:%M"),
                 "ends": t.ends.strftime("%H:%M"), "what": t.what} for t in s["timetable"]],
            "charity_by_month": s["charity_by_month"],
        }))
