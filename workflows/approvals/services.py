"""Every write of the approval engine: task actions, route start and cancel, and the
request-level verbs every process shares (withdraw, urge, comment, CC).

Process services call `route_start`, `process_withdraw`, ... with their object already locked,
inside their own transaction; `task_act` is the one entry for task actions, whatever process
the task belongs to. Lock order is always the same: the process's object, then the task, then
viewflow's process row — for a person and for the timer alike.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django_fsm import TransitionNotAllowed
from rest_framework.serializers import ListField
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from project.lib.prepared import PreparedQuery
from project.text import check_free_text
from workflows.approvals import actions, events, fastpath, history, registry, route
from workflows.approvals.deadlines import describe, reminders_for
from workflows.approvals.errors import RateLimited, StaleState
from workflows.approvals.events import EventKind
from workflows.approvals.models import Delegation, HistoryEntry, RouteTask
from workflows.approvals.nodes import links_deferred
from workflows.org.models import RoleMembership, User
from workflows.org.roles import COMMUNITY_WORK_ROLES, Role
from workflows.org.selectors import has_role, holders_of

URGE_INTERVAL = dt.timedelta(hours=4)


@dataclass
class ActionContext:
    """What a task action works on: all of it locked, in the engine's lock order."""

    kind: registry.ProcessKind
    obj: object
    task: Task
    actor: User | None  # None: the system (a timer)


# --- helpers shared by every write ----------------------------------------------------------


def perform(kind: registry.ProcessKind, obj, *, actor: User | None, action: str, work: Callable[[], None],
            comment: str = "", step: str = "", task_id: int | None = None, detail: dict | None = None) -> None:
    """Run `work` (which may drive the flow), then write the action's row and the route's rows."""
    before = obj.state
    with history.deferred() as engine_rows, route.binding(obj), links_deferred():
        try:
            work()
        except TransitionNotAllowed:
            raise StaleState(_("This action is no longer possible in the request's current state.")) from None
    history.record(route.row(kind, obj, action, actor_id=actor.pk if actor else None, comment=comment,
                             state_before=before, state_after=obj.state, step=step, task_id=task_id, detail=detail))
    history.flush(engine_rows)


def open_tasks(obj):
    if obj.process_id is None:
        return Task.objects.none()
    return Task.objects.filter(process_id=obj.process_id, status=STATUS.NEW)


def _close_route_tasks(kind: registry.ProcessKind, obj, task_ids=None) -> None:
    rows = RouteTask.objects.filter(process_kind=kind.kind, process_id=obj.pk, closed_at__isnull=True)
    if task_ids is not None:
        rows = rows.filter(task_id__in=task_ids)
    rows.update(closed_at=timezone.now())


def _has_route_task(kind: registry.ProcessKind, task: Task) -> bool:
    step = kind._steps.get(task.data.get("step", ""))
    return step is not None and (step.queue or step.deadline is not None)


# --- route start and cancel -----------------------------------------------------------------


def route_start(kind: registry.ProcessKind, obj, *, actor: User, action: str, comment: str = "",
                detail: dict | None = None, before: Callable[[], None] | None = None) -> None:
    """Start a new route for `obj` (already saved, in its open state after `before`)."""

    def work():
        if before is not None:
            before()
        state = route.RouteState(
            object_id=obj.pk, steps=list(obj.steps), submitter_id=obj.submitter_id,
            community_id=kind.community_id(obj), street_id=kind.street_id(obj), round=obj.round,
            filed_at=timezone.now().isoformat(), watchers=list(dict.fromkeys(kind.watchers(obj))),
        )
        process = kind.flow_class.start.run(_process_data=state.dump())
        # The flow may already have finished (every step passed automatically) and moved the
        # object on; only the link to its route is written here.
        obj.process = process
        kind.model.objects.filter(pk=obj.pk).update(process=process)

    with events.batched():
        perform(kind, obj, actor=actor, action=action, work=work, comment=comment, detail=detail)


def route_cancel(kind: registry.ProcessKind, obj) -> list[int]:
    """Cancel the open tasks of the current route; returns their owners."""
    owners = list(open_tasks(obj).exclude(owner_id=None).values_list("owner_id", flat=True))
    if obj.process_id is not None:
        process = Process.objects.get(pk=obj.process_id)
        kind.flow_class.instance.cancel(process)
        _close_route_tasks(kind, obj)
    return owners


# --- request-level verbs ----------------------------------------------------------------------


def has_human_decision(*, process_kind: str, process_id: int, round: int) -> bool:
    return HistoryEntry.objects.filter(
        process_kind=process_kind, process_id=process_id, round=round, action__in=actions.decision_codes()
    ).exists()


