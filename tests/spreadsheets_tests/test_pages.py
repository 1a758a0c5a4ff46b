"""The spreadsheets page: links per permission, inline import errors, direct and queued exports."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from spreadsheets.models import Job
from workflows.org.models import Room

from .conftest import build_sheet, read_sheets
from .test_rooms import ACTIVITY, HEADERS


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_what_the_user_may_export_and_import_in_chinese(users):
    page = client_for(users["heping_secretary"]).get("/spreadsheets/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "表格导入导出" in html and 'data-testid="export-ledger"' in html and 'data-testid="upload-rooms"' in html
    assert 'data-testid="export-users"' not in html  # administrators only
    resident = client_for(users["resident_li"]).get("/spreadsheets/").content.decode()
    assert 'data-testid="upload-rooms"' not in resident
    assert client_for(users["heping_secretary"]).get("/spreadsheets/export/users/").status_code == 404


def test_a_bad_upload_shows_the_errors_inline_with_the_error_workbook_link(users):
    client = client_for(users["heping_secretary"])
    before = Room.objects.count()
    data = build_sheet(HEADERS, [["和平社区", "", ACTIVITY, "很大", "", "", "是", ""]])
    page = client.post("/spreadsheets/import/rooms/", {"file": SimpleUploadedFile("r.xlsx", data)})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'data-testid="row-errors"' in html and "场室名称" in html and 'data-testid="error-workbook"' in html
    assert Room.objects.count() == before
    job = Job.objects.get(owner=users["heping_secretary"])
    report = client.get(f"/api/jobs/{job.pk}/download/")
    assert "错误" in read_sheets(b"".join(report.streaming_content))

    page = client.post("/spreadsheets/import/rooms/", {"file": SimpleUploadedFile("r.xlsx", b"not a workbook")})
    assert page.status_code == 400 and "不是 Excel 工作簿" in page.content.decode()


def test_a_good_upload_reports_the_count_and_a_large_export_redirects_to_its_job(users, settings):
    client = client_for(users["heping_secretary"])
    data = build_sheet(HEADERS, [["和平社区", "页面导入", ACTIVITY, 20, "", "", "否", ""]])
    page = client.post("/spreadsheets/import/rooms/", {"file": SimpleUploadedFile("r.xlsx", data)})
    assert page.status_code == 200 and 'data-testid="import-created"' in page.content.decode()
    assert Room.objects.filter(name="页面导入").exists()

    settings.EXPORT_SYNC_MAX_ROWS = 0
    response = client.get("/spreadsheets/export/rooms/")
    job = Job.objects.filter(operation="export").get()
    assert response.status_code == 302 and response["Location"].endswith(f"?job={job.pk}")
    assert f'data-job="{job.pk}"' in client.get(response["Location"]).content.decode()


def test_a_job_is_labelled_in_the_readers_language(users, demo):
    from spreadsheets.api import job_data
    from spreadsheets.models import Job

    job = Job.objects.create(owner=users["admin"], operation="import", kind="rooms")
    data = job_data(job)
    assert data["label"] == f"导入 · 场室 · #{job.pk}"  # not "import · rooms · #1"
    assert data["state_label"] == "排队中"


def test_the_submissions_export_asks_which_form_instead_of_answering_400(users, demo):
    from django.test import Client

    client = Client()
    client.force_login(users["heping_secretary"])
    page = client.get("/spreadsheets/").content.decode()
    assert 'data-testid="export-form-submissions"' in page and 'name="form" required' in page
    assert 'value="shaping-expense-extra"' in page
    response = client.get("/spreadsheets/export/submissions/", {"form": "shaping-expense-extra"})
    assert response.status_code in (200, 302)
