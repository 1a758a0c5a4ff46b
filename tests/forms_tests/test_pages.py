"""Fill, submission and designer pages: Chinese by default, escaped labels, inline errors."""

import pytest
from django.test import Client

from forms import services
from forms.models import FormSubmission, FormVersion
from tests.forms_tests.helpers import field, schema_of

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_fill_page_renders_the_published_form_in_chinese(users):
    page = client_for(users["heping_secretary"]).get("/forms/fill/shaping-expense-extra/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "发票号" in html and "工程类" in html and 'data-table="items"' in html
    assert 'id="form-logic"' in html and "lowcode/logic.js" in html
    # Hidden by its condition before any script runs.
    assert 'data-field="engineering_approval" data-kind="text" hidden' in html


def test_a_post_with_errors_shows_them_inline_and_keeps_the_conditional_field_visible(users):
    client = client_for(users["heping_secretary"])
    page = client.post("/forms/fill/shaping-expense-extra/", {"invoice_no": "INV-20260001", "project_type": "engineering", "items-rows": "0"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-error-for="engineering_approval"' in html
    assert 'data-field="engineering_approval" data-kind="text" hidden' not in html
    assert not FormSubmission.objects.exists()


def test_a_valid_post_stores_a_submission_with_server_computed_values(users):
    client = client_for(users["heping_secretary"])
    page = client.post(
        "/forms/fill/shaping-expense-extra/",
        {
            "invoice_no": "INV-20260001", "project_type": "goods", "engineering_approval": "ignored",
            "items-rows": "2", "items-0-name": "水泥", "items-0-quantity": "10", "items-0-unit_price": "35.5",
            "items-0-amount": "1", "items-1-name": "", "items-1-quantity": "", "items-1-unit_price": "",
            "items_total": "99999",
        },
    )
    submission = FormSubmission.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/forms/submissions/{submission.pk}/"
    assert submission.data["items_total"] == "355.00" and "engineering_approval" not in submission.data
    assert submission.org_unit.code == "heping"
    shown = client.get(page["Location"]).content.decode()
    assert '<dd data-value-for="items_total">355.00</dd>' in shown and "¥35.50（叁拾伍元伍角）" in shown


def test_html_in_labels_help_and_choices_is_escaped_when_rendered(users, demo):
    admin = users["admin"]
    evil = "<script>alert('x')</script>"
    schema = schema_of(
        field("a", "text", evil, help_zh=evil),
        field("b", "single_choice", "选择", validators={"choices": [{"value": "v", "label_zh": evil}]}),
        field("c", "static", evil, help_zh=evil),
        title=evil,
    )
    definition = services.definition_create(actor=admin, code="evil", name=evil, purpose="inquiry", schema=schema)
    version = services.version_publish(actor=admin, version=definition.versions.get())
    client = client_for(users["heping_secretary"])
    html = client.get("/forms/fill/evil/").content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    submission = services.submission_create(actor=users["heping_secretary"], version=version, data={"a": evil, "b": "v"})
    shown = client.get(f"/forms/submissions/{submission.pk}/").content.decode()
    assert "<script>alert" not in shown
    designer = client_for(admin).get(f"/forms/designer/versions/{version.pk}/").content.decode()
    assert "<script>alert" not in designer


def test_someone_elses_submission_is_a_404(users, demo):
    version = FormVersion.objects.get(definition__code="shaping-income-extra")
    submission = services.submission_create(
        actor=users["heping_staff"], version=version, data={"receipt_no": "R1", "payer_type": "other"},
        org_unit=demo["communities"]["heping"],
    )
    assert client_for(users["heping_secretary"]).get(f"/forms/submissions/{submission.pk}/").status_code == 200
    assert client_for(users["fenghuang_secretary"]).get(f"/forms/submissions/{submission.pk}/").status_code == 404


def test_designer_pages_are_for_admins_only(users):
    version = FormVersion.objects.get(definition__code="shaping-partner-application")
    admin = client_for(users["admin"])
    assert admin.get("/forms/designer/").status_code == 200
    page = admin.get(f"/forms/designer/versions/{version.pk}/")
    assert page.status_code == 200 and "sortablejs/Sortable.min.js" in page.content.decode()
    leader = client_for(users["shaping_leader"])
    assert leader.get("/forms/designer/").status_code == 404
    assert leader.get(f"/forms/designer/versions/{version.pk}/").status_code == 404


def test_an_admin_creates_a_form_from_the_designer_index(users):
    admin = client_for(users["admin"])
    page = admin.post("/forms/designer/", {"code": "lease-req", "name": "场地租赁申请", "purpose": "lease.request", "owner": ""})
    version = FormVersion.objects.get(definition__code="lease-req")
    assert page.status_code == 302 and page["Location"] == f"/forms/designer/versions/{version.pk}/"
    again = admin.post("/forms/designer/", {"code": "lease-req", "name": "x", "purpose": "inquiry", "owner": ""})
    html = again.content.decode()
    # The message beside the code field, as every form of the site shows its errors.
    assert again.status_code == 200 and 'class="field-error" role="alert">该编码的表单已存在。<' in html


def test_the_compare_page_lists_changes(users):
    admin = users["admin"]
    v1 = FormVersion.objects.get(definition__code="shaping-income-extra")
    draft = services.version_draft_create(actor=admin, definition=v1.definition)
    schema = draft.schema
    schema["sections"][0]["rows"].append({"fields": [field("memo", "textarea", "备注")]})
    services.version_draft_update(actor=admin, version=draft, schema=schema)
    html = client_for(admin).get(f"/forms/designer/compare/?old={v1.pk}&new={draft.pk}").content.decode()
    assert "备注" in html and "memo" in html
    assert client_for(admin).get("/forms/designer/compare/?old=abc&new=1").status_code == 404


def test_an_english_page_shows_the_designers_english_labels_and_no_capitals(users, communities):
    from django.utils import translation

    from forms import builder
    from forms.kinds import money_text
    from workflows.expenses import services as expenses

    request = expenses.expense_create(
        actor=users["heping_staff"], community=communities["heping"], amount="300.00", category="utilities",
        payee="鹤山市供电局", purpose="电费",
        extra={"invoice_no": "FP-20261201", "items": [{"name": "纸", "quantity": 2, "unit_price": "8.00"}]})
    with translation.override("en"):
        sections = builder.display(builder.schema_of(request.extra_form), request.extra)
        labels = [item["label"] for s in sections for item in s["items"]]
        assert "Invoice number" in labels and "发票号" not in labels
        assert money_text("8000") == "¥8,000.00"
    with translation.override("zh-hans"):
        assert money_text("8000") == "¥8,000.00（捌仟元整）"
        sections = builder.display(builder.schema_of(request.extra_form), request.extra)
        assert "发票号" in [item["label"] for s in sections for item in s["items"]]


def test_residents_may_not_fill_the_internal_forms(users):
    from django.test import Client

    resident = Client()
    resident.force_login(users["resident_li"])
    assert "shaping-expense-extra" not in resident.get("/forms/").content.decode()
    assert resident.get("/forms/fill/shaping-expense-extra/").status_code == 404
    staff = Client()
    staff.force_login(users["heping_staff"])
    assert staff.get("/forms/fill/shaping-expense-extra/").status_code == 200


def _input(html: str, name: str) -> str:
    import re

    found = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html)
    assert found, name
    return found.group(0)


def test_required_inputs_carry_the_browsers_required_attribute_only_while_shown(users):
    client = client_for(users["heping_staff"])
    html = client.get("/forms/fill/shaping-income-extra/").content.decode()

    for name in ("receipt_no", "payer_type"):
        tag = _input(html, name)
        assert " required" in tag and 'aria-required="true"' in tag
    # Hidden by its show_if until a government payer is chosen: not required yet (the browser
    # would refuse a form with a hidden required input); optional fields never are.
    assert " required" not in _input(html, "purchase_contract")
    assert " required" not in _input(html, "voucher")

    # Posted incomplete, as only a script or an old browser would: the server's inline messages.
    response = client.post("/forms/fill/shaping-income-extra/", {"payer_type": "government"})
    html = response.content.decode()
    assert 'data-error-for="receipt_no"' in html and 'data-error-for="purchase_contract"' in html
    assert " required" in _input(html, "purchase_contract")  # shown now, so required


def test_a_checkbox_group_or_a_detail_table_is_marked_but_not_required_in_the_browser(users):
    html = client_for(users["heping_staff"]).get("/forms/fill/shaping-expense-extra/").content.decode()
    assert " required" not in _input(html, "items-rows")
    assert " required" not in _input(html, "items_total")
