import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.expenses_tests.helpers import act, file

pytestmark = pytest.mark.django_db


def _list_queries(api) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/api/expenses/")
    assert response.status_code == 200
    return len(captured), response.json()


def test_the_expense_list_api_costs_the_same_queries_for_three_rows_as_for_thirty(users, communities, api_for):
    api = api_for(users["shaping_leader"])
    for _ in range(3):
        act(file(users, communities), users["heping_secretary"])
    few, body = _list_queries(api)
    few_count = body["count"]
    assert few_count >= 3 and body["results"][0]["route"][0]["status"] == "passed"
    for _ in range(27):
        act(file(users, communities), users["heping_secretary"])
    many, body = _list_queries(api)
    assert body["count"] == few_count + 27 and body["results"][0]["route"][0]["status"] == "passed"
    assert many <= few, f"{few} queries for the short list, {many} for the long one"
