"""One supervision sweep (run by `run_timers` on every loop): the month's reports on its first
working day, and live counters for tasks that became overdue."""

from django.core.management.base import BaseCommand

from project.env import env_int
from workflows.supervision.services import supervision_sweep


class Command(BaseCommand):
    help = "Write last month's street reports when due, and announce newly overdue tasks to open dashboards."

    def handle(self, *args, **options):
        counts = supervision_sweep(interval_seconds=env_int("TIMER_INTERVAL", 30, minimum=1))
        if any(counts.values()):
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
