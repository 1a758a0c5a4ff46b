"""The lease request's step codes (stored in task data and history rows: never rename).

The three review steps are the engine's (workflows.approvals.reviews); the contract is the
lease's own."""

from workflows.approvals.reviews import COMMITTEE, COMMUNITY_REVIEW, STREET_REVIEW

CONTRACT = "contract"

__all__ = ["COMMITTEE", "COMMUNITY_REVIEW", "CONTRACT", "STREET_REVIEW"]
