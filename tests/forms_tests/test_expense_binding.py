"""The expense filing form = core fields + the street's published expense.extra form, and an
authority-table row's condition evaluated by forms.conditions.evaluate (route and preview)."""

import json

import pytest
from django.test import Client

from forms import services as form_services
from forms.models import FormVersion
from workflows.approvals.models import HistoryEntry
from workflows.expenses import services
from workflows.expenses.models import ExpenseRequest

pytestmark = pytest.mark.django_db

ENGINEERING = {"project_type": "engineering", "engineering_approval": "沙坪建〔2026〕12号"}
CORE = {"amount": "3000.00", "category": "daily_operations", "payee": "鹤山市沙坪建筑队", "purpose": "党群服务中心屋面防水维修"}


# Version 2 of the street's table: the demo tiers, with engineering works (项目类型 = 工程类 on the
# expense.extra form) up to ¥5,000 also going to the street reviewer. The conditional row comes
# first: the first matching row decides.
ENGINEERING_ROW = {"amount_above": "0", "amount_upto": "5000",
                   "condition": {"field": "project_type", "op": "eq", "value": "engineering"},
                   "steps": ["community_secretary", "community_committee", "street_reviewer"]}


def conditional_policy(street, admin):
    from workflows.expenses.demo import DEMO_POLICY_V1

    return services.policy_create_version(actor=admin, street=street, effective_from="2026-01-01",
                                          rows=[ENGINEERING_ROW, *DEMO_POLICY_V1], note="工程类加街道审核")


@pytest.fixture(autouse=True)
def _engineering_row(demo):
    conditional_policy(demo["street"], demo["users"]["admin"])


def file(users, communities, extra=None, amount="3000.00"):
    return services.expense_create(
        actor=users["heping_staff"], community=communities["heping"], amount=amount, category="daily_operations",
        payee=CORE["payee"], purpose=CORE["purpose"], extra=extra,
    )


def test_the_route_changes_with_a_conditional_authority_row(users, communities):
    plain = file(users, communities, extra={"project_type": "goods"})
    assert plain.steps == ["community_secretary", "community_committee"]
    works = file(users, communities, extra=ENGINEERING)
    assert works.steps == ["community_secretary", "community_committee", "street_reviewer"]
    # Above the conditional row's range the plain tiers apply to engineering works too.
    big = file(users, communities, extra=ENGINEERING, amount="8000.00")
    assert big.steps == ["community_secretary", "community_committee", "street_reviewer"]
    assert file(users, communities, extra={}, amount="800.00").steps == ["community_secretary"]


def test_a_condition_reads_the_validated_data_not_what_was_sent(users, communities):
    # project_type is validated first: a value outside the choices is refused, never routed.
    with pytest.raises(Exception) as info:
        file(users, communities, extra={"project_type": "ENGINEERING"})
    assert "extra.project_type" in info.value.message_dict


def test_the_route_preview_accounts_for_the_condition(users, communities, api_for):
    api = api_for(users["heping_staff"])
    base = {"community": communities["heping"].pk, "amount": "3000", "category": "daily_operations"}
    plain = api.get("/api/expenses/route-preview/", base).json()
    works = api.get("/api/expenses/route-preview/", {**base, "extra": json.dumps({"project_type": "engineering"})}).json()
    assert [s["step"] for s in plain["steps"]] == ["community_secretary", "community_committee"]
    assert [s["step"] for s in works["steps"]] == ["community_secretary", "community_committee", "street_reviewer"]
    garbage = api.get("/api/expenses/route-preview/", {**base, "extra": "[not json"})
    assert garbage.status_code == 200 and len(garbage.json()["steps"]) == 2


