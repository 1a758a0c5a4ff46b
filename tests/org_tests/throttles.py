"""Forgetting login counters between tests without emptying the shared Redis.

`cache.clear()` on the Redis cache is FLUSHDB: it would also drop the channel layer's keys and
those of any other test run sharing the server. Only the throttles' own keys are deleted.
"""

from django.core.cache import cache


def forget_throttles() -> None:
    client_of = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_of is None:  # the local-memory cache belongs to this process alone
        cache.clear()
        return
    client = client_of(write=True)
    # project.throttle's counters are "throttle:…", DRF's rate throttles "throttle_<scope>_…".
    keys = list(client.scan_iter(match=cache.make_key("throttle*"), count=1000))
    if keys:
        client.delete(*keys)
