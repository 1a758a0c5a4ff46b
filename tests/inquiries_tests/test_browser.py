"""The inquiry journey on a phone, in Debian's Chromium, without any script of ours."""

import pytest

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD
from workflows.inquiries.models import Inquiry
from workflows.ledger.models import LedgerLine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_asks_about_a_line_the_queue_and_the_secretary_answer_and_it_is_published_masked(
        demo, browser_page):
    heping = demo["communities"]["heping"]
    line = LedgerLine.objects.filter(community=heping, line="income").order_by("date", "id").first()
    month = f"{line.date:%Y-%m}"

    resident = browser_page(viewport=PHONE)
    resident.goto(f"/public/heping/?month={month}")
    assert resident.locator("h1").inner_text().startswith("和平社区")
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    resident.click(f"[data-testid=ask-line-{line.pk}]")
    # Asking needs an account: the login page brings her back to the question form.
    resident.fill("input[name=username]", "resident_li")
    resident.fill("input[name=password]", DEMO_TEST_PASSWORD)
    resident.click("[data-testid=login-submit]")
    resident.wait_for_selector("[data-testid=ask-form]")
    assert "关于台账行" in resident.locator("[data-testid=asking-about]").inner_text()
    resident.fill("textarea[name=question]", "我是李阿姨，电话13800138000，这笔收入的合同可以看吗？")
    resident.check("input[name=publish_consent]")
    resident.click("[data-testid=ask-submit]")
    resident.wait_for_selector("[data-testid=timeline]")
    inquiry = Inquiry.objects.filter(submitter=demo["users"]["resident_li"], ledger_line=line).latest("id")
    assert "受理" in resident.locator("[data-testid=holder]").inner_text()

    staff = browser_page(viewport=PHONE)
    login(staff, "heping_staff", DEMO_TEST_PASSWORD)
    staff.goto("/tasks/")
    staff.click(f"a[href='/inquiries/{inquiry.pk}/']")
    staff.click("[data-testid=acknowledge]")
    staff.wait_for_selector(".message-success")

    secretary = browser_page(viewport=PHONE)
    login(secretary, "heping_secretary", DEMO_TEST_PASSWORD)
    secretary.goto(f"/inquiries/{inquiry.pk}/")
    secretary.fill("[data-testid=answer-text]", "合同存档于社区党群服务中心，李阿姨可预约查阅，电话13912345678。")
    secretary.check("[data-testid=publish]")
    secretary.click("[data-testid=answer-submit]")
    secretary.wait_for_selector("[data-testid=answer]")

    resident.goto(f"/inquiries/{inquiry.pk}/")
    assert "合同存档" in resident.locator("[data-testid=answer]").inner_text()
    resident.click("[data-testid=accept]")
    resident.wait_for_selector(".message-success")
    assert "已办结" in resident.locator("[data-testid=inquiry-state]").inner_text()

    public = browser_page(viewport=PHONE)
    public.goto(f"/public/heping/?month={month}")
    answer = public.locator(f"[data-testid=published-answer-{inquiry.pk}]").inner_text()
    assert "我是李某，电话138****8000" in answer and "李某可预约查阅，电话139****5678" in answer
    assert "李阿姨" not in answer and "13800138000" not in answer
    assert public.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
