"""Shared fixtures: the demo street loaded through its real loader, and API clients per user."""

import pytest
from rest_framework.test import APIClient

from fixtures.loader import load_demo

DEMO_TEST_PASSWORD = "test-demo-password"


@pytest.fixture
def demo(db):
    """The whole Shaping Street demo (org, users, and every area's demo step)."""
    return load_demo(DEMO_TEST_PASSWORD)


@pytest.fixture
def users(demo):
    return demo["users"]


@pytest.fixture
def communities(demo):
    return demo["communities"]


@pytest.fixture
def api_for():
    """api_for(user) → an APIClient authenticated as that user (force_authenticate)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def anon_api():
    return APIClient()


# Browser fixtures (live_server_url, browser_page) live in browser_support; importing them
# here makes them available to every test package.
from tests.browser_support import _chromium, browser_page, live_server_url  # noqa: E402,F401