def urge_check(*, process_kind: str, process_id: int, at: dt.datetime | None = None) -> None:
    """Raise RateLimited when the request was urged less than URGE_INTERVAL ago."""
    at = at or timezone.now()
    last = (
        HistoryEntry.objects.filter(process_kind=process_kind, process_id=process_id, action=actions.URGE.code)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is not None and at - last < URGE_INTERVAL:
        wait = int((last + URGE_INTERVAL - at).total_seconds()) + 1
        raise RateLimited(_("This request was urged recently; you can urge again later."), retry_after=wait)


def _own_open(kind: registry.ProcessKind, obj, actor: User, message: str) -> None:
    if obj.submitter_id != actor.pk:
        raise PermissionDenied
    if obj.state not in kind.open_states:
        raise StaleState(message)


def process_withdraw(kind: registry.ProcessKind, obj, *, actor: User, comment: str = "") -> None:
    """The submitter takes the request back before anyone has decided (`obj` locked)."""
    _own_open(kind, obj, actor, _("Only a request waiting for approval can be withdrawn."))
    if has_human_decision(process_kind=kind.kind, process_id=obj.pk, round=obj.round):
        raise StaleState(_("Someone has already decided on this request; it can no longer be withdrawn."))
    owners = []

    def work():
        owners.extend(route_cancel(kind, obj))
        route.transition(kind, obj, "withdrawn")

    with events.batched():
        perform(kind, obj, actor=actor, action=actions.WITHDRAW.code, work=work, comment=comment)
        route.emit(kind, obj, EventKind.WITHDRAWN, actor=actor, user_ids=tuple(owners), comment=comment)


def process_urge(kind: registry.ProcessKind, obj, *, actor: User, comment: str = "") -> None:
    _own_open(kind, obj, actor, _("Only a request waiting for approval can be urged."))
    urge_check(process_kind=kind.kind, process_id=obj.pk)
    owners = tuple(open_tasks(obj).exclude(owner_id=None).values_list("owner_id", flat=True))
    with events.batched():
        perform(kind, obj, actor=actor, action=actions.URGE.code, work=lambda: None, comment=comment,
                detail={"users": list(owners)})
        route.emit(kind, obj, EventKind.URGED, actor=actor, user_ids=owners, comment=comment)


def clean_comment(comment) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Write a comment.")})
    if len(comment) > 2000:
        raise ValidationError({"comment": _("At most 2000 characters.")})
    check_free_text(comment, field="comment")
    return comment


def process_comment(kind: registry.ProcessKind, obj, *, actor: User, comment: str) -> None:
    """A comment on the request (visibility checked by the caller), told to everyone involved."""
    owners = open_tasks(obj).exclude(owner_id=None).values_list("owner_id", flat=True)
    recipients = tuple(u for u in dict.fromkeys([*route.watchers(kind, obj), *owners]) if u != actor.pk)
    with events.batched():
        perform(kind, obj, actor=actor, action=actions.COMMENT.code, work=lambda: None, comment=comment)
        route.emit(kind, obj, EventKind.COMMENTED, actor=actor, user_ids=recipients, comment=comment)


def process_cc(kind: registry.ProcessKind, obj, *, actor: User, users: list[User]) -> None:
    history.record(route.row(kind, obj, actions.CC.code, actor_id=actor.pk,
                             detail={"users": [u.pk for u in users], "names": [str(u) for u in users]}))


# --- task actions -----------------------------------------------------------------------------


def _queue_task_of(task_id: int) -> RouteTask | None:
    return RouteTask.objects.filter(task_id=task_id, queue=True, closed_at__isnull=True).first()


def task_for_action(*, actor, task_id) -> tuple[Task, registry.ProcessKind]:
    """The actor's task, or an open queue task of a role the actor holds.

    Someone else's (or unknown) → 404; finished → 409. Not locked here: `task_act` locks the
    object first and then the task, so every action takes locks in the same order.
    """
    try:
        task_id = int(task_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < task_id < 2**63:
        raise Http404
    found = _TASK_WITH_PROCESS(task_id)
    task = found[0] if found else None
    if task is None or actor is None or not actor.is_authenticated:
        raise Http404
    kind = registry.kind_for_process(task.process)
    if kind is None:
        raise Http404
    if task.owner_id != actor.pk:
        queued = _queue_task_of(task.pk) if task.owner_id is None else None
        if queued is None or not any(has_role(actor, role, queued.org_unit_id)
                                     for role in kind.queue_holds(queued.step, queued.role)):
            raise Http404
    if task.status != STATUS.NEW:
        raise StaleState(_("This task is already finished."))
    return task, kind


# The two reads every task action starts with, compiled once (project/lib/prepared.py).
_TASK_WITH_PROCESS = PreparedQuery(lambda pk: Task.objects.select_related("process").filter(pk=pk))
_OBJECT_LOCKS: dict[str, PreparedQuery] = {}


def _object_lock_query(kind: registry.ProcessKind) -> PreparedQuery:
    query = _OBJECT_LOCKS.get(kind.kind)
    if query is None:
        query = _OBJECT_LOCKS[kind.kind] = PreparedQuery(
            lambda process_id: kind.model.objects.select_for_update(of=("self",))
            .select_related(*kind.select_related).filter(process_id=process_id)
        )
    return query


def _lock(kind: registry.ProcessKind, task: Task, *, reread: bool = True) -> tuple[object, Task]:
    """Lock the object, then the task; both must still be open (another action may have won)."""
    # Only the object's row is locked (of=self: PostgreSQL cannot lock the nullable side of an
    # outer join, such as an optional form). Every writer of a route takes this lock first, so
    # viewflow's own process lock is not taken again (nodes.ApprovalStep.run).
    found = _object_lock_query(kind)(task.process_id)
    obj = found[0] if found else None
    if obj is None:
        raise StaleState(_("This task is already finished."))
    fresh = task
    if reread:
        fresh = Task.objects.select_for_update().select_related("process").filter(pk=task.pk).first()
        if fresh is None or fresh.status != STATUS.NEW:
            raise StaleState(_("This task is already finished."))
        # The actor was allowed on the task as it was read before the lock; if it was taken,
        # transferred or escalated since, that permission no longer holds.
        if fresh.owner_id != task.owner_id:
            raise StaleState(_("This task has moved on to someone else; reload and try again."))
    if obj.state not in kind.open_states:
        raise StaleState(_("This request is no longer waiting for approval."))
    route.remember_loaded(obj)
    return obj, fresh


def task_act(*, actor, task_id, action: str, prefetched: tuple | None = None, **fields) -> None:
    """Run a registered task action on a task (one transaction, one history row and its events).

    `prefetched` is what `task_for_action` already returned for this actor and task (the API
    and the pages look the task up first to answer 404/409 before any 400): it is not read
    twice. Nothing is decided on it that the lock and the conditional UPDATE do not check again."""
    with transaction.atomic():
        task, kind = prefetched or task_for_action(actor=actor, task_id=task_id)
        action_def = actions.get(action, kind.kind)
        # Claiming belongs to the queue, not to a process: every queue task may be claimed; 加签
        # belongs to the engine (unless the step offers only its own verbs).
        step_code = task.data.get("step", "")
        allowed = actions.task_codes(kind.step_actions(step_code), queued=task.owner_id is None,
                                     engine=not kind.step_restricted(step_code))
        if action_def is None or action_def.handler is None or action not in allowed:
            raise Http404
        obj, task = _lock(kind, task, reread=not action_def.finishes_task)
        with events.batched():
            action_def.handler(ActionContext(kind=kind, obj=obj, task=task, actor=actor), **fields)


def is_task_action(code: str) -> bool:
    return any(a.handler is not None for a in actions.any_named(code))


def task_act_from_form(*, actor, task_id, action: str, data) -> None:
    """A task action posted from a page: the same serializer as the API validates the fields,
    and its field messages come back as a ValidationError the page shows inline."""
    found = task_for_action(actor=actor, task_id=task_id)  # not yours: 404, finished: 409, before any 400
    action_def = actions.get(action, found[1].kind)
    if action_def is None or action_def.handler is None:
        raise Http404
    serializer_fields = action_def.serializer().fields
    fields = {}
    for name, field in serializer_fields.items():
        # A list field (the people added by 加签) comes as repeated form values.
        value = data.getlist(name) if isinstance(field, ListField) and hasattr(data, "getlist") else data.get(name)
        if value not in (None, "", []):
            fields[name] = value
    serializer = action_def.serializer(data=fields)
    if not serializer.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in serializer.errors.items()})
    task_act(actor=actor, task_id=task_id, action=action, prefetched=found, **serializer.validated_data)


