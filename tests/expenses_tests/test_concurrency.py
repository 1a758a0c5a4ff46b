"""Two approvals of the same task at the same moment: one wins, the other gets 409.

Real threads with their own connections on the real database (rows committed, hence
`transactional_db`). PostgreSQL serialises them on the task row lock, SQLite on its
BEGIN IMMEDIATE write lock; the same service code runs on both.
"""

import threading

import pytest
from django.db import connections

from fixtures.loader import load_demo
from tests.conftest import DEMO_TEST_PASSWORD
from tests.expenses_tests.helpers import file, history, task_of
from workflows.expenses.models import ExpenseRequest
from workflows.expenses.states import ExpenseState


@pytest.fixture
def live_demo(transactional_db):
    return load_demo(DEMO_TEST_PASSWORD)


def test_two_simultaneous_approvals_of_one_task_end_with_one_decision_and_a_409(live_demo, api_for):
    users, communities = live_demo["users"], live_demo["communities"]
    request = file(users, communities, amount="800.00")
    task = task_of(request, users["heping_secretary"])
    barrier = threading.Barrier(2)
    statuses = []

    def approve():
        try:
            api = api_for(users["heping_secretary"])
            barrier.wait(timeout=10)
            statuses.append(api.post(f"/api/tasks/{task.pk}/approve/", {"comment": "同意"}, format="json").status_code)
        finally:
            connections.close_all()

    race([approve, approve])
    assert sorted(statuses) == [200, 409]
    assert ExpenseRequest.objects.get(pk=request.pk).state == ExpenseState.APPROVED
    assert len(history(request, "approve")) == 1


def race(targets) -> None:
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)


def test_an_approval_racing_a_withdrawal_lets_exactly_one_of_them_happen(live_demo, api_for):
    users, communities = live_demo["users"], live_demo["communities"]
    request = file(users, communities, amount="800.00")
    task = task_of(request, users["heping_secretary"])
    barrier = threading.Barrier(2)
    statuses = {}

    def call(name, user, url):
        try:
            api = api_for(user)
            barrier.wait(timeout=10)
            statuses[name] = api.post(url, {}, format="json").status_code
        finally:
            connections.close_all()

    race([
        lambda: call("approve", users["heping_secretary"], f"/api/tasks/{task.pk}/approve/"),
        lambda: call("withdraw", users["heping_staff"], f"/api/expenses/{request.pk}/withdraw/"),
    ])
    assert sorted(statuses.values()) == [200, 409]
    winner = next(name for name, code in statuses.items() if code == 200)
    state = ExpenseRequest.objects.get(pk=request.pk).state
    assert state == (ExpenseState.APPROVED if winner == "approve" else ExpenseState.WITHDRAWN)
    assert len(history(request, "approve")) + len(history(request, "withdraw")) == 1
