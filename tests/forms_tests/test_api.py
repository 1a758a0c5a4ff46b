"""The forms API: fill endpoints scoped to the user, designer endpoints for admins only."""

import pytest

from forms.models import FormDefinition, FormVersion
from tests.forms_tests.helpers import field, schema_of

pytestmark = pytest.mark.django_db

GOOD = {
    "invoice_no": "INV-20260001",
    "project_type": "engineering",
    "engineering_approval": "沙坪建〔2026〕3号",
    "items": [{"name": "水泥", "quantity": 10, "unit_price": "35.50"}, {"name": "砂", "quantity": 2, "unit_price": "100"}],
}


def test_a_secretary_lists_the_published_forms_of_her_street(api_for, users):
    response = api_for(users["heping_secretary"]).get("/api/forms/")
    assert response.status_code == 200
    # partner-application: the partner demo's form for every street (the street's own is a draft);
    # shaping-lease-request: the lease demo's request form of the street.
    assert {f["code"] for f in response.json()} == {"shaping-expense-extra", "shaping-income-extra",
                                                    "partner-application", "shaping-lease-request"}


def test_the_current_schema_comes_with_its_client_logic(api_for, users):
    body = api_for(users["heping_staff"]).get("/api/forms/shaping-expense-extra/").json()
    assert body["state"] == "published" and body["number"] == 1
    assert body["logic"]["fields"]["engineering_approval"]["show_if"] == {"field": "project_type", "op": "eq", "value": "engineering"}
    assert {"key": "items_total", "tree": ["sum", "items", "amount"], "places": 2} in body["logic"]["computed"]


def test_a_draft_form_is_not_fillable(api_for, users):
    assert api_for(users["heping_secretary"]).get("/api/forms/shaping-partner-application/").status_code == 404


