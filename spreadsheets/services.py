"""Every write of the spreadsheets area: starting exports and imports, running jobs."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from project.lib import xlsx
from spreadsheets import registry
from spreadsheets.models import Job
from spreadsheets.progress import ProgressCounter, job_report
from spreadsheets.states import JobState

logger = logging.getLogger(__name__)


def import_limits() -> xlsx.Limits:
    return xlsx.Limits(max_rows=settings.IMPORT_MAX_ROWS, max_bytes=settings.IMPORT_MAX_BYTES)


@dataclass
class ExportFile:
    """A finished workbook in a temporary file (deleted when closed)."""

    handle: IO[bytes]
    filename: str


@dataclass
class ImportOutcome:
    created: int = 0
    errors: list[dict] = field(default_factory=list)
    # The failed-import record holding the error workbook, or the queued job of a large import.
    job: Job | None = None

    @property
    def queued(self) -> bool:
        return self.job is not None and self.job.state in (JobState.QUEUED, JobState.RUNNING)


# --- jobs ---------------------------------------------------------------------------------

# The queue task that runs a job (`spreadsheets.tasks.run_job`). That module imports this one to
# call `job_run`, so this one does not import it back: `SpreadsheetsConfig.ready()` hands the task
# over through `job_task_register`, before any request or worker can start a job.
_job_task: dict[str, Any] = {}


def job_task_register(task) -> None:
    """Set the django-tasks task that `_job_enqueue` queues (its one argument is the job id)."""
    _job_task["run_job"] = task


def _job_enqueue(*, owner, operation: str, kind: str, params: dict | None = None, source: bytes | None = None) -> Job:
    run_job = _job_task.get("run_job")
    if run_job is None:
        raise RuntimeError("No job task registered: SpreadsheetsConfig.ready() registers spreadsheets.tasks.run_job.")
    with transaction.atomic():
        job = Job.objects.create(owner=owner, operation=operation, kind=kind, params=params or {})
        if source is not None:
            job.source.save(f"{kind}.xlsx", ContentFile(source), save=True)
        # Same transaction as the job row: a queue row never points at a job that does not exist.
        result = run_job.enqueue(job.pk)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
        job_report(job)
    return job


def job_run(*, job_id: int) -> None:
    """Run one queued job (called by the worker). A job that is not queued is left alone."""
    try:
        job = Job.objects.select_related("owner").get(pk=job_id)
    except Job.DoesNotExist:
        logger.warning("Spreadsheet job %s no longer exists", job_id)
        return
    if job.state != JobState.QUEUED:
        return
    with transaction.atomic():
        job.start()
        job.started_at = timezone.now()
        job.save()
        job_report(job)
    try:
        _RUNNERS[job.operation](job)
    except xlsx.BadWorkbook as exc:
        _job_fail(job, exc.message)
    except (Http404, PermissionDenied):
        _job_fail(job, _("You are no longer allowed to run this job."))
    except Exception:
        logger.exception("Spreadsheet job %s failed", job.pk)
        _job_fail(job, _("The job failed unexpectedly. Try again or ask an administrator."))


def _job_fail(job: Job, message: str, **fields) -> None:
    with transaction.atomic():
        job = Job.objects.get(pk=job.pk)
        job.fail()
        job.error = message
        job.finished_at = timezone.now()
        for name, value in fields.items():
            setattr(job, name, value)
        job.save()
        job_report(job)
        _job_notify(job)


def _job_notify(job: Job) -> None:
    """The inbox row that outlives the progress bar: the owner learns the job ended even if
    the page was closed. Written in the job's transaction, pushed after commit."""
    from notifications.services import notify

    title = f"{job.kind}.xlsx"
    if job.state == JobState.DONE:
        notify(kind="job.done", params={"title": title, "job": job.pk}, users=[job.owner_id], url=reverse("spreadsheets-index"))
    else:
        notify(
            kind="job.failed",
            params={"title": title, "job": job.pk, "error": job.error[:500]},
            users=[job.owner_id],
            url=reverse("spreadsheets-index"),
        )


def _job_finish(job: Job, **fields) -> None:
    with transaction.atomic():
        job = Job.objects.get(pk=job.pk)
        job.finish()
        job.progress = 100
        job.finished_at = timezone.now()
        for name, value in fields.items():
            setattr(job, name, value)
        job.save()
        job_report(job)
        _job_notify(job)


