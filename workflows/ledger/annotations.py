"""What other areas show beside a public ledger line or disclosure (published inquiry answers).

The public pages belong to the books; an area that has something to say about a line registers
a provider here instead of the ledger importing it. A provider takes the community and the ids
shown on the page and returns {("line" | "disclosure", id): [item, ...]} in one or two queries,
whatever the number of lines; an item is a dict its own template (`template`) renders.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    code: str
    template: str
    items: Callable[..., dict]


_providers: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    _providers[provider.code] = provider


def collect(*, community, line_ids=(), disclosure_ids=()) -> dict[tuple[str, int], list[dict]]:
    found: dict[tuple[str, int], list[dict]] = {}
    for provider in _providers.values():
        for key, items in provider.items(community=community, line_ids=list(line_ids),
                                         disclosure_ids=list(disclosure_ids)).items():
            found.setdefault(key, []).extend({**item, "template": provider.template} for item in items)
    return found
