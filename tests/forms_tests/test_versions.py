"""Definitions and versions: lifecycle, history, and a published version that never changes —
through the service, the model, bulk updates, the API and the Django admin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from forms import builder, selectors, services
from forms.models import FormHistory, FormVersion, VersionImmutable
from forms.states import VersionState
from tests.forms_tests.helpers import field, schema_of

pytestmark = pytest.mark.django_db

V1 = schema_of(field("name", "text", "名称", required=True), field("amount", "money", "金额"))
V2 = schema_of(field("name", "text", "名称（新）", required=True), field("count", "integer", "数量"))


@pytest.fixture
def admin(users):
    return users["admin"]


@pytest.fixture
def published(admin, demo):
    definition = services.definition_create(
        actor=admin, code="test-form", name="测试表单", purpose="inquiry", owner=demo["street"], schema=V1
    )
    return services.version_publish(actor=admin, version=definition.versions.get())


def test_publishing_a_new_version_retires_the_old_one_and_leaves_history(admin, published):
    draft = services.version_draft_create(actor=admin, definition=published.definition)
    assert draft.number == 2 and draft.schema == published.schema
    services.version_draft_update(actor=admin, version=draft, schema=V2)
    services.version_publish(actor=admin, version=draft)
    published.refresh_from_db()
    assert published.state == VersionState.RETIRED
    assert FormVersion.objects.get(pk=draft.pk).state == VersionState.PUBLISHED
    actions = list(FormHistory.objects.filter(definition=published.definition).order_by("id").values_list("action", flat=True))
    assert actions == ["created", "published", "draft_created", "edited", "retired", "published"]


def test_editing_a_published_version_through_the_service_is_refused(admin, published):
    with pytest.raises(VersionImmutable):
        services.version_draft_update(actor=admin, version=published, schema=V2)
    published.refresh_from_db()
    assert published.schema["sections"][0]["rows"][0]["fields"][0]["label_zh"] == "名称"


def test_saving_a_published_version_through_the_model_is_refused(published):
    version = FormVersion.objects.get(pk=published.pk)
    version.schema = V2
    with pytest.raises(VersionImmutable):
        version.save()
    with pytest.raises(VersionImmutable):
        FormVersion.objects.filter(pk=published.pk).update(schema=V2)
    assert FormVersion.objects.get(pk=published.pk).schema != V2


def test_the_state_field_is_protected_from_direct_assignment(published):
    version = FormVersion.objects.get(pk=published.pk)
    with pytest.raises(AttributeError):
        version.state = VersionState.DRAFT


def test_editing_a_published_version_through_the_api_is_a_conflict(api_for, admin, published):
    response = api_for(admin).put(f"/api/forms/designer/versions/{published.pk}/", {"schema": V2}, format="json")
    assert response.status_code == 409
    assert "detail" in response.json()
    assert FormVersion.objects.get(pk=published.pk).schema == published.schema


def test_editing_a_published_version_through_the_admin_changes_nothing(admin, published):
    client = Client()
    client.force_login(admin)
    url = f"/admin/lowcode/formversion/{published.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="schema"' not in page.content.decode()  # read-only once published
    client.post(url, {"schema": '{"sections": []}', "note": "hacked"})
    version = FormVersion.objects.get(pk=published.pk)
    assert version.schema == published.schema and version.note == ""


def test_a_draft_can_be_edited_through_the_admin_via_the_service(admin, published):
    draft = services.version_draft_create(actor=admin, definition=published.definition)
    client = Client()
    client.force_login(admin)
    import json

    client.post(f"/admin/lowcode/formversion/{draft.pk}/change/", {"schema": json.dumps(V2), "note": "admin"})
    draft.refresh_from_db()
    assert draft.schema["sections"][0]["rows"][1]["fields"][0]["key"] == "count"
    assert FormHistory.objects.filter(version=draft, action="edited").exists()


def test_only_designers_may_write_definitions(users, published):
    with pytest.raises(PermissionDenied):
        services.version_draft_create(actor=users["heping_secretary"], definition=published.definition)
    with pytest.raises(PermissionDenied):
        services.definition_create(actor=users["shaping_leader"], code="x", name="x", purpose="inquiry")


def test_a_bad_schema_is_refused_and_nothing_is_written(admin, published):
    draft = services.version_draft_create(actor=admin, definition=published.definition)
    with pytest.raises(ValidationError) as info:
        services.version_draft_update(actor=admin, version=draft, schema=schema_of(field("x", "nope")))
    assert "unknown field kind" in str(info.value)
    draft.refresh_from_db()
    assert draft.schema == published.schema


def test_one_definition_per_street_and_purpose(admin, demo):
    with pytest.raises(ValidationError) as info:
        services.definition_create(actor=admin, code="another", name="x", purpose="expense.extra", owner=demo["street"])
    assert "purpose" in info.value.message_dict


def test_the_street_form_wins_over_the_global_one_for_a_purpose(admin, demo):
    street_version = selectors.published_version_for(purpose="expense.extra", street=demo["street"])
    assert street_version.definition.owner_id == demo["street"].pk
    assert selectors.published_version_for(purpose="inquiry", street=demo["street"]) is None
    glob = services.definition_create(actor=admin, code="global-inquiry", name="质询", purpose="inquiry", schema=V1)
    services.version_publish(actor=admin, version=glob.versions.get())
    # No street form of this purpose: the global one is found.
    assert selectors.published_version_for(purpose="inquiry", street=demo["street"]).definition == glob


def test_submissions_still_render_with_their_own_version_after_a_newer_one_is_published(admin, users, published):
    secretary = users["heping_secretary"]
    old = services.submission_create(actor=secretary, version=published, data={"name": "旧表", "amount": "8000"})
    draft = services.version_draft_create(actor=admin, definition=published.definition)
    services.version_draft_update(actor=admin, version=draft, schema=V2)
    services.version_publish(actor=admin, version=draft)

    old.refresh_from_db()
    assert old.version_id == published.pk
    shown = builder.display(builder.schema_of(old.version), old.data)
    assert [(i["label"], i["text"]) for i in shown[0]["items"]] == [("名称", "旧表"), ("金额", "¥8,000.00（捌仟元整）")]
    client = Client()
    client.force_login(secretary)
    page = client.get(f"/forms/submissions/{old.pk}/").content.decode()
    assert "捌仟元整" in page and "v1" in page


def test_a_retired_version_takes_no_submissions(admin, users, published):
    services.version_retire(actor=admin, version=published)
    with pytest.raises(VersionImmutable):
        services.submission_create(actor=users["heping_secretary"], version=FormVersion.objects.get(pk=published.pk),
                                   data={"name": "x"})


def test_two_versions_compare_by_fields_added_removed_and_changed(admin, published):
    draft = services.version_draft_create(actor=admin, definition=published.definition)
    services.version_draft_update(actor=admin, version=draft, schema=V2)
    result = selectors.versions_compare(user=admin, old_pk=published.pk, new_pk=draft.pk)
    assert [f["key"] for f in result["added"]] == ["count"]
    assert [f["key"] for f in result["removed"]] == ["amount"]
    assert result["changed"] == [{"key": "name", "label": "名称（新）", "changes": ["label_zh"]}]


def test_demo_forms_load_idempotently(demo):
    from fixtures.loader import load_demo
    from forms.models import FormDefinition

    before = list(FormVersion.objects.values_list("pk", "state"))
    load_demo("another-password")
    assert list(FormVersion.objects.values_list("pk", "state")) == before
    states = dict(FormDefinition.objects.values_list("purpose", "versions__state"))
    assert states == {"expense.extra": "published", "income.extra": "published", "partner.application": "draft",
                      "lease.request": "published"}
