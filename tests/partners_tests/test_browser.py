"""The whole partner journey on a phone, through the pages: a new applicant signs up and applies
to 和平's open call; the secretary, two committee members and the street reviewer approve; a
resident objects on the public notice; the secretary dismisses it; the notice ends (clock
moved); the secretary records the agreement; the services show in the public catalogue."""

import datetime as dt

import pytest
import time_machine

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD
from tests.partners_tests.helpers import uscc
from workflows.approvals import services as engine
from workflows.approvals.models import RouteTask
from workflows.partners.models import Application, Notice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def approve(browser_page, username: str, url: str) -> None:
    page = browser_page(viewport=PHONE)
    login(page, username, DEMO_TEST_PASSWORD)
    page.goto(url)
    page.click("[data-testid=approve]")
    page.wait_for_selector(".message-success")


def test_a_new_partner_signs_up_applies_is_reviewed_objected_to_noticed_and_signed_on_a_phone(demo, browser_page):
    applicant = browser_page(viewport=PHONE)
    applicant.goto("/partners/signup/")
    applicant.fill("input[name=username]", "zhou_tea")
    applicant.fill("input[name=display_name]", "周老板")
    applicant.fill("input[name=mobile]", "13912340000")
    applicant.fill("input[name=password]", "Gongying-2026!")
    applicant.click("[data-testid=signup-submit]")
    applicant.wait_for_selector("[data-testid=open-calls]")
    applicant.locator("[data-testid=open-calls] a[role=button]").first.click()
    applicant.wait_for_selector("[data-testid=application-form]")
    applicant.select_option("select[name=data-applicant_type]", "organisation")
    applicant.fill("input[name=data-org_name]", "鹤山市周记茶饮店")
    applicant.fill("input[name=data-uscc]", uscc(77))
    applicant.fill("input[name=data-mobile]", "13912340000")
    if applicant.locator("[name=data-services-0-name]").count() == 0:
        applicant.click("[data-table=services] [data-add-row]")
    applicant.fill("[name=data-services-0-name]", "茶饮文创体验")
    applicant.select_option("[name=data-services-0-category]", "culture")
    applicant.select_option("[name=data-services-0-paid]", "paid")
    applicant.fill("[name=data-services-0-price]", "68")
    applicant.select_option("[name=data-services-0-target]", "youth")
    assert fits(applicant)
    applicant.click("[data-testid=submit-application]")
    applicant.wait_for_selector("[data-testid=application-state]")
    application = Application.objects.get(name="鹤山市周记茶饮店")
    assert application.state == "reviewing"
    url = f"/partners/applications/{application.pk}/"

    for username in ("heping_secretary", "heping_committee1", "heping_committee2", "shaping_reviewer"):
        approve(browser_page, username, url)
    application.refresh_from_db()
    assert application.state == "notice"

    resident = browser_page(viewport=PHONE)
    login(resident, "resident_li", DEMO_TEST_PASSWORD)
    resident.goto("/public/heping/notices/")
    resident.locator("[data-testid=current-notices] a", has_text="鹤山市周记茶饮店").first.click()
    assert "5" in resident.locator("[data-testid=notice-days-left]").inner_text()
    resident.fill("textarea[name=reason]", "价格未写明是否含材料费。")
    resident.click("[data-testid=submit-objection]")
    resident.wait_for_selector(".message-success")
    assert Notice.objects.get(application=application).suspended
    assert fits(resident)

    secretary = browser_page(viewport=PHONE)
    login(secretary, "heping_secretary", DEMO_TEST_PASSWORD)
    secretary.goto(url)
    secretary.fill("[data-testid=task-objection] [data-testid=reply]", "价格已含材料费，已在公示中注明。")
    secretary.click("[data-testid=task-objection] [data-testid=dismiss]")
    secretary.wait_for_selector(".message-success")
    notice = Notice.objects.get(application=application)
    assert not notice.suspended

    due = RouteTask.objects.get(task_id=notice.task_id).due_at
    with time_machine.travel(due + dt.timedelta(minutes=1), tick=False):
        assert engine.deadlines_sweep()["timeouts"] == 1
    application.refresh_from_db()
    assert application.state == "agreement"

    secretary.goto(url)
    secretary.fill("[data-testid=ends-on]", (dt.date.today() + dt.timedelta(days=3 * 365)).isoformat())
    secretary.click("[data-testid=record-agreement]")
    secretary.wait_for_selector(".message-success")
    assert secretary.locator("[data-testid=application-state]").inner_text() == "已签协议"

    public = browser_page(viewport=PHONE)
    public.goto("/public/heping/partners/?target=youth&paid=paid")
    catalogue = public.locator("[data-testid=catalogue]").inner_text()
    assert "茶饮文创体验" in catalogue and "鹤山市周记茶饮店" in catalogue
    assert fits(public)
