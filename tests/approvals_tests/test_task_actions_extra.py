"""加签 (add a signer), 批量同意 (batch approval), 代理 (delegation) and required reasons: engine
actions every process has, tested on the test-only process and on expenses, through the real
`/api/tasks/` and `/api/delegations/` endpoints and the services behind them."""

import datetime as dt

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.approvals_tests.test_engine import (
    actions_of,
    file,
    history,
    listed,
    open_tasks,
    post,
    reload,
    task_id,
)
from workflows.approvals import selectors
from workflows.approvals.models import Delegation, HistoryEntry
from workflows.expenses import services as expenses
from workflows.expenses.models import ExpenseRequest
from workflows.org.models import RoleMembership, User
from workflows.org.roles import Role

pytestmark = pytest.mark.django_db


def holder_of(ticket) -> int:
    tasks = open_tasks(ticket)
    assert len(tasks) == 1, tasks
    return tasks[0].owner_id


def expense(users, communities, amount="800.00"):
    return expenses.expense_create(actor=users["heping_staff"], community=communities["heping"], amount=amount,
                                   category="utilities", payee="鹤山市供电局", purpose="电费")


def expense_task(request, user) -> int:
    return Task.objects.get(process_id=ExpenseRequest.objects.get(pk=request.pk).process_id, status=STATUS.NEW,
                            owner_id=user.pk).pk


@pytest.fixture
def second_secretary(demo):
    """A second holder of 和平's secretary role: the only kind of person one may delegate to."""
    user = User.objects.create(username="heping_secretary2", display_name="和平副书记")
    RoleMembership.objects.create(user=user, role=Role.COMMUNITY_SECRETARY, org_unit=demo["communities"]["heping"])
    return user


@pytest.fixture
def second_reviewer(demo):
    user = User.objects.create(username="shaping_reviewer2", display_name="第二审核人")
    RoleMembership.objects.create(user=user, role=Role.STREET_REVIEWER, org_unit=demo["street"])
    return user


# --- 加签 -------------------------------------------------------------------------------------


def test_a_signer_added_before_signs_first_then_the_task_comes_back(users, communities, api_for):
    secretary, member = users["heping_secretary"], users["heping_committee1"]
    ticket = file(users, communities)
    task = task_id(api_for(secretary), ticket)
    response = post(api_for(secretary), task, "add_signer",
                    {"users": [member.pk], "position": "before", "comment": "请先看看预算"})
    assert response.status_code == 200, response.content

    # The same task, now the member's: the route has not moved.
    assert holder_of(ticket) == member.pk
    assert [r["id"] for r in listed(api_for(member), ticket)] == [task]
    assert listed(api_for(secretary), ticket) == []
    added = history(ticket, action="add_signer")[0]
    assert added.actor_id == secretary.pk and added.comment == "请先看看预算"
    assert added.detail == {"users": [member.pk], "names": [str(member)], "position": "before"}

    assert post(api_for(member), task, "approve", {"comment": "预算够"}).status_code == 200
    assert holder_of(ticket) == secretary.pk and open_tasks(ticket)[0].data["step"] == "review"
    signed = history(ticket, action="approve")[0]
    assert signed.actor_id == member.pk and signed.detail["passed_to"] == secretary.pk

    assert post(api_for(secretary), task, "approve").status_code == 200
    assert {t.data["step"] for t in open_tasks(ticket)} == {"committee"}
    assert actions_of(ticket)[:4] == ["submit", "add_signer", "approve", "approve"]


def test_a_signer_added_after_signs_last_and_the_route_moves_with_them(users, communities, api_for):
    secretary, member = users["heping_secretary"], users["heping_committee2"]
    ticket = file(users, communities)
    task = task_id(api_for(secretary), ticket)
    assert post(api_for(secretary), task, "add_signer", {"users": [member.pk], "position": "after"}).status_code == 200
    assert holder_of(ticket) == secretary.pk  # she still signs first

    assert post(api_for(secretary), task, "approve").status_code == 200
    assert holder_of(ticket) == member.pk and open_tasks(ticket)[0].data["step"] == "review"
    assert post(api_for(member), task, "approve").status_code == 200
    # The committee vote follows; the member signed the step before and is recused from it.
    voters = {t.owner_id for t in open_tasks(ticket)}
    assert member.pk not in voters and secretary.pk in voters
    assert history(ticket, action="recuse")[-1].actor_id == member.pk


