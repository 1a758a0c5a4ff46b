"""Write the street's monthly reports for one month now (e.g. after a restore); a month already
reported is left as it was."""

from django.core.management.base import BaseCommand, CommandError

from workflows.ledger.disclosures import parse_period
from workflows.supervision.services import reports_generate


class Command(BaseCommand):
    help = "Generate the monthly street reports of --period YYYY-MM (existing ones are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)

    def handle(self, *args, period, **options):
        month = parse_period(period)
        if month is None:
            raise CommandError("--period must be YYYY-MM")
        written = reports_generate(period=month)
        self.stdout.write(f"{len(written)} report(s) written for {month:%Y-%m}")