def jobs_prune(*, older_than: dt.timedelta) -> int:
    """Delete finished jobs that ended more than `older_than` ago, with their files.

    Uploaded sources and result workbooks can hold every line of a community's books; they are
    meant to be fetched soon after the job ends, not kept. Queued and running jobs are never
    touched. The files go after the rows are committed, so a failed delete keeps both.
    """
    cutoff = timezone.now() - older_than
    with transaction.atomic():
        jobs = list(
            Job.objects.select_for_update()
            .filter(state__in=[JobState.DONE, JobState.FAILED], finished_at__lt=cutoff)
            .only("pk", "source", "result")
        )
        files = [f for job in jobs for f in (job.source, job.result) if f]
        Job.objects.filter(pk__in=[job.pk for job in jobs]).delete()

        def remove_files():
            for stored in files:
                try:
                    stored.storage.delete(stored.name)
                except OSError:  # a file already gone or unreadable must not stop the rest
                    logger.warning("could not remove %s of a pruned job", stored.name, exc_info=True)

        transaction.on_commit(remove_files)
    if jobs:
        logger.info("pruned %d spreadsheet jobs that ended before %s", len(jobs), cutoff.isoformat())
    return len(jobs)


def _run_export(job: Job) -> None:
    exporter = registry.exporter_for(job.kind, job.owner)
    total = exporter.count(user=job.owner, params=job.params)
    export = _export_to_file(exporter, user=job.owner, params=job.params, progress=ProgressCounter(job, total, end=99))
    with export.handle:
        job.result.save(export.filename, File(export.handle), save=False)
        _job_finish(job, result=job.result.name)


def _run_import(job: Job) -> None:
    importer = registry.importer_for(job.kind, job.owner)
    with job.source.open("rb") as handle:
        data = handle.read()
    _import_now(actor=job.owner, importer=importer, params=job.params, data=data, job=job)


_RUNNERS: dict[str, Callable[[Job], None]] = {
    Job.Operation.EXPORT: _run_export,
    Job.Operation.IMPORT: _run_import,
}


# --- exports ------------------------------------------------------------------------------


def _export_to_file(exporter: registry.Exporter, *, user, params: dict, progress) -> ExportFile:
    handle = tempfile.TemporaryFile()
    try:
        with xlsx.ExportBook(handle) as book:
            exporter.write(book, user=user, params=params, progress=progress)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return ExportFile(handle=handle, filename=exporter.filename(params=params))


def export_start(*, actor, kind: str, query: Mapping[str, str]) -> ExportFile | Job:
    """The workbook itself when small enough, else a queued job. Unknown/forbidden kind → 404."""
    exporter = registry.exporter_for(kind, actor)
    params = exporter.parse_params(user=actor, query=query)
    total = exporter.count(user=actor, params=params)
    if total > settings.EXPORT_SYNC_MAX_ROWS:
        return _job_enqueue(owner=actor, operation=Job.Operation.EXPORT, kind=kind, params=params)
    return _export_to_file(exporter, user=actor, params=params, progress=lambda n: None)


def template_build(*, actor, kind: str, query: Mapping[str, str]) -> ExportFile:
    importer = registry.importer_for(kind, actor)
    params = importer.parse_params(user=actor, query=query)
    handle = tempfile.TemporaryFile()
    with xlsx.ExportBook(handle) as book:
        book.template(str(importer.title), importer.columns(user=actor, params=params), importer.example_for(params=params))
    handle.seek(0)
    return ExportFile(handle=handle, filename=f"{kind}-template.xlsx")


# --- imports ------------------------------------------------------------------------------


def _same(value, expected) -> bool:
    value = None if value == "" else value
    expected = None if expected == "" else expected
    if value is None or expected is None:
        return value is None and expected is None
    try:
        return Decimal(str(value)) == Decimal(str(expected))
    except (InvalidOperation, ValueError):
        return xlsx.cell_text(value) == xlsx.cell_text(expected)


def _is_example(row: xlsx.ImportRow, example: dict) -> bool:
    # The template's example row is left in place by many users; it is never imported.
    return bool(example) and all(_same(row.values.get(k), example.get(k)) for k in row.values)


