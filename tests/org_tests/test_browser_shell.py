import pytest

from tests.browser_support import LAPTOP, PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secretary_logs_in_on_a_phone_and_sees_her_community_in_chinese(demo, browser_page):
    page = browser_page(viewport=PHONE)
    page.goto("/")
    assert "/login/" in page.url
    assert page.locator("h1").inner_text() == "登录"
    login(page, "heping_secretary", DEMO_TEST_PASSWORD)
    assert page.locator("[data-testid=home-title]").inner_text().startswith("欢迎")
    org_units = page.locator("[data-testid=org-unit]").all_inner_texts()
    assert "和平社区" in org_units
    # A phone shows no horizontal scrolling on the home page.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert "凤凰社区" not in page.content()


def test_the_language_switch_turns_the_shell_into_english_and_back(demo, browser_page):
    page = browser_page(viewport=LAPTOP)
    login(page, "shaping_reviewer", DEMO_TEST_PASSWORD)
    page.click("[data-testid=language-switch] button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("[data-testid=home-title]").inner_text().startswith("Welcome")
    assert page.locator("button", has_text="Log out").count() == 1
    page.click("[data-testid=language-switch] button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert page.locator("[data-testid=home-title]").inner_text().startswith("欢迎")


def test_a_wrong_password_shows_an_inline_message_not_an_error_page(demo, browser_page):
    page = browser_page(viewport=PHONE)
    page.goto("/login/")
    page.fill("input[name=username]", "heping_secretary")
    page.fill("input[name=password]", "not-the-password")
    page.click("[data-testid=login-submit]")
    assert page.locator("[data-testid=login-error]").inner_text() == "用户名或密码错误。"


def test_under_the_content_security_policy_the_pages_scripts_still_work_and_nothing_is_blocked(demo, browser_page):
    page = browser_page(viewport=LAPTOP)
    violations = []
    page.on("console", lambda message: violations.append((page.url, message.text)) if "Content Security Policy" in message.text else None)
    login(page, "shaping_reviewer", DEMO_TEST_PASSWORD)
    page.goto("/expenses/")
    # The state filter submits itself from a script file (there is no inline onchange).
    page.select_option("select[name=state]", "pending")
    page.wait_for_url("**/expenses/?state=pending")
    page.goto("/rooms/")
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15_000)
    assert violations == []
