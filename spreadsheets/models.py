from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from spreadsheets.states import JobLifecycle, JobState


def _job_file_path(job: "Job", filename: str) -> str:
    # One folder per job: names stay readable for the download and never collide.
    return f"spreadsheets/jobs/{job.owner_id}/{job.pk or 'new'}/{filename}"


class Job(JobLifecycle):
    """A user's spreadsheet export or import, run by the background worker or inside a request.

    The queue row itself belongs to django-tasks (`task_id`); this row is what the user sees:
    progress, the result file, the error.
    """

    class Operation(models.TextChoices):
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="spreadsheet_jobs"
    )
    operation = models.CharField(_("operation"), max_length=8, choices=Operation.choices)
    kind = models.CharField(_("kind"), max_length=32)
    # The exporter's validated filters (a registry kind parses and checks them before a job exists).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    source = models.FileField(_("uploaded file"), upload_to=_job_file_path, blank=True, max_length=255)
    result = models.FileField(_("result file"), upload_to=_job_file_path, blank=True, max_length=255)
    created_count = models.PositiveIntegerField(_("rows created"), default=0)
    # Row errors of a failed import: [{"row", "column", "message"}]; the error workbook is `result`.
    row_errors = models.JSONField(_("row errors"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("queue task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("spreadsheet job")
        verbose_name_plural = _("spreadsheet jobs")
        constraints = [
            models.CheckConstraint(name="spreadsheet_job_progress_0_100", condition=Q(progress__lte=100)),
        ]
        indexes = [
            # "my recent jobs" on the spreadsheets page.
            models.Index(fields=["owner", "-created_at"], name="spreadsheet_job_owner_recent"),
        ]

    def __str__(self):
        return f"{self.get_operation_display()} {self.kind} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
