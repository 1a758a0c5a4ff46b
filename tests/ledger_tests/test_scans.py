from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from workflows.ledger import services


@pytest.fixture
def paid_with_scan(users, heping, yesterday, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return services.expense_post(
        actor=users["heping_staff"], community=heping, amount=Decimal("320.00"), date=yesterday,
        category="micro_wish", payee="新华书店", purpose="微心愿：书包", voucher_number="PZ-7",
        # No process behind it: a fixed source id would collide with a payment the demo itself posts.
        source_type="", source_id=None,
        scan=SimpleUploadedFile("voucher.pdf", b"%PDF-1.4 scan", content_type="application/pdf"),
    )


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("username", ["heping_staff", "heping_secretary", "heping_committee1", "shaping_reviewer"])
def test_the_books_keepers_and_the_street_open_the_voucher_scan(client, users, paid_with_scan, username):
    client.force_login(users[username])

    response = client.get(f"/ledger/{paid_with_scan.id}/scan/")

    assert response.status_code == 200
    assert content_of(response) == b"%PDF-1.4 scan"


@pytest.mark.parametrize("username", ["resident_li", "fenghuang_secretary", "resident_chen"])
def test_residents_and_other_communities_do_not_get_the_scan(client, users, paid_with_scan, username):
    client.force_login(users[username])

    assert client.get(f"/ledger/{paid_with_scan.id}/scan/").status_code == 404


def test_the_api_links_the_scan_only_for_those_who_may_open_it(api_for, users, paid_with_scan):
    url = f"/api/ledger/{paid_with_scan.id}/"

    staff_view = api_for(users["heping_staff"]).get(url).data
    resident_view = api_for(users["resident_li"]).get(url).data

    assert staff_view["scan"].endswith(f"/ledger/{paid_with_scan.id}/scan/")
    assert resident_view["scan"] is None
    assert resident_view["amount"] == "320.00"


def test_a_line_without_a_scan_has_no_scan_download(client, users, heping, record_income):
    line = record_income(heping)
    client.force_login(users["heping_staff"])

    assert client.get(f"/ledger/{line.id}/scan/").status_code == 404


@pytest.mark.django_db(transaction=True)  # the async client's view runs in another thread: data must be committed
async def test_under_asgi_the_scan_streams_in_chunks_instead_of_being_read_whole(async_client, users, paid_with_scan):
    await async_client.aforce_login(users["heping_staff"])

    response = await async_client.get(f"/ledger/{paid_with_scan.id}/scan/")

    assert response.status_code == 200
    # An asynchronous iterator: Django's ASGI handler would otherwise read the whole file into
    # memory first ("must consume synchronous iterators").
    assert response.is_async
    assert b"".join([chunk async for chunk in response.streaming_content]) == b"%PDF-1.4 scan"
    assert response["Content-Length"] == str(len(b"%PDF-1.4 scan"))
