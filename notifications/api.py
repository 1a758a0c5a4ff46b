"""REST for the inbox. Every query is the caller's own rows; another user's id is a 404."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from notifications import kinds, selectors, services
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "read"]

    def _texts(self, obj) -> tuple[str, str]:
        # Rendered in the request's language (LocaleMiddleware), from the kind's templates.
        if not hasattr(obj, "_texts"):
            obj._texts = kinds.render(obj.kind, obj.params)
        return obj._texts

    def get_title(self, obj) -> str:
        return self._texts(obj)[0]

    def get_body(self, obj) -> str:
        return self._texts(obj)[1]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class NewestFirst(CursorPagination):
    ordering = "-id"
    page_size = 50


UnreadCount = inline_serializer("NotificationUnreadCount", {"unread": serializers.IntegerField()})


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    pagination_class = NewestFirst
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_queryset(self):
        unread = self.request.query_params.get("unread") in ("1", "true", "yes")
        return selectors.notification_list_for_user(user=self.request.user, unread=unread)

    def get_object(self):
        return selectors.notification_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread notifications.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        row = services.notification_mark_read(actor=request.user, pk=pk)
        return Response(NotificationSerializer(row).data)

    @extend_schema(request=None, responses={200: inline_serializer("NotificationReadAll", {"marked": serializers.IntegerField()})})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notification_mark_all_read(actor=request.user)})

    @extend_schema(responses={200: UnreadCount})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user_id=request.user.pk)})
