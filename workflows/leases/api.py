"""Lease API (see the app README for the endpoints). Not yours → 404; wrong state → 409; a clash
on the room calendar → 409 with every clashing date; bad fields → 400 per field."""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from project.api import IdField
from workflows.approvals.actions import label as action_label
from workflows.approvals.api import ApprovalErrorsMixin
from workflows.leases import ical, selectors, services
from workflows.leases.models import Lease, LeaseRequest, PriceModel, RevenueReport
from workflows.org.models import Community, Room
from workflows.partners.models import Partner

MAX_CALENDAR_DAYS = 400


class LeaseErrorsMixin(ApprovalErrorsMixin):
    def handle_exception(self, exc):
        if isinstance(exc, services.LeaseConflict):
            return Response({"detail": str(exc), "conflicts": exc.conflicts}, status=status.HTTP_409_CONFLICT)
        return super().handle_exception(exc)


# --- representations -------------------------------------------------------------------------------


def _history_dict(row) -> dict:
    return {"action": row.action, "action_label": action_label(row.action), "actor": str(row.actor) if row.actor else None,
            "comment": row.comment, "state_before": row.state_before, "state_after": row.state_after, "step": row.step,
            "created_at": row.created_at, "detail": row.detail, "policy_version": row.policy_version}


def request_dict(request: LeaseRequest, *, full: bool = False, occurrences: int | None = None) -> dict:
    data = {"id": request.pk, "state": request.state, "state_label": str(request.get_state_display()),
            "community": request.community.code, "room": request.room_id, "room_name": request.room.name,
            "partner": request.partner_id, "partner_name": request.partner.public_name, "service": request.service,
            "starts_on": request.starts_on, "ends_on": request.ends_on, "slots": request.slots,
            "price_model": request.price_model, "hourly_rate": str(request.hourly_rate),
            "skip_dates": request.skip_dates, "conflict_skips": request.conflict_skips,
            "route": list(request.steps), "guideline_version": request.guideline.version,
            "held_until": request.held_until,
            "occurrences": occurrences if occurrences is not None else request.occurrences.count(),
            "lease": getattr(getattr(request, "lease", None), "pk", None) if request.state == "signed" else None}
    if full:
        data.update({"data": request.data, "recurrence": request.recurrence, "round": request.round,
                     "history": [_history_dict(r) for r in selectors.request_history(request)]})
    return data


def lease_dict(lease: Lease, *, full: bool = False) -> dict:
    data = {"id": lease.pk, "state": lease.state, "state_label": str(lease.get_state_display()),
            "contract_number": lease.contract_number, "community": lease.community.code, "room": lease.room_id,
            "room_name": lease.room.name, "area_m2": str(lease.room.area_m2), "partner": lease.partner_id,
            "partner_name": lease.partner.public_name, "service": lease.service, "starts_on": lease.starts_on,
            "ends_on": lease.ends_on, "price_model": lease.price_model, "hourly_rate": str(lease.hourly_rate),
            "charity_rate": str(lease.charity_rate), "request": lease.request_id, "ended_on": lease.ended_on}
    if full:
        data.update({
            "slots": lease.request.slots, "deposit": str(lease.deposit), "signed_on": lease.signed_on,
            "next_rent_due": selectors.next_rent_due(lease),
            "rent_outstanding": str(services.rent_outstanding(lease, until=timezone.localdate())),
            "reports": [report_dict(r) for r in lease.reports.all()],
            "history": [_history_dict(r) for r in selectors.lease_history(lease)],
        })
    return data


def report_dict(report: RevenueReport) -> dict:
    remitted = services.share_outstanding(report)
    return {"id": report.pk, "lease": report.lease_id, "month": report.month.strftime("%Y-%m"),
            "revenue": str(report.revenue), "sessions": report.sessions, "participants": report.participants,
            "charity_rate": str(report.charity_rate), "charity_due": str(report.charity_due),
            "outstanding": str(remitted), "on_behalf": report.on_behalf}


def _tally_json(tally: dict) -> dict:
    money = ("due", "remitted", "outstanding")
    return {"rows": [{k: (str(v) if k in money else v) for k, v in row.items() if k not in ("partner_id",)}
                     for row in tally["rows"]],
            "totals": {k: str(v) for k, v in tally["totals"].items()}}


def _date_param(request, name: str, default: dt.date) -> dt.date:
    value = request.query_params.get(name, "")
    if not value:
        return default
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        raise serializers.ValidationError({name: [_("Enter a date as YYYY-MM-DD.")]}) from None
    if not services.MIN_YEAR <= day.year <= services.MAX_YEAR:
        raise serializers.ValidationError({name: [_("Enter a date between %(first)s and %(last)s.")
                                                  % {"first": services.MIN_YEAR, "last": services.MAX_YEAR}]})
    return day


