"""The inbox (待办) across process kinds: owned tasks and role-queue tasks, due dates, paging,
the kind filter, and 我发起的 / 抄送我的 merged by date.

Only the expense process is registered in the product, so queue and deadline tasks are made
here from real expense tasks: the task leaves its owner and gets the RouteTask row a queue step
or a deadline step would have written.
"""

import base64
import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.expenses_tests.helpers import file, open_tasks
from workflows.approvals import registry, selectors
from workflows.approvals.flows import ApprovalFlow
from workflows.approvals.models import HistoryEntry, RouteTask
from workflows.expenses.models import ExpenseRequest
from workflows.org.models import User
from workflows.org.roles import Role

pytestmark = pytest.mark.django_db

COMMITTEE = ("heping_committee1", "heping_committee2", "heping_committee3", "heping_secretary")


def to_queue(request, role, unit) -> Task:
    """Hand the request's open task to the role queue of `unit`, as a queue step would."""
    task = open_tasks(request)[0]
    Task.objects.filter(pk=task.pk).update(owner=None)
    RouteTask.objects.create(task_id=task.pk, process_kind="expense", process_id=request.pk, step=task.data["step"],
                             role=role, org_unit_id=unit.pk, queue=True)
    return task


def set_due(task, due_at, *, provisional=False) -> None:
    """The RouteTask facts of a step with a deadline (and the same in task.data, as route writes)."""
    request = ExpenseRequest.objects.get(process_id=task.process_id)
    RouteTask.objects.update_or_create(task_id=task.pk, defaults={
        "process_kind": "expense", "process_id": request.pk, "step": task.data["step"],
        "role": task.data.get("role", ""), "org_unit_id": task.data.get("org_unit_id") or request.community_id,
        "due_at": due_at, "due_provisional": provisional})
    Task.objects.filter(pk=task.pk).update(data=dict(task.data, due_at=due_at.isoformat(), due_provisional=provisional))


def fresh(user) -> User:
    # memberships_of caches on the user object; a fresh one sees role changes and costs its query.
    return User.objects.get(pk=user.pk)


def ids(api, **params) -> list[int]:
    return [r["id"] for r in api.get("/api/tasks/", params).json()["results"]]


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- queue tasks ---------------------------------------------------------------------------


