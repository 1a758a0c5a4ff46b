"""Required fields read alike everywhere: every input the browser requires has a visible * in its
label, core fields and low-code fields alike, and the low-code ones carry aria-required."""

import lxml.html
import pytest
from django.test import Client

PAGES = [
    ("heping_staff", "/expenses/new/"),
    ("heping_staff", "/ledger/"),
    ("heping_staff", "/forms/fill/shaping-income-extra/"),
    ("heping_secretary", "/tasks/delegations/"),
    ("resident_li", "/inquiries/new/"),
    ("admin", "/forms/designer/"),
    ("shaping_reviewer", "/partners/calls/new/"),
    (None, "/partners/signup/"),
]


def _label_of(tree, element):
    for ancestor in element.iterancestors("label"):
        return ancestor
    if element.get("id"):
        found = tree.xpath("//label[@for=$id]", id=element.get("id"))
        if found:
            return found[0]
    return None


def required_inputs(html: str) -> list[tuple[str, object]]:
    tree = lxml.html.fromstring(html)
    main = tree.find(".//main")
    return [(el.get("name"), _label_of(tree, el)) for el in main.xpath(".//*[@required]")
            if el.get("type") != "hidden"]


@pytest.mark.parametrize(("username", "path"), PAGES)
def test_every_required_input_has_a_star_in_its_label(users, username, path):
    client = Client()
    if username:
        client.force_login(users[username])
    response = client.get(path)
    assert response.status_code == 200, path

    found = required_inputs(response.content.decode())
    assert found, f"{path} has no required input"
    unmarked = [name for name, label in found
                if label is None or not label.xpath(".//*[contains(@class, 'lowcode-required') and not(@hidden)]")]
    assert unmarked == [], f"{path}: required without a *: {unmarked}"


def test_the_expense_and_income_forms_require_their_core_fields_in_the_browser(users):
    client = Client()
    client.force_login(users["heping_staff"])
    expense = {name for name, _label in required_inputs(client.get("/expenses/new/").content.decode())}
    income = {name for name, _label in required_inputs(client.get("/ledger/").content.decode())}

    # Lists without an empty first choice (community, category, source) always have a value.
    assert {"amount", "payee", "purpose"} <= expense
    assert {"amount", "date", "extra-receipt_no", "extra-payer_type"} <= income
    assert "counterparty" not in income and "cc" not in expense
