import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.expenses_tests.helpers import file
from workflows.expenses import services

pytestmark = pytest.mark.django_db

ROWS = [{"amount_above": "0", "amount_upto": "2000", "steps": ["community_secretary"]},
        {"amount_above": "2000", "steps": ["community_secretary", "street_leader"]}]


def test_editing_the_table_through_the_api_makes_a_new_version(demo, users, communities, api_for):
    before = file(users, communities, amount="1500.00")
    api = api_for(users["admin"])
    response = api.post("/api/expense-policies/", {"street": demo["street"].pk, "effective_from": "2026-01-01",
                                                   "rows": ROWS}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 2
    after = file(users, communities, amount="1500.00")
    assert after.policy.version == 2 and after.steps == ["community_secretary"]
    before.refresh_from_db()
    assert before.policy.version == 1 and before.steps == ["community_secretary", "community_committee"]
    listed = api_for(users["heping_staff"]).get("/api/expense-policies/").json()["results"]
    assert [p["version"] for p in listed] == [2, 1]


def test_only_admins_edit_the_table(demo, users, api_for):
    response = api_for(users["shaping_leader"]).post(
        "/api/expense-policies/", {"street": demo["street"].pk, "effective_from": "2026-01-01", "rows": ROWS}, format="json")
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.policy_create_version(actor=users["heping_staff"], street=demo["street"], effective_from="2026-01-01", rows=ROWS)


@pytest.mark.parametrize("row, message", [
    ({"steps": []}, "steps"),
    ({"steps": ["street_leader", "community_secretary"]}, "order"),
    ({"steps": ["community_secretary"], "colour": "red"}, "colour"),
    ({"steps": ["community_secretary"], "condition": {"unknown": 1}}, "unknown"),
    ({"steps": ["mayor"]}, "steps"),
])
def test_bad_rows_are_refused_with_a_message(demo, users, row, message):
    with pytest.raises(ValidationError) as exc:
        services.policy_create_version(actor=users["admin"], street=demo["street"], effective_from="2026-01-01", rows=[row])
    assert message in str(exc.value.message_dict["rows"])


def test_a_row_condition_is_stored_and_steers_the_route(demo, users, communities):
    # Evaluated by the forms condition engine over the expense.extra fields (see
    # tests/forms_tests/test_expense_binding.py for the full binding).
    rows = [{"amount_above": "0", "steps": ["community_secretary", "street_reviewer"],
             "condition": {"field": "project_type", "op": "eq", "value": "engineering"}},
            {"amount_above": "0", "steps": ["community_secretary"]}]
    policy = services.policy_create_version(actor=users["admin"], street=demo["street"], effective_from="2026-01-01", rows=rows)
    assert policy.rules.get(position=1).condition == {"field": "project_type", "op": "eq", "value": "engineering"}
    assert file(users, communities, amount="99999.00").steps == ["community_secretary"]


def _admin_form(street_id, rows, *, initial=0):
    data = {"street": street_id, "effective_from": "2026-06-01", "note": "第2版",
            "rules-TOTAL_FORMS": str(len(rows)), "rules-INITIAL_FORMS": str(initial),
            "rules-MIN_NUM_FORMS": "0", "rules-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rules-{i}-{key}"] = value
    return data


def test_the_admin_page_saves_every_edit_as_a_new_version(demo, users, client):
    from workflows.expenses.models import AuthorityPolicy

    client.force_login(users["admin"])
    v1 = AuthorityPolicy.objects.get(version=1)
    rows = [{"id": r.pk, "policy": v1.pk, "position": r.position, "category": r.category, "amount_above": r.amount_above,
             "amount_upto": r.amount_upto or "", "steps": '["community_secretary"]', "condition": "null"}
            for r in v1.rules.order_by("position")]
    response = client.post(f"/admin/expenses/authoritypolicy/{v1.pk}/change/", _admin_form(demo["street"].pk, rows, initial=len(rows)))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(AuthorityPolicy.objects.order_by("version").values_list("version", flat=True)) == [1, 2]
    assert v1.rules.get(position=4).steps[-1] == "street_leader"  # version 1 untouched
    v2 = AuthorityPolicy.objects.get(version=2)
    assert [r.steps for r in v2.rules.order_by("position")] == [["community_secretary"]] * 4
