"""Transports: how a committed notification reaches people. A registry, so SMS or an app push can
be added without touching notify().

Every transport runs after commit and is best effort: a failure is logged and never undoes or
blocks the action that caused it (the inbox row is already committed).
"""

import asyncio
import atexit
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from channels.layers import get_channel_layer
from django.conf import settings
from django.core import mail
from django.utils import translation

from notifications import kinds
from notifications.groups import user_group

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What one notify() call committed: the content once, and per row
    (user id, row id, seq, group).

    group is the role group that reaches the user (a queue notification) or None (personal:
    the push goes to user.<id>). `unread` maps each recipient of the batch to their unread count
    as the counter stood at commit (shared by the deliveries of one batch).
    """

    kind: str
    params: dict
    url: str
    created_at: datetime
    rows: tuple[tuple[int, int, int, str | None], ...]
    unread: Mapping[int, int]
    # Recipients who want mail → their address, read with the recipients; None: not known.
    mail: Mapping[int, str] | None = None


class Transport(Protocol):
    name: str

    def deliver(self, deliveries: Sequence[Delivery]) -> None: ...


_registry: dict[str, Transport] = {}


def register(transport: Transport) -> Transport:
    _registry[transport.name] = transport
    return transport


def registered() -> list[Transport]:
    return list(_registry.values())


def deliver(deliveries: Sequence[Delivery] | Delivery) -> None:
    """Hand what one batch committed to every transport (called after commit)."""
    if isinstance(deliveries, Delivery):
        deliveries = [deliveries]
    for transport in list(_registry.values()):
        try:
            transport.deliver(deliveries)
        except Exception:  # best effort: the row is committed, the reader sees it on next load
            logger.exception("notification transport %s failed for %s", transport.name, [d.kind for d in deliveries])


# --- the sender: one event loop per process sends every channel-layer message ------------------


class _LoopQueue:
    """Jobs waiting for one event loop, drained in order by at most one task on that loop.
    `jobs` and `draining` are touched only from that loop's thread."""

    def __init__(self):
        self.jobs: deque = deque()
        self.draining = False
        self.pending = 0  # submitted and not yet finished (under Sender._lock)


class Sender:
    """Sends channel-layer messages for the whole process from one event loop.

    The loop is the ASGI server's when this process serves sockets (the consumer reports it on
    connect): the in-memory channel layer's queues belong to the loop its consumers wait on, and
    a send from another loop would not wake them. Otherwise (a management command, a job worker,
    a sync test) it is a daemon thread's own loop, started on first use. Either way a commit hands
    over a job in microseconds and never starts an event loop of its own.
    """

    def __init__(self):
        self._reset()

    def _reset(self) -> None:
        # Also run in a forked child, which inherits the loop objects but not their threads.
        self._lock = threading.Condition()
        self._server_loop: asyncio.AbstractEventLoop | None = None
        self._own_loop: asyncio.AbstractEventLoop | None = None
        self._queues: dict[asyncio.AbstractEventLoop, _LoopQueue] = {}

    def serve_from(self, loop: asyncio.AbstractEventLoop) -> None:
        """Send from `loop` from now on (the loop this process's sockets are served on)."""
        self._server_loop = loop

    def submit(self, job: Callable[[], Awaitable[None]]) -> None:
        """Queue `job` (an async callable) to run on the sender loop; returns at once."""
        for loop in (self._target(), None):
            loop = loop or self._own()
            queue = self._queue(loop, +1)
            try:
                loop.call_soon_threadsafe(self._enqueue, queue, job)
                return
            except RuntimeError:  # the loop closed between the check and the call: use our own
                self._finished(queue)
        logger.error("could not queue a channel-layer send")

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every job submitted so far has run; False if `timeout` seconds passed first.
        Must not be called from the sender loop itself (that would wait for itself)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while True:
                # A loop that closed with jobs still queued (a test's loop ending) never runs them.
                for loop in [loop for loop in self._queues if loop.is_closed()]:
                    dropped = self._queues.pop(loop).pending
                    if dropped:
                        logger.warning("%s channel-layer sends were dropped: their event loop closed", dropped)
                if not any(queue.pending for queue in self._queues.values()):
                    return True
                remaining = 0.05 if deadline is None else min(0.05, deadline - time.monotonic())
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)

    # --- internals ---------------------------------------------------------------------------

    def _target(self) -> asyncio.AbstractEventLoop:
        loop = self._server_loop
        if loop is not None and loop.is_running() and not loop.is_closed():
            return loop
        return self._own()

    def _own(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._own_loop is None or self._own_loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="notifications-sender", daemon=True).start()
                self._own_loop = loop
            return self._own_loop

    def _queue(self, loop: asyncio.AbstractEventLoop, add: int) -> _LoopQueue:
        with self._lock:
            queue = self._queues.get(loop)
            if queue is None:
                queue = self._queues[loop] = _LoopQueue()
            queue.pending += add
            return queue

    def _finished(self, queue: _LoopQueue) -> None:
        with self._lock:
            queue.pending -= 1
            self._lock.notify_all()

    def _enqueue(self, queue: _LoopQueue, job) -> None:
        queue.jobs.append(job)
        if not queue.draining:
            queue.draining = True
            asyncio.get_running_loop().create_task(self._drain(queue))

    async def _drain(self, queue: _LoopQueue) -> None:
        try:
            while queue.jobs:
                job = queue.jobs.popleft()
                try:
                    await job()
                except Exception:  # best effort: the row is committed, the reader sees it on next load
                    logger.exception("a channel-layer send failed")
                finally:
                    self._finished(queue)
        finally:
            queue.draining = False


