"""The one throttle: who the client is, and counters that hold under concurrency.

`client_ip` believes `X-Forwarded-For` only from the proxies named by BEHIND_PROXY (a hop count
or a list of addresses); from anyone else the header is a claim an attacker chooses, so it is
ignored and the connection's own address counts.

`Counter.reserve` counts an attempt *before* the work it guards (checking a password) runs: the
increment is atomic in the cache (Redis INCR, or the local-memory cache's lock), so of 30
simultaneous attempts only those within the limit get past it. The caller then `release`s the
reservation when the attempt turned out fine. Each counter's window starts at its first count;
`retry_after` is what is really left of it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address: the connection's, or the one a trusted proxy reports."""
    request = getattr(request, "_request", request)  # a DRF Request wraps Django's
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    hops, trusted = settings.BEHIND_PROXY_HOPS, settings.BEHIND_PROXY_ADDRESSES
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or not (hops or trusted):
        return remote
    chain = [part.strip() for part in forwarded.split(",") if part.strip()] + [remote]
    if trusted:
        if remote not in trusted:
            return remote
        # Walk back from the connection past every trusted proxy; the first other hop is the client.
        for address in reversed(chain):
            if address not in trusted:
                return _valid_ip(address) or remote
        return remote
    # Each of the `hops` proxies appended the address it saw: the client is that many from the end.
    candidate = chain[-(hops + 1)] if len(chain) > hops else chain[0]
    return _valid_ip(candidate) or remote


class Throttled(Exception):
    def __init__(self, retry_after: int, scope: str):
        super().__init__(retry_after, scope)
        self.retry_after = retry_after
        self.scope = scope


@dataclass(frozen=True)
class Counter:
    """`limit` attempts per `window` seconds for one key (e.g. a user name at an address)."""

    scope: str
    key: str
    limit: int
    window: int

    @property
    def _key(self) -> str:
        return f"throttle:{self.scope}:{hashlib.sha256(self.key.encode()).hexdigest()[:40]}"

    def retry_after(self) -> int:
        until = cache.get(f"{self._key}:until")
        if until is None:
            return self.window
        return max(1, math.ceil(until - time.time()))

    def current(self) -> int:
        return cache.get(self._key) or 0

    def reserve(self) -> None:
        """Count one attempt; Throttled (nothing counted) when the limit is already used up."""
        if self.current() >= self.limit:  # cheap path: a locked-out client costs no write
            raise Throttled(self.retry_after(), self.scope)
        # add() only sets when absent, so the window starts at the first attempt and is not
        # extended by later ones.
        if cache.add(self._key, 0, timeout=self.window):
            cache.set(f"{self._key}:until", time.time() + self.window, timeout=self.window)
        try:
            count = cache.incr(self._key)
        except ValueError:  # expired between add() and incr()
            cache.add(self._key, 0, timeout=self.window)
            count = cache.incr(self._key)
        if count > self.limit:
            self.release()
            raise Throttled(self.retry_after(), self.scope)

    def release(self) -> None:
        """Undo one reservation (the attempt did not count against the limit)."""
        try:
            cache.decr(self._key)
        except ValueError:
            pass

    def reset(self) -> None:
        cache.delete_many([self._key, f"{self._key}:until"])


def reserve_all(counters: list[Counter]) -> None:
    """Reserve on every counter, or on none (the ones taken are released again)."""
    taken: list[Counter] = []
    try:
        for counter in counters:
            counter.reserve()
            taken.append(counter)
    except Throttled:
        for counter in taken:
            counter.release()
        raise


class ClientRateThrottle(ScopedRateThrottle):
    """DRF's scoped rate throttle keyed by `client_ip`, not by a client-supplied header."""

    def get_ident(self, request):
        return client_ip(request)
