"""The expense route as a viewflow flow.

The flow owns the route: which steps the request passes (one If gate per step of the authority
table), who holds each task (ApprovalStep asks the services), the committee countersign as a
split over the members and a join that continues as soon as the vote is decided. Every rule
(holders, recusal, automatic passes, the majority, state changes, history, events) lives in
`services.py`; the nodes only call it.

Node names are stored in task rows by dotted path: never rename them casually.
"""

from viewflow import this
from viewflow.workflow import flow, lock

from workflows.approvals.nodes import ApprovalStep, Countersign
from workflows.expenses.policy import Step

_STEP_NODES = [
    (Step.COMMUNITY_SECRETARY, "secretary"),
    (Step.COMMUNITY_COMMITTEE, "committee"),
    (Step.STREET_REVIEWER, "reviewer"),
    (Step.STREET_LEADER, "leader"),
]


def _rejected(activation) -> bool:
    return activation.process.data.get("last_decision") != "approve"


def _requires(step: str):
    def condition(activation) -> bool:
        return step in activation.process.data.get("steps", [])

    condition.__name__ = f"requires_{step}"
    return condition


def _next_step(*, after: str | None) -> flow.Switch:
    """One exclusive gateway after each step: rejected, else the next step the route requires.

    A single Switch (rather than a gate per step) keeps an approval to a few task rows.
    """
    switch = flow.Switch()
    if after is not None:
        switch.Case(this.rejected, _rejected)
    later = [(code, node) for code, node in _STEP_NODES if after is None or _STEP_ORDER[code] > _STEP_ORDER[after]]
    for code, node in later:
        switch.Case(getattr(this, node), _requires(code))
    return switch.Default(this.approved)


_STEP_ORDER = {code: i for i, (code, _node) in enumerate(_STEP_NODES)}


class ExpenseFlow(flow.Flow):
    process_title = "Expense approval"
    # A row lock on the process serialises every action on one request (PostgreSQL); SQLite
    # takes its write lock at BEGIN IMMEDIATE, so the same code serialises there too.
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_route).Next(this.route_start)
    route_start = _next_step(after=None)

    secretary = ApprovalStep(
        step=Step.COMMUNITY_SECRETARY, assign=this.assign, on_created=this.task_created, func=this.decide
    ).Next(this.after_secretary)
    after_secretary = _next_step(after=Step.COMMUNITY_SECRETARY)

    committee = Countersign(this.committee_voters).Vote(this.committee_vote)
    committee_vote = ApprovalStep(
        step=Step.COMMUNITY_COMMITTEE, assign=this.assign, on_created=this.task_created, func=this.decide
    ).Next(this.committee_join)
    committee_join = flow.Join(continue_on_condition=this.countersign_decided).Next(this.committee_tally)
    committee_tally = flow.Function(this.tally).Next(this.after_committee)
    after_committee = _next_step(after=Step.COMMUNITY_COMMITTEE)

    reviewer = ApprovalStep(
        step=Step.STREET_REVIEWER, assign=this.assign, on_created=this.task_created, func=this.decide
    ).Next(this.after_reviewer)
    after_reviewer = _next_step(after=Step.STREET_REVIEWER)

    leader = ApprovalStep(
        step=Step.STREET_LEADER, assign=this.assign, on_created=this.task_created, func=this.decide
    ).Next(this.after_leader)
    after_leader = _next_step(after=Step.STREET_LEADER)

    approved = flow.Function(this.route_approved).Next(this.end)
    rejected = flow.Function(this.route_rejected).Next(this.end)
    end = flow.End()

    # --- callbacks: each one hands over to the services ----------------------------------------

    def start_route(self, activation, **kwargs):
        return activation.process

    def assign(self, activation):
        from workflows.expenses import services

        return services.route_assign(process=activation.process, task=activation.task, step=activation.flow_task.step)

    def task_created(self, activation, assignment):
        from workflows.expenses import services

        services.route_task_created(process=activation.process, task=activation.task, assignment=assignment)

    def decide(self, activation, *, decision: str, actor_id: int):
        from workflows.expenses import services

        services.route_decide(process=activation.process, task=activation.task, decision=decision, actor_id=actor_id)

    def committee_voters(self, activation):
        from workflows.expenses import services

        return services.route_committee_voters(process=activation.process)

    def countersign_decided(self, activation, active_tasks) -> bool:
        from workflows.expenses import services

        return services.countersign_outcome(process=activation.process) is not None

    def tally(self, activation):
        from workflows.expenses import services

        services.route_tally(process=activation.process)

    def route_approved(self, activation):
        from workflows.expenses import services

        services.route_finished(process=activation.process, approved=True)

    def route_rejected(self, activation):
        from workflows.expenses import services

        services.route_finished(process=activation.process, approved=False)
