"""Small typed readers for environment variables.

Each one fails loudly (ImproperlyConfigured) on a value it cannot parse, so a typo in a
deployment is a start-up error rather than a silently different setting.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"Environment variable {name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_proxies(name: str) -> tuple[int, frozenset[str]]:
    """A trusted-proxy setting: off (0/false/empty), a hop count (true = 1, or N), or addresses.

    Returns (hops, addresses); at most one of them is set.
    """
    import ipaddress

    raw = (os.environ.get(name) or "").strip()
    lowered = raw.lower()
    if lowered in _FALSE:
        return 0, frozenset()
    if lowered in _TRUE:
        return 1, frozenset()
    if raw.isdigit():
        return int(raw), frozenset()
    addresses = set()
    for item in raw.split(","):
        try:
            addresses.add(str(ipaddress.ip_address(item.strip())))
        except ValueError:
            raise ImproperlyConfigured(
                f"Environment variable {name}={raw!r} must be 0/1, a proxy hop count, or proxy IP addresses."
            ) from None
    return 0, frozenset(addresses)
