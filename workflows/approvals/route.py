"""The route rules every approval process shares, and the typed route state they keep.

The flow's nodes (through `flows.ApprovalFlow`) call these while a service is running: who holds
a new task (the edge rules), the countersign voters and tally, a decision, the end of the route.
The state of one route lives in viewflow's `process.data`, always read and written through
`RouteState`, the one definition of its keys.
"""

import contextlib
import contextvars
import copy
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.approvals import actions, events, history, registry
from workflows.approvals.deadlines import PROCESS_FILED, due_for, reminders_for
from workflows.approvals.events import EventKind
from workflows.approvals.models import RouteTask
from workflows.approvals.nodes import Assignment
from workflows.approvals.selectors import holders_with_deputies
from workflows.org.selectors import holder_ids

APPROVE = "approve"
REJECT = "reject"
RETURN = "return"


@dataclass
class Tally:
    step: str
    voters: int
    needed: int


@dataclass
class RouteState:
    """Everything the route remembers between actions (viewflow's `process.data`)."""

    object_id: int                  # the process's domain object (a request, a ticket, ...)
    steps: list[str]                # step codes this route passes, in order
    submitter_id: int
    community_id: int
    street_id: int
    round: int = 1
    filed_at: str = ""              # ISO time the route started (deadlines "from filing")
    last_signer: int | None = None  # who signed the step just passed (never signs the next one)
    last_decision: str | None = None
    countersign: Tally | None = None
    reached_street: bool = False
    # Who is told of decisions (submitter and CC), fixed when the route starts: CC is chosen at
    # filing, so no action has to look it up again.
    watchers: list[int] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # a process's own keys, typed by that process

    @classmethod
    def of(cls, process) -> "RouteState":
        cached = getattr(process, "_route_state", None)
        if cached is not None:
            return cached
        data = dict(process.data or {})
        if "request_id" in data:  # routes started before the engine owned the state
            data["object_id"] = data.pop("request_id")
        tally = data.pop("countersign", None)
        state = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        if tally:
            state.countersign = Tally(step=tally.get("step", ""), voters=tally["voters"], needed=tally["needed"])
        process._route_state = state
        return state

    def dump(self) -> dict:
        # By hand rather than asdict(): this runs in every action, and asdict deep-copies each
        # scalar recursively. Lists and dicts are copied so process.data never aliases the state.
        data = {name: getattr(self, name) for name in _STATE_FIELDS}
        data["steps"] = list(self.steps)
        data["watchers"] = list(self.watchers)
        data["extra"] = copy.deepcopy(self.extra) if self.extra else {}
        data["countersign"] = asdict(self.countersign) if self.countersign is not None else None
        return data

    def store(self, process, *, save: bool = True) -> None:
        process.data = self.dump()
        process._route_state = self
        if save:
            process.save(update_fields=["data"])

    def unit_for(self, scope: str) -> int:
        return self.community_id if scope == registry.COMMUNITY else self.street_id


_STATE_FIELDS = tuple(f.name for f in fields(RouteState))


# --- the object a service is working on, shared with the flow's callbacks -------------------

_bound: contextvars.ContextVar[object | None] = contextvars.ContextVar("approval_subject", default=None)
# What every event of the bound object repeats (title, link, scope, community name), worked out
# once per action: an action emits two or three events about the same object.
_event_fields: contextvars.ContextVar[dict | None] = contextvars.ContextVar("approval_event_fields", default=None)


@contextlib.contextmanager
def binding(obj):
    token = _bound.set(obj)
    fields_token = _event_fields.set({})
    try:
        yield
    finally:
        _event_fields.reset(fields_token)
        _bound.reset(token)


def subject_of(kind: registry.ProcessKind, process):
    obj = _bound.get()
    state = RouteState.of(process)
    if obj is not None and obj.pk == state.object_id and isinstance(obj, kind.model):
        return obj
    return kind.model.objects.select_related(*kind.select_related).get(pk=state.object_id)


def kind_of(process) -> registry.ProcessKind:
    kind = registry.kind_for_process(process)
    if kind is None:
        raise LookupError(f"no process kind declares {process.flow_class}")
    return kind


# --- events ----------------------------------------------------------------------------------


