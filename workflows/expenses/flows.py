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


def _requires(step: str):
    def condition(activation) -> bool:
        return step in activation.process.data.get("steps", [])

    condition.__name__ = f"requires_{step}"
    return condition


class ExpenseFlow(flow.Flow):
    process_title = "Expense approval"
    # A row lock on the process serialises every action on one request (PostgreSQL); SQLite
    # takes its write lock at BEGIN IMMEDIATE, so the same code serialises there too.
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_route).Next(this.needs_secretary)

    needs_secretary = flow.If(_requires(Step.COMMUNITY_SECRETARY)).Then(this.secretary).Else(this.needs_committee)
    secretary = ApprovalStep(
        step=Step.COMMUNITY_SECRETARY, assign=this.assign, on_created=this.task_created, func=this.decide
    ).Next(this.after_secretary)
    after_secretary = flow.If(this.step_passed).Then(this.needs_committee).Else(this.rejected)

    needs_committee = flow.If(_requires(Step.COMMUNITY_COMMITTEE)).Then(this.committee).Else(this.needs_reviewer)
    committee = Countersign(this.committee_voters).Vote(this.committee_vote)
    committee_vote = ApprovalStep(
        step=Step.COMMUNITY_COMMITTEE, assign=this.assign, on_created=this.task_created, func=this.decide
    ).Next(this.committee_join)
    committee_join = flow.Join(continue_on_condition=this.countersign_decided).Next(this.committee_tally)
    committee_tally = flow.Function(this.tally).Next(this.after_committee)
    after_committee = flow.If(this.step_passed).Then(this.needs_reviewer).Else(this.rejected)

    needs_reviewer = flow.If(_requires(Step.STREET_REVIEWER)).Then(this.reviewer).Else(this.needs_leader)
    reviewer = ApprovalStep(
        step=Step.STREET_REVIEWER, assign=this.assign, on_created=this.task_created, func=this.decide
    ).Next(this.after_reviewer)
    after_reviewer = flow.If(this.step_passed).Then(this.needs_leader).Else(this.rejected)

    needs_leader = flow.If(_requires(Step.STREET_LEADER)).Then(this.leader).Else(this.approved)
    leader = ApprovalStep(
        step=Step.STREET_LEADER, assign=this.assign, on_created=this.task_created, func=this.decide
    ).Next(this.after_leader)
    after_leader = flow.If(this.step_passed).Then(this.approved).Else(this.rejected)

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

    def step_passed(self, activation) -> bool:
        return activation.process.data.get("last_decision") == "approve"

    def route_approved(self, activation):
        from workflows.expenses import services

        services.route_finished(process=activation.process, approved=True)

    def route_rejected(self, activation):
        from workflows.expenses import services

        services.route_finished(process=activation.process, approved=False)
