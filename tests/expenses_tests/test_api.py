import datetime as dt

import pytest

from tests.demo_inputs import INCOME_EXTRA
from tests.expenses_tests.helpers import act, file, leave_spendable, open_tasks, task_of
from workflows.ledger import services as ledger

pytestmark = pytest.mark.django_db


def post_expense(api, community, amount="8000.00", **extra):
    body = {"community": community.pk, "amount": amount, "category": "party_activity", "payee": "鹤山市印刷厂",
            "purpose": "七一党群活动物料", "cc": [], **extra}
    return api.post("/api/expenses/", body, format="json")


def test_filing_returns_the_state_policy_version_and_route(users, communities, api_for):
    response = post_expense(api_for(users["heping_staff"]), communities["heping"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "pending" and body["policy_version"] == 1 and body["amount"] == "8000.00"
    assert [s["step"] for s in body["route"]] == ["community_secretary", "community_committee", "street_reviewer"]
    assert body["route"][0]["status"] == "current" and body["route"][0]["org_unit"]["name"] == "和平社区"
    assert body["route"][2]["status"] == "waiting" and body["route"][2]["role"] == "street_reviewer"


def test_invalid_fields_get_400_with_per_field_messages(users, communities, api_for):
    api = api_for(users["heping_staff"])
    response = post_expense(api, communities["heping"], amount="1.234", category="cake", payee="")
    assert response.status_code == 400
    assert {"amount", "category", "payee"} <= set(response.json())
    assert post_expense(api, communities["heping"], amount="10000000.01").status_code == 400
    assert post_expense(api, communities["heping"], amount="0").status_code == 400
    response = post_expense(api, communities["gubu"])  # not this staff member's community: not theirs, 404
    assert response.status_code == 404 and "community" not in response.json()
    assert api.post("/api/expenses/", ["not", "an", "object"], format="json").status_code == 400


def test_route_preview_changes_with_the_amount(users, communities, api_for):
    api = api_for(users["heping_staff"])
    url = "/api/expenses/route-preview/"
    small = api.get(url, {"community": communities["heping"].pk, "amount": "800", "category": "utilities"}).json()
    large = api.get(url, {"community": communities["heping"].pk, "amount": "50000", "category": "utilities"}).json()
    assert [s["step"] for s in small["steps"]] == ["community_secretary"]
    assert len(large["steps"]) == 4 and large["policy_version"] == 1
    bad = api.get(url, {"community": communities["heping"].pk, "amount": "x", "category": "utilities"})
    assert bad.status_code == 400 and "amount" in bad.json()
    assert api.get(url, {"community": "abc", "amount": "1", "category": "utilities"}).status_code == 400


def test_detail_has_the_history(users, communities, api_for):
    request = file(users, communities, amount="3000.00")
    act(request, users["heping_secretary"], comment="同意")
    body = api_for(users["heping_staff"]).get(f"/api/expenses/{request.pk}/").json()
    assert [h["action"] for h in body["history"]][:2] == ["submit", "approve"]
    approve = body["history"][1]
    assert approve["actor"]["id"] == users["heping_secretary"].pk and approve["comment"] == "同意"
    assert approve["state_before"] == "pending" and approve["policy_version"] == 1 and approve["step"] == "community_secretary"
    assert approve["time"]


def test_list_filters_by_state_and_community(users, communities, api_for):
    file(users, communities, amount="800.00")
    done = act(file(users, communities, amount="800.00"), users["heping_secretary"])
    api = api_for(users["shaping_reviewer"])
    body = api.get("/api/expenses/", {"state": "approved", "community": communities["heping"].pk}).json()
    assert [r["id"] for r in body["results"]] == [done.pk]
    assert api.get("/api/expenses/", {"state": "nonsense"}).status_code == 400


def test_a_secretary_of_another_community_gets_404_everywhere(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    task = task_of(request, users["heping_secretary"])
    other = api_for(users["gubu_secretary"])
    assert other.get(f"/api/expenses/{request.pk}/").status_code == 404
    assert other.get("/api/expenses/").json()["count"] == 0
    for action in ["withdraw", "urge", "resubmit"]:
        assert other.post(f"/api/expenses/{request.pk}/{action}/", {}, format="json").status_code == 404
    assert other.post(f"/api/expenses/{request.pk}/comments/", {"comment": "x"}, format="json").status_code == 404
    assert other.post(f"/api/expenses/{request.pk}/pay/", {"paid_on": "2026-01-01", "voucher_number": "x"}, format="json").status_code == 404
    for action in ["approve", "reject", "return"]:
        assert other.post(f"/api/tasks/{task.pk}/{action}/", {}, format="json").status_code == 404
    assert other.post(f"/api/tasks/{task.pk}/transfer/", {"to_user": users["gubu_secretary"].pk}, format="json").status_code == 404
    assert open_tasks(request)[0].status == "NEW"


def test_a_finished_task_gets_409(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    task = task_of(request, users["heping_secretary"])
    api = api_for(users["heping_secretary"])
    assert api.post(f"/api/tasks/{task.pk}/approve/", {"comment": "ok"}, format="json").status_code == 200
    response = api.post(f"/api/tasks/{task.pk}/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["detail"]
    assert api.post(f"/api/tasks/{task.pk}/return/", {}, format="json").status_code == 409


def test_withdraw_after_a_decision_gets_409(users, communities, api_for):
    request = file(users, communities, amount="3000.00")
    act(request, users["heping_secretary"])
    response = api_for(users["heping_staff"]).post(f"/api/expenses/{request.pk}/withdraw/", {}, format="json")
    assert response.status_code == 409


def test_urge_twice_gets_429_with_retry_after(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    api = api_for(users["heping_staff"])
    assert api.post(f"/api/expenses/{request.pk}/urge/", {}, format="json").status_code == 200
    response = api.post(f"/api/expenses/{request.pk}/urge/", {}, format="json")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 4 * 3600


def test_return_then_resubmit_through_the_api(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    task = task_of(request, users["heping_secretary"])
    assert api_for(users["heping_secretary"]).post(f"/api/tasks/{task.pk}/return/", {"comment": "金额有误"}, format="json").status_code == 200
    api = api_for(users["heping_staff"])
    response = api.post(f"/api/expenses/{request.pk}/resubmit/", {"amount": "750.00", "comment": "已更正"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "pending" and body["amount"] == "750.00" and body["round"] == 2
    assert [h["action"] for h in body["history"]].count("return") == 1


def test_comments_require_text(users, communities, api_for):
    request = file(users, communities, amount="800.00")
    api = api_for(users["heping_committee1"])
    assert api.post(f"/api/expenses/{request.pk}/comments/", {"comment": ""}, format="json").status_code == 400
    assert api.post(f"/api/expenses/{request.pk}/comments/", {"comment": "支持"}, format="json").status_code == 200


def test_pay_through_the_api_and_the_balance_refusal_is_409(users, communities, api_for):
    today = dt.date.today()
    leave_spendable(users, communities["heping"], "700.00")
    request = act(file(users, communities, amount="800.00"), users["heping_secretary"])
    api = api_for(users["heping_staff"])
    response = api.post(f"/api/expenses/{request.pk}/pay/", {"paid_on": today.isoformat(), "voucher_number": "V-9"}, format="json")
    assert response.status_code == 409
    assert response.json()["available"] == "700.00" and "800.00" in response.json()["detail"]
    ledger.income_record(actor=users["heping_staff"], community=communities["heping"], source="donation",
                         amount="100.00", date=today, extra=INCOME_EXTRA)
    response = api.post(f"/api/expenses/{request.pk}/pay/", {"paid_on": today.isoformat(), "voucher_number": "V-9"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "paid"
    bad = api.post(f"/api/expenses/{request.pk}/pay/", {"paid_on": "yesterday"}, format="json")
    assert bad.status_code == 400 and {"paid_on", "voucher_number"} <= set(bad.json())


def test_anonymous_users_get_nothing(anon_api, users, communities):
    request = file(users, communities, amount="800.00")
    assert anon_api.get(f"/api/expenses/{request.pk}/").status_code in (401, 403)
    assert anon_api.get("/api/tasks/").status_code in (401, 403)


def test_copies_go_only_to_people_of_the_community_or_its_street(users, communities, api_for):
    api = api_for(users["heping_staff"])
    response = post_expense(api, communities["heping"], cc=[users["gubu_secretary"].pk])
    assert response.status_code == 400 and "cc" in response.json()
    response = post_expense(api, communities["heping"], cc=[users["shaping_leader"].pk, users["heping_committee1"].pk])
    assert response.status_code == 201
    assert {c["id"] for c in response.json()["cc"]} == {users["shaping_leader"].pk, users["heping_committee1"].pk}
