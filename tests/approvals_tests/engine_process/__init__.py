"""A test-only process declared to the approval engine exactly as a real process app does.

It lives in the test package and is installed only by tests/settings.py, so the engine's own
tests do not depend on the expense process and nothing outside this package is edited to add
a kind: two sequential steps around a committee countersign, a role-queue step, a custom
`reply` action and a working-day deadline that escalates by timer.
"""
