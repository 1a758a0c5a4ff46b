"""End to end in Debian's Chromium: the street reviewer's badge goes up, live, when a request a
community secretary filed reaches the street. Every action goes through the live server's API,
as other people's phones would do it."""

import pytest

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BADGE = "[data-testid=notification-badge]"


def api_as(browser_page, username):
    """An API session for another person (its own browser context), authenticated by token."""
    request = browser_page(viewport=PHONE).context.request
    response = request.post("/api/auth/token/", data={"username": username, "password": DEMO_TEST_PASSWORD})
    assert response.ok, response.text()
    token = response.json()["token"]

    def call(method, path, data=None):
        response = request.fetch(path, method=method, data=data, headers={"Authorization": f"Token {token}"})
        assert response.ok, f"{method} {path}: {response.status} {response.text()}"
        return response.json()

    return call


def wait_for_badge(page, text):
    page.wait_for_function(
        "text => document.querySelector('[data-testid=notification-badge]').textContent.trim() === text",
        arg=text,
        timeout=15_000,
    )


def test_the_reviewers_badge_goes_up_when_a_secretarys_expense_reaches_the_street(demo, browser_page):
    reviewer = browser_page(viewport=PHONE)
    login(reviewer, "shaping_reviewer", DEMO_TEST_PASSWORD)
    # The socket said hello: the badge is live (and empty).
    reviewer.wait_for_selector('[data-testid=notification-bell][data-unread="0"]', state="attached")
    assert reviewer.locator(BADGE).is_hidden()

    secretary = api_as(browser_page, "heping_secretary")
    expense = secretary("POST", "/api/expenses/", {
        "community": demo["communities"]["heping"].pk,
        "amount": "8000.00",
        "category": "party_activity",
        "payee": "鹤山市灯光音响有限公司",
        "purpose": "和平社区舞台灯光",
    })
    # 8,000 needs the committee's countersign before the street: nothing for the reviewer yet.
    reviewer.wait_for_timeout(500)
    assert reviewer.locator(BADGE).is_hidden()

    for member in ("heping_committee1", "heping_committee2", "heping_committee3"):
        voter = api_as(browser_page, member)
        for task in voter("GET", "/api/tasks/")["results"]:
            if task["process"] == {"kind": "expense", "id": expense["id"]}:
                voter("POST", f"/api/tasks/{task['id']}/approve/", {"comment": "同意"})

    # The task assigned to the reviewer and the street's supervision feed: two, pushed live.
    wait_for_badge(reviewer, "2")
    assert reviewer.locator(BADGE).is_visible()
    toasts = reviewer.locator("[data-testid=notification-toast]")
    toasts.first.wait_for()
    assert "鹤山市灯光音响有限公司" in " ".join(toasts.all_inner_texts())

    # The inbox page lists both, and reading one brings the badge down on every open page.
    reviewer.click("[data-testid=notification-bell]")
    reviewer.wait_for_url("**/notifications/")
    assert reviewer.locator("#notification-list .notification-row.unread").count() == 2
    reviewer.locator("#notification-list .notification-row.unread button").first.click()
    wait_for_badge(reviewer, "1")


def test_a_page_that_lost_its_socket_resumes_from_the_last_seq_it_saw(demo, browser_page, monkeypatch):
    from notifications import transports
    from notifications.services import notify

    staff = demo["users"]["guilin_staff"]
    page = browser_page(viewport=PHONE)
    login(page, "guilin_staff", DEMO_TEST_PASSWORD)
    page.wait_for_selector('[data-testid=notification-bell][data-unread="0"]', state="attached")
    page.evaluate("window.gongyingNotifications.disconnect()")
    page.wait_for_timeout(300)

    # Written while the page is away; nothing is pushed (the socket is gone), rows are the truth.
    monkeypatch.setattr(transports, "group_send_all", lambda messages: None)
    rows = [notify(kind="system.message", params={"title": f"停水通知 {i}", "body": ""}, users=[staff])[0] for i in range(3)]

    page.evaluate("window.gongyingNotifications.connect()")
    wait_for_badge(page, "3")
    toasts = page.locator("[data-testid=notification-toast]")
    toasts.nth(2).wait_for()
    assert [t.split("\n")[0] for t in toasts.all_inner_texts()] == [f"通知：停水通知 {i}" for i in range(3)]
    assert page.evaluate("window.gongyingNotifications.lastSeq()") == rows[-1].seq
    key = f"gongying.notifications.lastSeq.{staff.pk}"
    assert page.evaluate(f"sessionStorage.getItem('{key}')") == str(rows[-1].seq)
