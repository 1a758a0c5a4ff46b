"""The review route declared once (workflows/approvals/reviews.py) and inherited by two flows."""

from workflows.approvals.reviews import REVIEW_NODES, REVIEW_STEPS, ReviewedRoute
from workflows.leases.flows import LeaseFlow
from workflows.leases.process import STEPS as LEASE_STEPS
from workflows.partners.flows import PartnerFlow
from workflows.partners.process import STEPS as PARTNER_STEPS


def _targets(node) -> list:
    return [edge.dst for edge in node._outgoing()]


def test_each_flow_gets_review_nodes_of_its_own_that_lead_to_its_own_last_steps():
    review_names = {name for name in vars(ReviewedRoute) if not name.startswith("_")}
    assert {node for _code, node in REVIEW_NODES} <= review_names
    for flow_class in (LeaseFlow, PartnerFlow):
        nodes = flow_class._nodes_by_name
        assert review_names <= set(nodes)
        for name in review_names:
            node = nodes[name]
            assert node.flow_class is flow_class and node.name == name
            assert node is not getattr(ReviewedRoute, name)  # viewflow's copy, not the shared one
            for target in _targets(node):
                assert target.flow_class is flow_class, (flow_class, name, target)
        # Passing every review leads to the flow's own next step, not the other flow's.
        assert nodes["approved"] in _targets(nodes["after_street_review"])
    lease, partner = LeaseFlow._nodes_by_name, PartnerFlow._nodes_by_name
    assert _targets(lease["approved"]) == [lease["contract"]]
    assert _targets(partner["approved"]) == [partner["notice"]]
    assert lease["community_review"] is not partner["community_review"]


def test_both_routes_start_with_the_same_three_review_steps():
    assert LEASE_STEPS[:3] == REVIEW_STEPS == PARTNER_STEPS[:3]
    assert [s.code for s in REVIEW_STEPS] == ["community_review", "committee", "street_review"]