def test_an_added_signer_may_reject_the_request(users, communities, api_for):
    secretary, member = users["heping_secretary"], users["heping_committee1"]
    ticket = file(users, communities)
    task = task_id(api_for(secretary), ticket)
    assert post(api_for(secretary), task, "add_signer", {"users": [member.pk], "position": "before"}).status_code == 200
    assert post(api_for(member), task, "reject", {"comment": "不合规"}).status_code == 200
    assert reload(ticket).state == "rejected" and open_tasks(ticket) == []


def test_signers_must_be_able_to_see_the_process(users, communities, api_for):
    secretary = users["heping_secretary"]
    ticket = file(users, communities)
    task = task_id(api_for(secretary), ticket)
    before = actions_of(ticket)
    cases = [
        ([users["gubu_secretary"].pk], "无权查看此申请"),    # another community
        ([users["resident_li"].pk], "无权查看此申请"),       # a resident of this one
        ([users["heping_staff"].pk], "申请人不能审批"),      # the submitter
        ([secretary.pk], "已由您办理"),                      # herself
    ]
    for ids, message in cases:
        response = post(api_for(secretary), task, "add_signer", {"users": ids, "position": "before"})
        assert response.status_code == 400 and message in " ".join(response.json()["users"]), response.content
    for body in ({"users": [], "position": "before"}, {"users": [users["heping_committee1"].pk], "position": "later"}):
        response = post(api_for(secretary), task, "add_signer", body)
        assert response.status_code == 400
    assert actions_of(ticket) == before and holder_of(ticket) == secretary.pk
    # A street reviewer may be added: the street sees every community's processes.
    assert post(api_for(secretary), task, "add_signer",
                {"users": [users["shaping_reviewer"].pk], "position": "before"}).status_code == 200


def test_only_the_holder_may_add_signers(users, communities, api_for):
    ticket = file(users, communities)
    task = task_id(api_for(users["heping_secretary"]), ticket)
    response = post(api_for(users["heping_committee1"]), task, "add_signer",
                    {"users": [users["heping_committee2"].pk], "position": "before"})
    assert response.status_code == 404


def test_add_signer_on_an_expense_goes_through_the_same_engine(users, communities, api_for):
    secretary, member = users["heping_secretary"], users["heping_committee3"]
    request = expense(users, communities)
    task = expense_task(request, secretary)
    assert post(api_for(secretary), task, "add_signer", {"users": [member.pk], "position": "before"}).status_code == 200
    assert post(api_for(member), task, "approve").status_code == 200
    assert post(api_for(secretary), task, "approve").status_code == 200
    request = ExpenseRequest.objects.get(pk=request.pk)
    assert request.state == "approved"  # ¥800: the secretary's step is the whole route
    actions = list(HistoryEntry.objects.filter(process_kind="expense", process_id=request.pk).values_list("action", flat=True))
    assert actions == ["submit", "add_signer", "approve", "approve"]
    # The expense page's route shows who was added.
    route = api_for(secretary).get(f"/api/expenses/{request.pk}/").json()["route"]
    assert any(t["assignee"]["id"] == secretary.pk for step in route for t in step["tasks"])


# --- 批量同意 ------------------------------------------------------------------------------------


def test_batch_approval_answers_one_line_per_task_and_a_stale_task_does_not_undo_the_others(
        users, communities, api_for):
    secretary = users["heping_secretary"]
    api = api_for(secretary)
    first, second, third = (file(users, communities) for _ in range(3))
    ids = [task_id(api, t) for t in (first, second, third)]
    assert post(api, ids[1], "approve").status_code == 200  # already approved elsewhere: stale in the batch
    her_expense_task = expense_task(expense(users, communities), secretary)  # another process kind: fine
    stranger = task_id(api_for(users["gubu_secretary"]), file(users, communities={"heping": communities["gubu"]},
                                                                by="gubu_staff"))
    response = api.post("/api/tasks/batch/", {"tasks": [*ids, her_expense_task, stranger], "comment": "同意"}, format="json")
    assert response.status_code == 200, response.content
    lines = {line["task"]: line for line in response.json()["results"]}
    assert [lines[i]["status"] for i in ids] == [200, 409, 200]
    assert lines[ids[1]]["detail"]
    assert lines[her_expense_task]["status"] == 200 and lines[stranger]["status"] == 404
    for ticket in (first, third):
        assert {t.data["step"] for t in open_tasks(ticket)} == {"committee"}
        assert history(ticket, action="approve")[0].comment == "同意"


