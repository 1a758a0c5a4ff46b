"""A submission is read by its filer, the work roles of its org unit and the street roles, and by
residents only when the form's purpose is public: on the page, in the export, in links."""

import pytest

from forms import models as form_models
from forms import permissions
from forms import selectors as form_selectors
from forms import services as form_services

pytestmark = pytest.mark.django_db

FORM = "shaping-expense-extra"
DATA = {"invoice_no": "INV-0000009", "project_type": "goods", "items": []}


@pytest.fixture
def filed(demo):
    users, communities, street = demo["users"], demo["communities"], demo["street"]
    version = form_selectors.published_form_get_for_user(user=users["heping_staff"], code=FORM)
    on_street = form_services.submission_create(actor=users["heping_staff"], version=version, org_unit=street, data=DATA)
    on_heping = form_services.submission_create(
        actor=users["heping_staff"], version=version, org_unit=communities["heping"], data=DATA
    )
    return on_street, on_heping


def readers(users, submission) -> set[str]:
    visible = {
        name for name, user in users.items()
        if form_selectors.submissions_for_user(user).filter(pk=submission.pk).exists()
    }
    allowed = {name for name, user in users.items() if permissions.can_view_submission(user, submission)}
    assert visible == allowed  # the selector and the predicate draw the same line
    return visible


def test_a_submission_filed_against_the_street_is_read_by_its_filer_and_the_street_roles_only(users, filed):
    on_street, _ = filed

    seen = readers(users, on_street)

    assert {"heping_staff", "shaping_reviewer", "shaping_leader"} <= seen
    assert not {"fenghuang_secretary", "gubu_staff", "heping_secretary", "resident_li", "resident_chen"} & seen


def test_a_community_submission_is_read_by_its_work_roles_and_the_street_but_not_its_residents(users, filed):
    _, on_heping = filed

    seen = readers(users, on_heping)

    assert {"heping_staff", "heping_secretary", "heping_committee1", "shaping_reviewer"} <= seen
    assert not {"resident_li", "fenghuang_secretary", "gubu_staff", "resident_chen"} & seen


def test_residents_read_a_community_submission_when_its_purpose_is_public(users, filed, monkeypatch):
    _, on_heping = filed
    monkeypatch.setattr(form_models, "PUBLIC_PURPOSES", frozenset({on_heping.version.definition.purpose}))
    monkeypatch.setattr(form_selectors, "PUBLIC_PURPOSES", form_models.PUBLIC_PURPOSES)

    seen = readers(users, on_heping)

    assert "resident_li" in seen and "resident_chen" not in seen


@pytest.mark.parametrize("username", ["fenghuang_secretary", "resident_li"])
def test_the_page_and_the_export_of_a_street_submission_are_closed_to_a_community_and_residents(
    client, api_for, users, filed, username
):
    on_street, on_heping = filed
    client.force_login(users[username])

    assert client.get(f"/forms/submissions/{on_street.pk}/").status_code == 404
    assert client.get(f"/forms/submissions/{on_heping.pk}/").status_code == 404
    export = api_for(users[username]).get(f"/api/exports/submissions.xlsx?form={FORM}")
    assert export.status_code in (200, 400, 404)
    if export.status_code == 200:
        from tests.spreadsheets_tests.conftest import body, read_sheets

        rows = read_sheets(body(export))["提交记录"]
        ids = {row[0] for row in rows}
        assert on_street.pk not in ids and on_heping.pk not in ids


def test_the_street_reviewer_opens_the_street_submission_page(client, users, filed):
    on_street, _ = filed
    client.force_login(users["shaping_reviewer"])

    assert client.get(f"/forms/submissions/{on_street.pk}/").status_code == 200