def _object_fields(kind: registry.ProcessKind, obj) -> dict:
    cache = _event_fields.get() if _bound.get() is obj else None
    # The title may be translated (a category label): cached per language.
    key = (kind.kind, translation.get_language())
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = {"title": kind.title(obj), "url": kind.url(obj), "street_id": kind.street_id(obj),
                 "community_id": kind.community_id(obj), "community_name": kind.community_name(obj)}
        if cache is not None:
            cache[key] = found
    return found


def emit(kind: registry.ProcessKind, obj, event_kind: str, *, actor=None, **fields) -> None:
    """An approval event about `obj`, inside the transaction (receivers write inbox rows)."""
    history.emit(kind.model, events.ApprovalEvent(
        kind=event_kind,
        process_kind=kind.kind,
        process_id=obj.pk,
        actor_id=actor.pk if actor is not None else None,
        actor_name=str(actor) if actor is not None else "",
        **_object_fields(kind, obj),
        **fields,
    ))


def watchers(kind: registry.ProcessKind, obj, process=None) -> tuple[int, ...]:
    cached = getattr(obj, "_approval_watchers", None)
    if cached is None:
        state = RouteState.of(process) if process is not None else None
        ids = state.watchers if state is not None and state.watchers else kind.watchers(obj)
        cached = obj._approval_watchers = tuple(dict.fromkeys(ids))
    return cached


def row(kind: registry.ProcessKind, obj, action: str, **fields) -> history.HistoryRow:
    values = {"state_before": obj.state, "state_after": obj.state, **kind.history_fields(obj), **fields}
    return history.HistoryRow(process_kind=kind.kind, process_id=obj.pk, action=action, round=obj.round, **values)


# --- assignment: the edge rules ----------------------------------------------------------------


def _holder_ids(role: str, unit_id: int) -> list[int]:
    return holder_ids(role=role, org_unit_id=unit_id)


def _holders_with_deputies(role: str, unit_id: int) -> dict[int, int | None]:
    """Holder id → their deputy for today (or None), in holder id order."""
    return dict(holders_with_deputies(role=role, org_unit_id=unit_id, on=timezone.localdate()))


def assign(*, process, task, step_code: str) -> Assignment:
    """Who holds a new task of `step_code`.

    The submitter passes their own step; a step nobody holds goes to the declared fallback
    role; the person who signed the step just before never signs this one (if they are its
    only holder, their signature stands for both).
    """
    if task.data.get("voter_id"):  # one vote of a countersign: chosen by `countersign_voters`
        return Assignment(owner_id=task.data["voter_id"], role=task.data["role"], org_unit_id=task.data["org_unit_id"],
                          auto_reason=task.data.get("auto_reason", ""))
    kind = kind_of(process)
    state = RouteState.of(process)
    step = kind.step(step_code)
    role, unit_id = step.role, state.unit_for(step.scope)
    if step.queue or step.wait:
        return Assignment(owner_id=None, role=role, org_unit_id=unit_id)
    deputies = _holders_with_deputies(role, unit_id)
    holders = list(deputies)
    notes = []
    if state.submitter_id in holders:
        return Assignment(owner_id=state.submitter_id, role=role, org_unit_id=unit_id, auto_reason="submitter")
    if not holders and step.fallback is not None:
        to_role, to_scope = step.fallback
        notes.append((actions.REASSIGN.code, {"reason": "no_holder", "role": role, "to_role": to_role}))
        role, unit_id = to_role, state.unit_for(to_scope)
        deputies = _holders_with_deputies(role, unit_id)
        holders = list(deputies)
    candidates = [h for h in holders if h != state.last_signer]
    if holders and not candidates:
        return Assignment(owner_id=holders[0], role=role, org_unit_id=unit_id, auto_reason="same_signer", notes=tuple(notes))
    if not candidates:
        raise ValidationError(_("Nobody holds the role needed for this step; ask the administrator to assign it."))
    owner, deputy = candidates[0], deputies.get(candidates[0])
    # A holder away (代理) passes the task to their deputy, unless the deputy may not sign it.
    if deputy is not None and deputy not in (state.submitter_id, state.last_signer):
        return Assignment(owner_id=deputy, role=role, org_unit_id=unit_id, notes=tuple(notes), on_behalf_of=owner)
    return Assignment(owner_id=owner, role=role, org_unit_id=unit_id, notes=tuple(notes))


