"""A form's audience: the roles that may fill it, set per form by a designer (default: the
purpose's, so the internal extra forms stay with the people who work on the books). Outside the
audience the form is invisible: 404 on the page and the API, refused by the submission service."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from forms import selectors, services
from forms.models import FormDefinition, FormHistory, FormVersion
from project.navigation import items_for

SCHEMA = {"sections": [{"title_zh": "", "rows": [{"fields": [
    {"key": "topic", "label_zh": "主题", "label_en": "Topic", "kind": "text", "required": True}]}]}]}


@pytest.fixture
def survey(users, demo):
    """A published inquiry-purpose form of the street: by default anyone of the street may fill it."""
    definition = services.definition_create(actor=users["admin"], code="heping-survey", name="居民意见征集",
                                            purpose="inquiry", owner=demo["street"], schema=SCHEMA)
    services.version_publish(actor=users["admin"], version=definition.versions.get())
    return definition


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_by_default_an_internal_form_is_for_work_roles_and_another_for_everyone(users, survey):
    internal = FormDefinition.objects.get(code="shaping-income-extra")
    assert internal.audience == []  # nothing stored: the purpose's default applies

    resident, staff = client_for(users["resident_li"]), client_for(users["heping_staff"])
    assert resident.get("/forms/fill/shaping-income-extra/").status_code == 404
    assert staff.get("/forms/fill/shaping-income-extra/").status_code == 200
    assert resident.get("/forms/fill/heping-survey/").status_code == 200
    assert staff.get("/forms/fill/heping-survey/").status_code == 200


def test_a_designer_narrows_the_audience_and_outsiders_get_404_everywhere(users, api_for, survey):
    response = api_for(users["admin"]).patch("/api/forms/designer/definitions/heping-survey/",
                                             {"audience": ["community_staff", "community_secretary"]}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["audience"] == ["community_secretary", "community_staff"]
    version = FormVersion.objects.get(definition__code="heping-survey", state="published")

    resident = users["resident_li"]
    assert "heping-survey" not in client_for(resident).get("/forms/").content.decode()
    assert client_for(resident).get("/forms/fill/heping-survey/").status_code == 404
    assert client_for(resident).post("/forms/fill/heping-survey/", {"topic": "路灯"}).status_code == 404
    assert api_for(resident).get("/api/forms/heping-survey/").status_code == 404
    assert api_for(resident).post("/api/forms/heping-survey/validate/", {"topic": "路灯"}, format="json").status_code == 404
    assert "heping-survey" not in {d["code"] for d in api_for(resident).get("/api/forms/").json()}
    with pytest.raises(PermissionDenied):
        services.submission_create(actor=resident, version=version, data={"topic": "路灯"})
    # The committee is outside this audience too; the staff are inside.
    assert client_for(users["heping_committee1"]).get("/forms/fill/heping-survey/").status_code == 404
    staff = client_for(users["heping_staff"])
    assert staff.post("/forms/fill/heping-survey/", {"topic": "路灯"}).status_code == 302


def test_a_designer_may_open_an_internal_form_to_residents_and_reset_it_to_the_default(users):
    internal = FormDefinition.objects.get(code="shaping-income-extra")
    services.definition_audience_set(actor=users["admin"], definition=internal, audience=["resident"])
    assert selectors.fillable_definitions_for(users["resident_li"]).filter(code="shaping-income-extra").exists()
    # Exactly the roles chosen: the staff are no longer in it.
    assert not selectors.fillable_definitions_for(users["heping_staff"]).filter(code="shaping-income-extra").exists()

    services.definition_audience_set(actor=users["admin"], definition=internal, audience=[])
    assert not selectors.fillable_definitions_for(users["resident_li"]).filter(code="shaping-income-extra").exists()
    notes = list(FormHistory.objects.filter(definition=internal, action="audience_set").values_list("note", flat=True))
    assert notes == ["resident → -", "- → resident"]  # newest first: who changed what, both times


def test_unknown_roles_or_a_non_list_are_refused_with_field_messages(users, api_for, survey):
    api = api_for(users["admin"])
    unknown = api.patch("/api/forms/designer/definitions/heping-survey/", {"audience": ["mayor"]}, format="json")
    text = api.patch("/api/forms/designer/definitions/heping-survey/", {"audience": "resident"}, format="json")

    assert unknown.status_code == 400 and "audience" in unknown.json()
    assert text.status_code == 400 and "audience" in text.json()
    assert FormDefinition.objects.get(code="heping-survey").audience == []
    with pytest.raises(ValidationError):
        services.definition_create(actor=users["admin"], code="x-1", name="x", purpose="lease.request", audience=[1])


def test_only_designers_set_an_audience(users, api_for, survey):
    response = api_for(users["heping_secretary"]).patch("/api/forms/designer/definitions/heping-survey/",
                                                        {"audience": ["resident"]}, format="json")
    page = client_for(users["heping_secretary"]).post("/forms/designer/definitions/heping-survey/audience/",
                                                      {"audience": ["resident"]})

    assert response.status_code == 404 and page.status_code == 404
    with pytest.raises(PermissionDenied):
        services.definition_audience_set(actor=users["heping_secretary"], definition=survey, audience=["resident"])
    assert FormDefinition.objects.get(code="heping-survey").audience == []


def test_the_designer_page_shows_and_sets_the_audience_without_javascript(users, survey):
    admin = client_for(users["admin"])
    version = survey.versions.get()
    page = admin.get(f"/forms/designer/versions/{version.pk}/").content.decode()
    assert 'data-testid="audience-form"' in page and "所有可见此表单的人（默认）" in page
    assert 'name="audience" value="resident"' in page

    response = admin.post("/forms/designer/definitions/heping-survey/audience/",
                          {"audience": ["community_staff"], "version": version.pk})
    assert response.status_code == 302 and response.url == f"/forms/designer/versions/{version.pk}/"
    assert FormDefinition.objects.get(code="heping-survey").audience == ["community_staff"]
    page = admin.get(response.url).content.decode()
    assert 'value="community_staff" checked' in page
    index = admin.get("/forms/designer/").content.decode()
    assert 'data-audience="heping-survey">社区企业经办人<' in index
    assert 'data-audience="shaping-expense-extra">工作人员（默认）<' in index


def test_the_forms_menu_is_only_for_someone_with_a_form_to_fill(users, communities, survey):
    from workflows.org.models import RoleMembership, User

    newcomer = User.objects.create(username="new-resident", display_name="新居民")
    RoleMembership.objects.create(user=newcomer, role="resident", org_unit=communities["heping"])
    assert "forms" in {item["key"] for item in items_for(newcomer)}  # the survey of her street
    for definition in FormDefinition.objects.all():
        services.definition_audience_set(actor=users["admin"], definition=definition, audience=["community_staff"])
    newcomer = User.objects.get(pk=newcomer.pk)  # memberships are cached per user object
    assert "forms" not in {item["key"] for item in items_for(newcomer)}
    assert "forms" in {item["key"] for item in items_for(users["heping_staff"])}
