"""The pages for 加签, 批量同意, 代理 and the confirmation before rejecting or withdrawing: plain
form posts (no script needed), messages inline, nothing changed by a refused post."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.expenses_tests.helpers import file, open_tasks, task_of
from workflows.approvals.models import Delegation, HistoryEntry
from workflows.expenses.models import ExpenseRequest
from workflows.expenses.states import ExpenseState
from workflows.org.models import RoleMembership, User
from workflows.org.roles import Role

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def actions(request) -> list[str]:
    return list(HistoryEntry.objects.filter(process_kind="expense", process_id=request.pk).order_by("id")
                .values_list("action", flat=True))


def test_reject_is_confirmed_on_the_page_before_it_happens(users, communities):
    request = file(users, communities, amount="800.00")
    secretary = client_for(users["heping_secretary"])
    url = f"/expenses/{request.pk}/act/"
    task = task_of(request, users["heping_secretary"]).pk

    page = secretary.post(url, {"action": "reject", "task": task, "comment": "发票不全"})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="confirm"' in body and "发票不全" in body
    assert ExpenseRequest.objects.get(pk=request.pk).state == ExpenseState.PENDING

    # Without a reason there is nothing to confirm: the page says why.
    response = secretary.post(url, {"action": "reject", "task": task}, follow=True)
    assert "confirm-button" not in response.content.decode()
    assert actions(request) == ["submit"]

    secretary.post(url, {"action": "reject", "task": task, "comment": "发票不全", "confirmed": "1"})
    assert ExpenseRequest.objects.get(pk=request.pk).state == ExpenseState.REJECTED


def test_withdraw_is_confirmed_on_the_page(users, communities):
    request = file(users, communities, amount="800.00")
    staff = client_for(users["heping_staff"])
    page = staff.post(f"/expenses/{request.pk}/act/", {"action": "withdraw", "comment": "不需要了"})
    assert 'data-testid="confirm"' in page.content.decode()
    assert ExpenseRequest.objects.get(pk=request.pk).state == ExpenseState.PENDING
    staff.post(f"/expenses/{request.pk}/act/", {"action": "withdraw", "comment": "不需要了", "confirmed": "1"})
    assert ExpenseRequest.objects.get(pk=request.pk).state == ExpenseState.WITHDRAWN


def test_a_secretary_adds_a_committee_member_before_herself_and_the_route_shows_it(users, communities):
    request = file(users, communities, amount="800.00")
    secretary, member = users["heping_secretary"], users["heping_committee1"]
    page = client_for(secretary).get(f"/expenses/{request.pk}/").content.decode()
    assert 'data-testid="add-signer"' in page and str(member) in page
    assert str(users["gubu_secretary"]) not in page  # only people who may see the request are offered

    client_for(secretary).post(f"/expenses/{request.pk}/act/", {
        "action": "add_signer", "task": task_of(request, secretary).pk, "users": [member.pk], "position": "before",
        "comment": "请委员先看"})
    assert [t.owner_id for t in open_tasks(request)] == [member.pk]
    page = client_for(member).get(f"/expenses/{request.pk}/").content.decode()
    assert 'data-testid="added-signers"' in page and str(secretary) in page
    assert 'data-testid="approve"' in page

    # A refused addition changes nothing and says why.
    response = client_for(member).post(f"/expenses/{request.pk}/act/", {
        "action": "add_signer", "task": task_of(request, member).pk, "users": [users["gubu_secretary"].pk],
        "position": "after"}, follow=True)
    assert "无权查看此申请" in response.content.decode()
    assert actions(request) == ["submit", "add_signer"]


def test_the_inbox_batch_approves_the_ticked_tasks_and_lists_what_failed(users, communities):
    secretary = users["heping_secretary"]
    first, second = (file(users, communities, amount="800.00") for _ in range(2))
    tasks = [task_of(r, secretary).pk for r in (first, second)]
    client = client_for(secretary)
    inbox = client.get("/tasks/").content.decode()
    assert inbox.count('data-testid="batch-pick"') >= 2 and 'data-testid="batch-approve"' in inbox
    client.post(f"/expenses/{second.pk}/act/", {"action": "approve", "task": tasks[1]})  # stale in the batch

    response = client.post("/tasks/batch/", {"tasks": tasks, "comment": "同意"}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "2 项中 1 项已同意" in body
    assert ExpenseRequest.objects.get(pk=first.pk).state == ExpenseState.APPROVED
    assert client.post("/tasks/batch/", {}, follow=True).status_code == 200


def test_the_deputy_page_names_a_deputy_refuses_bad_ranges_and_ends_early(users, communities, demo):
    secretary = users["heping_secretary"]
    deputy = User.objects.create(username="heping_secretary2", display_name="和平副书记")
    RoleMembership.objects.create(user=deputy, role=Role.COMMUNITY_SECRETARY, org_unit=communities["heping"])
    client = client_for(secretary)
    page = client.get("/tasks/delegations/").content.decode()
    assert "和平副书记" in page and str(users["gubu_secretary"]) not in page

    today = timezone.localdate()
    bad = client.post("/tasks/delegations/", {"deputy": deputy.pk, "starts_on": str(today + dt.timedelta(days=3)),
                                              "ends_on": str(today)})
    assert bad.status_code == 400 and 'data-testid="error-ends_on"' in bad.content.decode()
    assert client.post("/tasks/delegations/", {"deputy": "x", "starts_on": "", "ends_on": ""}).status_code == 400
    assert not Delegation.objects.exists()

    response = client.post("/tasks/delegations/", {"deputy": deputy.pk, "starts_on": str(today),
                                                   "ends_on": str(today + dt.timedelta(days=2)), "reason": "培训"})
    assert response.status_code == 302
    request = file(users, communities, amount="800.00")
    assert [t.owner_id for t in open_tasks(request)] == [deputy.pk]
    inbox = client_for(deputy).get("/tasks/").content.decode()
    assert 'data-testid="task-on-behalf-of"' in inbox and str(secretary) in inbox
    client_for(deputy).post(f"/expenses/{request.pk}/act/", {"action": "approve", "task": open_tasks(request)[0].pk})
    detail = client.get(f"/expenses/{request.pk}/").content.decode()
    assert 'data-testid="history-on-behalf-of"' in detail
    assert 'data-testid="done-for-me"' in client.get("/tasks/delegations/").content.decode()

    delegation = Delegation.objects.get()
    assert client_for(users["gubu_secretary"]).post(f"/tasks/delegations/{delegation.pk}/end/").status_code == 404
    client.post(f"/tasks/delegations/{delegation.pk}/end/")
    assert Delegation.objects.get().ended_at is not None
    assert [t.owner_id for t in open_tasks(file(users, communities, amount="800.00"))] == [secretary.pk]


# --- the printable approval sheet and the flow page -------------------------------------------


def test_the_approval_sheet_has_the_fields_route_and_every_decision_and_follows_the_request_scope(users, communities):
    request = file(users, communities, amount="8000.00")
    for who in ("heping_secretary", "heping_committee1", "heping_committee2"):
        client_for(users[who]).post(f"/expenses/{request.pk}/act/", {
            "action": "approve", "task": task_of(request, users[who]).pk, "comment": f"{who} 同意"})
    page = client_for(users["heping_staff"]).get(f"/expenses/{request.pk}/sheet/")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="approval-sheet"' in body
    assert "¥8,000.00（捌仟元整）" in body
    rows = HistoryEntry.objects.filter(process_kind="expense", process_id=request.pk)
    assert body.count("<tr data-action=") == rows.count()
    for who in ("何书记", "何委员甲", "何委员乙", "heping_committee2 同意"):
        assert who in body
    assert "sheet.css" in body and "<script" not in body
    assert client_for(users["gubu_secretary"]).get(f"/expenses/{request.pk}/sheet/").status_code == 404
    assert Client().get(f"/expenses/{request.pk}/sheet/").status_code == 302  # to the login


def test_the_flow_page_lists_the_steps_in_the_sites_layout_and_marks_a_requests_current_step(users, communities):
    client = client_for(users["heping_secretary"])
    page = client.get("/expenses/flow/").content.decode()
    assert 'data-testid="flow-steps"' in page and "社区党委书记" in page and "街道分管领导" in page
    assert 'src="/expenses/flow/chart/"' in page
    request = file(users, communities, amount="3000.00")
    page = client.get(f"/expenses/{request.pk}/flow/").content.decode()
    assert 'aria-current="step"' in page and 'data-step="community_secretary"' in page
    chart = client.get("/expenses/flow/chart/").content.decode()
    assert "社区党委书记" in chart and "Secretary" not in chart  # translated node titles
    assert client_for(users["resident_li"]).get("/expenses/flow/").status_code == 404
    assert client_for(users["gubu_secretary"]).get(f"/expenses/{request.pk}/flow/").status_code == 404


def test_after_a_withdrawal_no_step_of_the_route_is_waiting(users, communities):
    request = file(users, communities, amount="3000.00")
    client_for(users["heping_staff"]).post(f"/expenses/{request.pk}/act/",
                                           {"action": "withdraw", "comment": "不需要了", "confirmed": "1"})
    page = client_for(users["heping_staff"]).get(f"/expenses/{request.pk}/").content.decode()
    assert 'data-status="withdrawn"' in page and 'data-status="waiting"' not in page and "等待中" not in page
    assert "已撤回" in page


# --- the home page and the available balance -------------------------------------------------


def test_the_home_page_shows_open_tasks_what_i_filed_still_moving_and_the_books_balance(users, communities):
    request = file(users, communities, amount="3000.00")
    home = client_for(users["heping_secretary"]).get("/").content.decode()
    assert 'data-testid="home-tasks"' in home and f"/expenses/{request.pk}/" in home
    staff_home = client_for(users["heping_staff"]).get("/").content.decode()
    assert 'data-testid="home-moving"' in staff_home and f"/expenses/{request.pk}/" in staff_home
    assert 'data-testid="home-balances"' in staff_home and "和平社区" in staff_home
    resident_home = client_for(users["resident_li"]).get("/").content.decode()
    assert 'data-testid="home-balances"' not in resident_home


def test_approvers_see_the_available_balance_and_are_warned_not_stopped_beyond_it(users, communities):
    from tests.expenses_tests.helpers import leave_spendable

    leave_spendable(users, communities["heping"], "500.00")
    filing = client_for(users["heping_staff"]).get("/expenses/new/").content.decode()
    assert 'data-testid="filing-balances"' in filing and "¥500.00" in filing
    request = file(users, communities, amount="800.00")
    page = client_for(users["heping_secretary"]).get(f"/expenses/{request.pk}/").content.decode()
    assert 'data-testid="available-balance"' in page and 'data-testid="over-balance"' in page
    client_for(users["heping_secretary"]).post(f"/expenses/{request.pk}/act/", {
        "action": "approve", "task": task_of(request, users["heping_secretary"]).pk})
    assert ExpenseRequest.objects.get(pk=request.pk).state == ExpenseState.APPROVED  # warned, not blocked


# --- search ----------------------------------------------------------------------------------


def test_the_expense_list_searches_by_words_amount_state_and_dates_and_says_what_is_wrong(users, communities, api_for):
    from workflows.expenses import services as expenses

    heping, staff = communities["heping"], users["heping_staff"]
    ink = expenses.expense_create(actor=staff, community=heping, amount="12000.00", category="utilities",
                                  payee="鹤山市墨水厂", purpose="打印耗材")
    small = expenses.expense_create(actor=staff, community=heping, amount="300.00", category="utilities",
                                    payee="鹤山市墨水厂", purpose="墨盒")
    client = client_for(users["heping_secretary"])
    page = client.get("/expenses/", {"q": "墨水厂", "amount_min": "1000"}).content.decode()
    assert f"/expenses/{ink.pk}/" in page and f"/expenses/{small.pk}/" not in page
    page = client.get("/expenses/", {"q": str(small.pk)}).content.decode()
    assert f"/expenses/{small.pk}/" in page
    today = timezone.localdate()
    assert f"/expenses/{ink.pk}/" not in client.get("/expenses/", {"date_to": str(today - dt.timedelta(days=1))}).content.decode()
    bad = client.get("/expenses/", {"amount_min": "abc", "date_from": "2026-13-01"})
    assert bad.status_code == 400 and 'data-testid="search-error-amount_min"' in bad.content.decode()

    api = api_for(users["heping_secretary"])
    found = api.get("/api/expenses/", {"q": "墨水厂", "amount_max": "500"}).json()["results"]
    assert [r["id"] for r in found] == [small.pk]
    response = api.get("/api/expenses/", {"amount_min": "900", "amount_max": "100", "q": "x" * 101})
    assert response.status_code == 400 and {"amount_max", "q"} <= set(response.json())


def test_filed_by_me_and_done_by_me_are_searchable(users, communities):
    from workflows.expenses import services as expenses

    staff, secretary = users["heping_staff"], users["heping_secretary"]
    ink = expenses.expense_create(actor=staff, community=communities["heping"], amount="300.00", category="utilities",
                                  payee="鹤山市墨水厂", purpose="墨盒")
    paper = expenses.expense_create(actor=staff, community=communities["heping"], amount="200.00",
                                    category="utilities", payee="鹤山市纸业公司", purpose="复印纸")
    mine = client_for(staff).get("/tasks/mine/", {"q": "墨水"}).content.decode()
    assert f"/expenses/{ink.pk}/" in mine and f"/expenses/{paper.pk}/" not in mine
    client_for(secretary).post(f"/expenses/{paper.pk}/act/", {"action": "approve", "task": task_of(paper, secretary).pk})
    done = client_for(secretary).get("/tasks/done/", {"q": "纸业"}).content.decode()
    assert f"/expenses/{paper.pk}/" in done
    assert f"/expenses/{paper.pk}/" not in client_for(secretary).get("/tasks/done/", {"q": "墨水"}).content.decode()
    assert f"/expenses/{ink.pk}/" in client_for(staff).get("/tasks/mine/", {"status": "open"}).content.decode()
    assert f"/expenses/{paper.pk}/" not in client_for(staff).get("/tasks/mine/", {"status": "open"}).content.decode()
    assert client_for(staff).get("/tasks/mine/", {"date_from": "nope"}).status_code == 400


def test_the_brand_reads_once_and_the_site_has_an_icon(users):
    page = client_for(users["heping_staff"]).get("/").content.decode()
    assert page.count("共营</strong>") == 1 and "<small lang" not in page
    assert 'rel="icon"' in page and "favicon.svg" in page


# --- attachments at filing ---------------------------------------------------------------------


def test_invoices_and_photos_attached_at_filing_are_checked_by_content_and_shown_to_who_may_see_the_request(
        users, communities, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflows.expenses.models import ExpenseAttachment

    settings.MEDIA_ROOT = tmp_path
    staff = client_for(users["heping_staff"])
    core = {"community": communities["heping"].pk, "amount": "300.00", "category": "utilities",
            "payee": "鹤山市供电局", "purpose": "电费"}
    pdf = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 invoice", content_type="application/pdf")
    page = staff.post("/expenses/new/", {**core, "attachments": [
        SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")]})
    assert 'data-testid="attachments-error"' in page.content.decode()
    assert not ExpenseRequest.objects.filter(payee="鹤山市供电局", amount="300.00").exists()
    assert ExpenseAttachment.objects.count() == 0

    response = staff.post("/expenses/new/", {**core, "attachments": [pdf]})
    assert response.status_code == 302
    request = ExpenseRequest.objects.get(payee="鹤山市供电局", amount="300.00")
    attachment = ExpenseAttachment.objects.get(request=request)
    assert attachment.client_name == "发票.pdf" and attachment.file.name.endswith(".pdf")
    assert "发票" not in attachment.file.name  # stored under a generated name
    detail = client_for(users["heping_secretary"]).get(f"/expenses/{request.pk}/").content.decode()
    url = f"/expenses/{request.pk}/attachments/{attachment.pk}/"
    assert 'data-testid="attachments"' in detail and url in detail
    served = client_for(users["shaping_reviewer"]).get(url)
    assert served.status_code == 200 and served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content).startswith(b"%PDF")
    assert client_for(users["gubu_secretary"]).get(url).status_code == 404
    assert client_for(users["heping_staff"]).get(f"/expenses/{request.pk}/attachments/99999/").status_code == 404


def test_the_filing_page_marks_required_fields_and_an_empty_detail_table_shows_no_phantom_row(users, communities):
    page = client_for(users["heping_staff"]).get("/expenses/new/").content.decode()
    assert page.count('<span class="lowcode-required" aria-hidden="true"> *</span>') >= 4  # community, amount, ...
    assert 'id="route-hint" class="muted"' in page
    from forms import builder
    from workflows.expenses.models import ExpenseRequest as Request

    request = file(users, communities, amount="800.00")
    request = Request.objects.get(pk=request.pk)
    assert request.extra_form_id is not None  # the street's published expense.extra form, with its 采购明细 table
    sections = builder.display(builder.schema_of(request.extra_form), {**request.extra, "items": []})
    assert [i for s in sections for i in s["items"] if i.get("table")] == []  # "—", not a footer of zeros
    detail = client_for(users["heping_staff"]).get(f"/expenses/{request.pk}/").content.decode()
    assert "零元整" not in detail.split('data-testid="expense-extra"')[-1].split("</div>")[0]


def test_the_copy_to_list_offers_only_people_who_work_on_the_books_as_names_to_tick(users, communities, api_for):
    page = client_for(users["heping_staff"]).get("/expenses/new/").content.decode()
    import re

    offered = {int(v) for v in re.findall(r'type="checkbox" name="cc" value="(\d+)"', page)}
    assert {users["heping_committee1"].pk, users["shaping_reviewer"].pk} <= offered
    assert not {users[u].pk for u in ("resident_li", "admin", "partner_ruiteng", "heping_staff")} & offered
    response = api_for(users["heping_staff"]).post("/api/expenses/", {
        "community": communities["heping"].pk, "amount": "300.00", "category": "utilities", "payee": "x",
        "purpose": "y", "cc": [users["resident_li"].pk]}, format="json")
    assert response.status_code == 400 and "cc" in response.json()
