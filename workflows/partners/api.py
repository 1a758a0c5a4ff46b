"""Partner API (see the app README for the endpoints). Public reads are anonymous and carry no
personal data; the rest is scoped by the selectors; errors: not yours 404, wrong state 409."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from project.api import IdField
from workflows.approvals.actions import label as action_label
from workflows.approvals.api import ApprovalErrorsMixin
from workflows.org.models import Community
from workflows.partners import selectors, services
from workflows.partners.categories import ServiceCategory, TargetGroup
from workflows.partners.models import Application, Call, Partner

# --- representations -------------------------------------------------------------------------


def call_dict(call: Call) -> dict:
    return {"id": call.pk, "title": call.title, "body": call.body, "state": call.state,
            "communities": [c.code for c in call.communities.all()], "categories": call.categories,
            "opens_on": call.opens_on, "closes_on": call.closes_on, "notice_working_days": call.notice_working_days,
            "open": services.call_is_open(call)}


def notice_dict(notice) -> dict | None:
    if notice is None:
        return None
    return {"starts_on": notice.starts_on, "ends_on": notice.ends_on, "working_days": notice.working_days,
            "days_left": selectors.notice_days_left(notice), "suspended": notice.suspended,
            "outcome": notice.outcome or None}


def public_notice_dict(notice) -> dict:
    application = notice.application
    return {"application": application.pk, "community": notice.community.code, "name": application.public_name,
            "kind": application.applicant_kind, "state": application.state,
            "services": [{"name": s.get("name"), "category": s.get("category"), "paid": s.get("paid") == "paid",
                          "price": s.get("price"), "target": s.get("target")} for s in application.services],
            "outcome_reason": application.outcome_reason if notice.outcome == "rejected" else "",
            **notice_dict(notice),
            "objections": [{"filed_at": o.created_at, "reason": o.reason, "state": o.state, "reply": o.reply}
                           for o in selectors.public_objections(notice)]}


def service_dict(service) -> dict:
    return {"id": service.pk, "name": service.name, "category": service.category,
            "category_label": str(service.get_category_display()), "paid": service.paid,
            "price": str(service.price) if service.price is not None else None, "target": service.target,
            "target_label": str(service.get_target_display()), "partner": service.partner.public_name,
            "community": service.community.code}


def _history_dict(row) -> dict:
    return {"action": row.action, "action_label": action_label(row.action), "actor": str(row.actor) if row.actor else None,
            "comment": row.comment, "state_before": row.state_before, "state_after": row.state_after, "step": row.step,
            "created_at": row.created_at, "detail": row.detail}


def application_dict(application, *, full: bool = False) -> dict:
    from workflows.approvals.route import RouteState

    data = {"id": application.pk, "call": application.call_id, "community": application.community.code,
            "state": application.state, "state_label": str(application.get_state_display()),
            "kind": application.applicant_kind, "name": application.name, "round": application.round,
            "route": list(application.steps), "created_at": application.created_at}
    if full:
        notice = getattr(application, "notice", None) if hasattr(application, "notice") else None
        current = []
        if application.process_id is not None:
            from workflows.approvals.services import open_tasks

            current = sorted({t.data.get("step", "") for t in open_tasks(application)})
        data.update({
            "data": application.data, "mobile": application.mobile, "identifier": application.identifier,
            "outcome_reason": application.outcome_reason, "current_steps": current,
            "history": [_history_dict(r) for r in selectors.application_history(application)],
            "notice": notice_dict(notice),
            "objections": [{"id": o.pk, "reason": o.reason, "state": o.state, "reply": o.reply,
                            "filed_at": o.created_at} for o in application.objections.all()],
        })
        if application.process_id is not None:
            data["route_state"] = {"round": RouteState.of(application.process).round}
    return data


def partner_dict(partner, *, full: bool = False) -> dict:
    data = {"id": partner.pk, "community": partner.community.code, "name": partner.public_name, "kind": partner.kind,
            "state": partner.state, "agreement": partner.agreement.number, "starts_on": partner.agreement.starts_on,
            "ends_on": partner.term_ends_on, "reason": partner.reason}
    if full:
        data["services"] = [{"id": s.pk, "name": s.name, "category": s.category, "paid": s.paid,
                             "price": str(s.price) if s.price is not None else None, "target": s.target,
                             "listed": s.listed, "expected_revenue": str(s.expected_revenue)}
                            for s in partner.services.all()]
        data["history"] = [_history_dict(r) for r in selectors.partner_history(partner)]
    return data


def _community_param(request) -> Community | None:
    code = request.query_params.get("community", "")
    return selectors.community_by_code(code) if code else None


# --- public ----------------------------------------------------------------------------------


class PublicCallsView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=None, operation_id="partner_public_calls", responses=OpenApiTypes.OBJECT, parameters=[OpenApiParameter("community", str, description="community code")])
    def get(self, request):
        return Response([call_dict(c) for c in selectors.public_calls(community=_community_param(request))[:200]])


class PublicNoticesView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=None, operation_id="partner_public_notices", responses=OpenApiTypes.OBJECT, parameters=[OpenApiParameter("community", str, description="community code")])
    def get(self, request):
        return Response([public_notice_dict(n) for n in selectors.public_notices(community=_community_param(request))[:200]])


class PublicCatalogueView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=None, operation_id="partner_public_catalogue", responses=OpenApiTypes.OBJECT, parameters=[OpenApiParameter("community", str), OpenApiParameter("target", str), OpenApiParameter("paid", str), OpenApiParameter("category", str)])
    def get(self, request):
        params = request.query_params
        target, paid, category = params.get("target", ""), params.get("paid", ""), params.get("category", "")
        errors = {}
        if target and target not in TargetGroup.values:
            errors["target"] = [_("Unknown target group.")]
        if paid and paid not in ("paid", "free", "true", "false", "1", "0"):
            errors["paid"] = [_("Use paid or free.")]
        if category and category not in ServiceCategory.values:
            errors["category"] = [_("Unknown category.")]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        rows = selectors.catalogue(community=_community_param(request), target=target, paid=paid, category=category)
        return Response([service_dict(s) for s in rows[:1000]])


# --- sign-up -----------------------------------------------------------------------------------


class SignupThrottle(AnonRateThrottle):
    scope = "signup"


class SignupSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=50)
    display_name = serializers.CharField(max_length=100)
    mobile = serializers.CharField(max_length=20)
    password = serializers.CharField(max_length=128, write_only=True)


class SignupView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [SignupThrottle]

    @extend_schema(request=SignupSerializer, operation_id="auth_signup", responses=OpenApiTypes.OBJECT)
    def post(self, request):
        body = SignupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.user_signup(**body.validated_data)
        return Response({"id": user.pk, "username": user.username, "display_name": user.display_name},
                        status=status.HTTP_201_CREATED)


# --- calls, applications, partners ------------------------------------------------------------


class CallCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10000)
    communities = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=50)
    categories = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    notice_working_days = serializers.IntegerField(min_value=1, max_value=30, required=False, default=5)


def _communities(values) -> list[Community]:
    """Communities by code or id; an unknown one is a 400 on the field."""
    found = []
    for value in values:
        text = str(value)
        community = (Community.objects.filter(pk=int(text)).first() if text.isascii() and text.isdigit() and
                     len(text) < 12 else Community.objects.filter(code=text).first())
        if community is None:
            raise serializers.ValidationError({"communities": [_("Unknown community %(code)s.") % {"code": text[:64]}]})
        found.append(community)
    return found


class CallViewSet(ApprovalErrorsMixin, viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    queryset = Call.objects.none()  # only tells the schema the id is an integer

    @extend_schema(request=None, operation_id="partner_calls_list", responses=OpenApiTypes.OBJECT, parameters=[OpenApiParameter("community", str, description="community code")])
    def list(self, request):
        return Response([call_dict(c) for c in selectors.public_calls(community=_community_param(request))[:200]])

    @extend_schema(request=CallCreateSerializer, operation_id="partner_calls_create", responses=OpenApiTypes.OBJECT)
    def create(self, request):
        body = CallCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        values["communities"] = _communities(values["communities"])
        call = services.call_create(actor=request.user, **values)
        return Response(call_dict(call), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, operation_id="partner_calls_close", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        call = selectors.public_calls().filter(pk=IdField().to_internal_value(pk)).first()
        if call is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        call = services.call_close(actor=request.user, call=call)
        return Response(call_dict(call))


class ApplicationCreateSerializer(serializers.Serializer):
    call = IdField()
    community = serializers.CharField(max_length=64, required=False)
    data = serializers.DictField()


class ApplicationResubmitSerializer(serializers.Serializer):
    data = serializers.DictField(required=False)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ApplicationCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ObjectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    attachment = serializers.FileField(required=False)


class PartnerReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ApplicationViewSet(ApprovalErrorsMixin, viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    queryset = Application.objects.none()  # only tells the schema the id is an integer

    @extend_schema(request=None, operation_id="partner_applications_list", responses=OpenApiTypes.OBJECT)
    def list(self, request):
        rows = selectors.applications_for_user(user=request.user).order_by("-created_at", "-id")[:500]
        return Response([application_dict(a) for a in rows])

    @extend_schema(request=None, operation_id="partner_applications_retrieve", responses=OpenApiTypes.OBJECT)
    def retrieve(self, request, pk=None):
        return Response(application_dict(selectors.application_get_for_user(user=request.user, pk=pk), full=True))

    @extend_schema(request=ApplicationCreateSerializer, operation_id="partner_applications_create", responses=OpenApiTypes.OBJECT)
    def create(self, request):
        body = ApplicationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call = selectors.public_calls().filter(pk=body.validated_data["call"]).first()
        if call is None:
            raise serializers.ValidationError({"call": [_("Unknown call.")]})
        community = None
        if body.validated_data.get("community"):
            community = _communities([body.validated_data["community"]])[0]
        application = services.application_create(actor=request.user, call=call, community=community,
                                                   data=body.validated_data["data"])
        return Response(application_dict(application), status=status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationResubmitSerializer, operation_id="partner_applications_resubmit", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        application = selectors.application_get_for_user(user=request.user, pk=pk)
        body = ApplicationResubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = services.application_resubmit(actor=request.user, application=application,
                                                     data=body.validated_data.get("data"),
                                                     comment=body.validated_data["comment"])
        return Response(application_dict(application))

    def _with_comment(self, request, pk, service):
        """An application verb that takes only a comment (urge, comment, withdraw)."""
        application = selectors.application_get_for_user(user=request.user, pk=pk)
        body = ApplicationCommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        application = service(actor=request.user, application=application, comment=body.validated_data["comment"])
        return Response(application_dict(application))

    @extend_schema(request=ApplicationCommentSerializer, operation_id="partner_applications_urge",
                   responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        return self._with_comment(request, pk, services.application_urge)

    @extend_schema(request=ApplicationCommentSerializer, operation_id="partner_applications_comment",
                   responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        return self._with_comment(request, pk, services.application_comment)

    @extend_schema(request=ApplicationCommentSerializer, operation_id="partner_applications_withdraw", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._with_comment(request, pk, services.application_withdraw)

    @extend_schema(request=ObjectionSerializer, operation_id="partner_applications_objections", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        # Anyone logged in may object to an application on a notice board, not only those who
        # can see the application itself.
        application_id = IdField().to_internal_value(pk) if str(pk).isdigit() and len(str(pk)) < 19 else None
        if application_id is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        body = ObjectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            objection = services.objection_file(actor=request.user, application_id=application_id,
                                                reason=body.validated_data["reason"],
                                                attachment=body.validated_data.get("attachment"))
        return Response({"id": objection.pk, "state": objection.state}, status=status.HTTP_201_CREATED)


class PartnerViewSet(ApprovalErrorsMixin, viewsets.ViewSet):
    permission_classes = [IsAuthenticated]
    queryset = Partner.objects.none()  # only tells the schema the id is an integer

    @extend_schema(request=None, operation_id="partners_list", responses=OpenApiTypes.OBJECT, parameters=[OpenApiParameter("community", str, description="community code")])
    def list(self, request):
        rows = selectors.partners_for_user(user=request.user, community=_community_param(request))[:1000]
        return Response([partner_dict(p) for p in rows])

    @extend_schema(request=None, operation_id="partners_retrieve", responses=OpenApiTypes.OBJECT)
    def retrieve(self, request, pk=None):
        return Response(partner_dict(selectors.partner_get_for_user(user=request.user, pk=pk), full=True))

    def _change(self, request, pk, service, body_class):
        partner = selectors.partner_get_for_user(user=request.user, pk=pk)
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        partner = service(actor=request.user, partner_id=partner.pk, reason=body.validated_data["reason"])
        return Response(partner_dict(partner, full=True))

    @extend_schema(request=PartnerReasonSerializer, operation_id="partners_suspend", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._change(request, pk, services.partner_suspend, PartnerReasonSerializer)

    @extend_schema(request=OptionalReasonSerializer, operation_id="partners_resume", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._change(request, pk, services.partner_resume, OptionalReasonSerializer)

    @extend_schema(request=PartnerReasonSerializer, operation_id="partners_exit", responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], url_path="exit")
    def exit_(self, request, pk=None):
        return self._change(request, pk, services.partner_exit, PartnerReasonSerializer)
