"""Signals other areas listen to. Sent after the transaction that caused them commits."""

from django.dispatch import Signal

# Sent with user_id=<int> when a user's role memberships change; notifications re-join groups.
roles_changed = Signal()
