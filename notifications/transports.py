"""Transports: how a committed notification reaches people. A registry, so SMS or an app push can
be added without touching notify().

Every transport runs after commit and is best effort: a failure is logged and never undoes or
blocks the action that caused it (the inbox row is already committed).
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core import mail
from django.utils import translation

from notifications import kinds, selectors
from notifications.groups import user_group

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What one notify() call committed: the content once, and (user id, row id, group) per row.

    group is the role group that reaches the user (a queue notification) or None (personal:
    the push goes to user.<id>).
    """

    kind: str
    params: dict
    url: str
    created_at: datetime
    rows: tuple[tuple[int, int, str | None], ...]


class Transport(Protocol):
    name: str

    def deliver(self, delivery: Delivery) -> None: ...


_registry: dict[str, Transport] = {}


def register(transport: Transport) -> Transport:
    _registry[transport.name] = transport
    return transport


def registered() -> list[Transport]:
    return list(_registry.values())


def deliver(delivery: Delivery) -> None:
    for transport in list(_registry.values()):
        try:
            transport.deliver(delivery)
        except Exception:  # best effort: the row is committed, the reader sees it on next load
            logger.exception("notification transport %s failed for %s", transport.name, delivery.kind)


# --- websocket push over the channel layer ------------------------------------------------------

# "group": one channel-layer message per role group, carrying a {user id: [row id, unread]} map
# so each socket still learns its own row id; "per_user": one message per recipient to
# user.<id>. benchmarks/notifications_fanout.py measures both; see notifications/README.md.
FANOUT_GROUP = "group"
FANOUT_PER_USER = "per_user"


def push_messages(delivery: Delivery, *, fanout: str | None = None) -> list[tuple[str, dict]]:
    """The (group, message) pairs that announce a delivery to open sockets."""
    fanout = fanout or getattr(settings, "NOTIFICATIONS_FANOUT", FANOUT_GROUP)
    counts = selectors.unread_counts(user_id for user_id, _row, _group in delivery.rows)
    content = {
        "kind": delivery.kind,
        "url": delivery.url,
        "created_at": delivery.created_at.isoformat(),
        "texts": kinds.render_all_languages(delivery.kind, delivery.params),
    }
    by_group: dict[str, dict[str, list[int]]] = {}
    for user_id, row_id, group in delivery.rows:
        target = group if (group and fanout == FANOUT_GROUP) else user_group(user_id)
        by_group.setdefault(target, {})[str(user_id)] = [row_id, counts.get(user_id, 0)]
    return [(group, {"type": "notification.push", "content": content, "rows": rows}) for group, rows in by_group.items()]


async def _group_send_all(layer, messages: list[tuple[str, dict]]) -> None:
    # Concurrent sends share the layer's connection pool (REDIS_MAX_CONNECTIONS bounds it).
    await asyncio.gather(*(layer.group_send(group, message) for group, message in messages))


def group_send_all(messages: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    async_to_sync(_group_send_all)(layer, messages)


class WebsocketTransport:
    name = "websocket"

    def deliver(self, delivery: Delivery) -> None:
        group_send_all(push_messages(delivery))


def announce_unread(user_id: int) -> None:
    """Tell every open socket of a user the new unread count (after a read elsewhere)."""
    try:
        count = selectors.unread_count(user_id=user_id)
        group_send_all([(user_group(user_id), {"type": "notification.unread", "unread": count})])
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

    def deliver(self, delivery: Delivery) -> None:
        from workflows.org.models import User

        recipients = list(
            User.objects.filter(
                id__in=[user_id for user_id, _row, _group in delivery.rows], email_notifications=True, is_active=True
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            return
        # Users have no language of their own yet: mail goes out in the site's default language.
        with translation.override(settings.LANGUAGE_CODE):
            title, body = kinds.render(delivery.kind, delivery.params)
        text = f"{body}\n\n{delivery.url}" if delivery.url else body
        messages = [mail.EmailMessage(subject=title, body=text, to=[address]) for address in recipients]
        mail.get_connection().send_messages(messages)


register(WebsocketTransport())
register(EmailTransport())
