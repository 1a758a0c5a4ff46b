"""Hostile input gets a clear 4xx, never a 500: nested JSON, ids the database cannot hold, bodies
too large to read."""

import base64
import json
import re

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.expenses_tests.helpers import file

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000


def _json_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                yield method, path


OPERATIONS = sorted(_json_operations())


def test_the_schema_lists_json_operations_to_probe():
    assert ("post", "/api/auth/token/") in OPERATIONS and len(OPERATIONS) > 10


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_deeply_nested_json_is_a_400_on_every_json_endpoint(users, method, path):
    client = APIClient()
    client.force_authenticate(users["admin" if "/designer/" in path else "heping_staff"])
    url = re.sub(r"\{[^}]+\}", "1", path)

    response = client.generic(method.upper(), url, DEEP, content_type="application/json")

    assert response.status_code < 500
    if "{" not in path:  # no object to look up first: the body is what is refused
        assert response.status_code == 400, (path, response.status_code)
    if response.status_code == 400:
        assert response["Content-Type"].startswith("application/json")


def test_nested_json_is_a_400_without_login_on_the_token_endpoint(demo):
    response = APIClient().generic("POST", "/api/auth/token/", DEEP, content_type="application/json")

    assert response.status_code == 400
    assert "64" in response.json()["detail"]


def test_nested_json_in_the_route_previews_extra_parameter_is_not_a_500(api_for, users, communities):
    response = api_for(users["heping_staff"]).get(
        "/api/expenses/route-preview/",
        {"community": communities["heping"].pk, "amount": "100", "category": "utilities", "extra": "[" * 3000},
    )
    assert response.status_code < 500


def test_a_cursor_hiding_nested_json_is_a_400(api_for, users):
    cursor = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")

    response = api_for(users["heping_staff"]).get("/api/tasks/", {"cursor": cursor})

    assert response.status_code == 400


def test_an_id_the_database_cannot_hold_is_a_400_on_the_page_as_on_the_api(client, api_for, users):
    client.force_login(users["heping_staff"])

    page = client.get("/expenses/", {"community": "9223372036854775808"})
    api = api_for(users["heping_staff"]).get("/api/expenses/", {"community": "9223372036854775808"})

    assert page.status_code == 400
    assert "社区" in page.content.decode()
    assert api.status_code == 400


def test_an_oversized_api_body_is_a_json_413_refused_from_its_declared_length(demo):
    client = APIClient()
    response = client.generic(
        "POST", "/api/auth/token/", json.dumps({"username": "x", "password": "y"}), content_type="application/json",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_real_json_body_above_the_form_limit_is_a_json_413(api_for, users, settings):
    body = json.dumps({"comment": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})

    response = api_for(users["heping_staff"]).generic("POST", "/api/expenses/1/comment/", body,
                                                      content_type="application/json")

    assert response.status_code == 413
    assert "MB" in response.json()["detail"]


def test_an_oversized_page_upload_is_refused_with_413(users, settings):
    client = Client()
    client.force_login(users["heping_staff"])
    response = client.generic("POST", "/expenses/1/act/", b"--x--", content_type="multipart/form-data; boundary=x",
                              CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1))
    assert response.status_code == 413
    # A page, not plain text: it says why in Chinese and leads back home.
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "文件太大" in page and "请求超过" in page and 'href="/"' in page


def _asgi_post(path, headers, chunks):
    from project.asgi import application

    read = []
    sent = []
    queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive():
        read.append(1)
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), *headers], "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }
    async_to_sync(application)(scope, receive, send)
    return read, sent


def test_at_the_asgi_edge_a_declared_50_mb_upload_is_refused_before_a_byte_is_read():
    read, sent = _asgi_post(
        "/api/expenses/1/pay/",
        [(b"content-type", b"multipart/form-data; boundary=x"), (b"content-length", str(50 * 1024 * 1024).encode())],
        [b"x" * 1024],
    )
    assert read == []
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["detail"]


def test_at_the_asgi_edge_a_body_without_a_length_is_cut_off_at_the_cap(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    read, sent = _asgi_post("/api/auth/token/", [(b"content-type", b"application/json")], [b"x" * 3000] * 10)

    assert len(read) <= 3
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]


def test_a_multipart_field_above_the_form_limit_is_a_json_413_not_an_html_page(api_for, users, communities,
                                                                               settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    expense = file(users, communities, amount="800.00")
    response = api_for(users["heping_staff"]).post(
        f"/api/expenses/{expense.pk}/pay/",
        {"paid_on": "2026-03-01", "voucher_number": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10),
         "scan": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
        format="multipart",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"


def test_too_many_form_fields_on_the_api_are_a_json_400(api_for, users, communities, settings):
    expense = file(users, communities, amount="800.00")
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api_for(users["heping_staff"]).post(
        f"/api/expenses/{expense.pk}/comments/", {f"f{i}": "x" for i in range(20)}, format="multipart"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
