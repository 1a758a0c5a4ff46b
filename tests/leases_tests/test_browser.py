"""The lease journey on a phone, through the pages: a partner asks for 凤凰's painting room on
Tue/Thu 18:30–20:30 for the autumn term, sees the conflict with an existing lease, picks skip; the
secretary approves and signs; the room's week view shows the new slots as a day list; the partner
reports November's revenue and records the remittance; the public charity tally shows it."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD
from workflows.leases.models import Lease, LeaseRequest
from workflows.org.models import Room
from workflows.partners.models import Partner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_partner_leases_the_painting_room_skips_the_conflicts_and_reports_on_a_phone(demo, browser_page):
    partner = Partner.objects.select_related("user").get(public_name="七叶树下文祯图书中心")
    painting = Room.objects.get(community__code="fenghuang", name="绘画室")
    today = timezone.localdate()
    # The autumn term: from the start of September (three months back) to the end of January.
    starts = today.replace(day=1) - relativedelta(months=3)
    ends = starts + relativedelta(months=5) - dt.timedelta(days=1)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")

    page = browser_page(viewport=PHONE)
    login(page, partner.user.username, DEMO_TEST_PASSWORD)
    page.goto("/leases/")
    page.click("[data-testid=new-request]")
    page.wait_for_selector("[data-testid=request-form]")
    page.select_option("[data-testid=room]", str(painting.pk))
    page.fill("[data-testid=service]", "亲子绘本课")
    page.fill("[data-testid=starts-on]", starts.isoformat())
    page.fill("[data-testid=ends-on]", ends.isoformat())
    page.check("[data-testid=slot-0] input[value='1']")
    page.check("[data-testid=slot-0] input[value='3']")
    page.fill("input[name=slot0_starts]", "18:30")
    page.fill("input[name=slot0_ends]", "20:30")
    page.select_option("[data-testid=price-model]", "low")
    page.fill("input[name=data-contact_name]", "李莉")
    page.fill("input[name=data-contact_mobile]", "13800138000")
    page.fill("input[name=data-expected_participants]", "12")
    page.select_option("select[name=data-target]", "young")
    assert fits(page)
    page.click("[data-testid=submit-request]")
    conflicts = page.wait_for_selector("[data-testid=conflicts]")
    text = conflicts.inner_text()
    existing = Lease.objects.get(room=painting, service="长者国画班")
    assert existing.contract_number in text and "19:00" in text
    assert fits(page)
    page.check("[data-testid=skip-conflicts]")
    page.click("[data-testid=submit-request]")
    page.wait_for_selector("[data-testid=request-state]")
    request = LeaseRequest.objects.get(service="亲子绘本课")
    assert request.state == "reviewing" and request.conflict_skips
    assert {dt.date.fromisoformat(c["date"]).weekday() for c in request.conflict_skips} == {1}
    url = f"/leases/requests/{request.pk}/"

    secretary = browser_page(viewport=PHONE)
    login(secretary, "fenghuang_secretary", DEMO_TEST_PASSWORD)
    secretary.goto(url)
    secretary.click("[data-testid=task-community_review] [data-testid=approve]")
    secretary.wait_for_selector("[data-testid=task-contract]")
    assert fits(secretary)
    secretary.click("[data-testid=sign]")
    secretary.wait_for_selector("[data-testid=lease-link]")
    lease = Lease.objects.get(request=request)
    assert lease.state == "active" and lease.contract_number.startswith("凤凰租〔")

    # The week view: a list of days on a phone, this week's Thursday with the new slot.
    secretary.goto(f"/leases/rooms/{painting.pk}/week/")
    columns = secretary.eval_on_selector("[data-testid=week]", "e => getComputedStyle(e).gridTemplateColumns")
    assert len(columns.split()) == 1 and fits(secretary)
    week_start = today - dt.timedelta(days=today.weekday())
    thursday = week_start + dt.timedelta(days=3)
    day = secretary.inner_text(f"[data-testid=day-{thursday.isoformat()}]")
    assert "18:30–20:30 亲子绘本课" in day
    tuesday = secretary.inner_text(f"[data-testid=day-{(week_start + dt.timedelta(days=1)).isoformat()}]")
    assert "长者国画班" in tuesday and "亲子绘本课" not in tuesday.replace("18:30–20:30 已跳过", "")

    page.goto(f"/leases/{lease.pk}/")
    page.fill("[data-testid=report-month]", last_month)
    page.fill("[data-testid=revenue]", "1000.05")
    page.fill("[data-testid=sessions]", "8")
    page.fill("[data-testid=participants]", "96")
    page.click("[data-testid=file-report]")
    page.wait_for_selector(f"[data-testid=report-{last_month}]")
    # 100.005 rounds half-up to 100.01.
    assert "100.01" in page.inner_text(f"[data-testid=report-{last_month}]")
    form = f"[data-testid=remit-form-{last_month}]"
    page.fill(f"{form} [data-testid=receipt-code]", "44070126")
    page.fill(f"{form} [data-testid=receipt-number]", "00098765")
    page.click(f"{form} [data-testid=remit]")
    page.wait_for_selector(".message-success")
    assert "0.00" in page.inner_text(f"[data-testid=report-{last_month}] [data-testid=outstanding]")
    assert fits(page)

    public = browser_page(viewport=PHONE)
    public.goto("/public/fenghuang/charity/")
    rows = [r.inner_text() for r in public.query_selector_all("[data-testid=charity-row]")]
    mine = [r for r in rows if "七叶树下文祯图书中心" in r and last_month in r]
    assert len(mine) == 1 and mine[0].count("100.01") == 2
    assert fits(public)
