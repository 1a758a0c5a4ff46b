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
    staff.wait_for_function("() => document.querySelector('#route-steps').dataset.count === '1'")
    assert steps.first.get_attribute("data-step") == "community_secretary"
    staff.fill("input[name=amount]", "3000")
    staff.wait_for_function("() => document.querySelector('#route-steps').dataset.count === '2'")
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
    assert HistoryEntry.objects.filter(process_kind="expense", process_id=request.pk, action="approve").count() == 3


def test_staff_revise_the_extra_form_of_a_returned_request_on_a_phone_and_resubmit(demo, browser_page):
    from tests.expenses_tests.helpers import act
    from tests.forms_tests.test_expense_binding import conditional_policy
    from workflows.expenses import services

    users, heping = demo["users"], demo["communities"]["heping"]
    conditional_policy(demo["street"], users["admin"])
    request = services.expense_create(
        actor=users["heping_staff"], community=heping, amount="3000.00", category="daily_operations",
        payee="鹤山市沙坪建筑队", purpose="党群服务中心屋面防水维修", cc=[],
        extra={"project_type": "goods", "items": [{"name": "防水卷材", "quantity": 30, "unit_price": "85.00"}]},
    )
    act(request, users["heping_secretary"], "return", comment="这是工程，请改项目类型")

    staff = browser_page(viewport=PHONE)
    login(staff, "heping_staff", DEMO_TEST_PASSWORD)
    staff.goto(f"/expenses/{request.pk}/")
    box = staff.locator("[data-testid=resubmit-extra]")
    assert staff.input_value("[name=extra-items-0-name]") == "防水卷材"
    assert staff.input_value("select[name=extra-project_type]") == "goods"
    approval = box.locator('[data-field="engineering_approval"]')
    assert approval.is_hidden()
    staff.select_option("select[name=extra-project_type]", "engineering")
    assert approval.is_visible()
    staff.fill("input[name=extra-engineering_approval]", "沙坪建〔2026〕12号")
    staff.click("[data-testid=resubmit]")
    staff.wait_for_selector(".message-success")
    assert staff.locator("[data-testid=expense-state]").get_attribute("data-state") == "pending"
    assert staff.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    request.refresh_from_db()
    assert request.extra["project_type"] == "engineering" and request.extra["items_total"] == "2550.00"
    assert request.steps == ["community_secretary", "community_committee", "street_reviewer"]
