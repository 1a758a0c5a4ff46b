import pytest


def forget_signups() -> None:
    """Drop the sign-up throttle's count for the test clients' address (only that key: the
    cache may be a Redis shared with other runs)."""
    from django.core.cache import cache

    from workflows.partners.api import SignupThrottle

    throttle = SignupThrottle()
    cache.delete(throttle.cache_format % {"scope": throttle.scope, "ident": "127.0.0.1"})


@pytest.fixture(autouse=True)
def _signups_forgotten():
    forget_signups()
    yield
    forget_signups()
