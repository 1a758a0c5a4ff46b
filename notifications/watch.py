"""Topics a page may watch on its socket (e.g. the street dashboard's counters).

A page that shows live figures sends `{"type": "watch", "topic": <topic>}`; the area that owns
the topic registered `groups_for_user(user_id) -> set[str]` for it (in its AppConfig.ready()),
and the consumer joins exactly those groups — from the database, never a group the client
names. Only watching sockets receive the topic's `live.changed` messages, so other pages (and
their tests) never see them.
"""

from collections.abc import Callable

_topics: dict[str, Callable[[int], set[str]]] = {}


def register(topic: str, groups_for_user: Callable[[int], set[str]]) -> None:
    _topics[topic] = groups_for_user


def groups_for(topic: str, user_id: int) -> set[str] | None:
    """The groups a user's socket joins to watch `topic`; None for an unknown topic."""
    found = _topics.get(topic)
    return None if found is None else set(found(user_id))
