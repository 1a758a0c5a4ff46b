"""The lease request route as a viewflow flow: only its nodes.

The engine's review (community review → committee countersign → street review, each when the
guideline requires it) → contract (the secretary signs) → signed. Node names are stored in task
rows: never rename them.
"""

from viewflow import this
from viewflow.workflow import flow

from workflows.approvals.flows import ApprovalFlow, human_step, service_hook
from workflows.approvals.nodes import RouteFunction, RouteSwitch
from workflows.approvals.reviews import ReviewedRoute
from workflows.leases.steps import CONTRACT


class LeaseFlow(ReviewedRoute, ApprovalFlow):
    process_title = "Lease request"

    # Every review passed (the review switches' default target is `approved`): the contract is next.
    approved = RouteFunction(this.reviews_passed).Next(this.contract)
    contract = human_step(CONTRACT).Next(this.after_contract)
    after_contract = RouteSwitch().Case(this.rejected, this.was_rejected).Default(this.signed)

    signed = RouteFunction(this.route_approved).Next(this.end)
    rejected = RouteFunction(this.request_rejected).Next(this.end)
    end = flow.End()

    # Flow callbacks hand over to the lease services (the domain), named by path.
    reviews_passed = service_hook("workflows.leases.services.request_reviews_passed")
    request_rejected = service_hook("workflows.leases.services.request_rejected")
