"""Background jobs: queued rows that survive a restart, progress pushes, owner-only access."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from spreadsheets.models import Job
from spreadsheets.progress import job_report
from workflows.org.models import Room

from .conftest import body, build_sheet, read_sheets, run_worker
from .test_rooms import ACTIVITY, HEADERS

# The worker takes its own (exclusive) transactions, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def secretary(users):
    return users["heping_secretary"]


def test_a_large_export_is_queued_survives_a_restart_and_is_downloaded_by_its_owner_only(
    api_for, secretary, users, settings
):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    response = api_for(secretary).get("/api/exports/rooms.xlsx")
    assert response.status_code == 202
    job_id = response.json()["job"]

    # Nothing runs it yet: the job and its queue row are rows in the database, so a restart
    # of the web process loses nothing.
    job = Job.objects.get(pk=job_id)
    assert job.state == "queued"
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
    status = api_for(secretary).get(f"/api/jobs/{job_id}/").json()
    assert (status["state"], status["progress"], status["download"]) == ("queued", 0, None)

    run_worker()

    status = api_for(secretary).get(f"/api/jobs/{job_id}/").json()
    assert (status["state"], status["progress"], status["error"]) == ("done", 100, "")
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    download = api_for(secretary).get(status["download"])
    assert download.status_code == 200
    rows = read_sheets(body(download))["场室"]
    assert HEADERS in rows

    other = api_for(users["gubu_secretary"])
    assert other.get(f"/api/jobs/{job_id}/").status_code == 404
    assert other.get(status["download"]).status_code == 404
    assert api_for(secretary).get("/api/jobs/999999/").status_code == 404


def test_a_large_import_runs_as_a_job_and_writes_its_rows(api_for, secretary, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 0
    data = build_sheet(HEADERS, [["和平社区", f"后台{i}", ACTIVITY, 10, "", "", "是", ""] for i in range(30)])
    response = api_for(secretary).post(
        "/api/imports/rooms/", {"file": SimpleUploadedFile("r.xlsx", data)}, format="multipart"
    )
    assert response.status_code == 202
    job_id = response.json()["job"]
    assert Room.objects.filter(name__startswith="后台").count() == 0
    run_worker()
    status = api_for(secretary).get(f"/api/jobs/{job_id}/").json()
    assert (status["state"], status["created"]) == ("done", 30)
    assert Room.objects.filter(name__startswith="后台").count() == 30


def test_a_large_import_with_a_bad_row_fails_writes_nothing_and_offers_the_error_workbook(api_for, secretary, settings):
    settings.IMPORT_SYNC_MAX_BYTES = 0
    rows = [["和平社区", f"后台{i}", ACTIVITY, 10, "", "", "是", ""] for i in range(5)]
    rows.append(["和平社区", "坏行", ACTIVITY, "很大", "", "", "是", ""])
    response = api_for(secretary).post(
        "/api/imports/rooms/", {"file": SimpleUploadedFile("r.xlsx", build_sheet(HEADERS, rows))}, format="multipart"
    )
    job_id = response.json()["job"]
    run_worker()
    status = api_for(secretary).get(f"/api/jobs/{job_id}/").json()
    assert status["state"] == "failed"
    assert [(e["row"], e["column"]) for e in status["errors"]] == [(7, "面积（㎡）")]
    assert status["error_workbook"] and not status["download"]
    assert Room.objects.filter(name__startswith="后台").count() == 0
    report = read_sheets(body(api_for(secretary).get(status["error_workbook"])))
    assert report["错误"][1][:2] == [7, "面积（㎡）"]


def test_progress_is_pushed_to_the_owners_group_after_commit(demo, secretary):
    layer = get_channel_layer()  # a fresh instance per test (tests/conftest.py)
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"user.{secretary.pk}", channel)
    job = Job.objects.create(owner=secretary, operation=Job.Operation.EXPORT, kind="rooms")
    job_report(job, progress=42)
    message = async_to_sync(layer.receive)(channel)
    assert message == {"type": "job.progress", "job": job.pk, "progress": 42, "state": "queued"}
    assert Job.objects.get(pk=job.pk).progress == 42


def test_make_run_starts_a_job_worker_whose_arguments_the_worker_accepts(api_for, secretary, settings):
    import signal

    from django.core.management import call_command

    from project.management.commands.serve import BACKGROUND_LOOPS

    argv = next(loop for loop in BACKGROUND_LOOPS if loop[0] == "db_worker")
    settings.EXPORT_SYNC_MAX_ROWS = 0
    job_id = api_for(secretary).get("/api/exports/rooms.xlsx").json()["job"]
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(*argv, "--batch", verbosity=0)  # the loop's own arguments, run until the queue is empty
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert Job.objects.get(pk=job_id).state == "done"
