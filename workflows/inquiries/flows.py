"""The inquiry route as a viewflow flow: only its nodes (callbacks are the engine's).

Round 1: acknowledge (the community's queue) → answer (the secretary) → end.
Round 2, after an escalation: street_review (the street reviewers' queue) → end.
Node names are stored in task rows: never rename them casually.
"""

from viewflow import this
from viewflow.workflow import flow

from workflows.approvals.flows import ApprovalFlow, human_step, step_switch
from workflows.approvals.nodes import RouteFunction

ACKNOWLEDGE, ANSWER, STREET_REVIEW = "acknowledge", "answer", "street_review"

STEP_NODES = [(ACKNOWLEDGE, "acknowledge"), (ANSWER, "answer"), (STREET_REVIEW, "street_review")]


class InquiryFlow(ApprovalFlow):
    process_title = "Resident inquiry"

    start = flow.StartHandle(this.start_route).Next(this.route_start)
    route_start = step_switch(STEP_NODES, after=None)

    acknowledge = human_step(ACKNOWLEDGE).Next(this.after_acknowledge)
    after_acknowledge = step_switch(STEP_NODES, after=ACKNOWLEDGE)

    answer = human_step(ANSWER).Next(this.after_answer)
    after_answer = step_switch(STEP_NODES, after=ANSWER)

    street_review = human_step(STREET_REVIEW).Next(this.after_street_review)
    after_street_review = step_switch(STEP_NODES, after=STREET_REVIEW)

    approved = RouteFunction(this.route_approved).Next(this.end)
    rejected = RouteFunction(this.route_rejected).Next(this.end)
    end = flow.End()
