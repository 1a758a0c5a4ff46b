"""Limits on what a request may make the server do: JSON depth and body size.

JSON: Python's parser recurses once per nesting level, so 5,000 nested arrays end in a
RecursionError (a 500), even before login. Every JSON the project reads from a client (API
bodies through `JSONParser`, query parameters and websocket messages through `json_loads`) is
first scanned for its nesting depth, in one linear pass, and refused past `JSON_MAX_DEPTH`.

Bodies: a request is refused from its declared `Content-Length` before its body is read
(`BodyLimit` at the ASGI edge, `RequestLimitMiddleware` for any other path): multipart
uploads up to REQUEST_MAX_BYTES, every other body up to DATA_UPLOAD_MAX_MEMORY_SIZE (Django
applies that limit to forms only; DRF streams JSON past it). The API answers in JSON (413).
"""

from __future__ import annotations

import io
import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

JSON_MAX_DEPTH = 64
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class JSONTooDeep(ValueError):
    pass


def json_depth_exceeds(text: str, limit: int = JSON_MAX_DEPTH) -> bool:
    if text.count("[") + text.count("{") <= limit:
        return False  # cannot nest deeper than it has brackets
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def json_loads(text: str | bytes, *, limit: int = JSON_MAX_DEPTH):
    """json.loads for client input: JSONTooDeep (a ValueError) past `limit` levels."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8")
    if json_depth_exceeds(text, limit):
        raise JSONTooDeep(f"nested more than {limit} levels deep")
    try:
        return json.loads(text)
    except RecursionError:  # unreachable below the limit; never a 500 if it is raised anyway
        raise JSONTooDeep(f"nested more than {limit} levels deep") from None


def too_deep_message() -> str:
    return _("The JSON is nested more than %(depth)s levels deep.") % {"depth": JSON_MAX_DEPTH}


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit (a 400, not a RecursionError)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        data = stream.read() if stream is not None else b""
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(_("The request body is not valid %(encoding)s text.") % {"encoding": encoding}) from None
        if json_depth_exceeds(text):
            raise ParseError(too_deep_message())
        return super().parse(io.BytesIO(data), media_type, parser_context)


# --- body size ------------------------------------------------------------------------------------

def body_cap(content_type: str) -> int:
    if content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
        return settings.REQUEST_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or settings.REQUEST_MAX_BYTES


def _too_large_text(cap: int) -> str:
    return _("The request is larger than %(limit)s MB.") % {"limit": f"{cap / (1024 * 1024):.1f}"}


def too_large_response(path: str, cap: int):
    if path.startswith("/api/"):
        return JsonResponse({"detail": _too_large_text(cap)}, status=413)
    # A page (also at the ASGI edge, where there is no request): the message in a small HTML page
    # that leads back, as the 500 page does.
    return HttpResponse(render_to_string("413.html", {"message": _too_large_text(cap)}), status=413,
                        content_type="text/html; charset=utf-8")


def _declared_length(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


class RequestLimitMiddleware:
    """The same refusal for paths that do not come through `BodyLimit` (tests, WSGI), and a JSON
    413 for the API when Django finds a body too big while reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = _declared_length(request.META.get("CONTENT_LENGTH"))
        cap = body_cap(request.META.get("CONTENT_TYPE", ""))
        if length is not None and length > cap:
            return too_large_response(request.path, cap)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request.path, body_cap(request.META.get("CONTENT_TYPE", "")))
        return None


class BodyLimit:
    """ASGI wrapper: refuse an oversized body before a byte of it is read.

    Django's ASGI handler reads the whole body (spooling to disk) before any middleware runs, so
    the declared length is checked here; a body without one is counted as it arrives and cut off
    at the cap.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        cap = body_cap(headers.get(b"content-type", b"").decode("latin-1"))
        length = _declared_length(headers.get(b"content-length", b"").decode("latin-1") or None)
        if length is not None and length > cap:
            return await self._refuse(scope, send, cap)
        received = 0
        cut_off = False

        async def counted_receive():
            nonlocal received, cut_off
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    cut_off = True
                    return {"type": "http.disconnect"}  # Django stops reading and sends nothing
            return message

        await self.app(scope, counted_receive, send)
        if cut_off:
            await self._refuse(scope, send, cap)

    async def _refuse(self, scope, send, cap):
        response = too_large_response(scope.get("path", ""), cap)
        await send({
            "type": "http.response.start",
            "status": response.status_code,
            "headers": [(b"content-type", response["Content-Type"].encode()), (b"connection", b"close")],
        })
        await send({"type": "http.response.body", "body": response.content})
