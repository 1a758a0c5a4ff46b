"""Every page carries a Content-Security-Policy without inline script, and holds no inline script,
event handler or style attribute that the policy would block; the CSRF cookie is not readable
by scripts, which take the token from the page."""

import re

import pytest
from django.test import Client

from forms.models import FormVersion
from tests.expenses_tests.helpers import file
from workflows.ledger.models import LedgerLine
from workflows.org.models import Room

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def _pages(demo):
    expense = file(demo["users"], demo["communities"], amount="800.00")
    line = LedgerLine.objects.filter(community__code="heping").order_by("pk").first()
    room = Room.objects.filter(community__code="heping").order_by("pk").first()
    version = FormVersion.objects.order_by("pk").first()
    return [
        "/", "/tasks/", "/tasks/mine/", "/tasks/cc/", "/tasks/done/", "/expenses/", "/expenses/new/",
        f"/expenses/{expense.pk}/", "/ledger/", f"/ledger/{line.pk}/", "/rooms/", f"/rooms/{room.pk}/", "/forms/",
        "/forms/fill/shaping-expense-extra/", "/forms/designer/", f"/forms/designer/versions/{version.pk}/",
        "/notifications/", "/spreadsheets/", "/api/docs/", "/admin/",
        # the approval sheet, the flow page, deputies, and the areas added since
        f"/expenses/{expense.pk}/sheet/", "/expenses/flow/", f"/expenses/{expense.pk}/flow/", "/tasks/delegations/",
        "/inquiries/", "/ledger/disclosures/", "/public/", "/public/heping/",
        "/public/heping/partners/", "/public/heping/notices/", "/partners/applications/",
    ]


def assert_policy(response, *, inline_styles=False):
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == ("'self' 'unsafe-inline'" if inline_styles else "'self'")
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy


def test_every_page_has_the_policy_and_no_inline_script_handler_or_style(demo):
    staff, admin = Client(), Client()
    staff.force_login(demo["users"]["heping_staff"])
    admin.force_login(demo["users"]["admin"])
    for url in _pages(demo):
        response = (admin if "designer" in url or url.startswith("/admin/") else staff).get(url)
        assert response.status_code == 200, url
        assert_policy(response, inline_styles=url == "/api/docs/")  # Swagger UI styles itself inline
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not HANDLER.search(html), url
        if not url.startswith("/admin/"):  # Django's admin keeps a few style attributes of its own
            assert not STYLE_ATTRIBUTE.search(html), url


def test_the_login_page_and_error_pages_carry_the_policy_too(demo):
    client = Client()
    assert_policy(client.get("/login/"))
    client.force_login(demo["users"]["heping_staff"])
    assert_policy(client.get("/expenses/999999/"))
    assert_policy(client.get("/expenses/", {"community": "x"}))


def test_the_api_docs_start_up_script_is_a_file(demo):
    client = Client()
    client.force_login(demo["users"]["admin"])
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_the_csrf_cookie_is_http_only_and_the_designer_takes_the_token_from_the_page(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["users"]["admin"])
    version = FormVersion.objects.order_by("pk").first()

    page = client.get(f"/forms/designer/versions/{version.pk}/")

    cookie = client.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert 'id="designer-csrf"' in page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
