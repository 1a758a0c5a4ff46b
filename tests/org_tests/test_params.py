"""Ids typed by people or clients never become a 500, wherever they arrive."""

import pytest

from project.params import parse_id


@pytest.mark.parametrize(
    "raw, expected",
    [("42", 42), (" 7 ", 7), (42, 42), ("²", None), ("0", None), ("-3", None), (True, None),
     ("99999999999999999999", None), (2**63, None), ("4.5", None), ("", None), (None, None), ([1], None)],
)
def test_parse_id_accepts_only_positive_ascii_whole_numbers_that_fit_the_database(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize("value", ["²", "abc", "1.5"])
def test_the_expense_list_answers_a_malformed_community_with_a_400(demo, api_for, users, value):
    response = api_for(users["shaping_reviewer"]).get("/api/expenses/", {"community": value})
    assert response.status_code == 400 and "community" in response.json()


@pytest.mark.parametrize("value, status", [("²", 400), ("abc", 400), ("99999999999999999999", 404), (-5, 404)])
def test_recording_income_for_a_malformed_or_impossible_community_is_never_a_500(demo, api_for, users, value, status):
    body = {"community": value, "source": "operating", "amount": "10.00", "date": "2026-05-01"}
    response = api_for(users["heping_staff"]).post("/api/ledger/income/", body, format="json")
    assert response.status_code == status


@pytest.mark.parametrize("key", ["limit", "offset"])
def test_ledger_paging_with_unicode_digits_is_a_400(demo, api_for, users, key):
    response = api_for(users["heping_staff"]).get("/api/ledger/", {key: "²"})
    assert response.status_code == 400 and key in response.json()


def _every_route():
    """Every URL pattern of the project as text ("api/rooms/<int:pk>/", "^api/x/(?P<pk>[^/.]+)/$")."""
    from django.urls import URLResolver, get_resolver

    def walk(resolver, prefix):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return list(walk(get_resolver(), ""))


def _with_ids(route: str, value: str) -> str | None:
    """The route with every id placeholder filled with `value`; None when it has other parameters."""
    import re

    path = re.sub(r"<int:\w+>", value, route)
    path = re.sub(r"\(\?P<(pk|id)>[^)]*\)", value, path)
    path = path.replace("^", "").replace("$", "")
    if value not in path or re.search(r"[<(\\\[]", path):
        return None
    return "/" + path


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808"])
def test_an_id_beyond_the_database_in_any_url_is_a_404_never_a_500(demo, client, users, value):
    paths = sorted({p for p in (_with_ids(route, value) for route in _every_route()) if p})
    assert len(paths) >= 10, paths  # the walk found the project's id routes
    client.force_login(users["admin"])
    failures = {}
    for path in paths:
        status = client.get(path).status_code
        if status not in (404, 405):
            failures[path] = status
    assert not failures


def test_room_filters_with_unicode_or_huge_ids_are_refused_or_ignored_never_a_500(demo, api_for, client, users):
    api = api_for(users["heping_secretary"])
    for value in ("²", "99999999999999999999", "0"):
        response = api.get("/api/rooms/", {"community": value})
        assert response.status_code == 400 and "community" in response.json()
    client.force_login(users["heping_secretary"])
    assert client.get("/rooms/", {"community": "99999999999999999999"}).status_code == 200


def test_exports_refuse_a_community_id_beyond_the_database(demo, api_for, users):
    api = api_for(users["heping_secretary"])
    for value in ("99999999999999999999", "²"):
        response = api.get("/api/exports/rooms.xlsx", {"community": value})
        assert response.status_code == 400 and "community" in response.json()


HUGE = 99999999999999999999


@pytest.mark.parametrize("value", [HUGE, 0, -1])
def test_ids_beyond_the_database_in_request_bodies_are_a_400_never_a_500(demo, api_for, users, value):
    staff = api_for(users["heping_staff"])
    body = {"community": value, "amount": "10.00", "category": "utilities", "payee": "x", "purpose": "y"}
    assert staff.post("/api/expenses/", body, format="json").status_code == 400
    body = {**body, "community": users["heping_staff"].memberships.get().org_unit_id, "cc": [value]}
    assert staff.post("/api/expenses/", body, format="json").status_code == 400
    admin = api_for(users["admin"])
    created = admin.post("/api/forms/designer/definitions/",
                         {"code": "huge-owner", "name": "x", "purpose": "inquiry", "owner": value}, format="json")
    assert created.status_code == 400 and "owner" in created.json()
    policy = admin.post("/api/expense-policies/", {"street": value, "effective_from": "2027-01-01", "rows": []},
                        format="json")
    assert policy.status_code == 400 and "street" in policy.json()


def test_filing_an_expense_for_a_missing_or_foreign_community_is_a_404(demo, api_for, users, communities):
    staff = api_for(users["heping_staff"])
    body = {"amount": "10.00", "category": "utilities", "payee": "x", "purpose": "y"}
    assert staff.post("/api/expenses/", {**body, "community": 999999}, format="json").status_code == 404
    foreign = staff.post("/api/expenses/", {**body, "community": communities["fenghuang"].pk}, format="json")
    assert foreign.status_code == 404 and "community" not in foreign.json()
    resident = api_for(users["resident_li"])
    assert resident.post("/api/expenses/", {**body, "community": communities["heping"].pk}, format="json").status_code == 404
