import datetime as dt
from decimal import Decimal

import pytest

from workflows.ledger.models import LedgerLine
from workflows.org.models import RoleMembership, User

URL = "/api/ledger/"


def all_keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from all_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from all_keys(inner)


def test_the_list_keeps_income_and_expense_apart_with_their_own_totals(
    api_for, users, heping, record_income, post_expense
):
    post_expense(heping, "700.00")
    post_expense(heping, "300.50")
    heping_income = sum(line.amount for line in LedgerLine.objects.filter(community=heping, line="income"))

    response = api_for(users["heping_secretary"]).get(URL, {"community": heping.id})

    assert response.status_code == 200
    assert response.data["income"]["total"] == f"{heping_income:.2f}"
    assert response.data["expense"]["total"] == "1000.50"
    assert response.data["expense"]["count"] == 2
    assert {line["line"] for line in response.data["income"]["lines"]} == {"income"}
    assert {line["line"] for line in response.data["expense"]["lines"]} == {"expense"}
    assert all(isinstance(line["amount"], str) for line in response.data["income"]["lines"])


def test_no_netted_figure_appears_anywhere_in_the_list(api_for, users, heping, post_expense):
    post_expense(heping, "700.00")

    response = api_for(users["shaping_leader"]).get(URL)

    keys = set(all_keys(response.data))
    assert not keys & {"net", "balance", "net_total", "surplus", "difference"}
    assert set(response.data) == {"filters", "income", "expense"}


def test_the_line_filter_returns_only_that_line(api_for, users, heping, post_expense):
    post_expense(heping, "700.00")

    response = api_for(users["heping_staff"]).get(URL, {"line": "expense"})

    assert set(response.data) == {"filters", "expense"}
    assert response.data["expense"]["total"] == "700.00"


def test_the_period_filter_bounds_lines_and_totals(api_for, users, heping, record_income):
    record_income(heping, "111.11", date=dt.date(2026, 1, 10))
    record_income(heping, "222.22", date=dt.date(2026, 1, 20))
    record_income(heping, "333.33", date=dt.date(2026, 2, 1))

    response = api_for(users["heping_staff"]).get(URL, {"community": heping.id, "from": "2026-01-15", "to": "2026-01-31"})

    assert response.status_code == 200
    assert response.data["income"]["total"] == "222.22"
    assert [line["amount"] for line in response.data["income"]["lines"]] == ["222.22"]
    assert response.data["expense"]["total"] == "0.00"


def test_limit_pages_the_lines_but_the_total_covers_all(api_for, users, heping):
    response = api_for(users["heping_staff"]).get(URL, {"community": heping.id, "line": "income", "limit": 2})

    income = LedgerLine.objects.filter(community=heping, line="income")
    assert len(response.data["income"]["lines"]) == 2
    assert response.data["income"]["count"] == income.count()
    assert Decimal(response.data["income"]["total"]) == sum(line.amount for line in income)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"line": "net"}, "line"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "tomorrow"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "to"),
        ({"community": "heping"}, "community"),
        ({"community": "-1"}, "community"),
        ({"limit": "0"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"offset": "-3"}, "offset"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(api_for, users, params, field):
    response = api_for(users["heping_staff"]).get(URL, params)

    assert response.status_code == 400
    assert field in response.data


def test_the_street_sees_every_community(api_for, users, communities):
    response = api_for(users["shaping_reviewer"]).get(URL, {"line": "income"})

    seen = {line["community"] for line in response.data["income"]["lines"]}
    assert seen == {c.id for c in communities.values()}


def test_a_community_user_sees_only_their_community(api_for, users, heping):
    response = api_for(users["heping_committee1"]).get(URL)

    seen = {line["community"] for section in ("income", "expense") for line in response.data[section]["lines"]}
    assert seen == {heping.id}


def test_a_resident_reads_their_communitys_public_ledger(api_for, users, heping, fenghuang):
    client = api_for(users["resident_li"])

    own = client.get(URL)
    other = client.get(URL, {"community": fenghuang.id})

    assert {line["community"] for line in own.data["income"]["lines"]} == {heping.id}
    assert other.status_code == 404


def test_filtering_on_a_community_you_cannot_read_is_a_404(api_for, users, fenghuang):
    response = api_for(users["heping_secretary"]).get(URL, {"community": fenghuang.id})

    assert response.status_code == 404
    assert "income" not in response.data


def test_a_partner_or_a_user_without_roles_sees_no_ledger(api_for, users, heping):
    partner = User.objects.create(username="partner_a")
    RoleMembership.objects.create(user=partner, role="partner", org_unit=heping)
    nobody = User.objects.create(username="nobody")

    for user in (partner, nobody):
        response = api_for(user).get(URL)
        assert response.data["income"]["lines"] == [] and response.data["expense"]["lines"] == []
        assert response.data["income"]["total"] == "0.00"
