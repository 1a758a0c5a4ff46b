"""The live notification socket, /ws/notifications/.

Thin: it authenticates, joins the groups the database says the user belongs to, replays by seq
on request, and forwards pushes. Pushes carry everything a socket needs (its own row id, seq and
unread count, text in every language), so forwarding one touches no database.
"""

import asyncio
import json
import logging

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from notifications import kinds, selectors, services, transports, watch
from notifications.fanout import local_groups
from notifications.groups import groups_for_user
from project.limits import json_loads

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
REPLAY_BATCH = 200
# A socket away for longer than this many notifications reloads the inbox page instead.
REPLAY_LIMIT = 1000
# Ids already sent on this socket, so a row both replayed and pushed live is sent once.
SENT_MEMORY = 2000


def _language_of(scope) -> str:
    """The reader's language: ?lang=, then the language cookie, then Accept-Language."""
    from urllib.parse import parse_qs

    candidates = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [])
    cookie = scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
    if cookie:
        candidates.append(cookie)
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            candidates.extend(code for code, _q in parse_accept_lang_header(value.decode("latin-1")))
    for candidate in candidates:
        try:
            return translation.get_supported_language_variant(candidate)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _row_message(row, language: str, unread: int) -> dict:
    title, body = kinds.render(row.kind, row.params, language)
    return {
        "type": "notification",
        "id": row.pk,
        "seq": row.seq,
        "kind": row.kind,
        "title": title,
        "body": body,
        "url": row.url,
        "created_at": row.created_at.isoformat(),
        "unread": unread,
    }