def test_only_approval_is_batched(users, communities, api_for):
    api = api_for(users["heping_secretary"])
    task = task_id(api, file(users, communities))
    for body in ({"action": "reject", "tasks": [task], "comment": "x"}, {"action": "return", "tasks": [task]},
                 {"tasks": []}, {"tasks": ["x"]}, {"tasks": list(range(1, 60))}):
        assert api.post("/api/tasks/batch/", body, format="json").status_code == 400, body
    assert Task.objects.get(pk=task).status == STATUS.NEW


# --- 代理 ---------------------------------------------------------------------------------------


def test_tasks_created_while_a_holder_is_away_go_to_the_deputy_who_signs_in_their_name(
        users, communities, api_for, second_secretary):
    secretary = users["heping_secretary"]
    today = timezone.localdate()
    response = api_for(secretary).post("/api/delegations/", {
        "deputy": second_secretary.pk, "starts_on": str(today), "ends_on": str(today + dt.timedelta(days=3)),
        "reason": "外出学习"}, format="json")
    assert response.status_code == 201, response.content
    delegation_id = response.json()["id"]

    ticket = file(users, communities)
    assert holder_of(ticket) == second_secretary.pk
    task = open_tasks(ticket)[0]
    assert task.data["on_behalf_of"] == secretary.pk
    assert listed(api_for(secretary), ticket) == []
    assert post(api_for(second_secretary), task.pk, "approve", {"comment": "代签"}).status_code == 200
    signed = history(ticket, action="approve")[0]
    assert signed.actor_id == second_secretary.pk
    assert signed.detail["on_behalf_of"] == secretary.pk and signed.detail["on_behalf_of_name"] == str(secretary)
    # The delegator sees what was done in her name.
    assert [h.pk for h in selectors.done_on_behalf_of(user=secretary)] == [signed.pk]

    # Ended early: new tasks stay with her again.
    assert api_for(secretary).post(f"/api/delegations/{delegation_id}/end/").status_code == 200
    assert holder_of(file(users, communities)) == secretary.pk


def test_delegation_rules(users, communities, api_for, second_secretary):
    secretary, api = users["heping_secretary"], api_for(users["heping_secretary"])
    today = timezone.localdate()

    def ask(deputy, starts, ends, client=api):
        return client.post("/api/delegations/", {"deputy": deputy.pk, "starts_on": str(today + dt.timedelta(days=starts)),
                                                 "ends_on": str(today + dt.timedelta(days=ends))}, format="json")

    assert ask(users["heping_staff"], 0, 2).status_code == 400       # holds none of her roles
    assert ask(users["gubu_secretary"], 0, 2).status_code == 400     # another community's
    assert ask(secretary, 0, 2).status_code == 400                   # herself
    assert ask(second_secretary, 3, 1).status_code == 400            # backwards
    assert ask(second_secretary, 1, 5).status_code == 201
    response = ask(second_secretary, 4, 8)                           # overlaps the first
    assert response.status_code == 400 and "starts_on" in response.json()
    assert ask(second_secretary, 6, 8).status_code == 201            # after it: fine
    # The deputy cannot name her back while she is covering.
    assert ask(secretary, 2, 3, client=api_for(second_secretary)).status_code == 400
    assert Delegation.objects.filter(delegator=secretary).count() == 2
    # Another user's delegation: 404 to end, not listed.
    other = Delegation.objects.filter(delegator=secretary).first()
    assert api_for(users["gubu_secretary"]).post(f"/api/delegations/{other.pk}/end/").status_code == 404
    assert api_for(users["gubu_secretary"]).get("/api/delegations/").json() == []
    assert {d["id"] for d in api_for(second_secretary).get("/api/delegations/").json()} == {
        d.pk for d in Delegation.objects.filter(deputy=second_secretary)}