def _take_queue_task(ctx: ActionContext) -> None:
    """A holder acting on a queue task takes it first (the edge rules apply to them too)."""
    if ctx.task.owner_id is not None or ctx.actor is None:
        return
    state = route.RouteState.of(ctx.task.process)
    if ctx.actor.pk == state.submitter_id:
        raise ValidationError({"task": _("The submitter cannot decide on their own request.")})
    if ctx.actor.pk == state.last_signer:
        raise ValidationError({"task": _("You signed the step before and cannot sign this one.")})
    ctx.task.owner_id = ctx.actor.pk
    ctx.task.assigned = timezone.now()
    taken = Task.objects.filter(pk=ctx.task.pk, owner_id=None, status=STATUS.NEW).update(
        owner_id=ctx.actor.pk, assigned=ctx.task.assigned)
    if taken != 1:
        raise StaleState(_("Someone has already taken this task."))
    RouteTask.objects.filter(task_id=ctx.task.pk).update(queue=False)


def task_decide(ctx: ActionContext, decision: str, *, action: str | None = None, comment: str = "",
                detail: dict | None = None) -> None:
    """Decide on the task (approve or reject) and move the route on, recorded in the history as
    `action` (default: the decision itself). A process's own verbs that decide a step — answer,
    sign — call this with their code."""
    _take_queue_task(ctx)
    task = ctx.task
    vote = task.flow_task.vote
    on_behalf_of = task.data.get("on_behalf_of")
    if on_behalf_of:
        # 代理: the history says whose signature the deputy gave.
        name = str(User.objects.filter(pk=on_behalf_of).first() or "")
        detail = {**(detail or {}), "on_behalf_of": on_behalf_of, "on_behalf_of_name": name}
    if decision == route.APPROVE and task.data.get("signers"):
        _pass_to_next_signer(ctx, action=action or decision, comment=comment, detail=detail)
        return
    # A sequential step whose gateway leads to another such step or to the end goes through the
    # fast path (the same rows in a few statements); everything else through viewflow.
    plan = fastpath.plan(ctx, decision)

    def work():
        if plan is not None:
            fastpath.complete(ctx, decision, plan)
        else:
            task.flow_task.run(task, decision=decision, actor=ctx.actor)
        if _has_route_task(ctx.kind, task):
            _close_route_tasks(ctx.kind, ctx.obj, [task.pk])

    if vote:
        detail = {**(detail or {}), "vote": True}
    perform(ctx.kind, ctx.obj, actor=ctx.actor, action=action or decision, work=work, comment=comment,
            step=task.data.get("step", ""), task_id=task.pk, detail=detail)


