"""Expense API (see the app README for the endpoints)."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from project.api import IdField
from project.params import parse_id
from workflows.approvals.actions import CommentSerializer
from workflows.approvals.api import ApprovalErrorsMixin
from workflows.expenses import permissions, selectors, services
from workflows.expenses.models import MAX_AMOUNT, AuthorityPolicy, ExpenseRequest
from workflows.expenses.states import ExpenseState
from workflows.ledger.categories import ExpenseCategory
from workflows.org.selectors import community_get_for_user


class ExpenseCreateSerializer(serializers.Serializer):
    community = IdField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT)
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    payee = serializers.CharField(max_length=150)
    purpose = serializers.CharField(max_length=500)
    cc = serializers.ListField(child=IdField(), required=False, default=list, max_length=50)
    extra = serializers.DictField(required=False, default=dict, help_text="Fields of the street's published expense.extra form")


class ResubmitSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT, required=False)
    category = serializers.ChoiceField(choices=ExpenseCategory.choices, required=False)
    payee = serializers.CharField(max_length=150, required=False)
    purpose = serializers.CharField(max_length=500, required=False)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    extra = serializers.DictField(required=False, help_text="Replaces the expense.extra fields (same form version)")


class RequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class PaySerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    voucher_number = serializers.CharField(max_length=64)
    scan = serializers.FileField(required=False)


def _extra_param(raw: str | None) -> dict | None:
    """The preview's `extra` query parameter: a small JSON object, else nothing."""
    from project.limits import json_loads

    if not raw or len(raw) > 8000:
        return None
    try:
        value = json_loads(raw)
    except ValueError:  # malformed or nested too deep (JSONTooDeep)
        return None
    return value if isinstance(value, dict) else None


def _user(u) -> dict | None:
    return {"id": u.pk, "name": str(u)} if u else None


def expense_data(expense, *, with_history: bool = False, route: list[dict] | None = None) -> dict:
    data = {
        "id": expense.pk,
        "community": {"id": expense.community_id, "name": expense.community.name},
        "amount": f"{expense.amount:.2f}",
        "category": expense.category,
        "category_label": str(expense.get_category_display()),
        "payee": expense.payee,
        "purpose": expense.purpose,
        "state": expense.state,
        "state_label": str(expense.get_state_display()),
        "submitter": _user(expense.submitter),
        "policy_version": expense.policy.version,
        "round": expense.round,
        "cc": [_user(u) for u in expense.cc.all()],
        "route": route if route is not None else selectors.route_for_request(expense),
        "paid_on": expense.paid_on.isoformat() if expense.paid_on else None,
        "voucher_number": expense.voucher_number,
        "created_at": expense.created_at,
        "title": expense.title,
        "extra_form": ({"code": expense.extra_form.definition.code, "version": expense.extra_form.number}
                       if expense.extra_form_id else None),
        "extra": expense.extra,
    }
    if with_history:
        data["attachments"] = [
            {"id": a.pk, "name": a.client_name, "round": a.round,
             "url": reverse("expense-attachment", args=[expense.pk, a.pk])}
            for a in expense.attachments.all()
        ]
        data["history"] = [
            {
                "id": h.pk,
                "actor": _user(h.actor),
                "action": h.action,
                "action_label": h.action_label,
                "comment": h.comment,
                "state_before": h.state_before,
                "state_after": h.state_after,
                "step": h.step,
                "time": h.created_at,
                "round": h.round,
                "policy_version": h.policy_version,
                "form_version": h.form_version,
                "detail": h.detail,
            }
            for h in selectors.history_for(expense)
        ]
    return data


