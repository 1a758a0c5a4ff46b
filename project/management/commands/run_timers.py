"""Fire due workflow timers forever (viewflow's `workflow_timers` is one sweep)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from project.env import env_int


class Command(BaseCommand):
    help = "Loop: fire due viewflow timers and scheduled starts every TIMER_INTERVAL seconds."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=env_int("TIMER_INTERVAL", 30, minimum=1))
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, interval, once, **options):
        while True:
            close_old_connections()
            try:
                call_command("workflow_timers", stdout=self.stdout)
            except Exception as exc:  # keep looping; the next sweep retries
                self.stderr.write(f"timer sweep failed: {exc!r}")
            if once:
                return
            time.sleep(interval)
