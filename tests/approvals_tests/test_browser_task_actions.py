"""In Debian's Chromium on a phone: the 待办 counter and list follow new tasks live, a reviewer
approves two requests in one batch, and a secretary adds a committee member before herself."""

import pytest
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD
from tests.notifications_tests.test_browser import api_as
from workflows.approvals import services as engine
from workflows.approvals.models import HistoryEntry
from workflows.expenses import services as expenses
from workflows.expenses.models import ExpenseRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def reach_the_street(sessions, demo, payee: str) -> dict:
    """A secretary's ¥8,000 request, through the committee's votes to the street reviewer, all
    through the live server's API (so the pushes reach the open page)."""
    expense = sessions["heping_secretary"]("POST", "/api/expenses/", {
        "community": demo["communities"]["heping"].pk, "amount": "8000.00", "category": "party_activity",
        "payee": payee, "purpose": "和平社区舞台灯光",
    })
    for member in ("heping_committee1", "heping_committee2", "heping_committee3"):
        voter = sessions[member]
        for task in voter("GET", "/api/tasks/")["results"]:
            if task["process"] == {"kind": "expense", "id": expense["id"]}:
                voter("POST", f"/api/tasks/{task['id']}/approve/", {"comment": "同意"})
    return expense


def wait_for_count(page, text: str) -> None:
    page.wait_for_function(
        "text => (document.querySelector('[data-testid=task-count]') || {}).textContent === text",
        arg=text, timeout=15_000)


def test_the_reviewers_todo_list_fills_live_and_she_approves_two_requests_in_one_batch(demo, browser_page):
    reviewer = browser_page(viewport=PHONE)
    login(reviewer, "shaping_reviewer", DEMO_TEST_PASSWORD)
    reviewer.goto("/tasks/")
    reviewer.wait_for_selector('[data-testid=notification-bell][data-unread]', state="attached")
    start = int(reviewer.locator("[data-testid=task-count]").inner_text())  # the demo's own open tasks

    payees = ["鹤山市灯光音响有限公司", "鹤山市沙坪印刷厂"]
    # One API session per person (logins are throttled per address).
    sessions = {who: api_as(browser_page, who) for who in
                ("heping_secretary", "heping_committee1", "heping_committee2", "heping_committee3")}
    first = reach_the_street(sessions, demo, payees[0])
    wait_for_count(reviewer, str(start + 1))
    second = reach_the_street(sessions, demo, payees[1])
    wait_for_count(reviewer, str(start + 2))
    # The list followed without a reload.
    for payee in payees:
        reviewer.locator("[data-testid=task-list] article", has_text=payee).wait_for(timeout=15_000)
    assert reviewer.locator("[data-testid=nav-badge-approvals]").inner_text() == str(start + 2)

    for payee in payees:
        reviewer.locator("[data-testid=task-list] article", has_text=payee).locator("[data-testid=batch-pick]").check()
    reviewer.locator("[data-testid=batch] summary").click()
    reviewer.fill("[data-testid=batch] textarea[name=comment]", "同意，请按预算执行")
    reviewer.click("[data-testid=batch-approve]")
    reviewer.wait_for_selector(".message-success")
    assert "2 项中 2 项已同意" in reviewer.locator(".message-success").inner_text()
    assert reviewer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for expense in (first, second):
        row = HistoryEntry.objects.filter(process_kind="expense", process_id=expense["id"], action="approve").last()
        assert row.comment == "同意，请按预算执行"
        assert row.actor.username == "shaping_reviewer"


def file_through_services(demo, amount: str) -> dict:
    """Filed by the services (committed: the live server sees it); nothing needs a live push."""
    request = expenses.expense_create(actor=demo["users"]["heping_staff"], community=demo["communities"]["heping"],
                                      amount=amount, category="party_activity", payee="鹤山市沙坪印刷厂",
                                      purpose="党员学习资料")
    return {"id": request.pk}


def test_a_secretary_adds_a_committee_member_before_herself_on_a_phone(demo, browser_page):
    expense = file_through_services(demo, "800.00")
    secretary = browser_page(viewport=PHONE)
    login(secretary, "heping_secretary", DEMO_TEST_PASSWORD)
    secretary.goto(f"/expenses/{expense['id']}/")
    secretary.locator("[data-testid=add-signer] summary").click()
    secretary.get_by_label("何委员甲").check()
    secretary.fill("[data-testid=comment]", "请何委员先核对")
    secretary.click("[data-testid=add-signer-button]")
    secretary.wait_for_selector(".message-success")
    # The route shows who holds the step now and that it comes back to her.
    route = secretary.locator("[data-testid=route]").inner_text()
    assert "何委员甲" in route and "何书记" in secretary.locator("[data-testid=added-signers]").inner_text()
    assert secretary.locator("[data-testid=history] li[data-action=add_signer]").count() == 1
    assert secretary.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    member = browser_page(viewport=PHONE)
    login(member, "heping_committee1", DEMO_TEST_PASSWORD)
    member.goto(f"/expenses/{expense['id']}/")
    member.click("[data-testid=approve]")
    member.wait_for_selector(".message-success")
    assert ExpenseRequest.objects.get(pk=expense["id"]).state == "pending"
    assert "何书记" in member.locator("[data-testid=route]").inner_text()


def test_the_flow_page_fits_a_phone_and_the_printable_sheet_renders_the_whole_history(demo, browser_page):
    expense = file_through_services(demo, "3000.00")
    users = demo["users"]
    for who in ("heping_secretary", "heping_committee1", "heping_committee2"):
        task = Task.objects.get(process__expense_request__pk=expense["id"], owner=users[who], status=STATUS.NEW)
        engine.task_act(actor=users[who], task_id=task.pk, action="approve", comment=f"{who} 同意")

    page = browser_page(viewport=PHONE)
    login(page, "heping_secretary", DEMO_TEST_PASSWORD)
    page.goto(f"/expenses/{expense['id']}/flow/")
    assert page.locator("[data-testid=flow-steps] li").count() >= 2
    assert page.locator("[data-testid=flow-chart]").is_hidden()  # the list stands for the chart on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(f"/expenses/{expense['id']}/sheet/")
    rows = page.locator("[data-testid=sheet-history] tbody tr")
    assert rows.count() == HistoryEntry.objects.filter(process_kind="expense", process_id=expense["id"]).count()
    assert "heping_committee2 同意" in page.locator("[data-testid=sheet-history]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.emulate_media(media="print")
    assert page.locator(".screen-only").first.is_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1