def _community_param(request, *, required: bool = False) -> Community | None:
    code = request.query_params.get("community", "")
    if not code:
        if required:
            raise serializers.ValidationError({"community": [_("Give the community's code.")]})
        return None
    community = Community.objects.filter(code=code[:64]).first()
    if community is None:
        raise serializers.ValidationError({"community": [_("Unknown community.")]})
    return community


# --- the room calendar ---------------------------------------------------------------------------------


class RoomCalendarView(LeaseErrorsMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, operation_id="room_calendar", responses=OpenApiTypes.OBJECT,
                   parameters=[OpenApiParameter("from", str), OpenApiParameter("to", str)])
    def get(self, request, pk):
        room = selectors.room_get_for_user(user=request.user, pk=pk)
        today = timezone.localdate()
        start = _date_param(request, "from", today - dt.timedelta(days=today.weekday()))
        end = _date_param(request, "to", start + dt.timedelta(days=6))
        if end < start or (end - start).days > MAX_CALENDAR_DAYS:
            raise serializers.ValidationError({"to": [_("From 0 to %(n)s days after `from`.") % {"n": MAX_CALENDAR_DAYS}]})
        rows = [{k: v for k, v in row.items() if k not in ("starts_at", "ends_at")}
                for row in selectors.room_calendar(room, start, end)]
        return Response({"room": room.pk, "from": start, "to": end, "occurrences": rows,
                         "skipped": selectors.room_skipped(room, start, end)})


class RoomIcsView(LeaseErrorsMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, operation_id="room_calendar_ics", responses={(200, "text/calendar"): OpenApiTypes.STR})
    def get(self, request, pk):
        room = selectors.room_get_for_user(user=request.user, pk=pk)
        response = HttpResponse(ical.room_feed(room), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="room-{room.pk}.ics"'
        return response


# --- requests ------------------------------------------------------------------------------------------------


class SlotSerializer(serializers.Serializer):
    weekdays = serializers.ListField(child=serializers.IntegerField(min_value=0, max_value=6), min_length=1,
                                     max_length=7)
    starts = serializers.CharField(max_length=5)
    ends = serializers.CharField(max_length=5)


class RequestCreateSerializer(serializers.Serializer):
    room = IdField()
    partner = IdField()
    service = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    slots = SlotSerializer(many=True, allow_empty=False, max_length=10)
    price_model = serializers.ChoiceField(choices=PriceModel.choices)
    hourly_rate = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True)
    skip_dates = serializers.ListField(child=serializers.DateField(), required=False, default=list, max_length=500)
    skip_conflicts = serializers.BooleanField(required=False, default=False)
    include_holidays = serializers.BooleanField(required=False, default=False)
    data = serializers.DictField(required=False, default=dict)


class LeaseCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class LeaseResubmitSerializer(LeaseCommentSerializer):
    service = serializers.CharField(max_length=200, required=False)
    data = serializers.DictField(required=False)


