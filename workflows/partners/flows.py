"""The partner application route as a viewflow flow: only its nodes.

community review → committee countersign → street review → 公示 (a waiting period the timer
ends) → agreement (the secretary records it) → signed. An objection task is a side step: opened
beside the notice by `services.objection_file`, not on the path. Node names are stored in task
rows: never rename them casually.
"""

from viewflow import this
from viewflow.workflow import flow

from workflows.approvals.flows import ApprovalFlow, service_hook, step_switch
from workflows.approvals.nodes import ApprovalStep, Countersign, RouteFunction, RouteSwitch
from workflows.partners.steps import AGREEMENT, COMMITTEE, COMMUNITY_REVIEW, NOTICE, OBJECTION, STREET_REVIEW

# The review steps, in route order, as (step code, node name).
REVIEW_NODES = [(COMMUNITY_REVIEW, "community_review"), (COMMITTEE, "committee"), (STREET_REVIEW, "street_review")]


def _step(code: str, *, vote: bool = False) -> ApprovalStep:
    return ApprovalStep(step=code, assign=this.assign, on_created=this.task_created, func=this.decide, vote=vote)


class PartnerFlow(ApprovalFlow):
    process_title = "Partner application"

    start = flow.StartHandle(this.start_route).Next(this.route_start)
    route_start = step_switch(REVIEW_NODES, after=None)

    community_review = _step(COMMUNITY_REVIEW).Next(this.after_community_review)
    after_community_review = step_switch(REVIEW_NODES, after=COMMUNITY_REVIEW)

    committee = Countersign(this.countersign_voters).Vote(this.committee_vote)
    committee_vote = _step(COMMITTEE, vote=True).Next(this.committee_join)
    committee_join = flow.Join(continue_on_condition=this.countersign_decided).Next(this.committee_tally)
    committee_tally = RouteFunction(this.tally).Next(this.after_committee)
    after_committee = step_switch(REVIEW_NODES, after=COMMITTEE)

    street_review = _step(STREET_REVIEW).Next(this.after_street_review)
    after_street_review = step_switch(REVIEW_NODES, after=STREET_REVIEW)

    # Every review passed (step_switch's default target is `approved`): the notice opens.
    approved = RouteFunction(this.notice_opened).Next(this.notice)
    notice = _step(NOTICE).Next(this.notice_closed)
    notice_closed = RouteFunction(this.notice_ended).Next(this.agreement)
    agreement = _step(AGREEMENT).Next(this.after_agreement)
    after_agreement = RouteSwitch().Case(this.rejected, this.was_rejected).Default(this.signed)

    # Opened beside the notice, one per objection (services.objection_file).
    objection = _step(OBJECTION)

    signed = RouteFunction(this.route_approved).Next(this.end)
    rejected = RouteFunction(this.route_rejected).Next(this.end)
    end = flow.End()

    # Flow callbacks hand over to the partner services (the domain), named by path: flows.py
    # imports no service.
    notice_opened = service_hook("workflows.partners.services.notice_open")
    notice_ended = service_hook("workflows.partners.services.notice_close")