def task_approve(ctx: ActionContext, *, comment: str = "") -> None:
    task_decide(ctx, route.APPROVE, comment=comment)


def _require_reason(ctx: ActionContext, comment: str) -> None:
    # A person must say why (the timer writes its own reason).
    if ctx.actor is not None and not (comment or "").strip():
        raise ValidationError({"comment": _("Give a reason.")})


def task_reject(ctx: ActionContext, *, comment: str = "") -> None:
    _require_reason(ctx, comment)
    task_decide(ctx, route.REJECT, comment=comment)


def task_return(ctx: ActionContext, *, comment: str = "") -> None:
    _require_reason(ctx, comment)
    _take_queue_task(ctx)
    task, kind, obj = ctx.task, ctx.kind, ctx.obj
    step = task.data.get("step", "")

    def work():
        Task.objects.filter(pk=task.pk).update(
            data=dict(task.data, decision=route.RETURN, actor_id=ctx.actor.pk if ctx.actor else None))
        route_cancel(kind, obj)
        route.transition(kind, obj, "returned")

    perform(kind, obj, actor=ctx.actor, action=route.RETURN, work=work, comment=comment, step=step, task_id=task.pk)
    route.emit(kind, obj, EventKind.RETURNED, actor=ctx.actor, user_ids=route.watchers(kind, obj, task.process), step=step,
               comment=comment)


def _check_new_holder(ctx: ActionContext, target: User, role: str, unit: int, field: str = "to_user") -> None:
    state = route.RouteState.of(ctx.task.process)
    if not holders_of(role=role, org_unit_id=unit).filter(pk=target.pk).exists():
        raise ValidationError({field: _("Choose another holder of the same role in the same unit.")})
    if target.pk == state.last_signer:
        raise ValidationError({field: _("This person signed the step before and cannot sign this one.")})
    if target.pk == ctx.obj.submitter_id:
        raise ValidationError({field: _("The submitter cannot approve their own request.")})
    if open_tasks(ctx.obj).filter(owner_id=target.pk).exists():
        raise ValidationError({field: _("This person already has a task on this request.")})


def task_transfer(ctx: ActionContext, *, to_user, comment: str = "") -> None:
    task = ctx.task
    role, unit = task.data.get("role"), task.data.get("org_unit_id")
    try:
        target = User.objects.get(pk=getattr(to_user, "pk", to_user), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"to_user": _("Choose another holder of the same role.")}) from None
    if ctx.actor is not None and target.pk == ctx.actor.pk:
        raise ValidationError({"to_user": _("Choose another holder of the same role in the same unit.")})
    _check_new_holder(ctx, target, role, unit)

    def work():
        Task.objects.filter(pk=task.pk).update(owner_id=target.pk, assigned=timezone.now())
        if task.owner_id is None:
            RouteTask.objects.filter(task_id=task.pk).update(queue=False)

    step = task.data.get("step", "")
    perform(ctx.kind, ctx.obj, actor=ctx.actor, action="transfer", work=work, comment=comment, step=step,
            task_id=task.pk, detail={"to_user": target.pk, "to_name": str(target)})
    route.emit(ctx.kind, ctx.obj, EventKind.TASK_TRANSFERRED, actor=ctx.actor, user_ids=(target.pk,), role=role,
               org_unit_id=unit, step=step, comment=comment, extra={"task_id": task.pk})


def task_claim(ctx: ActionContext, *, comment: str = "") -> None:
    """Take a task out of its role queue: it is yours until you decide or transfer it."""
    if ctx.task.owner_id is not None:
        raise StaleState(_("Someone has already taken this task."))
    step = ctx.task.data.get("step", "")

    def work():
        _take_queue_task(ctx)

    perform(ctx.kind, ctx.obj, actor=ctx.actor, action="claim", work=work, comment=comment, step=step,
            task_id=ctx.task.pk)


def task_escalate(ctx: ActionContext, *, comment: str = "") -> None:
    """Hand the task to the step's escalation role (a deadline passed): the old holder is told."""
    task = ctx.task
    step_code = task.data.get("step", "")
    step = ctx.kind.step(step_code)
    if step.escalate_to is None:
        raise ValidationError({"task": _("This step cannot be escalated.")})
    state = route.RouteState.of(task.process)
    role, scope = step.escalate_to
    unit = state.unit_for(scope)
    holders = [h for h in holders_of(role=role, org_unit_id=unit).values_list("id", flat=True)
               if h not in (state.submitter_id, task.owner_id)]
    if not holders:
        raise ValidationError({"task": _("Nobody holds the role this step escalates to.")})
    previous = task.owner_id
    target = holders[0]

    def work():
        task.data.update(role=role, org_unit_id=unit, escalated_from=previous)
        Task.objects.filter(pk=task.pk).update(owner_id=target, assigned=timezone.now(), data=task.data)
        RouteTask.objects.filter(task_id=task.pk).update(queue=False, role=role, org_unit_id=unit)

    perform(ctx.kind, ctx.obj, actor=ctx.actor, action="escalate", work=work, comment=comment, step=step_code,
            task_id=task.pk, detail={"to_user": target, "to_role": role, "from_user": previous})
    route.emit(ctx.kind, ctx.obj, EventKind.TASK_ASSIGNED, actor=ctx.actor, user_ids=(target,), role=role,
               org_unit_id=unit, step=step_code, extra={"task_id": task.pk})
    if previous:
        route.emit(ctx.kind, ctx.obj, EventKind.ESCALATED, actor=ctx.actor, user_ids=(previous,), step=step_code)


