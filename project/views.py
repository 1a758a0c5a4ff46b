"""Project-level endpoints that belong to no area: health."""

import asyncio
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


async def _channel_layer_roundtrip() -> str:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz", "token": token})
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned another message")
    return type(layer).__name__


def _database_roundtrip() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@never_cache
@require_GET
async def healthz(request):
    """Check the database and the channel layer; say which backends are in use."""
    body = {
        "database": {"backend": "postgresql" if connection.vendor == "postgresql" else connection.vendor},
        "channel_layer": {"backend": "redis" if settings.REDIS_URL else "in-memory"},
    }
    ok = True
    try:
        await sync_to_async(_database_roundtrip)()
        body["database"]["ok"] = True
    except Exception as exc:  # a health check reports, it does not crash
        ok = False
        body["database"].update(ok=False, error=exc.__class__.__name__)
    try:
        body["channel_layer"]["class"] = await _channel_layer_roundtrip()
        body["channel_layer"]["ok"] = True
    except Exception as exc:
        ok = False
        body["channel_layer"].update(ok=False, error=exc.__class__.__name__)
    body["status"] = "ok" if ok else "error"
    return JsonResponse(body, status=200 if ok else 503)
