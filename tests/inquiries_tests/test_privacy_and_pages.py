"""Who sees an inquiry (404 for everyone else, through every page and endpoint), bad input
(400 per field, never a 500), and the resident's and secretary's pages without JavaScript."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

OUTSIDERS = ["resident_chen", "fenghuang_secretary", "fenghuang_staff"]


@pytest.fixture
def inquiry(api, clock):
    return api.file(publish_consent=False).json()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_another_resident_or_communitys_staff_gets_404_everywhere(api, api_for, users, client, inquiry, who):
    user = users[who]
    client.force_login(user)
    pk = inquiry["id"]
    assert api.get(who, pk).status_code == 404
    for verb in ("accept", "escalate", "urge"):
        assert api.verb(who, pk, verb, {"reason": "x"}).status_code == 404
    assert all(row["id"] != pk for row in api_for(user).get("/api/inquiries/").json())
    for path in (f"/inquiries/{pk}/", f"/inquiries/{pk}/attachment/"):
        assert client.get(path).status_code == 404
    for code in ("accept", "escalate", "urge", "acknowledge", "answer", "claim"):
        assert client.post(f"/inquiries/{pk}/{code}/", {"reason": "x"}).status_code == 404
    assert api.task(who, pk) is None
    queued = api.task("heping_staff", pk)
    # (A body the action accepts: the engine validates fields before it looks the task up, so a
    # malformed one is a 400 for any id, which tells nothing either.)
    for action, body in (("acknowledge", {}), ("claim", {}), ("answer", {"outcome": "explained", "answer": "x"}),
                         ("extend", {"working_days": 5, "reason": "x"})):
        assert api.act(who, queued["id"], action, body).status_code == 404


def test_anonymous_users_get_nothing_and_the_public_pages_show_no_unpublished_inquiry(anon_api, client, inquiry):
    pk = inquiry["id"]
    assert anon_api.get(f"/api/inquiries/{pk}/").status_code == 404
    for verb in ("accept", "escalate", "urge"):
        assert anon_api.post(f"/api/inquiries/{pk}/{verb}/", {"reason": "x"}, format="json").status_code == 404
    assert anon_api.get("/api/inquiries/").status_code in (401, 403)
    for path in (f"/inquiries/{pk}/", f"/inquiries/{pk}/attachment/"):
        assert client.get(path).status_code == 404
    for code in ("accept", "escalate", "urge", "acknowledge", "answer"):
        assert client.post(f"/inquiries/{pk}/{code}/").status_code == 404
    assert "五月份的政府购买服务收入" not in client.get("/public/heping/").content.decode()


def test_the_communitys_roles_and_the_street_see_it(api, inquiry):
    for who in ("heping_staff", "heping_secretary", "heping_committee1", "shaping_reviewer", "shaping_leader"):
        assert api.get(who, inquiry["id"]).status_code == 200, who
    assert api.verb("heping_secretary", inquiry["id"], "accept").status_code == 404  # the resident's verb only


@pytest.mark.parametrize("body, field", [
    ({"question": ""}, "question"), ({"question": "问" * 2001}, "question"), ({"community": "nowhere"}, None),
    ({"ledger_line": 10**20}, "ledger_line"), ({"ledger_line": "abc"}, "ledger_line"),
])
def test_bad_fields_are_400s_per_field_and_unknown_communities_404(api, clock, body, field):
    response = api.file(**body)
    if field is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 400 and field in response.json()


def test_a_line_of_another_community_or_a_resident_elsewhere_is_refused(api, communities, clock):
    from workflows.ledger.models import LedgerLine

    other = LedgerLine.objects.filter(community=communities["fenghuang"]).first()
    response = api.file(ledger_line=other.pk)
    assert response.status_code == 400 and "ledger_line" in response.json()
    assert api.file(who="resident_chen").status_code == 404
    assert api.file(who="heping_secretary").status_code == 404


def test_an_attachment_must_be_an_image_or_a_pdf(api_for, users, clock):
    client = api_for(users["resident_li"])
    bad = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = client.post("/api/inquiries/", {"community": "heping", "question": "附件", "attachment": bad},
                           format="multipart")
    assert response.status_code == 400 and "attachment" in response.json()
    good = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    response = client.post("/api/inquiries/", {"community": "heping", "question": "附件", "attachment": good},
                           format="multipart")
    assert response.status_code == 201 and response.json()["has_attachment"] is True


def test_the_resident_asks_about_a_line_from_the_public_page_and_the_queue_answers_on_pages(
        api, users, communities, client, clock):
    from workflows.ledger.models import LedgerLine

    line = LedgerLine.objects.filter(community=communities["heping"]).order_by("date", "id").first()
    month = f"{line.date:%Y-%m}"
    public = client.get(f"/public/heping/?month={month}").content.decode()
    ask = f"/inquiries/new/?community=heping&amp;ledger_line={line.pk}"
    assert ask in public
    client.force_login(users["resident_li"])
    form = client.get(ask.replace("&amp;", "&"))
    assert form.status_code == 200 and 'name="ledger_line"' in form.content.decode()
    empty = client.post("/inquiries/new/", {"community": "heping", "ledger_line": line.pk, "question": ""})
    assert empty.status_code == 400 and "field-error" in empty.content.decode()
    filed = client.post("/inquiries/new/", {"community": "heping", "ledger_line": line.pk,
                                            "question": "这笔收入的合同在哪里？", "publish_consent": "on"})
    assert filed.status_code == 302
    pk = int(filed["Location"].rstrip("/").split("/")[-1])
    assert "这笔收入的合同在哪里" in client.get("/inquiries/").content.decode()
    client.force_login(users["heping_staff"])
    page = client.get(f"/inquiries/{pk}/").content.decode()
    assert 'data-testid="acknowledge"' in page
    assert client.post(f"/inquiries/{pk}/acknowledge/", {"comment": "已受理"}).status_code == 302
    client.force_login(users["heping_secretary"])
    page = client.get(f"/inquiries/{pk}/").content.decode()
    assert 'data-testid="answer-form"' in page and 'data-testid="extend-form"' in page
    bad = client.post(f"/inquiries/{pk}/answer/", {"outcome": "explained", "answer": ""})
    assert bad.status_code == 400 and "field-error" in bad.content.decode()
    done = client.post(f"/inquiries/{pk}/answer/", {"outcome": "explained", "answer": "合同存档于社区，可预约查阅。",
                                                     "publish": "1"})
    assert done.status_code == 302
    client.force_login(users["resident_li"])
    page = client.get(f"/inquiries/{pk}/").content.decode()
    assert 'data-testid="accept"' in page and "合同存档于社区" in page and 'data-action="answer"' in page
    assert client.post(f"/inquiries/{pk}/accept/").status_code == 302
    public = client.get(f"/public/heping/?month={month}").content.decode()
    assert "合同存档于社区，可预约查阅。" in public


def test_the_queue_appears_in_the_inbox_page(api, users, client, inquiry):
    client.force_login(users["heping_secretary"])
    html = client.get("/tasks/").content.decode()
    assert inquiry["question"][:10] in html or f"#{inquiry['id']}" in html


def test_the_list_costs_the_same_queries_for_one_inquiry_or_many(api, api_for, users, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = api.file().json()
    reader = api_for(users["shaping_reviewer"])
    with CaptureQueriesContext(connection) as few:
        assert reader.get("/api/inquiries/").status_code == 200
    for _ in range(4):
        api.file()
    with CaptureQueriesContext(connection) as many:
        body = reader.get("/api/inquiries/").json()
    assert len(many.captured_queries) == len(few.captured_queries)
    row = next(r for r in body if r["id"] == first["id"])
    assert row["holder"]["kind"] == "queue" and row["submitter"]["name"] == "李阿姨"
