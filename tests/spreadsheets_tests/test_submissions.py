"""Form submissions: columns from the schema, detail tables on their own sheet, builder-validated import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms import selectors as form_selectors
from forms import services as form_services
from forms.models import FormSubmission

from .conftest import body, build_sheet, read_sheets

FORM = "shaping-expense-extra"


@pytest.fixture
def version(users):
    return form_selectors.published_form_get_for_user(user=users["heping_staff"], code=FORM)


@pytest.fixture
def submitted(users, communities, version):
    staff = users["heping_staff"]
    first = form_services.submission_create(
        actor=staff, version=version, org_unit=communities["heping"],
        data={"invoice_no": "INV-0000001", "project_type": "goods",
              "items": [{"name": "=打印纸", "quantity": 2, "unit_price": "25.50"}, {"name": "墨盒", "quantity": 1, "unit_price": "80.00"}]},
    )
    other = form_services.submission_create(
        actor=users["gubu_staff"], version=version, org_unit=communities["gubu"],
        data={"invoice_no": "INV-0000002", "project_type": "service", "items": []},
    )
    return first, other


def test_a_submissions_export_has_schema_columns_and_a_detail_sheet_keyed_by_submission(api_for, users, submitted):
    first, _other = submitted
    response = api_for(users["heping_secretary"]).get(f"/api/exports/submissions.xlsx?form={FORM}")
    assert response.status_code == 200, response.content
    sheets = read_sheets(body(response))
    main = sheets["提交记录"]
    header_at = next(i for i, row in enumerate(main) if row[0] == "提交编号")
    header = main[header_at]
    assert header[:4] == ["提交编号", "提交人", "组织单位", "提交时间"]
    assert {"发票号", "项目类型", "明细合计"} <= set(header)
    rows = main[header_at + 1 :]
    assert [row[0] for row in rows] == [first.pk]  # the gubu submission is outside this user's scope
    record = dict(zip(header, rows[0], strict=True))
    assert record["项目类型"] == "物资采购" and record["明细合计"] == 131.0
    detail = sheets["明细"]
    assert detail[0][:4] == ["提交编号", "名称", "数量", "单价"]
    assert [(row[0], row[1], row[3]) for row in detail[1:]] == [(first.pk, "=打印纸", 25.5), (first.pk, "墨盒", 80.0)]


def test_an_unknown_form_or_version_is_a_400(api_for, users, submitted):
    client = api_for(users["heping_secretary"])
    assert client.get("/api/exports/submissions.xlsx").status_code == 400
    assert client.get("/api/exports/submissions.xlsx?form=nope").status_code == 400
    assert client.get(f"/api/exports/submissions.xlsx?form={FORM}&version=99").status_code == 400


def upload(client, data):
    return client.post(
        f"/api/imports/submissions/?form={FORM}", {"file": SimpleUploadedFile("s.xlsx", data)}, format="multipart"
    )


def test_submissions_import_validates_every_row_with_the_form_builder(api_for, users, version):
    client = api_for(users["heping_staff"])
    template = read_sheets(body(client.get(f"/api/imports/submissions/template.xlsx?form={FORM}")))
    headers = list(template.values())[0][0]
    assert "发票号" in headers and "明细" not in headers
    column = {h: i for i, h in enumerate(headers)}

    def row(invoice, kind, approval=None):
        values = [None] * len(headers)
        values[column["发票号"]] = invoice
        values[column["项目类型"]] = kind
        if approval:
            values[column["工程立项批复文号"]] = approval
        return values

    before = FormSubmission.objects.count()
    bad = upload(client, build_sheet(headers, [row("INV-0000003", "物资采购"), row("短", "工程类"), row("INV-0000005", "火箭")]))
    assert bad.status_code == 400
    errors = {(e["row"], e["column"]) for e in bad.json()["errors"]}
    # A bad pattern, a required-if field missing (工程类 needs the approval number), a bad choice.
    assert {(3, "发票号"), (3, "工程立项批复文号"), (4, "项目类型")} <= errors
    assert FormSubmission.objects.count() == before

    good = upload(client, build_sheet(headers, [row("INV-0000003", "物资采购"), row("INV-0000004", "engineering", "鹤沙建〔2026〕1号")]))
    assert good.status_code == 200, good.content
    assert good.json() == {"created": 2}
    created = FormSubmission.objects.filter(version=version).order_by("-id")[:2]
    assert {s.data["project_type"] for s in created} == {"goods", "engineering"}


def test_an_admin_asking_for_an_unknown_form_gets_a_400_not_a_server_error(api_for, users):
    response = api_for(users["admin"]).get("/api/exports/submissions.xlsx?form=no-such-form")
    assert response.status_code == 400
    assert "form" in response.json()


def test_a_version_given_as_a_non_ascii_digit_is_a_400_not_a_server_error(api_for, users, submitted):
    response = api_for(users["heping_secretary"]).get(f"/api/exports/submissions.xlsx?form={FORM}&version=²")
    assert response.status_code == 400
    assert "version" in response.json()
