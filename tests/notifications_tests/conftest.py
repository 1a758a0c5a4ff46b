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
    from notifications.models import Notification

    Notification.objects.all().delete()
    return demo


@pytest.fixture(autouse=True)
def _fresh_in_memory_layer():
    # The in-memory layer is a process-wide singleton; a stale group from an earlier test must not
    # leak into the next one. (The Redis layer is per-prefix and expires on its own.)
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _close_connections_of_the_consumer_thread():
    # channels.testing disables close_old_connections while it drives a consumer, so the shared
    # sync thread keeps its database connection; close it or PostgreSQL cannot drop the test db.
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


async def open_socket(user, *, headers=None, resume_after=None):
    """A socket for `user` (scope user set as the auth middleware would) after its hello."""
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/", headers=headers or [])
    communicator.scope["user"] = user
    connected, _code = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    if resume_after is not None:
        await communicator.send_json_to({"type": "resume", "after": resume_after})
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
