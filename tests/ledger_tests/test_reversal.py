from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from workflows.ledger import services
from workflows.ledger.models import LedgerLine


def reverse(client, line, reason="金额录入错误"):
    return client.post(f"/api/ledger/{line.id}/reverse/", {"reason": reason}, format="json")


def test_the_secretary_reverses_a_line_with_a_negative_twin(api_for, users, heping, record_income):
    original = record_income(heping, "1500.00", source="donation")

    response = reverse(api_for(users["heping_secretary"]), original)

    assert response.status_code == 201, response.data
    assert response.data["amount"] == "-1500.00"
    assert response.data["line"] == "income" and response.data["source"] == "donation"
    assert response.data["reverses"] == original.id
    assert response.data["note"] == "金额录入错误"
    assert response.data["posted_by"] == users["heping_secretary"].id
    detail = api_for(users["heping_staff"]).get(f"/api/ledger/{original.id}/")
    assert detail.data["reversed_by"] == response.data["id"]
    assert detail.data["amount"] == "1500.00"


def test_an_expense_line_is_reversed_on_the_expense_line(api_for, users, heping, post_expense):
    original = post_expense(heping, "640.00", source_id=41)

    response = reverse(api_for(users["heping_secretary"]), original)

    assert response.status_code == 201
    reversal = LedgerLine.objects.get(pk=response.data["id"])
    assert (reversal.line, reversal.category, reversal.amount) == ("expense", "utilities", Decimal("-640.00"))


@pytest.mark.parametrize("username", ["heping_staff", "heping_committee1", "shaping_reviewer", "shaping_leader"])
def test_only_the_secretary_may_reverse(api_for, users, heping, record_income, username):
    original = record_income(heping)

    response = reverse(api_for(users[username]), original)

    assert response.status_code == 404
    assert not LedgerLine.objects.filter(reverses=original).exists()


def test_reversing_twice_is_a_409_and_leaves_one_reversal(api_for, users, heping, record_income):
    original = record_income(heping)
    client = api_for(users["heping_secretary"])

    first = reverse(client, original)
    second = reverse(client, original)

    assert first.status_code == 201
    assert second.status_code == 409
    assert "already been reversed" in second.data["detail"] or "已" in second.data["detail"]
    assert LedgerLine.objects.filter(reverses=original).count() == 1


def test_a_reversal_cannot_itself_be_reversed(api_for, users, heping, record_income):
    original = record_income(heping)
    client = api_for(users["heping_secretary"])
    reversal_id = reverse(client, original).data["id"]

    response = reverse(client, LedgerLine.objects.get(pk=reversal_id))

    assert response.status_code == 409
    assert response.data["detail"]
    assert not LedgerLine.objects.filter(reverses_id=reversal_id).exists()


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501])
def test_a_reversal_needs_a_reason(api_for, users, heping, record_income, reason):
    original = record_income(heping)

    response = api_for(users["heping_secretary"]).post(
        f"/api/ledger/{original.id}/reverse/", {"reason": reason}, format="json"
    )

    assert response.status_code == 400
    assert list(response.data) == ["reason"]
    assert not LedgerLine.objects.filter(reverses=original).exists()


def test_totals_include_reversals(api_for, users, heping, record_income, post_expense):
    client = api_for(users["heping_secretary"])
    before = client.get("/api/ledger/", {"community": heping.id}).data
    income = record_income(heping, "1000.00")
    expense = post_expense(heping, "400.00")
    reverse(client, income)
    reverse(client, expense)

    after = client.get("/api/ledger/", {"community": heping.id}).data

    assert Decimal(after["income"]["total"]) == Decimal(before["income"]["total"])
    assert Decimal(after["expense"]["total"]) == Decimal(before["expense"]["total"])
    assert after["income"]["count"] == before["income"]["count"] + 2
    assert after["expense"]["count"] == before["expense"]["count"] + 2


def test_the_database_refuses_a_second_reversal_of_one_line(users, heping, record_income):
    original = record_income(heping)
    services.line_reverse(actor=users["heping_secretary"], line=original, reason="第一次")

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.create(
            community=heping, line="income", source="operating", amount=-original.amount,
            date=original.date, reverses=original, posted_by=users["heping_secretary"],
        )


def test_the_database_refuses_a_positive_reversal_or_a_negative_original(users, heping, record_income):
    original = record_income(heping)
    common = {"community": heping, "line": "income", "source": "operating", "date": original.date}

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.create(amount=Decimal("5.00"), reverses=original, posted_by=users["heping_secretary"], **common)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.create(amount=Decimal("-5.00"), posted_by=users["heping_staff"], **common)


def test_the_database_refuses_an_income_line_with_an_expense_category(users, heping, yesterday):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerLine.objects.create(
            community=heping, line="income", source="", category="utilities", amount=Decimal("5.00"),
            date=yesterday, posted_by=users["heping_staff"],
        )


def street_notices(users, kind):
    from notifications.models import Notification

    rows = Notification.objects.filter(kind=kind)
    return {row.recipient.username: row for row in rows.select_related("recipient")}


def test_the_street_reviewer_hears_of_every_income_reversal(api_for, users, heping, record_income, post_expense):
    from notifications.kinds import render

    original = record_income(heping, "1500.00", source="donation")
    response = reverse(api_for(users["heping_secretary"]), original, reason="重复录入")
    assert response.status_code == 201
    notices = street_notices(users, "ledger.income_reversed")
    assert set(notices) == {"shaping_reviewer"}
    title, body = render("ledger.income_reversed", notices["shaping_reviewer"].params, "zh-hans")
    assert title == "收入红冲：和平社区 ¥1,500.00" and "重复录入" in body
    assert notices["shaping_reviewer"].url == f"/ledger/{response.data['id']}/"
    assert street_notices(users, "ledger.books_short") == {}

    # Reversing an expense line says nothing to the street: it puts money back, it takes none away.
    expense = post_expense(heping, "640.00", source_id=42)
    assert reverse(api_for(users["heping_secretary"]), expense).status_code == 201
    assert len(street_notices(users, "ledger.income_reversed")) == 1


def test_a_reversal_that_leaves_income_below_payments_is_allowed_and_the_leader_is_told(
    api_for, users, heping, record_income, post_expense
):
    from workflows.ledger.selectors import posted_balance

    big = record_income(heping, "900000.00")
    post_expense(heping, str(posted_balance(community=heping)), source_id=43)  # spend every yuan
    response = reverse(api_for(users["heping_secretary"]), big, reason="误记：应为其他社区收入")
    assert response.status_code == 201  # a wrong entry can always be corrected
    notices = street_notices(users, "ledger.books_short")
    assert set(notices) == {"shaping_reviewer", "shaping_leader"}
    assert street_notices(users, "ledger.income_reversed") == {}
