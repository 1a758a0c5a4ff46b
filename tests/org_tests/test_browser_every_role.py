"""Every role's pages on a phone, as a new user opens them from the menu: nothing scrolls
sideways, every tap target is at least 40 px high, no raw state code shows through the Chinese
text, and money has one format (¥8,000.00, thousands separated)."""

import re

import pytest

from tests.browser_support import PHONE, login
from tests.conftest import DEMO_TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIN_TAP_HEIGHT = 40
ROLES = ["heping_secretary", "heping_staff", "heping_committee1", "shaping_reviewer", "shaping_leader", "resident_li"]
# State codes of every lifecycle the pages show; in Chinese text they must appear as labels.
STATE_CODES = re.compile(r"\b(draft|pending|approved|rejected|returned|withdrawn|paid|published|closed|active)\b")
# ¥ followed by four digits in a row (no thousands separator), or by a hyphen (not −).
BAD_MONEY = re.compile(r"¥\s?-|¥\d{4,}")

# Tap targets: buttons, links styled as buttons, the menus' links and the lists' standalone links.
SMALL_TARGETS_JS = f"""() => [...document.querySelectorAll(
    'button, [role=button], input[type=submit], nav a, .card-list a, main td a, main dd a, summary')]
  .filter(el => el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden')
  .map(el => [(el.innerText || el.value || '').trim().slice(0, 30), el.getBoundingClientRect().height])
  .filter(([_, h]) => h > 0 && h < {MIN_TAP_HEIGHT})
  .map(([text, h]) => `${{text}} ${{Math.round(h)}}`)"""


def menu_paths(page) -> list[str]:
    hrefs = page.eval_on_selector_all("nav.shell-nav a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    return list(dict.fromkeys(hrefs))


def first_detail(page, selector: str) -> str | None:
    link = page.locator(selector).first
    return link.get_attribute("href") if link.count() else None


@pytest.mark.parametrize("username", ROLES)
def test_every_menu_page_of_every_role_fits_a_phone_and_reads_cleanly(demo, browser_page, username):
    page = browser_page(viewport=PHONE)
    login(page, username, DEMO_TEST_PASSWORD)
    paths = ["/", *menu_paths(page)]
    if username.startswith("resident"):
        # Internal work is not a resident's: no menu entries she cannot use.
        assert not {"/tasks/", "/spreadsheets/", "/expenses/new/"} & set(paths), paths
        # The forms she may fill are those whose audience includes residents: never the internal ones.
        if "/forms/" in paths:
            page.goto("/forms/")
            listed = page.eval_on_selector_all("main a[href^='/forms/fill/']", "els => els.map(e => e.getAttribute('href'))")
            assert listed and not {"/forms/fill/shaping-expense-extra/", "/forms/fill/shaping-income-extra/"} & set(listed)
    page.goto("/expenses/") if "/expenses/" in paths else None
    detail = first_detail(page, "a[href^='/expenses/'][href$='/']:not([href='/expenses/']):not([href='/expenses/new/']):not([href='/expenses/flow/'])")
    if detail:
        paths.append(detail)
    if "/ledger/" in paths:
        # A ledger line with its voucher scan ("打开"), as a reader opens it from the ledger.
        from workflows.ledger.models import LedgerLine

        page.goto("/ledger/")
        shown = [int(i) for i in page.eval_on_selector_all("[data-line-id]", "els => els.map(e => e.dataset.lineId)")]
        with_scan = LedgerLine.objects.filter(pk__in=shown).exclude(scan="").values_list("pk", flat=True).first()
        paths.append(f"/ledger/{with_scan or shown[0]}/")
    problems = []
    for path in dict.fromkeys(paths):
        page.goto(path)
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            problems.append(f"{path}: {width} px wide")
        small = page.evaluate(SMALL_TARGETS_JS)
        if small:
            problems.append(f"{path}: small tap targets {small}")
        text = page.locator("main").inner_text()
        codes = sorted(set(STATE_CODES.findall(text)))
        if codes:
            problems.append(f"{path}: raw state codes {codes}")
        money = sorted(set(BAD_MONEY.findall(text)))
        if money:
            problems.append(f"{path}: money not in the one format {money}")
    assert problems == [], "\n".join(problems)
