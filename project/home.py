"""Home page registry: each area registers what its users should see first when they log in
(open tasks, requests still moving, a community's available balance) in its AppConfig.ready(),
as it registers menu entries. The home page never hard-codes areas.

A section's `context(user)` returns the template context, or None when it has nothing to show
that user; it runs on every home page view, so it must stay a query or two.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HomeSection:
    key: str
    template: str
    order: int
    context: Callable[[object], dict | None]


_registry: dict[str, HomeSection] = {}


def register(section: HomeSection) -> None:
    _registry[section.key] = section


def sections_for(user) -> list[dict]:
    shown = []
    for section in sorted(_registry.values(), key=lambda s: s.order):
        context = section.context(user)
        if context is not None:
            shown.append({"key": section.key, "template": section.template, "context": context})
    return shown
