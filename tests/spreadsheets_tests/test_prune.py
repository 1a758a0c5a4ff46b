"""Finished jobs and their files are deleted after JOB_RETENTION_DAYS; unfinished ones never."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from spreadsheets.models import Job
from spreadsheets.states import JobState

pytestmark = pytest.mark.django_db


def make_job(owner, *, state: str, ended_days_ago: float | None, with_files: bool = True) -> Job:
    job = Job.objects.create(owner=owner, operation=Job.Operation.IMPORT, kind="rooms")
    if state in (JobState.RUNNING, JobState.DONE):
        job.start()
    if state == JobState.DONE:
        job.finish()
    elif state == JobState.FAILED:
        job.fail()
    if ended_days_ago is not None:
        job.finished_at = timezone.now() - dt.timedelta(days=ended_days_ago)
    if with_files:
        job.source.save("upload.xlsx", ContentFile(b"source"), save=False)
        job.result.save("result.xlsx", ContentFile(b"result"), save=False)
    job.save()
    return job


def stored(job: Job) -> list[bool]:
    return [f.storage.exists(f.name) for f in (job.source, job.result)]


def test_finished_jobs_past_the_retention_go_with_their_files_and_others_stay(
    users, settings, django_capture_on_commit_callbacks
):
    settings.JOB_RETENTION_DAYS = 14
    owner = users["heping_secretary"]
    old_done = make_job(owner, state=JobState.DONE, ended_days_ago=15)
    old_failed = make_job(owner, state=JobState.FAILED, ended_days_ago=30)
    recent_done = make_job(owner, state=JobState.DONE, ended_days_ago=13)
    running = make_job(owner, state=JobState.RUNNING, ended_days_ago=None)
    queued_long_ago = make_job(owner, state=JobState.QUEUED, ended_days_ago=None)
    Job.objects.filter(pk=queued_long_ago.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    assert stored(old_done) == [True, True]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("prune_jobs", stdout=open("/dev/null", "w"))

    remaining = set(Job.objects.filter(owner=owner).values_list("pk", flat=True))
    assert remaining == {recent_done.pk, running.pk, queued_long_ago.pk}
    assert stored(old_done) == [False, False] and stored(old_failed) == [False, False]
    assert stored(recent_done) == [True, True] and stored(running) == [True, True]


def test_the_files_stay_when_the_deleting_transaction_fails(users, django_capture_on_commit_callbacks, monkeypatch):
    from spreadsheets import services

    old = make_job(users["heping_secretary"], state=JobState.DONE, ended_days_ago=20)

    def refuse(*args, **kwargs):
        raise RuntimeError("the database refused the delete")

    monkeypatch.setattr(services.Job.objects, "filter", refuse)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.jobs_prune(older_than=dt.timedelta(days=14))
    monkeypatch.undo()
    assert Job.objects.filter(pk=old.pk).exists() and stored(old) == [True, True]


@pytest.mark.django_db(transaction=True)  # the loop closes old connections, as in production
def test_the_timer_loop_prunes_on_its_first_sweep(users, capsys):
    old = make_job(users["heping_secretary"], state=JobState.DONE, ended_days_ago=20)
    call_command("run_timers", once=True)
    assert not Job.objects.filter(pk=old.pk).exists()
    assert not old.source.storage.exists(old.source.name)
    assert "pruned 1 spreadsheet jobs" in capsys.readouterr().out
