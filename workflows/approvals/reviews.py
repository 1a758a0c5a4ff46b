"""The review a route over a community's resources runs first, declared once.

community review (the secretary) → committee countersign → street review, each when the
route's guideline requires it, any of them able to reject. Partner recruitment and lease
signing both start this way and differ only in what follows every review passing: a flow
inherits `ReviewedRoute` beside `ApprovalFlow` and adds an `approved` node (where the switches
lead once no review is left) with its own last steps, and its declaration starts its steps
with `REVIEW_STEPS`.

Step codes and node names are stored in task rows: never rename them.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows.approvals.flows import human_step, step_switch
from workflows.approvals.nodes import Countersign, RouteFunction
from workflows.approvals.registry import COMMUNITY, STREET, StepDef
from workflows.org.roles import Role

COMMUNITY_REVIEW, COMMITTEE, STREET_REVIEW = "community_review", "committee", "street_review"
REVIEW_STEP_CODES = (COMMUNITY_REVIEW, COMMITTEE, STREET_REVIEW)

# The route order as (step code, node name), for the switch after each review.
REVIEW_NODES = [(COMMUNITY_REVIEW, "community_review"), (COMMITTEE, "committee"), (STREET_REVIEW, "street_review")]

# Where a step goes when nobody holds its role in the community: the street's reviewer.
TO_STREET = (Role.STREET_REVIEWER, STREET)
REVIEW_ACTIONS = ("approve", "reject", "return", "transfer")

REVIEW_STEPS = (
    StepDef(COMMUNITY_REVIEW, Role.COMMUNITY_SECRETARY, COMMUNITY, _("Community review"), fallback=TO_STREET,
            actions=REVIEW_ACTIONS),
    StepDef(COMMITTEE, Role.COMMUNITY_COMMITTEE, COMMUNITY, _("Committee decision"), countersign=True,
            fallback=TO_STREET, actions=("approve", "reject")),
    StepDef(STREET_REVIEW, Role.STREET_REVIEWER, STREET, _("Street review"), fallback=TO_STREET,
            actions=REVIEW_ACTIONS),
)


class ReviewedRoute:
    """The review nodes. Not a flow itself: viewflow copies every node a flow class inherits
    into that class and resolves its `this.` links there, so each inheriting flow gets nodes of
    its own that lead to its own `approved` and `rejected`."""

    start = flow.StartHandle(this.start_route).Next(this.route_start)
    route_start = step_switch(REVIEW_NODES, after=None)

    community_review = human_step(COMMUNITY_REVIEW).Next(this.after_community_review)
    after_community_review = step_switch(REVIEW_NODES, after=COMMUNITY_REVIEW)

    committee = Countersign(this.countersign_voters).Vote(this.committee_vote)
    committee_vote = human_step(COMMITTEE, vote=True).Next(this.committee_join)
    committee_join = flow.Join(continue_on_condition=this.countersign_decided).Next(this.committee_tally)
    committee_tally = RouteFunction(this.tally).Next(this.after_committee)
    after_committee = step_switch(REVIEW_NODES, after=COMMITTEE)

    street_review = human_step(STREET_REVIEW).Next(this.after_street_review)
    after_street_review = step_switch(REVIEW_NODES, after=STREET_REVIEW)
