"""Delete finished spreadsheet jobs and their files, and the job queue's old results."""

import datetime as dt

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from spreadsheets.services import jobs_prune


class Command(BaseCommand):
    help = "Delete spreadsheet jobs (rows and files) and queue results that ended over JOB_RETENTION_DAYS ago."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.JOB_RETENTION_DAYS)

    def handle(self, *args, days, **options):
        if days < 1:
            self.stderr.write("--days must be at least 1")
            raise SystemExit(2)
        pruned = jobs_prune(older_than=dt.timedelta(days=days))
        # The queue's own result rows (django-tasks-db) age out on the same schedule.
        call_command("prune_db_task_results", min_age_days=days, queue_name="*", verbosity=0)
        self.stdout.write(f"pruned {pruned} spreadsheet jobs")
