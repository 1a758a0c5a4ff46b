"""What a process declares to the engine, once: its model, flow, steps, actions and scope.

A process (spending approval now; partners, leases, inquiries next) registers one `ProcessKind` in its
AppConfig.ready(); `checks.py` validates every declaration at start-up. The engine's route
rules, task actions, history, inbox and timers only talk to these declarations, so a new
process needs no change in the approvals app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

from workflows.approvals.deadlines import DeadlineRule
from workflows.approvals.nodes import title_nodes

COMMUNITY = "community"
STREET = "street"


@dataclass(frozen=True)
class StepDef:
    """One step of a route, declared once: who holds it and by when."""

    code: str                      # stored in task data and history rows: never rename
    role: str                      # workflows.org.roles.Role value
    scope: str                     # COMMUNITY (the process's community) or STREET
    label: Any                     # lazy translation shown on pages and in notifications
    countersign: bool = False      # one vote per holder, majority decides (the node is a Countersign)
    # Held by the role queue of the org unit (any holder may claim it or act on it directly)
    # rather than assigned to one person when created.
    queue: bool = False
    # Further roles of the same unit whose holders share that queue (e.g. staff or secretary
    # acknowledge an inquiry): each of them sees the task, may claim it or act on it.
    queue_roles: tuple[str, ...] = ()
    # (role, scope) that takes the step when nobody holds `role` in the unit.
    fallback: tuple[str, str] | None = None
    deadline: DeadlineRule | None = None
    # (role, scope) an "escalate" timeout hands the task to.
    escalate_to: tuple[str, str] | None = None
    # False: deciding this step is no signature (acknowledging receipt, 受理), so the person who
    # decided it may still hold the next step; the "previous signer never signs the next step"
    # rule skips it.
    signs: bool = True
    # The task actions allowed on this step's tasks (None: all of the kind's actions). A step
    # that records something (an agreement, an answer) offers only its own verb.
    actions: tuple[str, ...] | None = None
    # A period, not a person's task (a public notice): held by nobody, in no queue, and moved on
    # only by its deadline's timeout action. `role` names who answers for it.
    wait: bool = False
    # Not on the flow's path: tasks of this step are opened beside the route by a service
    # (`services.side_task_open`), e.g. one per objection during a notice period.
    side: bool = False


@dataclass(frozen=True)
class ProcessKind:
    kind: str                                   # stored in history rows: never rename
    label: Any                                  # lazy translation, e.g. 费用报销
    model: type                                 # the domain model; has a `process` one-to-one to viewflow's Process
    flow_class: type                            # the viewflow Flow whose tasks belong to this kind
    steps: tuple[StepDef, ...]
    open_states: tuple[str, ...]                # states in which the route runs (tasks may be acted on)
    actions: tuple[str, ...]                    # registered task action codes allowed on this kind's tasks
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    state_label: Callable[[Any], str]
    community_id: Callable[[Any], int]          # the community the object belongs to (scope)
    street_id: Callable[[Any], int]             # its street
    # Who is told of decisions besides the people holding tasks: the submitter and CC.
    watchers: Callable[[Any], tuple[int, ...]] = lambda obj: (obj.submitter_id,)
    # Extra history columns the object fixes (policy_version, form_version).
    history_fields: Callable[[Any], dict] = lambda obj: {}
    # The lifecycle transitions the engine calls on the object, by outcome.
    transitions: dict[str, str] = field(default_factory=lambda: {
        "approved": "approve", "rejected": "reject", "returned": "return_for_revision", "withdrawn": "withdraw",
    })
    select_related: tuple[str, ...] = ()        # what loading the object for an action joins
    # Scoped querysets for the shared pages; each must have a `created_at` field to merge by.
    submitted_by: Callable[[Any], Any] | None = None
    copied_to: Callable[[Any], Any] | None = None
    community_name: Callable[[Any], str] = lambda obj: ""
    # Text fields a search of 我发起的, 抄送我的 and 已办 looks in (icontains; an id matches too).
    search_fields: tuple[str, ...] = ()
    # The process's own timers that are not task deadlines (e.g. "silence closes the request"):
    # sweep(now) -> number fired, run by the engine's deadline sweep after the task timers. It
    # acts as the system actor and must take its own transaction per object.
    # A dotted path (resolved when the sweep runs) lets the declaration name a function of the
    # process's services, which themselves import the declaration.
    sweep: Callable[[Any], int] | str | None = None

    def sweeper(self) -> Callable[[Any], int]:
        return import_string(self.sweep) if isinstance(self.sweep, str) else self.sweep

    def queue_holds(self, step_code: str, role: str) -> tuple[str, ...]:
        """Every role that holds a queue task of `step_code` whose row names `role`."""
        step = self._steps.get(step_code)
        extra = step.queue_roles if step is not None else ()
        return (role, *[r for r in extra if r != role])
    # The deadline rule of a step for this object (a call fixes its own notice period); None
    # means the step's declared rule.
    deadline_for: Callable[[Any, StepDef], DeadlineRule | None] | None = None

    def deadline_rule(self, obj, step: StepDef) -> DeadlineRule | None:
        if self.deadline_for is not None and step.deadline is not None:
            return self.deadline_for(obj, step) or step.deadline
        return step.deadline

    def step_restricted(self, code: str) -> bool:
        """The step offers only its own listed verbs (no engine action such as 加签)."""
        step = self._steps.get(code)
        return step is not None and step.actions is not None

    def step_actions(self, code: str) -> tuple[str, ...]:
        step = self._steps.get(code)
        if step is None or step.actions is None:
            return self.actions
        return tuple(a for a in self.actions if a in step.actions)

    def step(self, code: str) -> StepDef:
        return self._steps[code]

    @property
    def _steps(self) -> dict[str, StepDef]:
        cached = self.__dict__.get("_steps_cache")
        if cached is None:
            cached = {s.code: s for s in self.steps}
            object.__setattr__(self, "_steps_cache", cached)
        return cached

    def step_label(self, code: str) -> str:
        step = self._steps.get(code)
        return str(step.label) if step else code

    def objects_for_processes(self, process_ids) -> dict[int, Any]:
        rows = self.model.objects.select_related(*self.select_related).filter(process_id__in=process_ids)
        return {row.process_id: row for row in rows}

    def objects_by_ids(self, ids) -> dict[int, Any]:
        return self.model.objects.select_related(*self.select_related).in_bulk(ids)


_kinds: dict[str, ProcessKind] = {}
_by_flow: dict[type, ProcessKind] = {}


def register(kind: ProcessKind) -> None:
    _kinds[kind.kind] = kind
    _by_flow[kind.flow_class] = kind
    # The flow chart shows the declared step labels, not Python node names.
    title_nodes(kind.flow_class, lambda code: kind._steps[code].label if code in kind._steps else code)


def get(kind: str) -> ProcessKind:
    return _kinds[kind]


def all_kinds() -> list[ProcessKind]:
    return list(_kinds.values())


def kind_for_flow(flow_class) -> ProcessKind | None:
    return _by_flow.get(flow_class)


def kind_for_process(process) -> ProcessKind | None:
    return _by_flow.get(process.flow_class)
