"""The 待办 (my tasks) menu entry carries a live count of the user's open tasks."""

import dataclasses

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from project import navigation
from tests.expenses_tests.helpers import act, file

pytestmark = pytest.mark.django_db

BADGE = 'data-testid="nav-badge-approvals"'


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_committee_member_with_one_open_task_sees_1_and_no_badge_after_approving(users, communities):
    request = file(users, communities, amount="3000.00")
    act(request, users["heping_secretary"])
    member = client_for(users["heping_committee1"])
    page = member.get("/expenses/").content.decode()
    assert f'<span class="badge" {BADGE}>1</span>' in page
    act(request, users["heping_committee1"])
    assert BADGE not in member.get("/expenses/").content.decode()


def test_a_user_without_open_tasks_sees_no_badge(users):
    assert BADGE not in client_for(users["heping_staff"]).get("/expenses/").content.decode()


def test_the_badge_adds_at_most_one_query_to_a_page(users, communities, monkeypatch):
    request = file(users, communities, amount="3000.00")
    act(request, users["heping_secretary"])
    member = client_for(users["heping_committee1"])
    member.get("/expenses/")  # warm caches (session, content types) so both counts see the same page
    with CaptureQueriesContext(connection) as with_badge:
        assert BADGE in member.get("/expenses/").content.decode()
    item = navigation._registry["approvals"]
    monkeypatch.setitem(navigation._registry, "approvals", dataclasses.replace(item, badge=None))
    with CaptureQueriesContext(connection) as without_badge:
        assert BADGE not in member.get("/expenses/").content.decode()
    assert len(with_badge.captured_queries) - len(without_badge.captured_queries) <= 1
    assert len(with_badge.captured_queries) > len(without_badge.captured_queries)
