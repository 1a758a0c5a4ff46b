"""The partner application's step codes (stored in task data and history rows: never rename).

The three review steps are the engine's (workflows.approvals.reviews); the rest are the
application's own."""

from workflows.approvals.reviews import REVIEW_STEP_CODES

NOTICE, AGREEMENT, OBJECTION = "notice", "agreement", "objection"
ALL_STEPS = [*REVIEW_STEP_CODES, NOTICE, AGREEMENT]