def task_created(*, process, task, assignment: Assignment, step_code: str) -> None:
    kind = kind_of(process)
    obj = subject_of(kind, process)
    state = RouteState.of(process)
    for action, detail in assignment.notes:
        history.record(row(kind, obj, action, step=step_code, task_id=task.pk, detail=detail))
    if assignment.auto_reason:
        history.record(row(kind, obj, actions.AUTO_PASS.code, actor_id=assignment.owner_id, step=step_code,
                           task_id=task.pk, detail={"reason": assignment.auto_reason}))
        state.last_decision = APPROVE
        if assignment.auto_reason == "submitter":
            state.last_signer = assignment.owner_id
        state.store(process)
        return
    step = kind.step(step_code)
    if step.queue or step.deadline is not None:
        _schedule(kind, obj, state, task, step, assignment)
    if step.wait:
        return  # a period nobody holds: nobody is told of a task
    if assignment.owner_id is None:
        for role in kind.queue_holds(step_code, assignment.role):
            emit(kind, obj, EventKind.TASK_CREATED, role=role, org_unit_id=assignment.org_unit_id,
                 step=step_code, extra={"task_id": task.pk})
    else:
        emit(kind, obj, EventKind.TASK_ASSIGNED, user_ids=(assignment.owner_id,), role=assignment.role,
             org_unit_id=assignment.org_unit_id, step=step_code, extra={"task_id": task.pk})
    if assignment.org_unit_id == state.street_id and not state.reached_street:
        state.reached_street = True
        state.store(process)
        emit(kind, obj, EventKind.REACHED_STREET, step=step_code)


def _schedule(kind, obj, state: RouteState, task, step, assignment: Assignment) -> None:
    """The queryable facts of a queue or deadline task: which queue holds it, when it is due."""
    values = {"task_id": task.pk, "process_kind": kind.kind, "process_id": obj.pk, "step": step.code,
              "role": assignment.role, "org_unit_id": assignment.org_unit_id,
              "queue": assignment.owner_id is None and not step.wait}
    rule = kind.deadline_rule(obj, step)
    if rule is not None:
        start = task.created or timezone.now()
        if rule.start == PROCESS_FILED and state.filed_at:
            start = datetime.fromisoformat(state.filed_at)
        due = due_for(rule, start)
        values.update(due_at=due.at, due_provisional=due.provisional, timeout_action=rule.on_timeout)
        task.data.update(due_at=due.at.isoformat(), due_provisional=due.provisional)
        Task.objects.filter(pk=task.pk).update(data=task.data)
        reminders = [r for r in reminders_for(rule, start) if r > timezone.now()]
        if reminders:
            values["remind_at"] = min(reminders)
    RouteTask.objects.create(**values)


# --- countersign -------------------------------------------------------------------------------


