"""The lease request's step codes (stored in task data and history rows: never rename)."""

COMMUNITY_REVIEW, COMMITTEE, STREET_REVIEW, CONTRACT = "community_review", "committee", "street_review", "contract"
REVIEW_STEPS = [COMMUNITY_REVIEW, COMMITTEE, STREET_REVIEW]
