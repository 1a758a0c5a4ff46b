"""The partner application's step codes (stored in task data and history rows: never rename)."""

COMMUNITY_REVIEW, COMMITTEE, STREET_REVIEW = "community_review", "committee", "street_review"
NOTICE, AGREEMENT, OBJECTION = "notice", "agreement", "objection"
ALL_STEPS = [COMMUNITY_REVIEW, COMMITTEE, STREET_REVIEW, NOTICE, AGREEMENT]
