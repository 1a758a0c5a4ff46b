"""The partner application route as a viewflow flow: only its nodes.

The engine's review (community review → committee countersign → street review) → 公示 (a
waiting period the timer ends) → agreement (the secretary records it) → signed. An objection task
is a side step: opened beside the notice by `services.objection_file`, not on the path. Node
names are stored in task rows: never rename them casually.
"""

from viewflow import this
from viewflow.workflow import flow

from workflows.approvals.flows import ApprovalFlow, human_step, service_hook
from workflows.approvals.nodes import RouteFunction, RouteSwitch
from workflows.approvals.reviews import ReviewedRoute
from workflows.partners.steps import AGREEMENT, NOTICE, OBJECTION


class PartnerFlow(ReviewedRoute, ApprovalFlow):
    process_title = "Partner application"

    # Every review passed (the review switches' default target is `approved`): the notice opens.
    approved = RouteFunction(this.notice_opened).Next(this.notice)
    notice = human_step(NOTICE).Next(this.notice_closed)
    notice_closed = RouteFunction(this.notice_ended).Next(this.agreement)
    agreement = human_step(AGREEMENT).Next(this.after_agreement)
    after_agreement = RouteSwitch().Case(this.rejected, this.was_rejected).Default(this.signed)

    # Opened beside the notice, one per objection (services.objection_file).
    objection = human_step(OBJECTION)

    signed = RouteFunction(this.route_approved).Next(this.end)
    rejected = RouteFunction(this.route_rejected).Next(this.end)
    end = flow.End()

    # Flow callbacks hand over to the partner services (the domain), named by path: flows.py
    # imports no service.
    notice_opened = service_hook("workflows.partners.services.notice_open")
    notice_ended = service_hook("workflows.partners.services.notice_close")
