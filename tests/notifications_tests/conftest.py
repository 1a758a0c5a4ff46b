"""Helpers for the notification tests: sockets through the consumer, events as processes send them."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from notifications.consumers import NotificationConsumer
from workflows.approvals.events import ApprovalEvent, emit


@pytest.fixture
def demo(demo):
    """The shared demo, with an empty inbox: the demo's own expense requests already notified
    people while loading, and these tests count exactly what they cause."""
    from notifications.models import Notification, NotificationCounter

    Notification.objects.all().delete()
    NotificationCounter.objects.all().delete()  # the counters must keep matching the rows
    return demo


async def open_socket(user, *, headers=None, resume_after_seq=None):
    """A socket for `user` (scope user set as the auth middleware would) after its hello."""
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/", headers=headers or [])
    communicator.scope["user"] = user
    connected, _code = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    if resume_after_seq is not None:
        await communicator.send_json_to({"type": "resume", "after_seq": resume_after_seq})
    return communicator, hello


def event(kind, **fields):
    defaults = {"process_kind": "expense", "process_id": 1, "title": "Tea for the volunteers", "url": "/expenses/1/"}
    return ApprovalEvent(kind=kind, **{**defaults, **fields})


@database_sync_to_async
def emit_in_transaction(ev, sender=None):
    """Send an approval event the way a process does: inside its transaction."""
    from django.db import transaction

    with transaction.atomic():
        emit(sender or object, ev)
