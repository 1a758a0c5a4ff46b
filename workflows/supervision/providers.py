"""The contributor hook: figures another area adds to the dashboard, the public page and the
reports without this app importing it.

An area registers one `FiguresProvider` in its AppConfig.ready() (`register(provider)`); the
selectors ask every registered provider once per page, with the ids of every community on it, so
a provider answers with one aggregate query per figure whatever the number of communities. A
figure no provider gives is absent (None, or an empty list/dict), never a made-up zero: the
pages then say it is not tracked here.

The lease area (`workflows.leases`) is the provider these slots were made for; its adapter is
`workflows/supervision/lease_figures.py`, registered by `apps.py` only when that app is installed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class LeaseEnding:
    """One lease that ends soon (no personal data: the partner's public name, the room)."""

    community_id: int
    lease_id: int
    partner: str
    room: str
    ends_on: dt.date
    url: str = ""


@dataclass(frozen=True)
class TimetableSlot:
    """One booked or leased slot of a room in the week (public: the partner's public name)."""

    room: str
    weekday: int          # 0 = Monday
    starts: dt.time
    ends: dt.time
    what: str


class FiguresProvider(Protocol):
    """What a provider may answer; a provider without a figure raises nothing and returns None."""

    key: str

    def leases_ending(self, community_ids: list[int], today: dt.date, days: int = 30) -> dict[int, list[LeaseEnding]] | None:
        """Per community, the leases ending within `days` days after `today` (inclusive)."""

    def arrears(self, community_ids: list[int], today: dt.date) -> dict[int, dict[str, Decimal]] | None:
        """Per community {"rent": Decimal, "charity": Decimal}: what is due by today and unpaid."""

    def charity_by_month(self, community_ids: list[int], year: int) -> dict[int, dict[int, dict[str, Decimal]]] | None:
        """Per community, per month 1..12: {"due": Decimal, "remitted": Decimal} (10% of revenue
        reported, and what was remitted to the charity federation with its receipt)."""

    def revenue_reported(self, community_ids: list[int], year: int) -> dict[int, Decimal] | None:
        """Per community, the partners' revenue reported for the year."""

    def week_timetable(self, community_id: int, week_start: dt.date) -> list[TimetableSlot] | None:
        """The centre's rooms this week (public page)."""


_providers: dict[str, FiguresProvider] = {}


def register(provider: FiguresProvider) -> None:
    _providers[provider.key] = provider


def unregister(key: str) -> None:
    _providers.pop(key, None)


def providers() -> list[FiguresProvider]:
    return list(_providers.values())


def _first(method: str, *args):
    """The first provider's answer to `method` that is not None (one provider per figure)."""
    for provider in _providers.values():
        fn = getattr(provider, method, None)
        if fn is None:
            continue
        found = fn(*args)
        if found is not None:
            return found
    return None


def leases_ending(community_ids, today, days=30):
    return _first("leases_ending", community_ids, today, days)


def arrears(community_ids, today):
    return _first("arrears", community_ids, today)


def charity_by_month(community_ids, year):
    return _first("charity_by_month", community_ids, year)


def revenue_reported(community_ids, year):
    return _first("revenue_reported", community_ids, year)


def week_timetable(community_id, week_start):
    return _first("week_timetable", community_id, week_start)
