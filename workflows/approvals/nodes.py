"""Viewflow nodes for approval routes.

viewflow owns the route: which step comes next, who holds each task, the countersign split and
join. Two small extensions of its stock nodes make that possible:

- `ApprovalStep` is a `Handle` (a task completed from code, by a service) whose owner is chosen
  by the flow when the task is created, and which completes itself at once when the flow says
  the step passes automatically (the edge rules).
- `Countersign` is a parallel `Split` that creates one task per item of a list computed at run
  time (one vote per committee member). viewflow 2.4 documents a `data_source` for this but
  neither `Split.Next` nor its activation uses it, so the fan-out is done here.
"""

import contextlib
import contextvars
from dataclasses import dataclass

from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.models import Task
from viewflow.workflow.nodes.func import FunctionActivation
from viewflow.workflow.nodes.handle import Handle, HandleActivation
from viewflow.workflow.nodes.split import Split, SplitActivation
from viewflow.workflow.nodes.switch import SwitchActivation
from viewflow.workflow.signals import task_finished, task_started
from viewflow.workflow.status import STATUS

from workflows.approvals.errors import StaleState

# `previous` links (viewflow's task → task M2M) made while one action runs: written in one
# statement when it ends (`links_deferred`), instead of one INSERT per link.
_links: contextvars.ContextVar[list | None] = contextvars.ContextVar("approval_links", default=None)


def link_previous(task, previous) -> None:
    pending = _links.get()
    if pending is None:
        task.previous.add(previous)
    else:
        pending.append((task.pk, previous.pk))


@contextlib.contextmanager
def links_deferred():
    token = _links.set([])
    try:
        yield
        pending = _links.get()
        if pending:
            through = Task.previous.through
            through.objects.bulk_create([through(from_task_id=a, to_task_id=b) for a, b in pending],
                                        ignore_conflicts=True)
    finally:
        _links.reset(token)


@dataclass(frozen=True)
class Assignment:
    owner_id: int | None  # None: the task waits in the role queue of (role, org_unit_id)
    role: str
    org_unit_id: int
    auto_reason: str = ""  # non-empty: the step passes without a person deciding
    # (action, detail) pairs the route explains in the history, e.g. a reassignment.
    notes: tuple[tuple[str, dict], ...] = ()
    # The holder the step chose, when their deputy (代理) holds the task instead.
    on_behalf_of: int | None = None

    def task_data(self, step: str) -> dict:
        """What a new task of `step` records of its assignment (viewflow's path and the fast
        path write the same)."""
        data = {"step": step, "role": self.role, "org_unit_id": self.org_unit_id, "auto": self.auto_reason}
        if self.on_behalf_of is not None:
            data["on_behalf_of"] = self.on_behalf_of
        return data