class LeaseRequestViewSet(LeaseErrorsMixin, viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    queryset = LeaseRequest.objects.none()

    @extend_schema(request=None, operation_id="lease_requests_list", responses=OpenApiTypes.OBJECT)
    def list(self, request):
        rows = selectors.requests_for_user(user=request.user).order_by("-created_at", "-id")[:500]
        return Response([request_dict(r) for r in rows])

    @extend_schema(request=None, operation_id="lease_requests_retrieve", responses=OpenApiTypes.OBJECT)
    def retrieve(self, request, pk=None):
        return Response(request_dict(selectors.request_get_for_user(user=request.user, pk=pk), full=True))

    @extend_schema(request=RequestCreateSerializer, operation_id="lease_requests_create", responses=OpenApiTypes.OBJECT)
    def create(self, request):
        body = RequestCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        room = Room.objects.select_related("community").filter(pk=values.pop("room")).first()
        partner = Partner.objects.select_related("community").filter(pk=values.pop("partner")).first()
        if partner is None or not services.permissions.can_file_request(request.user, partner):
            raise serializers.ValidationError({"partner": [_("Unknown partner.")]})
        if room is None:
            raise serializers.ValidationError({"room": [_("Unknown room.")]})
        values["slots"] = [dict(s) for s in values["slots"]]
        lease_request = services.request_file(actor=request.user, room=room, partner=partner, **values)
        return Response(request_dict(lease_request, occurrences=lease_request.occurrences.count()),
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=LeaseCommentSerializer, operation_id="lease_requests_withdraw", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        found = selectors.request_get_for_user(user=request.user, pk=pk)
        body = LeaseCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = services.request_withdraw(actor=request.user, request=found, comment=body.validated_data["comment"])
        return Response(request_dict(found))

    @extend_schema(request=LeaseResubmitSerializer, operation_id="lease_requests_resubmit", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        found = selectors.request_get_for_user(user=request.user, pk=pk)
        body = LeaseResubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = services.request_resubmit(actor=request.user, request=found, **body.validated_data)
        return Response(request_dict(found))


# --- leases, rent, reports, remittances -------------------------------------------------------------------


class RentPaymentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid_on = serializers.DateField()
    voucher_number = serializers.CharField(max_length=64)


class RevenueReportSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7)
    revenue = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    sessions = serializers.IntegerField(min_value=0, max_value=100000)
    participants = serializers.IntegerField(min_value=0, max_value=100000)


class RemittanceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    remitted_on = serializers.DateField()
    receipt_code = serializers.CharField(max_length=20)
    receipt_number = serializers.CharField(max_length=20)
    scan = serializers.FileField(required=False)


class TerminateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    on = serializers.DateField()


class RenewSerializer(serializers.Serializer):
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    skip_conflicts = serializers.BooleanField(required=False, default=False)


class LeaseViewSet(LeaseErrorsMixin, viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    queryset = Lease.objects.none()

    @extend_schema(request=None, operation_id="leases_list", responses=OpenApiTypes.OBJECT,
                   parameters=[OpenApiParameter("community", str, description="community code")])
    def list(self, request):
        rows = selectors.leases_for_user(user=request.user, community=_community_param(request))[:1000]
        return Response([lease_dict(lease) for lease in rows])

    @extend_schema(request=None, operation_id="leases_retrieve", responses=OpenApiTypes.OBJECT)
    def retrieve(self, request, pk=None):
        return Response(lease_dict(selectors.lease_get_for_user(user=request.user, pk=pk), full=True))

    def _body(self, request, pk, serializer_class):
        lease = selectors.lease_get_for_user(user=request.user, pk=pk)
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        return lease, body.validated_data

    @extend_schema(request=RentPaymentSerializer, operation_id="leases_rent_payments", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], url_path="rent-payments")
    def rent_payments(self, request, pk=None):
        lease, values = self._body(request, pk, RentPaymentSerializer)
        payment = services.rent_payment_record(actor=request.user, lease=lease, **values)
        return Response({"id": payment.pk, "amount": str(payment.amount), "paid_on": payment.paid_on,
                         "ledger_line": payment.ledger_line_id}, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevenueReportSerializer, operation_id="leases_revenue_reports", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], url_path="revenue-reports")
    def revenue_reports(self, request, pk=None):
        lease, values = self._body(request, pk, RevenueReportSerializer)
        report = services.revenue_report_file(actor=request.user, lease=lease, **values)
        return Response(report_dict(report), status=status.HTTP_201_CREATED)

    @extend_schema(request=TerminateSerializer, operation_id="leases_terminate", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        lease, values = self._body(request, pk, TerminateSerializer)
        lease = services.lease_terminate(actor=request.user, lease=lease, **values)
        return Response(lease_dict(selectors.lease_get_for_user(user=request.user, pk=lease.pk), full=True))

    @extend_schema(request=RenewSerializer, operation_id="leases_renew", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        lease, values = self._body(request, pk, RenewSerializer)
        found = services.lease_renew(actor=request.user, lease=lease, **values)
        return Response(request_dict(found), status=status.HTTP_201_CREATED)


class RevenueReportViewSet(LeaseErrorsMixin, viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    queryset = RevenueReport.objects.none()

    @extend_schema(request=RemittanceSerializer, operation_id="revenue_reports_remittances", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def remittances(self, request, pk=None):
        report = selectors.report_get_for_user(user=request.user, pk=pk)
        body = RemittanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        remittance = services.remittance_record(actor=request.user, report=report, **body.validated_data)
        report.refresh_from_db()
        return Response({"id": remittance.pk, "amount": str(remittance.amount), "report": report_dict(report)},
                        status=status.HTTP_201_CREATED)


# --- the charity tally ------------------------------------------------------------------------------------------


def _year_param(request) -> int | None:
    value = request.query_params.get("year", "")
    if not value:
        return None
    if not (value.isdigit() and len(value) == 4):
        raise serializers.ValidationError({"year": [_("Enter a year such as 2026.")]})
    return int(value)


class CharityView(LeaseErrorsMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, operation_id="charity_tally", responses=OpenApiTypes.OBJECT,
                   parameters=[OpenApiParameter("community", str), OpenApiParameter("year", int)])
    def get(self, request):
        community = _community_param(request)
        if community is not None:
            if not services.permissions.sees_community(request.user, community):
                return Response(status=status.HTTP_404_NOT_FOUND)
            ids = [community.pk]
        else:
            ids = sorted(set(selectors.leases_for_user(user=request.user).values_list("community_id", flat=True)))
        return Response(_tally_json(selectors.charity_tally(ids, _year_param(request))))


class PublicCharityView(LeaseErrorsMixin, APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=None, operation_id="public_charity_tally", responses=OpenApiTypes.OBJECT,
                   parameters=[OpenApiParameter("community", str, description="community code"),
                               OpenApiParameter("year", int)])
    def get(self, request):
        community = _community_param(request, required=True)
        return Response(_tally_json(selectors.charity_tally([community.pk], _year_param(request))))
