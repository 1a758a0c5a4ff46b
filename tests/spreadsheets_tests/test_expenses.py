"""Expense requests export: each request with its route, and every decision on its own sheet."""

from tests.expenses_tests.helpers import act, actions, file
from workflows.expenses.models import ExpenseRequest
from workflows.expenses.policy import Step

from .conftest import body, read_sheets


def table_after_header(rows, first_header):
    start = next(i for i, row in enumerate(rows) if row[0] == first_header)
    return rows[start], rows[start + 1 :]


def test_the_expense_export_lists_requests_with_their_route_and_every_decision(api_for, users, communities):
    request = file(users, communities, amount="3000.00")
    act(request, users["heping_secretary"], "approve", comment="同意")
    other = file(users, communities, by="gubu_staff", community="gubu", amount="120.00")

    response = api_for(users["heping_secretary"]).get("/api/exports/expenses.xlsx")
    assert response.status_code == 200
    sheets = read_sheets(body(response))
    header, rows = table_after_header(sheets["支出申请"], "申请编号")
    assert header[:4] == ["申请编号", "社区", "支出类别", "金额（元）"]
    assert [row[0] for row in rows] == [request.pk]  # the gubu request is outside this user's scope
    record = dict(zip(header, rows[0], strict=True))
    assert record["金额（元）"] == 3000.0
    assert str(Step.COMMUNITY_SECRETARY.label) in record["审批路径"]

    decisions = sheets["审批记录"]
    assert decisions[0][:4] == ["申请编号", "时间", "操作人", "操作"]
    assert [row[0] for row in decisions[1:]] == [request.pk] * len(actions(request))
    assert "同意" in [row[5] for row in decisions[1:]]
    # States read as words (the labels), never the stored codes.
    before_after = {value for row in decisions[1:] for value in (row[6], row[7]) if value}
    assert before_after and not before_after & {"draft", "pending", "approved", "rejected", "returned", "paid"}

    # The street leader sees every community's requests: these two and the demo's own.
    street = read_sheets(body(api_for(users["shaping_leader"]).get("/api/exports/expenses.xlsx")))
    exported = {int(row[0]) for row in table_after_header(street["支出申请"], "申请编号")[1]}
    assert {request.pk, other.pk} <= exported
    assert exported == set(ExpenseRequest.objects.values_list("pk", flat=True))
