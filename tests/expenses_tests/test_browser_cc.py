"""The copy-to (抄送) picker on a phone: a search box over the names to tick, and without
JavaScript the same names as a plain list of checkboxes."""

import pytest

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD
from workflows.expenses.models import ExpenseRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_the_core_fields(page) -> None:
    page.select_option("select[name=category]", "party_activity")
    page.fill("input[name=amount]", "800")
    page.fill("input[name=payee]", "鹤山市沙坪印刷厂")
    page.fill("textarea[name=purpose]", "抄送测试：七一党群活动宣传物料")


def visible_names(picker) -> list[str]:
    return [text.strip() for text in picker.locator("label:visible").all_inner_texts()]


def test_staff_find_a_name_in_the_copy_to_list_and_the_request_is_copied_to_it(demo, browser_page):
    page = browser_page(viewport=PHONE)
    login(page, "heping_staff", DEMO_TEST_PASSWORD)
    page.goto("/expenses/new/")
    picker = page.locator("[data-testid=cc-picker]")
    everyone = visible_names(picker)
    assert "何委员乙" in everyone and len(everyone) > 3

    search = picker.locator("[data-filter-input]")
    assert search.get_attribute("placeholder") == "查找姓名"
    search.fill("委员乙")
    assert visible_names(picker) == ["何委员乙"]
    picker.locator("label:visible input[type=checkbox]").check()

    search.fill("没有这个人")
    assert visible_names(picker) == ["何委员乙"]  # a ticked name never disappears from sight
    search.fill("zzz-nobody")
    search.press("Enter")  # does not send the form
    assert "/expenses/new/" in page.url
    search.fill("")
    assert visible_names(picker) == everyone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    fill_the_core_fields(page)
    page.click("[data-testid=submit-expense]")
    page.wait_for_selector("[data-testid=expense-state]")
    request = ExpenseRequest.objects.get(purpose="抄送测试：七一党群活动宣传物料")
    assert [u.username for u in request.cc.all()] == ["heping_committee2"]


def test_without_javascript_the_copy_to_list_is_a_plain_list_of_checkboxes(demo, browser_page):
    page = browser_page(viewport=PHONE, javascript=False)
    login(page, "heping_staff", DEMO_TEST_PASSWORD)
    page.goto("/expenses/new/")
    picker = page.locator("[data-testid=cc-picker]")

    assert picker.locator("[data-filter-input]").count() == 0
    assert "何委员乙" in visible_names(picker)
    picker.locator("label", has_text="何委员乙").locator("input").check()
    fill_the_core_fields(page)
    page.click("[data-testid=submit-expense]")
    page.wait_for_url("**/expenses/*/")
    request = ExpenseRequest.objects.get(purpose="抄送测试：七一党群活动宣传物料")
    assert [u.username for u in request.cc.all()] == ["heping_committee2"]