def test_validate_returns_cleaned_data_with_server_computed_values(api_for, users):
    response = api_for(users["heping_secretary"]).post("/api/forms/shaping-expense-extra/validate/", GOOD, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["items_total"] == "555.00" and data["items"][0]["amount"] == "355.00"


def test_validate_returns_per_field_errors(api_for, users):
    bad = {**GOOD, "invoice_no": "x", "engineering_approval": "", "items": [{"name": "水泥", "quantity": 0, "unit_price": "1"}]}
    response = api_for(users["heping_secretary"]).post("/api/forms/shaping-expense-extra/validate/", bad, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"invoice_no", "engineering_approval", "items"}


@pytest.mark.parametrize(
    "payload",
    [
        {"nope": 1},
        {"items": "not a list", "invoice_no": "INV-20260001", "project_type": "goods"},
        {"items": [1, 2, 3], "invoice_no": "INV-20260001", "project_type": "goods"},
        {"project_type": ["engineering"], "invoice_no": {"a": 1}},
        {"items": [{"name": "x", "quantity": 1, "unit_price": "1"}] * 60, "invoice_no": "INV-20260001", "project_type": "goods"},
    ],
)
def test_hostile_data_is_refused_with_a_400_never_a_500(api_for, users, payload):
    response = api_for(users["heping_secretary"]).post("/api/forms/shaping-expense-extra/validate/", payload, format="json")
    assert response.status_code == 400
    assert response.json()


def test_a_json_list_body_is_refused(api_for, users):
    response = api_for(users["heping_secretary"]).post("/api/forms/shaping-expense-extra/validate/", [1], format="json")
    assert response.status_code == 400


def test_designer_endpoints_are_invisible_to_non_admins(api_for, users):
    client = api_for(users["shaping_leader"])
    version = FormVersion.objects.filter(definition__code="shaping-partner-application").get()
    assert client.get("/api/forms/designer/definitions/").status_code == 404
    assert client.get(f"/api/forms/designer/versions/{version.pk}/").status_code == 404
    assert client.put(f"/api/forms/designer/versions/{version.pk}/", {"schema": {}}, format="json").status_code == 404
    assert client.post(f"/api/forms/designer/versions/{version.pk}/publish/").status_code == 404
    assert client.post("/api/forms/designer/definitions/", {"code": "x", "name": "x", "purpose": "inquiry"}, format="json").status_code == 404


def test_an_admin_creates_edits_publishes_and_retires_through_the_api(api_for, users):
    client = api_for(users["admin"])
    created = client.post(
        "/api/forms/designer/definitions/",
        {"code": "inquiry-form", "name": "质询表", "purpose": "inquiry", "schema": schema_of(field("q", "textarea", "问题"))},
        format="json",
    )
    assert created.status_code == 201, created.json()
    version_id = created.json()["versions"][0]["id"]
    bad = client.put(f"/api/forms/designer/versions/{version_id}/", {"schema": schema_of(field("q", "textarea", "问题", colour=1))}, format="json")
    assert bad.status_code == 400 and "sections.0.rows.0.fields.0.colour" in bad.json()
    ok = client.put(
        f"/api/forms/designer/versions/{version_id}/",
        {"schema": schema_of(field("q", "textarea", "问题", required=True), field("when", "date", "日期"))},
        format="json",
    )
    assert ok.status_code == 200
    assert client.post(f"/api/forms/designer/versions/{version_id}/publish/").json()["state"] == "published"
    assert client.post(f"/api/forms/designer/versions/{version_id}/publish/").status_code == 409
    assert client.put(f"/api/forms/designer/versions/{version_id}/", {"schema": schema_of(field("q", "text"))}, format="json").status_code == 409
    draft = client.post("/api/forms/designer/definitions/inquiry-form/drafts/")
    assert draft.status_code == 201 and draft.json()["number"] == 2
    compared = client.get(f"/api/forms/designer/compare/?old={version_id}&new={draft.json()['id']}").json()
    assert compared["added"] == [] and compared["changed"] == []
    assert client.post(f"/api/forms/designer/versions/{version_id}/retire/").json()["state"] == "retired"
    assert FormDefinition.objects.get(code="inquiry-form").history.count() == 5


def test_the_preview_endpoint_renders_escaped_html_and_reports_schema_errors(api_for, users):
    client = api_for(users["admin"])
    ok = client.post("/api/forms/designer/preview/", {"schema": schema_of(field("a", "text", "<img src=x onerror=alert(1)>"))}, format="json")
    assert ok.status_code == 200
    assert "<img" not in ok.json()["html"] and "&lt;img src=x onerror=alert(1)&gt;" in ok.json()["html"]
    bad = client.post("/api/forms/designer/preview/", {"schema": schema_of(field("a", "computed", expression="a.b"))}, format="json")
    assert bad.status_code == 400 and "attribute access" in str(bad.json())


def test_anonymous_callers_get_nothing(anon_api):
    assert anon_api.get("/api/forms/").status_code in (401, 403)


def test_validate_also_takes_a_multipart_post_with_an_attachment_and_writes_no_file(api_for, users, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    voucher = SimpleUploadedFile("凭证.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = api_for(users["heping_staff"]).post(
        "/api/forms/shaping-income-extra/validate/",
        {"receipt_no": "R-1", "payer_type": "government", "purchase_contract": "GM-2026-01", "voucher": voucher},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["voucher"]["name"] == "凭证.pdf"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # validation stores nothing
    missing = api_for(users["heping_staff"]).post(
        "/api/forms/shaping-income-extra/validate/", {"receipt_no": "R-1", "payer_type": "government"}, format="multipart"
    )
    assert missing.status_code == 400 and set(missing.json()) == {"purchase_contract"}


def test_a_form_embedded_with_a_prefix_validates_from_the_host_pages_post(users):
    from django.http import QueryDict

    from forms import selectors, services

    version = selectors.published_version_for(purpose="expense.extra", street=users["admin"].memberships.first().org_unit)
    post = QueryDict(mutable=True)
    post.update({"amount": "100", "extra-invoice_no": "INV-20260001", "extra-project_type": "goods", "extra-items-rows": "1",
                 "extra-items-0-name": "纸", "extra-items-0-quantity": "2", "extra-items-0-unit_price": "3"})
    cleaned = services.submission_validate(version=version, data=post, user=users["heping_staff"], prefix="extra")
    assert cleaned["items_total"] == "6.00" and cleaned["invoice_no"] == "INV-20260001"


def test_a_non_admin_creating_a_definition_with_a_bad_body_gets_a_404_not_the_field_errors(api_for, users):
    response = api_for(users["shaping_leader"]).post("/api/forms/designer/definitions/", {}, format="json")
    assert response.status_code == 404
    assert "code" not in response.json()


def test_the_designer_list_costs_the_same_queries_however_many_definitions_there_are(api_for, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forms import services

    client = api_for(users["admin"])
    with CaptureQueriesContext(connection) as before:
        client.get("/api/forms/designer/definitions/")
    for n, purpose in enumerate(["inquiry", "income.extra", "lease.request"]):
        services.definition_create(actor=users["admin"], code=f"extra-{n}", name=f"额外{n}", purpose=purpose)
    with CaptureQueriesContext(connection) as after:
        listed = client.get("/api/forms/designer/definitions/").json()
    assert {"extra-0", "extra-1", "extra-2"} <= {d["code"] for d in listed}
    assert len(after.captured_queries) == len(before.captured_queries)


def test_a_submission_that_fails_after_its_attachment_is_stored_leaves_no_file(users, settings, tmp_path, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from forms import services
    from forms.models import FormSubmission

    settings.MEDIA_ROOT = tmp_path
    version = FormVersion.objects.get(definition__code="shaping-income-extra", state="published")
    data = {"receipt_no": "R-1", "payer_type": "government", "purchase_contract": "GM-2026-01"}
    files = {"voucher": SimpleUploadedFile("凭证.pdf", b"%PDF-1.4", content_type="application/pdf")}
    before = FormSubmission.objects.count()

    def fail(**kwargs):  # the history row, written after the submission inside its transaction
        raise RuntimeError("the history row could not be written")

    monkeypatch.setattr(services, "_history", fail)
    with pytest.raises(RuntimeError):
        services.submission_create(actor=users["heping_staff"], version=version, data=data, files=files)
    assert FormSubmission.objects.count() == before
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []

    monkeypatch.undo()
    files["voucher"].seek(0)
    submission = services.submission_create(actor=users["heping_staff"], version=version, data=data, files=files)
    assert (tmp_path / submission.data["voucher"]["path"]).read_bytes() == b"%PDF-1.4"
