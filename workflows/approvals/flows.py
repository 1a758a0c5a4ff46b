"""The base every approval flow extends, and the builders of its gateways.

A process's `flows.py` only declares its nodes (names are stored in task rows: never rename
them casually); every callback they name is defined here once and hands over to
`workflows.approvals.route`, which holds the rules. Nothing here knows a process.
"""

from django.utils.module_loading import import_string
from viewflow import this
from viewflow.workflow import flow, lock

from workflows.approvals import route
from workflows.approvals.nodes import ApprovalStep, RouteSwitch


def human_step(code: str, *, vote: bool = False) -> ApprovalStep:
    """A step a person decides, with the engine's assignment, notification and decision (the
    callbacks of ApprovalFlow below); `vote` for the member task of a countersign."""
    return ApprovalStep(step=code, assign=this.assign, on_created=this.task_created, func=this.decide, vote=vote)


def step_switch(steps: list[tuple[str, str]], *, after: str | None) -> RouteSwitch:
    """One exclusive gateway after each step: rejected, else the next step the route requires.

    `steps` is the route order as (step code, node name); a single Switch (rather than a gate
    per step) keeps an approval to a few task rows.
    """
    order = {code: i for i, (code, _node) in enumerate(steps)}
    switch = RouteSwitch()
    if after is not None:
        switch.Case(this.rejected, this.was_rejected)
    for code, node in steps:
        if after is None or order[code] > order[after]:
            switch.Case(getattr(this, node), _requires(code))
    return switch.Default(this.approved)


def _requires(step_code: str):
    def condition(activation) -> bool:
        return route.requires(activation.process, step_code)

    condition.__name__ = f"requires_{step_code}"
    return condition


class ApprovalFlow(flow.Flow):
    """Callbacks shared by every approval route (see route.py for the rules)."""

    # A row lock on the process serialises every action on one route (PostgreSQL); SQLite
    # takes its write lock at BEGIN IMMEDIATE, so the same code serialises there too.
    lock_impl = lock.select_for_update_lock

    def start_route(self, activation, **kwargs):
        return activation.process

    def assign(self, activation):
        return route.assign(process=activation.process, task=activation.task, step_code=activation.flow_task.step)

    def task_created(self, activation, assignment):
        route.task_created(process=activation.process, task=activation.task, assignment=assignment,
                           step_code=activation.flow_task.step)

    def decide(self, activation, *, decision: str, actor):
        route.decide(process=activation.process, task=activation.task, decision=decision, actor=actor,
                     vote=activation.flow_task.vote)

    def was_rejected(self, activation) -> bool:
        return route.is_rejected(activation.process)

    def countersign_voters(self, activation):
        return route.countersign_voters(process=activation.process, step_code=activation.flow_task._vote_node.step)

    def countersign_decided(self, activation, active_tasks) -> bool:
        return route.countersign_outcome(process=activation.process, vote_node=self._vote_node_before(activation)) is not None

    def tally(self, activation):
        route.countersign_tally(process=activation.process, vote_node=self._vote_node_before(activation))

    def route_approved(self, activation):
        route.finished(process=activation.process, approved=True)

    def route_rejected(self, activation):
        route.finished(process=activation.process, approved=False)

    @staticmethod
    def _vote_node_before(activation):
        """The vote node that feeds this join (or the join before this tally)."""
        node = activation.flow_task
        for _ in range(3):
            for edge in node._incoming_edges:
                if getattr(edge.src, "vote", False):
                    return edge.src
            node = node._incoming_edges[0].src
        raise LookupError(f"no countersign vote node before {activation.flow_task.name}")


def service_hook(path: str):
    """A flow callback (for a RouteFunction) that hands the route's object to a process service
    named by dotted path: `service(obj, process=process)`. Named, not imported, because the
    process's services import its declaration, which imports the flow."""

    def callback(self, activation):
        kind = route.kind_of(activation.process)
        import_string(path)(route.subject_of(kind, activation.process), process=activation.process)

    callback.__name__ = path.rsplit(".", 1)[-1]
    return callback
