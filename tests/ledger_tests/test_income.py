from decimal import Decimal

import pytest

from tests.demo_inputs import INCOME_EXTRA
from workflows.ledger.categories import IncomeSource
from workflows.ledger.models import LedgerLine

URL = "/api/ledger/income/"


def body(target, **overrides):
    data = {
        "community": target.id,
        "source": "operating",
        "amount": "1234.50",
        "date": "2026-06-01",
        "counterparty": "优阅托管",
        "note": "书法室租金",
        "extra": INCOME_EXTRA,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("source", IncomeSource.values)
def test_staff_records_income_from_each_source(api_for, users, heping, source):
    response = api_for(users["heping_staff"]).post(URL, body(heping, source=source), format="json")

    assert response.status_code == 201, response.data
    line = LedgerLine.objects.get(pk=response.data["id"])
    assert (line.line, line.source, line.category) == ("income", source, "")
    assert line.amount == Decimal("1234.50")
    assert response.data["amount"] == "1234.50"
    assert line.posted_by == users["heping_staff"]
    assert response.data["reverses"] is None and response.data["reversed_by"] is None


def test_secretary_records_income_too(api_for, users, heping):
    response = api_for(users["heping_secretary"]).post(URL, body(heping, amount="10000"), format="json")

    assert response.status_code == 201
    assert response.data["amount"] == "10000.00"


def test_amount_at_the_cap_is_accepted(api_for, users, heping):
    response = api_for(users["heping_staff"]).post(URL, body(heping, amount="10000000.00"), format="json")

    assert response.status_code == 201
    assert response.data["amount"] == "10000000.00"


@pytest.mark.parametrize(
    "amount",
    ["abc", "-5", "0", "0.00", "1.234", "10000000.01", "", None, "NaN", "Infinity", "1e400", True, [1]],
)
def test_a_bad_amount_is_refused_with_a_field_message_and_writes_nothing(api_for, users, heping, amount):
    before = LedgerLine.objects.count()

    response = api_for(users["heping_staff"]).post(URL, body(heping, amount=amount), format="json")

    assert response.status_code == 400
    assert list(response.data) == ["amount"]
    assert response.data["amount"][0]
    assert LedgerLine.objects.count() == before


def test_each_bad_amount_gets_its_own_message(api_for, users, heping):
    client = api_for(users["heping_staff"])
    messages = {
        amount: str(client.post(URL, body(heping, amount=amount), format="json").data["amount"][0])
        for amount in ["abc", "-5", "1.234", "10000000.01"]
    }

    assert len(set(messages.values())) == 4


@pytest.mark.parametrize("source", ["rent", "", None, "OPERATING", "income"])
def test_an_unknown_source_is_refused(api_for, users, heping, source):
    response = api_for(users["heping_staff"]).post(URL, body(heping, source=source), format="json")

    assert response.status_code == 400
    assert list(response.data) == ["source"]


@pytest.mark.parametrize("date", ["2026-13-01", "yesterday", "", None, "2999-01-01"])
def test_a_bad_or_future_date_is_refused(api_for, users, heping, date):
    response = api_for(users["heping_staff"]).post(URL, body(heping, date=date), format="json")

    assert response.status_code == 400
    assert list(response.data) == ["date"]


def test_overlong_text_is_refused(api_for, users, heping):
    response = api_for(users["heping_staff"]).post(
        URL, body(heping, counterparty="x" * 201, note="y" * 501), format="json"
    )

    assert response.status_code == 400
    assert set(response.data) == {"counterparty", "note"}


def test_every_bad_field_is_reported_at_once(api_for, users, heping):
    response = api_for(users["heping_staff"]).post(
        URL, body(heping, source="rent", amount="-5", date="soon"), format="json"
    )

    assert response.status_code == 400
    assert set(response.data) == {"source", "amount", "date"}


@pytest.mark.parametrize("community", ["abc", None, "", 1.5, True, [1]])
def test_a_malformed_community_is_a_field_error(api_for, users, heping, community):
    response = api_for(users["heping_staff"]).post(URL, body(heping, community=community), format="json")

    assert response.status_code == 400
    assert list(response.data) == ["community"]


def test_a_missing_community_and_another_community_look_the_same(api_for, users, heping, fenghuang):
    client = api_for(users["heping_staff"])
    before = LedgerLine.objects.count()

    missing = client.post(URL, body(heping, community=987654), format="json")
    other = client.post(URL, body(fenghuang), format="json")

    assert missing.status_code == other.status_code == 404
    assert missing.data == other.data
    assert LedgerLine.objects.count() == before


@pytest.mark.parametrize("username", ["heping_committee1", "resident_li", "shaping_reviewer", "shaping_leader"])
def test_readers_who_may_not_record_income_get_404(api_for, users, heping, username):
    response = api_for(users[username]).post(URL, body(heping), format="json")

    assert response.status_code == 404
    assert "id" not in response.data


def test_a_body_that_is_not_an_object_is_a_400(api_for, users):
    response = api_for(users["heping_staff"]).post(URL, ["not", "an", "object"], format="json")

    assert response.status_code == 400


def test_anonymous_callers_are_refused(anon_api, heping, db):
    response = anon_api.post(URL, body(heping), format="json")

    assert response.status_code in (401, 403)
