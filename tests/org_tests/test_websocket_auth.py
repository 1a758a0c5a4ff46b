"""The websocket door in front of every consumer: origin check and token/session auth."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from project.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def token_for(user):
    return Token.objects.get_or_create(user=user)[0].key


async def _hello(path, headers):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    if not connected:
        return None
    message = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()
    return message


async def test_an_api_client_with_a_token_and_no_origin_is_let_in(users):
    key = await token_for(users["heping_secretary"])
    message = await _hello(f"/ws/notifications/?token={key}", headers=[])
    assert message is not None and message["type"] == "hello"


async def test_a_foreign_origin_is_refused_even_with_a_token(users):
    key = await token_for(users["heping_secretary"])
    communicator = WebsocketCommunicator(
        application, f"/ws/notifications/?token={key}", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()  # end the consumer on this test's loop, not at its closing
    assert not connected


async def test_a_socket_without_origin_or_token_is_refused(users):
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[])
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()
    assert not connected


async def test_a_bad_token_from_an_allowed_origin_is_closed_as_anonymous(users):
    communicator = WebsocketCommunicator(
        application, "/ws/notifications/?token=not-a-token", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    closed = await communicator.receive_output(timeout=5)
    await communicator.disconnect()
    assert closed == {"type": "websocket.close", "code": 4401}
