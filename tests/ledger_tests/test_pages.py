from decimal import Decimal

import pytest
from django.utils import timezone

from project.navigation import items_for
from workflows.ledger import selectors
from workflows.ledger.models import LedgerLine
from workflows.org.models import RoleMembership, User


@pytest.fixture
def page_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_the_ledger_page_is_in_chinese_and_shows_both_totals_for_a_secretary(page_as, users, heping, post_expense):
    post_expense(heping, "1234.56")
    totals = selectors.ledger_totals(LedgerLine.objects.filter(community=heping))

    response = page_as(users["heping_secretary"]).get("/ledger/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "台账" in html and "收入" in html and "支出" in html and "合计" in html
    # One money format everywhere: thousands separated.
    assert f'data-testid="total-income">¥{totals["income"]:,.2f}<' in html
    assert f'data-testid="total-expense">¥{totals["expense"]:,.2f}<' in html
    assert "登记收入" in html  # the secretary may record income
    assert "红冲" in html  # and reverse lines
    assert "结余" not in html and "净" not in html  # no netted figure


def test_a_resident_reads_the_ledger_page_without_any_form(page_as, users, heping, fenghuang):
    response = page_as(users["resident_li"]).get("/ledger/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "和平社区" in html and "凤凰社区" not in html
    assert 'data-testid="income-form"' not in html
    assert "ledger-line-reverse" not in html and "/reverse/" not in html


def test_staff_record_income_through_the_page(page_as, users, heping):
    client = page_as(users["heping_staff"])
    before = LedgerLine.objects.filter(community=heping).count()

    response = client.post(
        "/ledger/income/",
        {"community": heping.id, "source": "donation", "amount": "2000", "date": timezone.localdate().isoformat(),
         "counterparty": "爱心企业", "note": "微心愿", "extra-receipt_no": "SP-SJ-2026-0101",
         "extra-payer_type": "enterprise"},
    )

    assert response.status_code == 302
    assert LedgerLine.objects.filter(community=heping).count() == before + 1
    line = LedgerLine.objects.filter(community=heping).latest("id")
    assert (line.source, line.amount, line.posted_by) == ("donation", Decimal("2000.00"), users["heping_staff"])
    assert line.extra == {"receipt_no": "SP-SJ-2026-0101", "payer_type": "enterprise"}
    assert line.extra_form.definition.code == "shaping-income-extra"
    assert "¥2,000.00" in client.get(response.url).content.decode()  # the success message's money format


def test_bad_income_on_the_page_shows_inline_messages_and_writes_nothing(page_as, users, heping):
    client = page_as(users["heping_staff"])
    before = LedgerLine.objects.count()

    response = client.post(
        "/ledger/income/", {"community": heping.id, "source": "rent", "amount": "1.234", "date": "2999-01-01"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="amount"' in html and 'data-field-error="source"' in html
    assert 'data-field-error="date"' in html
    assert "最多两位小数" in html
    assert LedgerLine.objects.count() == before


def test_income_for_another_community_is_refused_inline(page_as, users, fenghuang):
    before = LedgerLine.objects.count()

    response = page_as(users["heping_staff"]).post(
        "/ledger/income/", {"community": fenghuang.id, "source": "operating", "amount": "5", "date": "2026-01-05"}
    )

    assert response.status_code == 400
    assert 'data-field-error="community"' in response.content.decode()
    assert LedgerLine.objects.count() == before


def test_readers_who_may_not_write_get_404_from_the_income_form(page_as, users, heping):
    response = page_as(users["resident_li"]).post(
        "/ledger/income/", {"community": heping.id, "source": "operating", "amount": "5", "date": "2026-01-05"}
    )

    assert response.status_code == 404


def test_the_secretary_reverses_a_line_from_the_page(page_as, users, heping, record_income):
    line = record_income(heping, "88.00")
    client = page_as(users["heping_secretary"])

    first = client.post(f"/ledger/{line.id}/reverse/", {"reason": "录入错误"})
    second = client.post(f"/ledger/{line.id}/reverse/", {"reason": "再次"}, follow=True)

    assert first.status_code == 302
    assert LedgerLine.objects.get(reverses=line).amount == Decimal("-88.00")
    assert "已被红冲" in second.content.decode()
    assert LedgerLine.objects.filter(reverses=line).count() == 1


def test_staff_cannot_reverse_from_the_page(page_as, users, heping, record_income):
    line = record_income(heping)

    response = page_as(users["heping_staff"]).post(f"/ledger/{line.id}/reverse/", {"reason": "x"})

    assert response.status_code == 404
    assert not LedgerLine.objects.filter(reverses=line).exists()


def test_a_line_page_of_another_community_is_a_404(page_as, users, fenghuang):
    line = LedgerLine.objects.filter(community=fenghuang).first()

    assert page_as(users["heping_secretary"]).get(f"/ledger/{line.id}/").status_code == 404
    assert page_as(users["shaping_reviewer"]).get(f"/ledger/{line.id}/").status_code == 200


def test_bad_page_filters_show_inline_messages(page_as, users):
    response = page_as(users["shaping_leader"]).get("/ledger/", {"from": "2026-02-30", "community": "x"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="field-error"') == 2


def test_the_menu_shows_the_ledger_to_those_who_may_read_one(users, heping):
    partner = User.objects.create(username="partner_b")
    RoleMembership.objects.create(user=partner, role="partner", org_unit=heping)

    for username in ("heping_secretary", "heping_staff", "heping_committee1", "resident_li", "shaping_leader", "admin"):
        assert "ledger" in {item["key"] for item in items_for(users[username])}
    assert "ledger" not in {item["key"] for item in items_for(partner)}


def test_people_without_a_ledger_get_a_404_page(page_as, heping):
    partner = User.objects.create(username="partner_c")
    RoleMembership.objects.create(user=partner, role="partner", org_unit=heping)

    assert page_as(partner).get("/ledger/").status_code == 404


def test_a_reversal_is_shown_as_a_negative_amount_in_the_one_format_marked_as_such(page_as, users, heping, record_income):
    from workflows.ledger import services

    original = record_income(heping, "10000.00")
    reversal = services.line_reverse(actor=users["heping_secretary"], line=original, reason="录错")
    html = page_as(users["heping_secretary"]).get(f"/ledger/?community={heping.id}").content.decode()

    entry = html[html.index(f'id="line-{reversal.id}"'):]
    entry = entry[:entry.index("</li>")]
    assert "−¥10,000.00" in entry and "红冲" in entry and "¥-" not in html