class ApprovalStepActivation(HandleActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = dict(data or {})
        task.seed = seed
        activation = cls(task)
        assignment = flow_task._assign(activation)
        task.owner_id = assignment.owner_id
        task.data.update(assignment.task_data(flow_task.step))
        if assignment.owner_id:
            task.assigned = now()
        task.save()
        link_previous(task, prev_activation.task)
        if flow_task._on_created is not None:
            flow_task._on_created(activation, assignment)
        return activation

    @Activation.status.super()
    def activate(self):
        # An automatic pass is started here so the flow's own loop completes it and moves on,
        # exactly as if a person had approved it.
        if self.task.data.get("auto"):
            self.task.started = now()
            self.task.data["decision"] = "approve"
            self.task.status = STATUS.STARTED

    @Activation.status.super()
    def complete(self):
        # A conditional UPDATE instead of re-reading the row under a lock first: if another
        # action finished or took the task since it was read, nothing matches and this action
        # is a 409 (its transaction rolls back).
        self.task.finished = now()
        updated = Task.objects.filter(pk=self.task.pk, status=STATUS.NEW, owner_id=self.task.owner_id).update(
            status=STATUS.DONE, started=self.task.started, finished=self.task.finished, data=self.task.data)
        if updated != 1:
            raise StaleState(_("This task is already finished."))
        task_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class ApprovalStep(Handle):
    activation_class = ApprovalStepActivation
    task_type = "HUMAN"
    bpmn_element = "userTask"

    def __init__(self, *, step: str, assign, on_created=None, func=None, vote: bool = False, **kwargs):
        super().__init__(func=func, **kwargs)
        self.step = step
        # One vote of a countersign (the engine counts these), not a step of its own.
        self.vote = vote
        self._assign = assign
        self._on_created = on_created

    def run(self, task, **kwargs):
        """Complete the task with a person's decision.

        Unlike `Handle.run` the task is not re-read: the caller has just locked and read it
        (`approvals.services.task_lock`), which saves two queries per action.
        """
        # No flow lock here: the engine has locked the process's object and viewflow's process
        # row in one statement before any action (services._lock), and every writer of a route
        # takes that lock first.
        func = this.resolve(self.flow_class.instance, self._func)
        activation = self.activation_class(task)
        result = activation.run(func, **kwargs)
        activation.execute()
        return result

    def _resolve(self, instance):
        super()._resolve(instance)
        self._assign = this.resolve(instance, self._assign)
        self._on_created = this.resolve(instance, self._on_created)


class CountersignActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        node = self.flow_task._vote_node
        items = self.flow_task._members(self)
        if not items:
            raise FlowRuntimeError(f"No voters for {self.flow_task.name}")
        self.next_tasks.extend((node, item) for item in items)


class Countersign(Split):
    """One `Vote` task per item returned by `members(activation)`; each gets the item as data."""

    activation_class = CountersignActivation

    def __init__(self, members, **kwargs):
        super().__init__(**kwargs)
        self._members = members
        self._vote_node = None

    def Vote(self, node):
        self._vote_node = node
        return self.Next(node)

    def _resolve(self, instance):
        super()._resolve(instance)
        self._members = this.resolve(instance, self._members)
        self._vote_node = this.resolve(instance, self._vote_node)


# --- gateways and functions written once -------------------------------------------------------
#
# viewflow inserts a gateway's or function's row when it is created, then updates it when it
# completes a moment later, each inside a savepoint. On the approval path these nodes never
# wait, so their row is inserted once, complete, with its link to the task before it; an error
# rolls back the whole action (the caller's transaction) instead of leaving an ERROR row.


def _create_unsaved(cls, flow_task, prev_activation, token, data=None, seed=None):
    task = flow_task.flow_class.task_class(process=prev_activation.process, flow_task=flow_task, token=token)
    task.data = data if data is not None else {}
    task.seed = seed
    activation = cls(task)
    activation._previous_task = prev_activation.task
    return activation


def _complete_once(activation) -> None:
    activation.task.finished = now()
    activation.task.save()
    link_previous(activation.task, activation._previous_task)
    task_finished.send(sender=activation.flow_class, process=activation.process, task=activation.task)


class RouteSwitchActivation(SwitchActivation):
    create = classmethod(_create_unsaved)
    # viewflow keeps activations in sets hashed by their task; an unsaved task has no pk yet.
    __hash__ = object.__hash__
    __eq__ = object.__eq__

    @Activation.status.super()
    def activate(self):
        for node, cond in self.flow_task._branches:
            if cond is None or cond(self):
                self.next_task = node
                break
        if not self.next_task:
            raise FlowRuntimeError(f"No next task available for {self.flow_task.name}")

    @Activation.status.super()
    def complete(self):
        _complete_once(self)


class RouteSwitch(flow.Switch):
    activation_class = RouteSwitchActivation


class RouteFunctionActivation(FunctionActivation):
    create = classmethod(_create_unsaved)
    __hash__ = object.__hash__
    __eq__ = object.__eq__

    @Activation.status.super()
    def activate(self):
        self.task.started = now()
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.flow_task._func(self)

    @Activation.status.super()
    def complete(self):
        _complete_once(self)


class RouteFunction(flow.Function):
    activation_class = RouteFunctionActivation


# --- titles the flow chart shows -------------------------------------------------------------------

_NODE_TITLES = {
    "StartHandle": gettext_lazy("Filed"),
    "End": gettext_lazy("End"),
    "Join": gettext_lazy("Votes counted"),
    "RouteSwitch": gettext_lazy("Next step?"),
    "Countersign": gettext_lazy("Committee vote"),
}
_FUNCTION_TITLES = {
    "route_approved": gettext_lazy("Approved"),
    "route_rejected": gettext_lazy("Rejected"),
    "tally": gettext_lazy("Tally"),
}


def title_nodes(flow_class, step_label) -> None:
    """Give every node of an approval flow a translated title for viewflow's chart (which
    otherwise shows the Python node names): a step its declared label, the engine's own nodes
    what they do. Titles are lazy, so the chart renders in the reader's language."""
    for node in flow_class.instance.nodes():
        if isinstance(node, ApprovalStep):
            node.task_title = step_label(node.step)
        elif isinstance(node, RouteFunction):
            name = getattr(node._func, "__name__", "") or getattr(node._func, "name", "")
            if name in _FUNCTION_TITLES:
                node.task_title = _FUNCTION_TITLES[name]
        elif type(node).__name__ in _NODE_TITLES:
            node.task_title = _NODE_TITLES[type(node).__name__]
