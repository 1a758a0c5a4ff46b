"""Voucher scans go through the one upload policy and are served so they can never run script."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.demo_inputs import INCOME_EXTRA
from tests.expenses_tests.helpers import act, file
from workflows.expenses.states import ExpenseState
from workflows.ledger import services as ledger
from workflows.ledger.models import LedgerLine

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
SCRIPTED_HTML = b"<!doctype html><html><body><script>fetch('/api/expenses/1/comment/',{method:'POST'})</script>"
SCRIPTED_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


@pytest.fixture
def approved(users, communities, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ledger.income_record(actor=users["heping_staff"], community=communities["heping"], source="operating",
                         amount=Decimal("5000.00"), date=TODAY, counterparty="场地租金", extra=INCOME_EXTRA)
    return act(file(users, communities, amount="800.00"), users["heping_secretary"])


def pay(api_for, users, request, name, content, content_type):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return api_for(users["heping_staff"]).post(
        f"/api/expenses/{request.pk}/pay/", {"paid_on": TODAY.isoformat(), "voucher_number": "V-1", "scan": upload},
        format="multipart",
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("voucher.html", SCRIPTED_HTML, "text/html"),
        ("voucher.svg", SCRIPTED_SVG, "image/svg+xml"),
        ("voucher.pdf", SCRIPTED_HTML, "application/pdf"),  # the name and the client's type lie
        ("voucher.jpg", SCRIPTED_SVG, "image/jpeg"),
    ],
)
def test_a_scripted_html_or_svg_voucher_is_refused_whatever_its_name(api_for, users, approved, tmp_path, name,
                                                                     content, content_type):
    response = pay(api_for, users, approved, name, content, content_type)

    assert response.status_code == 400
    assert "scan" in response.data
    approved.refresh_from_db()
    assert approved.state == ExpenseState.APPROVED
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    ("name", "content", "mime", "disposition"),
    [("凭证.pdf", PDF, "application/pdf", "inline"), ("photo.jpeg", JPEG, "image/jpeg", "inline")],
)
def test_a_pdf_and_a_jpeg_are_accepted_stored_under_a_generated_name_and_served_with_safe_headers(
    api_for, client, users, approved, name, content, mime, disposition
):
    response = pay(api_for, users, approved, name, content, "application/octet-stream")
    assert response.status_code == 200, response.data
    line = LedgerLine.objects.get(source_type="expense", source_id=approved.pk)
    stored = line.scan.name.rsplit("/", 1)[-1]
    assert name.rsplit(".", 1)[0] not in stored and len(stored.split(".")[0]) == 32

    client.force_login(users["heping_staff"])
    served = client.get(f"/ledger/{line.pk}/scan/")

    assert served.status_code == 200
    assert served["Content-Type"] == mime
    assert served["Content-Disposition"].startswith(disposition)
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "sandbox"
    assert b"".join(served.streaming_content) == content


def test_a_file_stored_before_the_policy_is_downloaded_as_an_opaque_attachment(client, users, approved, tmp_path):
    line = ledger.expense_post(
        actor=users["heping_staff"], community=approved.community, amount=Decimal("1.00"), date=TODAY,
        category="utilities", payee="x", purpose="y", voucher_number="OLD-1", scan=SimpleUploadedFile("a.pdf", PDF),
    )
    (tmp_path / line.scan.name).write_bytes(SCRIPTED_HTML)  # what an old upload could have left on disk
    client.force_login(users["heping_staff"])

    served = client.get(f"/ledger/{line.pk}/scan/")

    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    assert served["Content-Security-Policy"] == "sandbox"


def test_a_scan_over_the_size_cap_of_its_kind_is_refused(api_for, users, approved, settings):
    settings.UPLOAD_MAX_PDF_BYTES = 2048
    response = pay(api_for, users, approved, "big.pdf", PDF + b"0" * 4096, "application/pdf")

    assert response.status_code == 400
    assert "scan" in response.data


def test_the_same_policy_refuses_a_scripted_file_on_the_payment_page(client, users, approved):
    client.force_login(users["heping_staff"])
    response = client.post(
        f"/expenses/{approved.pk}/act/",
        {"action": "pay", "paid_on": TODAY.isoformat(), "voucher_number": "V-2",
         "scan": SimpleUploadedFile("v.html", SCRIPTED_HTML, content_type="text/html")},
        follow=True,
    )
    approved.refresh_from_db()
    assert approved.state == ExpenseState.APPROVED
    assert response.status_code == 200
    assert not LedgerLine.objects.filter(source_type="expense", source_id=approved.pk).exists()
    assert any("pdf" in str(m) for m in response.context["messages"])


def test_the_policy_reads_the_kind_from_the_content():
    from project import uploads

    assert uploads.kind_of_bytes(PDF).name == "pdf"
    assert uploads.kind_of_bytes(JPEG).name == "jpeg"
    assert uploads.kind_of_bytes(SCRIPTED_SVG) is None
    assert uploads.kind_of_bytes(SCRIPTED_HTML) is None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    assert uploads.kind_of_bytes(buffer.getvalue()).name == "xlsx"
