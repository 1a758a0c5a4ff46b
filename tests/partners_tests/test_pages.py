"""The partner pages: the public ones without login or JavaScript and without personal data; the
signed-in ones scoped like the API."""

import pytest
from django.test import Client

from workflows.partners.models import Application, Objection, Partner
from workflows.partners.states import ApplicationState

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_public_catalogue_filters_by_target_paid_and_category_without_login(client):
    page = client.get("/public/heping/partners/")
    text = page.content.decode()
    assert page.status_code == 200 and "88" in text and "叉车司机培训" in text and "每月义剪" in text
    free_old = client.get("/public/heping/partners/?target=old&paid=free").content.decode()
    assert "每月义剪" in free_old and "叉车司机培训" not in free_old
    assert "宠物美容" in client.get("/public/heping/partners/?category=pets").content.decode()
    # A bad filter shows everything rather than an error.
    assert client.get("/public/heping/partners/?target=<script>").status_code == 200
    assert client.get("/public/nowhere/partners/").status_code == 404
    assert "<script src" not in text or "logic.js" not in text


def test_public_notices_show_days_left_the_objection_link_and_no_personal_data(client):
    application = Application.objects.get(state=ApplicationState.NOTICE)
    code = application.community.code
    board = client.get(f"/public/{code}/notices/").content.decode()
    assert application.public_name in board and "#object" in board
    page = client.get(f"/public/{code}/notices/{application.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "login-to-object" in text
    objection = Objection.objects.get(application=application)
    assert objection.reason in text and objection.objector.display_name not in text
    assert application.identifier not in text and application.mobile not in text
    assert client.get(f"/public/heping/notices/{application.pk}/").status_code == 404  # another community
    reviewing = Application.objects.get(state=ApplicationState.REVIEWING)
    assert client.get(f"/public/{code}/notices/{reviewing.pk}/").status_code == 404
    # An anonymous objection goes to the login page.
    response = client.post(f"/public/{code}/notices/{application.pk}/", {"reason": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_poster_is_an_a4_page_with_an_inline_svg_qr_code(client):
    application = Application.objects.get(state=ApplicationState.NOTICE)
    page = client.get(f"/public/yanshan/notices/{application.pk}/poster/")
    text = page.content.decode()
    assert page.status_code == 200 and "size: A4" in text and "<svg" in text
    assert f"/public/yanshan/notices/{application.pk}/" in text


def test_a_resident_objects_on_the_public_page_and_the_secretary_answers_on_hers(users):
    application = Application.objects.get(state=ApplicationState.NOTICE)
    resident = client_for(users["resident_li"])
    bad = resident.post(f"/public/yanshan/notices/{application.pk}/", {"reason": ""})
    assert bad.status_code == 400
    response = resident.post(f"/public/yanshan/notices/{application.pk}/", {"reason": "服务价格不明确"})
    assert response.status_code == 302
    assert Objection.objects.filter(application=application, state="open").count() == 2
    secretary = client_for(users["yanshan_secretary"])
    detail = secretary.get(f"/partners/applications/{application.pk}/").content.decode()
    assert detail.count('data-testid="task-objection"') == 2
    task = Objection.objects.filter(application=application, state="open").order_by("-id").first().task_id
    done = secretary.post(f"/partners/applications/{application.pk}/act/",
                          {"task": task, "action": "dismiss", "reply": "价格已公示"})
    assert done.status_code == 302
    assert Objection.objects.get(task_id=task).state == "dismissed"


def test_signed_in_pages_are_scoped(users, client):
    application = Application.objects.get(state=ApplicationState.REVIEWING)
    assert client_for(users["yanshan_secretary"]).get(f"/partners/applications/{application.pk}/").status_code == 200
    assert client_for(users["heping_secretary"]).get(f"/partners/applications/{application.pk}/").status_code == 404
    assert client_for(users["resident_li"]).get(f"/partners/applications/{application.pk}/").status_code == 404
    assert client.get(f"/partners/applications/{application.pk}/").status_code == 302  # to the login page
    partner = Partner.objects.get(user__username="partner_yinjie")
    assert client_for(users["partner_yinjie"]).get(f"/partners/{partner.pk}/").status_code == 200
    assert client_for(users["fenghuang_secretary"]).get(f"/partners/{partner.pk}/").status_code == 404


def test_the_secretary_approves_on_the_page_and_the_applicant_sees_the_state(users):
    application = Application.objects.get(state=ApplicationState.REVIEWING)
    secretary = client_for(users["yanshan_secretary"])
    page = secretary.get(f"/partners/applications/{application.pk}/").content.decode()
    assert 'data-testid="task-community_review"' in page
    from tests.partners_tests.helpers import task_of

    task = task_of(application.pk, users["yanshan_secretary"])
    assert secretary.post(f"/partners/applications/{application.pk}/act/",
                          {"task": task, "action": "approve", "comment": "同意"}).status_code == 302
    applicant = client_for(application.submitter)
    assert "yanshan_committee" not in applicant.get(f"/partners/applications/{application.pk}/").content.decode()
    assert applicant.get("/partners/applications/").status_code == 200


def test_a_new_applicant_signs_up_on_the_page_and_applies(client, communities):
    page = client.get("/partners/signup/")
    assert page.status_code == 200
    response = client.post("/partners/signup/", {"username": "wang_shifu", "display_name": "王师傅",
                                                 "mobile": "13912345678", "password": "Gongying-2026!"})
    assert response.status_code == 302
    listing = client.get("/partners/applications/").content.decode()
    assert "和平社区2026年下半年社区合伙人招募" in listing
    from workflows.partners.models import Call

    call = Call.objects.get(title="和平社区2026年下半年社区合伙人招募")
    form = client.get(f"/partners/calls/{call.pk}/apply/")
    assert form.status_code == 200 and 'name="data-services-rows"' in form.content.decode()
    from tests.partners_tests.helpers import uscc

    response = client.post(f"/partners/calls/{call.pk}/apply/", {
        "data-applicant_type": "organisation", "data-org_name": "王师傅维修部", "data-uscc": uscc(55),
        "data-mobile": "13912345678", "data-services-rows": "1", "data-services-0-name": "上门维修",
        "data-services-0-category": "home", "data-services-0-paid": "paid", "data-services-0-price": "30",
        "data-services-0-target": "old"})
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get(name="王师傅维修部")
    assert application.state == "reviewing" and application.services[0]["name"] == "上门维修"


def test_a_secretary_publishes_and_closes_a_call_on_the_page_and_others_cannot(users):
    from workflows.partners.models import Call

    secretary = client_for(users["heping_secretary"])
    assert secretary.get("/partners/calls/new/").status_code == 200
    bad = secretary.post("/partners/calls/new/", {"title": "x", "body": "y", "communities": ["heping"],
                                                  "opens_on": "2026-03-01", "closes_on": "2026-02-01",
                                                  "notice_working_days": 5})
    assert bad.status_code == 200 and not Call.objects.filter(title="x").exists()
    fenghuang = secretary.post("/partners/calls/new/", {"title": "x", "body": "y", "communities": ["fenghuang"],
                                                        "opens_on": "2026-01-01", "closes_on": "2026-02-01",
                                                        "notice_working_days": 5})
    assert fenghuang.status_code == 200 and not Call.objects.filter(title="x").exists()  # not a choice
    ok = secretary.post("/partners/calls/new/", {"title": "和平春季招募", "body": "招募", "communities": ["heping"],
                                                 "categories": ["elderly"], "opens_on": "2026-01-01",
                                                 "closes_on": "2099-02-01", "notice_working_days": 7})
    assert ok.status_code == 302
    call = Call.objects.get(title="和平春季招募")
    assert call.notice_working_days == 7 and call.categories == ["elderly"]
    assert client_for(users["fenghuang_secretary"]).post(f"/partners/calls/{call.pk}/close/").status_code == 404
    assert client_for(users["resident_li"]).get("/partners/calls/new/").status_code == 404
    assert secretary.post(f"/partners/calls/{call.pk}/close/").status_code == 302
    call.refresh_from_db()
    assert call.state == "closed"
