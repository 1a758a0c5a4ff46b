import pytest

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD
from workflows.approvals.models import HistoryEntry
from workflows.expenses.models import ExpenseRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def approve_first_task(page, username: str) -> None:
    login(page, username, DEMO_TEST_PASSWORD)
    page.goto("/tasks/")
    assert page.locator("[data-testid=task-count]").inner_text() == "1"
    page.locator("[data-testid=task-link]").first.click()
    page.fill("[data-testid=comment]", f"{username} 同意")
    page.click("[data-testid=approve]")
    page.wait_for_selector(".message-success")


def test_staff_file_3000_yuan_on_a_phone_and_the_secretary_and_two_members_approve(demo, browser_page):
    staff = browser_page(viewport=PHONE)
    login(staff, "heping_staff", DEMO_TEST_PASSWORD)
    staff.goto("/expenses/new/")
    steps = staff.locator("#route-steps li")
    staff.select_option("select[name=category]", "party_activity")
    staff.fill("input[name=amount]", "800")
    staff.wait_for_function("document.querySelector('#route-steps').dataset.count === '1'")
    assert steps.first.get_attribute("data-step") == "community_secretary"
    staff.fill("input[name=amount]", "3000")
    staff.wait_for_function("document.querySelector('#route-steps').dataset.count === '2'")
    assert [steps.nth(i).get_attribute("data-step") for i in range(2)] == ["community_secretary", "community_committee"]
    assert "审批" in staff.locator("#route-preview").inner_text() or "会签" in staff.locator("#route-preview").inner_text()
    staff.fill("input[name=payee]", "鹤山市沙坪印刷厂")
    staff.fill("textarea[name=purpose]", "七一党群活动宣传物料")
    staff.click("[data-testid=submit-expense]")
    staff.wait_for_selector("[data-testid=expense-state]")
    assert staff.locator("[data-testid=expense-state]").get_attribute("data-state") == "pending"
    assert staff.locator("[aria-current=step]").get_attribute("data-step") == "community_secretary"
    assert staff.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    request_url = staff.url

    for username in ["heping_secretary", "heping_committee1", "heping_committee2"]:
        approve_first_task(browser_page(viewport=PHONE), username)

    staff.goto(request_url)
    assert staff.locator("[data-testid=expense-state]").get_attribute("data-state") == "approved"
    timeline = staff.locator("[data-testid=history] li")
    actions = [timeline.nth(i).get_attribute("data-action") for i in range(timeline.count())]
    assert actions.count("approve") == 3 and actions[0] == "submit"
    assert {"recuse", "step_passed"} <= set(actions)
    text = staff.locator("[data-testid=history]").inner_text()
    for name in ["何书记", "何委员甲", "何委员乙"]:
        assert name in text
    request = ExpenseRequest.objects.get(community__code="heping")
    assert HistoryEntry.objects.filter(process_id=request.pk, action="approve").count() == 3
