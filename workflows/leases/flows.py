"""The lease request route as a viewflow flow: only its nodes.

community review → committee countersign → street review (each when the guideline requires it)
→ contract (the secretary signs) → signed. Node names are stored in task rows: never rename them.
"""

from viewflow import this
from viewflow.workflow import flow

from workflows.approvals.flows import ApprovalFlow, service_hook, step_switch
from workflows.approvals.nodes import ApprovalStep, Countersign, RouteFunction, RouteSwitch
from workflows.leases.steps import COMMITTEE, COMMUNITY_REVIEW, CONTRACT, STREET_REVIEW

REVIEW_NODES = [(COMMUNITY_REVIEW, "community_review"), (COMMITTEE, "committee"), (STREET_REVIEW, "street_review")]


def _step(code: str, *, vote: bool = False) -> ApprovalStep:
    return ApprovalStep(step=code, assign=this.assign, on_created=this.task_created, func=this.decide, vote=vote)


class LeaseFlow(ApprovalFlow):
    process_title = "Lease request"

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

    # Every review passed (step_switch's default target is `approved`): the contract is next.
    approved = RouteFunction(this.reviews_passed).Next(this.contract)
    contract = _step(CONTRACT).Next(this.after_contract)
    after_contract = RouteSwitch().Case(this.rejected, this.was_rejected).Default(this.signed)

    signed = RouteFunction(this.route_approved).Next(this.end)
    rejected = RouteFunction(this.request_rejected).Next(this.end)
    end = flow.End()

    # Flow callbacks hand over to the lease services (the domain), named by path.
    reviews_passed = service_hook("workflows.leases.services.request_reviews_passed")
    request_rejected = service_hook("workflows.leases.services.request_rejected")
