import pytest

from tests.expenses_tests.helpers import file
from workflows.approvals import registry

pytestmark = pytest.mark.django_db


def test_my_tasks_list_names_the_process_kind_and_id(users, communities, api_for):
    request = file(users, communities, amount="3000.00")
    body = api_for(users["heping_secretary"]).get("/api/tasks/").json()
    assert body["count"] == 1
    task = body["results"][0]
    assert task["process"] == {"kind": "expense", "id": request.pk}
    assert task["step"] == "community_secretary" and task["assignee"]["id"] == users["heping_secretary"].pk
    assert task["title"] and task["created_at"] and task["url"] == f"/expenses/{request.pk}/"


def test_countersign_gives_each_member_a_task(users, communities, api_for):
    request = file(users, communities, amount="3000.00")
    task_id = api_for(users["heping_secretary"]).get("/api/tasks/").json()["results"][0]["id"]
    assert api_for(users["heping_secretary"]).post(f"/api/tasks/{task_id}/approve/", {}, format="json").status_code == 200
    for member in ["heping_committee1", "heping_committee2", "heping_committee3"]:
        rows = api_for(users[member]).get("/api/tasks/").json()["results"]
        assert [r["process"]["id"] for r in rows] == [request.pk]
        assert rows[0]["step"] == "community_committee"
    assert api_for(users["heping_secretary"]).get("/api/tasks/").json()["count"] == 0


def test_unknown_task_ids_are_404(users, api_for):
    api = api_for(users["heping_secretary"])
    assert api.post("/api/tasks/999999/approve/", {}, format="json").status_code == 404


def test_transfer_needs_a_user_id(users, communities, api_for):
    file(users, communities, amount="800.00")
    api = api_for(users["heping_secretary"])
    task_id = api.get("/api/tasks/").json()["results"][0]["id"]
    for bad in ("x", 99999999999999999999, 0):
        response = api.post(f"/api/tasks/{task_id}/transfer/", {"to_user": bad}, format="json")
        assert response.status_code == 400 and "to_user" in response.json()
    response = api.post(f"/api/tasks/{task_id}/transfer/", {"to_user": users["heping_staff"].pk}, format="json")
    assert response.status_code == 400 and "to_user" in response.json()


def test_the_expense_process_is_registered(demo):
    kind = registry.get("expense")
    assert set(kind.actions) == {"approve", "reject", "return", "transfer"}
