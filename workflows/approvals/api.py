"""Shared task API: `/api/tasks/` and the task actions, for every registered process kind."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from viewflow.workflow.models import Task

from project.api import Conflict
from workflows.approvals import actions, selectors, services
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


class TaskViewSet(ApprovalErrorsMixin, viewsets.ViewSet):
    """Open tasks of the current user and the decisions on them."""

    queryset = Task.objects.none()  # only tells the schema the id is an integer

    @extend_schema(operation_id="tasks_list", responses=TaskSerializer(many=True))
    def list(self, request):
        rows = selectors.open_tasks_for_user(user=request.user)
        return Response({"count": len(rows), "results": TaskSerializer([_task_row(r) for r in rows], many=True).data})

    @extend_schema(
        operation_id="tasks_act",
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH,
                                     description="A registered task action: approve, reject, return, transfer, claim, "
                                                 "or one a process registers (answer, ...)")],
        request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"], url_path=r"(?P<action_code>[a-z_]{1,40})")
    def act(self, request, pk=None, action_code=None):
        """Every registered task action, validated by the action's own serializer."""
        action_def = actions.get(action_code)
        if action_def is None or action_def.handler is None:
            raise NotFound
        if not isinstance(request.data, dict):
            return Response({"detail": _("Send a JSON object.")}, status=400)
        data = action_def.serializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.task_act(actor=request.user, task_id=pk, action=action_code, **data.validated_data)
        return Response({"detail": _("Done.")})
