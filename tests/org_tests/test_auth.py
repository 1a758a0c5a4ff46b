import pytest
from django.test import Client

from tests.conftest import DEMO_TEST_PASSWORD
from tests.org_tests.throttles import forget_throttles


@pytest.fixture(autouse=True)
def _fresh_throttles():
    forget_throttles()
    yield
    forget_throttles()


def test_a_good_token_request_returns_a_token_that_authenticates(demo, anon_api):
    response = anon_api.post(
        "/api/auth/token/", {"username": "heping_secretary", "password": DEMO_TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon_api.get("/api/me/").json()["username"] == "heping_secretary"


@pytest.mark.parametrize(
    "body, content_type",
    [
        ('{"username": "heping_secretary", "password": "wrong"}', "application/json"),
        ('{"username": "nobody_at_all", "password": "whatever"}', "application/json"),
    ],
)
def test_wrong_credentials_are_a_400_with_a_message(demo, anon_api, body, content_type):
    response = anon_api.generic("POST", "/api/auth/token/", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {"detail": "用户名或密码错误。"}


@pytest.mark.parametrize(
    "body",
    ['{"username": ', "not json at all", "[1, 2, 3]", '"a string"', "null"],
)
def test_malformed_token_requests_are_a_400_with_a_message(demo, anon_api, body):
    response = anon_api.generic("POST", "/api/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]


def test_missing_fields_get_per_field_messages(demo, anon_api):
    response = anon_api.post("/api/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_failed_logins_are_throttled_with_retry_after(demo, anon_api, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        response = anon_api.post("/api/auth/token/", {"username": "heping_staff", "password": "nope"}, format="json")
        assert response.status_code == 400
    response = anon_api.post(
        "/api/auth/token/", {"username": "heping_staff", "password": DEMO_TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # The login page shares the same counter and shows the message inline.
    page = Client().post("/login/", {"username": "heping_staff", "password": DEMO_TEST_PASSWORD})
    assert page.status_code == 200
    assert "登录失败次数过多" in page.content.decode()


def test_the_login_page_logs_in_and_shows_an_inline_error_for_a_wrong_password(demo):
    client = Client()
    bad = client.post("/login/", {"username": "heping_secretary", "password": "wrong"})
    assert bad.status_code == 200 and "用户名或密码错误。" in bad.content.decode()
    good = client.post("/login/", {"username": "heping_secretary", "password": DEMO_TEST_PASSWORD})
    assert good.status_code == 302
    home = client.get("/")
    assert "和平社区" in home.content.decode()
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_pages_are_chinese_by_default_and_english_on_request(demo):
    client = Client()
    assert "登录" in client.get("/login/").content.decode()
    english = Client(headers={"accept-language": "en"}).get("/login/").content.decode()
    assert "Log in" in english


def test_the_schema_and_docs_pages_are_served_without_a_cdn(demo, api_for, users):
    client = api_for(users["admin"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/auth/token/" in schema.content
    docs = Client()
    docs.force_login(users["admin"])
    page = docs.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn." not in page and "unpkg" not in page
