"""The ticket route as a viewflow flow: only its nodes (the shape of workflows/expenses/flows.py).

review (sequential, deadline) → committee (countersign) → desk (role queue) → approved.
"""

from viewflow import this
from viewflow.workflow import flow

from workflows.approvals.flows import ApprovalFlow, human_step, step_switch
from workflows.approvals.nodes import Countersign

REVIEW, COMMITTEE, DESK = "review", "committee", "desk"

# Route order as (step code, node name).
STEP_NODES = [(REVIEW, "review"), (COMMITTEE, "committee"), (DESK, "desk")]


class TicketFlow(ApprovalFlow):
    process_title = "Engine test ticket"

    start = flow.StartHandle(this.start_route).Next(this.route_start)
    route_start = step_switch(STEP_NODES, after=None)

    review = human_step(REVIEW).Next(this.after_review)
    after_review = step_switch(STEP_NODES, after=REVIEW)

    committee = Countersign(this.countersign_voters).Vote(this.committee_vote)
    committee_vote = human_step(COMMITTEE, vote=True).Next(this.committee_join)
    committee_join = flow.Join(continue_on_condition=this.countersign_decided).Next(this.committee_tally)
    committee_tally = flow.Function(this.tally).Next(this.after_committee)
    after_committee = step_switch(STEP_NODES, after=COMMITTEE)

    desk = human_step(DESK).Next(this.after_desk)
    after_desk = step_switch(STEP_NODES, after=DESK)

    approved = flow.Function(this.route_approved).Next(this.end)
    rejected = flow.Function(this.route_rejected).Next(this.end)
    end = flow.End()
