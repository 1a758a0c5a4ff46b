"""One sweep of the partner area's dates: calls close by date, term-end reminders, ended terms
(run hourly by `run_timers`; the notice period itself is the approval engine's timer)."""

from django.core.management.base import BaseCommand

from workflows.partners.services import partners_sweep


class Command(BaseCommand):
    help = "Close calls past their date, remind partners 30 days before their term ends, exit ended terms."

    def handle(self, *args, **options):
        counts = partners_sweep()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