def _cell_errors(table: xlsx.ImportTable, row: int, exc: ValidationError) -> list[xlsx.CellError]:
    if hasattr(exc, "error_dict"):
        return [
            table.error(row, None if key == "__all__" else key, message)
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return [table.error(row, None, message) for message in exc.messages]


def _import_rows(
    *, actor, importer: registry.Importer, params: dict, data: bytes, progress
) -> tuple[int, list, xlsx.ImportTable]:
    """Validate and write every row in one transaction; roll it all back if any row is bad."""
    table = xlsx.read_table(data, importer.columns(user=actor, params=params), limits=import_limits())
    example = importer.example_for(params=params)
    rows = [row for row in table.rows if not _is_example(row, example)]
    if not rows:
        raise xlsx.BadWorkbook(_("The sheet has no rows to import (only headers or the example row)."))
    errors: list[xlsx.CellError] = []
    state: dict = {}
    counter = ProgressCounter(None, 0) if progress is None else progress(len(rows))
    with transaction.atomic():
        for done, row in enumerate(rows, 1):
            try:
                importer.import_row(actor=actor, row=row, state=state, params=params)
            except ValidationError as exc:
                errors.extend(_cell_errors(table, row.number, exc))
            except PermissionDenied:
                errors.append(table.error(row.number, None, _("You may not import this row.")))
            except IntegrityError:
                # The row's own savepoint (every service is atomic) was rolled back.
                errors.append(table.error(row.number, None, _("This row conflicts with existing data.")))
            counter(done)
        if not errors:
            try:
                importer.finish(actor=actor, state=state, params=params)
            except ValidationError as exc:
                errors.extend(_cell_errors(table, rows[-1].number, exc))
        if errors:
            transaction.set_rollback(True)
    return (0 if errors else len(rows)), errors, table


def _error_workbook(data: bytes, errors: list[xlsx.CellError]) -> ContentFile:
    with tempfile.TemporaryFile() as handle:
        with xlsx.ExportBook(handle) as book:
            book.error_report(data, errors, limits=import_limits())
        handle.seek(0)
        return ContentFile(handle.read())


def _import_now(*, actor, importer: registry.Importer, params: dict, data: bytes, job: Job | None) -> ImportOutcome:
    progress = None if job is None else (lambda total: ProgressCounter(job, total, end=99))
    created, errors, _table = _import_rows(actor=actor, importer=importer, params=params, data=data, progress=progress)
    if not errors:
        if job is not None:
            _job_finish(job, created_count=created)
        return ImportOutcome(created=created, job=job)
    summary = ngettext("%(count)d row has errors; nothing was imported.", "%(count)d rows have errors; nothing was imported.", len({e.row for e in errors})) % {"count": len({e.row for e in errors})}
    row_errors = [e.as_dict() for e in errors]
    report = _error_workbook(data, errors)
    with transaction.atomic():
        if job is None:
            job = Job.objects.create(
                owner=actor, operation=Job.Operation.IMPORT, kind=importer.kind, params=params, state=JobState.FAILED,
                progress=100, error=summary, row_errors=row_errors, finished_at=timezone.now(),
            )
            job.result.save(f"{importer.kind}-errors.xlsx", report, save=True)
        else:
            job.result.save(f"{importer.kind}-errors.xlsx", report, save=False)
            _job_fail(job, summary, row_errors=row_errors, result=job.result.name)
            job = Job.objects.get(pk=job.pk)
    return ImportOutcome(errors=row_errors, job=job)


def import_start(*, actor, kind: str, upload, query: Mapping[str, str]) -> ImportOutcome:
    """Import an uploaded workbook: now when small, as a job when large. Bad file → BadWorkbook."""
    importer = registry.importer_for(kind, actor)
    params = importer.parse_params(user=actor, query=query)
    limits = import_limits()
    if upload is None:
        raise xlsx.BadWorkbook(_("Choose a workbook (.xlsx) to upload."))
    if upload.size is not None and upload.size > min(limits.max_bytes, settings.UPLOAD_MAX_OFFICE_BYTES):
        raise xlsx.BadWorkbook(
            _("The file is larger than %(limit)s bytes; split it into smaller files.")
            % {"limit": f"{min(limits.max_bytes, settings.UPLOAD_MAX_OFFICE_BYTES):,}"}
        )
    data = upload.read(limits.max_bytes + 1)
    # Cheap checks first, so an obviously bad file never becomes a job.
    xlsx.check_size(data, limits)
    xlsx.check_file(data)
    if len(data) > settings.IMPORT_SYNC_MAX_BYTES:
        return ImportOutcome(
            job=_job_enqueue(owner=actor, operation=Job.Operation.IMPORT, kind=kind, params=params, source=data)
        )
    return _import_now(actor=actor, importer=importer, params=params, data=data, job=None)


def job_file_name(job: Job) -> str:
    return os.path.basename(job.result.name)
