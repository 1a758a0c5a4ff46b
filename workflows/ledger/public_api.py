"""Public API of the books (公开): communities and their monthly disclosures, without login;
and the secretary's `POST /api/disclosures/` that publishes one."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from project.api import Conflict
from project.params import parse_id
from workflows.ledger import selectors, services
from workflows.ledger.disclosures import snapshot_of, verify
from workflows.org.models import Community


def disclosure_url(disclosure, request=None) -> str:
    path = reverse("public-disclosure", args=[disclosure.community.code, disclosure.pk])
    return request.build_absolute_uri(path) if request is not None else path


def disclosure_data(disclosure, request, *, previous_hash: str | None = None) -> dict:
    """One disclosure as the contract gives it: what the snapshot says, and `verified`
    recomputed from the stored snapshot (never a stored flag)."""
    if previous_hash is None:
        previous_hash = selectors.previous_hash_of(disclosure)
    snapshot = snapshot_of(disclosure)
    return {
        "id": disclosure.pk,
        "community": disclosure.community.code,
        "community_name": disclosure.community.name,
        "period": disclosure.period_text,
        "published_at": disclosure.published_at,
        "hash": disclosure.hash,
        "previous_hash": disclosure.previous_hash,
        "supersedes": disclosure.supersedes_id,
        "superseded_by": disclosure.superseded_by.pk if disclosure.is_superseded else None,
        "reason": disclosure.reason,
        "totals": snapshot.get("totals") or {"income": f"{disclosure.income_total:.2f}",
                                             "expense": f"{disclosure.expense_total:.2f}"},
        "carried": snapshot.get("carried"),
        "lines": snapshot.get("lines") or [],
        "verified": verify(disclosure, previous_hash).ok,
        "url": disclosure_url(disclosure, request),
    }


class PublicCommunitiesView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="public_communities", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response([{"code": c.code, "name": c.name} for c in selectors.public_communities()])


class PublicDisclosureListView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="public_disclosures", responses={200: OpenApiTypes.OBJECT},
                   parameters=[OpenApiParameter("community", str, required=True, description="community code")])
    def get(self, request):
        code = request.query_params.get("community")
        if not code:
            raise ValidationError({"community": [_("Name a community by its code.")]})
        community = selectors.public_community_get(code=code)
        disclosures = list(selectors.public_disclosures(community=community))
        # Newest first; each link's previous hash is the hash of the next row down.
        rows = []
        for i, disclosure in enumerate(disclosures):
            previous = disclosures[i + 1].hash if i + 1 < len(disclosures) else ""
            rows.append(disclosure_data(disclosure, request, previous_hash=previous))
        return Response(rows)


class PublicDisclosureDetailView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="public_disclosure", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        if parse_id(pk) is None:
            raise NotFound
        return Response(disclosure_data(selectors.public_disclosure_get(pk=pk), request))


class PublishSerializer(serializers.Serializer):
    community = serializers.CharField(help_text="community code (or id)")
    period = serializers.CharField(help_text="YYYY-MM")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def community_from_ref(raw) -> Community:
    """A community named by code or id in a write; unknown → 404 (like not yours)."""
    text = str(raw).strip() if isinstance(raw, int | str) and not isinstance(raw, bool) else ""
    pk = parse_id(text)
    community = (Community.objects.filter(pk=pk).first() if pk is not None
                 else Community.objects.filter(code=text).first() if text and len(text) <= 32 else None)
    if community is None:
        raise NotFound
    return community


class DisclosurePublishView(APIView):
    """Publish a month (the community's secretary): 404 for others, 400 for a bad period,
    409 for a month already published when no reason is given."""

    @extend_schema(operation_id="disclosure_publish", request=PublishSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = PublishSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        community = community_from_ref(data.validated_data["community"])
        try:
            disclosure = services.disclosure_publish(actor=request.user, community=community,
                                                     period=data.validated_data["period"],
                                                     reason=data.validated_data["reason"])
        except services.LedgerConflict as exc:
            raise Conflict(exc.message) from None
        return Response(disclosure_data(disclosure, request), status=status.HTTP_201_CREATED)
