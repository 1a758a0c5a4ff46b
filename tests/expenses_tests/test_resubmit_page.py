"""The request page's "Revise and resubmit" box carries the extra form the request was filed with."""

import pytest
from django.test import Client

from tests.expenses_tests.helpers import act, history, open_tasks
from workflows.approvals.models import HistoryEntry
from workflows.expenses import services
from workflows.expenses.models import ExpenseRequest
from workflows.expenses.states import ExpenseState

pytestmark = pytest.mark.django_db

CORE = {"amount": "3000.00", "category": "daily_operations", "payee": "鹤山市沙坪建筑队", "purpose": "党群服务中心屋面防水维修"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def returned_request(users, communities) -> ExpenseRequest:
    request = services.expense_create(actor=users["heping_staff"], community=communities["heping"], cc=[],
                                      extra={"invoice_no": "FP20260001", "project_type": "goods"}, **CORE)
    assert request.extra_form_id is not None
    return act(request, users["heping_secretary"], "return", comment="发票号有误")


def resubmit_post(**extra) -> dict:
    return {"action": "resubmit", "comment": "已更正", **CORE, "extra-items-rows": "0",
            **{f"extra-{k}": v for k, v in extra.items()}}


def test_the_resubmit_box_shows_the_extra_form_prefilled_with_the_stored_data(users, communities):
    request = returned_request(users, communities)
    page = client_for(users["heping_staff"]).get(f"/expenses/{request.pk}/").content.decode()
    assert 'data-testid="resubmit-extra"' in page
    assert 'name="extra-invoice_no"' in page and 'value="FP20260001"' in page


def test_a_returned_request_resubmitted_on_the_page_with_new_extra_data_stores_it_and_restarts_the_route(
    users, communities
):
    request = returned_request(users, communities)
    response = client_for(users["heping_staff"]).post(
        f"/expenses/{request.pk}/act/", resubmit_post(invoice_no="FP20269999", project_type="goods"))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == ExpenseState.PENDING and request.round == 2
    assert request.extra["invoice_no"] == "FP20269999"
    assert [t.owner.username for t in open_tasks(request)] == ["heping_secretary"]
    [row] = history(request, "resubmit")
    assert row.detail["changes"]["extra"][1]["invoice_no"] == "FP20269999"


def test_bad_extra_data_on_the_resubmit_box_shows_an_inline_error_and_changes_nothing(users, communities):
    request = returned_request(users, communities)
    before = HistoryEntry.objects.count()
    response = client_for(users["heping_staff"]).post(
        f"/expenses/{request.pk}/act/", resubmit_post(invoice_no="x", project_type="goods") | {"amount": "9.00"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-error-for="invoice_no"' in page and 'value="x"' in page
    request.refresh_from_db()
    assert request.state == ExpenseState.RETURNED and request.round == 1
    assert request.extra["invoice_no"] == "FP20260001" and str(request.amount) == "3000.00"
    assert HistoryEntry.objects.count() == before
