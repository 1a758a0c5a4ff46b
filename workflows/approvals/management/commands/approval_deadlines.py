"""One sweep of approval deadlines: reminders and timeouts that are due (run_timers loops it)."""

from django.core.management.base import BaseCommand

from workflows.approvals.services import deadlines_sweep


class Command(BaseCommand):
    help = "Fire due deadline reminders and timeouts of approval tasks, as the system actor."

    def handle(self, *args, **options):
        counts = deadlines_sweep()
        if counts["timeouts"] or counts["reminders"]:
            self.stdout.write(f"deadlines: {counts['timeouts']} timeouts, {counts['reminders']} reminders")