# --- 加签: people added before or after the holder of a task --------------------------------------

MAX_ADDED_SIGNERS = 5


def _signers_allowed(ctx: ActionContext, user_ids: list[int]) -> set[int]:
    """Who of `user_ids` may sign on this process: the work roles of its community and the
    street's signing roles — the people who may see it."""
    state = route.RouteState.of(ctx.task.process)
    street_roles = (Role.STREET_LEADER, Role.STREET_REVIEWER)
    return set(RoleMembership.objects.filter(user_id__in=user_ids, user__is_active=True).filter(
        Q(org_unit_id=state.community_id, role__in=COMMUNITY_WORK_ROLES)
        | Q(org_unit_id=state.street_id, role__in=street_roles)).values_list("user_id", flat=True))


def task_add_signer(ctx: ActionContext, *, users, position: str, comment: str = "") -> None:
    """加签: `users` sign this step before the holder (then the task comes back) or after them
    (each in turn; the step passes with the last signature). Any of them may reject."""
    _take_queue_task(ctx)
    task = ctx.task
    if task.flow_task.vote:
        raise ValidationError({"users": _("Signers cannot be added to a committee vote.")})
    ids = list(dict.fromkeys(getattr(u, "pk", u) for u in users))
    pending = list(task.data.get("signers") or [])
    if len(ids) + len(pending) > MAX_ADDED_SIGNERS:
        raise ValidationError({"users": _("At most %(n)s people can be added to one task.") % {"n": MAX_ADDED_SIGNERS}})
    state = route.RouteState.of(task.process)
    busy = set(open_tasks(ctx.obj).exclude(pk=task.pk).exclude(owner_id=None).values_list("owner_id", flat=True))
    allowed = _signers_allowed(ctx, ids)
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    for user_id in ids:
        if user_id == task.owner_id:
            raise ValidationError({"users": _("You hold this task already.")})
        if user_id == state.submitter_id:
            raise ValidationError({"users": _("The submitter cannot sign their own request.")})
        if user_id in pending or user_id in busy:
            raise ValidationError({"users": _("This person already has a task on this request.")})
        if user_id not in allowed:
            raise ValidationError({"users": _("%(name)s cannot see this request: choose someone of its community "
                                              "or a street reviewer or leader.") % {"name": names.get(user_id) or user_id}})
    holder = task.owner_id
    if position == "before":
        owner, pending = ids[0], [*ids[1:], holder, *pending]
    else:
        owner, pending = holder, [*ids, *pending]
    data = dict(task.data, signers=pending)
    step = task.data.get("step", "")

    def work():
        moved = Task.objects.filter(pk=task.pk, status=STATUS.NEW, owner_id=holder).update(
            owner_id=owner, data=data, **({"assigned": timezone.now()} if owner != holder else {}))
        if moved != 1:
            raise StaleState(_("This task has moved on to someone else; reload and try again."))
        task.owner_id, task.data = owner, data

    perform(ctx.kind, ctx.obj, actor=ctx.actor, action=ADD_SIGNER.code, work=work, comment=comment, step=step,
            task_id=task.pk, detail={"users": ids, "names": [names.get(i, "") for i in ids], "position": position})
    if owner != holder:
        route.emit(ctx.kind, ctx.obj, EventKind.TASK_ASSIGNED, actor=ctx.actor, user_ids=(owner,),
                   role=task.data.get("role", ""), org_unit_id=task.data.get("org_unit_id"), step=step,
                   comment=comment, extra={"task_id": task.pk})


def _pass_to_next_signer(ctx: ActionContext, *, action: str, comment: str, detail: dict | None) -> None:
    """An added signer (or the holder, with signers after them) approved: the task goes to the
    next person in line; the route moves on only with the last signature."""
    task = ctx.task
    pending = list(task.data["signers"])
    following = pending.pop(0)
    signer = task.owner_id
    data = dict(task.data, signers=pending)
    step = task.data.get("step", "")
    name = str(User.objects.filter(pk=following).first() or "")

    def work():
        moved = Task.objects.filter(pk=task.pk, status=STATUS.NEW, owner_id=signer).update(
            owner_id=following, assigned=timezone.now(), data=data)
        if moved != 1:
            raise StaleState(_("This task is already finished."))
        task.owner_id, task.data = following, data

    perform(ctx.kind, ctx.obj, actor=ctx.actor, action=action, work=work, comment=comment, step=step, task_id=task.pk,
            detail={**(detail or {}), "passed_to": following, "passed_to_name": name})
    route.emit(ctx.kind, ctx.obj, EventKind.TASK_ASSIGNED, actor=ctx.actor, user_ids=(following,),
               role=task.data.get("role", ""), org_unit_id=task.data.get("org_unit_id"), step=step,
               extra={"task_id": task.pk})


