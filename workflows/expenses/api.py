"""Expense API (see the app README for the endpoints)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from workflows.approvals.api import ApprovalErrorsMixin, CommentSerializer
from workflows.expenses import selectors, services
from workflows.expenses.models import MAX_AMOUNT
from workflows.expenses.states import ExpenseState
from workflows.ledger.categories import ExpenseCategory
from workflows.org.models import Community


class ExpenseCreateSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT)
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    payee = serializers.CharField(max_length=150)
    purpose = serializers.CharField(max_length=500)
    cc = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=50)


class ResubmitSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"), max_value=MAX_AMOUNT, required=False)
    category = serializers.ChoiceField(choices=ExpenseCategory.choices, required=False)
    payee = serializers.CharField(max_length=150, required=False)
    purpose = serializers.CharField(max_length=500, required=False)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RequiredCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class PaySerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    voucher_number = serializers.CharField(max_length=64)
    scan = serializers.FileField(required=False)


def _user(u) -> dict | None:
    return {"id": u.pk, "name": str(u)} if u else None


def expense_data(expense, *, with_history: bool = False) -> dict:
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
        "route": selectors.route_for_request(expense),
        "paid_on": expense.paid_on.isoformat() if expense.paid_on else None,
        "voucher_number": expense.voucher_number,
        "created_at": expense.created_at,
        "title": expense.title,
    }
    if with_history:
        data["history"] = [
            {
                "id": h.pk,
                "actor": _user(h.actor),
                "action": h.action,
                "action_label": str(h.get_action_display()),
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

    @extend_schema(parameters=[OpenApiParameter("state", str), OpenApiParameter("community", int)])
    def list(self, request):
        state = request.query_params.get("state") or None
        if state is not None and state not in ExpenseState.values:
            raise serializers.ValidationError({"state": _("Unknown state.")})
        community = request.query_params.get("community") or None
        if community is not None and not community.isdigit():
            raise serializers.ValidationError({"community": _("Enter a community id.")})
        qs = selectors.expense_list_for_user(user=request.user, state=state, community_id=community)
        rows = [expense_data(e) for e in qs.prefetch_related("cc")[:200]]
        return Response({"count": len(rows), "results": rows})

    def retrieve(self, request, pk=None):
        expense = selectors.expense_get_for_user(user=request.user, pk=pk)
        return Response(expense_data(expense, with_history=True))

    @extend_schema(request=ExpenseCreateSerializer)
    def create(self, request):
        data = self._body(request, ExpenseCreateSerializer)
        community = Community.objects.filter(pk=data["community"]).first()
        if community is None:
            raise serializers.ValidationError({"community": _("Unknown community.")})
        expense = services.expense_create(
            actor=request.user, community=community, amount=data["amount"], category=data["category"],
            payee=data["payee"], purpose=data["purpose"], cc=data["cc"],
        )
        return Response(expense_data(expense, with_history=True), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("community", int), OpenApiParameter("amount", str), OpenApiParameter("category", str)])
    @action(detail=False, methods=["get"], url_path="route-preview")
    def route_preview(self, request):
        params = request.query_params
        return Response(selectors.route_preview(
            user=request.user, community_id=params.get("community"), amount=params.get("amount", ""),
            category=params.get("category", ""),
        ))

    def _act(self, request, pk, fn, serializer_class, **extra):
        expense = selectors.expense_get_for_user(user=request.user, pk=pk)
        data = self._body(request, serializer_class)
        expense = fn(actor=request.user, request=expense, **data, **extra)
        return Response(expense_data(expense, with_history=True))

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, pk, services.expense_withdraw, CommentSerializer)

    @extend_schema(request=CommentSerializer)
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        return self._act(request, pk, services.expense_urge, CommentSerializer)

    @extend_schema(request=RequiredCommentSerializer)
    @action(detail=True, methods=["post"])
    def comments(self, request, pk=None):
        return self._act(request, pk, services.expense_comment, RequiredCommentSerializer)

    @extend_schema(request=ResubmitSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self._act(request, pk, services.expense_resubmit, ResubmitSerializer)

    @extend_schema(request=PaySerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._act(request, pk, services.expense_pay, PaySerializer)