class NotificationConsumer(AsyncWebsocketConsumer):
    # No channel of its own: the process's sockets share one subscription per group
    # (notifications/fanout.py), which hands group messages to `deliver`. With no layer alias
    # Channels runs the socket's own receive loop alone.
    channel_layer_alias = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        self.watching: list[str] = []  # groups joined for watched topics (watch.py)
        # One handler at a time per socket, as Channels' own loop guaranteed: a live push waits
        # while a replay is being sent, so rows reach the client in order.
        self._turn = asyncio.Lock()
        self._inbox: asyncio.Queue = asyncio.Queue()
        self._pump: asyncio.Task | None = None
        self._local = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._stop_pushes()

    async def dispatch(self, message):
        # Channels >= 4.2 runs close_old_connections() in the (single) sync thread before EVERY
        # handler. Pushes never touch the ORM, and every handler that does goes through
        # database_sync_to_async, which closes stale connections itself: skip the hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        async with self._turn:
            await handler(message)

    def deliver(self, message: dict) -> None:
        """A group message for this socket (called by the process's group reader)."""
        self._inbox.put_nowait(message)

    async def _pushes(self) -> None:
        while True:
            message = await self._inbox.get()
            handler = getattr(self, get_handler_name(message), None)
            if handler is None:
                logger.warning("no handler for channel-layer message type %s", message.get("type"))
                continue
            try:
                async with self._turn:
                    await handler(message)
            except (OSError, RuntimeError):  # the socket closed under the push: its end is near
                logger.debug("a push to a closing socket failed", exc_info=True)
            except Exception:  # best effort, as every push: the inbox row is the truth
                logger.exception("forwarding a %s to a socket failed", message.get("type"))

    async def _stop_pushes(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None
        groups, self.groups = [*self.groups, *self.watching], []
        self.watching = []
        if self._local is not None:
            for group in groups:
                try:
                    await self._local.leave(group, self)
                except Exception:  # the layer is gone (shutdown): nothing left to leave
                    logger.debug("leaving group %s failed", group, exc_info=True)

    async def websocket_connect(self, message):
        user = self.scope.get("user")
        self.sent: dict[int, None] = {}
        if user is None or not user.is_authenticated:
            # Accept first: a close before the handshake reaches browsers as a bare 403, and the
            # page needs the code to stop reconnecting.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.user_key = str(user.pk)
        self.language = _language_of(self.scope)
        # Pushes for this process go out from the loop its sockets wait on (see transports.Sender).
        transports.sender.serve_from(asyncio.get_running_loop())
        self._local = local_groups()
        self._pump = asyncio.get_running_loop().create_task(self._pushes())
        groups, (unread, seq) = await self._state()
        # A row up to this seq was committed before the state was read (a user's rows take their
        # seq under the lock of the user's counter row, so they commit in seq order): the hello
        # already counts it, and its push, still on the way, is not sent after the hello.
        self.hello_seq = seq
        await self._set_groups(groups)
        await self.accept()
        # seq: the newest row so far; a client with nothing stored can resume after it.
        await self.send_json({"type": "hello", "unread": unread, "seq": seq})

    async def websocket_disconnect(self, message):
        await self._stop_pushes()
        raise StopConsumer()

    async def websocket_receive(self, message):
        if not getattr(self, "user_id", None):
            return
        try:
            content = json_loads(message.get("text") or "")
            kind = content["type"]
        except (ValueError, TypeError, KeyError):
            await self.send_json({"type": "error", "detail": "Send JSON objects with a type."})
            return
        if kind == "resume":
            # after_seq: the per-user sequence (commit order). after: the older id cursor, kept
            # for clients that still send it; it can miss a row committed out of id order.
            by_seq = "after_seq" in content or "after" not in content
            key = "after_seq" if by_seq else "after"
            after = content.get(key, 0)
            if not isinstance(after, int) or isinstance(after, bool) or after < 0:
                await self.send_json({"type": "error", "detail": f"{key} must be a non-negative integer."})
                return
            await self._replay(after, by_seq=by_seq)
        elif kind == "read":
            pk = content.get("id")
            if not isinstance(pk, int) or isinstance(pk, bool):
                await self.send_json({"type": "error", "detail": "id must be an integer."})
                return
            if not await self._mark_read(pk):
                await self.send_json({"type": "error", "detail": "No such notification."})
        elif kind == "watch":
            topic = content.get("topic")
            groups = await self._watch_groups(topic) if isinstance(topic, str) and len(topic) <= 40 else None
            if groups is None:
                await self.send_json({"type": "error", "detail": "Unknown topic."})
                return
            for group in sorted(groups - set(self.watching)):
                await self._local.join(group, self)
                self.watching.append(group)  # as soon as it is held, so a disconnect meanwhile leaves it
            self.watching.sort()
            await self.send_json({"type": "watching", "topic": topic})
        elif kind == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "detail": "Unknown message type."})

    # --- channel-layer events (no database) -------------------------------------------------

    async def notification_push(self, message):
        entry = message["rows"].get(self.user_key)
        if entry is None:  # a group member who held no row (e.g. gained the role a moment ago)
            return
        row_id, seq, unread = entry
        if seq <= self.hello_seq or self._already_sent(row_id):
            return
        # The message object is shared by every socket of the process (fanout.py): the part that
        # is the same for all readers of one language is encoded once, the socket's own three
        # numbers are put in front of it.
        rendered = message.setdefault("_rendered", {})
        tail = rendered.get(self.language)
        if tail is None:
            content = message["content"]
            texts = content["texts"].get(self.language) or next(iter(content["texts"].values()))
            tail = rendered[self.language] = json.dumps(
                {
                    "kind": content["kind"],
                    "title": texts["title"],
                    "body": texts["body"],
                    "url": content["url"],
                    "created_at": content["created_at"],
                },
                ensure_ascii=False,
            )[1:]
        await self.send(
            text_data=f'{{"type": "notification", "id": {int(row_id)}, "seq": {int(seq)}, "unread": {int(unread)}, {tail}'
        )

    async def job_progress(self, message):
        # Background jobs (spreadsheets) report progress to user.<owner>; forwarded as is.
        await self.send_json({key: message[key] for key in ("type", "job", "progress", "state")})

    async def live_changed(self, message):
        # A watched topic changed (watch.py; e.g. the street dashboard's counters): no figures,
        # the page reads them again; forwarded as is, no database.
        await self.send_json({"type": "changed", "topic": message.get("topic", ""), "community": message.get("community")})

    async def notification_unread(self, message):
        await self.send_json({"type": "unread", "unread": message["unread"]})

    async def notification_rejoin(self, message):
        groups, (unread, _seq) = await self._state()
        if not await self._is_active():  # the account was deactivated
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self._set_groups(groups)
        # Also tells the client its groups are current (tests and tabs use it as a sync point).
        await self.send_json({"type": "unread", "unread": unread})

    # --- helpers ------------------------------------------------------------------------------

    def _already_sent(self, row_id: int) -> bool:
        if row_id in self.sent:
            return True
        self.sent[row_id] = None
        if len(self.sent) > SENT_MEMORY:
            del self.sent[next(iter(self.sent))]
        return False

    async def _set_groups(self, groups: set[str]) -> None:
        current = set(self.groups)
        for group in sorted(groups - current):
            await self._local.join(group, self)
            self.groups.append(group)  # as soon as it is held, so a disconnect meanwhile leaves it
        for group in sorted(current - groups):
            self.groups.remove(group)
            await self._local.leave(group, self)
        self.groups.sort()

    @database_sync_to_async
    def _state(self) -> tuple[set[str], tuple[int, int]]:
        """Groups from the database (only user.<id> for a deactivated user), unread count and last seq."""
        return groups_for_user(self.user_id), selectors.counter_of(user_id=self.user_id)

    @database_sync_to_async
    def _watch_groups(self, topic: str) -> set[str] | None:
        return watch.groups_for(topic, self.user_id)

    @database_sync_to_async
    def _is_active(self) -> bool:
        from workflows.org.models import User

        return User.objects.filter(pk=self.user_id, is_active=True).exists()

    @database_sync_to_async
    def _replay_batch(self, after: int, by_seq: bool) -> tuple[list[dict], int]:
        if by_seq:
            rows = selectors.notifications_after_seq(user_id=self.user_id, after_seq=after, limit=REPLAY_BATCH)
        else:
            rows = selectors.notifications_after(user_id=self.user_id, after=after, limit=REPLAY_BATCH)
        unread = selectors.unread_count(user_id=self.user_id) if rows else 0
        return [_row_message(row, self.language, unread) for row in rows], len(rows)

    async def _replay(self, after: int, *, by_seq: bool) -> None:
        sent = 0
        while sent < REPLAY_LIMIT:
            messages, count = await self._replay_batch(after, by_seq)
            for message in messages:
                after = message["seq" if by_seq else "id"]
                if not self._already_sent(message["id"]):
                    await self.send_json(message)
            sent += count
            if count < REPLAY_BATCH:
                break

    @database_sync_to_async
    def _mark_read(self, pk: int) -> bool:
        from workflows.org.models import User

        try:
            services.notification_mark_read(actor=User(pk=self.user_id), pk=pk)
        except Http404:
            return False
        return True

    async def send_json(self, content: dict) -> None:
        await self.send(text_data=json.dumps(content, ensure_ascii=False))
