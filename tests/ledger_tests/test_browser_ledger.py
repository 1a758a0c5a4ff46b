from decimal import Decimal

import pytest

from tests.browser_support import LAPTOP, PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD
from workflows.ledger import selectors
from workflows.ledger.models import LedgerLine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def heping_totals(demo):
    return selectors.ledger_totals(LedgerLine.objects.filter(community=demo["communities"]["heping"]))


def test_staff_record_income_on_a_phone_and_see_the_income_total_grow(demo, browser_page):
    page = browser_page(viewport=PHONE)
    login(page, "heping_staff", DEMO_TEST_PASSWORD)
    page.click("[data-nav=ledger]")
    assert page.locator("h1").inner_text().startswith("台账")
    before = heping_totals(demo)
    lines_before = LedgerLine.objects.count()
    assert page.locator("[data-testid=total-income]").inner_text() == f"¥{before['income']:,.2f}"

    # On a phone the expense column sits below the income column, and nothing scrolls sideways.
    income_box = page.locator("[data-testid=ledger-income]").bounding_box()
    expense_box = page.locator("[data-testid=ledger-expense]").bounding_box()
    assert expense_box["y"] >= income_box["y"] + income_box["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    form = page.locator("[data-testid=income-form]")
    form.locator("select[name=source]").select_option("government_purchase")
    form.locator("input[name=amount]").fill("1.234")
    form.locator("input[name=counterparty]").fill("鹤山市沙坪街道办事处")
    # The street's income.extra form is part of the income form: its required receipt number and
    # payer type, and the contract number that a government payer brings into view.
    extra = form.locator("[data-testid=income-extra]")
    contract = extra.locator('[data-field="purchase_contract"]')
    assert contract.is_hidden()
    extra.locator("input[name=extra-receipt_no]").fill("SP-SJ-2026-0901")
    extra.locator("select[name=extra-payer_type]").select_option("government")
    assert contract.is_visible()
    extra.locator("input[name=extra-purchase_contract]").fill("SPJD-GM-2026-901")
    form.locator("button[type=submit]").click()
    assert page.locator("[data-field-error=amount]").inner_text() == "金额最多两位小数。"
    assert LedgerLine.objects.count() == lines_before

    form = page.locator("[data-testid=income-form]")
    # What was typed in the extra part is still there after the refusal.
    assert form.locator("input[name=extra-receipt_no]").input_value() == "SP-SJ-2026-0901"
    assert form.locator('[data-field="purchase_contract"]').is_visible()
    form.locator("input[name=amount]").fill("6000")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".message-success")
    assert "¥6,000.00" in page.locator(".message-success").inner_text()
    line = LedgerLine.objects.latest("id")
    assert line.extra == {"receipt_no": "SP-SJ-2026-0901", "payer_type": "government",
                          "purchase_contract": "SPJD-GM-2026-901"}

    assert page.locator("[data-testid=total-income]").inner_text() == f"¥{before['income'] + Decimal('6000.00'):,.2f}"
    assert page.locator("[data-testid=total-expense]").inner_text() == f"¥{before['expense']:,.2f}"


def test_the_secretary_reverses_a_line_and_both_columns_sit_side_by_side_on_a_laptop(demo, browser_page):
    heping = demo["communities"]["heping"]
    line = LedgerLine.objects.filter(community=heping, line="income").order_by("id").first()
    before = heping_totals(demo)
    page = browser_page(viewport=LAPTOP)
    login(page, "heping_secretary", DEMO_TEST_PASSWORD)
    page.goto("/ledger/")

    income_box = page.locator("[data-testid=ledger-income]").bounding_box()
    expense_box = page.locator("[data-testid=ledger-expense]").bounding_box()
    assert expense_box["x"] > income_box["x"] + income_box["width"] - 1
    assert abs(expense_box["y"] - income_box["y"]) < 2

    entry = page.locator(f"#line-{line.id}")
    entry.locator("summary").click()
    entry.locator("input[name=reason]").fill("金额录入错误")
    entry.locator("button[type=submit]").click()
    page.wait_for_selector(".message-success")

    reversal = LedgerLine.objects.get(reverses=line)
    assert reversal.amount == -line.amount
    assert page.locator("[data-testid=total-income]").inner_text() == f"¥{before['income'] - line.amount:,.2f}"
    assert page.locator(f"#line-{reversal.id}").count() == 1
    assert page.locator(f"#line-{line.id} summary").count() == 0  # no second 红冲 button