class ExpenseViewSet(ApprovalErrorsMixin, viewsets.ViewSet):
    queryset = ExpenseRequest.objects.none()  # only tells the schema the id is an integer
    def handle_exception(self, exc):
        if isinstance(exc, services.InsufficientBalance):
            return Response(
                {"detail": str(exc), "amount": f"{exc.amount:.2f}", "available": f"{exc.available:.2f}"},
                status=status.HTTP_409_CONFLICT,
            )
        return super().handle_exception(exc)

    def _body(self, request, serializer_class):
        if not isinstance(request.data, dict) and not hasattr(request.data, "getlist"):
            raise serializers.ValidationError({"detail": _("Send a JSON object.")})
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="expenses_list", parameters=[OpenApiParameter("state", str), OpenApiParameter("community", int)])
    def list(self, request):
        state = request.query_params.get("state") or None
        if state is not None and state not in ExpenseState.values:
            raise serializers.ValidationError({"state": _("Unknown state.")})
        community = request.query_params.get("community") or None
        if community is not None:
            community = parse_id(community)
            if community is None:
                raise serializers.ValidationError({"community": _("Enter a community id.")})
        search, errors = selectors.parse_expense_search(request.query_params)
        if errors:
            raise serializers.ValidationError(errors)
        qs = selectors.expense_list_for_user(user=request.user, state=state, community_id=community, search=search)
        expenses = list(qs.select_related("extra_form__definition").prefetch_related("cc")[:200])
        routes = selectors.routes_for_requests(expenses)
        rows = [expense_data(e, route=routes[e.pk]) for e in expenses]
        return Response({"count": len(rows), "results": rows})

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request, pk=None):
        expense = selectors.expense_get_for_user(user=request.user, pk=pk)
        return Response(expense_data(expense, with_history=True))

    @extend_schema(responses=OpenApiTypes.OBJECT, request=ExpenseCreateSerializer)
    def create(self, request):
        data = self._body(request, ExpenseCreateSerializer)
        # Missing, not visible, or only readable by you: the same 404 (as the ledger's writes).
        community = community_get_for_user(user=request.user, pk=data["community"])
        if not permissions.can_file_expense(request.user, community):
            raise NotFound
        expense = services.expense_create(
            actor=request.user, community=community, amount=data["amount"], category=data["category"],
            payee=data["payee"], purpose=data["purpose"], cc=data["cc"], extra=data["extra"],
            # Sent as multipart/form-data, invoices and photos come as repeated "attachments" files.
            attachments=request.FILES.getlist("attachments"),
        )
        return Response(expense_data(expense, with_history=True), status=status.HTTP_201_CREATED)

    @extend_schema(responses=OpenApiTypes.OBJECT, parameters=[
        OpenApiParameter("community", int), OpenApiParameter("amount", str), OpenApiParameter("category", str),
        OpenApiParameter("extra", str, description="JSON object of expense.extra fields typed so far")])
    @action(detail=False, methods=["get"], url_path="route-preview")
    def route_preview(self, request):
        params = request.query_params
        return Response(selectors.route_preview(
            user=request.user, community_id=params.get("community"), amount=params.get("amount", ""),
            category=params.get("category", ""), extra=_extra_param(params.get("extra")),
        ))

    def _act(self, request, pk, fn, serializer_class, **extra):
        expense = selectors.expense_get_for_user(user=request.user, pk=pk)
        data = self._body(request, serializer_class)
        expense = fn(actor=request.user, request=expense, **data, **extra)
        return Response(expense_data(expense, with_history=True))

    @extend_schema(responses=OpenApiTypes.OBJECT, request=CommentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, pk, services.expense_withdraw, CommentSerializer)

    @extend_schema(responses=OpenApiTypes.OBJECT, request=CommentSerializer)
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        return self._act(request, pk, services.expense_urge, CommentSerializer)

    @extend_schema(responses=OpenApiTypes.OBJECT, request=RequiredCommentSerializer)
    @action(detail=True, methods=["post"])
    def comments(self, request, pk=None):
        return self._act(request, pk, services.expense_comment, RequiredCommentSerializer)

    @extend_schema(responses=OpenApiTypes.OBJECT, request=ResubmitSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self._act(request, pk, services.expense_resubmit, ResubmitSerializer)

    @extend_schema(responses=OpenApiTypes.OBJECT, request=PaySerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._act(request, pk, services.expense_pay, PaySerializer)





class PolicyRowSerializer(serializers.Serializer):
    category = serializers.CharField(allow_blank=True, required=False, default="")
    amount_above = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, default=Decimal("0"))
    amount_upto = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True, default=None)
    steps = serializers.ListField(child=serializers.CharField())
    condition = serializers.JSONField(required=False, allow_null=True, default=None)


class PolicyCreateSerializer(serializers.Serializer):
    street = IdField()
    effective_from = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    rows = PolicyRowSerializer(many=True)


def policy_data(policy) -> dict:
    return {
        "id": policy.pk,
        "street": policy.street_id,
        "version": policy.version,
        "effective_from": policy.effective_from.isoformat(),
        "note": policy.note,
        "rows": [
            {
                "category": r.category,
                "amount_above": f"{r.amount_above:.2f}",
                "amount_upto": f"{r.amount_upto:.2f}" if r.amount_upto is not None else None,
                "steps": r.steps,
                "condition": r.condition,
            }
            for r in policy.rules.order_by("position")
        ],
    }


class PolicyViewSet(ApprovalErrorsMixin, viewsets.ViewSet):
    """The authority table: every version of the user's streets; a POST makes a new version."""

    queryset = AuthorityPolicy.objects.none()

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="expense_policies_list")
    def list(self, request):
        policies = selectors.policies_for_user(user=request.user).prefetch_related("rules")
        return Response({"results": [policy_data(p) for p in policies]})

    @extend_schema(responses=OpenApiTypes.OBJECT, request=PolicyCreateSerializer)
    def create(self, request):
        from workflows.org.models import Street

        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"detail": _("Send a JSON object.")})
        data = PolicyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        street = Street.objects.filter(pk=data.validated_data["street"]).first()
        if street is None:
            raise serializers.ValidationError({"street": _("Unknown street.")})
        rows = [
            {**row, "amount_above": str(row["amount_above"]),
             "amount_upto": str(row["amount_upto"]) if row["amount_upto"] is not None else None}
            for row in data.validated_data["rows"]
        ]
        policy = services.policy_create_version(
            actor=request.user, street=street, effective_from=data.validated_data["effective_from"], rows=rows,
            note=data.validated_data["note"],
        )
        return Response(policy_data(policy), status=status.HTTP_201_CREATED)
