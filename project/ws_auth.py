"""Websocket authentication: the session cookie for pages, `?token=` for API clients."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _user_for_token(key: str):
    from rest_framework.authtoken.models import Token

    try:
        token = Token.objects.select_related("user").get(key=key)
    except Token.DoesNotExist:
        return None
    return token.user if token.user.is_active else None


class TokenAuthMiddleware:
    """Runs after the session middleware; a valid token wins over an anonymous session."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        tokens = query.get("token")
        if tokens:
            user = await _user_for_token(tokens[0][:64])
            scope = dict(scope, user=user or AnonymousUser())
        return await self.inner(scope, receive, send)


class OriginCheck:
    """Origin validation that lets token clients without an Origin header through.

    The origin check protects the session cookie from a hostile page (cross-site websocket
    hijacking); browsers always send Origin on websockets, so such a page is still checked. A
    mobile or server client authenticates with `?token=` and sends no Origin: there is no
    cookie to ride, and refusing it would only break legitimate clients.
    """

    def __init__(self, inner):
        from channels.security.websocket import AllowedHostsOriginValidator

        self.inner = inner
        self.validated = AllowedHostsOriginValidator(inner)

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if b"origin" not in headers and query.get("token"):
            return await self.inner(scope, receive, send)
        return await self.validated(scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner):  # noqa: N802 (mirrors channels' naming)
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
