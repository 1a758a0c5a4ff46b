"""Shared task API: `/api/tasks/` and the task actions, for every registered process kind."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from viewflow.workflow.models import Task

from project.api import Conflict, IdField
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


class QueueUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class QueueSerializer(serializers.Serializer):
    role = serializers.CharField()
    role_label = serializers.CharField()
    org_unit = QueueUnitSerializer()


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    process = ProcessRefSerializer()
    step = serializers.CharField()
    step_label = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    assignee = UserRefSerializer(allow_null=True, help_text="null while the task waits in a role queue")
    queue = QueueSerializer(allow_null=True, help_text="the role queue holding the task, or null")
    due_at = serializers.DateTimeField(allow_null=True)
    due_provisional = serializers.BooleanField(help_text="the due date may still move (calendar not published)")
    overdue = serializers.BooleanField()
    actions = serializers.ListField(child=serializers.CharField(), help_text="task action codes you may post")
    on_behalf_of = UserRefSerializer(allow_null=True, help_text="代理: the holder whose deputy you are for this task")
    signers = UserRefSerializer(many=True, help_text="加签: who signs this task after its holder, in order")


class TaskPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.IntegerField(allow_null=True, help_text="the next page number, null on the last page")
    previous = serializers.IntegerField(allow_null=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="pass as ?cursor= for the next page")
    results = TaskSerializer(many=True)


def _task_row(row: dict) -> dict:
    task = row["task"]
    return {
        "id": task.pk,
        "process": {"kind": row["kind"].kind, "id": row["object"].pk},
        "step": row["step"],
        "step_label": row["step_label"],
        "title": row["title"],
        "url": row["url"],
        "created_at": task.created,
        "assignee": {"id": task.owner_id, "name": str(task.owner)} if task.owner_id else None,
        "queue": row["queue"],
        "due_at": row["due_at"],
        "due_provisional": row["due_provisional"],
        "overdue": row["overdue"],
        "actions": [a["code"] for a in row["actions"]],
        "on_behalf_of": row["on_behalf_of"],
        "signers": row["signers"],
    }


class BatchSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[("approve", "approve")], default="approve",
                                     error_messages={"invalid_choice": _l("Only approval can be batched.")})
    tasks = serializers.ListField(child=IdField(), min_length=1, max_length=services.MAX_BATCH)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TaskCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class BatchLineSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    status = serializers.IntegerField(help_text="200, or the 404/409/400 this task alone would have answered")
    detail = serializers.CharField()


class BatchResultSerializer(serializers.Serializer):
    results = BatchLineSerializer(many=True)


class TaskViewSet(ApprovalErrorsMixin, viewsets.ViewSet):
    """Open tasks of the current user (owned, and queued for a role they hold) and the actions on them."""

    queryset = Task.objects.none()  # only tells the schema the id is an integer

    @extend_schema(
        operation_id="tasks_list",
        parameters=[
            OpenApiParameter("kind", str, description="only tasks of this process kind (its code)"),
            OpenApiParameter("page", int, description=f"page number, {selectors.PAGE_SIZE} tasks a page"),
            OpenApiParameter("cursor", str, description="the next_cursor of the previous answer (keyset paging)"),
        ],
        responses=TaskPageSerializer,
    )
    def list(self, request):
        params = request.query_params
        errors, values = {}, {}
        for name, parse in (("kind", selectors.parse_kind), ("page", selectors.parse_page),
                            ("cursor", selectors.parse_cursor)):
            try:
                values[name] = parse(params.get(name))
            except selectors.BadParam as exc:
                errors[exc.field] = [str(exc.message)]
        if "page" in params and "cursor" in params and not errors:
            errors["cursor"] = [_("Use either page or cursor, not both.")]
        if errors:
            raise ValidationError(errors)
        page = selectors.open_tasks_for_user(user=request.user, **values)
        return Response(TaskPageSerializer({
            "count": page.count, "next": page.next, "previous": page.previous, "next_cursor": page.next_cursor,
            "results": [_task_row(r) for r in page.rows],
        }).data)

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
        if not actions.any_named(action_code):
            raise NotFound
        # The task first: someone else's is a 404 and a finished one a 409 whatever the body
        # says, and its kind decides which verb of that name this is.
        found = services.task_for_action(actor=request.user, task_id=pk)
        action_def = actions.get(action_code, found[1].kind)
        if action_def is None or action_def.handler is None:
            raise NotFound
        if not isinstance(request.data, dict):
            return Response({"detail": _("Send a JSON object.")}, status=400)
        data = action_def.serializer(data=request.data)
        if not data.is_valid():
            raise ValidationError(data.errors)
        services.task_act(actor=request.user, task_id=pk, action=action_code, prefetched=found, **data.validated_data)
        return Response({"detail": _("Done.")})

    @extend_schema(operation_id="tasks_count", responses=TaskCountSerializer)
    @action(detail=False, methods=["get"], url_path="count")
    def count(self, request):
        """The number of open tasks (owned and queued for your roles): the 待办 badge."""
        return Response({"count": selectors.open_task_count(user=request.user)})

    @extend_schema(operation_id="tasks_batch", request=BatchSerializer, responses=BatchResultSerializer)
    @action(detail=False, methods=["post"], url_path="batch")
    def batch(self, request):
        """批量同意: approve several tasks with one comment. Each task is its own transaction; the
        answer has one line per task with the status that task alone would have had (a stale
        task is a 409 line, not a failure of the batch). Only approve may be batched."""
        data = BatchSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        results = services.tasks_batch_approve(actor=request.user, task_ids=data.validated_data["tasks"],
                                               comment=data.validated_data["comment"])
        return Response(BatchResultSerializer({"results": results}).data)


# --- 代理: delegations ---------------------------------------------------------------------------


class DelegationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    delegator = UserRefSerializer(read_only=True)
    deputy = IdField(write_only=True)
    deputy_ref = UserRefSerializer(read_only=True, source="deputy_user")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    ended_at = serializers.DateTimeField(read_only=True)


def _delegation(d) -> dict:
    return {"id": d.pk, "delegator": {"id": d.delegator_id, "name": str(d.delegator)},
            "deputy_user": {"id": d.deputy_id, "name": str(d.deputy)}, "starts_on": d.starts_on, "ends_on": d.ends_on,
            "reason": d.reason, "ended_at": d.ended_at}


class DelegationViewSet(viewsets.ViewSet):
    """代理: the delegations you gave or hold. While one covers today, tasks created for you go
    to your deputy, who signs in your name (the history says so)."""

    queryset = Task.objects.none()

    @extend_schema(operation_id="delegations_list", responses=DelegationSerializer(many=True))
    def list(self, request):
        return Response(DelegationSerializer([_delegation(d) for d in selectors.delegations_of(user=request.user)],
                                              many=True).data)

    @extend_schema(operation_id="delegations_create", request=DelegationSerializer, responses={201: DelegationSerializer})
    def create(self, request):
        data = DelegationSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        delegation = services.delegation_create(actor=request.user, **data.validated_data)
        return Response(DelegationSerializer(_delegation(delegation)).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="delegations_end", request=None, responses=DelegationSerializer)
    @action(detail=True, methods=["post"], url_path="end")
    def end(self, request, pk=None):
        # Another's delegation is a 404 (project.api maps the service's PermissionDenied).
        delegation = services.delegation_end(actor=request.user, pk=pk)
        return Response(DelegationSerializer(_delegation(delegation)).data)
