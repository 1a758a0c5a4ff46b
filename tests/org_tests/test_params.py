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
