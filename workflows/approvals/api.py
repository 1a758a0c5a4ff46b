"""Shared task API: `/api/tasks/` and the task actions, for every registered process kind."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from viewflow.workflow.models import Task

from project.api import Conflict, IdField
from workflows.approvals import selectors, services
from workflows.approvals.errors import RateLimited, StaleState


class ApprovalErrorsMixin:
    """Map the engine's domain errors: stale state → 409, rate limit → 429 with Retry-After."""

    def handle_exception(self, exc):
        if isinstance(exc, RateLimited):
            response = Response({"detail": str(exc), "retry_after": exc.retry_after}, status=status.HTTP_429_TOO_MANY_REQUESTS)
            response["Retry-After"] = str(exc.retry_after)
            return response
        if isinstance(exc, StaleState):
            exc = Conflict(str(exc))
        return super().handle_exception(exc)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProcessRefSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = ProcessRefSerializer()
    step = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    assignee = UserRefSerializer()


def _task_row(row: dict) -> dict:
    task = row["task"]
    return {
        "id": task.pk,
        "process": {"kind": row["kind"].kind, "id": row["object"].pk},
        "step": row["step"],
        "title": row["title"],
        "url": row["url"],
        "created_at": task.created,
        "assignee": {"id": task.owner_id, "name": str(task.owner)},
    }


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TransferSerializer(CommentSerializer):
    to_user = IdField()


class TaskViewSet(ApprovalErrorsMixin, viewsets.ViewSet):
    """Open tasks of the current user and the decisions on them."""

    queryset = Task.objects.none()  # only tells the schema the id is an integer

    @extend_schema(operation_id="tasks_list", responses=TaskSerializer(many=True))
    def list(self, request):
        rows = selectors.open_tasks_for_user(user=request.user)
        return Response({"count": len(rows), "results": TaskSerializer([_task_row(r) for r in rows], many=True).data})

    def _act(self, request, pk, name, serializer_class=CommentSerializer):
        if not isinstance(request.data, dict):
            return Response({"detail": _("Send a JSON object.")}, status=400)
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        services.task_act(actor=request.user, task_id=pk, action=name, **data.validated_data)
        return Response({"detail": _("Done.")})

    @extend_schema(request=CommentSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(request, pk, "approve")

    @extend_schema(request=CommentSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(request, pk, "reject")

    @extend_schema(request=CommentSerializer, responses={200: None})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(request, pk, "return")

    @extend_schema(request=TransferSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return self._act(request, pk, "transfer", TransferSerializer)
