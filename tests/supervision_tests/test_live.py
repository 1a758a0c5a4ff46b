"""Live counters over the notification socket: a task created in 凤凰 tells the street's
dashboards and 凤凰's own, never 和平's; a task becoming overdue does the same (the sweep)."""

import datetime as dt

import pytest
from channels.db import database_sync_to_async

from tests.notifications_tests.conftest import open_socket as _open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def open_socket(user, *, watch=True):
    """A socket as the dashboard holds it: it watches the street topic."""
    communicator, hello = await _open_socket(user)
    if watch:
        await communicator.send_json_to({"type": "watch", "topic": "street"})
        assert await communicator.receive_json_from(timeout=5) == {"type": "watching", "topic": "street"}
    return communicator, hello


async def _changes(communicator, timeout=3):
    """The next "changed" message, skipping the notifications around it."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == "changed":
            return message


@database_sync_to_async
def _file_expense(users, communities):
    from workflows.expenses.services import expense_create

    return expense_create(actor=users["fenghuang_staff"], community=communities["fenghuang"], amount="300.00",
                          category="utilities", payee="鹤山市供电局", purpose="电费")


async def test_a_new_task_in_fenghuang_reaches_the_leader_and_fenghuang_not_heping(demo):
    users, communities = demo["users"], demo["communities"]
    leader, _ = await open_socket(users["shaping_leader"])
    fenghuang, _ = await open_socket(users["fenghuang_committee1"])
    heping, _ = await open_socket(users["heping_secretary"])
    # Another page of the reviewer's (not watching) gets no "changed" at all.
    elsewhere, _ = await open_socket(users["shaping_reviewer"], watch=False)
    await _file_expense(users, communities)
    for communicator in (leader, fenghuang):
        message = await _changes(communicator)
        assert message == {"type": "changed", "topic": "street", "community": communities["fenghuang"].pk}
    assert await heping.receive_nothing(timeout=0.5)
    while not await elsewhere.receive_nothing(timeout=0.5):
        assert (await elsewhere.receive_json_from())["type"] != "changed"
    for communicator in (leader, fenghuang, heping, elsewhere):
        await communicator.disconnect()


async def test_an_unknown_topic_is_refused_and_a_resident_watches_nothing(demo):
    resident, _ = await _open_socket(demo["users"]["resident_li"])
    await resident.send_json_to({"type": "watch", "topic": "everything"})
    assert (await resident.receive_json_from(timeout=5))["type"] == "error"
    await resident.send_json_to({"type": "watch", "topic": "street"})
    assert await resident.receive_json_from(timeout=5) == {"type": "watching", "topic": "street"}
    from workflows.supervision.live import watch_groups

    assert await database_sync_to_async(watch_groups)(demo["users"]["resident_li"].pk) == set()
    await resident.disconnect()


@database_sync_to_async
def _overdue_sweep(now):
    from workflows.supervision.services import supervision_sweep

    return supervision_sweep(now=now)


async def test_a_task_becoming_overdue_is_announced_by_the_sweep(demo):
    from workflows.approvals.models import RouteTask

    users = demo["users"]
    due = await database_sync_to_async(
        lambda: RouteTask.objects.filter(closed_at__isnull=True, due_at__isnull=False, process_kind="inquiry")
        .order_by("due_at").values_list("due_at", flat=True).first())()
    assert due is not None  # the demo's open inquiries have deadlines
    await _overdue_sweep(due - dt.timedelta(seconds=60))
    leader, _ = await open_socket(users["shaping_leader"])
    counts = await _overdue_sweep(due + dt.timedelta(seconds=1))
    assert counts["overdue_announced"] >= 1
    message = await _changes(leader)
    assert message["topic"] == "street" and message["community"]
    await leader.disconnect()
