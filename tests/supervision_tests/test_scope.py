"""Who sees the street's pages and API: street roles their street, a community's work roles their
community only (the others absent, not zeroed), residents, partners and anonymous callers 404."""

import pytest

pytestmark = pytest.mark.django_db

STREET_PATHS = ("/street/", "/street/tasks/", "/street/reports/")
API_PATHS = ("/api/street/dashboard/", "/api/street/reports/")


def test_the_leader_sees_every_community_of_the_street(api_for, users, client):
    body = api_for(users["shaping_leader"]).get("/api/street/dashboard/").json()
    assert [c["code"] for c in body["communities"]] == ["fenghuang", "gubu", "yanshan", "guilin", "nanshan", "heping"]
    client.force_login(users["shaping_leader"])
    page = client.get("/street/")
    assert page.status_code == 200
    html = page.content.decode()
    for code in ("fenghuang", "heping"):
        assert f'data-testid="column-{code}"' in html


def test_a_secretary_sees_only_her_community_and_not_a_zeroed_other(api_for, users, client):
    body = api_for(users["heping_secretary"]).get("/api/street/dashboard/").json()
    assert [c["code"] for c in body["communities"]] == ["heping"]
    client.force_login(users["heping_staff"])
    html = client.get("/street/").content.decode()
    assert 'data-testid="column-heping"' in html and 'data-testid="column-fenghuang"' not in html
    assert 'data-testid="street-totals"' not in html


@pytest.mark.parametrize("who", ["resident_li", "partner_ruiteng", None])
def test_residents_partners_and_anonymous_get_404(who, api_for, anon_api, users, client):
    api = api_for(users[who]) if who else anon_api
    if who:
        client.force_login(users[who])
    for path in API_PATHS:
        assert api.get(path).status_code == 404, path
    for path in STREET_PATHS:
        response = client.get(path)
        assert response.status_code == (404 if who else 302), path
    # The workbook is the spreadsheets app's endpoint: it asks a stranger to log in first.
    assert api.get("/api/exports/street_dashboard.xlsx").status_code == (404 if who else 401)


def test_a_street_that_is_not_mine_is_a_404(api_for, users):
    api = api_for(users["shaping_leader"])
    assert api.get("/api/street/dashboard/", {"street": 999999}).status_code == 404
    assert api.get("/api/street/dashboard/", {"street": "x"}).status_code == 400
