"""Navigation registry: each area registers its menu entries in its AppConfig.ready().

An entry is shown when its `visible(user)` predicate says so; the shell never hard-codes areas.
An entry may also carry a `badge(user)` count (e.g. open work); the shell shows it only when it
is above zero. It runs on every page, so it must stay one cheap query.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # a lazy translation
    url_name: str
    order: int
    visible: Callable[[object], bool]
    icon: str = ""
    badge: Callable[[object], int | None] | None = None


_registry: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _registry[item.key] = item


def items_for(user) -> list[dict]:
    result = []
    for item in sorted(_registry.values(), key=lambda i: i.order):
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        count = item.badge(user) if item.badge is not None else None
        result.append({"key": item.key, "label": item.label, "url": url, "icon": item.icon,
                       "badge": count if count and count > 0 else None})
    return result