sender = Sender()
os.register_at_fork(after_in_child=sender._reset)


def flush(timeout: float | None = 10.0) -> bool:
    """Wait until every push queued so far in this process was sent (tests, benchmarks, and
    short-lived processes before they exit). False if it took longer than `timeout` seconds."""
    return sender.flush(timeout)


# A management command's process would otherwise exit with its pushes still queued.
atexit.register(flush, 5.0)


# --- websocket push over the channel layer ------------------------------------------------------

# "group": one channel-layer message per role group, carrying a {user id: [row id, seq, unread]}
# map so each socket still learns its own row; "per_user": one message per recipient to
# user.<id>. benchmarks/notifications_fanout.py measures both; see notifications/README.md.
FANOUT_GROUP = "group"
FANOUT_PER_USER = "per_user"


def push_messages(deliveries: Sequence[Delivery] | Delivery, *, fanout: str | None = None) -> list[tuple[str, dict]]:
    """The (group, message) pairs that announce deliveries to open sockets. Touches no database:
    seqs and unread counts came back from the counter upsert in the writing transaction."""
    if isinstance(deliveries, Delivery):
        deliveries = [deliveries]
    fanout = fanout or getattr(settings, "NOTIFICATIONS_FANOUT", FANOUT_GROUP)
    messages = []
    for delivery in deliveries:
        content = {
            "kind": delivery.kind,
            "url": delivery.url,
            "created_at": delivery.created_at.isoformat(),
            "texts": kinds.render_all_languages(delivery.kind, delivery.params),
        }
        by_group: dict[str, dict[str, list[int]]] = {}
        for user_id, row_id, seq, group in delivery.rows:
            target = group if (group and fanout == FANOUT_GROUP) else user_group(user_id)
            by_group.setdefault(target, {})[str(user_id)] = [row_id, seq, delivery.unread.get(user_id, 0)]
        messages += [(group, {"type": "notification.push", "content": content, "rows": rows}) for group, rows in by_group.items()]
    return messages


async def _group_send_all(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # Concurrent sends share the layer's connection pool (REDIS_MAX_CONNECTIONS bounds it).
    await asyncio.gather(*(layer.group_send(group, message) for group, message in messages))


def group_send_all(messages: list[tuple[str, dict]]) -> None:
    """Queue the messages on the sender; returns at once (sent in order, best effort)."""
    if not messages:
        return
    sender.submit(lambda: _group_send_all(messages))


class WebsocketTransport:
    name = "websocket"

    def deliver(self, deliveries: Sequence[Delivery]) -> None:
        group_send_all(push_messages(deliveries))


def announce_unread(user_id: int, unread: int) -> None:
    """Tell every open socket of a user the new unread count (after a read elsewhere)."""
    try:
        group_send_all([(user_group(user_id), {"type": "notification.unread", "unread": unread})])
    except Exception:
        logger.exception("could not announce the unread count of user %s", user_id)


def ask_to_rejoin(user_id: int) -> None:
    """Make the user's open sockets recompute their groups (after their roles changed)."""
    try:
        group_send_all([(user_group(user_id), {"type": "notification.rejoin"})])
    except Exception:
        logger.exception("could not ask the sockets of user %s to rejoin", user_id)


# --- e-mail -------------------------------------------------------------------------------------


class EmailTransport:
    """Django's mail backend; only users who switched on User.email_notifications get mail."""

    name = "email"

    def deliver(self, deliveries: Sequence[Delivery]) -> None:
        from workflows.org.models import User

        if all(d.mail is not None for d in deliveries):
            # notify() read who wants mail, at which address, with the recipients themselves.
            addresses = {user_id: address for d in deliveries for user_id, address in d.mail.items()}
        else:
            # One query for the whole batch: who of its recipients wants mail, at which address.
            addresses = dict(
                User.objects.filter(
                    id__in={user_id for d in deliveries for user_id, *_rest in d.rows}, email_notifications=True,
                    is_active=True,
                )
                .exclude(email="")
                .values_list("id", "email")
            )
        if not addresses:
            return
        messages = []
        # Users have no language of their own yet: mail goes out in the site's default language.
        with translation.override(settings.LANGUAGE_CODE):
            for delivery in deliveries:
                recipients = [addresses[user_id] for user_id, *_rest in delivery.rows if user_id in addresses]
                if not recipients:
                    continue
                title, body = kinds.render(delivery.kind, delivery.params)
                text = f"{body}\n\n{delivery.url}" if delivery.url else body
                messages += [mail.EmailMessage(subject=title, body=text, to=[address]) for address in recipients]
        if messages:
            mail.get_connection().send_messages(messages)


register(WebsocketTransport())
register(EmailTransport())
