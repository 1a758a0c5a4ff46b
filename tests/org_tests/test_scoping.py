"""Every demo role sees only its own org unit's data; not-yours is a 404 with no data."""

import pytest
from django.test import Client

from tests.conftest import DEMO_TEST_PASSWORD
from workflows.org.models import Community, Room

COMMUNITY_CODES = ["fenghuang", "gubu", "yanshan", "guilin", "nanshan", "heping"]


def _token(anon_api, username):
    response = anon_api.post("/api/auth/token/", {"username": username, "password": DEMO_TEST_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.mark.parametrize(
    "username, role, unit_name",
    [
        ("shaping_leader", "street_leader", "沙坪街道"),
        ("shaping_reviewer", "street_reviewer", "沙坪街道"),
        ("heping_secretary", "community_secretary", "和平社区"),
        ("heping_staff", "community_staff", "和平社区"),
        ("gubu_committee2", "community_committee", "谷埠社区"),
        ("resident_chen", "resident", "凤凰社区"),
    ],
)
def test_each_demo_role_logs_in_with_a_token_and_sees_its_own_org_unit(demo, anon_api, username, role, unit_name):
    token = _token(anon_api, username)
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = anon_api.get("/api/me/").json()
    assert me["username"] == username
    assert {"role": role, "name": unit_name} in [{"role": r["role"], "name": r["org_unit"]["name"]} for r in me["roles"]]
    for entry in me["roles"]:
        assert set(entry["org_unit"]) == {"id", "kind", "name"}


@pytest.mark.parametrize("code", COMMUNITY_CODES)
def test_community_users_see_only_their_own_community_and_rooms(demo, api_for, users, code):
    for username in (f"{code}_secretary", f"{code}_staff", f"{code}_committee1"):
        client = api_for(users[username])
        units = client.get("/api/org-units/").json()
        community_names = {u["name"] for u in units if u["kind"] == "community"}
        assert community_names == {Community.objects.get(code=code).name}
        rooms = client.get("/api/rooms/").json()
        assert rooms and {r["community"] for r in rooms} == {Community.objects.get(code=code).id}


def test_street_users_see_every_community_of_their_street(demo, api_for, users):
    for username in ("shaping_leader", "shaping_reviewer"):
        client = api_for(users[username])
        units = client.get("/api/org-units/").json()
        assert len([u for u in units if u["kind"] == "community"]) == 6
        assert len(client.get("/api/rooms/").json()) == Room.objects.count()


def test_heping_secretary_cannot_read_fenghuang_rooms_through_any_api_endpoint(demo, api_for, users, communities):
    client = api_for(users["heping_secretary"])
    fenghuang = communities["fenghuang"]
    room = Room.objects.filter(community=fenghuang).first()
    for url in (f"/api/rooms/{room.id}/", f"/api/org-units/{fenghuang.id}/"):
        response = client.get(url)
        assert response.status_code == 404
        assert room.name not in response.content.decode() and "凤凰" not in response.content.decode()
    filtered = client.get(f"/api/rooms/?community={fenghuang.id}")
    assert filtered.status_code == 200 and filtered.json() == []
    # A missing room and another community's room are indistinguishable.
    assert client.get("/api/rooms/99999999/").json() == client.get(f"/api/rooms/{room.id}/").json()


def test_heping_secretary_cannot_read_fenghuang_rooms_through_any_page(demo, communities):
    client = Client()
    assert client.login(username="heping_secretary", password=DEMO_TEST_PASSWORD)
    fenghuang = communities["fenghuang"]
    room = Room.objects.filter(community=fenghuang).first()
    detail = client.get(f"/rooms/{room.id}/")
    assert detail.status_code == 404
    assert room.community.name not in detail.content.decode()
    listing = client.get(f"/rooms/?community={fenghuang.id}").content.decode()
    assert "凤凰社区" not in listing
    home = client.get("/").content.decode()
    assert "和平社区" in home and "凤凰社区" not in home


def test_a_resident_sees_only_the_community_she_lives_in(demo, api_for, users, communities):
    client = api_for(users["resident_li"])
    rooms = client.get("/api/rooms/").json()
    assert {r["community"] for r in rooms} == {communities["heping"].id}
    assert client.get(f"/api/org-units/{communities['fenghuang'].id}/").status_code == 404


def test_anonymous_requests_are_refused_without_data(demo, anon_api):
    assert anon_api.get("/api/rooms/").status_code == 401
    assert anon_api.get("/api/me/").status_code == 401
    page = Client().get("/rooms/")
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_a_non_numeric_community_filter_is_a_400_with_a_field_message(demo, api_for, users):
    response = api_for(users["shaping_reviewer"]).get("/api/rooms/?community=abc")
    assert response.status_code == 400
    assert "community" in response.json()


def test_a_room_list_filtered_by_a_non_ascii_digit_or_a_huge_community_id_answers_without_a_server_error(
    demo, api_for, users, client
):
    api = api_for(users["heping_staff"])
    assert api.get("/api/rooms/?community=²").status_code == 400
    assert api.get("/api/rooms/?community=99999999999999999999").status_code == 400
    client.force_login(users["heping_staff"])
    assert client.get("/rooms/?community=²").status_code == 200
