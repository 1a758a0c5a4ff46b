"""On a phone, in Debian's Chromium: the street leader opens the dashboard, sees 和平's overdue
inquiry and follows its link; a new task in 凤凰 moves 凤凰's counter without a reload; the charts
have titles and numbers; 和平's public page renders with JavaScript switched off."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD
from tests.notifications_tests.test_browser import api_as
from workflows.inquiries.services import inquiry_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_leader_sees_the_overdue_inquiry_follows_it_and_counters_go_live(demo, browser_page):
    users, communities = demo["users"], demo["communities"]
    # Filed 60 days ago and never answered (no timer ran since): open past its deadline.
    with time_machine.travel(timezone.now() - dt.timedelta(days=60), tick=False):
        overdue = inquiry_file(actor=users["resident_li"], community=communities["heping"],
                               question="十月份的水电费是多少？", publish_consent=False)

    leader = browser_page(viewport=PHONE)
    login(leader, "shaping_leader", DEMO_TEST_PASSWORD)
    leader.goto("/street/")
    leader.wait_for_selector('[data-testid=notification-bell][data-unread]', state="attached")
    assert leader.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    heping = leader.locator("[data-testid=column-heping]")
    assert int(heping.locator("[data-testid=inquiries-overdue-heping]").inner_text()) >= 1
    link = heping.locator(f"[data-testid=overdue-heping] a[href='/inquiries/{overdue.pk}/']")
    assert link.count() == 1

    # Charts: a <title>, and the numbers in text beside them.
    chart = leader.locator("[data-testid=chart-books-heping]")
    assert "和平社区" in chart.locator("title").first.text_content()
    numbers = leader.locator("[data-testid=chart-books-heping-numbers]").inner_text()
    assert "¥" in numbers and "12" in numbers
    assert leader.locator("[data-testid=chart-inquiries] title").first.text_content()

    # A new task in 凤凰, filed from another phone: the counter moves without a reload.
    counter = leader.locator("[data-testid=tasks-open-fenghuang]")
    before = int(counter.inner_text())
    leader.evaluate("window.__notReloaded = true")
    staff = api_as(browser_page, "fenghuang_staff")
    staff("POST", "/api/expenses/", {"community": communities["fenghuang"].pk, "amount": "300.00",
                                     "category": "utilities", "payee": "鹤山市供电局", "purpose": "凤凰社区电费"})
    leader.wait_for_function(
        "n => Number(document.querySelector('[data-testid=tasks-open-fenghuang]').textContent) === n",
        arg=before + 1, timeout=15_000)
    assert leader.evaluate("window.__notReloaded") is True

    # Follow the overdue inquiry.
    link.click()
    leader.wait_for_url(f"**/inquiries/{overdue.pk}/")
    assert "十月份的水电费" in leader.content()


def test_the_public_page_of_heping_renders_without_javascript(demo, _chromium, live_server_url):
    context = _chromium.new_context(java_script_enabled=False, viewport=PHONE, locale="zh-CN", base_url=live_server_url)
    try:
        page = context.new_page()
        response = page.goto("/public/heping/")
        assert response.status == 200
        assert page.locator("h1").inner_text().startswith("和平社区")
        assert page.locator("[data-testid=public-partners] li").count() == 17
        assert page.locator("[data-testid=chart-public-books] title").first.text_content()
        assert "¥" in page.locator("[data-testid=chart-public-books-numbers]").inner_text()
        assert page.locator("[data-testid=public-on-time]").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
