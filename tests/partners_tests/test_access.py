"""Who sees what: applicants their own, a community its own, the street all; not yours is 404;
anonymous users reach only the public API; sign-up; the purpose contract; bad fields are 400."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from forms import services as form_services
from forms.models import FormVersion
from workflows.partners.demo import APPLICATION_FORM
from workflows.partners.models import Partner

from .helpers import apply, open_call, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_applicants(django_user_model):
    return [django_user_model.objects.create_user(username=f"applicant{i}", password="x" * 12) for i in (1, 2)]


@pytest.fixture
def call(users, communities):
    return open_call(users, communities, on=dt.date.today())


def test_an_applicant_cannot_see_another_applicants_application(api_for, two_applicants, call):
    first, second = two_applicants
    body = apply(api_for(first), call, organisation())
    assert api_for(first).get(f"/api/partner-applications/{body['id']}/").status_code == 200
    assert api_for(second).get(f"/api/partner-applications/{body['id']}/").status_code == 404
    assert body["id"] not in [a["id"] for a in api_for(second).get("/api/partner-applications/").json()]
    assert api_for(second).post(f"/api/partner-applications/{body['id']}/withdraw/", {},
                                format="json").status_code == 404


def test_another_communitys_secretary_gets_404_and_the_street_sees_all(api_for, users, two_applicants, call):
    body = apply(api_for(two_applicants[0]), call, organisation())
    assert api_for(users["fenghuang_secretary"]).get(f"/api/partner-applications/{body['id']}/").status_code == 404
    assert body["id"] not in [a["id"] for a in
                              api_for(users["fenghuang_secretary"]).get("/api/partner-applications/").json()]
    for name in ("heping_secretary", "heping_committee1", "shaping_reviewer", "shaping_leader"):
        detail = api_for(users[name]).get(f"/api/partner-applications/{body['id']}/")
        assert detail.status_code == 200 and detail.json()["history"][0]["action"] == "submit"
    ruiteng = Partner.objects.get(user__username="partner_ruiteng")
    assert api_for(users["fenghuang_secretary"]).get(f"/api/partners/{ruiteng.pk}/").status_code == 404
    assert api_for(users["fenghuang_secretary"]).post(f"/api/partners/{ruiteng.pk}/suspend/", {"reason": "x"},
                                                      format="json").status_code == 404
    assert api_for(users["partner_ruiteng"]).get(f"/api/partners/{ruiteng.pk}/").status_code == 200
    assert len(api_for(users["heping_secretary"]).get("/api/partners/?community=heping").json()) == 17
    assert len(api_for(users["shaping_reviewer"]).get("/api/partners/").json()) == 29


def test_anonymous_users_reach_only_the_public_api(anon_api):
    for path in ("/api/public/calls/?community=heping", "/api/public/notices/?community=heping",
                 "/api/public/catalogue/?community=heping&target=old&paid=free"):
        assert anon_api.get(path).status_code == 200, path
    for path in ("/api/partner-applications/", "/api/partners/", "/api/partner-calls/", "/api/tasks/"):
        assert anon_api.get(path).status_code in (401, 403), path
    assert anon_api.post("/api/partner-applications/", {}, format="json").status_code in (401, 403)
    assert anon_api.get("/api/public/catalogue/?target=aliens").status_code == 400
    assert anon_api.get("/api/public/catalogue/?community=nowhere").status_code == 404
    catalogue = anon_api.get("/api/public/catalogue/?community=heping").json()
    assert len(catalogue) == 88 and all(set(s) >= {"name", "partner", "category", "paid", "price", "target"}
                                        for s in catalogue)
    notices = anon_api.get("/api/public/notices/?community=yanshan").json()
    text = str(notices)
    assert notices and "13800138000" not in text and "uscc" not in text and "identifier" not in text


def test_a_secretary_publishes_a_call_for_her_community_only(api_for, users):
    body = {"title": "和平招募", "body": "招募", "communities": ["heping"], "opens_on": "2026-01-01",
            "closes_on": "2026-02-01", "notice_working_days": 7}
    created = api_for(users["heping_secretary"]).post("/api/partner-calls/", body, format="json")
    assert created.status_code == 201 and created.json()["notice_working_days"] == 7
    assert api_for(users["fenghuang_secretary"]).post("/api/partner-calls/", body, format="json").status_code == 404
    several = {**body, "communities": ["heping", "fenghuang"]}
    assert api_for(users["heping_secretary"]).post("/api/partner-calls/", several, format="json").status_code == 404
    assert api_for(users["shaping_reviewer"]).post("/api/partner-calls/", several, format="json").status_code == 201
    bad = api_for(users["heping_secretary"]).post("/api/partner-calls/", {**body, "closes_on": "2025-01-01",
                                                                          "communities": ["atlantis"]}, format="json")
    assert bad.status_code == 400
    public = api_for(users["resident_li"]).get("/api/public/calls/?community=heping").json()
    assert any(c["title"] == "和平招募" for c in public)


def test_bad_application_fields_are_400_per_field_and_a_closed_call_is_409(api_for, users, communities,
                                                                          two_applicants, call):
    api = api_for(two_applicants[0])
    bad = api.post("/api/partner-applications/", {"call": call.pk, "data": {**organisation(),
                                                                              "uscc": "91440784MA00000071"}},
                   format="json")
    assert bad.status_code == 400 and "data.uscc" in bad.json()
    resident = {"applicant_type": "individual", "person_name": "李莉", "id_card": "440784198001010011",
                "mobile": "13800138000", "services": organisation()["services"]}
    bad = api.post("/api/partner-applications/", {"call": call.pk, "data": resident}, format="json")
    assert bad.status_code == 400 and "data.id_card" in bad.json()
    assert api.post("/api/partner-applications/", {"call": 10**30, "data": {}}, format="json").status_code == 400
    old = open_call(users, communities, on=dt.date(2020, 1, 1))
    assert api.post("/api/partner-applications/", {"call": old.pk, "data": organisation()},
                    format="json").status_code == 409


def test_sign_up_creates_an_account_without_roles_and_is_throttled(anon_api, client):
    body = {"username": "new_partner", "display_name": "王师傅", "mobile": "13912345678", "password": "Gongying-2026!"}
    created = anon_api.post("/api/auth/signup/", body, format="json")
    assert created.status_code == 201 and created.json()["username"] == "new_partner"
    from workflows.org.models import User

    user = User.objects.get(username="new_partner")
    assert user.check_password("Gongying-2026!") and not user.memberships.exists() and user.phone == "13912345678"
    again = anon_api.post("/api/auth/signup/", body, format="json")
    assert again.status_code == 400 and "username" in again.json()
    weak = anon_api.post("/api/auth/signup/", {**body, "username": "other", "password": "123", "mobile": "123"},
                         format="json")
    assert weak.status_code == 400 and {"password", "mobile"} <= set(weak.json())
    statuses = [anon_api.post("/api/auth/signup/", {**body, "username": f"u{i}"}, format="json").status_code
                for i in range(12)]
    assert statuses[-1] == 429


def test_a_partner_application_form_without_the_contract_keys_cannot_be_published(users, api_for):
    admin = users["admin"]
    schema = {"sections": [{"title_zh": "申请", "rows": [
        {"fields": [{"key": "applicant_type", "label_zh": "类型", "kind": "text"}]},
        {"fields": [{"key": "services", "label_zh": "服务", "kind": "table", "columns": [
            {"key": "name", "label_zh": "名称", "kind": "text"}]}]},
    ]}]}
    version = FormVersion.objects.get(definition__code="shaping-partner-application")
    form_services.version_draft_update(actor=admin, version=version, schema=schema)
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        form_services.version_publish(actor=admin, version=version)
    message = " ".join(caught.value.message_dict["schema"])
    for key in ("org_name", "uscc", "person_name", "id_card", "mobile", "services.category",
                "services.paid", "services.price", "services.target"):
        assert key in message, key
    # Present but of the wrong kind; present and right: not named.
    assert "applicant_type (must be of kind single_choice)" in message and "services.name" not in message
    # The designer's publish (its API) answers with the same message.
    with translation.override("en"):
        response = api_for(admin).post(f"/api/forms/designer/versions/{version.pk}/publish/")
    assert response.status_code == 400 and "services.target" in str(response.json())
    form_services.version_draft_update(actor=admin, version=version, schema=APPLICATION_FORM)
    assert form_services.version_publish(actor=admin, version=version).state == "published"