def test_a_delegated_expense_step_goes_to_the_deputy_through_the_fast_path(
        users, communities, api_for, second_reviewer):
    leader, reviewer = users["shaping_leader"], users["shaping_reviewer"]
    today = timezone.localdate()
    # A street role may be covered by a holder of the other street signing role.
    assert api_for(leader).post("/api/delegations/", {
        "deputy": second_reviewer.pk, "starts_on": str(today), "ends_on": str(today)}, format="json").status_code == 201
    request = expense(users, communities, amount="30000.00")  # secretary, committee, reviewer, leader
    assert post(api_for(users["heping_secretary"]), expense_task(request, users["heping_secretary"]),
                "approve").status_code == 200
    process_id = ExpenseRequest.objects.get(pk=request.pk).process_id
    for vote in list(Task.objects.filter(process_id=process_id, status=STATUS.NEW).order_by("id"))[:2]:
        assert post(api_for(User.objects.get(pk=vote.owner_id)), vote.pk, "approve").status_code == 200
    # The reviewer's step leads straight to the leader's: the fast path assigns it.
    assert post(api_for(reviewer), expense_task(request, reviewer), "approve").status_code == 200
    task = Task.objects.get(process_id=process_id, status=STATUS.NEW)
    assert task.data["step"] == "street_leader"
    assert task.owner_id == second_reviewer.pk and task.data["on_behalf_of"] == leader.pk
    assert post(api_for(second_reviewer), task.pk, "approve").status_code == 200
    assert ExpenseRequest.objects.get(pk=request.pk).state == "approved"
    row = HistoryEntry.objects.filter(process_kind="expense", process_id=request.pk, action="approve").last()
    assert row.actor_id == second_reviewer.pk and row.detail["on_behalf_of"] == leader.pk


# --- reasons ------------------------------------------------------------------------------------


def test_reject_and_return_need_a_reason(users, communities, api_for):
    secretary = api_for(users["heping_secretary"])
    ticket = file(users, communities)
    task = task_id(secretary, ticket)
    for action in ("reject", "return"):
        for body in ({}, {"comment": ""}, {"comment": "   "}):
            response = post(secretary, task, action, body)
            assert response.status_code == 400 and "comment" in response.json(), (action, body)
    assert holder_of(ticket) == users["heping_secretary"].pk and actions_of(ticket) == ["submit"]
    # Someone else's task stays a 404 whatever the body.
    assert post(api_for(users["gubu_secretary"]), task, "reject", {}).status_code == 404

    request = expense(users, communities)
    response = post(secretary, expense_task(request, users["heping_secretary"]), "reject", {})
    assert response.status_code == 400 and "comment" in response.json()
    assert post(secretary, expense_task(request, users["heping_secretary"]), "reject",
                {"comment": "不需要"}).status_code == 200


def test_a_signer_added_after_on_an_expense_signs_before_it_is_approved_and_another_community_is_refused(
        users, communities, api_for):
    secretary, member = users["heping_secretary"], users["heping_committee1"]
    request = expense(users, communities)  # ¥800: the secretary's step is the whole route
    task = expense_task(request, secretary)
    refused = post(api_for(secretary), task, "add_signer", {"users": [users["gubu_secretary"].pk], "position": "after"})
    assert refused.status_code == 400 and "无权查看此申请" in " ".join(refused.json()["users"])

    assert post(api_for(secretary), task, "add_signer", {"users": [member.pk], "position": "after"}).status_code == 200
    assert post(api_for(secretary), task, "approve").status_code == 200
    assert ExpenseRequest.objects.get(pk=request.pk).state == "pending"  # the added signer still signs
    assert post(api_for(member), expense_task(request, member), "approve").status_code == 200
    assert ExpenseRequest.objects.get(pk=request.pk).state == "approved"
    added = HistoryEntry.objects.get(process_kind="expense", process_id=request.pk, action="add_signer")
    assert added.actor_id == secretary.pk and added.detail["names"] == [str(member)]
    assert added.detail["position"] == "after"
