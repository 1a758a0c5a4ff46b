import pytest

from workflows.ledger.models import LedgerLine


def a_line_of(community):
    return LedgerLine.objects.filter(community=community).order_by("id").first()


def test_a_line_of_your_community_is_readable(api_for, users, heping):
    line = a_line_of(heping)

    response = api_for(users["heping_committee2"]).get(f"/api/ledger/{line.id}/")

    assert response.status_code == 200
    assert response.data["id"] == line.id
    assert response.data["amount"] == f"{line.amount:.2f}"


@pytest.mark.parametrize("username", ["heping_secretary", "heping_staff", "resident_li"])
def test_another_communitys_line_is_a_404_like_a_missing_one(api_for, users, fenghuang, username):
    client = api_for(users[username])
    line = a_line_of(fenghuang)

    other = client.get(f"/api/ledger/{line.id}/")
    missing = client.get("/api/ledger/987654321/")

    assert other.status_code == missing.status_code == 404
    assert other.data == missing.data


def test_no_one_acts_on_another_communitys_line(api_for, users, fenghuang):
    line = a_line_of(fenghuang)

    response = api_for(users["heping_secretary"]).post(f"/api/ledger/{line.id}/reverse/", {"reason": "x"}, format="json")

    assert response.status_code == 404
    assert not LedgerLine.objects.filter(reverses=line).exists()


def test_street_roles_read_every_communitys_lines(api_for, users, communities):
    client = api_for(users["shaping_leader"])

    for community in communities.values():
        assert client.get(f"/api/ledger/{a_line_of(community).id}/").status_code == 200


def test_a_resident_reads_but_cannot_reverse(api_for, users, heping):
    line = a_line_of(heping)
    client = api_for(users["resident_li"])

    assert client.get(f"/api/ledger/{line.id}/").status_code == 200
    assert client.post(f"/api/ledger/{line.id}/reverse/", {"reason": "错了"}, format="json").status_code == 404
    assert not LedgerLine.objects.filter(reverses=line).exists()
