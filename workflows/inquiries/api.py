"""Inquiry API: file, list, read with the timeline, and the resident's accept / escalate / urge.

Task actions (acknowledge, answer, extend) are the engine's `POST /api/tasks/{id}/<code>/`.
Not yours (or unknown) → 404; wrong state → 409; bad fields → 400 per field; urge too soon → 429.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from project.api import IdField
from project.limits import JSONParser
from workflows.approvals.actions import CommentSerializer
from workflows.approvals.api import ApprovalErrorsMixin
from workflows.inquiries import selectors, services
from workflows.inquiries.models import QUESTION_MAX, Inquiry
from workflows.ledger.public_api import community_from_ref


class InquiryCreateSerializer(serializers.Serializer):
    community = serializers.CharField(help_text="community code (or id)")
    ledger_line = IdField(required=False, allow_null=True)
    disclosure = IdField(required=False, allow_null=True)
    question = serializers.CharField(max_length=QUESTION_MAX)
    publish_consent = serializers.BooleanField(required=False, default=False)
    attachment = serializers.FileField(required=False, allow_null=True)


class EscalationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=QUESTION_MAX)


def _user_ref(user):
    return {"id": user.pk, "name": str(user)} if user is not None else None


def inquiry_data(inquiry: Inquiry, *, detail: bool = False, holder=False) -> dict:
    if holder is False:
        holder = selectors.holder_of(inquiry)
    data = {
        "id": inquiry.pk,
        "community": inquiry.community.code,
        "community_name": inquiry.community.name,
        "ledger_line": inquiry.ledger_line_id,
        "disclosure": inquiry.disclosure_id,
        "question": inquiry.question,
        # Those who may read the inquiry are its asker and the people who answer for the money.
        "submitter": _user_ref(inquiry.submitter),
        "publish_consent": inquiry.publish_consent,
        "state": inquiry.state,
        "state_label": str(inquiry.get_state_display()),
        "round": inquiry.round,
        "filed_at": inquiry.filed_at,
        "due_at": inquiry.due_at,
        "due_provisional": inquiry.due_provisional,
        "extended_days": inquiry.extended_days,
        "extension_reason": inquiry.extension_reason,
        "holder": {k: v for k, v in holder.items() if k in ("kind", "name", "step", "step_label", "due_at")} if holder else None,
        "outcome": inquiry.outcome,
        "answer": inquiry.answer,
        "answered_at": inquiry.answered_at,
        "correction_line": inquiry.correction_line_id,
        "correction_disclosure": inquiry.correction_disclosure_id,
        "resident_due_at": inquiry.resident_due_at,
        "closed_at": inquiry.closed_at,
        "closed_how": inquiry.closed_how,
        "published": inquiry.published,
        "has_attachment": bool(inquiry.attachment),
    }
    if detail:
        data["history"] = [{
            "action": row.action, "action_label": row.action_label, "actor": _user_ref(row.actor),
            "comment": row.comment, "step": row.step, "state_before": row.state_before,
            "state_after": row.state_after, "round": row.round, "at": row.created_at, "detail": row.detail,
        } for row in selectors.timeline_of(inquiry)]
    return data


class SignedInForListsAndFiling(BasePermission):
    """Lists and filing need a user; one inquiry is a 404 for anyone it is not for — anonymous
    readers included — so its existence never shows."""

    def has_permission(self, request, view):
        return view.detail or bool(request.user and request.user.is_authenticated)


class InquiryViewSet(ApprovalErrorsMixin, viewsets.ViewSet):
    queryset = Inquiry.objects.none()
    permission_classes = [SignedInForListsAndFiling]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(operation_id="inquiries_list", responses={200: OpenApiTypes.OBJECT})
    def list(self, request):
        rows = list(selectors.inquiries_for_user(user=request.user).order_by("-created_at", "-id")[:500])
        holders = selectors.holders_of(rows)
        return Response([inquiry_data(i, holder=holders[i.pk]) for i in rows])

    @extend_schema(operation_id="inquiries_create", request=InquiryCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def create(self, request):
        if not hasattr(request.data, "get"):
            raise ValidationError({"detail": [_("Send a JSON object.")]})
        body = InquiryCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        community = community_from_ref(values["community"])
        inquiry = services.inquiry_file(actor=request.user, community=community, question=values["question"],
                                        publish_consent=values["publish_consent"],
                                        ledger_line=values.get("ledger_line"), disclosure=values.get("disclosure"),
                                        attachment=values.get("attachment"))
        return Response(inquiry_data(inquiry), status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="inquiries_retrieve", responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request, pk=None):
        return Response(inquiry_data(selectors.inquiry_get_for_user(user=request.user, pk=pk), detail=True))

    def _verb(self, request, pk, serializer, service):
        inquiry = selectors.inquiry_get_for_user(user=request.user, pk=pk)
        body = serializer(data=request.data if hasattr(request.data, "get") else {})
        body.is_valid(raise_exception=True)
        inquiry = service(actor=request.user, inquiry=inquiry, **body.validated_data)
        return Response(inquiry_data(selectors.inquiry_get_for_user(user=request.user, pk=inquiry.pk), detail=True))

    @extend_schema(operation_id="inquiries_accept", request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._verb(request, pk, serializers.Serializer, services.inquiry_accept)

    @extend_schema(operation_id="inquiries_escalate", request=EscalationReasonSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return self._verb(request, pk, EscalationReasonSerializer, services.inquiry_escalate)

    @extend_schema(operation_id="inquiries_publish", request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """The secretary publishes an answered inquiry the resident agreed to publish (masked)."""
        return self._verb(request, pk, serializers.Serializer, services.inquiry_publish)

    @extend_schema(operation_id="inquiries_urge", request=CommentSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        return self._verb(request, pk, CommentSerializer, services.inquiry_urge)
