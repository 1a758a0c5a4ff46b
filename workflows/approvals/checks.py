"""Start-up checks of every process declaration: a wrong declaration fails `manage.py check`
(and so every start and the test suite), not the first person who files a request."""

from django.core import checks

from workflows.approvals import actions, registry
from workflows.approvals.flows import ApprovalFlow
from workflows.approvals.nodes import ApprovalStep, Countersign
from workflows.org.roles import Role


def _kind_errors(kind: registry.ProcessKind) -> list[str]:
    errors = []
    if not issubclass(kind.flow_class, ApprovalFlow):
        errors.append(f"flow {kind.flow_class.__name__} does not extend workflows.approvals.flows.ApprovalFlow")
    nodes = list(kind.flow_class.instance.nodes())
    node_steps = {n.step for n in nodes if isinstance(n, ApprovalStep)}
    declared = {s.code for s in kind.steps}
    if len(declared) != len(kind.steps):
        errors.append("a step code is declared twice")
    for code in sorted(node_steps - declared):
        errors.append(f"the flow has a node for step {code!r}, which the kind does not declare")
    for code in sorted(declared - node_steps):
        errors.append(f"step {code!r} is declared but no node of the flow holds it")
    votes = {n.step for n in nodes if isinstance(n, ApprovalStep) and n.vote}
    has_split = any(isinstance(n, Countersign) for n in nodes)
    for step in kind.steps:
        if step.role not in Role.values:
            errors.append(f"step {step.code!r}: unknown role {step.role!r}")
        if step.scope not in (registry.COMMUNITY, registry.STREET):
            errors.append(f"step {step.code!r}: scope must be community or street")
        if step.countersign and (step.code not in votes or not has_split):
            errors.append(f"step {step.code!r} is a countersign but has no Countersign with a vote node")
        if not step.countersign and step.code in votes:
            errors.append(f"step {step.code!r} has a vote node but is not declared a countersign")
        if step.queue_roles and (not step.queue or any(r not in Role.values for r in step.queue_roles)):
            errors.append(f"step {step.code!r}: queue_roles need a queue step and known roles")
        for pair, what in ((step.fallback, "fallback"), (step.escalate_to, "escalate_to")):
            if pair is not None and (pair[0] not in Role.values or pair[1] not in (registry.COMMUNITY, registry.STREET)):
                errors.append(f"step {step.code!r}: {what} must be (role, community|street)")
        if step.deadline is not None and step.deadline.on_timeout:
            action = actions.get(step.deadline.on_timeout, kind.kind)
            if action is None or action.handler is None or not action.system:
                errors.append(f"step {step.code!r}: timeout action {step.deadline.on_timeout!r} is not a registered "
                              "task action a timer may fire")
            if step.deadline.on_timeout == "escalate" and step.escalate_to is None:
                errors.append(f"step {step.code!r} escalates on timeout but declares no escalate_to")
        if step.actions is not None and not set(step.actions) <= set(kind.actions):
            errors.append(f"step {step.code!r} allows actions the kind does not list: "
                          f"{sorted(set(step.actions) - set(kind.actions))}")
        if step.wait and (step.deadline is None or not step.deadline.on_timeout):
            errors.append(f"step {step.code!r} is a waiting period but has no deadline with a timeout action")
        if step.wait and (step.queue or step.countersign or step.side):
            errors.append(f"step {step.code!r}: a waiting period is held by nobody (no queue, countersign or side)")
    for code in kind.actions:
        action = actions.get(code, kind.kind)
        if action is None or action.handler is None:
            errors.append(f"action {code!r} is not a registered task action")
    if not kind.open_states:
        errors.append("no open states")
    field_names = {f.name for f in kind.model._meta.get_fields()}
    for name in ("process", "submitter", "round", "state", "steps"):
        if name not in field_names:
            errors.append(f"model {kind.model.__name__} has no field {name!r}")
    for outcome, method in kind.transitions.items():
        if not callable(getattr(kind.model, method, None)):
            errors.append(f"model {kind.model.__name__} has no transition {method!r} for {outcome!r}")
    return errors


@checks.register()
def process_kinds_are_declared_completely(app_configs=None, **kwargs):
    messages = []
    for kind in registry.all_kinds():
        for error in _kind_errors(kind):
            messages.append(checks.Error(f"process kind {kind.kind!r}: {error}", id="approvals.E001"))
    return messages