def countersign_voters(*, process, step_code: str) -> list[dict]:
    """One vote per holder; the submitter is recused and the previous signer excluded."""
    kind = kind_of(process)
    obj = subject_of(kind, process)
    state = RouteState.of(process)
    step = kind.step(step_code)
    role, unit_id = step.role, state.unit_for(step.scope)
    voters = []
    for member in _holder_ids(role, unit_id):
        if member == state.submitter_id:
            reason = "submitter"
        elif member == state.last_signer:
            reason = "signed_previous_step"
        else:
            voters.append(member)
            continue
        history.record(row(kind, obj, actions.RECUSE.code, actor_id=member, step=step_code, detail={"reason": reason}))
    if not voters:
        if step.fallback is None:
            raise ValidationError(_("Nobody can sign this step; ask the administrator to assign the roles."))
        to_role, to_scope = step.fallback
        others_unit = state.unit_for(to_scope)
        fallback = _holder_ids(to_role, others_unit)
        if not fallback:
            raise ValidationError(_("Nobody can sign this step; ask the administrator to assign the roles."))
        history.record(row(kind, obj, actions.REASSIGN.code, step=step_code,
                           detail={"reason": "no_holder", "role": role, "to_role": to_role}))
        state.countersign = Tally(step=step_code, voters=1, needed=1)
        state.store(process)
        others = [r for r in fallback if r != state.last_signer]
        if not others:
            # The one fallback holder signed the step before: her signature stands for this one too.
            return [{"voter_id": fallback[0], "role": to_role, "org_unit_id": others_unit, "auto_reason": "same_signer"}]
        return [{"voter_id": others[0], "role": to_role, "org_unit_id": others_unit}]
    state.countersign = Tally(step=step_code, voters=len(voters), needed=len(voters) // 2 + 1)
    state.store(process)
    return [{"voter_id": v, "role": role, "org_unit_id": unit_id} for v in voters]


def countersign_votes(*, process, vote_node) -> tuple[int, int]:
    approve = reject = 0
    for data in Task.objects.filter(process=process, flow_task=vote_node, status=STATUS.DONE).values_list("data", flat=True):
        if data.get("decision") == APPROVE:
            approve += 1
        elif data.get("decision") == REJECT:
            reject += 1
    return approve, reject


def countersign_outcome(*, process, vote_node) -> str | None:
    """"passed" once a majority approved, "failed" once a majority can no longer be reached."""
    tally = RouteState.of(process).countersign
    voters, needed = (tally.voters, tally.needed) if tally else (0, 1)
    approve, reject = countersign_votes(process=process, vote_node=vote_node)
    if approve >= needed:
        return "passed"
    if reject > voters - needed:
        return "failed"
    return None


def countersign_tally(*, process, vote_node) -> None:
    kind = kind_of(process)
    obj = subject_of(kind, process)
    state = RouteState.of(process)
    outcome = countersign_outcome(process=process, vote_node=vote_node)
    approve, reject = countersign_votes(process=process, vote_node=vote_node)
    tally = state.countersign
    passed = outcome == "passed"
    state.last_decision = APPROVE if passed else REJECT
    state.last_signer = None  # a vote is nobody's single signature
    state.store(process)
    history.record(row(kind, obj, actions.STEP_PASSED.code if passed else actions.STEP_FAILED.code, step=vote_node.step,
                       detail={"voters": tally.voters, "needed": tally.needed, "approve": approve, "reject": reject}))
    if passed:
        emit(kind, obj, EventKind.STEP_APPROVED, user_ids=watchers(kind, obj, process), step=vote_node.step)


# --- decisions and the end of the route ---------------------------------------------------------


def decide(*, process, task, decision: str, actor, vote: bool) -> None:
    task.data["decision"] = decision
    task.data["actor_id"] = actor.pk if actor is not None else None
    if vote:
        return
    state = RouteState.of(process)
    state.last_decision = decision
    if decision == APPROVE and kind_of(process).step(task.data["step"]).signs:
        state.last_signer = actor.pk if actor is not None else None
    state.store(process)
    if decision == APPROVE:
        kind = kind_of(process)
        obj = subject_of(kind, process)
        emit(kind, obj, EventKind.STEP_APPROVED, actor=actor, user_ids=watchers(kind, obj, process), step=task.data["step"])


def finished(*, process, approved: bool) -> None:
    kind = kind_of(process)
    obj = subject_of(kind, process)
    transition(kind, obj, "approved" if approved else "rejected")
    emit(kind, obj, EventKind.APPROVED if approved else EventKind.REJECTED, user_ids=watchers(kind, obj, process))


def _snapshot(value):
    return copy.deepcopy(value) if isinstance(value, dict | list) else value


def transition(kind: registry.ProcessKind, obj, outcome: str) -> None:
    """Move the object's lifecycle (django-fsm) and save it with its optimistic-lock check.

    For an object locked by the engine, only what changed since the lock is written (and the
    auto_now stamps); any other object is saved whole."""
    getattr(obj, kind.transitions[outcome])()
    loaded = getattr(obj, "_engine_loaded", None)
    if loaded is None:
        history.save_checked(obj)
        return
    # What changed since the object was locked — by the transition, or by the action's handler
    # before it (an answer's text, a publication flag) — and the auto_now stamps.
    changed = [f.name for f, old in zip(obj._meta.concrete_fields, loaded, strict=True)
               if getattr(obj, f.attname) != old or getattr(f, "auto_now", False)]
    history.save_checked(obj, update_fields=changed)


def remember_loaded(obj) -> None:
    """Note the object's values as locked, so that its closing save writes only what the
    action changed. JSON values are copied: a handler may change them in place."""
    obj._engine_loaded = [_snapshot(getattr(obj, f.attname)) for f in obj._meta.concrete_fields]


def is_rejected(process) -> bool:
    return RouteState.of(process).last_decision != APPROVE


def requires(process, step_code: str) -> bool:
    return step_code in RouteState.of(process).steps
