"""Income is recorded with the street's published income.extra form, as expenses are filed with
expense.extra: its fields on the page and in the API, validated by the forms builder, kept on the
line with the version they were validated against, and read only by the books' keepers."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.demo_inputs import INCOME_EXTRA
from workflows.ledger.categories import IncomeSource
from workflows.ledger.models import LedgerLine

URL = "/api/ledger/income/"
OPERATING = str(IncomeSource.OPERATING.label)


def body(community, **overrides):
    data = {"community": community.id, "source": "government_purchase", "amount": "3000.00",
            "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "counterparty": "鹤山市沙坪街道办事处"}
    data.update(overrides)
    return data


def test_the_income_form_asks_the_published_extra_fields_with_their_required_marks(client, users):
    client.force_login(users["heping_staff"])
    html = client.get("/ledger/").content.decode()

    assert 'data-testid="income-extra"' in html and "收入登记补充信息" in html
    assert 'enctype="multipart/form-data"' in html  # the voucher attachment can be sent
    for key in ("receipt_no", "payer_type"):
        assert f'name="extra-{key}"' in html
        assert f'data-required-for="{key}" aria-hidden="true"' in html  # the * is shown
    assert 'name="extra-voucher"' in html and 'type="file"' in html
    # The contract number is asked only for a government payer (shown by logic.js, checked by the server).
    assert 'name="extra-purchase_contract"' in html
    assert 'src="/static/lowcode/logic.js"' in html


def test_income_without_the_required_extra_fields_is_refused_inline_and_writes_nothing(client, users, heping):
    client.force_login(users["heping_staff"])
    before = LedgerLine.objects.count()

    response = client.post("/ledger/income/", {"community": heping.id, "source": "operating", "amount": "1.234",
                                               "date": timezone.localdate().isoformat()})

    html = response.content.decode()
    assert response.status_code == 400
    # Core and extra errors are reported together, each beside its input.
    assert 'data-field-error="amount"' in html
    assert 'data-error-for="receipt_no"' in html and 'data-error-for="payer_type"' in html
    assert LedgerLine.objects.count() == before


def test_the_api_records_the_extra_fields_on_the_line_with_the_form_version(api_for, users, heping):
    extra = {"receipt_no": "SP-SJ-2026-0201", "payer_type": "government", "purchase_contract": "SPJD-GM-2026-201"}
    response = api_for(users["heping_staff"]).post(URL, body(heping, extra=extra), format="json")

    assert response.status_code == 201, response.json()
    line = LedgerLine.objects.get(pk=response.json()["id"])
    assert line.extra == extra
    assert (line.extra_form.definition.code, line.extra_form.state) == ("shaping-income-extra", "published")
    assert response.json()["extra"] == extra
    assert response.json()["extra_form"] == {"code": "shaping-income-extra", "version": line.extra_form.number}


def test_the_api_refuses_missing_or_conditional_extra_fields_with_field_messages(api_for, users, heping):
    api = api_for(users["heping_staff"])
    before = LedgerLine.objects.count()

    missing = api.post(URL, body(heping), format="json")
    government = api.post(URL, body(heping, extra={"receipt_no": "R-1", "payer_type": "government"}), format="json")
    unknown = api.post(URL, body(heping, extra={**INCOME_EXTRA, "bank_account": "1"}), format="json")
    not_an_object = api.post(URL, body(heping, extra=["R-1"]), format="json")

    assert missing.status_code == 400 and set(missing.json()) == {"extra.receipt_no", "extra.payer_type"}
    assert government.status_code == 400 and set(government.json()) == {"extra.purchase_contract"}
    assert unknown.status_code == 400 and set(unknown.json()) == {"extra.bank_account"}
    assert not_an_object.status_code == 400 and set(not_an_object.json()) == {"extra"}
    assert LedgerLine.objects.count() == before


def test_a_multipart_post_attaches_the_voucher_through_the_upload_policy(api_for, users, heping, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    api = api_for(users["heping_staff"])
    fields = {**body(heping, source="donation"), "extra-receipt_no": "SP-SJ-2026-0301", "extra-payer_type": "enterprise"}

    disguised = api.post(URL, {**fields, "extra-voucher": SimpleUploadedFile("凭证.pdf", b"MZ\x90\x00 not a pdf")},
                         format="multipart")
    assert disguised.status_code == 400 and set(disguised.json()) == {"extra.voucher"}
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []

    response = api.post(URL, {**fields, "extra-voucher": SimpleUploadedFile("凭证.pdf", b"%PDF-1.4 receipt")},
                        format="multipart")
    assert response.status_code == 201, response.json()
    line = LedgerLine.objects.get(pk=response.json()["id"])
    assert line.extra["receipt_no"] == "SP-SJ-2026-0301" and line.extra["voucher"]["name"] == "凭证.pdf"
    stored = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == b"%PDF-1.4 receipt"
    assert "凭证" not in stored[0].name  # stored under a generated name


def test_a_refused_line_leaves_no_attachment_behind(api_for, users, heping, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = api_for(users["heping_staff"]).post(URL, {
        **body(heping, amount="-5"), "extra-receipt_no": "R-1", "extra-payer_type": "enterprise",
        "extra-voucher": SimpleUploadedFile("凭证.pdf", b"%PDF-1.4 receipt")}, format="multipart")

    assert response.status_code == 400 and set(response.json()) == {"amount"}
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_extra_part_is_shown_to_the_books_keepers_and_not_to_residents(client, api_for, users, heping):
    extra = {"receipt_no": "SP-SJ-2026-0401", "payer_type": "enterprise"}
    created = api_for(users["heping_staff"]).post(URL, body(heping, source="operating", extra=extra), format="json")
    pk = created.json()["id"]

    client.force_login(users["heping_secretary"])
    secretary_page = client.get(f"/ledger/{pk}/").content.decode()
    client.force_login(users["resident_li"])
    resident_page = client.get(f"/ledger/{pk}/")
    resident_api = api_for(users["resident_li"]).get(f"/api/ledger/{pk}/")

    assert 'data-testid="income-extra"' in secretary_page and "SP-SJ-2026-0401" in secretary_page
    assert "企业" in secretary_page  # the choice's label, not its code
    assert resident_page.status_code == 200 and "SP-SJ-2026-0401" not in resident_page.content.decode()
    assert resident_api.status_code == 200
    assert resident_api.json()["extra"] is None and resident_api.json()["extra_form"] is None


def test_the_demo_income_carries_its_receipts(demo):
    lines = LedgerLine.objects.filter(line="income", is_opening_balance=False, reverses__isnull=True,
                                      extra_form__isnull=False)
    government = lines.filter(source="government_purchase").first()

    assert lines.filter(extra__has_key="receipt_no").count() >= 20
    assert government.extra["payer_type"] == "government" and government.extra["purchase_contract"]
    assert government.amount > Decimal("0")


def _sheet(headers: list[str], rows: list[list]) -> bytes:
    import io

    from project.lib.xlsx import Column, ExportBook

    buffer = io.BytesIO()
    with ExportBook(buffer) as book:
        book.table("Sheet1", [Column(f"c{i}", h) for i, h in enumerate(headers)], rows)
    return buffer.getvalue()


def test_an_imported_income_row_fills_the_extra_fields_in_columns_of_their_own(api_for, users, heping, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    headers = ["社区", "收支", "收入来源/支出类别", "金额（元）", "日期", "付款方/收款方", "摘要/用途", "凭证号", "期初余额",
               "收据号", "付款方类型", "政府购买服务合同号"]
    good = ["和平社区", "收入", OPERATING, "120.00", "2026-05-01", "瑜伽工作室", "场地费", "", "否", "SP-SJ-2026-0501", "企业", ""]
    no_receipt = ["和平社区", "收入", OPERATING, "80.00", "2026-05-02", "瑜伽工作室", "场地费", "", "否", "", "企业", ""]
    api = api_for(users["heping_staff"])
    before = LedgerLine.objects.count()

    refused = api.post("/api/imports/ledger/", {"file": SimpleUploadedFile("l.xlsx", _sheet(headers, [good, no_receipt]))},
                       format="multipart")
    assert refused.status_code == 400, refused.content
    assert [(e["row"], e["column"]) for e in refused.json()["errors"]] == [(3, "收据号")]
    assert LedgerLine.objects.count() == before

    imported = api.post("/api/imports/ledger/", {"file": SimpleUploadedFile("l.xlsx", _sheet(headers, [good]))},
                        format="multipart")
    assert imported.status_code == 200, imported.content
    line = LedgerLine.objects.latest("id")
    assert line.extra == {"receipt_no": "SP-SJ-2026-0501", "payer_type": "enterprise"}
    assert line.extra_form.definition.code == "shaping-income-extra"
