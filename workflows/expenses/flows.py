"""The expense route as a viewflow flow: only its nodes.

One gateway decides after each step (rejected, else the next step the authority table
requires), the committee countersign is a split over the members and a join that continues as
soon as the vote is decided. Every callback is the engine's (workflows.approvals.flows), and
every rule lives in workflows.approvals.route.

Node names are stored in task rows by dotted path: never rename them casually.
"""

from viewflow import this
from viewflow.workflow import flow

from workflows.approvals.flows import ApprovalFlow, human_step, step_switch
from workflows.approvals.nodes import Countersign, RouteFunction
from workflows.expenses.policy import Step

# Route order as (step code, node name).
STEP_NODES = [
    (Step.COMMUNITY_SECRETARY.value, "secretary"),
    (Step.COMMUNITY_COMMITTEE.value, "committee"),
    (Step.STREET_REVIEWER.value, "reviewer"),
    (Step.STREET_LEADER.value, "leader"),
]


class ExpenseFlow(ApprovalFlow):
    process_title = "Expense approval"

    start = flow.StartHandle(this.start_route).Next(this.route_start)
    route_start = step_switch(STEP_NODES, after=None)

    secretary = human_step(Step.COMMUNITY_SECRETARY).Next(this.after_secretary)
    after_secretary = step_switch(STEP_NODES, after=Step.COMMUNITY_SECRETARY)

    committee = Countersign(this.countersign_voters).Vote(this.committee_vote)
    committee_vote = human_step(Step.COMMUNITY_COMMITTEE, vote=True).Next(this.committee_join)
    committee_join = flow.Join(continue_on_condition=this.countersign_decided).Next(this.committee_tally)
    committee_tally = RouteFunction(this.tally).Next(this.after_committee)
    after_committee = step_switch(STEP_NODES, after=Step.COMMUNITY_COMMITTEE)

    reviewer = human_step(Step.STREET_REVIEWER).Next(this.after_reviewer)
    after_reviewer = step_switch(STEP_NODES, after=Step.STREET_REVIEWER)

    leader = human_step(Step.STREET_LEADER).Next(this.after_leader)
    after_leader = step_switch(STEP_NODES, after=Step.STREET_LEADER)

    approved = RouteFunction(this.route_approved).Next(this.end)
    rejected = RouteFunction(this.route_rejected).Next(this.end)
    end = flow.End()
