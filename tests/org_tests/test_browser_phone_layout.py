"""Phone layout across the shared shell: a 390 px screen never scrolls sideways, wide tables
scroll inside their wrapper, and every button is big enough to tap."""

import pytest

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Apple and Android guidance is 44/48 px; 40 px is the floor the pages keep.
MIN_TAP_HEIGHT = 40

PAGE_WIDTH_JS = "[document.documentElement.scrollWidth, window.innerWidth]"

# Visible buttons (and links styled as buttons) shorter than a fingertip, as "text height" strings.
SMALL_BUTTONS_JS = f"""() => [...document.querySelectorAll(
    'button, [role=button], input[type=submit]')]
  .filter(el => el.offsetParent !== null)
  .map(el => [(el.innerText || el.value || '').trim(), el.getBoundingClientRect().height])
  .filter(([_, h]) => h > 0 && h < {MIN_TAP_HEIGHT})
  .map(([text, h]) => `${{text}} ${{Math.round(h)}}`)"""


def assert_no_sideways_scroll(page, path: str) -> None:
    scroll_width, inner_width = page.evaluate(PAGE_WIDTH_JS)
    assert scroll_width <= inner_width, f"{path} is {scroll_width} px wide on a {inner_width} px phone"


def test_pages_with_tables_and_lists_never_scroll_sideways_on_a_phone(demo, browser_page):
    page = browser_page(viewport=PHONE)
    # The street reviewer sees every community: the longest room list, ledger and expense list.
    login(page, "shaping_reviewer", DEMO_TEST_PASSWORD)
    page.goto("/rooms/")
    room_url = page.locator("table a[href^='/rooms/']").first.get_attribute("href")
    for path in ["/ledger/", "/expenses/", "/rooms/", room_url, "/tasks/", "/notifications/", "/forms/", "/spreadsheets/"]:
        page.goto(path)
        assert_no_sideways_scroll(page, path)
    # Every table on the room pages sits in the scrolling wrapper, so a wider one cannot push the page.
    for path in ["/rooms/", room_url]:
        page.goto(path)
        assert page.locator("main table").count() == page.locator("main .table-scroll > table").count() > 0


def test_a_detail_table_with_rows_scrolls_inside_its_wrapper_not_the_page(demo, browser_page):
    page = browser_page(viewport=PHONE)
    login(page, "heping_secretary", DEMO_TEST_PASSWORD)
    for path in ["/expenses/new/", "/forms/fill/shaping-expense-extra/"]:
        page.goto(path)
        table = page.locator(".lowcode-table").first
        for _ in range(3):
            table.locator("[data-add-row]").click()
        assert table.locator("tbody tr").count() == 3
        assert_no_sideways_scroll(page, path)
        # The rows really are wider than the phone: the wrapper is what scrolls.
        assert table.evaluate("el => el.scrollWidth > el.clientWidth")
        # ... and each row's remove button is on screen, not beyond the right edge.
        remove = table.locator("[data-remove-row]").first.bounding_box()
        assert remove["x"] + remove["width"] <= PHONE["width"], remove


def test_every_visible_button_is_tall_enough_to_tap_on_a_phone(demo, browser_page):
    page = browser_page(viewport=PHONE)
    login(page, "heping_secretary", DEMO_TEST_PASSWORD)
    # The shell's log-out and language buttons, the ledger's compact "record income" link, the
    # notification buttons and the detail table's add/remove buttons all used to be 30 px high.
    page.goto("/ledger/")
    assert page.evaluate(SMALL_BUTTONS_JS) == []
    page.goto("/notifications/")
    assert page.evaluate(SMALL_BUTTONS_JS) == []
    page.goto("/expenses/new/")
    page.locator("[data-add-row]").first.click()
    assert page.evaluate(SMALL_BUTTONS_JS) == []


def test_the_voucher_scans_open_link_is_tall_enough_to_tap(demo, browser_page, settings, tmp_path):
    import datetime as dt
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from workflows.ledger import services as ledger

    settings.MEDIA_ROOT = tmp_path
    line = ledger.expense_post(
        actor=demo["users"]["heping_secretary"], community=demo["communities"]["heping"], amount=Decimal("50.00"),
        date=dt.date(2026, 6, 1), category="utilities", payee="鹤山市供电局", purpose="电费", voucher_number="V-77",
        scan=SimpleUploadedFile("凭证.pdf", b"%PDF-1.4 voucher", content_type="application/pdf"),
    )
    page = browser_page(viewport=PHONE)
    login(page, "heping_secretary", DEMO_TEST_PASSWORD)
    page.goto(f"/ledger/{line.pk}/")
    link = page.locator("[data-testid=scan-link]")
    assert link.inner_text() == "打开"
    assert link.bounding_box()["height"] >= MIN_TAP_HEIGHT
    assert page.evaluate(SMALL_BUTTONS_JS) == []


def test_room_names_are_not_broken_one_character_per_line_on_a_phone(demo, browser_page):
    page = browser_page(viewport=PHONE)
    login(page, "shaping_reviewer", DEMO_TEST_PASSWORD)
    page.goto("/rooms/")
    link = page.locator("table a[href^='/rooms/']").first
    box = link.bounding_box()
    # One line of text at 40 px, however long the name.
    assert box["height"] <= 48, box
    assert_no_sideways_scroll(page, "/rooms/")
