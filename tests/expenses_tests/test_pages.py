import pytest
from django.test import Client

from tests.expenses_tests.helpers import file, open_tasks, task_of
from workflows.expenses.states import ExpenseState

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_filing_page_files_a_request_and_shows_its_route(users, communities):
    client = client_for(users["heping_staff"])
    page = client.get("/expenses/new/")
    assert page.status_code == 200 and "route_preview.js" in page.content.decode()
    response = client.post("/expenses/new/", {
        "community": communities["heping"].pk, "amount": "3000.00", "category": "utilities",
        "payee": "鹤山市供电局", "purpose": "电费",
    })
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert 'data-status="current"' in detail and "community_committee" in detail


def test_filing_page_shows_errors_inline(users, communities):
    client = client_for(users["heping_staff"])
    response = client.post("/expenses/new/", {
        "community": communities["heping"].pk, "amount": "1.999", "category": "utilities", "payee": "x", "purpose": "y",
    })
    assert response.status_code == 200 and "field-error" in response.content.decode()


def test_the_secretary_approves_on_the_request_page(users, communities):
    request = file(users, communities, amount="800.00")
    client = client_for(users["heping_secretary"])
    page = client.get(f"/expenses/{request.pk}/").content.decode()
    assert 'data-testid="approve"' in page
    task = task_of(request, users["heping_secretary"])
    client.post(f"/expenses/{request.pk}/act/", {"action": "approve", "task": task.pk, "comment": "同意"})
    request.refresh_from_db()
    assert request.state == ExpenseState.APPROVED
    again = client.post(f"/expenses/{request.pk}/act/", {"action": "approve", "task": task.pk}, follow=True)
    assert again.status_code == 200  # the finished task is reported, not a 500


def test_task_pages_list_my_tasks_with_a_count(users, communities):
    file(users, communities, amount="800.00")
    page = client_for(users["heping_secretary"]).get("/tasks/").content.decode()
    assert 'data-testid="task-count">1<' in page
    for url in ["/tasks/mine/", "/tasks/cc/", "/tasks/done/"]:
        assert client_for(users["heping_staff"]).get(url).status_code == 200


def test_done_and_copied_pages_show_the_request(users, communities):
    request = file(users, communities, amount="800.00", cc=[users["heping_committee2"].pk])
    client = client_for(users["heping_secretary"])
    client.post(f"/expenses/{request.pk}/act/", {"action": "approve", "task": task_of(request, users["heping_secretary"]).pk})
    assert f"/expenses/{request.pk}/" in client.get("/tasks/done/").content.decode()
    assert f"/expenses/{request.pk}/" in client_for(users["heping_committee2"]).get("/tasks/cc/").content.decode()
    assert f"/expenses/{request.pk}/" in client_for(users["heping_staff"]).get("/tasks/mine/").content.decode()


def test_pages_of_another_community_are_404(users, communities):
    request = file(users, communities, amount="800.00")
    other = client_for(users["gubu_secretary"])
    assert other.get(f"/expenses/{request.pk}/").status_code == 404
    assert other.post(f"/expenses/{request.pk}/act/", {"action": "comment", "comment": "x"}).status_code == 404
    assert other.get(f"/expenses/{request.pk}/chart/").status_code == 404
    assert str(request.pk) not in other.get("/expenses/").content.decode().split("expense-list")[-1]
    assert open_tasks(request)[0].owner == users["heping_secretary"]


def test_the_flow_chart_is_viewflows_svg(users, communities):
    request = file(users, communities, amount="3000.00")
    client = client_for(users["heping_staff"])
    chart = client.get("/expenses/flow/chart/")
    assert chart.status_code == 200 and chart["Content-Type"].startswith("image/svg")
    assert client.get(f"/expenses/{request.pk}/chart/").status_code == 200
    assert client_for(users["resident_li"]).get("/expenses/flow/chart/").status_code == 404


def test_pages_are_in_chinese_by_default(users, communities):
    request = file(users, communities, amount="800.00")
    page = client_for(users["heping_secretary"]).get(f"/expenses/{request.pk}/").content.decode()
    assert "同意" in page and "审批记录" in page


def test_every_button_of_the_request_page_works_and_errors_are_messages(users, communities):
    import datetime as dt

    from tests.expenses_tests.helpers import history, leave_spendable
    from workflows.org.models import RoleMembership

    staff = client_for(users["heping_staff"])
    request = file(users, communities, amount="800.00")
    url = f"/expenses/{request.pk}/act/"
    assert staff.post(url, {"action": "urge"}).status_code == 302
    second = staff.post(url, {"action": "urge"}, follow=True).content.decode()
    assert "催办" in second and "message-error" in second
    staff.post(url, {"action": "comment", "comment": "请尽快审批"})
    assert history(request, "comment")[0].comment == "请尽快审批"

    RoleMembership.objects.create(user=users["heping_committee1"], role="community_secretary", org_unit=communities["heping"])
    secretary = client_for(users["heping_secretary"])
    task = task_of(request, users["heping_secretary"])
    secretary.post(url, {"action": "transfer", "task": task.pk, "to_user": users["heping_committee1"].pk})
    member = client_for(users["heping_committee1"])
    member.post(url, {"action": "return", "task": task_of(request, users["heping_committee1"]).pk, "comment": "缺发票"})
    request.refresh_from_db()
    assert request.state == ExpenseState.RETURNED
    assert 'data-testid="resubmit"' in staff.get(f"/expenses/{request.pk}/").content.decode()
    staff.post(url, {"action": "resubmit", "amount": "700.00", "category": "utilities", "payee": "供电局", "purpose": "电费"})
    request.refresh_from_db()
    assert request.state == ExpenseState.PENDING and request.amount == 700
    staff.post(url, {"action": "withdraw", "comment": "不需要了", "confirmed": "1"})
    request.refresh_from_db()
    assert request.state == ExpenseState.WITHDRAWN

    leave_spendable(users, communities["heping"], "100.00")
    approved = file(users, communities, amount="600.00")
    client_for(users["heping_secretary"]).post(f"/expenses/{approved.pk}/act/",
                                               {"action": "approve", "task": task_of(approved, users["heping_secretary"]).pk})
    page = staff.post(f"/expenses/{approved.pk}/act/", {"action": "pay", "paid_on": dt.date.today().isoformat(),
                                                         "voucher_number": "V-1"}, follow=True).content.decode()
    assert "余额不足" in page
    bad = staff.post(f"/expenses/{approved.pk}/act/", {"action": "pay", "paid_on": "x"}, follow=True)
    assert bad.status_code == 200 and "message-error" in bad.content.decode()
    assert staff.post(f"/expenses/{approved.pk}/act/", {"action": "nonsense"}).status_code == 404


def test_the_request_page_shows_the_amount_in_the_one_money_format_with_its_capitals(users, communities):
    request = file(users, communities, amount="8000.00")
    page = client_for(users["heping_staff"]).get(f"/expenses/{request.pk}/").content.decode()
    assert 'data-testid="expense-amount">¥8,000.00 <small>（捌仟元整）</small>' in page
