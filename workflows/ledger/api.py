"""Ledger API. Posted lines are immutable: no PUT, PATCH or DELETE exists (405)."""

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from project.api import Conflict
from project.params import parse_id
from workflows.ledger import permissions, selectors, services
from workflows.ledger.categories import LineKind
from workflows.ledger.filters import parse_ledger_filters
from workflows.ledger.models import LedgerLine
from workflows.org.models import Community

MAX_PAGE = 1000
DEFAULT_PAGE = 500


class LedgerLineSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    line_label = serializers.CharField(source="get_line_display", read_only=True)
    kind_label = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    reversed_by = serializers.SerializerMethodField()
    scan = serializers.SerializerMethodField()
    is_reversal = serializers.BooleanField(read_only=True)
    posted_by_name = serializers.CharField(source="posted_by.label", read_only=True)
    extra_form = serializers.SerializerMethodField()
    extra = serializers.SerializerMethodField()

    class Meta:
        model = LedgerLine
        fields = [
            "id", "community", "community_name", "line", "line_label", "source", "category", "kind_label",
            "amount", "date", "counterparty", "note", "voucher_number", "scan", "source_type", "source_id",
            "reverses", "reversed_by", "is_reversal", "is_opening_balance", "posted_by", "posted_by_name",
            "posted_at", "extra_form", "extra",
        ]
        read_only_fields = fields

    def get_scan(self, line) -> str | None:
        """Link to the guarded scan download, for those who may see scans; otherwise null."""
        request = self.context.get("request")
        if not line.scan or request is None or not permissions.can_view_scan(request.user, line):
            return None
        return request.build_absolute_uri(reverse("ledger-line-scan", args=[line.id]))

    def _may_read_extra(self, line) -> bool:
        request = self.context.get("request")
        return bool(line.extra_form_id) and request is not None and permissions.can_view_extra(request.user, line)

    def get_extra_form(self, line) -> dict | None:
        """The income.extra form version the line was recorded with (null without one, or for
        readers who may not see the extra part)."""
        if not self._may_read_extra(line):
            return None
        return {"code": line.extra_form.definition.code, "version": line.extra_form.number}

    def get_extra(self, line) -> dict | None:
        return line.extra if self._may_read_extra(line) else None

    def get_reversed_by(self, line) -> int | None:
        reversal = line.reversing_line
        return reversal.id if reversal else None


def _money(value) -> str:
    return f"{value:.2f}"