def test_a_queue_task_is_in_the_inbox_of_every_holder_of_the_role_and_of_nobody_else(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    task = to_queue(request, Role.COMMUNITY_COMMITTEE, communities["heping"])
    for name in COMMITTEE:
        rows = api_for(users[name]).get("/api/tasks/").json()["results"]
        assert [r["id"] for r in rows] == [task.pk], name
        row = rows[0]
        assert row["assignee"] is None
        assert row["queue"]["role"] == Role.COMMUNITY_COMMITTEE
        assert row["queue"]["org_unit"] == {"id": communities["heping"].pk, "name": communities["heping"].name}
        assert row["queue"]["role_label"]
        assert "claim" in row["actions"] and "approve" in row["actions"]
    for name in ("heping_staff", "gubu_secretary", "gubu_committee1", "shaping_reviewer"):
        assert task.pk not in ids(api_for(users[name])), name
    assert selectors.open_task_count(user=fresh(users["heping_committee2"])) == 1
    assert selectors.open_task_count(user=fresh(users["gubu_committee1"])) == 0


def test_a_holder_approves_a_queue_task_directly_and_it_leaves_every_inbox(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    task = to_queue(request, Role.COMMUNITY_COMMITTEE, communities["heping"])
    response = api_for(users["heping_committee2"]).post(f"/api/tasks/{task.pk}/approve/", {"comment": "同意"},
                                                       format="json")
    assert response.status_code == 200, response.content
    decided = HistoryEntry.objects.get(process_kind="expense", process_id=request.pk, action="approve")
    assert decided.actor_id == users["heping_committee2"].pk and decided.task_id == task.pk
    assert Task.objects.get(pk=task.pk).status != STATUS.NEW
    for name in COMMITTEE:
        assert task.pk not in ids(api_for(users[name])), name


def test_a_holder_claims_a_queue_task_and_then_only_they_hold_it(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    task = to_queue(request, Role.COMMUNITY_COMMITTEE, communities["heping"])
    claimer = api_for(users["heping_committee1"])
    assert claimer.post(f"/api/tasks/{task.pk}/claim/", {}, format="json").status_code == 200
    row = claimer.get("/api/tasks/").json()["results"][0]
    assert row["id"] == task.pk and row["queue"] is None
    assert row["assignee"]["id"] == users["heping_committee1"].pk and "claim" not in row["actions"]
    assert task.pk not in ids(api_for(users["heping_committee2"]))
    # Claimed: the others are now strangers to it.
    assert api_for(users["heping_committee2"]).post(f"/api/tasks/{task.pk}/approve/", {}, format="json").status_code == 404
    assert claimer.post(f"/api/tasks/{task.pk}/approve/", {}, format="json").status_code == 200
    assert ExpenseRequest.objects.get(pk=request.pk).state == "approved"


def test_someone_who_does_not_hold_the_role_gets_404_on_a_queue_task(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    task = to_queue(request, Role.COMMUNITY_COMMITTEE, communities["heping"])
    for name in ("gubu_committee1", "heping_staff"):
        for action in ("approve", "claim"):
            assert api_for(users[name]).post(f"/api/tasks/{task.pk}/{action}/", {}, format="json").status_code == 404
    assert Task.objects.get(pk=task.pk).owner_id is None


def test_an_owned_task_cannot_be_claimed(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    task = open_tasks(request)[0]
    assert api_for(users["heping_secretary"]).post(f"/api/tasks/{task.pk}/claim/", {}, format="json").status_code == 404


# --- due dates -----------------------------------------------------------------------------


def test_each_task_says_when_it_is_due_and_whether_it_is_overdue(users, communities, api_for):
    late, soon, plain = (file(users, communities, amount="800.00") for _ in range(3))
    now = timezone.now()
    set_due(open_tasks(late)[0], now - dt.timedelta(hours=1))
    set_due(open_tasks(soon)[0], now + dt.timedelta(days=3), provisional=True)
    rows = {r["process"]["id"]: r for r in api_for(users["heping_secretary"]).get("/api/tasks/").json()["results"]}
    assert rows[late.pk]["overdue"] is True and rows[late.pk]["due_provisional"] is False
    assert abs(dt.datetime.fromisoformat(rows[late.pk]["due_at"]) - (now - dt.timedelta(hours=1))) < dt.timedelta(seconds=1)
    assert rows[soon.pk]["overdue"] is False and rows[soon.pk]["due_provisional"] is True
    assert rows[plain.pk]["due_at"] is None and rows[plain.pk]["overdue"] is False


def test_the_selector_gives_aware_due_times(users, communities):
    request = file(users, communities, amount="800.00")
    due = timezone.now() + dt.timedelta(days=1)
    set_due(open_tasks(request)[0], due)
    row = selectors.open_tasks_for_user(user=fresh(users["heping_secretary"])).rows[0]
    assert timezone.is_aware(row["due_at"]) and abs(row["due_at"] - due) < dt.timedelta(seconds=1)
    assert row["overdue"] is False and row["step_label"] and row["queue"] is None


# --- paging --------------------------------------------------------------------------------


@pytest.fixture
def five_tasks(users, communities, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    requests = [file(users, communities, amount="800.00") for _ in range(5)]
    return [open_tasks(r)[0].pk for r in requests]


def test_pages_of_the_task_list_hold_every_task_once_oldest_first(users, api_for, five_tasks):
    api = api_for(users["heping_secretary"])
    first = api.get("/api/tasks/").json()
    assert first["count"] == 5 and first["next"] == 2 and first["previous"] is None and len(first["results"]) == 2
    third = api.get("/api/tasks/", {"page": 3}).json()
    assert third["next"] is None and third["previous"] == 2 and third["next_cursor"] is None
    assert ids(api) + ids(api, page=2) + ids(api, page=3) == five_tasks
    assert api.get("/api/tasks/", {"page": 4}).json()["results"] == []


def test_a_cursor_walks_the_task_list_and_survives_a_task_being_finished(users, api_for, five_tasks):
    api = api_for(users["heping_secretary"])
    body = api.get("/api/tasks/").json()
    seen = [r["id"] for r in body["results"]]
    # A task of the first page is finished meanwhile: page 2 would now skip one; the cursor does not.
    assert api.post(f"/api/tasks/{seen[0]}/approve/", {}, format="json").status_code == 200
    while body["next_cursor"]:
        body = api.get("/api/tasks/", {"cursor": body["next_cursor"]}).json()
        assert body["next"] is None and body["previous"] is None
        seen += [r["id"] for r in body["results"]]
    assert seen == five_tasks


@pytest.mark.parametrize("params", [
    {"page": "0"}, {"page": "abc"}, {"page": "²"}, {"page": "-1"}, {"page": "9" * 30},
    {"cursor": "not-a-cursor"}, {"cursor": "!!!"},
    {"cursor": base64.urlsafe_b64encode(b'["2026-01-01T00:00:00", 5]').decode()},
    {"cursor": base64.urlsafe_b64encode(b'["2026-01-01T00:00:00+00:00", 0]').decode()},
    {"cursor": base64.urlsafe_b64encode(b'{"a": 1}').decode()},
    {"kind": "no_such_kind"}, {"page": "1", "cursor": "x"},
])
def test_bad_paging_or_kind_values_are_a_400_naming_the_field(users, api_for, params):
    response = api_for(users["heping_secretary"]).get("/api/tasks/", params)
    assert response.status_code == 400
    assert set(response.json()) & set(params), response.json()


def test_the_kind_filter_keeps_only_that_kind(users, communities, api_for, monkeypatch):
    task = open_tasks(file(users, communities, amount="800.00"))[0]
    api = api_for(users["heping_secretary"])
    assert ids(api, kind="expense") == [task.pk]
    # A second kind (same model; the engine's base flow, which no task belongs to) filters it out.
    other = dataclasses.replace(registry.get("expense"), kind="other_kind", flow_class=ApprovalFlow)
    monkeypatch.setitem(registry._kinds, "other_kind", other)
    assert ids(api, kind="other_kind") == []
    assert ids(api) == [task.pk]


def test_the_inbox_costs_the_same_queries_for_one_task_and_for_ten(users, communities):
    secretary = users["heping_secretary"]

    def measured() -> tuple[int, int]:
        user = fresh(secretary)
        with CaptureQueriesContext(connection) as queries:
            page = selectors.open_tasks_for_user(user=user)
        return len(page.rows), len(queries.captured_queries)

    first = file(users, communities, amount="800.00")
    to_queue(first, Role.COMMUNITY_SECRETARY, communities["heping"])
    rows_one, queries_one = measured()
    for i in range(9):
        request = file(users, communities, amount="800.00")
        task = open_tasks(request)[0]
        if i % 2:
            to_queue(request, Role.COMMUNITY_SECRETARY, communities["heping"])
        else:
            set_due(task, timezone.now() + dt.timedelta(days=i))
    rows_ten, queries_ten = measured()
    assert (rows_one, rows_ten) == (1, 10)
    assert queries_ten == queries_one


# --- 我发起的 / 抄送我的 ----------------------------------------------------------------------


@pytest.fixture
def two_kinds(users, communities, monkeypatch):
    """Four filings split between the expense kind and a second kind registered for this test only
    (same model, odd/even filings), with filing times that interleave across the kinds."""
    filed = [file(users, communities, amount="800.00", cc=[users["heping_committee1"]]) for _ in range(4)]
    now = timezone.now()
    for hours, request in enumerate(filed, start=1):
        ExpenseRequest.objects.filter(pk=request.pk).update(created_at=now - dt.timedelta(hours=hours))
    first = {filed[0].pk, filed[2].pk}
    expense = registry.get("expense")

    def split(qs_for, keep):
        return lambda user: qs_for(user).filter(pk__in=keep) if keep is first else qs_for(user).exclude(pk__in=first)

    # Only `_kinds` is touched: the second kind has no flow of its own, so task lookups by flow
    # still find the expense kind.
    monkeypatch.setitem(registry._kinds, "expense", dataclasses.replace(
        expense, submitted_by=split(expense.submitted_by, first), copied_to=split(expense.copied_to, first)))
    monkeypatch.setitem(registry._kinds, "expense_copy", dataclasses.replace(
        expense, kind="expense_copy", label="Copy", submitted_by=split(expense.submitted_by, None),
        copied_to=split(expense.copied_to, None)))
    return filed


@pytest.mark.parametrize("select, user", [
    (selectors.submitted_by_user, "heping_staff"), (selectors.copied_to_user, "heping_committee1"),
])
def test_filed_and_copied_lists_merge_the_kinds_by_date_newest_first(users, two_kinds, select, user):
    page = select(user=users[user])
    assert [(kind.kind, obj.pk) for kind, obj in page.rows] == [
        ("expense", two_kinds[0].pk), ("expense_copy", two_kinds[1].pk),
        ("expense", two_kinds[2].pk), ("expense_copy", two_kinds[3].pk),
    ]
    assert page.count == 4 and page.next is None


def test_filed_lists_page_across_the_merged_kinds(users, two_kinds):
    first = selectors.submitted_by_user(user=users["heping_staff"], page_size=3)
    second = selectors.submitted_by_user(user=users["heping_staff"], page=2, page_size=3)
    assert first.next == 2 and second.previous == 1 and second.next is None
    assert [obj.pk for _k, obj in first.rows + second.rows] == [r.pk for r in two_kinds]
    only = selectors.submitted_by_user(user=users["heping_staff"], kind="expense_copy")
    assert [obj.pk for _k, obj in only.rows] == [two_kinds[1].pk, two_kinds[3].pk]


def test_the_filed_page_shows_the_merged_list_with_its_kind_filter_and_pages(users, two_kinds, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    client = page_client(users["heping_staff"])
    page = client.get("/tasks/mine/").content.decode()
    assert page.count(f'href="/expenses/{two_kinds[0].pk}/"') == 1
    assert 'data-kind="expense_copy"' in page and "下一页" in page and "?page=2" in page
    second = client.get("/tasks/mine/", {"page": 2}).content.decode()
    assert f'href="/expenses/{two_kinds[3].pk}/"' in second and "上一页" in second
    # Bad values on a page fall back to the first page of everything.
    assert client.get("/tasks/mine/", {"page": "x", "kind": "nope"}).status_code == 200


# --- the pages, in Chinese -------------------------------------------------------------------


def test_the_inbox_page_shows_queue_tasks_and_due_dates_in_chinese(users, communities):
    late = file(users, communities, amount="800.00")
    queued = file(users, communities, amount="800.00")
    due = timezone.localtime(timezone.now() - dt.timedelta(days=2))
    set_due(open_tasks(late)[0], due, provisional=True)
    to_queue(queued, Role.COMMUNITY_SECRETARY, communities["heping"])
    page = page_client(users["heping_secretary"]).get("/tasks/").content.decode()
    assert "待认领" in page and communities["heping"].name in page
    assert f"截止 {due:%Y-%m-%d}" in page and "预计" in page and "已逾期" in page
    assert 'data-testid="kind-filter"' in page and "全部" in page


def test_a_statutory_deadline_shows_its_last_day_at_24_00_not_the_next_day(users, communities):
    # Deadlines end at 24:00 of their last day (民法典 Art. 203), stored as 00:00 of the next day.
    request = file(users, communities, amount="800.00")
    midnight = timezone.localtime(timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    stored = midnight + dt.timedelta(days=3)
    set_due(open_tasks(request)[0], stored)
    page = page_client(users["heping_secretary"]).get("/tasks/").content.decode()
    last_day = stored.date() - dt.timedelta(days=1)
    assert f"截止 {last_day:%Y-%m-%d} 24:00" in page
    assert f"截止 {stored:%Y-%m-%d}" not in page


def test_the_inbox_page_falls_back_to_the_first_page_on_bad_values(users, communities):
    file(users, communities, amount="800.00")
    client = page_client(users["heping_secretary"])
    for params in ({"page": "0"}, {"page": "abc"}, {"page": "999"}, {"kind": "nope"}):
        response = client.get("/tasks/", params)
        assert response.status_code == 200 and 'data-testid="task-link"' in response.content.decode(), params


def test_the_other_tabs_render(users, communities):
    file(users, communities, amount="800.00", cc=[users["heping_committee1"]])
    client = page_client(users["heping_committee1"])
    assert "抄送我的" in client.get("/tasks/cc/").content.decode()
    assert client.get("/tasks/done/").status_code == 200