# --- 批量同意: several tasks approved with one comment, each its own transaction --------------------

MAX_BATCH = 50


def tasks_batch_approve(*, actor, task_ids, comment: str = "") -> list[dict]:
    """Approve each task in its own transaction; one line per task: status 200, or the 404 /
    409 / 400 that task alone would have answered, with its message. Nothing is shared between
    the tasks, so a stale one never undoes the others."""
    results = []
    for raw in list(dict.fromkeys(task_ids))[:MAX_BATCH]:
        line = {"task": raw, "status": 200, "detail": ""}
        try:
            task_act(actor=actor, task_id=raw, action="approve", comment=comment)
        except Http404:
            line.update(status=404, detail=_("Not found."))
        except StaleState as exc:
            line.update(status=409, detail=str(exc))
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"task": exc.messages}
            line.update(status=400, detail=" ".join(str(m) for ms in messages.values() for m in ms))
        results.append(line)
    return results


# --- 代理: delegation while away ---------------------------------------------------------------------


def delegation_create(*, actor, deputy, starts_on: dt.date, ends_on: dt.date, reason: str = "") -> Delegation:
    """The actor names a deputy for a date range (both days included). The deputy must hold
    one of the actor's signing roles in the same unit (either street signing role for a street
    one); ranges of one delegator never overlap, and a deputy away themselves is refused."""
    if not actor.is_authenticated:
        raise PermissionDenied
    deputy_id = getattr(deputy, "pk", deputy)
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = _("The end comes before the start.")
    if ends_on < timezone.localdate():
        errors["ends_on"] = _("The range is over already.")
    if deputy_id == actor.pk:
        errors["deputy"] = _("Choose someone else.")
    if errors:
        raise ValidationError(errors)
    mine = {(m.role, m.org_unit_id) for m in RoleMembership.objects.filter(user=actor)}
    theirs = {(m.role, m.org_unit_id) for m in RoleMembership.objects.filter(user_id=deputy_id, user__is_active=True)}
    street = {Role.STREET_LEADER, Role.STREET_REVIEWER}
    shared = mine & theirs or {(r, u) for r, u in mine if r in street and any(x in street and y == u for x, y in theirs)}
    if not shared:
        raise ValidationError({"deputy": _("The deputy must hold the same role in the same community or street.")})
    with transaction.atomic():
        # Locked: two requests for overlapping ranges must not both pass the check.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        overlapping = Delegation.objects.filter(ended_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on)
        if overlapping.filter(delegator=actor).exists():
            raise ValidationError({"starts_on": _("You already have a deputy for part of this range.")})
        if overlapping.filter(delegator_id=deputy_id).exists():
            raise ValidationError({"deputy": _("The deputy is away themselves for part of this range.")})
        if overlapping.filter(deputy=actor).exists():
            raise ValidationError({"starts_on": _("You are someone's deputy for part of this range.")})
        delegation = Delegation.objects.create(delegator=actor, deputy_id=deputy_id, starts_on=starts_on,
                                               ends_on=ends_on, reason=reason)
    return delegation


def delegation_end(*, actor, pk) -> Delegation:
    """End one's own delegation now: tasks created from now on stay with the delegator."""
    from workflows.approvals.selectors import delegation_get_for_user

    with transaction.atomic():
        delegation = delegation_get_for_user(user=actor, pk=pk)
        if delegation.delegator_id != actor.pk:
            raise PermissionDenied
        if delegation.ended_at is None:
            delegation.ended_at = timezone.now()
            delegation.save(update_fields=["ended_at"])
    return delegation


# --- deadlines: the timer acts as the system actor -----------------------------------------------


def _timeout_comment(kind: registry.ProcessKind, step_code: str) -> str:
    step = kind._steps.get(step_code)
    if step is None or step.deadline is None:
        return _("The deadline passed.")
    return _("The deadline passed: %(rule)s.") % {"rule": describe(step.deadline)}


def _timer_lock(task_id: int, now: dt.datetime):
    """(kind, object, task, RouteTask row) of a task the timer acts on, all locked in the same
    order as a person's action (object, then task, then the engine's row); None when the task
    is gone or finished — a person who acted first leaves a finished task, and the timer stands
    down (its row is closed)."""
    task = Task.objects.select_related("process").filter(pk=task_id).first()
    kind = registry.kind_for_process(task.process) if task is not None else None
    if kind is None or not RouteTask.objects.filter(task_id=task_id).exists():
        return None
    try:
        obj, task = _lock(kind, task)
    except StaleState:
        RouteTask.objects.filter(task_id=task_id, closed_at__isnull=True).update(closed_at=now)
        return None
    return kind, obj, task, RouteTask.objects.select_for_update().get(task_id=task_id)


