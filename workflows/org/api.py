from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from project.params import parse_id
from project.throttle import ClientRateThrottle
from workflows.org import selectors, services
from workflows.org.models import OpeningHours, OrgUnit, Room


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            return Response({"detail": _("Send a JSON object with username and password.")}, status=400)
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.user_authenticate(
                request=request,
                username=data.validated_data["username"],
                password=data.validated_data["password"],
                client_ip=services.client_ip_of(request),
            )
        except services.LoginThrottled as exc:
            return Response(
                {"detail": services.login_throttled_message(exc)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        except services.ValidationError as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class OrgUnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField()
    org_unit = OrgUnitRefSerializer()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    is_admin = serializers.BooleanField()
    roles = RoleSerializer(many=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "id": user.id,
                    "username": user.username,
                    "display_name": str(user),
                    "is_admin": selectors.is_system_admin(user),
                    "roles": selectors.org_units_for_user(user),
                }
            ).data
        )


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "kind", "code", "name", "name_en", "parent", "centre_name", "public_space_m2"]


class OrgUnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrgUnitSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.org_units_visible_to(self.request.user)

    def get_object(self):
        return selectors.org_unit_get_for_user(user=self.request.user, pk=self.kwargs["pk"])


class OpeningHoursSerializer(serializers.ModelSerializer):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes", "kind"]


class RoomSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    opening_hours = OpeningHoursSerializer(many=True, read_only=True)

    class Meta:
        model = Room
        fields = [
            "id", "community", "community_name", "name", "kind", "area_m2", "floor", "capacity",
            "for_lease", "note", "opening_hours",
        ]


class RoomViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RoomSerializer
    pagination_class = None

    def get_queryset(self):
        params = self.request.query_params
        for_lease = params.get("for_lease")
        raw = params.get("community")
        community = parse_id(raw)
        if raw not in (None, "") and community is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"community": [_("Enter a community id.")]})
        return selectors.room_list_for_user(
            user=self.request.user,
            community_id=community,
            for_lease=None if for_lease in (None, "") else for_lease in ("1", "true", "yes"),
        )

    def get_object(self):
        return selectors.room_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