def test_filing_through_the_api_validates_and_stores_the_extra_fields(users, communities, api_for):
    api = api_for(users["heping_staff"])
    body = {**CORE, "community": communities["heping"].pk, "extra": {"project_type": "engineering"}}
    refused = api.post("/api/expenses/", body, format="json")
    assert refused.status_code == 400 and "extra.engineering_approval" in refused.json()
    assert not ExpenseRequest.objects.filter(payee=CORE["payee"]).exists()
    body["extra"] = {**ENGINEERING, "items": [{"name": "防水卷材", "quantity": 30, "unit_price": "85.00"}], "stray": 1}
    assert "extra.stray" in api.post("/api/expenses/", body, format="json").json()
    del body["extra"]["stray"]
    created = api.post("/api/expenses/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["extra"]["items_total"] == "2550.00" and data["extra_form"] == {"code": "shaping-expense-extra", "version": 1}
    assert [s["step"] for s in data["route"]][-1] == "street_reviewer"
    request = ExpenseRequest.objects.get(pk=data["id"])
    assert set(HistoryEntry.objects.filter(process_kind="expense", process_id=request.pk).values_list("form_version", flat=True)) == {1}


def test_a_request_keeps_rendering_with_its_form_version_after_a_new_one_is_published(users, communities):
    request = file(users, communities, extra={**ENGINEERING, "invoice_no": "INV-20260001"})
    admin = users["admin"]
    v1 = FormVersion.objects.get(definition__code="shaping-expense-extra", number=1)
    draft = form_services.version_draft_create(actor=admin, definition=v1.definition)
    schema = draft.schema
    schema["sections"][0]["rows"][0]["fields"][0]["label_zh"] = "增值税发票号码"
    form_services.version_draft_update(actor=admin, version=draft, schema=schema)
    form_services.version_publish(actor=admin, version=draft)

    client = Client()
    client.force_login(users["heping_secretary"])
    page = client.get(f"/expenses/{request.pk}/").content.decode()
    assert 'data-testid="expense-extra"' in page and "发票号" in page and "增值税发票号码" not in page
    assert "工程类" in page and "沙坪建〔2026〕12号" in page
    assert file(users, communities, extra={"project_type": "goods"}).extra_form.number == 2


def test_the_filing_page_embeds_the_extra_form_and_shows_its_errors_inline(users, communities):
    client = Client()
    client.force_login(users["heping_staff"])
    page = client.get("/expenses/new/").content.decode()
    assert 'data-testid="expense-extra"' in page and 'name="extra-project_type"' in page and 'id="extra-logic"' in page
    post = {"community": communities["heping"].pk, **CORE, "extra-project_type": "engineering", "extra-items-rows": "0"}
    page = client.post("/expenses/new/", post)
    assert page.status_code == 200 and 'data-error-for="engineering_approval"' in page.content.decode()
    post["extra-engineering_approval"] = "沙坪建〔2026〕12号"
    done = client.post("/expenses/new/", post)
    assert done.status_code == 302
    request = ExpenseRequest.objects.get(payee=CORE["payee"])
    assert request.extra["engineering_approval"] == "沙坪建〔2026〕12号"
    assert request.steps[-1] == "street_reviewer"


def test_the_demo_party_request_carries_its_items(demo):
    request = ExpenseRequest.objects.get(purpose="七一党群活动宣传物料")
    assert request.extra["items_total"] == "3000.00" and request.extra_form.definition.purpose == "expense.extra"


def test_a_returned_request_resubmitted_with_new_extra_fields_takes_the_new_route(users, communities, api_for):
    from tests.expenses_tests.helpers import act

    request = file(users, communities, extra={"project_type": "goods"})
    assert request.steps == ["community_secretary", "community_committee"]
    act(request, users["heping_secretary"], "return", comment="这是工程维修，请改项目类型")
    api = api_for(users["heping_staff"])
    refused = api.post(f"/api/expenses/{request.pk}/resubmit/", {"extra": {"project_type": "engineering"}}, format="json")
    assert refused.status_code == 400 and "extra.engineering_approval" in refused.json()
    done = api.post(f"/api/expenses/{request.pk}/resubmit/", {"extra": ENGINEERING, "comment": "已更正"}, format="json")
    assert done.status_code == 200, done.json()
    request.refresh_from_db()
    assert request.steps == ["community_secretary", "community_committee", "street_reviewer"]
    assert request.extra["engineering_approval"] == ENGINEERING["engineering_approval"]
    assert request.extra_form.number == 1