def _fire_timeout(task_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        locked = _timer_lock(task_id, now)
        if locked is None:
            return False
        kind, obj, task, entry = locked
        action_def = actions.get(entry.timeout_action, kind.kind)
        if action_def is None or action_def.handler is None or not action_def.system:
            return False
        if entry.timed_out_at is not None or entry.closed_at is not None:
            return False
        # Read again under the lock: the clock may have been suspended, or resumed with a later
        # deadline, since the sweep listed this task.
        if entry.due_at is None or entry.due_at > now:
            return False
        with events.batched():
            action_def.handler(ActionContext(kind=kind, obj=obj, task=task, actor=None),
                               comment=_timeout_comment(kind, entry.step))
        RouteTask.objects.filter(task_id=task_id).update(timed_out_at=now)
    return True


def _fire_reminder(task_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        locked = _timer_lock(task_id, now)
        if locked is None:
            return False
        kind, obj, task, entry = locked
        if entry.remind_at is None or entry.remind_at > now or entry.closed_at is not None:
            return False
        if entry.due_at is not None and now >= entry.due_at:
            # The sweep ran late: the deadline itself has passed, and "due soon" would be wrong.
            RouteTask.objects.filter(task_id=task_id).update(remind_at=None)
            return False
        step = kind.step(entry.step)
        later = [r for r in reminders_for(step.deadline, task.created) if r > now] if step.deadline else []
        with events.batched():
            history.record(route.row(kind, obj, actions.REMIND.code, step=entry.step, task_id=task.pk,
                                     detail={"due_at": entry.due_at.isoformat() if entry.due_at else ""}))
            if task.owner_id is not None:
                route.emit(kind, obj, EventKind.DUE_SOON, user_ids=(task.owner_id,), step=entry.step,
                           extra={"task_id": task.pk})
            else:
                for role in kind.queue_holds(entry.step, entry.role):
                    route.emit(kind, obj, EventKind.DUE_SOON, role=role, org_unit_id=entry.org_unit_id,
                               step=entry.step, extra={"task_id": task.pk})
        RouteTask.objects.filter(task_id=task_id).update(remind_at=min(later) if later else None)
    return True


def deadlines_sweep(*, now: dt.datetime | None = None, limit: int = 500, kinds: tuple[str, ...] | None = None
                    ) -> dict[str, int]:
    """Fire every timeout and reminder that is due (run by `run_timers` on every loop).

    Each task is its own transaction: one failing action is logged and retried on the next
    sweep, never blocking the others. `kinds` limits the sweep to those processes' tasks and
    timers: a sweep run with a clock set ahead (the demo's overdue inquiry) must not end other
    processes' notices or send their reminders early.
    """
    import logging

    now = now or timezone.now()
    tasks = RouteTask.objects.filter(closed_at__isnull=True)
    if kinds is not None:
        tasks = tasks.filter(process_kind__in=kinds)
    due = list(tasks.filter(timed_out_at__isnull=True, due_at__lte=now)
               .exclude(timeout_action="").order_by("due_at").values_list("task_id", flat=True)[:limit])
    remind = list(tasks.filter(remind_at__lte=now).order_by("remind_at").values_list("task_id", flat=True)[:limit])
    counts = {"timeouts": 0, "reminders": 0}
    for name, ids, fire in (("reminders", remind, _fire_reminder), ("timeouts", due, _fire_timeout)):
        for task_id in ids:
            try:
                counts[name] += fire(task_id, now)
            except (ValidationError, StaleState, PermissionDenied) as exc:
                logging.getLogger(__name__).warning("deadline action on task %s failed: %s", task_id, exc)
    fired = sum(kind.sweeper()(now=now) for kind in registry.all_kinds()
                if kind.sweep is not None and (kinds is None or kind.kind in kinds))
    if fired:
        counts["process_timers"] = fired
    return counts


# The engine's task actions. A timer may fire those marked `system` as the system actor.
actions.register(actions.ActionDef("approve", _l("Approved"), handler=task_approve, decision=True, system=True,
                                   finishes_task=True))
actions.register(actions.ActionDef("reject", _l("Rejected"), handler=task_reject, decision=True, system=True,
                                   finishes_task=True, serializer=actions.RequiredCommentSerializer))
actions.register(actions.ActionDef("return", _l("Returned for revision"), handler=task_return, decision=True,
                                   serializer=actions.RequiredCommentSerializer))
actions.register(actions.ActionDef("transfer", _l("Transferred"), handler=task_transfer,
                                   serializer=actions.TransferSerializer))
actions.register(actions.ActionDef("claim", _l("Claimed"), handler=task_claim))
actions.register(actions.ActionDef("escalate", _l("Escalated"), handler=task_escalate, system=True))
ADD_SIGNER = actions.register(actions.ActionDef("add_signer", _l("Added signers"), handler=task_add_signer,
                                               serializer=actions.AddSignerSerializer))


# --- side tasks and suspendable deadlines -----------------------------------------------------
#
# A side task is opened beside a running route by a process's service (one per objection while a
# notice runs), of a step declared `side=True` whose node is not on the flow's path. It is held
# by one person and finished by its own registered action (`side_task_finish`); the route does not
# move on by it. A route's deadline clock (a notice period) may be suspended while something is
# open and resumed later with the days that were left.


def _side_node(kind: registry.ProcessKind, step_code: str):
    from workflows.approvals.nodes import ApprovalStep

    for node in kind.flow_class.instance.nodes():
        if isinstance(node, ApprovalStep) and node.step == step_code:
            return node
    raise LookupError(f"no node of {kind.flow_class.__name__} holds step {step_code!r}")


def side_task_open(kind: registry.ProcessKind, obj, *, step_code: str, data: dict | None = None,
                   exclude: tuple[int, ...] = ()) -> Task:
    """Open a task of side step `step_code` on `obj`'s running route (`obj` locked): held by the
    first holder of the step's role in its unit who is neither the submitter nor in `exclude`
    (whoever raised the matter does not answer it), else by its fallback."""
    step = kind.step(step_code)
    if not step.side:
        raise ValueError(f"step {step_code!r} is not a side step")
    state = route.RouteState.of(Process.objects.get(pk=obj.process_id))
    role, unit = step.role, state.unit_for(step.scope)
    barred = {state.submitter_id, *exclude}
    holders = [h for h in holders_of(role=role, org_unit_id=unit).values_list("id", flat=True) if h not in barred]
    if not holders and step.fallback is not None:
        role, scope = step.fallback
        unit = state.unit_for(scope)
        holders = [h for h in holders_of(role=role, org_unit_id=unit).values_list("id", flat=True)
                   if h not in barred]
    if not holders:
        raise ValidationError(_("Nobody holds the role needed for this step; ask the administrator to assign it."))
    node = _side_node(kind, step_code)
    task = Task.objects.create(
        process_id=obj.process_id, flow_task=node, flow_task_type=node.task_type, status=STATUS.NEW,
        owner_id=holders[0], assigned=timezone.now(),
        data={**(data or {}), "step": step_code, "role": role, "org_unit_id": unit, "auto": ""},
    )
    route.emit(kind, obj, EventKind.TASK_ASSIGNED, user_ids=(holders[0],), role=role, org_unit_id=unit,
               step=step_code, extra={"task_id": task.pk})
    return task


def side_task_finish(ctx: ActionContext, *, action: str, comment: str = "", detail: dict | None = None,
                     work: Callable[[], None] | None = None) -> None:
    """Finish a side task with `action` (one history row); `work` runs inside, after it is done."""
    task = ctx.task
    step = ctx.kind._steps.get(task.data.get("step", ""))
    if step is None or not step.side:
        raise StaleState(_("This action is no longer possible in the request's current state."))

    def finish():
        data = dict(task.data, decision=action, actor_id=ctx.actor.pk if ctx.actor else None)
        done = Task.objects.filter(pk=task.pk, status=STATUS.NEW).update(
            status=STATUS.DONE, finished=timezone.now(), data=data)
        if done != 1:
            raise StaleState(_("This task is already finished."))
        if work is not None:
            work()

    perform(ctx.kind, ctx.obj, actor=ctx.actor, action=action, work=finish, comment=comment, step=step.code,
            task_id=task.pk, detail=detail)


def open_side_tasks(obj, step_code: str):
    return open_tasks(obj).filter(data__step=step_code)


def _days_left(unit: str, due_day: dt.date, today: dt.date) -> int:
    from workflows.org import calendar

    if due_day <= today:
        return 0
    if unit == "calendar":
        return (due_day - today).days
    days, day = 0, today
    while day < due_day:
        day = calendar.add_working_days(day, 1)
        days += 1
    return days


def deadline_suspend(task: Task, *, now: dt.datetime | None = None) -> int:
    """Stop `task`'s clock: the timer no longer fires it. Returns the days left (today counts
    as used: the day something is filed is a day of the period that has passed)."""
    from workflows.approvals.deadlines import LOCAL_TZ

    now = now or timezone.now()
    entry = RouteTask.objects.select_for_update().get(task_id=task.pk)
    clock = task.data.get("clock") or {}
    if clock.get("suspended_at"):
        return clock["days_left"]
    step = registry.kind_for_process(task.process).step(entry.step)
    unit = step.deadline.unit if step.deadline else "working"
    due_day = (entry.due_at.astimezone(LOCAL_TZ) - dt.timedelta(days=1)).date()
    left = _days_left(unit, due_day, now.astimezone(LOCAL_TZ).date())
    task.data["clock"] = {"suspended_at": now.isoformat(), "days_left": left, "unit": unit}
    Task.objects.filter(pk=task.pk).update(data=task.data)
    RouteTask.objects.filter(task_id=task.pk).update(due_at=None, remind_at=None)
    return left


def deadline_resume(task: Task, *, now: dt.datetime | None = None) -> dt.datetime:
    """Start `task`'s clock again with the days that were left when it stopped; returns the new
    deadline (24:00 of the last day, counted from today as a new start day)."""
    from workflows.approvals.deadlines import _end_of, _local_day
    from workflows.org import calendar

    now = now or timezone.now()
    clock = task.data.get("clock") or {}
    if not clock.get("suspended_at"):
        entry = RouteTask.objects.get(task_id=task.pk)
        return entry.due_at
    today = _local_day(now)
    left = int(clock["days_left"])
    if clock.get("unit") == "calendar":
        day = calendar.add_calendar_days(today, left) if left else today
    else:
        day = calendar.add_working_days(today, left) if left else today
    due_at = _end_of(day)
    provisional = bool(calendar.provisional_years(range(today.year, day.year + 1)))
    task.data["clock"] = {}
    task.data.update(due_at=due_at.isoformat(), due_provisional=provisional)
    Task.objects.filter(pk=task.pk).update(data=task.data)
    RouteTask.objects.filter(task_id=task.pk).update(due_at=due_at, due_provisional=provisional)
    return due_at