def _page_param(params, key: str, default: int, maximum: int, errors: dict) -> int:
    raw = (params.get(key) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum or (key == "limit" and int(raw) == 0):
        errors[key] = _("Enter a whole number from %(low)d to %(high)d.") % {
            "low": 1 if key == "limit" else 0,
            "high": maximum,
        }
        return default
    return int(raw)


class LedgerListView(APIView):
    """Both lines, each with its own lines, count and total. The two totals are never netted."""

    @extend_schema(
        operation_id="ledger_list",
        parameters=[
            OpenApiParameter("community", int),
            OpenApiParameter("line", str, enum=LineKind.values),
            OpenApiParameter("from", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("to", str, description="YYYY-MM-DD, inclusive"),
            OpenApiParameter("limit", int, description=f"lines per line kind, 1–{MAX_PAGE}, default {DEFAULT_PAGE}"),
            OpenApiParameter("offset", int),
        ],
        responses={200: inline_serializer("LedgerList", {"income": serializers.DictField(), "expense": serializers.DictField()})},
    )
    def get(self, request):
        filters, errors = parse_ledger_filters(request.query_params)
        limit = _page_param(request.query_params, "limit", DEFAULT_PAGE, MAX_PAGE, errors)
        offset = _page_param(request.query_params, "offset", 0, 10**9, errors)
        if errors:
            raise ValidationError({field: [message] for field, message in errors.items()})
        if filters.community_id is not None:
            selectors.ledger_community_get_for_user(user=request.user, pk=filters.community_id)
        qs = selectors.ledger_lines_for_user(
            user=request.user,
            community_id=filters.community_id,
            line=filters.line,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ).select_related("reversed_by")
        totals = selectors.ledger_totals(qs)
        body = {
            "filters": {
                "community": filters.community_id,
                "line": filters.line,
                "from": filters.date_from,
                "to": filters.date_to,
                "limit": limit,
                "offset": offset,
            }
        }
        for kind in [filters.line] if filters.line else LineKind.values:
            lines = qs.filter(line=kind)
            body[kind] = {
                "total": _money(totals[kind]),
                "count": lines.count(),
                "lines": LedgerLineSerializer(lines[offset : offset + limit], many=True, context={"request": request}).data,
            }
        return Response(body)


class IncomeRequestSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    source = serializers.CharField()
    amount = serializers.CharField()
    date = serializers.CharField()
    counterparty = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    extra = serializers.DictField(
        required=False,
        help_text="Fields of the street's published income.extra form. Sent as multipart/form-data instead, "
        "its fields are named extra-<key> and its attachments are files of the same names.",
    )


def _community_for_write(data) -> Community:
    """The community named in a write. Malformed → 400; missing or not the caller's → 404."""
    raw = data.get("community")
    text = str(raw).strip() if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    if not (text.isascii() and text.lstrip("-").isdigit()):
        raise ValidationError({"community": [_("Enter a community id.")]})
    pk = parse_id(text)
    if pk is None:  # zero, negative or beyond any id: well-formed, but no such community
        raise NotFound()
    community = Community.objects.filter(pk=pk).first()
    if community is None:
        raise NotFound()
    return community


class IncomeCreateView(APIView):
    """Record income. A community that is missing, not yours, or only readable by you → 404."""

    @extend_schema(operation_id="ledger_income_create", request=IncomeRequestSerializer, responses={201: LedgerLineSerializer})
    def post(self, request):
        data = request.data
        if not isinstance(data, dict):
            raise ValidationError({"detail": [_("Send a JSON object.")]})
        community = _community_for_write(data)
        if isinstance(data, QueryDict):
            # A multipart post (attachments of the income.extra form) is read as the page reads it.
            extra, files, prefix = data, request.FILES, "extra"
        else:
            extra, files, prefix = data.get("extra", {}), None, None
            if not isinstance(extra, dict):
                raise ValidationError({"extra": [_("Send the extra fields as a JSON object.")]})
        line = services.income_record(
            actor=request.user,
            community=community,
            source=data.get("source"),
            amount=data.get("amount"),
            date=data.get("date"),
            counterparty=data.get("counterparty", ""),
            note=data.get("note", ""),
            extra=extra,
            files=files,
            extra_prefix=prefix,
        )
        return Response(LedgerLineSerializer(line, context={"request": request}).data, status=status.HTTP_201_CREATED)


class LedgerLineDetailView(APIView):
    @extend_schema(operation_id="ledger_line_retrieve", responses=LedgerLineSerializer)
    def get(self, request, pk: int):
        line = selectors.ledger_line_get_for_user(user=request.user, pk=pk)
        return Response(LedgerLineSerializer(line, context={"request": request}).data)


class ReverseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField()


class LedgerLineReverseView(APIView):
    """红冲: the secretary posts the reversing line. Reversing twice, or a reversal → 409."""

    @extend_schema(operation_id="ledger_line_reverse", request=ReverseRequestSerializer, responses={201: LedgerLineSerializer})
    def post(self, request, pk: int):
        line = selectors.ledger_line_get_for_user(user=request.user, pk=pk)
        data = request.data if isinstance(request.data, dict) else {}
        try:
            reversal = services.line_reverse(actor=request.user, line=line, reason=data.get("reason", ""))
        except services.LedgerConflict as exc:
            raise Conflict(exc.message) from None
        return Response(LedgerLineSerializer(reversal, context={"request": request}).data, status=status.HTTP_201_CREATED)
