from decimal import Decimal

import pytest

from workflows.ledger.models import ImmutableLine, LedgerLine


@pytest.fixture
def line(heping, record_income):
    return record_income(heping, "1000.00")


def test_saving_an_existing_line_is_refused(line):
    line.amount = Decimal("1.00")

    with pytest.raises(ImmutableLine):
        line.save()

    assert LedgerLine.objects.get(pk=line.pk).amount == Decimal("1000.00")


def test_deleting_a_line_is_refused(line):
    with pytest.raises(ImmutableLine):
        line.delete()

    assert LedgerLine.objects.filter(pk=line.pk).exists()


def test_bulk_update_and_delete_are_refused(line):
    with pytest.raises(ImmutableLine):
        LedgerLine.objects.filter(pk=line.pk).update(amount=Decimal("1.00"))
    with pytest.raises(ImmutableLine):
        LedgerLine.objects.filter(pk=line.pk).delete()

    assert LedgerLine.objects.get(pk=line.pk).amount == Decimal("1000.00")


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("username", ["heping_secretary", "admin"])
def test_the_api_has_no_way_to_change_a_line(api_for, users, line, method, username):
    client = api_for(users[username])

    response = getattr(client, method)(f"/api/ledger/{line.id}/", {"amount": "1.00"}, format="json")

    assert response.status_code == 405
    assert LedgerLine.objects.get(pk=line.pk).amount == Decimal("1000.00")


def test_the_admin_can_neither_add_nor_change_nor_delete_a_line(rf, users, line):
    from django.contrib import admin

    request = rf.get("/admin/ledger/ledgerline/")
    request.user = users["admin"]
    model_admin = admin.site._registry[LedgerLine]

    assert model_admin.has_view_permission(request, line)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, line)
    assert not model_admin.has_delete_permission(request, line)
