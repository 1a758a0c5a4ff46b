"""Registry of process kinds a `link` field may point at ("link to another request").

An area registers its kind in AppConfig.ready(): a resolver that returns the object when the
user can see it (None otherwise, for missing and not-yours alike) and a label for display.
The registry may be empty: a schema naming an unregistered kind is refused on write, and a
stored value whose kind disappeared still displays as its id.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LinkKind:
    code: str
    label: object  # lazy translation
    resolve: Callable[[object, int], object | None]
    describe: Callable[[object], str] = str


_registry: dict[str, LinkKind] = {}


def register(kind: LinkKind) -> None:
    _registry[kind.code] = kind


def get(code: str | None) -> LinkKind | None:
    return _registry.get(code or "")


def codes() -> list[str]:
    return sorted(_registry)


def choices() -> list[tuple[str, str]]:
    return [(k.code, str(k.label)) for k in sorted(_registry.values(), key=lambda k: k.code)]
