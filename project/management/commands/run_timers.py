"""Fire due workflow timers forever (viewflow's `workflow_timers` is one sweep), and do the
periodic housekeeping that belongs to no request (pruning finished jobs, partner dates)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from project.env import env_int

# Housekeeping sweeps: (command, seconds between runs). Each runs on the first loop, then on its
# own schedule; a failure is reported and retried on the next schedule, never fatal.
# supervision_sweep runs on every loop: it announces tasks the moment they become overdue.
HOUSEKEEPING = [("prune_jobs", 3600), ("partner_sweep", 3600), ("supervision_sweep", 0)]


class Command(BaseCommand):
    help = "Loop: fire due viewflow timers and approval deadlines every TIMER_INTERVAL seconds, and run housekeeping hourly."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=env_int("TIMER_INTERVAL", 30, minimum=1))
        parser.add_argument("--once", action="store_true")

    def _sweep(self, name: str) -> None:
        try:
            call_command(name, stdout=self.stdout)
        except Exception as exc:  # keep looping; the next sweep retries
            self.stderr.write(f"{name} failed: {exc!r}")

    def handle(self, *args, interval, once, **options):
        next_run = {name: 0.0 for name, _every in HOUSEKEEPING}
        while True:
            close_old_connections()
            self._sweep("workflow_timers")
            self._sweep("approval_deadlines")
            now = time.monotonic()
            for name, every in HOUSEKEEPING:
                if now >= next_run[name]:
                    self._sweep(name)
                    next_run[name] = now + every
            if once:
                return
            time.sleep(interval)
